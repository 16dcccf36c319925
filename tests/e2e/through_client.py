"""Chromium answered by Django's test client, for the browser tests that look at pages rather than carry work
through several people's sessions: no live server, no committed data.

The browser talks to a small HTTP server in a thread of the test process. It serves the static files itself (from
the static file finders, cacheable, so that Chromium keeps them from one page to the next) and hands every other
request (a page, its fetch and htmx calls, a form it posts) to the test's thread, which answers it with a
`django.test.Client` (signed in as the test says) inside the test's own transaction; the answer goes back as the
application gave it: status, headers (the Content-Security-Policy among them) and body. So these tests use the
module's world like any other test, and what they write rolls back with it; the live-server tests
(test_browser_flows and its kin) commit and restore the database instead, which costs several times as much.

Playwright drives Chromium from the run's browser thread (browser.py). While it works, the test's thread does
nothing but answer the server's requests: `ThroughClient.run` hands the browser its steps and serves until they are
done.
"""

import mimetypes
import queue
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from axe import AXE, AXE_PATH, need_axe
from browser import browser_thread, fresh_page, need_chromium

# Headers that belong to the connection, not to the request or the answer.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


class ThroughClient:
    """A browser whose requests `client` answers (replace `client` to be somebody else, in the test's thread or in
    the browser's steps between two pages); `run(steps)` runs steps(page) on a fresh page, in the browser thread,
    and returns what they return. `origin` is the server's address, for page.goto."""

    def __init__(self, session, client):
        need_chromium()
        need_axe()
        from django.conf import settings

        self.client = client
        self._thread = browser_thread(session)
        self._jobs: queue.Queue = queue.Queue()
        self._ready: dict[str, list] = {}  # answers rendered before the browser asks (`get`), each used once
        self._server = _server(session, settings.STATIC_URL)
        self.origin = f"http://127.0.0.1:{self._server.server_port}"

    def get(self, path: str) -> tuple[int, dict, bytes]:
        """The client's answer to GET path: (status, headers, body)."""
        return self.answer("GET", path, {}, b"")

    def keep(self, path: str, answer: tuple[int, dict, bytes]) -> None:
        """`answer` (from `get`) is the answer to the browser's next GET of path, which the client need not render
        again; answers kept for one path are given in the order they were kept. What a run leaves unused is
        dropped when it ends."""
        self._ready.setdefault(path, []).append(answer)

    def run(self, steps: Callable):
        """steps(page) on a fresh page (a new visitor) whose requests the client answers; fails the test if the
        page saw a script error or a refused resource (browser.fresh_page)."""
        self._server.through = self

        def in_browser():
            errors: list[str] = []
            page = fresh_page(errors)
            try:
                return steps(page), errors
            finally:
                page.context.close()

        work = self._thread.submit(in_browser)
        work.add_done_callback(lambda _: self._jobs.put(None))
        try:
            while (job := self._jobs.get()) is not None:
                job()
        finally:
            self._ready.clear()
        result, errors = work.result()
        assert not errors, errors
        return result

    def in_test_thread(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
        """Called from the server's thread: the answer, rendered in the test's thread (or kept by `get`)."""
        if method == "GET" and self._ready.get(path):
            return self._ready[path].pop(0)
        answered = threading.Event()
        box: dict = {}

        def job() -> None:
            try:
                box["answer"] = self.answer(method, path, headers, body)
            except BaseException as error:  # given to the server's thread, which answers 500
                box["error"] = error
            finally:
                answered.set()

        self._jobs.put(job)
        answered.wait()
        if "error" in box:
            raise box["error"]
        return box["answer"]

    def answer(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
        extra = {
            f"HTTP_{name.upper().replace('-', '_')}": value
            for name, value in headers.items()
            if name.lower() not in HOP_BY_HOP | {"cookie", "content-type"}
        }
        content_type = headers.get("Content-Type", "application/octet-stream")
        response = self.client.generic(method, path, body, content_type=content_type, **extra)
        # The client closes the response itself (a streamed one once read), keeping the test's connection open.
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return response.status_code, dict(response.items()), content


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet: the test's own output says what went wrong
        pass

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.command == "GET" and (self.path.startswith(self.server.static_url) or self.path == AXE_PATH):
            status, headers, content = self.server.static_file(self.path)
        else:
            try:
                status, headers, content = self.server.through.in_test_thread(
                    self.command, self.path, dict(self.headers.items()), body
                )
            except Exception as error:  # noqa: BLE001 (the browser shows a 500, the test fails on it)
                status, headers, content = 500, {"Content-Type": "text/plain"}, repr(error).encode()
        try:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)
        except ConnectionError:  # the page went on to another before it took the answer (a count, a file)
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _any


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, static_url: str):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.static_url = "/" + static_url.lstrip("/")
        self.through: ThroughClient | None = None
        self._files: dict[str, tuple] = {}

    def static_file(self, path: str) -> tuple[int, dict, bytes]:
        """A static file found as Django's finders find it (as WhiteNoise does in tests), cacheable for the run."""
        if path not in self._files:
            from django.contrib.staticfiles import finders

            found = AXE if path == AXE_PATH else finders.find(path.split("?")[0][len(self.static_url) :])
            if not found:
                return 404, {"Content-Type": "text/plain"}, b"not found"
            kind = mimetypes.guess_type(str(found))[0] or "application/octet-stream"
            headers = {"Content-Type": kind, "Cache-Control": "max-age=3600"}
            self._files[path] = (200, headers, Path(found).read_bytes())
        return self._files[path]


_SERVERS: dict = {}


def _server(session, static_url: str) -> _Server:
    """The run's one server (in this test process), started by the first caller and stopped when the session ends."""
    if "server" not in _SERVERS:
        server = _SERVERS["server"] = _Server(static_url)
        threading.Thread(target=server.serve_forever, name="through-client", daemon=True).start()

        def stop() -> None:
            server.shutdown()
            server.server_close()
            _SERVERS.clear()

        session.addfinalizer(stop)
    return _SERVERS["server"]
