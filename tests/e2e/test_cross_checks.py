"""Browser end-to-end of the departmental cross-checks (数据核对, issue 18): the 税务局's liaison enters its tax
figures for a month, one town differs by a fifth, the district explains it, the office closes it, and the
ledger marks the figure 已说明. Chromium and the live server as in test_browser_flows."""

import datetime

import pytest
from browser import screenshot
from test_browser_flows import database_as_found, in_browser, log_in  # noqa: F401 (fixtures and steps shared)

from conftest import FULL_VALUES, PASSWORD
from coordination import services as org
from coordination.models import Role
from ledgers import services as ledger
from ledgers.models import FigureCheck, Indicator, ReportStatus

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SEPT = datetime.date(2026, 9, 1)


def shot(page, name: str) -> None:
    screenshot(page, f"18-{name}")


def test_a_discrepancy_found_by_the_tax_bureau_is_explained_closed_and_marked_in_the_ledger(
    in_browser,  # noqa: F811 (the fixture imported above)
    live_server,
    world,
    make_report,
):
    base = live_server.url
    tax_bureau = org.member_unit_create(actor=None, name="市税务局", short_name="税务局")
    org.user_create(
        username="liaison-tax",
        password=PASSWORD,
        role=Role.LIAISON,
        org_unit=world.city,
        member_unit=tax_bureau,
        full_name="税务局联络员",
    )
    tax = Indicator.objects.get(code="tax_revenue")
    ledger.indicator_sources_set(actor=world.users.office_policy, assignments={tax: (tax_bureau, None)})
    make_report(ReportStatus.ACCEPTED, period=SEPT)  # 150.25
    make_report(ReportStatus.ACCEPTED, town=world.town2, period=SEPT, values={**FULL_VALUES, "tax_revenue": "200"})
    ledger_url = f"{base}/ledger/?year=2026&indicator=tax_revenue"

    def check_explain_close(page) -> str:
        from playwright.sync_api import expect

        log_in(page, base, "liaison-tax")
        page.goto(f"{base}/")
        expect(page.get_by_text("待核对的已验收数据")).to_be_visible()
        page.get_by_role("link", name="核对", exact=True).first.click()
        page.goto(f"{base}/checks/?period=2026-09&indicator=tax_revenue")
        page.get_by_label("华明智能制造小镇的核对数").fill("150.25")
        page.get_by_label("东丽湖温泉小镇的核对数").fill("240")  # the accepted 200, plus a fifth
        shot(page, "01-liaison-enters")
        page.get_by_role("button", name="保存核对结果").click()
        expect(page.locator(".alert-success")).to_contain_text("一致 1 个，有差异 1 个")
        expect(page.get_by_text("有差异，待区说明")).to_be_visible()

        log_in(page, base, "dongli-officer")
        page.goto(f"{base}/")
        expect(page.get_by_text("待说明的数据差异")).to_be_visible()
        page.get_by_role("link", name="说明", exact=True).first.click()
        page.get_by_label("说明").fill("税务部门按入库时间统计，月报按申报所属期统计。")
        page.get_by_role("button", name="提交说明").click()
        expect(page.locator(".alert-success")).to_contain_text("说明已提交")

        log_in(page, base, "office-policy")
        page.goto(f"{base}/")
        page.get_by_role("link", name="确认", exact=True).first.click()
        expect(page.get_by_text("税务部门按入库时间统计")).to_be_visible()
        page.get_by_role("button", name="确认并关闭").click()
        expect(page.locator(".alert-success")).to_contain_text("差异已关闭")

        page.goto(ledger_url)
        row = page.locator("tr", has_text="东丽湖温泉小镇")
        expect(row.locator("[title='已说明']")).to_have_count(1)
        shot(page, "02-ledger-explained")
        return row.inner_text()

    row = in_browser(check_explain_close)
    assert "200.00" in row and "已说明" in row
    check = FigureCheck.objects.get(report__town=world.town2)
    assert check.status == FigureCheck.Status.CLOSED and check.explanation.startswith("税务部门")
