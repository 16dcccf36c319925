"""All writes of the assessments app (R-5.1 – R-5.5), one module per kind of work, re-exported here so that
callers write `from assessments import services; services.run_publish(...)`.

Each function is one business operation in one transaction: it checks its invariants, makes the
change, writes an AssessmentEvent beside it and tells the people concerned. When it raises, the
database is as it was.

- targets.py           annual targets: a town's targets, one target (the API), the Excel import
- lag_check.py         the monthly lag check "时间过半、任务过半" and its warnings
- schemes.py           a year's scheme and its items, copying a scheme, the weight total of 100
- runs.py              draft runs, the assessment group's manual scores, publication
- sanctions.py         the office's decision on a proposed sanction
- self_evaluations.py  saving and handing in a self-evaluation, its reminders
- common.py            the audit row, whom to tell about a district, parsing amounts, the year check
"""

from ..models import Target  # read as services.Target by tests/test_permission_matrix.py
from .common import MAX_TARGET, parse_amount
from .documents import run_briefing_issue, run_circular_issue, run_document_not_issuable, run_document_source
from .lag_check import targets_check_lag
from .runs import ManualInput, default_run_title, manual_scores_save, run_create, run_delete, run_publish
from .sanctions import run_decide_sanction
from .schemes import (
    ITEM_FIELDS,
    SCHEME_FIELDS,
    WEIGHT_TOTAL,
    _item_defaults,
    check_scheme_complete,
    scheme_copy,
    scheme_save,
    weight_total_error,
)
from .self_evaluations import REMIND_DAYS_BEFORE, self_evaluation_save, self_evaluations_remind
from .targets import (
    TOWN_CODE_COLUMN,
    CellError,
    ImportRejected,
    TargetRow,
    target_set,
    targets_import,
    targets_save_for_town,
)

__all__ = [
    "ITEM_FIELDS",
    "MAX_TARGET",
    "REMIND_DAYS_BEFORE",
    "SCHEME_FIELDS",
    "TOWN_CODE_COLUMN",
    "WEIGHT_TOTAL",
    "CellError",
    "ImportRejected",
    "ManualInput",
    "Target",
    "TargetRow",
    "_item_defaults",  # the tests build scheme items as the editor does
    "check_scheme_complete",
    "default_run_title",
    "manual_scores_save",
    "parse_amount",
    "run_create",
    "run_decide_sanction",
    "run_delete",
    "run_publish",
    "run_briefing_issue",
    "run_circular_issue",
    "run_document_source",
    "run_document_not_issuable",
    "scheme_copy",
    "scheme_save",
    "self_evaluation_save",
    "self_evaluations_remind",
    "target_set",
    "targets_check_lag",
    "targets_import",
    "targets_save_for_town",
    "weight_total_error",
]
