"""Browser end-to-end: Debian's Chromium, driven by Playwright, against pytest-django's live server.

A monthly report goes from draft to accepted through the pages, as the people who do it: dongli's
information officer fills and submits it, dongli's reviewing leader approves it, the office's
policy group accepts it and exports the ledger, whose workbook holds the accepted figure; the
leaders open their home pages. Screenshots go to tests/e2e/screenshots/ (ignored by git).

No `playwright install`: the browser is /usr/bin/chromium (`apt-get install chromium
fonts-noto-cjk`, which .ci/run does). Without it these tests are skipped on a developer's machine
and FAIL in CI (CI set), so that a missing browser never passes for a green run.

Playwright's sync API runs an event loop in the thread that drives it, and Django gives code under
a running loop other database connections; so the browser runs in a thread of its own (`in_browser`)
and the test's own database work stays in the test's thread.
"""

import contextlib
import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from browser import browser_thread, fresh_page, need_chromium, resize, screenshot, sign_in  # tests/e2e/browser.py
from django.template.loader import render_to_string

from conftest import FULL_VALUES, PASSWORD
from ledgers.models import MonthlyReport, ReportStatus
from tianjin_towns.lib import dates

# The figures the officer types; 1357.9 appears nowhere else, so finding it in the workbook proves
# that the accepted report reached the export.
FIGURES = {
    **FULL_VALUES,
    "fixed_asset_investment": "1357.9",
    "industry_investment": "900",
    "private_investment": "310",
    "tax_revenue": "152.5",
}

# serialized_rollback: the live server needs committed rows, and the indicator catalogue that a data
# migration created must be back for the tests that run after these.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module", autouse=True)
def database_as_found():
    """Each test starts from the migrated database (serialized_rollback) and conftest puts it back after the
    last one. Restoring rewrites every row, append-only audit tables included, whose triggers (django-pgtrigger)
    refuse an UPDATE: this thread's restores go through; the live server's thread, where the application runs,
    keeps every trigger."""
    from django.apps import apps

    ignoring = contextlib.nullcontext
    if apps.is_installed("pgtrigger"):
        import pgtrigger

        ignoring = pgtrigger.ignore
    with ignoring():
        yield


@pytest.fixture
def in_browser(request) -> Callable:
    """in_browser(steps) runs steps(page) in the browser thread, on a fresh page of the run's Chromium (browser.py's
    `fresh_page`: a new visitor), and returns its result, failing if the page saw a script error or a refused
    resource. One Chromium for the whole run, since a context is all that a test needs of its own.
    """
    need_chromium()

    def run(steps: Callable):
        errors: list[str] = []
        page = fresh_page(errors)
        try:
            result = steps(page)
        finally:
            page.context.close()
        assert not errors, errors
        return result

    thread = browser_thread(request.session)
    return lambda steps: thread.submit(run, steps).result()


def shot(page, name: str) -> None:
    screenshot(page, f"9-{name}")


def log_in(page, base: str, username: str) -> None:
    sign_in(page, base, username, PASSWORD)


def open_and_confirm(page, button: str, modal: str, label: str) -> None:
    """Click an action button, then the confirmation dialog's button: every irreversible step has one."""
    from playwright.sync_api import expect

    page.get_by_role("button", name=button, exact=True).first.click()
    dialog = page.locator(modal)
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=label).click()


def confirm(page, button: str, modal: str, label: str) -> None:
    """open_and_confirm, then the page says the step succeeded."""
    from playwright.sync_api import expect

    open_and_confirm(page, button, modal, label)
    expect(page.locator(".alert-success")).to_be_visible()


