"""Timeliness of the reports (R-3.4): each town's months as on time, late or missing (the assessments'
scoring, issue 7), and the counts and rates per month summed up the hierarchy in one query (the dashboards
and GET /api/v1/timeliness/, issue 8). What expected, late and missing mean is ledgers.deadlines'.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from coordination.models import Town
from tianjin_towns.lib import dates

from .. import deadlines, tally
from ..models import MonthlyReport, Timeliness, TimelinessTally


@dataclass
class MonthTimeliness:
    period: datetime.date
    report_id: int | None
    timeliness: str | None  # on_time, late, missing; None while the month is still open (not counted)


def report_timeliness_by_town(
    towns: QuerySet[Town], *, start: datetime.date, end: datetime.date, today: datetime.date | None = None
) -> dict[int, list[MonthTimeliness]]:
    """Each expected month from `start` to `end` per town with the report's timeliness (R-3.4); two queries.

    A month the town was not expected to report (before joining, after exit) is absent. A report never
    submitted counts as missing once the month's close day has passed.
    """
    today = today or dates.today()
    town_list = list(towns.only("unit_id", "reporting_from", "exited_on"))
    months = []
    period = dates.month_start(start)
    while period <= end:
        months.append(period)
        period = dates.add_months(period, 1)
    reports = {
        (town_id, period): (pk, timeliness, submitted_at)
        for pk, town_id, period, timeliness, submitted_at in MonthlyReport.objects.filter(
            town__in=[t.pk for t in town_list], period__gte=dates.month_start(start), period__lte=end
        ).values_list("pk", "town_id", "period", "timeliness", "submitted_at")
    }
    result: dict[int, list[MonthTimeliness]] = {}
    for town in town_list:
        entries = []
        for month in months:
            if not deadlines.expects_report(town, month):
                continue
            pk, timeliness, submitted_at = reports.get((town.pk, month), (None, None, None))
            if deadlines.is_missing(month, timeliness=timeliness, submitted_at=submitted_at, today=today):
                timeliness = Timeliness.MISSING
            entries.append(MonthTimeliness(period=month, report_id=pk, timeliness=timeliness))
        result[town.pk] = entries
    return result


# --- Timeliness rates up the hierarchy (issue 8): the dashboards and GET /api/v1/timeliness/ ---------


# One town-month of TownMonths.states: the character of each state TimelinessCount.state names.
STATE_CHARS = {"o": Timeliness.ON_TIME, "l": Timeliness.LATE, "m": Timeliness.MISSING, "p": "pending"}
NOT_EXPECTED = "-"
_CHAR_OF = {state: char for char, state in STATE_CHARS.items()}


@dataclass(slots=True)
class TimelinessCount:
    """Expected reports of one org unit and month and how they arrived. `received` = on time + late;
    `pending` = expected reports whose close day has not passed yet and that have not arrived."""

    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0

    @property
    def received(self) -> int:
        return self.on_time + self.late

    @property
    def pending(self) -> int:
        return self.expected - self.received - self.missing

    @property
    def received_rate(self) -> float | None:
        return round(self.received * 100 / self.expected, 1) if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time * 100 / self.expected, 1) if self.expected else None

    @property
    def state(self) -> str:
        """One town-month as a heatmap cell: not_expected, on_time, late, missing or pending."""
        if not self.expected:
            return "not_expected"
        if self.on_time:
            return Timeliness.ON_TIME
        if self.late:
            return Timeliness.LATE
        return Timeliness.MISSING if self.missing else "pending"

    @classmethod
    def of_states(cls, states: str) -> "TimelinessCount":
        """The count of one town's months written as TownMonths.states (a character a month)."""
        return cls(
            len(states) - states.count(NOT_EXPECTED),
            states.count(_CHAR_OF[Timeliness.ON_TIME]),
            states.count(_CHAR_OF[Timeliness.LATE]),
            states.count(_CHAR_OF[Timeliness.MISSING]),
        )

    def __add__(self, other: "TimelinessCount") -> "TimelinessCount":
        return TimelinessCount(
            self.expected + other.expected,
            self.on_time + other.on_time,
            self.late + other.late,
            self.missing + other.missing,
        )

    def as_dict(self) -> dict:
        return {
            "expected": self.expected,
            "received": self.received,
            "on_time": self.on_time,
            "late": self.late,
            "missing": self.missing,
            "pending": self.pending,
            "received_rate": self.received_rate,
            "on_time_rate": self.on_time_rate,
        }


