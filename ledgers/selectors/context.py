"""The context of each figure on a report's review page (issue 19): the town's accepted figures of the month
before and of the same month a year before, and the change against each where it means something.

Only accepted figures are compared with (AcceptedFigures, kept by ledgers.summaries): a neighbouring month
still in its workflow may yet change. What a change means follows the indicator's kind (Indicator.Kind):

- a flow (流量, e.g. investment, tax) is reported as the month's own amount, so this month against last month
  (环比) and against the same month last year (同比) are both changes of a monthly amount, in %;
- a stock (存量, e.g. employment) is the level at the month's end: both changes are changes of a level, in %;
- a stock kept as a running total (keeps_cumulative: it only grows, 累计数) is compared with last month by what
  the month added to it, not in % (a percentage of a total that keeps growing says less every month); against
  last year in %.

One query for the whole page, however many indicators.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

from tianjin_towns.lib import dates

from ..models import AcceptedFigures, Indicator, MonthlyReport

HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Change:
    """A change in %, signed, to one decimal."""

    percent: Decimal

    @property
    def up(self) -> bool:
        return self.percent > 0

    @property
    def down(self) -> bool:
        return self.percent < 0

    @property
    def size(self) -> Decimal:
        return abs(self.percent)


@dataclass(frozen=True)
class FigureContext:
    """One figure of the report beside the town's accepted figures of the months it is compared with."""

    last_month: Decimal | None  # accepted figure of the month before; None when there is none
    last_year: Decimal | None  # accepted figure of the same month a year before
    vs_last_month: Change | None  # None when not meaningful (a running total) or nothing to compare with
    vs_last_year: Change | None
    added: Decimal | None  # a running total: what this month added to last month's total
    running_total: bool  # the indicator is a running total (compared with last month by `added`)


def change(value: Decimal | None, base: Decimal | None) -> Change | None:
    """`value` against `base` in %; None when either is missing, or from zero to more (no meaningful %)."""
    if value is None or base is None:
        return None
    if base == 0:
        return Change(Decimal(0)) if value == 0 else None
    return Change(((value - base) / base * HUNDRED).quantize(TENTH, rounding=ROUND_HALF_UP))


def _accepted_figures(town_id: int, periods: list[datetime.date]) -> dict[datetime.date, list[int | None]]:
    """The town's accepted figures of `periods`, by month: a plain statement (the report page and its reloads)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT period, figures FROM {AcceptedFigures._meta.db_table} WHERE town_id = %s AND period = ANY(%s)",
            [town_id, list(periods)],
        )
        return dict(cursor.fetchall())


def _figure(figures: list[int | None] | None, indicator: Indicator) -> Decimal | None:
    """An indicator's value in an AcceptedFigures row: figures[i] holds indicator id i + 1, in cents."""
    if figures is None or indicator.pk > len(figures):
        return None
    cents = figures[indicator.pk - 1]
    return None if cents is None else Decimal(cents) / HUNDRED


def figure_context(
    report: MonthlyReport, indicators: list[Indicator], values: dict[str, Decimal]
) -> dict[str, FigureContext]:
    """indicator code → the context of the report's figure (`values`: code → this month's figure)."""
    last_month, last_year = dates.add_months(report.period, -1), dates.add_months(report.period, -12)
    accepted = _accepted_figures(report.town_id, [last_month, last_year])
    result = {}
    for indicator in indicators:
        value = values.get(indicator.code)
        before = _figure(accepted.get(last_month), indicator)
        year_before = _figure(accepted.get(last_year), indicator)
        running = indicator.kind == Indicator.Kind.STOCK and indicator.keeps_cumulative
        result[indicator.code] = FigureContext(
            last_month=before,
            last_year=year_before,
            vs_last_month=None if running else change(value, before),
            vs_last_year=change(value, year_before),
            added=value - before if running and value is not None and before is not None else None,
            running_total=running,
        )
    return result
