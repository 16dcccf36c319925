"""The statistics ledger (统计台账): one indicator's town × month matrix of accepted figures, and the
year-to-date accepted figures the assessments score (issue 7)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet

from coordination.models import OrgUnit, Town
from tianjin_towns.lib import dates

from .. import deadlines
from ..models import AcceptedFigures, CheckState, Indicator, MonthlyReport, ReportStatus, ReportValue
from .checks import ledger_check_states


@dataclass(slots=True)  # 1,200 of them on a district's page
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


def sum_present(values) -> Decimal | None:
    """The sum of the figures given, None when there is none (an empty cell, not a zero)."""
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def _year_total(indicator: Indicator, values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    if indicator.kind == Indicator.Kind.STOCK:
        return present[-1]  # a stock is read at its latest month
    return sum(present, Decimal(0))


def _cents(value: int | None) -> Decimal | None:
    """A figure of ledgers.summaries (cents) as the Decimal the form took (2 places: 8800 → 88.00)."""
    return None if value is None else Decimal(value).scaleb(-2)


def _waiting_statuses() -> list[str]:
    """The statuses of a report not (yet) accepted."""
    return [status for status in ReportStatus.values if status != ReportStatus.ACCEPTED]


def _reports_of_year(
    town_ids: list[int], year: int, indicator: Indicator
) -> dict[tuple[int, datetime.date], tuple[str, Decimal | None]]:
    """{(town id, month): (report status, accepted figure of the indicator or None)} for `year`, in one query: the
    accepted reports from the summary of accepted figures (ledgers.summaries: its row exists exactly while the
    report is accepted; its (town, period) index holds the figures), the others through the reports' (period,
    status) index, where they are a few hundred. Neither joins every ReportValue row, nor starts a parallel plan."""
    if not town_ids:
        return {}
    months = dates.months_of_year(year)
    sql = f"""
        SELECT town_id, period, %s, figures[{int(indicator.pk)}] FROM {AcceptedFigures._meta.db_table}
        WHERE town_id = ANY(%s) AND period BETWEEN %s AND %s
        UNION ALL
        SELECT town_id, period, status, NULL FROM {MonthlyReport._meta.db_table}
        WHERE town_id = ANY(%s) AND period = ANY(%s) AND status = ANY(%s)
    """
    params = [ReportStatus.ACCEPTED, town_ids, months[0], months[-1], town_ids, months, _waiting_statuses()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(town_id, period): (status, _cents(cents)) for town_id, period, status, cents in cursor.fetchall()}


def ledger_for_indicator(towns: QuerySet[Town], *, year: int, indicator: Indicator) -> Ledger:
    months = dates.months_of_year(year)
    town_list = list(towns.select_related("unit", "district").order_by("district__order", "unit__order", "unit__code"))
    town_ids = [t.pk for t in town_list]
    reports = _reports_of_year(town_ids, year, indicator)
    checks = ledger_check_states(town_ids, year=year, indicator=indicator)
    # Once per month, not once per cell: a province's ledger has 24,000 cells.
    today = dates.today()
    ended = [dates.period_has_ended(m, today) for m in months]
    applies = [indicator.applies_in(m) for m in months]
    no_report = (None, None)
    rows = []
    for town in town_list:
        cells = []
        for m, has_ended, applied in zip(months, ended, applies, strict=True):
            status, value = reports.get((town.pk, m), no_report)
            check = None
            if checks is not None and value is not None:
                check = checks.get((town.pk, m), CheckState.UNCHECKED)
            cells.append(
                LedgerCell(
                    status=status,
                    expected=has_ended and deadlines.expects_report(town, m),
                    value=value if applied else None,
                    applies=applied,
                    check=check,
                )
            )
        rows.append(LedgerRow(town=town, cells=cells, total=_year_total(indicator, [c.value for c in cells])))
    month_totals = [sum_present(row.cells[index].value for row in rows) for index in range(12)]
    total = sum_present(row.total for row in rows)
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


# --- A province's ledger, by district (issue 21) --------------------------------------------------------------


@dataclass
class LedgerDistrict:
    """One district's line of the ledger summed over its towns: month totals, year total, gaps, as the full
    table's district subtotal and legend count them."""

    district: OrgUnit
    towns: int
    month_totals: list[Decimal | None]
    total: Decimal | None
    missing: int
    pending: int


@dataclass
class LedgerSummary:
    year: int
    indicator: Indicator
    months: list[datetime.date]
    districts: list[LedgerDistrict]
    month_totals: list[Decimal | None]
    total: Decimal | None
    towns: int

    @property
    def gaps(self) -> dict[str, int]:
        return {"missing": sum(d.missing for d in self.districts), "pending": sum(d.pending for d in self.districts)}


