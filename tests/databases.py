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
    return _name("migrated", _digest([*migrations, ROOT / "requirements.txt"]))


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
