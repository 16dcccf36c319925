"""The floors: bare SQL computing the same figures as each dashboard and the ledger page, run directly
through the database driver (no ORM, no Python assembly, no template). Written by hand, one statement
per group of figures, as someone would who needed only the numbers."""

import datetime
from decimal import Decimal

from django.db import connection

from tianjin_towns.lib import dates

# Year to date per child unit and indicator, this year and the same months last year, with the towns'
# targets and how many towns trail the due completion by more than the margin.
FIGURES = """
WITH ytd AS (
    SELECT r.town_id, v.indicator_id, EXTRACT(YEAR FROM r.period)::int AS year,
           COALESCE((ARRAY_AGG(v.value ORDER BY r.period DESC) FILTER (WHERE i.kind = 'stock'))[1], SUM(v.value)) AS value
    FROM ledgers_reportvalue v
    JOIN ledgers_monthlyreport r ON r.id = v.report_id
    JOIN ledgers_indicator i ON i.id = v.indicator_id
    WHERE r.status = 'accepted' AND i.active
      AND (r.period BETWEEN %(start)s AND %(through)s OR r.period BETWEEN %(last_start)s AND %(last_through)s)
      AND {scope}
    GROUP BY 1, 2, 3
), joined AS (
    SELECT COALESCE(y.town_id, g.town_id) AS town_id, COALESCE(y.indicator_id, g.indicator_id) AS indicator_id,
           COALESCE(y.year, %(year)s) AS year, y.value, g.value AS target
    FROM ytd y FULL JOIN (SELECT * FROM assessments_target g WHERE g.year = %(year)s AND {target_scope}) g
      ON g.town_id = y.town_id AND g.indicator_id = y.indicator_id AND y.year = %(year)s
)
SELECT {child}, j.indicator_id, j.year, SUM(j.value), SUM(COALESCE(j.value, 0)) FILTER (WHERE j.target IS NOT NULL),
       SUM(j.target), COUNT(j.target),
       COUNT(*) FILTER (WHERE ROUND(COALESCE(j.value, 0) * 100 / j.target, 1) < %(due)s - 10)
FROM joined j JOIN coordination_town t ON t.unit_id = j.town_id
GROUP BY GROUPING SETS (({child}, j.indicator_id, j.year), (j.indicator_id, j.year))
"""

TREND = """
SELECT r.period, v.indicator_id, SUM(v.value)
FROM ledgers_reportvalue v JOIN ledgers_monthlyreport r ON r.id = v.report_id
WHERE r.status = 'accepted' AND r.period BETWEEN %(last_start)s AND %(through)s AND {scope}
GROUP BY 1, 2
"""

TIMELINESS = """
SELECT {child}, m.period, COUNT(*),
       COUNT(*) FILTER (WHERE r.timeliness = 'on_time'), COUNT(*) FILTER (WHERE r.timeliness = 'late'),
       COUNT(*) FILTER (WHERE r.timeliness = 'missing' OR (r.timeliness IS NULL AND m.period < %(closed_before)s))
FROM generate_series(%(start)s::date, %(through)s::date, interval '1 month') AS m(period)
JOIN coordination_town t ON t.reporting_from <= m.period
 AND (t.exited_on IS NULL OR m.period < date_trunc('month', t.exited_on))
LEFT JOIN ledgers_monthlyreport r ON r.town_id = t.unit_id AND r.period = m.period
WHERE {town_scope}
GROUP BY GROUPING SETS ((m.period, {child}), (m.period))
"""

RANKING = """
WITH run AS (
    SELECT r.id FROM assessments_run r JOIN assessments_scheme s ON s.id = r.scheme_id
    WHERE r.status = 'published' AND s.year <= %(year)s ORDER BY s.year DESC, r.published_at DESC LIMIT 1
)
SELECT t.district_id, AVG(x.score), COUNT(*), MIN(x.rank)
FROM assessments_runresult x JOIN coordination_town t ON t.unit_id = x.town_id
WHERE x.run_id = (SELECT id FROM run) AND {town_scope}
GROUP BY t.district_id
"""

TOP_TOWNS = """
SELECT x.town_id, x.town_name, x.score, x.rank FROM assessments_runresult x
JOIN coordination_town t ON t.unit_id = x.town_id
WHERE x.run_id = (SELECT r.id FROM assessments_run r JOIN assessments_scheme s ON s.id = r.scheme_id
                  WHERE r.status = 'published' AND s.year <= %(year)s ORDER BY s.year DESC, r.published_at DESC LIMIT 1)
  AND {town_scope}
ORDER BY x.rank LIMIT 15
"""

