"""The Excel export's measurements behind `make bench` (issue 21, target 4): every candidate writer of
ledgers.export_writers on the same district-year rows, the production writer's city-year workbook, each
writer's peak memory at 1× and 4× the rows, and where the production writer's time goes."""

import cProfile
import pstats
import tempfile
import time
import tracemalloc
from collections import defaultdict
from dataclasses import dataclass

from coordination.models import Town
from ledgers import export_writers, exports
from tianjin_towns.lib import dates


@dataclass
class ExportResult:
    name: str  # the scope: district-year, city-year
    writer: str  # a key of export_writers.WRITERS
    towns: int
    rows: int
    cells: int
    seconds: float

    @property
    def cells_per_second(self) -> float:
        return self.cells / self.seconds


@dataclass
class Candidate:
    key: str
    name: str
    district: ExportResult
    city: ExportResult | None  # measured for the production writer only: the others' are estimated
    memory: dict


def _written(towns, year: int, key: str) -> tuple[float, object]:
    """(seconds, the writer with its row and cell counts) of one export written to a file, database read included."""
    made = []

    def writer(output):
        made.append(export_writers.WRITERS[key](output))
        return made[-1]

    with tempfile.TemporaryFile() as output:
        started, cpu = time.perf_counter(), time.process_time()
        exports.write_ledger_workbook(output, towns=towns, year=year, writer=writer)
        made[0].cpu_seconds = time.process_time() - cpu  # this process's alone: a sign of the machine's load
        return time.perf_counter() - started, made[0]


def export_scope(name: str, towns, year: int, key: str, *, runs: int, log=print) -> ExportResult:
    """The export through writer `key`, timed `runs` times (best kept)."""
    timed = [_written(towns, year, key) for _run in range(runs)]
    seconds, writer = min(timed, key=lambda pair: pair[0])
    result = ExportResult(name, key, towns.count(), writer.rows, writer.cells, seconds)
    log(
        f"  {name} via {key}: {result.rows} rows, {result.cells} cells, {result.seconds:.1f} s, "
        f"{result.cells_per_second:,.0f} cells/s ({writer.cpu_seconds:.1f} s of this process's CPU)"
    )
    return result


def peak_memory(towns, year: int, key: str) -> tuple[int, int]:
    """(peak traced bytes, rows) of one export through writer `key` written to a file."""
    tracemalloc.start()
    try:
        _seconds, writer = _written(towns, year, key)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, writer.rows


# The export's work by kind: a function's own time (cProfile) goes to the first group whose fragment is in its
# file name (or, for a builtin, its name); a builtin of no group (str.join, a file write) goes to its callers'.
TIME_GROUPS = (
    ("reading the rows from the database", ("django/db/", "psycopg2")),
    ("building the rows", ("ledgers/exports.py", "tianjin_towns/lib/dates.py", "coordination/models")),
    ("serialising the body rows", ("ledgers/export_writers.py",)),
    ("XlsxWriter (titles, header, styles, package)", ("xlsxwriter/",)),
    ("openpyxl", ("openpyxl/",)),
    ("compressing the file", ("zipfile", "zlib")),
)
OTHER = "other"


def _group(filename: str, function: str) -> str | None:
    for label, fragments in TIME_GROUPS:
        if any(fragment in filename or (filename == "~" and fragment in function) for fragment in fragments):
            return label
    return None


def where_time_goes(towns, year: int, key: str) -> list[tuple[str, float]]:
    """Share of the export's time (cProfile, own time of each function) by kind of work, largest first."""
    profile = cProfile.Profile()
    profile.runcall(_written, towns, year, key)
    stats = pstats.Stats(profile).stats
    seconds: dict[str, float] = defaultdict(float)
    for (filename, _line, function), (_cc, _nc, own, _ct, callers) in stats.items():
        group = _group(filename, function)
        if group is not None or filename != "~" or not callers:
            seconds[group or OTHER] += own
            continue
        by_caller = sum(caller[2] for caller in callers.values()) or 1
        for (caller_file, _caller_line, caller_function), caller in callers.items():
            seconds[_group(caller_file, caller_function) or OTHER] += own * caller[2] / by_caller
    total = sum(seconds.values()) or 1
    return sorted(((label, s / total * 100) for label, s in seconds.items()), key=lambda pair: -pair[1])


def exports_all(generated, log=print) -> dict:
    year = dates.last_ended_period().year - 1  # the last full year
    one = Town.objects.filter(district_id=generated.district_ids[0])
    city = Town.objects.all()
    chosen = next(key for key, writer in export_writers.WRITERS.items() if writer is export_writers.DEFAULT_WRITER)
    for key in export_writers.WRITERS:  # warm up: imports, the first queries
        _written(Town.objects.filter(pk=generated.town_ids[0]), year, key)
    # Memory at 1× and 4× the rows: a quarter of a district against a whole one (tracemalloc slows the
    # export threefold, so the slices stay small); the split of time on the same quarter.
    ids = list(one.order_by("unit__order").values_list("pk", flat=True))
    quarter = Town.objects.filter(pk__in=ids[: len(ids) // 4])
    candidates = []
    for key, writer in export_writers.WRITERS.items():
        district = export_scope("district-year", one, year, key, runs=2, log=log)
        city_result = export_scope("city-year", city, year, key, runs=1, log=log) if key == chosen else None
        peak_1, rows_1 = peak_memory(quarter, year, key)
        peak_4, rows_4 = peak_memory(one, year, key)
        log(
            f"  peak memory via {key}: {peak_1 / 2**20:.1f} MiB at {rows_1} rows, {peak_4 / 2**20:.1f} MiB at {rows_4} rows"
        )
        memory = {
            "rows_1": rows_1,
            "peak_1": peak_1,
            "rows_4": rows_4,
            "peak_4": peak_4,
            "towns_1": quarter.count(),
            "towns_4": one.count(),
        }
        candidates.append(Candidate(key, writer.name, district, city_result, memory))
    production = next(candidate for candidate in candidates if candidate.key == chosen)
    split = where_time_goes(quarter, year, chosen)
    log("  time of " + chosen + ": " + ", ".join(f"{label} {share:.0f} %" for label, share in split))
    return {
        "year": year,
        "chosen": chosen,
        "candidates": candidates,
        "results": [production.district, production.city],
        "memory": production.memory,
        "split": split,
    }
