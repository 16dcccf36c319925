"""The leaders' dashboards (SPEC §8): the figures of the city, a district or a town for a year, through
a chosen month, read live (an accepted report shows on the next request).

The figures come from the ledgers' month rollups (MonthFigures, kept by ledgers/summaries.py in the same
transaction as acceptance and reopening): a town's, a district's and the city's accepted figures per
month and year to date, so the city's year is a few dozen rows and a town's lag reads one row per town.
Every aggregate is computed in the database, in a fixed number of queries whatever the number of towns,
reports or years: one for the year-to-date figures with targets and lag counts (per child unit and for
the scope) and the monthly trends of this year and last year, one for the children, one for timeliness
(the city's per district, ledgers.selectors.timeliness_table; a district's and a town's a row per town,
ledgers.selectors.town_months), one for the latest published assessment and its ranking (three for the
city's), two for problems, one for action items. The small reads are plain SQL (_fetch): the ORM took
longer to build them than the database to answer them. Lag and completion follow
assessments.selectors.target_completion exactly (same rounding, same margin), so
a town lagging there is lagging here (a test holds them together).

This module reads figures only (numbers, ids, names, codes): the door in permissions.py decides the
scope, the page (dashboard_views.py) builds the links and the HTML, the API (dashboard_api.py) the JSON.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from coordination.models import ActionItem, OrgUnit, Town
from coordination.models.meetings import OPEN_STATUSES
from ledgers import selectors as ledger_selectors
from ledgers.models import Indicator, MonthFigures
from tianjin_towns.lib import dates

from . import scoring
from .models import LagRollup, Run, RunResult, RunStatus, Scheme
from .permissions import (  # noqa: F401 - the door's names, also read from here
    CITY,
    DISTRICT,
    LEVELS,
    TOWN,
    Scope,
    default_scope_for_user,
    get_dashboard_scope_for_user,
)
from .selectors import DEFAULT_LAG_MARGIN  # the same margin the rollups and the lag check fall back on

# The key figures against annual targets (R-5.1, SPEC §8), in the order the cards show them.
KEY_INDICATORS = (
    "fixed_asset_investment",
    "industry_investment",
    "tax_revenue",
    "land_supplied",
    "projects_started",
    "projects_completed",
)
TOP_TOWNS = 10  # the city's town ranking shows the best and the weakest few, not two thousand rows


def _town_filter_sql(scope: Scope, column: str) -> str:
    """A WHERE condition on a town-id column, with the named parameter %(scope_id)s (see _scope_params): a
    district's towns as an array (_DISTRICT_TOWNS), which an index on the column can look up one by one."""
    if scope.level == TOWN:
        return f"{column} = %(scope_id)s"
    if scope.level == DISTRICT:
        return f"{column} = ANY({_DISTRICT_TOWNS})"
    return "TRUE"


def _scope_params(scope: Scope) -> dict:
    return {"scope_id": scope.unit.pk}


def default_month(year: int, today: datetime.date | None = None) -> int:
    """December of a past year, the last ended month of the current one (January before any has ended)."""
    last = dates.last_ended_period(today)
    if last.year > year:
        return 12
    if last.year < year:
        return 1
    return last.month


def _fetch(sql: str, params: dict) -> list[tuple]:
    """The rows of one plain statement: the figures, the trends, and the small reads a district's or a
    town's dashboard makes on every request, which the ORM took several times longer to build (about
    0.7 ms of Python for a one-row query) than the database took to answer (0.2 ms)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- Figures ------------------------------------------------------------------------------------------


def _decimal(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)


@dataclass(slots=True)
class Figure:
    """One indicator in one unit: year to date through the month, last year's same months, the target. The sums
    are kept in cents as the rollups hold them (a district's answer has a hundred towns' dozen figures); `actual`,
    `last_year`, `target` and `actual_on_target` give them in the indicator's unit."""

    actual_cents: int | None = None  # flows summed, stocks the latest month; None when nothing was accepted
    last_year_cents: int | None = None
    target_cents: int | None = None  # the sum of the towns' targets
    on_target_cents: int = 0  # the actual of the towns that have a target
    towns_with_target: int = 0
    towns_lagging: int = 0
    completion: Decimal | None = None  # percent, one decimal (target_completion's rounding)
    lagging: bool = False

    @property
    def actual(self) -> Decimal | None:
        return _decimal(self.actual_cents)

    @property
    def last_year(self) -> Decimal | None:
        return _decimal(self.last_year_cents)

    @property
    def target(self) -> Decimal | None:
        return _decimal(self.target_cents)

    @property
    def actual_on_target(self) -> Decimal:
        return _decimal(self.on_target_cents)

    @property
    def growth(self) -> Decimal | None:
        """Year-on-year change in percent."""
        if self.actual_cents is None or not self.last_year_cents:
            return None
        change = Decimal(self.actual_cents - self.last_year_cents) / Decimal(self.last_year_cents)
        return scoring.q1(change * scoring.HUNDRED)


