"""The "Dashboards and exports" section of docs/performance.md: rendered from one bench run and put in
place of the section's previous text, leaving every other section of the file as it was."""

import re
from pathlib import Path

from .measure import EMPTY_REQUEST, NAVBAR, PAGE_FRAME

SECTION = "## Dashboards and exports"
DASHBOARD_QUERIES = 20
# Issue 21's targets: p95 in milliseconds on this machine, province-scale data (a dashboard's API is judged
# by its page's target: the issue asks the APIs to answer in less).
PAGE_TARGETS = {
    "city dashboard (page)": 60,
    "city dashboard (API)": 60,
    "district dashboard (page)": 40,
    "district dashboard (API)": 40,
    "town dashboard (page)": 30,
    "town dashboard (API)": 30,
    "city cadence panel (htmx)": 40,
    "city ledger page": 150,
    "district ledger page": 60,
}
EXPORT_CELLS_PER_SECOND = 150_000  # styled cells per second, the database read included
EXPORT_CITY_SECONDS = 30  # the city-year workbook
MEMORY_GROWTH = 0.20
MINUTES = 15


def _yes(ok: bool) -> str:
    return "met" if ok else "**not met**"


def render(*, machine, sizes, generated, database_size, tables, pages, check, export, feed, elapsed) -> str:
    lines = [
        *_introduction(machine, sizes, generated, database_size, elapsed),
        *_pages_table(pages),
        *_exactness(check),
        *_export_table(export),
        *_feed(feed),
        *_targets(pages, export, elapsed),
        "",
        "Largest tables: " + ", ".join(f"{name} ({rows:,} rows, {size})" for name, rows, size in tables) + ".",
        "",
    ]
    return "\n".join(lines)


def _introduction(machine, sizes, generated, database_size, elapsed) -> list[str]:
    """How the figures were measured, on what machine, and the data they were measured on."""
    lines = [
        SECTION,
        "",
        f"Measured by `make bench` (bench/) on {machine['date']}; the run took {elapsed / 60:.1f} minutes, "
        "data generation included. Server time is the time Django takes for the request in-process "
        "(middleware, view, template), with production settings (DEBUG off). Two floors, both bare SQL run "
        "directly through the database driver and fetching every row: the *floor* is the statements the "
        "dashboard itself sends for its figures (over the month rollups of accepted figures, ledgers/summaries.py, and the timeliness tally, ledgers/tally.py), "
        "the measure of everything Django adds; the *base-table floor* is hand-written SQL computing the same "
        "figures from the monthly reports and their values without the summary (bench/floors.py), the cost "
        "the summary saves. The targets are issue 21's: absolute p95 times on this machine; the floors are "
        "reported beside them, for where the time goes.",
        "",
        "**Machine.** "
        f"{machine['cpu']}, {machine['cores']} cores, {machine['memory']} memory; {machine['os']}; "
        f"load average {machine['load']} when the measurements began (other work shares the machine); "
        f"PostgreSQL {machine['postgres']}, Python {machine['python']}, Django {machine['django']}, "
        f"openpyxl {machine['openpyxl']}.",
        "",
        "**Data.** "
        f"{sizes.towns:,} towns in {sizes.districts} districts, {sizes.years} years of monthly reports "
        f"({generated.first_period:%Y-%m} to {generated.last_period:%Y-%m}), {sizes.projects_per_town} projects "
        f"per town; database {database_size}.",
        "",
        "| table | rows |",
        "| --- | ---: |",
    ]
    lines += [f"| {name.replace('_', ' ')} | {count:,} |" for name, count in generated.counts.items()]
    lines += [
        "",
        "Late reports about 8 %, missing about 2.5 % (half never opened, half a draft never submitted); the "
        "last ended month is left in every workflow state. Generation: "
        + ", ".join(f"{name} {seconds} s" for name, seconds in generated.seconds.items())
        + ".",
    ]
    if generated.skipped:
        lines += ["", "Not generated: " + "; ".join(generated.skipped) + "."]
    return lines


