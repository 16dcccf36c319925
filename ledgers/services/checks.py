"""Departmental cross-checks of the accepted figures (数据核对, issue 18).

The office assigns each indicator to the member unit holding its authoritative source, with a tolerance
(indicator_sources_set). After a month is accepted, that unit's liaison records its own figure for each town
(figure_checks_record, all or nothing): within the tolerance the figure agrees (一致); beyond it, or marked
不一致, a discrepancy opens for the district, which explains it (figure_check_explain, or asks the office to
reopen the report through the existing correction flow); the office closes it (figure_check_close).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import permissions as unit_perms
from coordination.models import MemberUnit, Town
from coordination.selectors import users_with_unit_perm
from coordination.services.common import notify_about
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from ..models import FigureCheck, Indicator, IndicatorSource, MonthlyReport, ReportStatus, ReportValue
from .common import _number, audited

Status = FigureCheck.Status


@audited
@transaction.atomic
def indicator_sources_set(*, actor: AbstractBaseUser | None, assignments: dict) -> int:
    """Assign indicators to the member units that check them: {indicator: (member unit or None, tolerance
    or None for the default)}; None unassigns. Returns how many assignments changed."""
    changed = 0
    current = {source.indicator_id: source for source in IndicatorSource.objects.select_for_update()}
    for indicator, (member_unit, tolerance) in assignments.items():
        source = current.get(indicator.pk)
        if member_unit is None:
            if source is not None:
                source.delete()
                changed += 1
            continue
        if not member_unit.active and (source is None or source.member_unit_id != member_unit.pk):
            raise ValidationError({"member_unit": _("%(unit)s已停用，不能承担数据核对。") % {"unit": member_unit.name}})
        tolerance = IndicatorSource._meta.get_field("tolerance").default if tolerance is None else tolerance
        if not Decimal(0) <= Decimal(tolerance) <= Decimal(100):
            raise ValidationError({"tolerance": _("允许偏差应在0%%到100%%之间。")})
        if source is None:
            IndicatorSource.objects.create(indicator=indicator, member_unit=member_unit, tolerance=tolerance)
            changed += 1
        elif (source.member_unit_id, source.tolerance) != (member_unit.pk, Decimal(tolerance)):
            source.member_unit, source.tolerance = member_unit, tolerance
            source.save()
            changed += 1
    return changed


@dataclass(frozen=True)
class CheckEntry:
    """What a liaison enters for one town: its own figure (a Decimal or the text typed, or None) and its mark
    (True 一致, False 不一致, None for no mark); a town with neither is left unchecked."""

    value: Decimal | str | None = None
    agrees: bool | None = None


def _status(accepted: Decimal, entry: CheckEntry, tolerance: Decimal) -> str:
    if entry.value is None:
        return Status.AGREED  # marked 一致 without a figure of its own
    if accepted:
        beyond = abs(entry.value - accepted) / abs(accepted) * 100 > tolerance
    else:
        beyond = entry.value != 0
    return Status.OPEN if beyond or entry.agrees is False else Status.AGREED


@audited
@transaction.atomic
def figure_checks_record(
    *,
    actor: AbstractBaseUser | None,
    member_unit: MemberUnit,
    indicator: Indicator,
    period,
    entries: dict[int, CheckEntry],
) -> dict[str, int]:
    """Record `member_unit`'s checks of `indicator` for `period`, town id → CheckEntry, all or nothing.
    Returns the count by status of the checks recorded. Discrepancies opened are sent to the districts."""
    source = IndicatorSource.objects.filter(indicator=indicator, member_unit=member_unit).first()
    if source is None:
        raise ValidationError(
            _("“%(indicator)s”不由%(unit)s核对。") % {"indicator": indicator.name, "unit": member_unit.name}
        )
    period = dates.month_start(period)
    entries = {
        town_id: CheckEntry(None if entry.value in (None, "") else entry.value, entry.agrees)
        for town_id, entry in entries.items()
    }
    entries = {
        town_id: entry for town_id, entry in entries.items() if entry.value is not None or entry.agrees is not None
    }
    reports = {
        report.town_id: report
        for report in MonthlyReport.objects.select_for_update(of=("self",))
        .filter(town_id__in=list(entries), period=period)
        .select_related("town__unit")
    }
    accepted = dict(
        ReportValue.objects.filter(report__in=list(reports.values()), indicator=indicator).values_list(
            "report_id", "value"
        )
    )
    existing = {
        check.report_id: check
        for check in FigureCheck.objects.filter(report__in=list(reports.values()), indicator=indicator)
    }
    errors, opened, counts = [], [], {}
    now = timezone.now()
    for town_id, entry in entries.items():
        report = reports.get(town_id)
        if report is None or report.status != ReportStatus.ACCEPTED or report.pk not in accepted:
            name = (
                report.town.name
                if report
                else Town.objects.filter(pk=town_id).values_list("unit__name", flat=True).first()
            )
            errors.append(_("%(town)s：该月月报尚未验收，暂不能核对。") % {"town": name or town_id})
            continue
        if entry.value is not None:
            try:
                entry = CheckEntry(
                    _number(entry.value, report.town.name + _("的核对数"), indicator.decimal_places), entry.agrees
                )
            except ValidationError as error:
                errors.extend(error.messages)
                continue
        if entry.agrees is False and entry.value is None:
            errors.append(_("%(town)s：标记为不一致时，请填写本单位掌握的数。") % {"town": report.town.name})
            continue
        check = existing.get(report.pk)
        if check is not None and check.status in (Status.ANSWERED, Status.CLOSED):
            errors.append(_("%(town)s：差异已由区说明，不能再修改核对结果。") % {"town": report.town.name})
            continue
        status = _status(accepted[report.pk], entry, source.tolerance)
        check = check or FigureCheck(report=report, indicator=indicator, member_unit=member_unit)
        was_open = check.pk is not None and check.status == Status.OPEN
        check.accepted_value, check.tolerance, check.status = accepted[report.pk], source.tolerance, status
        check.source_value = entry.value if entry.value is not None else accepted[report.pk]
        check.checked_at, check.checked_by = now, actor
        check.save()
        counts[status] = counts.get(status, 0) + 1
        if status == Status.OPEN and not was_open:
            opened.append(check)
    if errors:
        raise ValidationError(errors)
    for check in opened:
        _tell_district(check)
    return counts


def _tell_district(check: FigureCheck) -> None:
    town = check.report.town
    recipients = [
        *users_with_unit_perm(town.unit, unit_perms.FILL),
        *users_with_unit_perm(town.unit, unit_perms.APPROVE),
    ]
    subject = _("数据核对发现差异：%(town)s %(month)s %(indicator)s") % {
        "town": town.name,
        "month": dates.format_period(check.report.period),
        "indicator": check.indicator.name,
    }
    body = _("%(unit)s核对的数为%(source)s，已验收数为%(accepted)s，请说明原因或申请更正。") % {
        "unit": check.member_unit.name,
        "source": check.source_value,
        "accepted": check.accepted_value,
    }
    notify_about(
        check,
        "discrepancy-detail",
        recipients=recipients,
        kind="figure_check_open",
        subject=subject,
        body=body,
        occasion=f"figure_check_open:{check.pk}:{check.checked_at:%Y%m%d%H%M%S}",
    )


@audited
@transaction.atomic
def figure_check_explain(*, actor: AbstractBaseUser | None, check: FigureCheck, explanation: str) -> FigureCheck:
    """The district explains a discrepancy (有差异 → 区已说明); the office is told."""
    check = FigureCheck.objects.select_for_update().select_related("report__town__unit", "indicator").get(pk=check.pk)
    explanation = (explanation or "").strip()
    if not explanation:
        raise ValidationError({"explanation": _("请说明差异的原因。")})
    if check.status != Status.OPEN:
        raise ConflictError(_("该核对结果当前为“%(status)s”，不需要说明。") % {"status": check.get_status_display()})
    check.explanation, check.status = explanation, Status.ANSWERED
    check.answered_at, check.answered_by = timezone.now(), actor
    check.save()
    office = users_with_unit_perm(check.report.town.unit, unit_perms.ACCEPT)
    notify_about(
        check,
        "discrepancy-detail",
        recipients=office,
        kind="figure_check_answered",
        subject=_("区已说明数据差异：%(town)s %(indicator)s")
        % {
            "town": check.report.town.name,
            "indicator": check.indicator.name,
        },
        body=explanation[:500],
        occasion=f"figure_check_answered:{check.pk}:{check.answered_at:%Y%m%d%H%M%S}",
    )
    return check


@audited
@transaction.atomic
def figure_check_close(*, actor: AbstractBaseUser | None, check: FigureCheck, note: str = "") -> FigureCheck:
    """The office closes a discrepancy (→ 已说明): after the district's explanation, or with its own note
    (e.g. once the report has been corrected through a reopen request)."""
    check = FigureCheck.objects.select_for_update().get(pk=check.pk)
    note = (note or "").strip()
    if check.status not in (Status.OPEN, Status.ANSWERED):
        raise ConflictError(_("该核对结果当前为“%(status)s”，不能关闭。") % {"status": check.get_status_display()})
    if check.status == Status.OPEN and not note:
        raise ValidationError({"note": _("区尚未说明，关闭时请写明理由。")})
    check.closing_note, check.status = note, Status.CLOSED
    check.closed_at, check.closed_by = timezone.now(), actor
    check.save()
    return check
