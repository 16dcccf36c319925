"""The accepted figures of each report in one row (issue 8, SPEC §8): a summary the leaders' dashboards
read instead of one ReportValue row per indicator, so a city-wide year is a few thousand rows rather
than half a million.

The row of a report exists exactly while the report is accepted and holds its values in cents (exact
integers, fixed width, so `figures[indicator_id]` in SQL is a direct lookup), positioned by indicator id. The services keep it so in the same transaction as the
change of status (monthly_report_accept, monthly_report_reopen_approve), so a dashboard shows an
accepted report on the next request; `accepted_figures_rebuild()` recomputes every row (after a bulk
load such as seed_demo's or the benchmark's, and in the migration that created the table).
The model, AcceptedFigures, lives with the reports' (ledgers/models/reports.py); this module only
imports the models, never the other way round.

Month rollups (issue 21): MonthFigures holds, per town, per district and for the whole city, each month's
accepted figures summed (`sums`) and the year to date through the month (`to_date`: flows summed, a stock
at each town's latest accepted month), so a city dashboard reads a few dozen rows instead of aggregating
hundreds of thousands. A town's rows run from its first accepted month of a year to December; a
district's and the city's are the sums of their towns'. They are recomputed for the years a change
touches, in the same transaction, under a lock per year (one writer at a time, so no change is summed
from a snapshot that misses another's).
"""

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models.functions import Coalesce, Now
from django.dispatch import Signal
from django.utils import timezone

from coordination.models import Town

from .models import AcceptedFigures, Indicator, MonthFigures, MonthlyReport, ReportStatus, ReportValue

# pg_advisory_xact_lock(ROLLUP_LOCK, year): the key space of the month rollups' lock per year.
ROLLUP_LOCK = 2108

# Sent inside the transaction, the years' locks held, once a change's month rollups are written:
# keys=[(town id, year), …] whose town rows were recomputed, or None after a rebuild of all of them. Other
# apps keep what they derive from the rollups with it (assessments.rollups: the towns against their targets).
month_figures_changed = Signal()


def execute_named(cursor, sql: str, params: dict) -> None:
    """cursor.execute with %(name)s parameters sent as positional ones: django-pgtrigger's ignore() and
    pghistory's context put their own positional parameter before a statement they wrap, and psycopg refuses
    a statement mixing the two styles (an acceptance inside pgtrigger.ignore() failed so)."""
    names = re.findall(r"%\((\w+)\)s", sql)
    cursor.execute(re.sub(r"%\(\w+\)s", "%s", sql), [params[name] for name in names])


def lock_years(cursor, years) -> None:
    """Take the rollups' lock of each year until the transaction ends, in order (two writers never deadlock)."""
    for year in sorted(set(years)):
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ROLLUP_LOCK, year])


def _insert_sql(condition: str) -> str:
    return f"""
        INSERT INTO {AcceptedFigures._meta.db_table} (report_id, town_id, period, figures)
        SELECT r.id, r.town_id, r.period,
               ARRAY(
                   SELECT ROUND(v.value * 100)::bigint
                   FROM generate_series(1, (SELECT COALESCE(MAX(id), 1) FROM {Indicator._meta.db_table})) AS g(i)
                   LEFT JOIN {ReportValue._meta.db_table} v ON v.report_id = r.id AND v.indicator_id = g.i
                   ORDER BY g.i
               )
        FROM {MonthlyReport._meta.db_table} r
        WHERE r.status = %s AND {condition}
    """


