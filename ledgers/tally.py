"""The timeliness tally (issue 21): per district and month, how the reports of the towns expected that month
arrived (ledgers.models.TimelinessTally). The city's dashboard reads it rather than counting the year's reports
of two thousand towns on every request (ledgers.selectors.timeliness).

Triggers in the database keep it, so that nothing which changes a report or a town can leave it behind: the
services, a bulk load, the admin, plain SQL. They are statement triggers with transition tables, so a bulk insert
of a hundred thousand reports adds its counts in one statement, and they add and subtract deltas
(`n = n + excluded.n`) rather than recounting: two transactions that change reports of the same district and month
each add their own change, in either order, where a recount in each could have missed the other's uncommitted row.
Rows are upserted in key order, so two statements lock the tally rows they share in the same order.

A report's change locks its town's row (FOR SHARE) before it is counted; a change of the town's district or
reporting window (FOR NO KEY UPDATE) therefore waits for it, or it for the town's change, and whichever comes
second counts with what the first committed.
"""

from django.db import connection, transaction

from coordination.models import Town

from . import deadlines
from .models import MonthlyReport, Timeliness, TimelinessTally

REPORTS = MonthlyReport._meta.db_table
TOWNS = Town._meta.db_table
TALLY = TimelinessTally._meta.db_table
COUNTS = ("on_time", "late", "recorded_missing", "submitted")


def _counted(alias: str) -> str:
    """A row of `alias` that counts something (a delta of zero is no change; a tally row of zeros, nothing)."""
    return " OR ".join(f"{alias}{column} <> 0" for column in COUNTS)


def counts_sql(changes: str) -> str:
    """The tally's columns summed over `changes`: rows of (district_id, reporting_from, exited_on, period,
    timeliness, submitted_at, sign), the town's attributes beside each report, `sign` +1 or −1; only the
    months the town was expected to report count (deadlines.expects_report). ledgers.selectors.timeliness
    counts so for a part of the towns, which no tally row holds."""
    return f"""
        SELECT c.district_id, c.period,
               COALESCE(SUM(c.sign) FILTER (WHERE c.timeliness = '{Timeliness.ON_TIME}'), 0) AS on_time,
               COALESCE(SUM(c.sign) FILTER (WHERE c.timeliness = '{Timeliness.LATE}'), 0) AS late,
               COALESCE(SUM(c.sign) FILTER (WHERE c.timeliness = '{Timeliness.MISSING}'), 0) AS recorded_missing,
               COALESCE(SUM(c.sign) FILTER (
                   WHERE c.submitted_at IS NOT NULL AND c.timeliness IS DISTINCT FROM '{Timeliness.MISSING}'
               ), 0) AS submitted
        FROM ({changes}) c
        WHERE {deadlines.expects_report_sql("c", "c.period")}
        GROUP BY c.district_id, c.period
    """


def _add(changes: str) -> str:
    """Add the counts of `changes` to the tally, in key order, leaving out the districts and months they do
    not change (an approval or an acceptance changes no count, and takes no lock on the tally)."""
    return f"""
        INSERT INTO {TALLY} AS k (district_id, period, {", ".join(COUNTS)})
        SELECT * FROM ({counts_sql(changes)}) d
        WHERE {_counted("d.")}
        ORDER BY d.district_id, d.period
        ON CONFLICT (district_id, period) DO UPDATE SET
            on_time = k.on_time + excluded.on_time,
            late = k.late + excluded.late,
            recorded_missing = k.recorded_missing + excluded.recorded_missing,
            submitted = k.submitted + excluded.submitted;
    """


# Each changed report with its town's attributes and its sign: what counts_sql sums.
_CHANGE = "t.district_id, t.reporting_from, t.exited_on, r.period, r.timeliness, r.submitted_at"


