"""Months, periods, deadlines and the working-day calendar. Every due-date computation goes through here, and
every date written in Chinese (chinese_date).

The Chinese working-day calendar (R-3.4): the State Council announces each year's public holidays
(法定节假日) and the weekend days worked in exchange (调休上班) late in the year before. The
`chinese-calendar` package carries the years announced when it was released; an administrator
enters the days of any other year (coordination.CalendarDay, in the admin), and those entries win
over the package. A year known to neither falls back to Monday–Friday: a warning is logged here,
and the daily calendar check (coordination.tasks) tells the administrators, once per year.

This module sits below the apps and imports none of them: the coordination app hands in its reader of
the administrator's entries when it starts (`register_calendar`, in CoordinationConfig.ready).
"""

import datetime
import functools
import logging
import re
import time
from collections.abc import Callable

import chinese_calendar
from chinese_calendar.constants import holidays as _OFFICIAL_HOLIDAYS
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


def month_start(value: datetime.date) -> datetime.date:
    return value.replace(day=1)


def add_months(period: datetime.date, months: int) -> datetime.date:
    index = period.year * 12 + period.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def parse_period(text: str) -> datetime.date:
    """'2026-03' → date(2026, 3, 1); ValueError on anything else."""
    match = PERIOD_RE.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(text)
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


def format_period(period: datetime.date) -> str:
    return f"{period:%Y-%m}"


def today() -> datetime.date:
    return timezone.localdate()


def chinese_date(day: datetime.date) -> str:
    """2026年12月6日: the one way a date is written in Chinese, on pages, in documents and messages, never with
    leading zeros (templates write the same with the date filter's "Y年n月j日")."""
    return f"{day.year}年{day.month}月{day.day}日"


def period_has_ended(period: datetime.date, on: datetime.date | None = None) -> bool:
    return add_months(period, 1) <= (on or today())


def last_ended_period(on: datetime.date | None = None) -> datetime.date:
    return add_months(month_start(on or today()), -1)


def months_of_year(year: int) -> list[datetime.date]:
    return [datetime.date(year, month, 1) for month in range(1, 13)]


# --- Working days ---------------------------------------------------------------------------------

OFFICIAL_YEARS = range(min(_OFFICIAL_HOLIDAYS).year, max(_OFFICIAL_HOLIDAYS).year + 1)
# Entries are read once per year and process for this long: the web, the worker and beat each see an
# administrator's change within a minute, and a list page does not query the calendar per row.
CALENDAR_CACHE_SECONDS = 60
_entries: dict[int, tuple[float, dict[datetime.date, bool]]] = {}
_fallback_logged: set[int] = set()

# year → the administrator's entries of that year (date → whether it is a working day).
CalendarReader = Callable[[int], dict[datetime.date, bool]]
_reader: CalendarReader | None = None


def register_calendar(reader: CalendarReader) -> None:
    """Where the administrator's entries come from: the coordination app registers its CalendarDay table."""
    global _reader
    _reader = reader
    clear_calendar_cache()


def calendar_entries(year: int) -> dict[datetime.date, bool]:
    """The administrator's entries for `year`: date → whether it is a working day."""
    cached = _entries.get(year)
    if cached is not None and time.monotonic() - cached[0] < CALENDAR_CACHE_SECONDS:
        return cached[1]
    if _reader is None:
        raise RuntimeError("no working-day calendar registered: the coordination app registers it when it starts")
    days = _reader(year)
    _entries[year] = (time.monotonic(), days)
    return days


def clear_calendar_cache() -> None:
    """Forget the entries read so far, and which years' fallback was logged (after an administrator's change,
    and between tests: a test that looks for the warning must not depend on which tests ran before it)."""
    _entries.clear()
    _fallback_logged.clear()


def calendar_source(year: int) -> str:
    """Where the working days of `year` come from: "admin", "official" (chinese-calendar) or "weekends"."""
    if calendar_entries(year):
        return "admin"
    if year in OFFICIAL_YEARS:
        return "official"
    return "weekends"


def is_working_day(day: datetime.date) -> bool:
    """Whether offices work on `day`: the administrator's entry, else the State Council's calendar,
    else (a year nobody has entered) Monday to Friday."""
    entries = calendar_entries(day.year)
    if day in entries:
        return entries[day]
    if day.year in OFFICIAL_YEARS:
        return _official_working_day(day)
    if not entries and day.year not in _fallback_logged:
        _fallback_logged.add(day.year)
        logger.warning("no holiday calendar for %s: counting Monday to Friday as working days", day.year)
    return day.weekday() < 5


@functools.cache
def _official_working_day(day: datetime.date) -> bool:
    """The State Council's calendar (chinese-calendar, fixed in the package), remembered per day: its is_workday
    checks the day against the range of every holiday it knows on each call, and a dashboard asks for the due
    and close days of every month of the year."""
    return chinese_calendar.is_workday(day)


def is_make_up_working_day(day: datetime.date) -> bool:
    """A Saturday or Sunday worked in exchange for a holiday (调休上班)."""
    return day.weekday() >= 5 and is_working_day(day)


def next_working_day(day: datetime.date) -> datetime.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The working day `count` working days after `day` (before it when negative)."""
    step = datetime.timedelta(days=1 if count >= 0 else -1)
    for _index in range(abs(count)):
        day += step
        while not is_working_day(day):
            day += step
    return day


def first_working_day_of_month(month: datetime.date) -> datetime.date:
    return next_working_day(month_start(month))


def _day_of_next_month(period: datetime.date, day: int) -> datetime.date:
    following = add_months(period, 1)
    last = (add_months(following, 1) - datetime.timedelta(days=1)).day
    return following.replace(day=min(day, last))


def report_due_date(period: datetime.date) -> datetime.date:
    """The last day on which the report for `period` counts as on time (R-3.4): the configured day of
    the next month, moved to the next working day when it falls on a weekend or a public holiday.

    Computed from today's settings and calendar, never frozen per report: what the due date and the close
    day mean for a report (late, missing, the entry lock) is ledgers.deadlines' business."""
    return next_working_day(_day_of_next_month(period, settings.REPORT_DUE_DAY))


def report_close_date(period: datetime.date) -> datetime.date:
    """After this day a report that never arrived is missing (漏报); moved like the due date."""
    return next_working_day(_day_of_next_month(period, settings.REPORT_CLOSE_DAY))
