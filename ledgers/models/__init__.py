"""The ledgers' data, one module per kind of work:

catalogue   the indicator catalogue (SPEC §7)
reports     monthly reports, their figures and audit trail, and the dashboards' summary of accepted ones
projects    the project ledger: projects, yearly plans, history, documents, monthly progress
checks      the member units' cross-checks of accepted figures (数据核对)
quality     validation rules and flags, evidence, corrections of accepted reports, entry exceptions
work_info   work information (信息报送) and its trail
audit       the database triggers (pghistory) that record every change of the statistics

Import from here (`from ledgers.models import MonthlyReport`), not from the modules.
"""

from . import audit  # noqa: F401  (tracks the models; pghistory adds ReportValueAudit… to this module)
from .catalogue import Indicator
from .checks import DEFAULT_TOLERANCE, CheckState, FigureCheck, IndicatorSource
from .projects import (
    Project,
    ProjectAttachment,
    ProjectEvent,
    ProjectProgress,
    ProjectYearPlan,
    _attachment_path,  # noqa: F401  (named by migration 0007)
)
from .quality import (
    DataFlag,
    EntryException,
    Evidence,
    ReopenRequest,
    ValidationRule,
    _evidence_path,  # noqa: F401  (named by migration 0003)
)
from .reports import (
    MAX_FIGURE,
    AcceptedFigures,
    MonthFigures,
    MonthlyReport,
    ReportEvent,
    ReportStatus,
    ReportValue,
    Timeliness,
    TimelinessTally,
)
from .work_info import WorkInfo, WorkInfoEvent

__all__ = [
    "DEFAULT_TOLERANCE",
    "CheckState",
    "FigureCheck",
    "IndicatorSource",
    "MAX_FIGURE",
    "AcceptedFigures",
    "DataFlag",
    "EntryException",
    "Evidence",
    "Indicator",
    "MonthFigures",
    "MonthlyReport",
    "TimelinessTally",
    "Project",
    "ProjectAttachment",
    "ProjectEvent",
    "ProjectProgress",
    "ProjectYearPlan",
    "ReopenRequest",
    "ReportEvent",
    "ReportStatus",
    "ReportValue",
    "Timeliness",
    "ValidationRule",
    "WorkInfo",
    "WorkInfoEvent",
]
