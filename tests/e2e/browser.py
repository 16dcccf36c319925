"""What the browser tests (test_*.py here) and the screenshot scripts share: Debian's Chromium with the flags
it needs in a container, the run's one Chromium and the thread that drives it, a fresh page that records what goes
wrong in it, the screenshot folder (ignored by git) and a page's screenshot in it, waiting for a page to settle, and
signing in through the login page."""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TIMEOUT_MS = 15_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

# Resolves once the window has its new width and the page has had a frame at it: the resize event (to which, say,
# the dashboard's charts redraw) comes in the frame's rendering steps, before its animation frame callbacks.
RESIZED = """
(width) => new Promise((resolve) => {
  const frame = () => requestAnimationFrame(window.innerWidth === width ? () => resolve() : frame);
  frame();
})
"""
# Resolves after the page's next two frames: what a frame's rendering steps run (media query listeners, resize
# handlers, ECharts' painting) has run by then.
TWO_FRAMES = "() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())))"


# The run's one Chromium: started by the first test that asks for it, stopped when the session ends. Its Playwright,
# the browser and the thread that drives them (Playwright's sync objects belong to the thread that made them).
_CHROMIUM: dict = {}


def need_chromium() -> None:
    """Skips the test where Debian's Chromium is missing, or fails it in CI (CI set), so that a missing browser never
    passes for a green run."""
    import pytest

    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk (.ci/run does it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def chromium():
    """The run's Chromium, in the browser thread; launched again if it died (a crash fails one test, not the rest)."""
    from playwright.sync_api import sync_playwright

    if "playwright" not in _CHROMIUM:
        _CHROMIUM["playwright"] = sync_playwright().start()
    browser = _CHROMIUM.get("browser")
    if browser is None or not browser.is_connected():
        browser = _CHROMIUM["browser"] = _CHROMIUM["playwright"].chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
    return browser


def browser_thread(session) -> ThreadPoolExecutor:
    """The thread that drives the run's Chromium (made by the first caller, shut down when the pytest session ends)."""
    if "thread" not in _CHROMIUM:
        thread = _CHROMIUM["thread"] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="browser")

        def stop() -> None:
            def close() -> None:
                if "browser" in _CHROMIUM:
                    _CHROMIUM["browser"].close()
                if "playwright" in _CHROMIUM:
                    _CHROMIUM["playwright"].stop()

            try:
                thread.submit(close).result()
            finally:
                thread.shutdown()
                _CHROMIUM.clear()

        session.addfinalizer(stop)
    return _CHROMIUM["thread"]


def fresh_page(errors: list[str]):
    """A page in a new context of the run's Chromium (a new visitor: its own cookies, storage and cache), in the
    browser thread. It adds to `errors` what a person would not see but must not happen: script errors and
    resources that the server or the Content-Security-Policy refused (a /favicon.ico aside: the pages name their
    icon, Django's admin does not). Closing its context (page.context.close()) is the caller's."""
    context = chromium().new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    page.on(
        "console",
        lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" and "status of" not in m.text else None,
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document" and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return page


def screenshot(page, name: str) -> None:
    """The whole page as SCREENSHOTS/<name>.png (a browser test's record of what it saw)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def resize(page, width: int, height: int) -> None:
    """The window at width x height px, the page laid out and its resize handlers run at that width (at once when
    it has that size already)."""
    if page.viewport_size != {"width": width, "height": height}:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate(RESIZED, width)


def after_two_frames(page) -> None:
    page.evaluate(TWO_FRAMES)


def nav_pages(page) -> list[str]:
    """The pages the navigation menus offer the signed-in user (the Django admin aside), in the menus' order."""
    hrefs = page.eval_on_selector_all(
        "#main-nav a.dropdown-item[href], #main-nav a.nav-link[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    return [href for href in dict.fromkeys(hrefs) if href.startswith("/") and not href.startswith("/admin/")]


def requests_in_flight(page) -> set:
    """The page's requests not yet finished, kept up to date from here on (for `settle`)."""
    in_flight: set = set()
    page.on("request", lambda request: in_flight.add(request))
    page.on("requestfinished", lambda request: in_flight.discard(request))
    page.on("requestfailed", lambda request: in_flight.discard(request))
    return in_flight


def settle(page, in_flight: set) -> None:
    """After a page's load: what it asked for since (fetch, htmx) answered, and the answers shown. `in_flight` is
    requests_in_flight(page), asked for before the page was loaded."""
    while True:
        for request in list(in_flight):
            response = request.response()  # None when it failed
            if response:
                response.finished()
            in_flight.discard(request)
        after_two_frames(page)
        if not in_flight:  # nor any the answers led to
            return


def leave_session(page) -> None:
    """A new visitor in this tab: the page left first (for about:blank), so that none of its scripts asks the server
    for the last user's data (the navigation bar's counts) once the session's cookie is gone, then the cookies
    cleared."""
    page.goto("about:blank")
    page.context.clear_cookies()


def sign_in(page, base: str, username: str, password: str) -> None:
    """A fresh session of `username`, signed in on the login page; returns once the navigation bar shows."""
    from playwright.sync_api import expect  # imported late: the browser tests import this module without it

    leave_session(page)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator(".app-navbar")).to_be_visible()
