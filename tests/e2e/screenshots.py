"""Screenshots of the main pages, taken with a real browser against a running, freshly seeded server.

Not a pytest test (the file name does not start with test_). Usage:

    export DATABASE_URL=postgres://…/tianjin_towns_demo DJANGO_DEBUG=1
    python manage.py migrate && python manage.py seed_demo
    python manage.py runserver 127.0.0.1:8011 --noreload &
    python tests/e2e/screenshots.py [--base-url http://127.0.0.1:8011] [--chromium /usr/bin/chromium]

Error pages only render in Chinese with DEBUG off; to include them, also run a second server with
DJANGO_DEBUG=0 (after `collectstatic`, with DJANGO_SECRET_KEY set and DJANGO_SECURE_SSL_REDIRECT=0)
and pass its address as --error-base-url.

It walks the monthly report workflow as the demo personas (password DEMO_PASSWORD, default demo12345):
the information officer of 东丽区 corrects the report that was returned to her (first with an invalid
figure, to show the error), resubmits it, and the district leader opens it to review the changes.
The walk changes the data, so run it on a fresh `seed_demo` database. PNGs go to tests/e2e/screenshots/.
"""

import argparse
import os
import sys
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

OUT = Path(__file__).resolve().parent / "screenshots"
PASSWORD = os.environ.get("DEMO_PASSWORD", "demo12345")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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


def login(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".app-navbar")).to_be_visible()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8011")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--error-base-url", help="a server running with DJANGO_DEBUG=0, for the 404 page")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    OUT.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", device_scale_factor=1)
        page = context.new_page()

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
        expect(page.locator("#confirm-submit")).to_be_visible()
        page.wait_for_timeout(400)  # the modal's fade-in
        shot(page, "04-entry-form-confirm-submit", full_page=False)
        page.locator("#confirm-submit").get_by_role("button", name="确认提交").click()
        expect(page.locator(".alert-success")).to_be_visible()
        report_url = page.url

        print("district leader: inbox, review page with the changes since the return")
        login(page, base, "dongli-leader")
        shot(page, "05-home-leader")
        page.goto(report_url)
        expect(page.get_by_text("退回后修改").first).to_be_visible()
        shot(page, "06-review-changes-since-return")
        page.get_by_role("button", name="退回").click()
        expect(page.locator("#confirm-return")).to_be_visible()
        page.wait_for_timeout(400)
        shot(page, "07-review-return-dialog", full_page=False)

        print("office (综合政策组): inbox, report list, ledger")
        login(page, base, "office-policy")
        shot(page, "08-home-office")
        page.goto(f"{base}/reports/")
        shot(page, "09-report-list")
        page.goto(f"{base}/reports/?status=returned")
        shot(page, "10-report-list-filtered")
        page.goto(f"{base}/ledger/")
        shot(page, "11-ledger")
        page.goto(f"{base}/ledger/?indicator=employment")
        shot(page, "12-ledger-stock-indicator")

        print("small screen")
        mobile = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
        phone = mobile.new_page()
        login(phone, base, "dongli-leader")
        shot(phone, "13-home-phone")
        phone.goto(f"{base}/reports/")
        shot(phone, "14-report-list-phone")

        if args.error_base_url:
            print("error page (DEBUG off)")
            page.goto(f"{args.error_base_url.rstrip('/')}/no-such-page/")
            shot(page, "15-not-found", full_page=False)

        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