def accepted_figures_refresh(report_ids: Iterable[int]) -> None:
    """Make the rows of these reports match their status and values now (called inside the services'
    transactions; safe to call twice)."""
    ids = list(report_ids)
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT DISTINCT r.town_id, EXTRACT(YEAR FROM r.period)::int FROM {MonthlyReport._meta.db_table} r
                WHERE r.id = ANY(%s) ORDER BY 2, 1""",
            [ids],
        )
        keys = cursor.fetchall()
        lock_years(cursor, [year for _town, year in keys])
        cursor.execute(f"DELETE FROM {AcceptedFigures._meta.db_table} WHERE report_id = ANY(%s)", [ids])
        cursor.execute(_insert_sql("r.id = ANY(%s)"), [ReportStatus.ACCEPTED, ids])
        _month_figures_refresh(cursor, keys)
    # The data-sharing feed's clock (issue 18): these reports' accepted figures changed now.
    MonthlyReport.objects.filter(pk__in=ids).update(figures_changed_at=timezone.now())


def accepted_figures_rebuild() -> int:
    """Recompute every row from the reports (after a bulk load); returns the number of accepted reports."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AcceptedFigures._meta.db_table}")
        cursor.execute(_insert_sql("TRUE"), [ReportStatus.ACCEPTED])
        accepted = cursor.rowcount
    month_figures_rebuild()
    # Reports loaded in bulk as accepted join the feed as of their acceptance.
    MonthlyReport.objects.filter(status=ReportStatus.ACCEPTED, figures_changed_at__isnull=True).update(
        figures_changed_at=Coalesce("accepted_at", Now())
    )
    return accepted


# --- Month rollups (issue 21) --------------------------------------------------------------------------


def elements(cursor) -> tuple[range, set[int]]:
    """(the array positions, the stock indicators' ids): every indicator id, whether active or not."""
    cursor.execute(f"SELECT id, kind = %s FROM {Indicator._meta.db_table}", [Indicator.Kind.STOCK])
    rows = cursor.fetchall()
    return range(1, max((pk for pk, _stock in rows), default=0) + 1), {pk for pk, stock in rows if stock}


def array_sql(term: str, positions: range) -> str:
    """ARRAY[term(1), term(2), …] for every position ({i} in the term is the position)."""
    return "ARRAY[" + ", ".join(term.format(i=i) for i in positions) + "]::bigint[]" if positions else "'{}'::bigint[]"


def _town_rows_sql(positions: range, stocks: set[int]) -> str:
    """The (town, year) pairs' rows, January–December from the first accepted month: each month's figures
    and the running year to date (flows summed; a stock, its latest value: the greatest [month, value])."""
    running = [
        f"(MAX(ARRAY[EXTRACT(MONTH FROM j.period)::bigint, j.figures[{i}]]) "
        f"FILTER (WHERE j.figures[{i}] IS NOT NULL) OVER w)[2]"
        if i in stocks
        else f"SUM(j.figures[{i}]) OVER w"
        for i in positions
    ]
    to_date = "ARRAY[" + ", ".join(running) + "]::bigint[]" if running else "'{}'::bigint[]"
    return f"""
        INSERT INTO {MonthFigures._meta.db_table} (unit_id, period, reports, sums, to_date)
        SELECT town_id, period, reports, sums, to_date FROM (
            SELECT j.town_id, j.period, (j.figures IS NOT NULL)::int AS reports,
                   COALESCE(j.figures, '{{}}') AS sums, {to_date} AS to_date, COUNT(j.figures) OVER w AS seen
            FROM (
                SELECT k.town_id, make_date(k.year, g.m, 1) AS period, f.figures
                FROM unnest(%(towns)s::bigint[], %(years)s::int[]) AS k(town_id, year)
                CROSS JOIN generate_series(1, 12) AS g(m)
                LEFT JOIN {AcceptedFigures._meta.db_table} f
                       ON f.town_id = k.town_id AND f.period = make_date(k.year, g.m, 1)
            ) j
            WINDOW w AS (PARTITION BY j.town_id, EXTRACT(YEAR FROM j.period) ORDER BY j.period)
        ) x
        WHERE seen > 0
    """


def sum_rows_sql(table: str, unit: str, source: str, arrays: list[str], positions: range, scalars=()) -> str:
    """INSERT of rows that sum other rows of `table` (aliased m) per month, arrays element by element:
    `unit` is the new rows' unit, `source` what follows FROM (joins and WHERE)."""
    sums = [f"SUM(m.{column})" for column in scalars]
    sums += [array_sql(f"SUM(m.{column}[{{i}}])", positions) for column in arrays]
    return f"""
        INSERT INTO {table} (unit_id, period, {", ".join([*scalars, *arrays])})
        SELECT {unit}, m.period, {", ".join(sums)}
        FROM {table} m {source}
        GROUP BY 1, m.period
    """


