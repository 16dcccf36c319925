"""The measurements behind `make bench`: server time of the dashboards and the ledger page against their
bare-SQL floors, and the Excel export against bare openpyxl write-only writing the same cells."""

import cProfile
import datetime
import importlib
import os
import pstats
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from coordination.models import Town
from ledgers import exports
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


# --- Export -------------------------------------------------------------------------------------------


@dataclass
class ExportResult:
    name: str
    towns: int
    rows: int
    cells: int
    seconds: float
    floor_styled_seconds: float
    floor_plain_seconds: float

    @property
    def cells_per_second(self) -> float:
        return self.cells / self.seconds

    @property
    def floor_styled_rate(self) -> float:
        return self.cells / self.floor_styled_seconds

    @property
    def floor_plain_rate(self) -> float:
        return self.cells / self.floor_plain_seconds


def _own(style):
    """The style object behind a cell's read-only proxy, reusable in another workbook."""
    return getattr(style, "_StyleProxy__target", style)


class _Recorder:
    """Wraps WriteOnlyWorksheet.append to count what the export writes and, with `keep`, the cells:
    (value, style number) per cell, and the style objects of each distinct style once."""

    def __init__(self, keep: bool):
        self.keep = keep
        self.sheets: dict[str, list] = defaultdict(list)
        self.styles: dict[tuple, int] = {}
        self.style_objects: list[tuple] = []
        self.rows = 0
        self.cells = 0
        self.original = WriteOnlyWorksheet.append

    def _style(self, cell) -> int | None:
        if not hasattr(cell, "_style"):
            return None
        key = tuple(cell._style)
        number = self.styles.get(key)
        if number is None:
            number = self.styles[key] = len(self.style_objects)
            self.style_objects.append(
                (_own(cell.font), _own(cell.fill), _own(cell.border), _own(cell.alignment), cell.number_format)
            )
        return number

    def __enter__(self):
        recorder = self

        def append(ws, row):
            row = list(row)
            recorder.rows += 1
            recorder.cells += len(row)
            if recorder.keep:
                recorder.sheets[ws.title].append([(getattr(c, "value", c), recorder._style(c)) for c in row])
            return recorder.original(ws, row)

        WriteOnlyWorksheet.append = append
        return self

    def __exit__(self, *exc):
        WriteOnlyWorksheet.append = self.original


