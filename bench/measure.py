"""The measurements behind `make bench`: server time of the dashboards and the ledger page against their
bare-SQL floors (the Excel export's are in bench/exports.py)."""

import datetime
import importlib
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coordination.models import Town
from tianjin_towns.lib import dates

from . import floors

DASHBOARD_RUNS = 40  # p95 of 40 is the second slowest: one stray slow request does not decide it
LEDGER_RUNS = 3
BASE_FLOOR_RUNS = 5  # the floor without the summary table: informational, and slow at province scale
WARMUP = 2
EMPTY_REQUEST = "signed-in request doing nothing (session keepalive)"
NAVBAR = "navigation bar alone (on every page)"
PAGE_FRAME = "page frame alone (the base template with the navigation bar, no content)"


@dataclass
class Timing:
    p50: float  # milliseconds
    p95: float
    runs: int


def _timing(samples: list[float]) -> Timing:
    ordered = sorted(samples)
    p95_index = max(0, min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1))
    return Timing(p50=statistics.median(ordered) * 1000, p95=ordered[p95_index] * 1000, runs=len(samples))


@dataclass
class PageResult:
    name: str
    url: str
    timing: Timing
    queries: int
    floor: Timing | None  # the page's own figure statements, run bare
    floor_statements: int
    base_floor: Timing | None = None  # hand-written SQL over the base tables (no summary table)

    @property
    def ratio(self) -> float | None:
        return self.timing.p95 / self.floor.p95 if self.floor else None

    @property
    def base_ratio(self) -> float | None:
        return self.timing.p95 / self.base_floor.p95 if self.base_floor else None


def dashboard_statements(user, level: str, unit: int | None, year: int) -> list[str]:
    """The SQL the dashboard runs for its figures (everything after the door), as sent to the database."""
    from assessments import dashboards

    scope = dashboards.get_dashboard_scope_for_user(user, level, unit)
    dashboards.build_dashboard(scope, year=year)  # the working-day calendar is cached from here on
    with CaptureQueriesContext(connection) as queries:
        dashboards.build_dashboard(scope, year=year)
    return [query["sql"] for query in queries.captured_queries]


def time_page(client: Client, url: str, runs: int, status: int = 200) -> tuple[Timing, int]:
    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code, response.content[:500])
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == status, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return _timing(samples), len(queries.captured_queries)


def time_in_turns(client: Client, urls: list[str], statements: list[str], runs: int) -> tuple[list[Timing], Timing]:
    """The floor and the pages timed in turns (floor, page, API, floor, page, API, …), so whatever else
    the machine does at a moment (a checkpoint, autovacuum) falls on the floor and the pages alike."""
    for _ in range(WARMUP):
        floors.run(statements, None)
        for url in urls:
            client.get(url)
    floor, samples = [], {url: [] for url in urls}
    for _ in range(runs):
        started = time.perf_counter()
        floors.run(statements, None)
        floor.append(time.perf_counter() - started)
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            samples[url].append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
    return [_timing(samples[url]) for url in urls], _timing(floor)


def time_template(user, template: str, runs: int) -> tuple[Timing, int]:
    """A template rendered alone for the user, as within a request to the dashboard: the navigation bar
    (its counters: 待我处理, problems, notifications), or the base template every page extends."""
    from django.contrib.messages.storage import default_storage
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.urls import resolve

    from coordination.permissions import remembered_unit_grants

    def render():
        request = RequestFactory().get("/dashboard/")
        request.user, request.resolver_match = user, resolve("/dashboard/")
        request.session = {}  # no message waits: the frame as most pages show it
        request._messages = default_storage(request)
        with remembered_unit_grants():  # as in a request: the user's grants read once
            render_to_string(template, {"user": user, "request": request}, request=request)

    for _ in range(WARMUP):
        render()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        render()
        samples.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        render()
    return _timing(samples), len(queries.captured_queries)


def time_floor(statements: list[str], values: dict, runs: int) -> Timing:
    for _ in range(WARMUP):
        floors.run(statements, values)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        floors.run(statements, values)
        samples.append(time.perf_counter() - started)
    return _timing(samples)


