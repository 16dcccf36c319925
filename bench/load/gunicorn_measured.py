"""gunicorn for `make load`: deploy/gunicorn.conf.py exactly as production runs it, plus the CPU each request
costs the worker thread that served it, written to LOAD_CPU_LOG (epoch seconds, step, status, CPU ms, wall ms).

The step is the name locust gives the request (its X-Load-Step header). A gthread worker runs a request from
pre_request to post_request in one thread, so time.thread_time() over that span is the request's own Python CPU
(hashing included, waiting for PostgreSQL or for the GIL not).
"""

import os
import threading
import time
from pathlib import Path

_PRODUCTION = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"
exec(compile(_PRODUCTION.read_text(), str(_PRODUCTION), "exec"))

_CPU_LOG = os.environ.get("LOAD_CPU_LOG", "")
_started = threading.local()


def pre_request(worker, req):
    _started.cpu, _started.wall = time.thread_time(), time.perf_counter()


def post_request(worker, req, environ, resp):
    if not _CPU_LOG or not hasattr(_started, "cpu"):
        return
    cpu_ms = (time.thread_time() - _started.cpu) * 1000
    wall_ms = (time.perf_counter() - _started.wall) * 1000
    step = environ.get("HTTP_X_LOAD_STEP", "-").replace(",", " ")
    line = f"{time.time():.3f},{step},{resp.status_code},{cpu_ms:.2f},{wall_ms:.1f}\n"
    # O_APPEND: the lines of every worker and thread land whole in the one file.
    fd = os.open(_CPU_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def post_worker_init(worker):
    """Each worker says when it has loaded the application: run.py starts the burst only once all have (a worker
    still importing Django when the first officers arrive would count its start-up against their requests)."""
    ready = os.environ.get("LOAD_WORKERS_READY", "")
    if ready:
        fd = os.open(ready, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{os.getpid()}\n".encode())
        finally:
            os.close(fd)
