"""All writes of monthly reports and the project ledger (R-3.3, R-3.4).

Each function is one business operation in one transaction, writes its audit event beside the
change and leaves the database untouched when it raises.
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import permissions as unit_perms
from coordination.models import Town
from coordination.selectors import users_with_unit_perm
from coordination.services import notify
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from .models import (
    Indicator,
    MonthlyReport,
    Project,
    ProjectProgress,
    ReportEvent,
    ReportStatus,
    ReportValue,
    Timeliness,
)

MAX_VALUE = Decimal("99999999999999")


def _number(raw, label: str, decimal_places: int) -> Decimal:
    """Parse one figure, or raise a message naming the field in the user's language."""
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("「%(field)s」必须是数字。") % {"field": label}) from None
    if not value.is_finite():
        raise ValidationError(_("「%(field)s」必须是数字。") % {"field": label})
    if value < 0:
        raise ValidationError(_("「%(field)s」不能为负数。") % {"field": label})
    if value > MAX_VALUE:
        raise ValidationError(_("「%(field)s」数值过大。") % {"field": label})
    if decimal_places == 0 and value != value.to_integral_value():
        raise ValidationError(_("「%(field)s」必须是整数。") % {"field": label})
    if value.as_tuple().exponent < -max(decimal_places, 0):
        raise ValidationError(_("「%(field)s」最多保留%(places)s位小数。") % {"field": label, "places": decimal_places})
    return value


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _event(report: MonthlyReport, actor, action: str, from_status: str, reason: str = "", changes=None) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=report.status,
        reason=reason,
        changes=changes or {},
    )


def _locked(report_id: int) -> MonthlyReport:
    return MonthlyReport.objects.select_for_update().select_related("town__unit").get(pk=report_id)


def _tell(report: MonthlyReport, event: ReportEvent, recipients, kind: str, subject: str, body: str = "") -> None:
    """Notify the next people in the workflow; the event id makes each step's occasion unique."""
    notify(
        recipients=recipients,
        kind=kind,
        subject=subject,
        body=body,
        link=reverse("report-detail", args=[report.pk]),
        about=report,
        occasion=f"{kind}:{report.pk}:{event.pk}",
    )


def _filers(report: MonthlyReport) -> list:
    return [report.submitted_by, *users_with_unit_perm(report.town.unit, unit_perms.FILL)]


@transaction.atomic
def monthly_report_create(*, actor: AbstractBaseUser | None, town: Town, period: datetime.date) -> MonthlyReport:
    """Open the report of `town` for `period` (the first day of a month that has ended)."""
    period = dates.month_start(period)
    if not dates.period_has_ended(period):
        raise ValidationError(
            {"period": _("%(period)s 尚未结束，不能填报该月月报。") % {"period": dates.format_period(period)}}
        )
    if not town.expects_report(period):
        raise ValidationError(
            {"period": _("该小镇在 %(period)s 不需要报送月报。") % {"period": dates.format_period(period)}}
        )
    if MonthlyReport.objects.filter(town=town, period=period).exists():
        raise ConflictError(
            _("%(town)s %(period)s 的月报已存在。") % {"town": town, "period": dates.format_period(period)}
        )
    report = MonthlyReport.objects.create(town=town, period=period, due_on=dates.report_due_date(period))
    _event(report, actor, ReportEvent.Action.CREATE, "")
    return report


