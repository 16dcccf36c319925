"""Monthly report reminders (R-6.1, R-3.4): who still owes a report, told on working days, once each.

For the report of month P (the windows come from tianjin_towns.lib.dates):
- opened: from the first working day of month P+1 until the due date, officers are told which of their
  towns must report (one notification per officer and month);
- due soon: REPORT_DUE_SOON_WORKING_DAYS working days before the due date (never on the opening day,
  whose notice already names the due date), officers whose towns have not submitted;
- late: on the first working day after the due date, officers, district leaders and the office
  (统计验收) about the towns that have not submitted;
- missing: after the close date the reports are marked missing (漏报) by the ledgers service and the
  same people are told.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from coordination import permissions as unit_perms
from coordination.models import Town
from coordination.reminders import (
    day_label,
    is_officer,
    items_by_recipient,
    period_label,
    send_digests,
    unit_perm_holders,
)
from tianjin_towns.lib import dates

from . import deadlines, services
from .models import MonthlyReport


@dataclass(frozen=True)
class ReportWindow:
    """The days that matter for the report of one month."""

    period: datetime.date
    opens_on: datetime.date
    due_on: datetime.date
    closes_on: datetime.date

    @classmethod
    def of(cls, period: datetime.date) -> "ReportWindow":
        return cls(
            period=period,
            opens_on=dates.first_working_day_of_month(dates.add_months(period, 1)),
            due_on=deadlines.due_date(period),
            closes_on=deadlines.close_date(period),
        )

    @property
    def missing_notice_until(self) -> datetime.date:
        """The missing notice is due from the day after closing to the end of that month (a week at least),
        so that a worker that was down catches up, but old months are not queried for ever."""
        month_end = dates.add_months(self.period, 2) - datetime.timedelta(days=1)
        return max(month_end, self.closes_on + datetime.timedelta(days=7))

    @property
    def due_soon_on(self) -> datetime.date:
        """The first day of the due-soon reminder: a few working days before the due date, after opening."""
        before_due = dates.add_working_days(self.due_on, -settings.REPORT_DUE_SOON_WORKING_DAYS)
        return max(before_due, dates.add_working_days(self.opens_on, 1))


def report_windows(today: datetime.date) -> list[ReportWindow]:
    """The months whose reminders may fall on `today`: the last ended month and the one before it."""
    latest = dates.last_ended_period(today)
    return [ReportWindow.of(dates.add_months(latest, -1)), ReportWindow.of(latest)]


def outstanding_towns(period: datetime.date, by: datetime.date) -> list[Town]:
    """Towns that owe the report of `period` and had not submitted it by the end of day `by`."""
    towns = Town.objects.select_related("unit", "district").order_by("district__order", "unit__order", "unit__code")
    received = set(
        MonthlyReport.objects.filter(period=period, submitted_at__date__lte=by).values_list("town_id", flat=True)
    )
    return [town for town in towns if town.expects_report(period) and town.pk not in received]


def _recipients(towns: list[Town], *perms: str):
    holders = [unit_perm_holders([town.pk for town in towns], perm) for perm in perms]
    return lambda town: [user for by_unit in holders for user in by_unit.get(town.pk, [])]


def _town_line(town: Town) -> str:
    return f"{town.district.name} {town.name}"


def _link_for(period: datetime.date):
    """Officers go to their inbox (待我处理, where the 填报 buttons are), reviewers to the month's list."""
    month_list = f"{reverse('report-list')}?month={dates.format_period(period)}"

    def link(user) -> str:
        return reverse("home") if is_officer(user) else month_list

    return link


def _tell(window: ReportWindow, towns: list[Town], *, kind: str, perms: tuple[str, ...], subject: str, intro: str):
    """One digest per recipient about `towns`. `subject` and `intro` may name %(period)s, %(due)s, %(close)s
    (with the year: %(due_full)s, %(close_full)s); the subject also %(count)s, the recipient's towns."""
    words = {
        "period": period_label(window.period),
        "due": day_label(window.due_on),
        "due_full": day_label(window.due_on, with_year=True),
        "close": day_label(window.closes_on),
        "close_full": day_label(window.closes_on, with_year=True),
    }
    return send_digests(
        items_by_recipient(towns, _recipients(towns, *perms)),
        kind=kind,
        occasion=f"{kind.replace('_', '-')}:{dates.format_period(window.period)}",
        subject=lambda items: subject % {**words, "count": len(items)},
        intro=intro % words,
        line=_town_line,
        link=_link_for(window.period),
    )