def pages(generated, log=print) -> tuple[list[PageResult], dict]:
    """Every dashboard (page and API), the cadence panel and the ledger page, each with its floor."""
    today = dates.today()
    year = dates.last_ended_period(today).year
    month = dates.last_ended_period(today).month
    district = generated.district_ids[0]
    town = Town.objects.filter(district_id=district).order_by("unit__order").values_list("pk", flat=True).first()
    leader = get_user_model().objects.get(pk=generated.users["leader"])
    client = Client()
    client.force_login(leader)
    # Load the application as a production worker does (tianjin_towns/wsgi.py, which also freezes what
    # is loaded by then out of the garbage collector's full collections).
    importlib.import_module("tianjin_towns.wsgi")
    results = []
    # What every signed-in request costs before its own work (session, user, middleware): the session
    # keepalive answers 204 and does nothing else.
    timing, queries = time_page(client, "/session/keepalive/", DASHBOARD_RUNS, status=204)
    results.append(PageResult(EMPTY_REQUEST, "/session/keepalive/", timing, queries, None, 0))
    log(f"  signed-in request doing nothing: p95 {timing.p95:.1f} ms, {queries} queries")
    for level, unit, query in (
        ("city", None, f"level=city&year={year}"),
        ("district", district, f"level=district&id={district}&year={year}"),
        ("town", town, f"level=town&id={town}&year={year}"),
    ):
        base = time_floor(floors.dashboard_statements(level), floors.params(year, month, unit, today), BASE_FLOOR_RUNS)
        statements = dashboard_statements(leader, level, unit, year)
        urls = {"page": f"/dashboard/?{query}", "API": f"/api/v1/dashboard/?{query}"}
        timings, floor = time_in_turns(client, list(urls.values()), statements, DASHBOARD_RUNS)
        for (kind, url), timing in zip(urls.items(), timings, strict=True):
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            queries = len(captured.captured_queries)
            results.append(
                PageResult(f"{level} dashboard ({kind})", url, timing, queries, floor, len(statements), base)
            )
            log(
                f"  {results[-1].name}: p95 {timing.p95:.0f} ms, floor p95 {floor.p95:.0f} ms "
                f"(base tables {base.p95:.0f} ms), {queries} queries"
            )
    timing, queries = time_template(leader, "includes/navbar.html", DASHBOARD_RUNS)
    results.append(PageResult(NAVBAR, "includes/navbar.html", timing, queries, None, 0))
    log(f"  navigation bar: p95 {timing.p95:.0f} ms, {queries} queries")
    timing, queries = time_template(leader, "base.html", DASHBOARD_RUNS)
    results.append(PageResult(PAGE_FRAME, "base.html", timing, queries, None, 0))
    log(f"  page frame: p95 {timing.p95:.0f} ms, {queries} queries")
    cadence_url = f"/dashboard/cadence/?level=city&year={year}"
    timing, queries = time_page(client, cadence_url, 5)
    results.append(PageResult("city cadence panel (htmx)", cadence_url, timing, queries, None, 0))
    log(f"  cadence panel: p95 {timing.p95:.0f} ms, {queries} queries")
    ledger_year = year - 1
    for level, unit, query in (
        ("city", None, f"year={ledger_year}&indicator=fixed_asset_investment"),
        ("district", district, f"year={ledger_year}&district={district}&indicator=fixed_asset_investment"),
    ):
        values = floors.params(ledger_year, 12, unit, today)
        statements = floors.ledger_statements(level)
        floor = time_floor(statements, values, LEDGER_RUNS)
        timing, queries = time_page(client, f"/ledger/?{query}", LEDGER_RUNS)
        results.append(PageResult(f"{level} ledger page", f"/ledger/?{query}", timing, queries, floor, len(statements)))
        log(f"  {results[-1].name}: p95 {timing.p95:.0f} ms, floor p95 {floor.p95:.0f} ms, {queries} queries")
    # Exactness: the city totals of the API equal the floor's.
    api = client.get(f"/api/v1/dashboard/?level=city&year={year}").json()
    floor_totals = floors.city_totals("city", floors.params(year, month, None, today))
    check = {"year": year, "month": month, "matches": True, "compared": 0}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, code FROM ledgers_indicator")
        codes = dict(cursor.fetchall())
    for indicator_id, total in floor_totals.items():
        check["compared"] += 1
        if api["totals"].get(codes[indicator_id]) != (float(total) if total % 1 else int(total)):
            check["matches"] = False
            check.setdefault("differences", []).append(
                (codes[indicator_id], api["totals"].get(codes[indicator_id]), total)
            )
    return results, check


def machine() -> dict:
    import os
    import platform

    import django
    import openpyxl

    cpu = ""
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "")
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as info:
            kib = int(next(line.split()[1] for line in info if line.startswith("MemTotal")))
            memory = f"{kib / 2**20:.0f} GiB"
    except (OSError, StopIteration):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgres": postgres,
        "openpyxl": openpyxl.__version__,
        "date": datetime.date.today().isoformat(),
        "load": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


FEED_MEMORY_TARGET = 100 * 1024 * 1024  # the whole feed as CSV under 100 MB resident (issue 18)


def feed_stream(log=print) -> dict:
    """The data-sharing feed's whole history streamed as CSV by a process of its own (bench/feed_stream.py):
    its rows, size, time and peak resident memory."""
    import json
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "bench.feed_stream"],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    log(
        f"  feed: {result['rows']:,} rows, {result['bytes'] / 1e6:.0f} MB of CSV in {result['seconds']} s, "
        f"peak memory {result['peak_rss_bytes'] / 2**20:.0f} MiB"
    )
    return result
