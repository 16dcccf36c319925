"""Database-level audit of the statistics and the catalogues (pghistory).

Database triggers record every insert, update and delete of the statistics, whatever path it takes
(services, admin, QuerySet.update(), bulk_create, raw SQL). Who and why come from the pghistory
context: the request middleware sets the user and the URL, the services add their name and reason.
The event tables are append-only (a protection trigger refuses UPDATE and DELETE).
The event models are created here and pghistory adds them to ledgers.models (ReportValueAudit, …).
"""

import pghistory

from .catalogue import Indicator
from .checks import FigureCheck, IndicatorSource
from .projects import Project, ProjectProgress, ProjectYearPlan
from .quality import ValidationRule
from .reports import MonthlyReport, ReportValue
from .work_info import WorkInfo


def _audited(*trackers, **kwargs):
    """Track a model; trackers and field configs are fresh per model (pghistory adapts them to it)."""
    trackers = trackers or (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
    obj_field = pghistory.ObjForeignKey(related_name="audit_events")
    return pghistory.track(*trackers, append_only=True, obj_field=obj_field, **kwargs)


_audited(fields=["report", "indicator", "value"], model_name="ReportValueAudit")(ReportValue)
_audited(
    fields=[
        "project",
        "report",
        "investment_month",
        "investment_year",
        "investment_total",
        "physical_progress",
        "problems",
    ],
    model_name="ProjectProgressAudit",
)(ProjectProgress)
_audited(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    fields=["town", "period", "status", "timeliness"],
    model_name="MonthlyReportAudit",
)(MonthlyReport)
_audited(exclude=["created_at"], model_name="ProjectAudit")(Project)
_audited(model_name="ProjectYearPlanAudit")(ProjectYearPlan)
_audited(model_name="IndicatorAudit")(Indicator)  # the catalogue's changes
_audited(model_name="ValidationRuleAudit")(ValidationRule)
_audited(exclude=["created_at", "updated_at"], model_name="WorkInfoAudit")(WorkInfo)
_audited(model_name="IndicatorSourceAudit")(IndicatorSource)  # who checks which indicator (issue 18)
_audited(model_name="FigureCheckAudit")(FigureCheck)  # the member units' checks and their discrepancies