def test_a_report_goes_from_draft_to_accepted_and_into_the_exported_ledger(in_browser, live_server, world):
    base = live_server.url
    period = dates.last_ended_period()
    town_id, town_name = world.town.pk, world.town.unit.name

    def officer_submits(page) -> str:
        from playwright.sync_api import expect

        log_in(page, base, "dongli-officer")
        inbox = page.locator("form", has=page.locator(f"input[name=town][value='{town_id}']")).first
        expect(inbox).to_be_visible()  # the inbox offers the month's report
        shot(page, "01-officer-inbox")
        inbox.get_by_role("button", name="填报").click()
        expect(page.locator("#report-form")).to_be_visible()
        for code, value in FIGURES.items():
            page.fill(f"input[name={code}]", value)
        shot(page, "02-officer-entry-form")
        open_and_confirm(page, "提交审核", "#confirm-submit", "确认提交")
        # No project progress behind the investment: the form asks for an explanation first.
        note = page.locator("textarea[name=note-fixed_asset_investment]")
        expect(note).to_be_visible()
        note.fill("企业设备更新投资，未纳入项目台账。")
        confirm(page, "提交审核", "#confirm-submit", "确认提交")
        return page.url

    report_url = in_browser(officer_submits)
    report = MonthlyReport.objects.get(town=world.town, period=period)
    assert report.status == ReportStatus.SUBMITTED
    assert report_url.endswith(f"/reports/{report.pk}/")

    def reviewer_approves(page) -> None:
        from playwright.sync_api import expect

        log_in(page, base, "dongli-leader")
        expect(page.locator(f"a[href='/reports/{report.pk}/']").first).to_be_visible()  # in the inbox
        page.goto(report_url)
        shot(page, "03-leader-review")
        confirm(page, "审核通过", "#confirm-approve", "审核通过")

    in_browser(reviewer_approves)
    report.refresh_from_db()
    assert report.status == ReportStatus.DISTRICT_APPROVED

    def office_accepts_and_exports(page) -> bytes:
        from playwright.sync_api import expect

        log_in(page, base, "office-policy")
        page.goto(report_url)
        confirm(page, "验收", "#confirm-accept", "确认验收")
        shot(page, "04-office-accepted")
        expect(page.get_by_role("button", name="验收", exact=True)).to_have_count(0)  # locked now
        page.goto(f"{base}/ledger/?year={period.year}")
        shot(page, "05-office-ledger")
        with page.expect_download() as download_info:
            page.get_by_role("link", name="导出Excel").click()
        download = download_info.value
        assert download.suggested_filename.endswith(".xlsx")
        return Path(download.path()).read_bytes()

    workbook_bytes = in_browser(office_accepts_and_exports)
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes), read_only=True, data_only=True)
    rows = [row for ws in workbook.worksheets for row in ws.iter_rows(values_only=True)]
    assert any(town_name in row and 1357.9 in row for row in rows), "the accepted figure is not in the workbook"


def test_leaders_and_the_office_land_on_a_home_page_with_their_work(in_browser, live_server, world, make_report):
    base = live_server.url
    report = make_report(ReportStatus.SUBMITTED)

    def visit_homes(page) -> None:
        from playwright.sync_api import expect

        for username, name in (
            ("dongli-leader", "leader-home"),
            ("leader", "convener-home"),
            ("office-policy", "office-home"),
        ):
            log_in(page, base, username)
            expect(page.locator("h1.page-title")).to_be_visible()
            if username == "dongli-leader":
                expect(page.get_by_text("待区级审核").first).to_be_visible()
                expect(page.locator(f"a[href='/reports/{report.pk}/']").first).to_be_visible()
            shot(page, f"06-{name}")

    in_browser(visit_homes)