def _clean_values(raw_values: Mapping[str, object], indicators: dict[str, Indicator]) -> dict[str, Decimal | None]:
    cleaned: dict[str, Decimal | None] = {}
    errors: dict[str, list[str]] = {}
    for code, raw in raw_values.items():
        indicator = indicators.get(code)
        if indicator is None:
            errors.setdefault(code, []).append(_("未知的统计指标：%(code)s") % {"code": code})
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            cleaned[code] = None
            continue
        try:
            cleaned[code] = _number(raw, indicator.name, indicator.decimal_places)
        except ValidationError as error:
            errors.setdefault(code, []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_parts(values: dict[str, Decimal | None], indicators: dict[str, Indicator]) -> None:
    """A part (其中项) may not exceed its whole."""
    errors = {}
    for code, value in values.items():
        whole = indicators[code].part_of
        if value is None or whole is None:
            continue
        whole_value = values.get(whole.code)
        if whole_value is not None and value > whole_value:
            errors[code] = [
                _("「%(part)s」不能大于「%(whole)s」。") % {"part": indicators[code].name, "whole": whole.name}
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def monthly_report_save(
    *,
    actor: AbstractBaseUser | None,
    report: MonthlyReport,
    values: Mapping[str, object],
    progress: Iterable[Mapping[str, object]] | None = None,
) -> MonthlyReport:
    """Save figures (and project progress rows) of a draft or returned report, recording every change."""
    report = _locked(report.pk)
    if not report.is_editable:
        raise ConflictError(_("月报当前状态为“%(status)s”，不能修改。") % {"status": ReportStatus(report.status).label})
    indicators = {i.code: i for i in Indicator.objects.filter(active=True).select_related("part_of")}
    cleaned = _clean_values(values, indicators)
    stored = {v.indicator.code: v for v in report.values.select_related("indicator")}
    merged = {code: v.value for code, v in stored.items() if code in indicators} | cleaned
    _check_parts(merged, indicators)

    value_changes: dict[str, list[str | None]] = {}
    for code, new in cleaned.items():
        row = stored.get(code)
        old = row.value if row else None
        if old == new:
            continue
        value_changes[code] = [_text(old), _text(new)]
        if new is None:
            row.delete()
        elif row is None:
            ReportValue.objects.create(report=report, indicator=indicators[code], value=new)
        else:
            row.value = new
            row.save(update_fields=["value"])

    project_changes = _save_progress(report, progress) if progress is not None else {}
    changes = {}
    if value_changes:
        changes["values"] = value_changes
    if project_changes:
        changes["projects"] = project_changes
    if changes:
        report.save(update_fields=["updated_at"])
        _event(report, actor, ReportEvent.Action.SAVE, report.status, changes=changes)
    return report


PROGRESS_TEXT_FIELDS = ("physical_progress", "problems")


def _save_progress(report: MonthlyReport, rows: Iterable[Mapping[str, object]]) -> dict:
    """Upsert the report's project rows; cumulative figures are derived from earlier months."""
    rows = list(rows)
    project_ids = [row.get("project") for row in rows]
    projects = {p.pk: p for p in Project.objects.filter(town=report.town, pk__in=[p for p in project_ids if p])}
    errors: dict[str, list[str]] = {}
    parsed = []
    for index, row in enumerate(rows):
        project = projects.get(_int_or_none(row.get("project")))
        if project is None:
            errors[f"progress[{index}].project"] = [_("项目不存在或不属于本小镇。")]
            continue
        try:
            month = _number(
                row.get("investment_month") or 0, _("%(project)s 本月完成投资") % {"project": project.name}, 2
            )
        except ValidationError as error:
            errors[f"progress[{index}].investment_month"] = error.messages
            continue
        parsed.append((project, month, {f: str(row.get(f) or "").strip() for f in PROGRESS_TEXT_FIELDS}))
    if errors:
        raise ValidationError(errors)

    year_start = report.period.replace(month=1)
    earlier = (
        ProjectProgress.objects.filter(project__in=[p for p, _m, _t in parsed], report__period__lt=report.period)
        .values("project")
        .annotate(total=Sum("investment_month"))
    )
    earlier_total = {row["project"]: row["total"] for row in earlier}
    earlier_year = {
        row["project"]: row["total"]
        for row in ProjectProgress.objects.filter(
            project__in=[p for p, _m, _t in parsed], report__period__lt=report.period, report__period__gte=year_start
        )
        .values("project")
        .annotate(total=Sum("investment_month"))
    }
    existing = {p.project_id: p for p in report.project_progress.all()}
    changes: dict[str, dict] = {}
    for project, month, texts in parsed:
        fields = {
            "investment_month": month,
            "investment_year": earlier_year.get(project.pk, Decimal(0)) + month,
            "investment_total": earlier_total.get(project.pk, Decimal(0)) + month,
            **texts,
        }
        row = existing.get(project.pk)
        diff = {}
        for name, new in fields.items():
            old = getattr(row, name) if row else None
            if old != new:
                diff[name] = [
                    _text(old) if isinstance(old, Decimal) else old,
                    _text(new) if isinstance(new, Decimal) else new,
                ]
        if not diff:
            continue
        changes[project.code] = diff
        if row is None:
            ProjectProgress.objects.create(project=project, report=report, **fields)
        else:
            for name, new in fields.items():
                setattr(row, name, new)
            row.save()
    return changes


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _transition(report: MonthlyReport, allowed_from: set[str], verb: str) -> str:
    if report.status not in allowed_from:
        raise ConflictError(
            _("月报当前状态为“%(status)s”，不能%(verb)s。")
            % {"status": ReportStatus(report.status).label, "verb": verb}
        )
    return report.status


def timeliness_of(due_on: datetime.date, submitted_at: datetime.datetime) -> str:
    """On time when filed (Asia/Shanghai date) by the due date, late after it (R-3.4)."""
    return Timeliness.ON_TIME if timezone.localdate(submitted_at) <= due_on else Timeliness.LATE


@transaction.atomic
def monthly_report_submit(*, actor: AbstractBaseUser, report: MonthlyReport) -> MonthlyReport:
    """Officer: draft or returned → submitted. Timeliness is fixed by the first submission (R-3.4)."""
    report = _locked(report.pk)
    from_status = _transition(report, {ReportStatus.DRAFT, ReportStatus.RETURNED}, _("报送"))
    filled = set(report.values.values_list("indicator__code", flat=True))
    missing = Indicator.objects.filter(active=True).exclude(code__in=filled)
    if missing:
        raise ValidationError(
            {i.code: [_("请填写「%(field)s」（没有发生请填0）。") % {"field": i.name}] for i in missing}
        )
    now = timezone.now()
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now
    report.submitted_by = actor
    if report.timeliness is None:
        report.timeliness = timeliness_of(report.due_on, now)
    report.save()
    event = _event(report, actor, ReportEvent.Action.SUBMIT, from_status)
    _tell(
        report,
        event,
        users_with_unit_perm(report.town.unit, unit_perms.APPROVE),
        "report_submitted",
        _("%(report)s 月报已报送，请审核") % {"report": report},
    )
    return report


@transaction.atomic
def monthly_report_approve(*, actor: AbstractBaseUser, report: MonthlyReport) -> MonthlyReport:
    """District leader: submitted → district_approved."""
    report = _locked(report.pk)
    from_status = _transition(report, {ReportStatus.SUBMITTED}, _("审核通过"))
    report.status = ReportStatus.DISTRICT_APPROVED
    report.approved_at = timezone.now()
    report.approved_by = actor
    report.save()
    event = _event(report, actor, ReportEvent.Action.APPROVE, from_status)
    _tell(
        report,
        event,
        users_with_unit_perm(report.town.unit, unit_perms.ACCEPT),
        "report_approved",
        _("%(report)s 月报已通过区级审核，请验收") % {"report": report},
    )
    return report


@transaction.atomic
def monthly_report_accept(*, actor: AbstractBaseUser, report: MonthlyReport) -> MonthlyReport:
    """Office (综合政策组): district_approved → accepted; the report is locked from then on."""
    report = _locked(report.pk)
    from_status = _transition(report, {ReportStatus.DISTRICT_APPROVED}, _("验收"))
    report.status = ReportStatus.ACCEPTED
    report.accepted_at = timezone.now()
    report.accepted_by = actor
    report.save()
    event = _event(report, actor, ReportEvent.Action.ACCEPT, from_status)
    _tell(report, event, _filers(report), "report_accepted", _("%(report)s 月报已验收") % {"report": report})
    return report


@transaction.atomic
def monthly_report_return(*, actor: AbstractBaseUser, report: MonthlyReport, reason: str) -> MonthlyReport:
    """Either reviewer: submitted or district_approved → returned, with a reason the filer reads."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("退回时必须填写退回原因。")]})
    report = _locked(report.pk)
    from_status = _transition(report, {ReportStatus.SUBMITTED, ReportStatus.DISTRICT_APPROVED}, _("退回"))
    report.status = ReportStatus.RETURNED
    report.return_reason = reason
    report.save()
    event = _event(report, actor, ReportEvent.Action.RETURN, from_status, reason=reason)
    _tell(
        report,
        event,
        _filers(report),
        "report_returned",
        _("%(report)s 月报被退回") % {"report": report},
        body=_("退回原因：%(reason)s") % {"reason": reason},
    )
    return report


PROJECT_FIELDS = (
    "name",
    "category",
    "content",
    "total_investment",
    "annual_investment",
    "status",
    "planned_start",
    "planned_finish",
    "actual_start",
    "actual_finish",
    "land_mu",
)


@transaction.atomic
def project_create(*, actor: AbstractBaseUser | None, town: Town, code: str, **fields) -> Project:
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": [_("请填写项目编号。")]})
    if Project.objects.filter(town=town, code=code).exists():
        raise ValidationError({"code": [_("本小镇已有编号为 %(code)s 的项目。") % {"code": code}]})
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError({name: [_("未知字段。")] for name in unknown})
    project = Project(town=town, code=code, **fields)
    project.full_clean()
    project.save()
    return project


@transaction.atomic
def project_update(*, actor: AbstractBaseUser | None, project: Project, **fields) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError({name: [_("未知字段。")] for name in unknown})
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    project.save()
    return project