@dataclass
class TimelinessTable:
    """Counts per month of `year` (ended months only) for the towns, their districts and all of them together."""

    year: int
    months: list[datetime.date]
    towns: dict[int, dict[datetime.date, TimelinessCount]] = field(default_factory=dict)
    districts: dict[int, dict[datetime.date, TimelinessCount]] = field(default_factory=dict)
    total: dict[datetime.date, TimelinessCount] = field(default_factory=dict)

    @staticmethod
    def year_sum(by_month: dict[datetime.date, TimelinessCount]) -> TimelinessCount:
        """The months added up: field by field into one count, not a new count per month (a district's
        dashboard sums a hundred towns' years)."""
        expected = on_time = late = missing = 0
        for count in by_month.values():
            expected += count.expected
            on_time += count.on_time
            late += count.late
            missing += count.missing
        return TimelinessCount(expected, on_time, late, missing)


@dataclass(slots=True)
class TownMonths:
    """The ended months of `year` and, per town, its state in each as one character (STATE_CHARS, NOT_EXPECTED)
    in the order of the months: a district's heatmap of a hundred towns is a hundred strings of a dozen
    characters, read in one row per town, rather than a thousand counts of one report each."""

    year: int
    months: list[datetime.date]
    states: dict[int, str] = field(default_factory=dict)

    def of(self, town_id: int) -> str:
        """The town's states; a town unknown here is expected in none of the months."""
        return self.states.get(town_id) or NOT_EXPECTED * len(self.months)

    def totals(self) -> dict[datetime.date, TimelinessCount]:
        """The towns' counts per month, as timeliness_table's `total` gives them (a month no town is expected to
        report is left out)."""
        total = {}
        for period, column in zip(self.months, zip(*self.states.values(), strict=False), strict=False):
            count = TimelinessCount.of_states("".join(column))
            if count.expected:
                total[period] = count
        return total