@dataclass
class Unit:
    """A child of the scope (a district of the city, a town of a district) with its figures."""

    id: int
    name: str
    level: str
    figures: dict[str, Figure] = field(default_factory=dict)
    timeliness: ledger_selectors.TimelinessCount = field(default_factory=ledger_selectors.TimelinessCount)
    score: Decimal | None = None
    rank: int | None = None


@dataclass(frozen=True)
class RankedRun:
    """The published assessment a dashboard ranks the units by: what the page and the API show of it."""

    pk: int
    title: str
    kind: str
    year: int


@dataclass
class Dashboard:
    scope: Scope
    year: int
    month: int
    today: datetime.date
    indicators: list[Indicator]
    expected: dict[str, Decimal]  # percent of the target due by the month, per indicator code
    margin: Decimal
    figures: dict[str, Figure]
    children: list[Unit]
    trend: dict[str, dict[str, list]]  # code → {"this_year": [12], "last_year": [12]}
    accepted_reports: list[int]  # accepted reports per month of the year in the scope (the trend's coverage)
    timeliness: ledger_selectors.TimelinessTable
    # Per heatmap row (the scope's own first, unit None): a sum's counts by month, or a town's states (a string).
    timeliness_rows: list[tuple[Unit | None, dict | str]]
    run: RankedRun | None
    district_ranking: list[dict]
    town_ranking: list[dict]
    towns_ranked: int
    problems: dict | None
    action_items: dict

    @property
    def through(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def elapsed(self) -> Decimal:
        return scoring.q1(Decimal(self.month) / Decimal(12) * scoring.HUNDRED)

    @property
    def key_indicators(self) -> list[Indicator]:
        return _key_indicators(self.indicators)

    @property
    def kpis(self) -> list[tuple[Indicator, Figure, Decimal]]:
        """The key indicators with their figure and the completion due by the month."""
        return [(i, self.figures[i.code], self.expected[i.code]) for i in self.key_indicators]

    @property
    def timeliness_total(self) -> ledger_selectors.TimelinessCount:
        return self.timeliness.year_sum(self.timeliness.total)


def _key_indicators(indicators: list[Indicator]) -> list[Indicator]:
    by_code = {i.code: i for i in indicators}
    return [by_code[code] for code in KEY_INDICATORS if code in by_code]


def _expected_shares(indicators: list[Indicator], month: int) -> dict[str, Decimal]:
    return {i.code: scoring.q1(scoring.expected_share(i.kind, month) * scoring.HUNDRED) for i in indicators}


def _unit_sql(scope: Scope) -> tuple[str, str]:
    """(the scope's own month rollup rows, its children's) as conditions on `m.unit_id` (MonthFigures:
    NULL is the city's row)."""
    if scope.level == CITY:
        return "m.unit_id IS NULL", f"m.unit_id = ANY(ARRAY(SELECT DISTINCT district_id FROM {Town._meta.db_table}))"
    if scope.level == DISTRICT:
        return "m.unit_id = %(scope_id)s", _town_filter_sql(scope, "m.unit_id")
    return "m.unit_id = %(scope_id)s", "FALSE"


# A district's towns as an array, so that the rollups' (period, unit) index finds the hundred towns' rows rather
# than the statement filtering every town's.
_DISTRICT_TOWNS = f"ARRAY(SELECT unit_id FROM {Town._meta.db_table} WHERE district_id = %(scope_id)s)"


def _units_sql(scope: Scope) -> str:
    """The scope's and its children's month rollup rows, as one condition the (period, unit) index can use."""
    if scope.level == DISTRICT:
        return f"m.unit_id = ANY({_DISTRICT_TOWNS} || %(scope_id)s::bigint)"
    own, children = _unit_sql(scope)
    return f"(({own}) OR ({children}))"


def _figures_sql(scope: Scope, *, child_totals: bool = True) -> str:
    """Five kinds of rows from one statement over the month rollups (ledgers/summaries.py, MonthFigures, and
    assessments/rollups.py, LagRollup), each for a child of the scope or the scope itself (`own`): 'totals' per
    year, the year-to-date figures through the month by indicator id, in cents (a stock: the sum of each town's
    latest month); 'targets' the towns' targets, their year to date, how many have a target and how many of them
    lag; 'margin' the year's lag margin; 'trend' the scope's own months of last year and this year through the
    month (year, month, the month's sums in cents, and the reports they come from). Last year's totals are the
    scope's own only: a child shows this year's figures against its targets, not its growth; without
    `child_totals` this year's are the scope's own only too (the page draws its children's completion, not their
    totals)."""
    own, _children = _unit_sql(scope)
    units = _units_sql(scope)
    return f"""
        SELECT 'totals', m.unit_id, %(year)s, ({own})::int, m.to_date,
               NULL::bigint[], NULL::bigint[], NULL::bigint[], NULL::numeric, NULL::int, NULL::int
        FROM {MonthFigures._meta.db_table} m WHERE m.period = %(through)s AND {units if child_totals else own}
        UNION ALL
        SELECT 'totals', m.unit_id, %(year)s - 1, 1, m.to_date, NULL, NULL, NULL, NULL, NULL, NULL
        FROM {MonthFigures._meta.db_table} m WHERE m.period = %(last_through)s AND {own}
        UNION ALL
        SELECT 'targets', m.unit_id, %(year)s, ({own})::int, m.target, m.on_target, m.with_target, m.lagging,
               NULL, NULL, NULL
        FROM {LagRollup._meta.db_table} m WHERE m.period = %(through)s AND {units}
        UNION ALL
        SELECT 'margin', NULL, %(year)s, 1, NULL, NULL, NULL, NULL,
               COALESCE((SELECT lag_margin FROM {Scheme._meta.db_table} WHERE year = %(year)s), %(default_margin)s),
               NULL, NULL
        UNION ALL
        SELECT 'trend', NULL, EXTRACT(YEAR FROM m.period)::int, 1, m.sums, NULL, NULL, NULL, NULL,
               EXTRACT(MONTH FROM m.period)::int, m.reports
        FROM {MonthFigures._meta.db_table} m WHERE m.period BETWEEN %(last_start)s AND %(through)s AND {own}
    """


def _from_cents(values: list[int | None] | None, indicator_id: int) -> Decimal | None:
    """An indicator's figure from a rollup array (position = its id, in cents), back in its own unit."""
    return _decimal(values[indicator_id - 1] if values and indicator_id <= len(values) else None)


def _load_figures(
    scope: Scope,
    *,
    year: int,
    month: int,
    indicators: list[Indicator],
    expected: dict[str, Decimal],
    child_indicators: list[Indicator] | None = None,
):
    """({code: Figure} for the scope, {child_id: {code: Figure}}, the lag margin, the trend's rows: (year, month,
    sums, reports)) in one query. With `child_indicators`, the children get those indicators' targets and
    completion only (no totals)."""
    params = {
        **_scope_params(scope),
        "year": year,
        "through": datetime.date(year, month, 1),
        "last_through": datetime.date(year - 1, month, 1),
        "last_start": datetime.date(year - 1, 1, 1),
        "default_margin": DEFAULT_LAG_MARGIN,
    }
    total: dict[str, Figure] = {i.code: Figure() for i in indicators}
    child_codes = [i.code for i in (child_indicators or indicators)]
    children: dict[int, dict[str, Figure]] = defaultdict(lambda: {code: Figure() for code in child_codes})
    margin = DEFAULT_LAG_MARGIN
    # (code, array index) of each indicator: a rollup array's position is the indicator's id (from 1).
    positions = [(i.code, i.pk - 1) for i in indicators]
    child_positions = positions if child_indicators is None else [(i.code, i.pk - 1) for i in child_indicators]
    rows = _fetch(_figures_sql(scope, child_totals=child_indicators is None), params)
    trend = []
    for kind, unit_id, row_year, own, values, on_target, with_target, lagging, row_margin, month, reports in rows:
        if kind == "margin":
            margin = row_margin
            continue
        if kind == "trend":
            trend.append((row_year, month, values, reports))
            continue
        figures, wanted = (total, positions) if own else (children[unit_id], child_positions)
        size = len(values or ())
        if kind == "totals":
            if row_year == year:
                for code, index in wanted:
                    if index < size:
                        figures[code].actual_cents = values[index]
            else:
                for code, index in wanted:
                    if index < size:
                        figures[code].last_year_cents = values[index]
            continue
        for code, index in wanted:
            towns = with_target[index] if index < size else None
            if towns:
                figure = figures[code]
                figure.target_cents, figure.on_target_cents = values[index], on_target[index]
                figure.towns_with_target, figure.towns_lagging = towns, lagging[index]
    # The scope's own completion and lag, by the same rule as each town's (target_completion): the ratio of the
    # sums in cents is the ratio of the sums.
    for figures in [total, *children.values()]:
        for code, figure in figures.items():
            if figure.target_cents:
                ratio = Decimal(figure.on_target_cents) / Decimal(figure.target_cents)
                figure.completion = scoring.q1(ratio * scoring.HUNDRED)
                figure.lagging = figure.completion < expected[code] - margin
    return total, dict(children), margin, trend


def _read_trend(rows: list[tuple], *, year: int, indicators: list[Indicator]):
    """Monthly sums of accepted figures, this year through the month and all of last year, and how many
    reports each month of this year they come from, from the trend's rows of _figures_sql."""
    trend = {i.code: {"this_year": [None] * 12, "last_year": [None] * 12} for i in indicators}
    accepted = [0] * 12
    for row_year, month, totals, reports in rows:
        series = "this_year" if row_year == year else "last_year"
        if row_year == year:
            accepted[month - 1] = reports
        for indicator in indicators:
            trend[indicator.code][series][month - 1] = _from_cents(totals, indicator.pk)
    return trend, accepted


# --- Children, timeliness, ranking, problems and action items -----------------------------------------


def _children(scope: Scope) -> list[Unit]:
    if scope.level == CITY:
        units = _fetch(
            f"""SELECT u.id, u.name FROM {OrgUnit._meta.db_table} u
                WHERE u.level = %(district)s AND EXISTS (SELECT 1 FROM {Town._meta.db_table} t WHERE t.district_id = u.id)
                ORDER BY u."order", u.code""",
            {"district": OrgUnit.Level.DISTRICT.value},
        )
        return [Unit(pk, name, DISTRICT) for pk, name in units]
    if scope.level == DISTRICT:
        towns = _fetch(
            f"""SELECT u.id, u.name FROM {OrgUnit._meta.db_table} u WHERE {_town_filter_sql(scope, "u.id")}
                ORDER BY u."order", u.code""",
            _scope_params(scope),
        )
        return [Unit(pk, name, TOWN) for pk, name in towns]
    return []


def _timeliness(scope: Scope, *, year: int, today: datetime.date):
    """(the counts per month, the towns' states or None): the city's counted per district (timeliness_table
    without the towns), a district's and a town's read a row per town (town_months) and summed here."""
    if scope.level == CITY:
        return ledger_selectors.timeliness_table(scope.towns(), year=year, today=today, by_town=False), None
    towns = ledger_selectors.town_months(year=year, today=today, district_id=scope.district_id, town_id=scope.town_id)
    return ledger_selectors.TimelinessTable(year=year, months=towns.months, total=towns.totals()), towns


def _timeliness_rows(scope: Scope, table, towns, children: list[Unit]) -> list[tuple[Unit | None, dict | str]]:
    """The heatmap's rows: the districts of the city (counts by month), the towns of a district or the town
    itself (their states); the first row of the city and a district is the scope's total."""
    if scope.level == TOWN:
        return [(None, towns.of(scope.town.pk))]
    if scope.level == DISTRICT:
        rows = [(child, towns.of(child.id)) for child in children]
        for child, states in rows:
            child.timeliness = ledger_selectors.TimelinessCount.of_states(states)
        return [(None, table.total), *rows]
    for child in children:
        child.timeliness = table.year_sum(table.districts.get(child.id, {}))
    return [(None, table.total)] + [(child, table.districts.get(child.id, {})) for child in children]


# The latest published assessment of the year, else of the years before.
_LATEST_RUN_SQL = f"""
    SELECT r.id, r.title, r.kind, s.year FROM {Run._meta.db_table} r
    JOIN {Scheme._meta.db_table} s ON s.id = r.scheme_id
    WHERE r.status = %(published)s AND s.year <= %(year)s
    ORDER BY s.year DESC, r.published_at DESC, r.id DESC LIMIT 1
"""


def latest_run(year: int) -> RankedRun | None:
    """The latest published assessment of the year, else of the years before."""
    rows = _fetch(_LATEST_RUN_SQL, {"published": RunStatus.PUBLISHED.value, "year": year})
    return RankedRun(*rows[0]) if rows else None


RANKING_FIELDS = ("town_id", "town_name", "district_name", "score", "rank", "district_rank", "grade", "band")


def _ranking(scope: Scope, year: int, children: list[Unit]) -> tuple[RankedRun | None, list[dict], list[dict], int]:
    """(the latest published run, district ranking, town ranking, towns ranked in the scope) from the run's frozen
    results."""
    if scope.level != CITY:
        run, towns = _local_ranking(scope, year, children)
        return run, [], towns, len(towns)
    run = latest_run(year)
    if run is None:
        return None, [], [], 0
    return run, *_city_ranking(run, children)


def _city_ranking(run: RankedRun, children: list[Unit]) -> tuple[list[dict], list[dict], int]:
    """The districts by their towns' average score, the best and the weakest few towns, and how many
    towns the run ranked (two plain statements)."""
    names = {child.id: child for child in children}
    rows = _fetch(
        f"""SELECT t.district_id, AVG(r.score), COUNT(*), COUNT(*) FILTER (WHERE r.band = 'praise'),
                   COUNT(*) FILTER (WHERE r.band = 'warning')
            FROM {RunResult._meta.db_table} r JOIN {Town._meta.db_table} t ON t.unit_id = r.town_id
            WHERE r.run_id = %(run)s GROUP BY t.district_id ORDER BY 2 DESC, 1""",
        {"run": run.pk},
    )
    districts = []
    for position, (district_id, average, towns, praise, warning) in enumerate(rows, start=1):
        child = names.get(district_id)
        if child is None:
            continue
        child.score, child.rank = scoring.q2(average), position
        districts.append(
            {
                "unit": child,
                "score": child.score,
                "rank": position,
                "towns": towns,
                "praise": praise,
                "warning": warning,
            }
        )
    count = sum(d["towns"] for d in districts)
    # The best and the weakest few: one statement (a union of two slices).
    fields = ", ".join(f"r.{name}" for name in RANKING_FIELDS)
    table = RunResult._meta.db_table
    towns = _fetch(
        f"""(SELECT {fields} FROM {table} r WHERE r.run_id = %(run)s ORDER BY r.rank, r.town_id LIMIT %(top)s)
            UNION
            (SELECT {fields} FROM {table} r WHERE r.run_id = %(run)s AND r.rank > %(cut)s
             ORDER BY r.rank DESC, r.town_id LIMIT %(bottom)s)""",
        {"run": run.pk, "top": TOP_TOWNS, "bottom": TOP_TOWNS // 2, "cut": max(count - TOP_TOWNS // 2, TOP_TOWNS)},
    )
    towns = sorted(
        (dict(zip(RANKING_FIELDS, row, strict=True)) for row in towns), key=lambda r: (r["rank"], r["town_id"])
    )
    for before, row in zip(towns, towns[1:], strict=False):
        row["gap_before"] = row["rank"] > before["rank"] + 1
    return districts, towns, count


def _local_ranking(scope: Scope, year: int, children: list[Unit]) -> tuple[RankedRun | None, list[dict]]:
    """The latest published run and every town of a district (or the one town) by its rank in it, in one statement
    (the run's columns on each row, and alone when it ranked none of the towns); each child gets its score and
    district rank."""
    rows = _fetch(
        f"""SELECT run.*, {", ".join(f"r.{name}" for name in RANKING_FIELDS)} FROM ({_LATEST_RUN_SQL}) run
            LEFT JOIN {RunResult._meta.db_table} r ON r.run_id = run.id AND {_town_filter_sql(scope, "r.town_id")}
            ORDER BY r.rank, r.town_id""",
        {**_scope_params(scope), "published": RunStatus.PUBLISHED.value, "year": year},
    )
    if not rows:
        return None, []
    towns = [dict(zip(RANKING_FIELDS, row[4:], strict=True)) for row in rows if row[4] is not None]
    by_town = {row["town_id"]: row for row in towns}
    for child in children:
        row = by_town.get(child.id)
        if row is not None:
            child.score, child.rank = row["score"], row["district_rank"]
    return RankedRun(*rows[0][:4]), towns


def _problems(scope: Scope, year: int, today: datetime.date) -> dict | None:
    """Problems found on visits of the year, open and overdue as of today (inspections); None without the app."""
    try:
        from inspections import selectors as inspection_selectors
    except ImportError:  # pragma: no cover - the app is part of the project; kept for a partial install
        return None
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    if scope.level == TOWN:
        measures = inspection_selectors.problem_measures_by_town(
            start=start, end=end, today=today, town_ids=[scope.town.pk]
        ).get(scope.town.pk)
    else:
        district_ids = [scope.district.pk] if scope.level == DISTRICT else None
        by_district = inspection_selectors.problem_measures(
            district_ids=district_ids, start=start, end=end, today=today
        )
        measures = inspection_selectors.measures_total(by_district.values())
    return None if measures is None else measures.as_dict()


def _action_items(scope: Scope, today: datetime.date) -> dict:
    """Open and overdue action items whose responsible unit is in the scope (R-2.2).

    The door has checked the scope's unit, and a user who reaches a unit sees the items it is
    responsible for (coordination.permissions.action_items_for_user), so the count needs no per-user
    filter; at the city level every item counts, member units' included.
    """
    units = {  # a district's: its own and its units' (towns, departments), looked up by the items' unit index
        CITY: "TRUE",
        DISTRICT: f"""a.responsible_unit_id = ANY(ARRAY(
            SELECT id FROM {OrgUnit._meta.db_table} WHERE id = %(unit)s OR parent_id = %(unit)s))""",
        TOWN: "a.responsible_unit_id = %(unit)s",
    }[scope.level]
    ((open_items, overdue),) = _fetch(
        f"""SELECT COUNT(*) FILTER (WHERE a.status = ANY(%(open)s)),
                   COUNT(*) FILTER (WHERE a.status = ANY(%(open)s) AND a.due_on < %(today)s)
            FROM {ActionItem._meta.db_table} a WHERE {units}""",
        {"unit": scope.unit.pk, "open": [status.value for status in OPEN_STATUSES], "today": today},
    )
    return {"open": open_items, "overdue": overdue}


# --- The dashboard ---------------------------------------------------------------------------------


def build_dashboard(
    scope: Scope,
    *,
    year: int,
    month: int | None = None,
    today: datetime.date | None = None,
    children_completion_only: bool = False,
) -> Dashboard:
    """Every figure of one dashboard; a fixed number of queries whatever the data (see the module doc). The page
    draws its children's completion of the key indicators and nothing else of theirs: with
    `children_completion_only` the children get those figures only (the API gives every figure of theirs)."""
    today = today or dates.today()
    month = month or default_month(year, today)
    indicators = ledger_selectors.active_indicators()
    expected = _expected_shares(indicators, month)
    child_indicators = _key_indicators(indicators) if children_completion_only else None
    figures, child_figures, margin, trend_rows = _load_figures(
        scope, year=year, month=month, indicators=indicators, expected=expected, child_indicators=child_indicators
    )
    children = _children(scope)
    for child in children:
        child.figures = child_figures.get(child.id) or {i.code: Figure() for i in child_indicators or indicators}
    table, towns = _timeliness(scope, year=year, today=today)
    trend, accepted_reports = _read_trend(trend_rows, year=year, indicators=indicators)
    run, district_ranking, town_ranking, towns_ranked = _ranking(scope, year, children)
    return Dashboard(
        scope=scope,
        year=year,
        month=month,
        today=today,
        indicators=indicators,
        expected=expected,
        margin=margin,
        figures=figures,
        children=children,
        trend=trend,
        accepted_reports=accepted_reports,
        timeliness=table,
        timeliness_rows=_timeliness_rows(scope, table, towns, children),
        run=run,
        district_ranking=district_ranking,
        town_ranking=town_ranking,
        towns_ranked=towns_ranked,
        problems=_problems(scope, year, today),
        action_items=_action_items(scope, today),
    )


def cadence_unit_ids(scope: Scope) -> list[int]:
    """The units whose cadence the dashboard's panel counts: the city and every district, or the district."""
    if scope.level == CITY:
        return list(
            OrgUnit.objects.filter(level__in=[OrgUnit.Level.MUNICIPAL, OrgUnit.Level.DISTRICT]).values_list(
                "pk", flat=True
            )
        )
    return [scope.district.pk]