OFFICERS = (unit_perms.FILL,)
OFFICERS_LEADERS_OFFICE = (unit_perms.FILL, unit_perms.APPROVE, unit_perms.ACCEPT)
# kind → who is told (the holders of these permissions on the towns), the digest's subject and its intro
# (what they may name: `_tell`).
REMINDERS = {
    "report_opened": (
        OFFICERS,
        _lazy("请报送%(period)s月报，截止%(due)s"),
        _lazy("%(period)s月报已开始填报，截止日期为%(due_full)s。以下小镇需要报送："),
    ),
    "report_due_soon": (
        OFFICERS,
        _lazy("%(period)s月报即将截止（%(due)s），%(count)s个小镇尚未报送"),
        _lazy("%(period)s月报将于%(due_full)s截止，以下小镇尚未报送："),
    ),
    "report_late": (
        OFFICERS_LEADERS_OFFICE,
        _lazy("%(period)s月报已过截止日期，%(count)s个小镇尚未报送"),
        _lazy(
            "%(period)s月报截止日期为%(due_full)s，以下小镇至今未报送，报送后计为迟报；%(close)s后仍未报送的计为漏报："
        ),
    ),
    "report_missing": (
        OFFICERS_LEADERS_OFFICE,
        _lazy("%(period)s月报漏报：%(count)s个小镇未在关闭日前报送"),
        _lazy("%(period)s月报已于%(close_full)s关闭填报，以下小镇未报送，计为漏报；补报需市特镇办同意："),
    ),
}


def _remind(today: datetime.date, kind: str, when, owing_by=None) -> int:
    """The `kind` reminders (REMINDERS) of every window of `today` for which `when(window)` holds, about the towns
    that still owe its report at the end of `today` (or of `owing_by(window)`)."""
    perms, subject, intro = REMINDERS[kind]
    return sum(
        _tell(
            window,
            outstanding_towns(window.period, owing_by(window) if owing_by else today),
            kind=kind,
            perms=perms,
            subject=subject,
            intro=intro,
        )
        for window in report_windows(today)
        if when(window)
    )


@transaction.atomic
def report_reminders_due(*, today: datetime.date) -> int:
    """Month opened and due soon, to the officers of towns that have not submitted. Returns notifications created."""
    if not dates.is_working_day(today):
        return 0
    opened = _remind(today, "report_opened", lambda window: window.opens_on <= today <= window.due_on)
    return opened + _remind(today, "report_due_soon", lambda window: window.due_soon_on <= today <= window.due_on)


@transaction.atomic
def report_reminders_late(*, today: datetime.date) -> int:
    """After the due date: officers, district leaders and the office learn which towns have not submitted
    (those who filed after the due date are late, not owing)."""
    if not dates.is_working_day(today):
        return 0
    return _remind(today, "report_late", lambda window: window.due_on < today <= window.closes_on)


@transaction.atomic
def reports_close_missing(*, today: datetime.date) -> int:
    """After the close date: mark the reports that never came missing (漏报, the ledgers service does it
    every day), then, on a working day, tell officers, district leaders and the office once."""
    services.monthly_reports_mark_missing(today=today)
    if not dates.is_working_day(today):
        return 0
    return _remind(
        today,
        "report_missing",
        lambda window: window.closes_on < today <= window.missing_notice_until,
        owing_by=lambda window: window.closes_on,
    )


# --- Departmental cross-checks (数据核对, issue 18) ----------------------------------------------------------

CHECK_REMINDER_DAYS = 10  # a unit still owing checks this many days after a month's acceptance is reminded
CHECK_LOOKBACK_MONTHS = 3  # the months a reminder looks at


def check_reminders(*, today: datetime.date) -> int:
    """Remind, once per unit, indicator and month, the liaisons of each member unit that still has figures to
    check CHECK_REMINDER_DAYS days after they were accepted; returns how many notifications went out."""
    from .models import FigureCheck, IndicatorSource, ReportStatus

    accepted_by = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=CHECK_REMINDER_DAYS), datetime.time.max)
    )
    periods = [dates.add_months(dates.last_ended_period(today), -back) for back in range(CHECK_LOOKBACK_MONTHS)]
    sent = 0
    for source in IndicatorSource.objects.select_related("indicator", "member_unit").filter(member_unit__active=True):
        checked = FigureCheck.objects.filter(member_unit=source.member_unit, indicator=source.indicator)
        owed = (
            MonthlyReport.objects.filter(status=ReportStatus.ACCEPTED, period__in=periods, accepted_at__lte=accepted_by)
            .exclude(pk__in=checked.values("report_id"))
            .values_list("period", flat=True)
        )
        by_period: dict[datetime.date, int] = {}
        for period in owed:
            by_period[period] = by_period.get(period, 0) + 1
        liaisons = list(source.member_unit.liaisons.filter(role="liaison", user__is_active=True).select_related("user"))
        for period, count in sorted(by_period.items()):
            grouped = {profile.user: [(period, count)] for profile in liaisons}
            sent += send_digests(
                grouped,
                kind="figure_checks_due",
                occasion=f"figure_checks_due:{source.member_unit_id}:{source.indicator_id}:{period:%Y-%m}",
                subject=lambda items, source=source: (
                    _("数据核对提醒：%(indicator)s %(month)s尚有未核对的小镇")
                    % {"indicator": source.indicator.name, "month": period_label(items[0][0])}
                ),
                intro=str(
                    _("以下月份的已验收数据验收已满%(days)s天，请对照本单位数据完成核对：")
                    % {"days": CHECK_REMINDER_DAYS}
                ),
                line=lambda item, source=source: (
                    _("%(month)s %(indicator)s：%(n)s 个小镇未核对")
                    % {"month": period_label(item[0]), "indicator": source.indicator.name, "n": item[1]}
                ),
                link=f"{reverse('figure-checks')}?period={period:%Y-%m}&indicator={source.indicator.code}",
            )
    return sent
