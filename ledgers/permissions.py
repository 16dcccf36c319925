"""The one door for monthly reports and projects: what a user sees, and what it may do to what it sees."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from coordination import permissions as unit_perms
from coordination.models import OrgUnit
from coordination.permissions import org_units_for_user

from .models import (
    DataFlag,
    EntryException,
    Evidence,
    Indicator,
    MonthlyReport,
    Project,
    ProjectAttachment,
    ReportStatus,
    WorkInfo,
)

VIEW = unit_perms.VIEW
EDIT = unit_perms.FILL  # save figures and submit
APPROVE = unit_perms.APPROVE
ACCEPT = unit_perms.ACCEPT
RETURN = "return"  # resolved per status by perm_for_return
MANAGE_PROJECTS = unit_perms.MANAGE_PROJECTS  # register and edit the town's projects (officers, reviewers)
MANAGE_CATALOGUE = unit_perms.MANAGE_CATALOGUE  # on the municipality: the indicator catalogue (administrators)


def monthly_reports_for_user(user: AbstractBaseUser, perm: str = VIEW) -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.filter(town__unit__in=org_units_for_user(user, perm).values("pk"))


def perm_for_return(report: MonthlyReport) -> str:
    """The reviewer at the report's current stage may return it: the district leader, then the office."""
    return ACCEPT if report.status == ReportStatus.DISTRICT_APPROVED else APPROVE


def can(user: AbstractBaseUser, report: MonthlyReport, perm: str) -> bool:
    if perm == RETURN:
        if report.status not in (ReportStatus.SUBMITTED, ReportStatus.DISTRICT_APPROVED):
            # Any reviewer may try; the service then says why the state does not allow it (409).
            return can(user, report, APPROVE) or can(user, report, ACCEPT)
        perm = perm_for_return(report)
    return unit_perms.user_has_unit_perm(user, report.town_id, perm)


