"""`make bench`: build a province-scale database, measure the dashboards, the ledger page and the Excel
export, and write the results to the "Dashboards and exports" section of docs/performance.md.

    python -m bench.run            the full run (about ten minutes on two cores)
    python -m bench.run --small    a quick run on a tiny data set; prints, writes nothing
    python -m bench.run --reuse    keep the data of the last generation of the same size (no drop, no
                                   generation): for working on the code; prints, writes nothing
    python -m bench.run --reuse --only pages     one part (data, pages or exports); prints, writes nothing

The database is a separate one, tianjin_towns_bench (BENCH_DATABASE_NAME), dropped and created anew on
the server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/): the development and test
databases are never touched. Django runs with production settings (DEBUG off), static files from the
finders, so no collectstatic is needed.
"""

import argparse
import os
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def _database_urls() -> tuple[str, str]:
    """(maintenance database URL, bench database URL) on the server of DATABASE_URL."""
    base = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_SERVER)
    name = os.environ.get("BENCH_DATABASE_NAME", "tianjin_towns_bench")
    return urlunsplit(base._replace(path="/postgres")), urlunsplit(base._replace(path=f"/{name}"))


def _recreate(maintenance_url: str, bench_url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    name = urlsplit(bench_url).path.lstrip("/")
    conn = psycopg2.connect(maintenance_url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


def _exists(maintenance_url: str, bench_url: str) -> bool:
    import psycopg2

    conn = psycopg2.connect(maintenance_url)
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [urlsplit(bench_url).path.lstrip("/")])
        found = cursor.fetchone() is not None
    conn.close()
    return found


def _setup(bench_url: str) -> None:
    os.environ.update(
        DATABASE_URL=bench_url,
        DJANGO_SETTINGS_MODULE="tianjin_towns.settings",
        DJANGO_DEBUG="0",
        DJANGO_TESTING="1",  # static files from the finders and plain HTTP; everything else as in production
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
    )
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a tiny data set; print the figures, write nothing")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the bench database when it holds a finished generation of the same size; prints, writes nothing",
    )
    parser.add_argument(
        "--only",
        choices=("data", "pages", "exports", "feed"),
        help="one part (data: generate and stop); prints, writes nothing",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    maintenance_url, bench_url = _database_urls()
    _setup(bench_url)  # Django reads the settings now and connects only when first asked

    from django.core.management import call_command
    from django.db import connections

    from . import exports, generate, measure, report

    sizes = generate.Sizes(2, 5, 2, 4) if args.small else generate.Sizes()
    generated = generate.load_generated(sizes) if args.reuse and _exists(maintenance_url, bench_url) else None
    reused = generated is not None
    name = urlsplit(bench_url).path.lstrip("/")
    if reused:
        print(f"bench database: {name} (reused: the data of its last generation)")
    else:
        print(f"bench database: {name} (recreated)")
        connections.close_all()
        _recreate(maintenance_url, bench_url)
    print("migrate")
    call_command("migrate", verbosity=0)
    if not reused:
        print(f"generate: {sizes.towns} towns in {sizes.districts} districts, {sizes.years} years")
        generated = generate.Generator(sizes).run()
        generate.save_generated(sizes, generated)
    if args.only == "data":
        return 0
    machine = measure.machine()
    pages, check, export, feed = [], {}, {}, {}
    if args.only in (None, "pages"):
        print("measure pages")
        pages, check = measure.pages(generated)
    if args.only in (None, "exports"):
        print("measure exports")
        export = exports.exports_all(generated)
    if args.only in (None, "feed"):
        print("measure the data-sharing feed")
        feed = measure.feed_stream()
    if args.only:
        return 0
    elapsed = time.monotonic() - started
    text = report.render(
        machine=machine,
        sizes=sizes,
        generated=generated,
        database_size=generate.database_size(),
        tables=generate.largest_tables(),
        pages=pages,
        check=check,
        export=export,
        feed=feed,
        elapsed=elapsed,
    )
    if args.small or reused:
        print(text)
    else:
        path = report.write(ROOT / "docs" / "performance.md", text)
        print(f"wrote {path} ({elapsed / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
