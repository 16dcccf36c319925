"""Container health checks (docker-compose.yml): `python deploy/healthcheck.py web|beat`.

web:  GET /healthz on the local gunicorn with the public host name; healthy when it answers 200.
beat: the database and the broker answer (beat has no port to ask; it dies loudly when it cannot run).
Exit 0 when healthy, 1 otherwise; one line on stderr says why.
"""

import os
import socket
import sys
import urllib.error
import urllib.request
from urllib.parse import urlparse


def check_web() -> str | None:
    host = (os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip()) or "localhost"
    port = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1]
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return None if response.status == 200 else f"/healthz answered {response.status}"
    except urllib.error.HTTPError as error:
        return f"/healthz answered {error.code}"
    except OSError as error:
        return f"/healthz unreachable: {error}"


def _tcp(url: str, default_port: int) -> str | None:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "localhost", parsed.port or default_port), timeout=3):
            return None
    except OSError as error:
        return f"{parsed.hostname}: {error}"


def check_beat() -> str | None:
    return _tcp(os.environ.get("DATABASE_URL", ""), 5432) or _tcp(os.environ.get("CELERY_BROKER_URL", ""), 6379)


def main(argv: list[str]) -> int:
    checks = {"web": check_web, "beat": check_beat}
    if len(argv) != 1 or argv[0] not in checks:
        print(__doc__, file=sys.stderr)
        return 2
    problem = checks[argv[0]]()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
