"""Browser end-to-end of reporting an action item done without a file (issue 19, review): the reason field shows
while no file is chosen and hides when one is (static/js/evidence_reason.js, under the Content-Security-Policy);
the unit reports done with its reason, and the office reads it in the verify dialog and verifies with a waiver.
Chromium and the live server as in test_browser_flows (script errors and refused resources fail the test)."""

import pytest
from browser import screenshot
from test_browser_flows import database_as_found, in_browser, log_in  # noqa: F401 (fixtures and steps shared)

from coordination.models import ActionItemStatus
from coordination.tests.factories import make_item

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
REASON = "经电话与区住建委协调办结，未形成书面材料"


def shot(page, name: str) -> None:
    screenshot(page, f"19-no-evidence-{name}")


def test_unit_reports_done_with_a_reason_instead_of_a_file_and_the_office_waives_it(
    in_browser,  # noqa: F811 (the fixture imported above)
    live_server,
    world,
):
    base = live_server.url
    item = make_item(world)
    url = f"{base}/action-items/{item.pk}/"

    def report_and_verify(page) -> None:
        from playwright.sync_api import expect

        log_in(page, base, "dongli-officer")
        page.goto(url)
        reason = page.get_by_label("无佐证材料的说明")
        expect(reason).to_be_visible()
        page.set_input_files("#id_evidence", {"name": "批复.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1"})
        expect(reason).to_be_hidden()  # a file is chosen: no reason is asked
        page.set_input_files("#id_evidence", [])
        expect(reason).to_be_visible()
        page.get_by_label("已办结，提请核验").check()
        page.get_by_label("办理结果").fill("区住建委已同意调整施工时序")
        reason.fill(REASON)
        page.get_by_role("button", name="提交").click()
        page.locator("#confirm-progress").get_by_role("button", name="确认提交").click()
        expect(page.locator("#no-evidence-reason")).to_contain_text(REASON)
        shot(page, "01-reported")

        log_in(page, base, "office-coord")
        page.goto(url)
        page.get_by_role("button", name="核验通过").click()
        dialog = page.locator("#confirm-verify")
        expect(dialog).to_contain_text(REASON)
        shot(page, "02-verify-dialog")
        dialog.get_by_label("免交佐证材料的理由").fill("已电话向区住建委核实")
        dialog.get_by_role("button", name="确认核验").click()
        expect(page.locator("#evidence-waiver")).to_contain_text("已电话向区住建委核实")

    in_browser(report_and_verify)
    item.refresh_from_db()
    assert item.status == ActionItemStatus.VERIFIED
    assert item.events.get(action="done").no_evidence_reason == REASON
