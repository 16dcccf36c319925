"""What a month's deadlines mean for its reports (R-3.4): expected, on time, late, missing (漏报), and the
entry lock.

The one place that says which town-months expect a report, when one is missing and when its entry is
locked. The inbox and its badge, the gaps page, the ledger, the timeliness rates (in Python and in SQL),
the nightly record of missing reports, the entry lock of the services, the Excel import and the lag check
all ask here; the dates themselves come from the working-day calendar (tianjin_towns.lib.dates:
report_due_date, report_close_date).

- Expected: a town reports every month from its `reporting_from` month up to the month before the one it
  exits in (Town.expects_report states it on the row; expects_report_q and expects_report_sql are the
  same rule as a queryset filter and as SQL).

- Due date: the configured day of the next month (REPORT_DUE_DAY), moved to the next working day.
  Filed (first submission, Asia/Shanghai date) on or before it: on time; after it: late.
- Close day: REPORT_CLOSE_DAY of the next month, moved likewise. A report not filed by then is missing,
  from the next day on, whether or not the nightly run (monthly_reports_mark_missing) has recorded it
  yet: the run only writes the fact down. A report filed after the close day (under an exception) is
  missing too: it was not received by the close day.
- Entry lock: from the day after the close day, a month never filed cannot be opened, saved, given
  evidence or submitted, unless the office granted the town an exception for that month (EntryException).

Deadlines follow the current rule, they are not frozen when a report is opened: the due date and the
close day of a month are the same for every town and always computed from today's settings and
calendar (an administrator entering next year's holidays late moves them for every town alike). A
report's `due_on` column records the due date its timeliness was judged against, written when the
timeliness is recorded (first submission, or the missing record) and never changed after; until then
`MonthlyReport.deadline` (what the pages and the API show) is the rule's date.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from coordination.models import Town
from tianjin_towns.lib import dates

from .models import EntryException, Timeliness


def expects_report(town: Town, period: datetime.date) -> bool:
    """Whether `town` owes a report for `period` (the first day of a month): from its reporting_from month
    on, and before the month it exits in."""
    return town.expects_report(period)


def expects_report_q(period: datetime.date, *, town: str = "") -> Q:
    """expects_report as a filter: on towns, or on rows reaching their town through `town` ("town__")."""
    exits_later = Q(**{f"{town}exited_on__isnull": True}) | Q(**{f"{town}exited_on__gte": dates.add_months(period, 1)})
    return Q(**{f"{town}reporting_from__lte": period}) & exits_later


def expects_report_sql(town: str, period: str) -> str:
    """expects_report as a SQL condition over a town row aliased `town` and a month expression `period`."""
    return (
        f"({town}.reporting_from <= {period}"
        f" AND ({town}.exited_on IS NULL OR {period} < date_trunc('month', {town}.exited_on)::date))"
    )


def close_day() -> int:
    """The configured day of the following month on which a month's reports close (REPORT_CLOSE_DAY),
    before the calendar moves it to a working day."""
    return settings.REPORT_CLOSE_DAY


def due_date(period: datetime.date) -> datetime.date:
    """The last day on which the report of `period` is on time."""
    return dates.report_due_date(period)


def close_date(period: datetime.date) -> datetime.date:
    """The last day on which the report of `period` is received at all (late); missing after it."""
    return dates.report_close_date(period)


def missing_from(period: datetime.date) -> datetime.date:
    """The first day on which a report of `period` not filed yet is missing and its entry locked."""
    return close_date(period) + datetime.timedelta(days=1)


def is_closed(period: datetime.date, today: datetime.date | None = None) -> bool:
    """Whether the close day of `period` has passed on `today`."""
    return close_date(period) < (today or dates.today())


def timeliness_on(period: datetime.date, filed_on: datetime.date) -> str:
    """The timeliness of a report of `period` first filed on `filed_on`."""
    if filed_on <= due_date(period):
        return Timeliness.ON_TIME
    if filed_on <= close_date(period):
        return Timeliness.LATE
    return Timeliness.MISSING


def timeliness_at(period: datetime.date, submitted_at: datetime.datetime) -> str:
    """As timeliness_on, for a submission time (its date in Asia/Shanghai)."""
    return timeliness_on(period, timezone.localdate(submitted_at))


def is_missing(
    period: datetime.date,
    *,
    timeliness: str | None,
    submitted_at: datetime.datetime | None,
    today: datetime.date | None = None,
) -> bool:
    """Whether the town-month counts missing on `today`: recorded so, or never filed and its close day passed.

    For a town-month without a report row, pass timeliness=None and submitted_at=None.
    """
    return timeliness == Timeliness.MISSING or (submitted_at is None and is_closed(period, today))


def is_overdue(
    period: datetime.date, *, submitted_at: datetime.datetime | None, today: datetime.date | None = None
) -> bool:
    """Whether the report of `period` is not filed yet and its due date has passed on `today` (逾期未报; it is
    missing besides once the close day has passed too)."""
    return submitted_at is None and due_date(period) < (today or dates.today())


def missing_sql(report: str, closed: str) -> tuple[str, list]:
    """is_missing as a SQL condition over a (LEFT JOINed) report row aliased `report`, where the expression
    `closed` tells whether the month's close day has passed (closed_flags gives it per month). With its params."""
    return f"({report}.timeliness = %s OR ({report}.submitted_at IS NULL AND {closed}))", [Timeliness.MISSING]


def closed_flags(periods: list[datetime.date], today: datetime.date | None = None) -> list[bool]:
    """is_closed per month, for a query that takes them as an array beside the months."""
    today = today or dates.today()
    return [is_closed(period, today) for period in periods]


def active_exception(town_id: int, period: datetime.date, today: datetime.date | None = None):
    """The office's exception that currently lets the town enter the (locked) month, or None."""
    return (
        EntryException.objects.filter(
            town_id=town_id, period=period, revoked_at__isnull=True, expires_on__gte=today or dates.today()
        )
        .order_by("-expires_on")
        .first()
    )


def excepted_town_ids(town_ids, period: datetime.date, today: datetime.date | None = None) -> set[int]:
    """The towns among `town_ids` that hold an active exception for `period` (one query)."""
    return set(
        EntryException.objects.filter(
            town__in=town_ids, period=period, revoked_at__isnull=True, expires_on__gte=today or dates.today()
        ).values_list("town_id", flat=True)
    )


def entry_locked(
    town_id: int,
    period: datetime.date,
    *,
    submitted_at: datetime.datetime | None,
    today: datetime.date | None = None,
    excepted: bool | None = None,
) -> bool:
    """Whether entry for the town-month is locked on `today` (R-3.4): never filed, its close day passed, and
    no active exception. `excepted` may say whether an exception is active (known already); else it is read."""
    if submitted_at is not None or not is_closed(period, today):
        return False
    if excepted is None:
        excepted = active_exception(town_id, period, today) is not None
    return not excepted
