"""Browser end-to-end of 批量审核 (issue 19): the office ticks every report waiting for acceptance, the dialog
names them before anything happens, and the page that follows says, by town and month, which were accepted and
why the flagged one was not. Chromium and the live server as in test_browser_flows (script errors and refused
resources, such as a script the Content-Security-Policy blocks, fail the test)."""

import datetime

import pytest
from browser import screenshot
from test_browser_flows import database_as_found, in_browser, log_in  # noqa: F401 (fixtures and steps shared)

from conftest import FULL_VALUES
from ledgers.models import MonthlyReport, ReportStatus

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
S = ReportStatus
CLEAN = {**FULL_VALUES, "fixed_asset_investment": "0", "industry_investment": "0", "private_investment": "0"}


def shot(page, name: str) -> None:
    screenshot(page, f"19-{name}")


def test_office_accepts_the_ticked_reports_and_sees_the_flagged_one_refused(
    in_browser,  # noqa: F811 (the fixture imported above)
    live_server,
    world,
    make_report,
):
    base = live_server.url
    clean = make_report(S.DISTRICT_APPROVED, values=CLEAN)
    clean2 = make_report(S.DISTRICT_APPROVED, town=world.town2, values=CLEAN)
    flagged = make_report(S.DISTRICT_APPROVED, period=datetime.date(2026, 8, 1))  # its investment flag is open

    def accept_all(page) -> list[str]:
        from playwright.sync_api import expect

        log_in(page, base, "office-policy")
        page.goto(f"{base}/reports/bulk-review/")
        opener = page.locator("[data-bulk-open]")
        expect(opener).to_be_disabled()  # nothing chosen yet
        page.get_by_label("全选").check()
        expect(opener).to_contain_text("（3）")
        opener.click()
        dialog = page.locator("#confirm-bulk")
        expect(dialog).to_be_visible()
        expect(dialog.locator("[data-bulk-chosen] li")).to_have_count(3)
        expect(dialog).to_contain_text("东丽区 东丽湖温泉小镇 2026年9月")
        shot(page, "01-confirm")
        dialog.get_by_role("button", name="确认验收").click()
        expect(page.locator(".alert-warning")).to_contain_text("已验收 2 份月报；1 份未能验收")
        outcomes = page.locator(".bulk-outcomes tbody tr")
        expect(outcomes).to_have_count(3)
        refused = outcomes.filter(has_text="未验收")
        expect(refused).to_contain_text("2026年8月")
        expect(refused).to_contain_text("不能批量验收")
        shot(page, "02-outcomes")
        return [row.inner_text() for row in outcomes.all()]

    rows = in_browser(accept_all)
    assert sum("已验收" in row for row in rows) == 2
    statuses = dict(MonthlyReport.objects.filter(pk__in=[clean.pk, clean2.pk, flagged.pk]).values_list("pk", "status"))
    assert statuses == {clean.pk: S.ACCEPTED, clean2.pk: S.ACCEPTED, flagged.pk: S.DISTRICT_APPROVED}
