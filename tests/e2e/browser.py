"""What the browser tests (test_*.py here) and the screenshot scripts share: Debian's Chromium with the flags
it needs in a container, the screenshot folder (ignored by git), and signing in through the login page."""

from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def sign_in(page, base: str, username: str, password: str) -> None:
    """A fresh session of `username`, signed in on the login page; returns once the navigation bar shows."""
    from playwright.sync_api import expect  # imported late: the browser tests import this module without it

    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator(".app-navbar")).to_be_visible()
