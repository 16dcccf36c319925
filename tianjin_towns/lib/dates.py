"""Months, periods and deadlines. Every due-date computation of the project goes through here.

The Chinese working-day calendar (holidays and make-up working days) arrives with the scheduling
issue; `report_due_date` is the one function it will change.
"""

import datetime
import re

from django.conf import settings
from django.utils import timezone

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


def period_has_ended(period: datetime.date, on: datetime.date | None = None) -> bool:
    return add_months(period, 1) <= (on or today())


def last_ended_period(on: datetime.date | None = None) -> datetime.date:
    return add_months(month_start(on or today()), -1)


def report_due_date(period: datetime.date) -> datetime.date:
    """The last day on which the report for `period` counts as on time (R-3.4)."""
    return add_months(period, 1).replace(day=settings.REPORT_DUE_DAY)


def report_close_date(period: datetime.date) -> datetime.date:
    """After this day a report that never arrived is missing (漏报)."""
    return add_months(period, 1).replace(day=settings.REPORT_CLOSE_DAY)


def months_of_year(year: int) -> list[datetime.date]:
    return [datetime.date(year, month, 1) for month in range(1, 13)]
