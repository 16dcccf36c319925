"""Where the CPU of a `make load` scenario goes: each server's and the load generator's CPU seconds over the
scenario (psutil, sampled every second), each request's own CPU in its gunicorn worker thread
(bench/load/gunicorn_measured.py), and, with --profile, a py-spy profile of the workers summarised by the
project code it spends its time in.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import psutil


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process, of its live descendants, and of the children it has already reaped (a gunicorn
    worker recycled by max_requests, a PostgreSQL backend that closed its connection)."""
    try:
        root = psutil.Process(pid)
        times = root.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        children = root.children(recursive=True)
    except psutil.Error:
        return 0.0
    for child in children:
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy since boot (every process, the other users' too)."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0) - getattr(times, "guest", 0.0)


class CpuMeter:
    """Samples every role's CPU seconds once a second between start() and stop(); a role whose process
    restarts (PostgreSQL, Redis in the fault scenarios) counts each of its processes from when it was seen."""

    def __init__(self, roles: dict[str, Callable[[], int | None]], every: float = 1.0):
        self.roles = roles
        self.every = every
        self.first: dict[str, dict[int, float]] = defaultdict(dict)
        self.last: dict[str, dict[int, float]] = defaultdict(dict)
        self.busy = [0.0, 0.0]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self, starting: bool = False) -> None:
        for role, pid_of in self.roles.items():
            pid = pid_of()
            if not pid:
                continue
            value = tree_cpu(pid)
            if pid not in self.first[role]:
                self.first[role][pid] = value if starting else 0.0
            self.last[role][pid] = max(value, self.last[role].get(pid, 0.0))

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def start(self) -> None:
        self.busy[0] = machine_busy()
        self._sample(starting=True)
        self._thread.start()

    def stop(self) -> dict[str, float]:
        """CPU seconds by role over the scenario, and "machine": the whole machine's busy seconds."""
        self._stop.set()
        self._thread.join()
        self._sample()
        self.busy[1] = machine_busy()
        seconds = {
            role: sum(self.last[role][pid] - first for pid, first in self.first[role].items()) for role in self.roles
        }
        seconds["machine"] = self.busy[1] - self.busy[0]
        return seconds


def request_cpu(path: Path, since: float, until: float) -> dict[str, list[float]]:
    """CPU ms of each request the workers logged between `since` and `until` (epoch seconds), by step."""
    by_step: dict[str, list[float]] = defaultdict(list)
    if not path.exists():
        return by_step
    for line in path.read_text().splitlines():
        at, step, _status, cpu_ms, _wall_ms = line.split(",")
        if since <= float(at) <= until:
            by_step[step].append(float(cpu_ms))
    return by_step


def start_profile(master_pid: int, out: Path, seconds: int) -> subprocess.Popen:
    """py-spy sampling gunicorn's workers (20 Hz, without pausing them) for `seconds`, raw collapsed stacks."""
    argv = [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(master_pid), "--subprocesses", "--rate", "20", "--nonblocking",
            "--format", "raw", "--output", str(out), "--duration", str(seconds)]  # fmt: skip
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


# Where a sample is, by the first of these found in its stack (innermost frame first): a label and the substrings
# of a frame that place it there.
PLACES = [
    ("password hashing", ("hashers.py",)),
    ("database driver (psycopg2, sending and reading)", ("django/db/backends/",)),
    ("template rendering", ("django/template/",)),
    ("ORM: building SQL and rows", ("django/db/models/",)),
    ("sessions", ("contrib/sessions/",)),
    ("forms", ("django/forms/",)),
    ("middleware", ("middleware",)),
]


PROJECT = ("tianjin_towns/", "coordination/", "ledgers/", "inspections/", "assessments/")  # py-spy's paths
PASSING = ("middleware.py", "input_limits.py", "wsgi.py")  # every request passes through them: no place of its own


def _place(stack: str) -> str:
    for frame in reversed(stack.split(";")):
        for label, marks in PLACES:
            if any(mark in frame for mark in marks):
                return label
    return "other"


def profile_summary(raw: Path, top: int = 15) -> str:
    """The profile as markdown: the share of samples by place, and the project functions with the most samples
    inside them (inclusive), from py-spy's raw output (one `frame;frame;… count` line per stack)."""
    if not raw.exists():
        return "(no profile)"
    places: Counter = Counter()
    functions: Counter = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        places[_place(stack)] += n
        seen = set()
        for frame in stack.split(";"):
            name, _, where = frame.partition(" (")
            where = where.split(":", 1)[0]
            if not where.startswith(PROJECT) or where.endswith(PASSING):
                continue
            key = f"{where}::{name}"
            if key not in seen:
                seen.add(key)
                functions[key] += n
    if not total:
        return "(empty profile)"
    lines = ["| where | share of samples |", "| --- | ---: |"]
    lines += [f"| {label} | {n / total:.0%} |" for label, n in places.most_common()]
    lines += ["", "| project function (inclusive) | share of samples |", "| --- | ---: |"]
    lines += [f"| `{key}` | {n / total:.0%} |" for key, n in functions.most_common(top)]
    return "\n".join(lines)


def wait_briefly(proc: subprocess.Popen | None, seconds: float = 30) -> None:
    if proc is None:
        return
    deadline = time.monotonic() + seconds
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    if proc.poll() is None:
        proc.terminate()
