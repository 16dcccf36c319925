"""Test databases kept between runs as PostgreSQL templates, named after what they were built from.

Migrating an empty database takes each test worker about ten seconds, and seeding the demo world as long again.
Both depend only on files of this tree, so the first run keeps the result as a template database
(`tpl_<database>_<digest>`) and the next run whose files are the same copies it (`CREATE DATABASE … TEMPLATE`, a
second or so) instead of building it again. The digest covers everything the result is built from: for the
migrated database the migrations and the pinned requirements, for the demo the whole application (templates and
data included, tests excluded), the requirements and the suite's day. A change to any of them names another
template, which the next run builds; the templates of older digests are dropped then. `KEEP_TEST_TEMPLATES=0`
builds everything every time and keeps nothing.
"""

import graphlib
import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

# The database the run is configured with (before pytest-django points the connection at a test database).
BASE = settings.DATABASES["default"]["NAME"]
ROOT = Path(__file__).resolve().parent.parent
APPS = ("tianjin_towns", "coordination", "ledgers", "inspections", "assessments")
SKIPPED_PARTS = {"tests", "__pycache__"}
# Code a migration runs to build what the database holds beside the tables (the tally's triggers, ledgers 0016):
# a change to it must build the migrated template anew, as a change to a migration does.
MIGRATIONS_RUN = (ROOT / "ledgers" / "tally.py",)


def enabled() -> bool:
    return os.environ.get("KEEP_TEST_TEMPLATES", "1") != "0"


def _digest(paths: list[Path], *extra: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    for text in extra:
        digest.update(text.encode())
    return digest.hexdigest()[:16]


def _application_files() -> list[Path]:
    files = [ROOT / "requirements.txt"]
    for folder in (*APPS, "templates"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and not SKIPPED_PARTS & set(path.relative_to(ROOT).parts):
                files.append(path)
    return files


def migrated_name() -> str:
    """The template of the migrated database: its name says which migrations built it."""
    migrations = [path for app in APPS for path in (ROOT / app).glob("migrations/*.py")]
    return _name("migrated", _digest([*migrations, *MIGRATIONS_RUN, ROOT / "requirements.txt"]))


def demo_name(today: str) -> str:
    """The template of the demo world seeded on `today` by this tree's code."""
    return _name("demo", _digest(_application_files(), today))


def _name(kind: str, digest: str) -> str:
    return f"tpl_{BASE}_{kind}_{digest}"[:63]


def exists(name: str) -> bool:
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def note(name: str) -> str:
    """What was written on a template when it was kept (the demo's seed_demo output)."""
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
        row = cursor.fetchone()
    return (row[0] if row else None) or ""


def keep(source: str, name: str, text: str = "") -> None:
    """Keep database `source` as template `name` (with `text` written on it), and drop the templates of the same
    kind that older files built. Nobody may be connected to `source` meanwhile; if another worker kept the same
    template first, or a copy fails, the run goes on without keeping one."""
    connection.close()
    stem = name.rsplit("_", 1)[0]
    with connection._nodb_cursor() as cursor:
        try:
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
            cursor.execute(f'COMMENT ON DATABASE "{name}" IS %s', [text])
        except DatabaseError:
            return
        cursor.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname <> %s", [f"{stem}_", name]
        )
        for (stale,) in cursor.fetchall():
            try:
                cursor.execute(f'DROP DATABASE IF EXISTS "{stale}"')
            except DatabaseError:
                pass  # in use by a run of other files: its own next run replaces it


class Snapshot:
    """The rows and sequences of the migrated test database, taken once per run, and `reset()`, which puts them back
    around a test that committed its data (a browser or Celery test): every such test starts from the migrated
    database, the same rows with the same ids and the sequences where the migrations left them, and leaves it so.

    A reset costs what the test changed. One query finds the tables that differ (rows in a table that had none, other
    rows in one that had some) and one the sequences that moved; only those tables are emptied, the snapshot's rows put
    back and the sequences set back. DELETE, as a test's rows are few: a TRUNCATE makes new files and catalogue rows
    for each table, and must take every table with a foreign key to one it empties (measured after a test's world and
    two reports: DELETE 80 ms; TRUNCATE of the 21 changed tables, 79 with those, 1.6 s; Django's flush 2.2 s). The triggers of django-pgtrigger (append-only audit tables, pghistory's
    records) are ignored in that transaction only, as putting a migration's rows back must neither be refused nor
    recorded; the application's connections keep them.
    """

    def __init__(self, connection) -> None:
        self.connection = connection
        self.name = connection.settings_dict["NAME"]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            tables = _referenced_first(cursor, connection.introspection.table_names(cursor))
            cursor.execute("SELECT " + ", ".join(f"EXISTS (SELECT FROM {quote(table)})" for table in tables), [])
            filled = [table for table, has_rows in zip(tables, cursor.fetchone(), strict=True) if has_rows]
            # Each row as the text of its record: exact for every type, and read back by a cast to the table's type.
            self.rows = {}
            for table in filled:
                cursor.execute(f"SELECT {_ROW}::text FROM {quote(table)} {_ROW}", [])
                self.rows[table] = [row for (row,) in cursor.fetchall()]
            digests = {}
            if filled:
                cursor.execute("SELECT " + ", ".join(_digest_sql(quote(table)) for table in filled), [])
                digests = dict(zip(filled, cursor.fetchone(), strict=True))
            self._inserts = {table: _insert_sql(cursor, quote(table)) for table in filled}
            self.sequences = _sequences(cursor)
            cursor.execute(
                "SELECT coalesce(array_agg(DISTINCT tgname::text), '{}') FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgrelid = ANY (%s::regclass[])",
                [[quote(table) for table in tables]],
            )
            self._triggers = "{" + ",".join(cursor.fetchone()[0]) + "}"
        self._tables = tables
        self._differs_sql = "SELECT " + ", ".join(
            f"{_digest_sql(quote(table))} IS DISTINCT FROM %s"
            if table in digests
            else f"EXISTS (SELECT FROM {quote(table)})"
            for table in tables
        )
        self._differs_params = [digests[table] for table in tables if table in digests]

    def covers(self, aliases) -> bool:
        """True for a test of this snapshot's database alone (not, say, of the demo database a module points at)."""
        return list(aliases) == [self.connection.alias] and self.connection.settings_dict["NAME"] == self.name

    def reset(self) -> None:
        """Put back the snapshot where the database differs from it: nothing when it does not."""
        from django.db import transaction

        quote = self.connection.ops.quote_name
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute(self._differs_sql, self._differs_params)
            changed = [table for table, differs in zip(self._tables, cursor.fetchone(), strict=True) if differs]
            moved = [
                (name, *self.sequences[name])
                for name, state in _sequences(cursor).items()
                if name in self.sequences and state[0] != self.sequences[name][0]  # a test's own sequence stays
            ]
            if changed:
                cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [self._triggers])
                # Referencing tables first, as a foreign key not deferred to the commit (Django's are) would want.
                cursor.execute("; ".join(f"DELETE FROM {quote(table)}" for table in reversed(changed)), [])
                for table in changed:
                    if table in self.rows:
                        cursor.execute(self._inserts[table], [self.rows[table]])
            if moved:
                # A sequence never used has no last value: it starts again from its first.
                cursor.execute(
                    "SELECT " + ", ".join("setval(%s, %s, %s)" for _ in moved),
                    [
                        p
                        for name, last, start in moved
                        for p in (name, start if last is None else last, last is not None)
                    ],
                )