def reports_sql(rows: str, sign: int = 1, *, towns: str = TOWNS, where: str = "TRUE") -> str:
    """The reports of `rows` (a transition table, or the reports' table) with their town's current attributes,
    as counts_sql takes them; `towns` is the towns' table or a subquery of it."""
    return f"SELECT {_CHANGE}, {sign} AS sign FROM {rows} r JOIN {towns} t ON t.unit_id = r.town_id WHERE {where}"


def _lock_towns(*rows: str) -> str:
    towns = " UNION ".join(f"SELECT town_id FROM {table}" for table in rows)
    return f"PERFORM 1 FROM {TOWNS} t WHERE t.unit_id IN ({towns}) ORDER BY t.unit_id FOR SHARE OF t;"


def _towns_changed(towns: str, sign: int) -> str:
    """The reports of the towns whose district or reporting window changed, with the town's old attributes
    (sign −1) or new ones (+1)."""
    return f"""
        SELECT {_CHANGE}, {sign} AS sign
        FROM {towns} t
        JOIN old_towns o ON o.unit_id = t.unit_id
        JOIN new_towns n ON n.unit_id = t.unit_id
        JOIN {REPORTS} r ON r.town_id = t.unit_id
        WHERE (o.district_id, o.reporting_from, o.exited_on) IS DISTINCT FROM (n.district_id, n.reporting_from, n.exited_on)
    """


def _function(name: str, body: str) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
            {body}
            RETURN NULL;
        END
        $body$;
    """


FUNCTIONS = {
    "ledgers_tally_reports_inserted": _lock_towns("new_rows") + _add(reports_sql("new_rows", 1)),
    "ledgers_tally_reports_deleted": _lock_towns("old_rows") + _add(reports_sql("old_rows", -1)),
    "ledgers_tally_reports_updated": _lock_towns("old_rows", "new_rows")
    + _add(f"{reports_sql('old_rows', -1)} UNION ALL {reports_sql('new_rows', 1)}"),
    "ledgers_tally_towns_updated": _add(
        f"{_towns_changed('old_towns', -1)} UNION ALL {_towns_changed('new_towns', 1)}"
    ),
}
TRIGGERS = (
    ("ledgers_tally_reports_inserted", REPORTS, "INSERT", "NEW TABLE AS new_rows"),
    ("ledgers_tally_reports_deleted", REPORTS, "DELETE", "OLD TABLE AS old_rows"),
    ("ledgers_tally_reports_updated", REPORTS, "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("ledgers_tally_towns_updated", TOWNS, "UPDATE", "OLD TABLE AS old_towns NEW TABLE AS new_towns"),
)


def install() -> None:
    """Create (or replace) the triggers' functions and the triggers (migration ledgers 0016)."""
    with connection.cursor() as cursor:
        for name, body in FUNCTIONS.items():
            cursor.execute(_function(name, body))
        for name, table, event, referencing in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            cursor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )


def uninstall() -> None:
    with connection.cursor() as cursor:
        for name, table, _event, _referencing in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for name in FUNCTIONS:
            cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")


RECOUNT = counts_sql(reports_sql(REPORTS))


def recount() -> list[tuple]:
    """What the tally should hold, counted from the reports: (district_id, period, on_time, late,
    recorded_missing, submitted) for every district and month with a count."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({RECOUNT}) d WHERE {_counted('d.')} ORDER BY 1, 2")
        return cursor.fetchall()


def rebuild() -> None:
    """The tally counted anew from the reports (the migration; a repair). The table is locked meanwhile, so a
    report changed at the same time waits and is added after."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TALLY} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {TALLY}")
        cursor.execute(
            f"INSERT INTO {TALLY} (district_id, period, {', '.join(COUNTS)}) "
            f"SELECT * FROM ({RECOUNT}) d WHERE {_counted('d.')}"
        )


def tally() -> list[tuple]:
    """The tally's rows with a count, as recount() gives them (tests, a consistency check)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT district_id, period, {', '.join(COUNTS)} FROM {TALLY} WHERE {_counted('')} ORDER BY 1, 2"
        )
        return cursor.fetchall()
