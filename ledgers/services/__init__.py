"""All writes of the ledgers app (R-3.2 – R-3.7), one module per kind of work, re-exported here so that
callers write `from ledgers import services as ledger; ledger.monthly_report_submit(...)`.

Each function is one business operation in one transaction, writes its audit event beside the
change and leaves the database untouched when it raises.

- reports.py      a monthly report's workflow: create, save, submit, approve, accept, return
- progress.py     its project rows and their cumulative investment
- quality.py      flags of the soft rules, the hard rules at submission, evidence files, confirming a flag
- flags.py        closing every flag as a report is accepted
- corrections.py  reopening an accepted report for a correction
- locking.py      the entry lock, the nightly record of missing reports, the office's exceptions
- imports.py      the Excel import of a district's month
- export_jobs.py  the background ledger export
- projects.py     the project ledger (重点项目台账)
- catalogue.py    the indicator catalogue
- work_info.py    work information (信息报送)
- checks.py       the member units' cross-checks of accepted figures (数据核对)
- sharing.py      what the office shares with a member unit (数据共享)
- common.py       the audit context, the parsing of figures, the workflow's shared steps
"""

from .catalogue import indicator_create, indicator_update
from .checks import CheckEntry, figure_check_close, figure_check_explain, figure_checks_record, indicator_sources_set
from .common import MAX_VALUE, audited
from .corrections import monthly_report_reopen_approve, monthly_report_reopen_reject, monthly_report_reopen_request
from .export_jobs import EXPORT_PROGRESS_SECONDS, ledger_export_run
from .imports import ImportSummary, monthly_reports_import
from .locking import (
    EXCEPTION_MAX_DAYS,
    MISSING_LOOKBACK_MONTHS,
    entry_exception_grant,
    entry_exception_revoke,
    entry_locked,
    monthly_reports_mark_missing,
)
from .progress import PROGRESS_TEXT_FIELDS, project_cumulatives_recompute
from .projects import PROJECT_FIELDS, progress_plans_freeze, project_attachment_add, project_create, project_update
from .quality import data_flag_resolve, report_evidence_add, report_evidence_delete
from .reports import (
    monthly_report_accept,
    monthly_report_approve,
    monthly_report_create,
    monthly_report_return,
    monthly_report_save,
    monthly_report_submit,
    timeliness_of,
)
from .sharing import member_unit_sharing_set
from .work_info import (
    WORK_INFO_FIELDS,
    work_briefing_issue,
    work_briefing_source,
    work_info_accept,
    work_info_approve,
    work_info_create,
    work_info_return,
    work_info_submit,
    work_info_update,
)

__all__ = [
    "CheckEntry",
    "figure_check_close",
    "figure_check_explain",
    "figure_checks_record",
    "indicator_sources_set",
    "member_unit_sharing_set",
    "EXCEPTION_MAX_DAYS",
    "EXPORT_PROGRESS_SECONDS",
    "MAX_VALUE",
    "MISSING_LOOKBACK_MONTHS",
    "PROGRESS_TEXT_FIELDS",
    "PROJECT_FIELDS",
    "WORK_INFO_FIELDS",
    "ImportSummary",
    "audited",
    "data_flag_resolve",
    "entry_exception_grant",
    "entry_exception_revoke",
    "entry_locked",
    "indicator_create",
    "indicator_update",
    "ledger_export_run",
    "monthly_report_accept",
    "monthly_report_approve",
    "monthly_report_create",
    "monthly_report_reopen_approve",
    "monthly_report_reopen_reject",
    "monthly_report_reopen_request",
    "monthly_report_return",
    "monthly_report_save",
    "monthly_report_submit",
    "monthly_reports_import",
    "monthly_reports_mark_missing",
    "progress_plans_freeze",
    "project_attachment_add",
    "project_create",
    "project_cumulatives_recompute",
    "project_update",
    "report_evidence_add",
    "report_evidence_delete",
    "timeliness_of",
    "work_info_accept",
    "work_info_approve",
    "work_info_create",
    "work_info_return",
    "work_info_submit",
    "work_info_update",
    "work_briefing_issue",
    "work_briefing_source",
]
