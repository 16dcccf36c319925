"""Screenshots of the main pages, taken with a real browser against a running, freshly seeded server.

Not a pytest test (the file name does not start with test_). Usage:

    export DATABASE_URL=postgres://…/tianjin_towns_demo DJANGO_DEBUG=1
    python manage.py migrate && python manage.py seed_demo
    python manage.py runserver 127.0.0.1:8011 --noreload &
    python tests/e2e/screenshots.py [--base-url http://127.0.0.1:8011] [--chromium /usr/bin/chromium]

Error pages render in Chinese on any server started without DJANGO_DEBUG_PAGES=1 (make run included);
--error-base-url takes another server's address for them if wanted.

It walks the monthly report workflow as the demo personas (password DEMO_PASSWORD, default demo12345):
the information officer of 东丽区 corrects the report that was returned to her (first with an invalid
figure, to show the error), resubmits it, and the district leader opens it to review the changes.
The walk changes the data, so run it on a fresh `seed_demo` database. PNGs go to tests/e2e/screenshots/.
"""

import argparse
import contextlib
import os
import sys

from browser import CHROMIUM_ARGS, sign_in
from browser import SCREENSHOTS as OUT
from playwright.sync_api import Browser, Page, expect, sync_playwright

PASSWORD = os.environ.get("DEMO_PASSWORD", "demo12345")
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def arguments(doc: str, port: int) -> argparse.ArgumentParser:
    """A script's command line: --base-url (the server on `port` by default) and --chromium."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--base-url", default=f"http://127.0.0.1:{port}")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    return parser


@contextlib.contextmanager
def chromium(args: argparse.Namespace):
    """The browser of a walk, closed after it; the screenshot folder exists."""
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def desktop(browser: Browser, **options) -> Page:
    return browser.new_context(viewport=DESKTOP, locale="zh-CN", **options).new_page()


def phone(browser: Browser, **options) -> Page:
    return browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2, **options).new_page()


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    path = OUT / f"{name}.png"
    if full_page:
        # Grow the viewport to the whole page, so sticky bars sit where they end up after scrolling.
        viewport = page.viewport_size
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
        page.screenshot(path=str(path))
        page.set_viewport_size(viewport)
    else:
        page.screenshot(path=str(path))
    print(f"  {path.relative_to(OUT.parent.parent.parent)}")


def dialog(page: Page, modal: str, name: str | None, *, confirm: str = "") -> None:
    """The confirmation dialog `modal`, just opened: photographed as `name` once it has faded in, then
    confirmed with its button `confirm` if one is given."""
    expect(page.locator(modal)).to_be_visible()
    if name:
        page.wait_for_timeout(400)  # the modal's fade-in
        shot(page, name, full_page=False)
    if confirm:
        page.locator(modal).get_by_role("button", name=confirm).click()


def shots(page: Page, base: str, pages: dict[str, str]) -> None:
    """Opens each path of `pages` in turn and photographs it under its name."""
    for path, name in pages.items():
        page.goto(f"{base}{path}")
        shot(page, name)


def login(page: Page, base: str, username: str) -> None:
    sign_in(page, base, username, PASSWORD)


def main() -> int:
    parser = arguments(__doc__, 8011)
    parser.add_argument("--error-base-url", help="a server running with DJANGO_DEBUG=0, for the 404 page")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")

    with chromium(args) as browser:
        page = desktop(browser, device_scale_factor=1)

        print("login")
        page.goto(f"{base}/accounts/login/")
        shot(page, "01-login", full_page=False)

        print("information officer: inbox, entry form with an error, resubmission")
        login(page, base, "dongli-officer")
        shot(page, "02-home-officer")
        page.locator("section", has_text="被退回").get_by_role("link", name="修改").first.click()
        expect(page.locator("#report-form")).to_be_visible()
        original = page.input_value("input[name=fixed_asset_investment]")
        page.fill("input[name=fixed_asset_investment]", "-100")
        page.get_by_role("button", name="保存草稿").click()
        expect(page.locator(".invalid-feedback").first).to_be_visible()
        shot(page, "03-entry-form-error")
        corrected = f"{float(original) + 86.4:.2f}"
        page.fill("input[name=fixed_asset_investment]", corrected)
        page.fill("input[name=tax_revenue]", f"{float(page.input_value('input[name=tax_revenue]')) + 12.5:.2f}")
        page.get_by_role("button", name="提交审核").click()
        dialog(page, "#confirm-submit", "04-entry-form-confirm-submit", confirm="确认提交")
        expect(page.locator(".alert-success")).to_be_visible()
        report_url = page.url

        print("district leader: inbox, review page with the changes since the return")
        login(page, base, "dongli-leader")
        shot(page, "05-home-leader")
        page.goto(report_url)
        expect(page.get_by_text("退回后修改").first).to_be_visible()
        shot(page, "06-review-changes-since-return")
        page.get_by_role("button", name="退回").click()
        dialog(page, "#confirm-return", "07-review-return-dialog")

        print("office (综合政策组): inbox, report list, ledger")
        login(page, base, "office-policy")
        shot(page, "08-home-office")
        shots(
            page,
            base,
            {
                "/reports/": "09-report-list",
                "/reports/?status=returned": "10-report-list-filtered",
                "/ledger/": "11-ledger",
                "/ledger/?indicator=employment": "12-ledger-stock-indicator",
            },
        )

        print("small screen")
        small = phone(browser)
        login(small, base, "dongli-leader")
        shot(small, "13-home-phone")
        small.goto(f"{base}/reports/")
        shot(small, "14-report-list-phone")

        if args.error_base_url:
            print("error page (DEBUG off)")
            page.goto(f"{args.error_base_url.rstrip('/')}/no-such-page/")
            shot(page, "15-not-found", full_page=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