def _sum_rows_sql(unit: str, source: str, positions: range) -> str:
    """Rows of MonthFigures that sum other rows per month (a district's, the city's)."""
    return sum_rows_sql(MonthFigures._meta.db_table, unit, source, ["sums", "to_date"], positions, scalars=["reports"])


def _month_figures_refresh(cursor, keys: list[tuple[int, int]]) -> None:
    """Recompute the rows of these (town, year) pairs, of their districts in those years and of the city."""
    if not keys:
        return
    positions, stocks = elements(cursor)
    towns, years = [town for town, _year in keys], [year for _town, year in keys]
    table, town_table = MonthFigures._meta.db_table, Town._meta.db_table
    pairs = "unnest(%(towns)s::bigint[], %(years)s::int[]) AS k(town_id, year)"
    params = {"towns": towns, "years": years, "year_list": sorted(set(years))}
    # The districts' years touched: (district, year) of each town's pair.
    districts = f"""
        SELECT DISTINCT t.district_id, k.year FROM {pairs} JOIN {town_table} t ON t.unit_id = k.town_id
    """
    in_year = "m.period BETWEEN make_date(d.year, 1, 1) AND make_date(d.year, 12, 1)"
    execute_named(
        cursor,
        f"""DELETE FROM {table} m USING {pairs}
            WHERE m.unit_id = k.town_id AND m.period BETWEEN make_date(k.year, 1, 1) AND make_date(k.year, 12, 1)""",
        params,
    )
    execute_named(
        cursor, f"DELETE FROM {table} m USING ({districts}) d WHERE m.unit_id = d.district_id AND {in_year}", params
    )
    execute_named(
        cursor,
        f"DELETE FROM {table} m WHERE m.unit_id IS NULL AND EXTRACT(YEAR FROM m.period)::int = ANY(%(year_list)s)",
        params,
    )
    execute_named(cursor, _town_rows_sql(positions, stocks), params)
    execute_named(
        cursor,
        _sum_rows_sql(
            "d.district_id",
            f"JOIN {town_table} t ON t.unit_id = m.unit_id JOIN ({districts}) d ON d.district_id = t.district_id "
            f"WHERE {in_year}",
            positions,
        ),
        params,
    )
    execute_named(cursor, _city_rows_sql(positions, "EXTRACT(YEAR FROM m.period)::int = ANY(%(year_list)s)"), params)
    month_figures_changed.send(sender=MonthFigures, keys=keys)


def _city_rows_sql(positions: range, condition: str) -> str:
    return _sum_rows_sql(
        "NULL::bigint",
        f"WHERE m.unit_id IN (SELECT district_id FROM {Town._meta.db_table}) AND {condition}",
        positions,
    )


def month_figures_rebuild() -> None:
    """Recompute every month rollup from AcceptedFigures (after a bulk load, or a change of an indicator's kind)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT town_id, EXTRACT(YEAR FROM period)::int FROM {AcceptedFigures._meta.db_table}")
        keys = cursor.fetchall()
        lock_years(cursor, [year for _town, year in keys])
        positions, stocks = elements(cursor)
        cursor.execute(f"DELETE FROM {MonthFigures._meta.db_table}")
        params = {"towns": [town for town, _year in keys], "years": [year for _town, year in keys]}
        execute_named(cursor, _town_rows_sql(positions, stocks), params)
        cursor.execute(
            _sum_rows_sql("t.district_id", f"JOIN {Town._meta.db_table} t ON t.unit_id = m.unit_id", positions)
        )
        cursor.execute(_city_rows_sql(positions, "TRUE"))
    month_figures_changed.send(sender=MonthFigures, keys=None)
