"""What a month's deadlines mean for its reports (R-3.4): on time, late, missing (漏报), and the entry lock.

The one place that says when a town-month is missing and when its entry is locked. The inbox, the gaps
page, the timeliness rates (in Python and in SQL), the nightly record of missing reports, the entry lock
of the services and the lag check all ask here; the dates themselves come from the working-day calendar
(tianjin_towns.lib.dates: report_due_date, report_close_date).

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

from django.utils import timezone

from tianjin_towns.lib import dates

from .models import EntryException, Timeliness


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
