"""Screenshots of the coordination pages (issue 4), taken with a real browser against a running, freshly
seeded server. Not a pytest test. Usage, after `migrate` and `seed_demo`:

    python manage.py runserver 127.0.0.1:8144 --noreload &
    python tests/e2e/coordination_screenshots.py [--base-url http://127.0.0.1:8144]

The walk records a district regular meeting with two decisions as 东丽区's officer, assigns them to two
towns, reports one done (the office then verifies it), and photographs the meeting list, the meeting
with its decisions and action items, the action-item list with overdue flags, a plan with two versions
and the cadence matrix. It changes the data, so run it on a fresh `seed_demo` database.
"""

import datetime
import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import arguments, chromium, desktop, dialog, login, phone, shot, shots  # noqa: E402


def main() -> int:
    args = arguments(__doc__, 8144).parse_args()
    base = args.base_url.rstrip("/")
    today = datetime.date.today()

    with chromium(args) as browser:
        page = desktop(browser)
        item_url = district_officer_records_the_meeting(page, base, today)
        office_verifies_and_reviews(page, base, item_url, today)
        planning_group_plan_versions(page, base)
        district_officer_inbox(page, base)
        leader_cadence_on_a_phone(browser, base, today)
    return 0


def district_officer_records_the_meeting(page: Page, base: str, today: datetime.date) -> str:
    """The meeting with its two decisions, both assigned, one reported done; returns that action item's URL."""
    print("district officer records this month's regular meeting with two decisions")
    login(page, base, "dongli-officer")
    page.goto(f"{base}/meetings/new/?kind=district_regular")
    page.fill("input[name=title]", "东丽区特色小镇年底冲刺专题例会")
    page.fill("input[name=held_on]", today.isoformat())
    page.check("input[name=held]")
    page.fill("input[name=place]", "区发展改革委第一会议室")
    page.fill("input[name=convener]", "东丽区分管副区长")
    page.get_by_role("button", name="带入本区待议事项").click()
    expect(page.locator(".alert-success")).to_be_visible()
    shot(page, "issue4-01-meeting-form-agenda-suggestions")
    page.fill(
        "textarea[name=minutes]",
        "会议研究了华明、东丽湖两个小镇年底冲刺的重点工作。\n会议要求各责任单位倒排工期，确保完成年度目标。",
    )
    page.fill(
        "textarea[name=decisions]",
        "华明智能制造小镇12月20日前完成产业园二期用地报批\n东丽湖温泉旅游小镇完成游客中心主体验收",
    )
    page.locator(".form-actions").get_by_role("button", name="保存").click()
    expect(page.get_by_text("会议已登记")).to_be_visible()
    meeting_url = page.url
    assign_the_decisions(page, meeting_url)
    shot(page, "issue4-02-meeting-detail-decisions-action-items")
    return report_the_first_item_done(page)


def assign_the_decisions(page: Page, meeting_url: str) -> None:
    """Each decision of the meeting becomes an action item of its town."""
    for index, (town, due) in enumerate((("华明智能制造小镇", "2026-12-20"), ("东丽湖温泉旅游小镇", "2026-12-31"))):
        page.goto(meeting_url)
        page.locator(".decision-item").nth(index).get_by_role("link", name="转为督办事项").click()
        page.select_option("select[name=responsible]", label=f"　{town}")
        page.fill("input[name=owner]", ["王建国（华明街道副主任）", "李红梅（东丽湖街道副主任）"][index])
        page.fill("input[name=due_on]", due)
        page.get_by_role("button", name="交办").click()
        dialog(page, "#confirm-assign", "issue4-02a-assign-confirm" if index == 0 else None, confirm="确认交办")
        expect(page.get_by_text("已交办督办事项")).to_be_visible()


def report_the_first_item_done(page: Page) -> str:
    """From the meeting's page: its first action item reported done; returns the item's URL."""
    page.locator(".item-table a").first.click()
    page.fill("textarea[name=note]", "用地报批材料已报区规划资源局。")
    page.check("input[name=done]")
    page.fill("textarea[name=resolution]", "已取得用地批复（东规资〔2026〕88号）。")
    evidence = {"name": "用地批复.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}
    page.set_input_files("input[name=evidence]", files=[evidence])  # reporting done needs evidence (issue 19)
    page.get_by_role("button", name="提交", exact=True).click()
    page.locator("#confirm-progress").get_by_role("button", name="确认提交").click()
    expect(page.get_by_text("已报告办结")).to_be_visible()
    return page.url


def office_verifies_and_reviews(page: Page, base: str, item_url: str, today: datetime.date) -> None:
    print("office (协调推动组): verifies, sees overdue items, meeting list, cadence matrix")
    login(page, base, "office-coord")
    shot(page, "issue4-03-home-office-coord")
    page.goto(item_url)
    page.get_by_role("button", name="核验通过").click()
    dialog(page, "#confirm-verify", "issue4-04-action-item-verify-confirm", confirm="确认核验")
    expect(page.get_by_text("已核验，督办事项办结")).to_be_visible()
    shot(page, "issue4-05-action-item-detail-verified")
    shots(
        page,
        base,
        {
            "/action-items/": "issue4-06-action-item-list-overdue",
            "/meetings/": "issue4-07-meeting-list",
            f"/cadence/?year={today.year}": "issue4-08-cadence-matrix",
            "/organisation/": "issue4-09-organisation",
        },
    )


def planning_group_plan_versions(page: Page, base: str) -> None:
    print("planning group: a plan with two versions")
    login(page, base, "office-planning")
    page.goto(f"{base}/plans/?status=submitted")
    shot(page, "issue4-10-plan-list")
    page.goto(f"{base}/plans/")
    page.locator("tbody tr", has_text="第2版").first.locator("a").first.click()
    shot(page, "issue4-11-plan-detail-version-2")
    page.get_by_role("link", name="第1版").click()
    shot(page, "issue4-12-plan-detail-version-1")


def district_officer_inbox(page: Page, base: str) -> None:
    print("district officer's inbox: own items, returned plan")
    login(page, base, "dongli-officer")
    shot(page, "issue4-13-home-district-officer")


def leader_cadence_on_a_phone(browser: Browser, base: str, today: datetime.date) -> None:
    small = phone(browser)
    login(small, base, "leader")
    small.goto(f"{base}/cadence/?year={today.year}")
    shot(small, "issue4-14-cadence-phone")


if __name__ == "__main__":
    sys.exit(main())