_ROW = "snapshot_row"


def _digest_sql(table: str) -> str:
    return f"(SELECT md5(string_agg({_ROW}::text, chr(10) ORDER BY {_ROW}::text)) FROM {table} {_ROW})"


def _insert_sql(cursor, table: str) -> str:
    """INSERT of the table's rows given as the text of each record, ids included."""
    cursor.execute(
        "SELECT array_agg(quote_ident(attname) ORDER BY attnum) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''",
        [table],
    )
    columns = ", ".join(cursor.fetchone()[0])
    return f"INSERT INTO {table} ({columns}) OVERRIDING SYSTEM VALUE SELECT {columns} FROM unnest(%s::{table}[])"


def _sequences(cursor) -> dict[str, tuple]:
    """Name: (last value, None while unused; first value) of each sequence on the search path."""
    cursor.execute(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value, start_value "
        "FROM pg_sequences WHERE schemaname = ANY (current_schemas(false))",
        [],
    )
    return {name: (last, start) for name, last, start in cursor.fetchall()}


def _referenced_first(cursor, tables: list[str]) -> list[str]:
    """The tables, each after those its foreign keys point to (in name order where a cycle leaves no such order)."""
    cursor.execute(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid <> confrelid",
        [],
    )
    graph = {table: set() for table in sorted(tables)}
    for table, target in cursor.fetchall():
        if table.strip('"') in graph and target.strip('"') in graph:
            graph[table.strip('"')].add(target.strip('"'))
    try:
        return list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError:
        return sorted(tables)