def _floor(recorded: _Recorder, styled: bool) -> float:
    """Bare openpyxl write-only: the same sheets, rows and cells, with the same styles applied the fastest
    way openpyxl offers (each distinct style resolved once, then its style array copied to each cell),
    or values only."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        workbook = Workbook(write_only=True)
        for title, rows in recorded.sheets.items():
            ws = workbook.create_sheet(title)
            arrays = []
            if styled:
                for font, fill, border, alignment, number_format in recorded.style_objects:
                    cell = WriteOnlyCell(ws)
                    cell.font, cell.fill, cell.border, cell.alignment = font, fill, border, alignment
                    cell.number_format = number_format
                    arrays.append(cell._style)
            for row in rows:
                if styled:
                    cells = []
                    for value, style in row:
                        cell = WriteOnlyCell(ws, value=value)
                        if style is not None:
                            cell._style = StyleArray(arrays[style])
                        cells.append(cell)
                    ws.append(cells)
                else:
                    ws.append([value for value, _style in row])
        workbook.save(output)
        return time.perf_counter() - started


def export_scope(name: str, towns, year: int, *, runs: int, reference: ExportResult | None = None, log=print):
    """The export timed `runs` times (best kept), recording the cells on an extra, untimed run for the
    floors; with a `reference`, no floors of its own: the reference's floor rates (cells per second of
    the same kinds of cells) stand for them, which keeps the city-wide run to one pass."""
    times = []
    for _run in range(runs):
        with _Recorder(keep=False) as counted, tempfile.TemporaryFile() as output:
            started = time.perf_counter()
            exports.write_ledger_workbook(output, towns=towns, year=year)
            times.append(time.perf_counter() - started)
    seconds = min(times)
    if reference is None:
        with _Recorder(keep=True) as recorded, tempfile.TemporaryFile() as output:
            exports.write_ledger_workbook(output, towns=towns, year=year)
        styled = min(_floor(recorded, styled=True) for _ in range(runs))
        plain = min(_floor(recorded, styled=False) for _ in range(runs))
    else:
        styled = counted.cells / reference.floor_styled_rate
        plain = counted.cells / reference.floor_plain_rate
    result = ExportResult(name, towns.count(), counted.rows, counted.cells, seconds, styled, plain)
    log(
        f"  {name}: {result.rows} rows, {result.cells} cells, {result.seconds:.1f} s, "
        f"{result.cells_per_second:,.0f} cells/s (floor {result.floor_styled_rate:,.0f} styled, "
        f"{result.floor_plain_rate:,.0f} values only)"
    )
    return result


def peak_memory(towns, year: int) -> tuple[int, int]:
    """(peak traced bytes, rows) of one export written to a file."""
    with _Recorder(keep=False) as recorded:
        tracemalloc.start()
        try:
            with tempfile.TemporaryFile() as output:
                exports.write_ledger_workbook(output, towns=towns, year=year)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return peak, recorded.rows


TIME_SPLIT = (
    # (label, file fragment, function name): cumulative time of these calls under cProfile
    ("assigning styles to cells (openpyxl hashes and looks up each font, border, alignment, format)",
     "openpyxl/styles/styleable.py", "__set__"),
    ("serialising cells to XML", "openpyxl/cell/_writer.py", ""),
    ("creating cells", "openpyxl/cell/cell.py", "WriteOnlyCell"),
    ("reading the rows from the database", "django/db/models/query.py", "__iter__"),
)  # fmt: skip


def where_time_goes(towns, year: int) -> list[tuple[str, float]]:
    """Share of the export's time (cProfile, cumulative) spent in the steps that dominate it."""
    profile = cProfile.Profile()
    with tempfile.TemporaryFile() as output:
        profile.runcall(exports.write_ledger_workbook, output, towns=towns, year=year)
    stats = pstats.Stats(profile)
    total = max(ct for (_cc, _nc, _tt, ct, _callers) in stats.stats.values()) or 1
    split = []
    for label, fragment, name in TIME_SPLIT:
        seconds = 0.0
        for (filename, _line, function), (_cc, _nc, _tt, ct, callers) in stats.stats.items():
            if fragment in filename and (not name or function == name):
                # Count only calls from outside the group, so recursion is not counted twice.
                if not any(fragment in caller[0] and (not name or caller[2] == name) for caller in callers):
                    seconds += ct
        split.append((label, seconds / total * 100))
    return split


def exports_all(generated, log=print) -> dict:
    year = dates.last_ended_period().year - 1  # the last full year
    districts = generated.district_ids
    one = Town.objects.filter(district_id=districts[0])
    city = Town.objects.all()
    exports.write_ledger_workbook(
        tempfile.TemporaryFile(), towns=Town.objects.filter(pk=generated.town_ids[0]), year=year
    )
    district = export_scope("district-year", one, year, runs=2, log=log)
    results = [district, export_scope("city-year", city, year, runs=1, reference=district, log=log)]
    # Memory at 1× and 4× the rows: a quarter of a district against a whole one (tracemalloc slows the
    # export threefold, so the slices stay small); the split of time on the same quarter.
    ids = list(one.order_by("unit__order").values_list("pk", flat=True))
    quarter = Town.objects.filter(pk__in=ids[: len(ids) // 4])
    peak_1, rows_1 = peak_memory(quarter, year)
    peak_4, rows_4 = peak_memory(one, year)
    log(f"  peak memory: {peak_1 / 2**20:.1f} MiB at {rows_1} rows, {peak_4 / 2**20:.1f} MiB at {rows_4} rows")
    split = where_time_goes(quarter, year)
    return {
        "year": year,
        "results": results,
        "memory": {
            "rows_1": rows_1,
            "peak_1": peak_1,
            "rows_4": rows_4,
            "peak_4": peak_4,
            "towns_1": quarter.count(),
            "towns_4": one.count(),
        },
        "split": split,
    }


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