def _district_figures(
    town_ids: list[int], months: list[datetime.date], ended: list[datetime.date], indicator: Indicator
) -> tuple[dict[tuple[int, datetime.date], Decimal], dict[int, Decimal], dict[int, int]]:
    """({(district id, month): accepted total}, {district id: year total}, {district id: accepted reports owed in
    the `ended` months}) from the summary of accepted figures (ledgers.summaries: one row per accepted report, the
    values in cents): flows summed over the year, stocks at each town's latest accepted month. One query over its
    period index (two for a stock); the months as a range as well, which the index scans, not the towns' ids."""
    if not town_ids or not months:
        return {}, {}, {}
    figure = f"f.figures[{int(indicator.pk)}]"
    scope = (
        f"FROM {AcceptedFigures._meta.db_table} f JOIN {Town._meta.db_table} t ON t.unit_id = f.town_id "
        "WHERE f.period BETWEEN %s AND %s AND f.period = ANY(%s) AND t.unit_id = ANY(%s)"
    )
    params = [min(months), max(months), months, town_ids]
    owed = deadlines.expects_report_sql("t", "f.period")
    by_month: dict[tuple[int, datetime.date], Decimal] = {}
    accepted: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.district_id, f.period, SUM({figure}), count(*) FILTER (WHERE {owed}) {scope} GROUP BY 1, 2",
            params,
        )
        for district, period, cents, owed_count in cursor.fetchall():
            if cents is not None:
                by_month[(district, period)] = _cents(cents)
            if period in ended:
                accepted[district] = accepted.get(district, 0) + owed_count
        if indicator.kind != Indicator.Kind.STOCK:
            year_totals: dict[int, Decimal] = {}
            for (district, _period), value in by_month.items():
                year_totals[district] = year_totals.get(district, Decimal(0)) + value
            return by_month, year_totals, accepted
        cursor.execute(
            f"SELECT district_id, SUM(cents) FROM (SELECT DISTINCT ON (f.town_id) t.district_id, {figure} AS cents "
            f"{scope} AND {figure} IS NOT NULL ORDER BY f.town_id, f.period DESC) latest GROUP BY 1",
            params,
        )
        return by_month, {district: _cents(cents) for district, cents in cursor.fetchall()}, accepted


def _gap_counts(
    town_ids: list[int], months: list[datetime.date], accepted: dict[int, int]
) -> dict[int, tuple[int, int]]:
    """{district id: (missing, pending)} over the town-months that owe a report (deadlines.expects_report) among
    `months`, given the accepted reports among them: no report at all, or one not yet accepted. One query, counted
    in the database: the town-months owed, and the reports not accepted (a few hundred, through the reports'
    (period, status) index); missing is what is owed less those and the accepted ones."""
    if not town_ids or not months:
        return {}
    sql = f"""
        SELECT t.district_id, count(*), 0
        FROM {Town._meta.db_table} t JOIN unnest(%s::date[]) AS m(period) ON {deadlines.expects_report_sql("t", "m.period")}
        WHERE t.unit_id = ANY(%s)
        GROUP BY 1
        UNION ALL
        SELECT t.district_id, 0, count(*)
        FROM {MonthlyReport._meta.db_table} r JOIN {Town._meta.db_table} t ON t.unit_id = r.town_id
        WHERE r.period = ANY(%s) AND r.status = ANY(%s) AND {deadlines.expects_report_sql("t", "r.period")}
            AND t.unit_id = ANY(%s)
        GROUP BY 1
    """
    owed: dict[int, int] = {}
    pending: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [months, town_ids, months, _waiting_statuses(), town_ids])
        for district, owed_count, pending_count in cursor.fetchall():
            owed[district] = owed.get(district, 0) + owed_count
            pending[district] = pending.get(district, 0) + pending_count
    return {
        district: (count - accepted.get(district, 0) - pending.get(district, 0), pending.get(district, 0))
        for district, count in owed.items()
    }


def ledger_by_district(towns: QuerySet[Town], *, year: int, indicator: Indicator) -> LedgerSummary:
    """The ledger of many towns as one line per district, summed in the database (a province's 2,000 towns do not
    make a page; the towns of one district do, and the export has them all). Equal to the full ledger's district
    subtotals, grand totals and gap counts for the same towns."""
    months = dates.months_of_year(year)
    today = dates.today()
    applied = [m for m in months if indicator.applies_in(m)]
    town_rows = list(towns.order_by().values_list("pk", "district_id"))
    town_ids = [pk for pk, _district in town_rows]
    districts = {
        d.pk: d
        for d in OrgUnit.objects.filter(pk__in={district for _pk, district in town_rows}).order_by("order", "code")
    }
    ended = [m for m in applied if dates.period_has_ended(m, today)]
    by_month, year_totals, accepted = _district_figures(town_ids, applied, ended, indicator)
    gaps = _gap_counts(town_ids, ended, accepted)
    counts: dict[int, int] = {}
    for _pk, district in town_rows:
        counts[district] = counts.get(district, 0) + 1
    lines = [
        LedgerDistrict(
            district=district,
            towns=counts[district.pk],
            month_totals=[by_month.get((district.pk, m)) for m in months],
            total=year_totals.get(district.pk),
            missing=gaps.get(district.pk, (0, 0))[0],
            pending=gaps.get(district.pk, (0, 0))[1],
        )
        for district in districts.values()
    ]
    month_totals = [sum_present(line.month_totals[index] for line in lines) for index in range(len(months))]
    return LedgerSummary(
        year=year,
        indicator=indicator,
        months=months,
        districts=lines,
        month_totals=month_totals,
        total=sum_present(line.total for line in lines),
        towns=len(town_ids),
    )