def get_monthly_report_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> MonthlyReport:
    """The report if `user` sees it (Http404 otherwise) and may do `perm` on it (PermissionDenied otherwise)."""
    report = (
        monthly_reports_for_user(user, VIEW)
        .select_related("town__unit", "town__district", "submitted_by", "approved_by", "accepted_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    if perm != VIEW and not can(user, report, perm):
        raise PermissionDenied
    return report


def projects_for_user(user: AbstractBaseUser, perm: str = VIEW) -> QuerySet[Project]:
    return Project.objects.filter(town__unit__in=org_units_for_user(user, perm).values("pk"))


def get_project_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> Project:
    """The project if its town is in `user`'s scope (Http404 otherwise) and `user` holds `perm` on the town
    (PermissionDenied otherwise): MANAGE_PROJECTS to edit it or attach documents."""
    project = projects_for_user(user, VIEW).select_related("town__unit", "town__district").filter(pk=pk).first()
    if project is None:
        raise Http404
    if perm != VIEW and not unit_perms.user_has_unit_perm(user, project.town_id, perm):
        raise PermissionDenied
    return project


def can_manage_projects(user: AbstractBaseUser, project: Project) -> bool:
    return unit_perms.user_has_unit_perm(user, project.town_id, MANAGE_PROJECTS)


def get_project_attachment_for_user(user: AbstractBaseUser, project_pk, pk) -> ProjectAttachment:
    """An attachment of a project `user` sees (Http404 otherwise): downloads need nothing more."""
    attachment = (
        ProjectAttachment.objects.filter(project__in=projects_for_user(user, VIEW).values("pk"), project_id=project_pk)
        .filter(pk=pk)
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


# --- The indicator catalogue (R-1.7) ------------------------------------------------------------------


def can_manage_catalogue(user: AbstractBaseUser) -> bool:
    """The catalogue is the municipality's: MANAGE_CATALOGUE granted there (the administrator role)."""
    return org_units_for_user(user, MANAGE_CATALOGUE).filter(level=OrgUnit.Level.MUNICIPAL).exists()


def check_catalogue_access(user: AbstractBaseUser) -> None:
    """The catalogue pages are its maintainers' (PermissionDenied for everyone else)."""
    if not can_manage_catalogue(user):
        raise PermissionDenied


def get_indicator_for_user(user: AbstractBaseUser, pk) -> Indicator:
    check_catalogue_access(user)
    indicator = Indicator.objects.filter(pk=pk).first()
    if indicator is None:
        raise Http404
    return indicator


def report_actions_for_user(user: AbstractBaseUser, report: MonthlyReport) -> set[str]:
    """Which workflow buttons to show: the perms the user holds that the report's state allows."""
    held = {p for p in (EDIT, APPROVE, ACCEPT) if unit_perms.user_has_unit_perm(user, report.town_id, p)}
    actions = set()
    if report.is_editable and EDIT in held:
        actions |= {"edit", "submit"}
    if report.status == ReportStatus.SUBMITTED and APPROVE in held:
        actions |= {"approve", "return"}
    if report.status == ReportStatus.DISTRICT_APPROVED and ACCEPT in held:
        actions |= {"accept", "return"}
    return actions


# --- Data quality and the audit trail (issue 3) -------------------------------------------------------

REVIEW = "review"  # either reviewer of the report's town: confirms flagged figures


def can_audit(user: AbstractBaseUser) -> bool:
    """The office-wide audit search is the office's (and the administrators'), over what they see: read from
    the permissions (work routed to the office, MANAGE_ORGANISATION), not from role names."""
    return unit_perms.can_audit(user)


def can_review(user: AbstractBaseUser, report: MonthlyReport) -> bool:
    return can(user, report, APPROVE) or can(user, report, ACCEPT)


def get_flag_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> DataFlag:
    flag = (
        DataFlag.objects.filter(report__in=monthly_reports_for_user(user, VIEW).values("pk"), pk=pk)
        .select_related("report__town__unit", "indicator")
        .first()
    )
    if flag is None:
        raise Http404
    allowed = can_review(user, flag.report) if perm == REVIEW else perm == VIEW or can(user, flag.report, perm)
    if not allowed:
        raise PermissionDenied
    return flag


def get_evidence_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> Evidence:
    evidence = (
        Evidence.objects.filter(report__in=monthly_reports_for_user(user, VIEW).values("pk"), pk=pk)
        .select_related("report__town__unit", "indicator")
        .first()
    )
    if evidence is None:
        raise Http404
    if perm != VIEW and not can(user, evidence.report, perm):
        raise PermissionDenied
    return evidence


def get_entry_exception_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> EntryException:
    exception = (
        EntryException.objects.filter(town__unit__in=org_units_for_user(user, VIEW).values("pk"), pk=pk)
        .select_related("town__unit")
        .first()
    )
    if exception is None:
        raise Http404
    if perm != VIEW and not unit_perms.user_has_unit_perm(user, exception.town_id, perm):
        raise PermissionDenied
    return exception


def quality_actions_for_user(user: AbstractBaseUser, report: MonthlyReport, *, pending_reopen: bool) -> set[str]:
    """Which data-quality buttons a report page shows: reopen (request, approve/reject), evidence, review."""
    actions = set()
    if report.status == ReportStatus.ACCEPTED and not pending_reopen and can(user, report, EDIT):
        actions.add("reopen")
    if pending_reopen and can(user, report, ACCEPT):
        actions.add("decide_reopen")
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED) and can_review(user, report):
        actions.add("resolve_flags")
    return actions


# --- Work information (R-3.2) --------------------------------------------------------------------------
#
# The report grants carry over: the officer (fill) writes and submits, the district leader (approve)
# reviews, the group that accepts statistics (accept, 综合政策组) adopts. A draft is its writers' own.


def work_info_for_user(user: AbstractBaseUser, perm: str = VIEW) -> QuerySet[WorkInfo]:
    units = org_units_for_user(user, perm).values("pk")
    infos = WorkInfo.objects.filter(org_unit__in=units)
    if perm == VIEW:
        infos = infos.filter(
            ~Q(status=WorkInfo.Status.DRAFT) | Q(org_unit__in=org_units_for_user(user, EDIT).values("pk"))
        )
    return infos


def work_info_actions_for_user(user: AbstractBaseUser, info: WorkInfo) -> set[str]:
    """Which buttons the page shows: the perms the user holds that the item's state allows."""
    Status = WorkInfo.Status
    needed = {
        Status.DRAFT: (EDIT, {"edit", "submit"}),
        Status.RETURNED: (EDIT, {"edit", "submit"}),
        Status.SUBMITTED: (APPROVE, {"approve", "return"}),
        Status.APPROVED: (ACCEPT, {"accept", "return"}),
    }.get(info.status)
    if needed is None or not unit_perms.user_has_unit_perm(user, info.org_unit_id, needed[0]):
        return set()
    return needed[1]


def get_work_info_for_user(user: AbstractBaseUser, pk, action: str | None = None) -> WorkInfo:
    """The item if `user` sees it (Http404 otherwise) and, when `action` is named, may do it now
    (PermissionDenied otherwise; the service says why a state refuses it)."""
    info = work_info_for_user(user, VIEW).select_related("org_unit__parent", "created_by").filter(pk=pk).first()
    if info is None:
        raise Http404
    if action is not None:
        perm = {"edit": EDIT, "submit": EDIT, "approve": APPROVE, "accept": ACCEPT}.get(action)
        if action == "return":
            perm = ACCEPT if info.status == WorkInfo.Status.APPROVED else APPROVE
        if not unit_perms.user_has_unit_perm(user, info.org_unit_id, perm):
            raise PermissionDenied
    return info
