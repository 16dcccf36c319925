"""The statistics ledger (统计台账): one indicator's town × month matrix of accepted figures, and the
year-to-date accepted figures the assessments score (issue 7)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from coordination.models import Town
from tianjin_towns.lib import dates

from .. import deadlines
from ..models import CheckState, Indicator, MonthlyReport, ReportStatus, ReportValue
from .checks import ledger_check_states


@dataclass
class LedgerCell:
    status: str | None  # report status, or None when no report exists
    expected: bool
    value: Decimal | None  # accepted figure only
    applies: bool = True  # the indicator applies in this month (its active_from/active_to, R-1.7)
    check: str | None = None  # CheckState of an accepted figure whose indicator a member unit checks (issue 18)

    @property
    def gap(self) -> str | None:
        """Why the cell has no accepted figure: 'missing' (no report), 'pending' (not yet accepted), None."""
        if not self.applies or not self.expected or self.status == ReportStatus.ACCEPTED:
            return None
        return "missing" if self.status is None else "pending"


@dataclass
class LedgerRow:
    town: Town
    cells: list[LedgerCell]
    total: Decimal | None


@dataclass
class Ledger:
    """One indicator's town × month matrix for a year, with totals; only accepted figures count."""

    year: int
    indicator: Indicator
    months: list[datetime.date]
    rows: list[LedgerRow]
    month_totals: list[Decimal | None]
    total: Decimal | None


def _year_total(indicator: Indicator, values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    if indicator.kind == Indicator.Kind.STOCK:
        return present[-1]  # a stock is read at its latest month
    return sum(present, Decimal(0))


def ledger_for_indicator(towns: QuerySet[Town], *, year: int, indicator: Indicator) -> Ledger:
    months = dates.months_of_year(year)
    town_list = list(towns.select_related("unit", "district").order_by("district__order", "unit__order", "unit__code"))
    statuses = {
        (town_id, period): status
        for town_id, period, status in MonthlyReport.objects.filter(
            town__in=[t.pk for t in town_list], period__year=year
        ).values_list("town_id", "period", "status")
    }
    values = {
        (town_id, period): value
        for town_id, period, value in ReportValue.objects.filter(
            report__town__in=[t.pk for t in town_list],
            report__period__year=year,
            report__status=ReportStatus.ACCEPTED,
            indicator=indicator,
        ).values_list("report__town_id", "report__period", "value")
    }
    checks = ledger_check_states([t.pk for t in town_list], year=year, indicator=indicator)
    rows = []
    for town in town_list:
        cells = [
            LedgerCell(
                status=statuses.get((town.pk, m)),
                expected=deadlines.expects_report(town, m) and dates.period_has_ended(m),
                value=values.get((town.pk, m)) if indicator.applies_in(m) else None,
                applies=indicator.applies_in(m),
                check=checks.get((town.pk, m), CheckState.UNCHECKED)
                if checks is not None and (town.pk, m) in values
                else None,
            )
            for m in months
        ]
        rows.append(LedgerRow(town=town, cells=cells, total=_year_total(indicator, [c.value for c in cells])))
    month_totals = []
    for index in range(12):
        present = [row.cells[index].value for row in rows if row.cells[index].value is not None]
        month_totals.append(sum(present, Decimal(0)) if present else None)
    town_totals = [row.total for row in rows if row.total is not None]
    total = sum(town_totals, Decimal(0)) if town_totals else None
    return Ledger(year=year, indicator=indicator, months=months, rows=rows, month_totals=month_totals, total=total)


@dataclass
class YearToDate:
    """A town's accepted figure for one indicator from January to a month: flows summed, stocks latest."""

    value: Decimal
    months: int  # accepted months that contributed
    report_ids: list[int]  # the accepted reports the figure came from (a stock: the latest only)
    periods: list[datetime.date]  # their months, in the same order
    through: datetime.date  # the latest month with an accepted figure


def accepted_year_to_date(town_ids, *, year: int, through: datetime.date) -> dict[tuple[int, str], YearToDate]:
    """{(town_id, indicator code): YearToDate} over accepted reports of `year` up to `through` (a month); one query."""
    rows = (
        ReportValue.objects.filter(
            report__town__in=list(town_ids),
            report__period__gte=datetime.date(year, 1, 1),
            report__period__lte=dates.month_start(through),
            report__status=ReportStatus.ACCEPTED,
        )
        .order_by("report__period")
        .values_list("report__town_id", "report__period", "report_id", "indicator__code", "indicator__kind", "value")
    )
    result: dict[tuple[int, str], YearToDate] = {}
    for town_id, period, report_id, code, kind, value in rows.iterator(chunk_size=5000):
        figure = result.get((town_id, code))
        if figure is None:
            result[(town_id, code)] = YearToDate(
                value=value, months=1, report_ids=[report_id], periods=[period], through=period
            )
        elif kind == Indicator.Kind.STOCK:
            figure.value, figure.report_ids, figure.periods, figure.through = value, [report_id], [period], period
            figure.months += 1
        else:
            figure.value += value
            figure.report_ids.append(report_id)
            figure.periods.append(period)
            figure.months += 1
            figure.through = period
    return result
