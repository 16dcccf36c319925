"""Corrections of accepted data (R-3.5): a district asks to reopen an accepted report, the office approves
(the accepted version is kept in the request) or refuses; while reopened, its saves carry the reason.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import permissions as unit_perms
from coordination.selectors import users_with_unit_perm
from tianjin_towns.errors import ConflictError

from ..models import MonthlyReport, ReopenRequest, ReportEvent, ReportStatus
from ..summaries import accepted_figures_refresh
from .common import _audit_reason, _event, _filers, _locked, _tell, _text, _transition, audited


def _correction_reason(report: MonthlyReport) -> str:
    """While a reopened report is being corrected, its saves carry the approved request's reason."""
    if report.accepted_at is None:
        return ""
    request = (
        report.reopen_requests.filter(status=ReopenRequest.Status.APPROVED, decided_at__gte=report.accepted_at)
        .order_by("-decided_at")
        .first()
    )
    return _("更正已验收数据：%(reason)s") % {"reason": request.reason} if request else ""


def _accepted_snapshot(report: MonthlyReport) -> dict:
    values = {code: _text(value) for code, value in report.values.values_list("indicator__code", "value")}
    projects = {
        row.project.code: {
            "name": row.project.name,
            "investment_month": _text(row.investment_month),
            "investment_year": _text(row.investment_year),
            "investment_total": _text(row.investment_total),
        }
        for row in report.project_progress.select_related("project")
    }
    return {
        "values": values,
        "projects": projects,
        "accepted_at": report.accepted_at.isoformat() if report.accepted_at else None,
        "accepted_by": report.accepted_by_id,
    }


@transaction.atomic
@audited
def monthly_report_reopen_request(*, actor: AbstractBaseUser, report: MonthlyReport, reason: str) -> ReopenRequest:
    """Ask the office to reopen an accepted report for a correction, with the reason (R-3.5)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("申请更正时必须填写更正原因。")]})
    report = _locked(report.pk)
    if report.status != ReportStatus.ACCEPTED:
        raise ConflictError(
            _("只有已验收的月报需要申请更正；当前状态为“%(status)s”。") % {"status": ReportStatus(report.status).label}
        )
    if report.reopen_requests.filter(status=ReopenRequest.Status.PENDING).exists():
        raise ConflictError(_("该月报已有待审批的更正申请。"))
    _audit_reason(reason)
    request = ReopenRequest.objects.create(report=report, reason=reason[:2000], requested_by=actor)
    event = _event(report, actor, ReportEvent.Action.REOPEN_REQUEST, report.status, reason=reason)
    _tell(
        report,
        event,
        users_with_unit_perm(report.town.unit, unit_perms.ACCEPT),
        "report_reopen_requested",
        _("%(report)s 月报申请更正，请审批") % {"report": report},
        body=_("更正原因：%(reason)s") % {"reason": reason},
    )
    return request


def _pending_request(report: MonthlyReport) -> ReopenRequest:
    request = report.reopen_requests.select_for_update().filter(status=ReopenRequest.Status.PENDING).first()
    if request is None:
        raise ConflictError(_("该月报没有待审批的更正申请。"))
    return request


@transaction.atomic
@audited
def monthly_report_reopen_approve(*, actor: AbstractBaseUser, report: MonthlyReport, note: str = "") -> MonthlyReport:
    """Office: reopen an accepted report for correction; the accepted version is kept in the request."""
    report = _locked(report.pk)
    request = _pending_request(report)
    from_status = _transition(report, {ReportStatus.ACCEPTED}, _("重新打开"))
    request.snapshot = _accepted_snapshot(report)
    request.status = ReopenRequest.Status.APPROVED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = (note or "").strip()[:2000]
    request.save()
    _audit_reason(request.reason)
    report.status = ReportStatus.RETURNED
    report.return_reason = _("市特镇办已批准更正申请，请更正后重新报送。更正原因：%(reason)s") % {
        "reason": request.reason
    }
    report.save()
    accepted_figures_refresh([report.pk])  # no longer accepted: out of the dashboards (issue 8)
    event = _event(report, actor, ReportEvent.Action.REOPEN_APPROVE, from_status, reason=request.reason)
    _tell(
        report,
        event,
        _filers(report) + [request.requested_by],
        "report_reopened",
        _("%(report)s 月报的更正申请已批准，请更正后重新报送") % {"report": report},
        body=_("更正原因：%(reason)s") % {"reason": request.reason},
    )
    return report


@transaction.atomic
@audited
def monthly_report_reopen_reject(*, actor: AbstractBaseUser, report: MonthlyReport, reason: str) -> ReopenRequest:
    """Office: refuse a correction request, with the reason; the accepted report stays as it is."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("驳回时必须填写理由。")]})
    report = _locked(report.pk)
    request = _pending_request(report)
    request.status = ReopenRequest.Status.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = reason[:2000]
    request.save()
    event = _event(report, actor, ReportEvent.Action.REOPEN_REJECT, report.status, reason=reason)
    _tell(
        report,
        event,
        [request.requested_by, *users_with_unit_perm(report.town.unit, unit_perms.FILL)],
        "report_reopen_rejected",
        _("%(report)s 月报的更正申请被驳回") % {"report": report},
        body=_("驳回理由：%(reason)s") % {"reason": reason},
    )
    return request