def test_the_navigation_bar_fits_the_page_at_every_desktop_width(in_browser, live_server, world, make_report):
    """Every section and its badge on one line, and never a page that scrolls sideways (1200 px to 1920 px)."""
    from ledgers import services as ledger
    from ledgers.models import WorkInfo
    from ledgers.tests.factories import write_work_info

    base = live_server.url
    make_report(ReportStatus.SUBMITTED)
    info = write_work_info(
        world,
        category=WorkInfo.Category.WORK,
        title="东丽区重点项目集中开工",
        body="东丽区5个特色小镇重点项目集中开工，总投资12亿元。",
        happened_on=dates.today(),
    )
    ledger.work_info_submit(actor=world.users.officer, info=info)

    def measure(page) -> None:
        from playwright.sync_api import expect

        log_in(page, base, "dongli-leader")
        expect(page.locator(".app-navbar .badge").first).to_be_visible()  # the badges are there
        page.set_viewport_size({"width": 1200, "height": 800})
        page.goto(f"{base}/work-info/")
        expect(page.locator(".app-navbar .badge").first).to_be_visible()  # measured with its badges
        # The page loaded once, measured at each width: the bar's layout is the stylesheet's alone.
        for width in (1200, 1280, 1366, 1440, 1536, 1600, 1920):
            resize(page, width, 800)
            assert page.evaluate("document.documentElement.scrollWidth") == width, width
            assert page.evaluate("document.querySelector('.app-navbar').offsetHeight") < 80, width

    in_browser(measure)


def test_the_lockout_and_outage_pages_render_in_chinese(in_browser, live_server, world, settings):
    base = live_server.url
    outage_page = render_to_string("503.html")  # as tianjin_towns.health answers while PostgreSQL is down

    def pages(page) -> None:
        from playwright.sync_api import expect

        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", "xiqing-officer")
            page.fill("input[name=password]", "wrong")
            page.click("button[type=submit]")
        expect(page.get_by_text("登录已暂时锁定")).to_be_visible()
        shot(page, "07-locked-out")
        page.goto(f"{base}/healthz")  # the same origin, so the page's static files load
        page.set_content(outage_page)
        expect(page.get_by_text("系统暂时不可用").first).to_be_visible()
        shot(page, "08-database-outage")

    in_browser(pages)


def test_the_trend_keeps_a_month_being_accepted_off_the_solid_line(in_browser, live_server, world, make_report):
    """A month whose reports are still being accepted is a partial sum: drawn as a labelled hollow point
    apart from the year's solid line, never as a fall of the line. Its tooltip works under the pages'
    Content-Security-Policy (no refused inline styles)."""
    base = live_server.url
    last = dates.last_ended_period()
    before = dates.add_months(last, -1)
    for town in (world.town, world.town2):
        make_report(ReportStatus.ACCEPTED, town=town, period=before)
    make_report(ReportStatus.ACCEPTED, town=world.town, period=last)
    make_report(ReportStatus.SUBMITTED, town=world.town2, period=last)  # October's second report is not in yet
    query = f"level=district&id={world.dongli.pk}&year={last.year}&month={last.month}"

    def read_trend(page) -> dict:
        from playwright.sync_api import expect

        log_in(page, base, "dongli-leader")
        page.goto(f"{base}/dashboard/?{query}")
        chart = page.locator("#chart-trend")
        expect(chart.locator("canvas")).to_be_visible()
        box = chart.bounding_box()
        page.mouse.move(box["x"] + box["width"] * (last.month - 0.5) / 12, box["y"] + box["height"] / 2)
        page.wait_for_timeout(300)  # the tooltip draws; a refused inline style would be logged by now
        shot(page, "10-dashboard-trend")
        return page.evaluate(
            """() => echarts.getInstanceByDom(document.getElementById('chart-trend')).getOption().series
                 .map((s) => ({ name: s.name, data: s.data }))"""
        )

    solid, accepting, _last_year = in_browser(read_trend)
    month = last.month - 1
    assert solid["data"][month] is None
    assert accepting["name"].endswith("（验收中）")
    assert accepting["data"][month] == 1200.5  # the one accepted report, as a point of its own
    if before.year == last.year:
        assert solid["data"][month - 1] == 2401  # both towns' reports of the month before
        assert accepting["data"][month - 1] is None
