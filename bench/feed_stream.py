"""The data-sharing feed streamed whole as CSV (issue 18), in a process of its own so that its peak memory
(the kernel's maximum resident set) is the feed's alone: `python -m bench.feed_stream` with the environment
bench.run sets (DATABASE_URL of the bench database, production settings). Prints one JSON line: rows,
bytes, seconds, peak_rss_bytes, baseline_rss_bytes (the worker after a first, one-row request)."""

import json
import os
import resource
import sys
import time
from pathlib import Path


def _rss_bytes() -> int:
    """The process's peak resident memory so far: VmHWM, which starts afresh with the program (getrusage's
    ru_maxrss would carry the forking parent's peak across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # elsewhere: the best there is


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from coordination import services as org

    settings.ALLOWED_HOSTS = ["*"]
    client = org.api_client_create(actor=None, name=f"bench feed {time.time_ns()}")
    token = org.api_client_token_issue(actor=None, client=client, days=30)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    # One small request first, as a worker that has served any: the URL configuration, the API's modules and
    # the first connection are loaded, so the baseline is the worker's and the difference the feed's.
    assert Client().get("/api/v1/accepted-figures/", {"page_size": 1}, **auth).status_code == 200
    baseline = _rss_bytes()
    started = time.monotonic()
    response = Client().get("/api/v1/accepted-figures/", HTTP_ACCEPT="text/csv", **auth)
    assert response.status_code == 200 and response.streaming, response.status_code
    lines = size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.monotonic() - started
    print(
        json.dumps(
            {
                "rows": lines - 1,  # less the header
                "bytes": size,
                "seconds": round(seconds, 1),
                "peak_rss_bytes": _rss_bytes(),
                "baseline_rss_bytes": baseline,
            }
        )
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tianjin_towns.settings")
    sys.exit(main())
