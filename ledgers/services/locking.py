"""Locking (R-3.4): the entry lock of a month never filed by its close day, the nightly record of missing
reports (漏报), and the office's exceptions that open a locked month again. What the dates mean is
ledgers.deadlines'; these are the writes and the refusals built on it.
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import permissions as unit_perms
from coordination.models import Town
from coordination.selectors import users_with_unit_perm
from coordination.services import notify
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from .. import deadlines
from ..models import EntryException, MonthlyReport, ReportEvent, Timeliness
from .common import _audit_reason, _event, audited


def entry_locked(report: MonthlyReport) -> bool:
    """Entry is locked for a report never filed by its month's close day (漏报), whether or not the nightly
    run has recorded it yet, unless the office made an exception (ledgers.deadlines.entry_locked)."""
    return deadlines.entry_locked(report.town_id, report.period, submitted_at=report.submitted_at)


def _locked_message(what: str, period: datetime.date) -> str:
    return _(
        "%(report)s 月报在关闭日（%(close)s）前未报送，计为漏报，填报已锁定。如需补报，请联系市特镇办开通补报例外。"
    ) % {"report": what, "close": dates.chinese_date(deadlines.close_date(period))}


def _ensure_open_for_entry(report: MonthlyReport) -> None:
    if entry_locked(report):
        raise ConflictError(_locked_message(str(report), report.period))


MISSING_LOOKBACK_MONTHS = 24
EXCEPTION_MAX_DAYS = 90


@transaction.atomic
@audited
def monthly_reports_mark_missing(*, today: datetime.date | None = None, actor: AbstractBaseUser | None = None) -> int:
    """Record 漏报 on every expected report not received by its close day (R-3.4).

    Only a record: the month is missing, and its entry locked, from the day after the close day whether
    or not this has run (ledgers.deadlines). Safe to run every day (beat): a report already recorded,
    or received, is left alone. A town that never opened the month gets the report row (an empty,
    locked draft) so that the fact is stored; a town not expected to report that month (before
    joining, after exit) gets nothing.
    """
    today = today or dates.today()
    last = dates.last_ended_period(today)
    periods = [
        period
        for period in (dates.add_months(last, -offset) for offset in range(MISSING_LOOKBACK_MONTHS))
        if deadlines.is_closed(period, today)
    ]
    if not periods:
        return 0
    reports = {
        (report.town_id, report.period): report
        for report in MonthlyReport.objects.select_for_update().filter(period__in=periods)
    }
    marked = 0
    for town in Town.objects.select_related("unit").order_by("pk"):
        for period in periods:
            if deadlines.expects_report(town, period):
                marked += _record_missing(town, period, reports.get((town.pk, period)), actor=actor, today=today)
    return marked


def _record_missing(town: Town, period: datetime.date, report: MonthlyReport | None, *, actor, today) -> bool:
    """Record one expected town-month as missing unless it is recorded already or was received in time;
    whether it was recorded now."""
    reason = _("截止日前未报送")
    if report is None:
        report = MonthlyReport.objects.create(
            town=town, period=period, due_on=deadlines.due_date(period), timeliness=Timeliness.MISSING
        )
        _event(report, actor, ReportEvent.Action.MARK_MISSING, "", reason=reason)
        return True
    if report.timeliness is None and deadlines.is_missing(
        period, timeliness=None, submitted_at=report.submitted_at, today=today
    ):
        report.timeliness = Timeliness.MISSING
        report.due_on = deadlines.due_date(period)
        report.save(update_fields=["timeliness", "due_on", "updated_at"])
        _event(report, actor, ReportEvent.Action.MARK_MISSING, report.status, reason=reason)
        return True
    return False


@transaction.atomic
@audited
def entry_exception_grant(
    *, actor: AbstractBaseUser, town: Town, period: datetime.date, reason: str, expires_on: datetime.date
) -> EntryException:
    """Office: let one town enter one locked month until `expires_on`, for a stated reason (R-3.4)."""
    period = dates.month_start(period)
    reason = (reason or "").strip()
    today = dates.today()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("开通补报例外必须填写原因。")]
    if not deadlines.expects_report(town, period):
        errors["period"] = [_("该小镇在 %(period)s 不需要报送月报。") % {"period": dates.format_period(period)}]
    elif not deadlines.is_closed(period, today):
        errors["period"] = [
            _("%(period)s 的月报关闭日（%(close)s）还没过，填报没有锁定，不需要开通例外。")
            % {"period": dates.format_period(period), "close": dates.chinese_date(deadlines.close_date(period))}
        ]
    if expires_on < today:
        errors["expires_on"] = [_("有效期不能早于今天。")]
    elif expires_on > today + datetime.timedelta(days=EXCEPTION_MAX_DAYS):
        errors["expires_on"] = [_("有效期最长 %(days)s 天。") % {"days": EXCEPTION_MAX_DAYS}]
    if errors:
        raise ValidationError(errors)
    active = deadlines.active_exception(town.pk, period)
    if active is not None:
        raise ConflictError(
            _("%(town)s %(period)s 已有有效的补报例外（至 %(date)s）。")
            % {"town": town, "period": dates.format_period(period), "date": active.expires_on.isoformat()}
        )
    report = MonthlyReport.objects.select_for_update().filter(town=town, period=period).first()
    if report is not None and report.submitted_at is not None:
        raise ConflictError(_("%(report)s 月报已经报送过，不需要开通例外。") % {"report": report})
    _audit_reason(reason)
    exception = EntryException.objects.create(
        town=town, period=period, reason=reason[:2000], expires_on=expires_on, granted_by=actor
    )
    if report is not None:
        _event(report, actor, ReportEvent.Action.EXCEPTION, report.status, reason=reason)
    notify(
        recipients=users_with_unit_perm(town.unit, unit_perms.FILL),
        kind="entry_exception",
        subject=_("市特镇办已为 %(town)s %(period)s 开通补报例外，有效期至 %(date)s")
        % {"town": town, "period": dates.format_period(period), "date": expires_on.isoformat()},
        body=_("原因：%(reason)s") % {"reason": reason},
        link=reverse("report-detail", args=[report.pk]) if report else reverse("home"),
        about=exception,
        occasion=f"entry_exception:{exception.pk}",
    )
    return exception


@transaction.atomic
@audited
def entry_exception_revoke(*, actor: AbstractBaseUser, exception: EntryException) -> EntryException:
    exception = EntryException.objects.select_for_update().get(pk=exception.pk)
    if exception.revoked_at is not None:
        raise ConflictError(_("该补报例外已经撤销。"))
    exception.revoked_at = timezone.now()
    exception.revoked_by = actor
    exception.save(update_fields=["revoked_at", "revoked_by"])
    return exception
