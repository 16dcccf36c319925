"""Screenshots of the notification centre and a background export (issue 6) against a running server.

Not a pytest test. Usage, as for tests/e2e/screenshots.py, plus a Celery worker for the export:

    python manage.py migrate && python manage.py seed_demo
    python manage.py runserver 127.0.0.1:8011 --noreload &
    celery -A tianjin_towns worker --pool solo &
    python tests/e2e/screenshots_scheduling.py [--base-url http://127.0.0.1:8011]

The information officer of 东丽区 opens the notification centre from the bell in the header (the
reminders seed_demo sent as the scheduler would have), and the office's 综合政策组 exports the city's
ledger: when the year has more rows than EXPORT_BACKGROUND_ROWS the page shows the worker's progress
bar moving, then the download. For a bar that visibly moves, the ledger needs tens of thousands of
project rows. PNGs go to tests/e2e/screenshots/06-*.png.
"""

import sys

from playwright.sync_api import expect
from screenshots import arguments, chromium, desktop, login, shot


def main() -> int:
    args = arguments(__doc__, 8011).parse_args()
    base = args.base_url.rstrip("/")

    with chromium(args) as browser:
        page = desktop(browser, accept_downloads=True)

        print("information officer: the bell with its unread count, the notification centre")
        login(page, base, "dongli-officer")
        bell = page.locator(".nav-bell")
        expect(bell.locator(".nav-bell-badge")).to_be_visible()
        shot(page, "06-01-navbar-unread-badge", full_page=False)
        bell.click()
        expect(page.locator(".notification-item").first).to_be_visible()
        shot(page, "06-02-notification-centre")
        page.locator(".notification-item.is-unread form button").first.click()
        page.goto(f"{base}/notifications/?show=unread")
        shot(page, "06-03-notification-centre-unread")

        print("综合政策组: a city-wide ledger export in the background")
        login(page, base, "office-policy")
        page.goto(f"{base}/ledger/")
        page.locator("a", has_text="导出Excel").click()
        expect(page.locator("#export-job")).to_be_visible()
        if page.locator(".export-progress-live").count():
            page.wait_for_function(
                "() => { const bar = document.querySelector('.export-progress-live');"
                " return bar && bar.value >= 20 && bar.value <= 80; }",
                timeout=120_000,
            )
            shot(page, "06-04-export-progress-midway")
        download_button = page.locator("a", has_text="下载文件")
        expect(download_button).to_be_visible(timeout=180_000)
        shot(page, "06-05-export-done")
        with page.expect_download() as download:
            download_button.click()
        print(f"  downloaded {download.value.suggested_filename}")
        page.goto(f"{base}/notifications/")
        shot(page, "06-06-export-ready-notification", full_page=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