PROBLEMS = """
SELECT COUNT(*), COUNT(*) FILTER (WHERE p.status <> 'verified'),
       COUNT(*) FILTER (WHERE p.status <> 'verified' AND p.due_on < %(today)s)
FROM inspections_problem p JOIN inspections_visit v ON v.id = p.visit_id
WHERE v.held_on >= %(start)s AND v.held_on < %(next_start)s AND {problem_scope}
"""

ACTION_ITEMS = """
SELECT COUNT(*) FILTER (WHERE status IN ('open', 'in_progress')),
       COUNT(*) FILTER (WHERE status IN ('open', 'in_progress') AND due_on < %(today)s)
FROM coordination_actionitem a WHERE {item_scope}
"""

LEDGER = """
SELECT r.town_id, r.period, r.status, v.value
FROM ledgers_monthlyreport r
LEFT JOIN ledgers_reportvalue v ON v.report_id = r.id AND r.status = 'accepted'
     AND v.indicator_id = (SELECT id FROM ledgers_indicator WHERE code = 'fixed_asset_investment')
WHERE r.period BETWEEN %(start)s AND %(year_end)s AND {scope}
ORDER BY r.town_id, r.period
"""


def _scopes(level: str) -> dict[str, str]:
    if level == "city":
        return {
            "scope": "TRUE",
            "target_scope": "TRUE",
            "town_scope": "TRUE",
            "child": "t.district_id",
            "problem_scope": "TRUE",
            "item_scope": "TRUE",
        }
    if level == "district":
        towns = "IN (SELECT unit_id FROM coordination_town WHERE district_id = %(unit)s)"
        return {
            "scope": f"r.town_id {towns}",
            "target_scope": f"g.town_id {towns}",
            "town_scope": "t.district_id = %(unit)s",
            "child": "t.unit_id",
            "problem_scope": "v.district_id = %(unit)s",
            "item_scope": "(a.responsible_unit_id = %(unit)s OR a.responsible_unit_id "
            "IN (SELECT id FROM coordination_orgunit WHERE parent_id = %(unit)s))",
        }
    return {
        "scope": "r.town_id = %(unit)s",
        "target_scope": "g.town_id = %(unit)s",
        "town_scope": "t.unit_id = %(unit)s",
        "child": "t.unit_id",
        "problem_scope": "p.town_id = %(unit)s",
        "item_scope": "a.responsible_unit_id = %(unit)s",
    }


def params(year: int, month: int, unit: int | None, today: datetime.date) -> dict:
    last_ended = dates.last_ended_period(today)
    closed = [m for m in dates.months_of_year(year) if dates.report_close_date(m) < today]
    return {
        "year": year,
        "unit": unit,
        "start": datetime.date(year, 1, 1),
        "through": datetime.date(year, month, 1),
        "last_start": datetime.date(year - 1, 1, 1),
        "last_through": datetime.date(year - 1, month, 1),
        "year_end": min(datetime.date(year, 12, 1), last_ended),
        "next_start": datetime.date(year + 1, 1, 1),
        "closed_before": dates.add_months(closed[-1], 1) if closed else datetime.date(year, 1, 1),
        "due": Decimal(month * 100) / 12,
        "today": today,
    }


def dashboard_statements(level: str) -> list[str]:
    scopes = _scopes(level)
    return [sql.format(**scopes) for sql in (FIGURES, TREND, TIMELINESS, RANKING, TOP_TOWNS, PROBLEMS, ACTION_ITEMS)]


def ledger_statements(level: str) -> list[str]:
    return [LEDGER.format(**_scopes(level))]


def run(statements: list[str], values: dict | None) -> list[list[tuple]]:
    """Run the statements on the raw driver connection and fetch every row."""
    connection.ensure_connection()
    raw = connection.connection
    results = []
    with raw.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, values)
            results.append(cursor.fetchall())
    return results


def city_totals(level: str, values: dict) -> dict[int, Decimal]:
    """Indicator id → this year's total in the scope, from the FIGURES floor (the cross-check of exactness)."""
    rows = run([FIGURES.format(**_scopes(level))], values)[0]
    return {row[1]: row[3] for row in rows if row[0] is None and row[1] is not None and row[2] == values["year"]}
