"""What the browser tests (test_*.py here) and the screenshot scripts share: Debian's Chromium with the flags
it needs in a container, the screenshot folder (ignored by git) and a page's screenshot in it, and signing in
through the login page."""

from pathlib import Path

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
