"""The towns against their targets, month by month (issue 21): LagRollup, what the dashboards read for
their targets, completion and lag counts instead of comparing every town's year to date with its targets
on each request (two thousand towns × a dozen targets).

A town with targets for a year has a row for each month of it: per indicator (position = id) its target,
its year to date through the month (ledgers' MonthFigures, 0 before any accepted figure), 1 in
`with_target`, and 1 in `lagging` when it lags by assessments.selectors.target_completion's rule: the
completion rounded to one decimal below the share due by the month less the year's lag margin. A
district's row and the city's sum their towns'. The rows are kept in the same transaction as what they
derive from, under the month rollups' lock per year (ledgers.summaries.lock_years): an acceptance or a
reopening (ledgers.summaries.month_figures_changed), a town's targets (services.targets), the year's lag
margin (services.schemes), a rebuild.
"""

from collections.abc import Iterable

from django.db import connection
from django.dispatch import receiver

from coordination.models import Town
from ledgers import summaries
from ledgers.models import MonthFigures

from . import scoring
from .models import LagRollup, Scheme, Target
from .selectors import DEFAULT_LAG_MARGIN

ARRAYS = ["target", "on_target", "with_target", "lagging"]


def _expected_flow() -> list:
    """The percent of a flow's target due after each month, rounded as the dashboards show it (q1)."""
    return [scoring.q1(scoring.expected_share("flow", month) * scoring.HUNDRED) for month in range(1, 13)]


def _town_rows_sql(positions: range, stocks: set[int]) -> str:
    """Each (town, year) pair's twelve rows, for the pairs with targets."""

    def per_indicator(term: str) -> str:
        return summaries.array_sql(term, positions)

    pivot = ", ".join(f"MAX(g.value) FILTER (WHERE g.indicator_id = {i})" for i in positions)
    due = {i: "100" if i in stocks else "(%(expected_flow)s::numeric[])[r.m]" for i in positions}
    lagging = ", ".join(
        f"(ROUND(COALESCE(r.to_date[{i}], 0) / r.target[{i}], 1) < {due[i]} - r.margin)::int" for i in positions
    )
    return f"""
        WITH k AS (SELECT DISTINCT * FROM unnest(%(towns)s::bigint[], %(years)s::int[]) AS k(town_id, year)),
        targets AS (
            SELECT g.town_id, g.year, ARRAY[{pivot}]::numeric[] AS target
            FROM {Target._meta.db_table} g JOIN k ON k.town_id = g.town_id AND k.year = g.year
            GROUP BY g.town_id, g.year
        ), margins AS (
            SELECT y.year, COALESCE(s.lag_margin, %(default_margin)s) AS margin
            FROM (SELECT DISTINCT year FROM k) y LEFT JOIN {Scheme._meta.db_table} s ON s.year = y.year
        ), r AS (
            SELECT t.town_id, g.m, make_date(t.year, g.m, 1) AS period, t.target, f.to_date, mg.margin
            FROM targets t JOIN margins mg ON mg.year = t.year CROSS JOIN generate_series(1, 12) AS g(m)
            LEFT JOIN {MonthFigures._meta.db_table} f ON f.unit_id = t.town_id AND f.period = make_date(t.year, g.m, 1)
        )
        INSERT INTO {LagRollup._meta.db_table} (unit_id, period, {", ".join(ARRAYS)})
        SELECT r.town_id, r.period, {per_indicator("ROUND(r.target[{i}] * 100)::bigint")},
               {per_indicator("CASE WHEN r.target[{i}] IS NOT NULL THEN COALESCE(r.to_date[{i}], 0) END")},
               {per_indicator("(r.target[{i}] IS NOT NULL)::int")}, ARRAY[{lagging}]::bigint[]
        FROM r
    """


def _refresh(cursor, keys: list[tuple[int, int]] | None) -> None:
    """Recompute the rows of these (town, year) pairs, of their districts in those years and of the city in
    those years; every row when keys is None. The caller holds the years' locks."""
    positions, stocks = summaries.elements(cursor)
    table, towns_table = LagRollup._meta.db_table, Town._meta.db_table
    pairs = f"""(SELECT DISTINCT t2.district_id, k.year FROM unnest(%(towns)s::bigint[], %(years)s::int[]) AS k(town_id, year)
                 JOIN {towns_table} t2 ON t2.unit_id = k.town_id) d"""
    in_year = "EXTRACT(YEAR FROM m.period)::int"
    if keys is None:
        cursor.execute(f"SELECT DISTINCT town_id, year FROM {Target._meta.db_table}")
        keys = cursor.fetchall()
        cursor.execute(f"DELETE FROM {table}")
        districts, city = "", "TRUE"
    else:
        districts = f"JOIN {pairs} ON d.district_id = t.district_id AND d.year = {in_year}"
        city = f"{in_year} = ANY(%(year_list)s)"
    params = {
        "towns": [town for town, _year in keys],
        "years": [year for _town, year in keys],
        "year_list": sorted({year for _town, year in keys}),
        "expected_flow": _expected_flow(),
        "default_margin": DEFAULT_LAG_MARGIN,
    }
    if districts:
        summaries.execute_named(
            cursor,
            f"""DELETE FROM {table} m USING unnest(%(towns)s::bigint[], %(years)s::int[]) AS k(town_id, year)
                WHERE m.unit_id = k.town_id AND {in_year} = k.year""",
            params,
        )
        summaries.execute_named(
            cursor,
            f"DELETE FROM {table} m USING {pairs} WHERE m.unit_id = d.district_id AND {in_year} = d.year",
            params,
        )
        summaries.execute_named(cursor, f"DELETE FROM {table} m WHERE m.unit_id IS NULL AND {city}", params)
    if not keys:
        return
    summaries.execute_named(cursor, _town_rows_sql(positions, stocks), params)
    source = f"JOIN {towns_table} t ON t.unit_id = m.unit_id {districts}"
    summaries.execute_named(cursor, summaries.sum_rows_sql(table, "t.district_id", source, ARRAYS, positions), params)
    city_source = f"WHERE m.unit_id IN (SELECT district_id FROM {towns_table}) AND {city}"
    summaries.execute_named(
        cursor, summaries.sum_rows_sql(table, "NULL::bigint", city_source, ARRAYS, positions), params
    )


def lag_refresh(keys: Iterable[tuple[int, int]]) -> None:
    """After a change of these (town, year) pairs' targets: recompute their rows (inside the change's transaction)."""
    keys = sorted(set(keys))
    if keys:
        with connection.cursor() as cursor:
            summaries.lock_years(cursor, [year for _town, year in keys])
            _refresh(cursor, keys)


def lag_refresh_year(year: int) -> None:
    """After a change of the year's lag margin: every town with targets that year."""
    towns = Target.objects.filter(year=year).values_list("town_id", flat=True).distinct()
    lag_refresh((town, year) for town in towns)


@receiver(summaries.month_figures_changed, dispatch_uid="assessments.rollups")
def _on_month_figures_changed(sender, keys, **kwargs) -> None:
    """The month rollups changed (the years' locks are held): the towns' standing against their targets too."""
    with connection.cursor() as cursor:
        if keys is None:
            _refresh(cursor, None)
            return
        cursor.execute(
            f"SELECT DISTINCT town_id, year FROM {Target._meta.db_table} "
            "WHERE (town_id, year) IN (SELECT * FROM unnest(%s::bigint[], %s::int[]))",
            [[town for town, _year in keys], [year for _town, year in keys]],
        )
        with_targets = cursor.fetchall()
        if with_targets:
            _refresh(cursor, with_targets)