def _pages_table(pages) -> list[str]:
    """The dashboards and the ledger page: times, queries and floors, one row per page."""
    lines = [
        "",
        "### Dashboards and the ledger page",
        "",
        f"Each page requested {pages[0].timing.runs} times after two warm-up requests by the city leader "
        "(the ledger pages fewer times), a dashboard's floor, page and API timed in turns (floor, page, API, "
        "floor, …) so that whatever else the machine does at a moment falls on all three; p50/p95 in milliseconds; queries are every SQL statement of one "
        "request (session, navigation bar counters and audit context included). The application is loaded "
        "as a production worker loads it (tianjin_towns/wsgi.py, which freezes what is loaded out of the "
        "garbage collector's full collections). The first row is what every signed-in request costs before "
        "its own work: the session keepalive, which reads the session and the user and answers 204.",
        "",
        "| page | p50 | p95 | queries | target (p95) | verdict | floor p95 | p95 ÷ floor p95 | base-table floor p95 |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    return lines + [_page_row(page) for page in pages]


def _page_verdict(page) -> str:
    """Whether a page meets issue 21's p95 target (and a dashboard its query bound); '—' for the parts."""
    target = PAGE_TARGETS.get(page.name)
    if target is None:
        return "— (part of every page above)" if page.name in (EMPTY_REQUEST, NAVBAR, PAGE_FRAME) else "—"
    fast = page.timing.p95 <= target
    if "dashboard" not in page.name:
        return _yes(fast)
    few = page.queries <= DASHBOARD_QUERIES
    return _yes(fast and few) + ("" if fast or not few else " (time)") + ("" if few or not fast else " (queries)")


def _page_row(page) -> str:
    floor, target = page.floor, PAGE_TARGETS.get(page.name)
    return (
        f"| {page.name} | {page.timing.p50:.0f} | {page.timing.p95:.0f} | {page.queries} | "
        + (f"≤ {target} ms" if target else "—")
        + f" | {_page_verdict(page)} | "
        + (f"{floor.p95:.0f} | {page.ratio:.2f}× |" if floor else "— | — |")
        + (f" {page.base_floor.p95:.0f} |" if page.base_floor else " — |")
    )


def _exactness(check) -> list[str]:
    """Whether the city dashboard's totals equal the floor's."""
    return [
        "",
        f"Exactness: the city dashboard's `totals` ({check['year']}, January–{check['month']}) "
        + (
            f"equal the floor's for all {check['compared']} indicators."
            if check["matches"]
            else f"differ from the floor's: {check.get('differences')}."
        ),
    ]


def _memory_growth(memory) -> float:
    """How much more the export's peak memory is for the larger slice than for the smaller."""
    return memory["peak_4"] / memory["peak_1"] - 1


def _rate_verdict(result) -> str:
    return _yes(result.cells_per_second >= EXPORT_CELLS_PER_SECOND)


def _export_table(export) -> list[str]:
    """The Excel export: every candidate writer on the same rows, the production one city-wide, the peak memory
    of each and where the production writer's time goes."""
    chosen = next(c for c in export["candidates"] if c.key == export["chosen"])
    district, city = export["results"]
    lines = [
        "",
        "### Excel export",
        "",
        f"`ledgers.exports.write_ledger_workbook` for {export['year']}, written to a file through each candidate "
        "writer of `ledgers/export_writers.py`, the database read included: the district-year best of two runs; "
        "the city-year one run, for the production writer only (the others' city-year seconds are estimated from "
        "their district-year rate). Every writer writes the same workbook, cell for cell "
        "(`ledgers/tests/test_export_equivalence.py`). Peak memory: Python allocations traced by tracemalloc during "
        "the export, for a quarter of the district and the whole district. Targets: at least "
        f"{EXPORT_CELLS_PER_SECOND:,} styled cells/s, the city-year workbook in at most {EXPORT_CITY_SECONDS} s, "
        f"memory growth under {MEMORY_GROWTH * 100:.0f} % at 4× the rows.",
        "",
        f"| writer | district-year cells/s | target ≥ {EXPORT_CELLS_PER_SECOND:,} | city-year seconds | "
        f"target ≤ {EXPORT_CITY_SECONDS} s | peak memory 1× / 4× (MiB) | growth | target < "
        f"{MEMORY_GROWTH * 100:.0f} % |",
        "| --- | ---: | --- | ---: | --- | ---: | ---: | --- |",
    ]
    for candidate in export["candidates"]:
        rate = candidate.district.cells_per_second
        if candidate.city is not None:
            city_seconds = candidate.city.seconds
            city_text = f"{city_seconds:.1f}"
        else:
            city_seconds = city.cells / rate
            city_text = f"≈ {city_seconds:.0f} (est.)"
        memory = candidate.memory
        growth = _memory_growth(memory)
        label = f"**{candidate.name}** (production)" if candidate is chosen else candidate.name
        lines.append(
            f"| {label} | {rate:,.0f} | {_rate_verdict(candidate.district)} | {city_text} | "
            f"{_yes(city_seconds <= EXPORT_CITY_SECONDS)} | {memory['peak_1'] / 2**20:.1f} / "
            f"{memory['peak_4'] / 2**20:.1f} | {growth * 100:.0f} % | {_yes(growth < MEMORY_GROWTH)} |"
        )
    lines += [
        "",
        f"The production writer ({chosen.name}):",
        "",
        f"| scope | towns | rows | cells | seconds | cells/s | target ≥ {EXPORT_CELLS_PER_SECOND:,} |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in (district, city):
        lines.append(
            f"| {result.name} | {result.towns:,} | {result.rows:,} | {result.cells:,} | {result.seconds:.1f} | "
            f"{result.cells_per_second:,.0f} | {_rate_verdict(result)} |"
        )
    memory = export["memory"]
    lines += [
        "",
        f"Peak memory: {memory['peak_1'] / 2**20:.1f} MiB for {memory['towns_1']} towns ({memory['rows_1']:,} rows), "
        f"{memory['peak_4'] / 2**20:.1f} MiB for {memory['towns_4']} towns ({memory['rows_4']:,} rows, "
        f"{memory['rows_4'] / memory['rows_1']:.1f}×).",
        "",
        "Where the production writer's time goes (the quarter district under cProfile, each function's own time "
        "by kind of work): " + ", ".join(f"{name} {share:.0f} %" for name, share in export["split"]) + ".",
    ]
    return lines


def _beyond_fixed_costs(page, empty, frame) -> str:
    """What a dashboard costs beyond every signed-in request (and, for a page, beyond the page frame)."""
    beyond = ""
    if empty is not None:
        own = page.timing.p95 - empty.timing.p95
        beyond = (
            f" Beyond what every signed-in request costs ({empty.timing.p95:.0f} ms): {own:.0f} ms, "
            f"{own / page.floor.p95:.2f}× the floor."
        )
    if empty is not None and frame is not None and page.name.endswith("(page)"):
        fixed = empty.timing.p95 + frame.timing.p95
        own = page.timing.p95 - fixed
        beyond += (
            f" Beyond that and the page frame every page renders ({frame.timing.p95:.0f} ms, so {fixed:.0f} ms "
            f"before any figure): {own:.0f} ms, {own / page.floor.p95:.2f}× the floor."
        )
    return beyond


def _targets(pages, export, elapsed) -> list[str]:
    """Each target of the issue, met or not."""
    lines = ["", "### Targets", ""]
    dashboards = [p for p in pages if "dashboard" in p.name and p.floor]
    empty = next((p for p in pages if p.name == EMPTY_REQUEST), None)
    frame = next((p for p in pages if p.name == PAGE_FRAME), None)
    for page in dashboards:
        lines.append(
            f"- {page.name}: p95 {page.timing.p95:.0f} ms, target ≤ {PAGE_TARGETS[page.name]} ms "
            f"({_page_verdict(page)}); {page.queries} queries ({_yes(page.queries <= DASHBOARD_QUERIES)})."
            + _beyond_fixed_costs(page, empty, frame)
        )
    for page in pages:
        if page.name in PAGE_TARGETS and "dashboard" not in page.name:
            lines.append(
                f"- {page.name}: p95 {page.timing.p95:.0f} ms, target ≤ {PAGE_TARGETS[page.name]} ms "
                f"({_page_verdict(page)})."
            )
    district, city = export["results"]
    lines += [
        f"- Export ({export['chosen']}), district-year: {district.cells_per_second:,.0f} cells/s, target "
        f"≥ {EXPORT_CELLS_PER_SECOND:,} ({_rate_verdict(district)}).",
        f"- Export ({export['chosen']}), city-year: {city.cells_per_second:,.0f} cells/s ({_rate_verdict(city)}); "
        f"{city.seconds:.1f} s, target ≤ {EXPORT_CITY_SECONDS} s ({_yes(city.seconds <= EXPORT_CITY_SECONDS)}).",
    ]
    memory = export["memory"]
    growth = _memory_growth(memory)
    lines += [
        f"- Export peak memory growth at {memory['rows_4'] / memory['rows_1']:.1f}× rows: {growth * 100:.0f} % "
        f"({_yes(growth < MEMORY_GROWTH)}).",
        f"- `make bench` in under {MINUTES} minutes: {elapsed / 60:.1f} min ({_yes(elapsed < MINUTES * 60)}).",
        "- An accepted report changes the dashboard on the next request: asserted by "
        "`assessments/tests/test_dashboards.py` (nothing is cached; the figures are read live).",
    ]
    return lines


def write(path: Path, section: str) -> Path:
    """Replace the section in the file (or add it, creating the file), leaving other sections alone."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _match: section.rstrip("\n") + "\n\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return path


def _feed(feed: dict) -> list[str]:
    """The data-sharing feed streamed whole as CSV (issue 18) and its peak memory against the target."""
    if not feed:
        return []
    peak, base = feed["peak_rss_bytes"] / 2**20, feed["baseline_rss_bytes"] / 2**20
    added = peak - base
    met = "met" if added < 100 else "**not met**"
    return [
        "",
        "### Data-sharing feed",
        "",
        f"`GET /api/v1/accepted-figures/` with `Accept: text/csv`, the whole history an API client of another "
        f"system reads (every accepted figure of every town, bench/feed_stream.py, a process of its own): "
        f"{feed['rows']:,} rows, {feed['bytes'] / 1e6:,.0f} MB of CSV in {feed['seconds']} s "
        f"({feed['rows'] / max(feed['seconds'], 0.1):,.0f} rows/s). Peak resident memory of the process "
        f"{peak:.0f} MiB, of which {base:.0f} MiB is the worker before the request (Django and the project's "
        f"libraries loaded and a first one-row request served, as in any worker): the feed added {added:.0f} MiB, "
        f"target < 100 MB: {met}. "
        "The rows come from a server-side cursor in chunks of 5,000 and each CSV line is sent as it is written.",
    ]