def town_months(
    *, year: int, today: datetime.date | None = None, district_id: int | None = None, town_id: int | None = None
) -> TownMonths:
    """The towns of a district (or the one town, when `town_id` is given) with their state in each ended month of
    `year` (TownMonths), in one query of a row per town: timeliness_table's rules (deadlines.expects_report_sql,
    deadlines.missing_sql) per town-month, each town's reports of the year read by one range of the (town, period)
    index."""
    today = today or dates.today()
    months = [m for m in dates.months_of_year(year) if dates.period_has_ended(m, today)]
    result = TownMonths(year=year, months=months)
    if not months:
        return result
    missing, missing_params = deadlines.missing_sql("r", "m.closed")
    # OFFSET 0 keeps the town's reports one index range rather than a lookup per month.
    sql = f"""
        SELECT t.unit_id, (
            SELECT string_agg(CASE WHEN NOT {deadlines.expects_report_sql("t", "m.period")} THEN '{NOT_EXPECTED}'
                                   WHEN r.timeliness = %s THEN '{_CHAR_OF[Timeliness.ON_TIME]}'
                                   WHEN r.timeliness = %s THEN '{_CHAR_OF[Timeliness.LATE]}'
                                   WHEN {missing} THEN '{_CHAR_OF[Timeliness.MISSING]}'
                                   ELSE '{_CHAR_OF["pending"]}' END, '' ORDER BY m.period)
            FROM unnest(%s::date[], %s::boolean[]) AS m(period, closed)
            LEFT JOIN (
                SELECT period, timeliness, submitted_at FROM {MonthlyReport._meta.db_table}
                WHERE town_id = t.unit_id AND period BETWEEN %s AND %s OFFSET 0
            ) r ON r.period = m.period
        )
        FROM {Town._meta.db_table} t WHERE {"t.unit_id" if town_id is not None else "t.district_id"} = %s
    """
    params = [Timeliness.ON_TIME, Timeliness.LATE, *missing_params, months, deadlines.closed_flags(months, today)]
    params += [months[0], months[-1], town_id if town_id is not None else district_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        result.states = dict(cursor.fetchall())
    return result


def timeliness_table(
    towns: QuerySet[Town], *, year: int, today: datetime.date | None = None, by_town: bool = True
) -> TimelinessTable:
    """Timeliness of the towns' reports per month of `year`, summed up to districts and the whole scope
    in the database (one query whatever the number of towns and reports).

    A month counts once it has ended, for the towns expected to report it (deadlines.expects_report_sql).
    Missing is ledgers.deadlines' rule in SQL (deadlines.missing_sql): recorded so, or never submitted
    and the close day passed, recorded yet or not; before the close day it is pending. Rates add up
    because every level counts the same town-months.
    """
    today = today or dates.today()
    months = [m for m in dates.months_of_year(year) if dates.period_has_ended(m, today)]
    table = TimelinessTable(year=year, months=months)
    if not months:
        return table
    closed = deadlines.closed_flags(months, today)
    missing, missing_params = deadlines.missing_sql("r", "m.closed")
    try:
        scope_sql, scope_params = towns.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a scope known to be empty (no grant) has no SQL: nothing is expected of it
        return table
    if not by_town:
        if not towns.query.where:  # every town (the city's): no list of them to test each town against
            return _by_district(table, months, closed, Town._meta.db_table, ())
        town_rows = f"(SELECT * FROM {Town._meta.db_table} WHERE unit_id IN ({scope_sql}))"
        return _by_district(table, months, closed, town_rows, scope_params)
    sets = "(m.period), (t.district_id, m.period)" + (", (t.district_id, t.unit_id, m.period)" if by_town else "")
    town_column = "t.unit_id" if by_town else "NULL::bigint"
    sql = f"""
        SELECT t.district_id, {town_column}, m.period, GROUPING(t.district_id),
               COUNT(*),
               COUNT(*) FILTER (WHERE r.timeliness = %s),
               COUNT(*) FILTER (WHERE r.timeliness = %s),
               COUNT(*) FILTER (WHERE {missing})
        FROM unnest(%s::date[], %s::boolean[]) AS m(period, closed)
        JOIN {Town._meta.db_table} t ON {deadlines.expects_report_sql("t", "m.period")}
        LEFT JOIN (
            SELECT town_id, period, timeliness, submitted_at FROM {MonthlyReport._meta.db_table}
            WHERE period BETWEEN %s AND %s  -- only the year's reports, not ten years of them
        ) r ON r.town_id = t.unit_id AND r.period = m.period
        WHERE t.unit_id IN ({scope_sql})
        GROUP BY GROUPING SETS ({sets})
    """
    params = [Timeliness.ON_TIME, Timeliness.LATE, *missing_params, months, closed, months[0], months[-1]]
    params += scope_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for district_id, town_id, period, grouping, expected, on_time, late, missing in cursor.fetchall():
            count = TimelinessCount(expected, on_time, late, missing)
            if grouping:
                table.total[period] = count
            elif town_id is None:
                table.districts.setdefault(district_id, {})[period] = count
            else:
                table.towns.setdefault(town_id, {})[period] = count
    return table


def _by_district(table: TimelinessTable, months, closed, towns: str, scope_params) -> TimelinessTable:
    """timeliness_table without the towns' rows (the city's dashboard): the expected town-months and the
    reports are counted per district and month apart, then put together, which spares joining every
    expected town-month to its report. Missing is deadlines.missing_sql's rule counted: recorded missing,
    plus, once the close day has passed, the expected town-months neither submitted nor recorded missing
    (a test holds this equal to the towns' rows summed). `towns` is the towns' table or a subquery of it.

    For every town (`towns` the table itself) the reports' counts are read from the tally the database keeps per
    district and month (ledgers/tally.py) rather than counted from the year's reports."""
    if towns == Town._meta.db_table:  # every town: the tally holds their counts
        counts = ", ".join(tally.COUNTS)
        filed = (
            f"SELECT district_id, period, {counts} FROM {TimelinessTally._meta.db_table} WHERE period BETWEEN %s AND %s"
        )
    else:  # counted as the tally counts (only the months a town is expected to report), for these towns alone
        where = "r.period BETWEEN %s AND %s"
        filed = tally.counts_sql(tally.reports_sql(MonthlyReport._meta.db_table, towns=towns, where=where))
    sql = f"""
        WITH m AS (SELECT * FROM unnest(%s::date[], %s::boolean[]) AS m(period, closed)),
        expected AS (  -- towns alike in district, first month and exit counted once, then spread over the months
            SELECT t.district_id, m.period, SUM(t.towns) AS expected
            FROM m JOIN (
                SELECT district_id, reporting_from, exited_on, COUNT(*) AS towns FROM {towns} t
                GROUP BY district_id, reporting_from, exited_on
            ) t ON {deadlines.expects_report_sql("t", "m.period")}
            GROUP BY t.district_id, m.period
        ), filed AS ({filed})
        SELECT e.district_id, e.period, e.expected, COALESCE(f.on_time, 0), COALESCE(f.late, 0),
               COALESCE(f.recorded_missing, 0) + CASE WHEN m.closed
                   THEN e.expected - COALESCE(f.submitted, 0) - COALESCE(f.recorded_missing, 0) ELSE 0 END
        FROM expected e JOIN m ON m.period = e.period
        LEFT JOIN filed f ON f.district_id = e.district_id AND f.period = e.period
    """
    params = [months, closed, *scope_params, *scope_params]  # the towns in `expected`, then in `filed`
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, months[0], months[-1]])
        for district_id, period, expected, on_time, late, missing in cursor.fetchall():
            count = TimelinessCount(expected, on_time, late, missing)
            table.districts.setdefault(district_id, {})[period] = count
            table.total[period] = table.total.get(period, TimelinessCount()) + count
    return table
