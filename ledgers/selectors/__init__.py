"""Reads across relations for monthly reports and ledgers; every list here is a fixed number of queries.

One module per kind of read, re-exported here so that callers write `from ledgers import selectors`
and `selectors.monthly_report_list(...)`:

- reports.py     the catalogue a month carries, report lists and one report's parts, the home page's counters
- inbox.py       what waits for a user (待我处理): the home page's lists and the navigation badge
- ledger.py      the statistics ledger and the year-to-date accepted figures
- timeliness.py  timeliness per town and month, and the rates up the hierarchy (one SQL query)
- gaps.py        the gaps page (查漏补缺)
- quality.py     flags, evidence, corrections and the office's exceptions
- trail.py       a report's trail (修改记录)
- audit.py       the office-wide audit search
- projects.py    the project ledger
- work_info.py   work information (信息报送)
- checks.py      the member units' cross-checks of accepted figures (数据核对)
"""

from .audit import (
    ACTION_LABELS,
    AUDIT_MODELS,
    AUDIT_TOWN_FIELD,
    CHOICE_LABELS,
    PROJECT_AUDIT_FIELDS,
    SERVICE_LABELS,
    AuditRow,
    audit_keys,
    audit_rows,
    audit_user_id,
)
from .checks import (
    CheckRow,
    CheckWork,
    check_periods,
    check_progress,
    check_sheet,
    check_sources,
    check_state_counts,
    check_state_totals,
    check_work,
    check_work_count,
    discrepancy_counts,
    figure_check_list,
    ledger_check_states,
)
from .gaps import GAP_KINDS, GapDistrict, GapItem, GapTable, GapTown, gaps_for_year
from .inbox import Inbox, InboxQueries, inbox_count, inbox_for_user, inbox_queries
from .ledger import (
    Ledger,
    LedgerCell,
    LedgerRow,
    LedgerSummary,
    YearToDate,
    accepted_year_to_date,
    ledger_by_district,
    ledger_for_indicator,
    sum_present,
)
from .projects import project_detail_parts, project_list, project_prefetches, project_progress_prefetch
from .quality import (
    Comparison,
    ComparisonRow,
    entry_exceptions_for_user,
    reopen_comparison,
    reopen_requests,
    report_evidence,
    report_flags,
    unexplained_flags,
)
from .reports import (
    UNFILED,
    PeriodOverview,
    ReportRow,
    active_indicators,
    changes_since_last_return,
    district_names_in_scope,
    indicators_by_code,
    indicators_of_year,
    ledger_contents,
    month_report_rows,
    monthly_report_list,
    period_overview,
    report_events_with_actors,
    report_history,
    report_progress_rows,
    report_project_rows,
    report_values,
    report_values_prefetch,
    reports_matching,
    towns_in_scope,
)
from .timeliness import (
    MonthTimeliness,
    TimelinessCount,
    TimelinessTable,
    report_timeliness_by_town,
    timeliness_table,
)
from .trail import DIRECT_CHANGE, PROGRESS_FIELDS, TrailEntry, report_trail
from .work_info import (
    work_info_briefing,
    work_info_briefing_months,
    work_info_events,
    work_info_list,
    work_info_waiting,
)

__all__ = [
    "CheckRow",
    "CheckWork",
    "check_work",
    "check_work_count",
    "discrepancy_counts",
    "check_periods",
    "check_state_totals",
    "check_progress",
    "check_sheet",
    "check_sources",
    "check_state_counts",
    "figure_check_list",
    "ledger_check_states",
    "ACTION_LABELS",
    "AUDIT_MODELS",
    "AUDIT_TOWN_FIELD",
    "CHOICE_LABELS",
    "DIRECT_CHANGE",
    "GAP_KINDS",
    "PROGRESS_FIELDS",
    "PROJECT_AUDIT_FIELDS",
    "SERVICE_LABELS",
    "UNFILED",
    "AuditRow",
    "Comparison",
    "ComparisonRow",
    "GapDistrict",
    "GapItem",
    "GapTable",
    "GapTown",
    "Inbox",
    "InboxQueries",
    "Ledger",
    "LedgerCell",
    "LedgerRow",
    "MonthTimeliness",
    "PeriodOverview",
    "ReportRow",
    "TimelinessCount",
    "TimelinessTable",
    "TrailEntry",
    "YearToDate",
    "accepted_year_to_date",
    "active_indicators",
    "audit_keys",
    "audit_rows",
    "audit_user_id",
    "changes_since_last_return",
    "district_names_in_scope",
    "entry_exceptions_for_user",
    "gaps_for_year",
    "inbox_count",
    "inbox_for_user",
    "inbox_queries",
    "indicators_by_code",
    "indicators_of_year",
    "ledger_for_indicator",
    "ledger_by_district",
    "sum_present",
    "LedgerSummary",
    "monthly_report_list",
    "month_report_rows",
    "period_overview",
    "project_detail_parts",
    "project_list",
    "project_prefetches",
    "project_progress_prefetch",
    "reopen_comparison",
    "reopen_requests",
    "report_events_with_actors",
    "report_evidence",
    "report_flags",
    "report_history",
    "report_progress_rows",
    "report_project_rows",
    "report_timeliness_by_town",
    "report_trail",
    "report_values",
    "report_values_prefetch",
    "reports_matching",
    "timeliness_table",
    "ledger_contents",
    "towns_in_scope",
    "unexplained_flags",
    "work_info_briefing",
    "work_info_briefing_months",
    "work_info_events",
    "work_info_list",
    "work_info_waiting",
]
