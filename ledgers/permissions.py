"""The one door for monthly reports and projects: what a user sees, and what it may do to what it sees."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from coordination import permissions as unit_perms
from coordination.permissions import org_units_for_user

from .models import MonthlyReport, Project, ReportStatus

VIEW = unit_perms.VIEW
EDIT = unit_perms.FILL  # save figures and submit
APPROVE = unit_perms.APPROVE
ACCEPT = unit_perms.ACCEPT
RETURN = "return"  # resolved per status by perm_for_return


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
    project = projects_for_user(user, VIEW).select_related("town__unit").filter(pk=pk).first()
    if project is None:
        raise Http404
    if perm != VIEW and not unit_perms.user_has_unit_perm(user, project.town_id, perm):
        raise PermissionDenied
    return project


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
