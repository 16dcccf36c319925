"""Screenshots of the coordination pages (issue 4), taken with a real browser against a running, freshly
seeded server. Not a pytest test. Usage, after `migrate` and `seed_demo`:

    python manage.py runserver 127.0.0.1:8144 --noreload &
    python tests/e2e/coordination_screenshots.py [--base-url http://127.0.0.1:8144]

The walk records a district regular meeting with two decisions as 东丽区's officer, assigns them to two
towns, reports one done (the office then verifies it), and photographs the meeting list, the meeting
with its decisions and action items, the action-item list with overdue flags, a plan with two versions
and the cadence matrix. It changes the data, so run it on a fresh `seed_demo` database.
"""

import argparse
import datetime
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import CHROMIUM_ARGS, OUT, login, shot  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8144")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    OUT.mkdir(parents=True, exist_ok=True)
    today = datetime.date.today()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        page = context.new_page()

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
        for index, (town, due) in enumerate((("华明智能制造小镇", "2026-12-20"), ("东丽湖温泉旅游小镇", "2026-12-31"))):
            page.goto(meeting_url)
            page.locator(".decision-item").nth(index).get_by_role("link", name="转为督办事项").click()
            page.select_option("select[name=responsible]", label=f"　{town}")
            page.fill("input[name=owner]", ["王建国（华明街道副主任）", "李红梅（东丽湖街道副主任）"][index])
            page.fill("input[name=due_on]", due)
            page.get_by_role("button", name="交办").click()
            expect(page.locator("#confirm-assign")).to_be_visible()
            if index == 0:
                page.wait_for_timeout(400)
                shot(page, "issue4-02a-assign-confirm", full_page=False)
            page.locator("#confirm-assign").get_by_role("button", name="确认交办").click()
            expect(page.get_by_text("已交办督办事项")).to_be_visible()
        shot(page, "issue4-02-meeting-detail-decisions-action-items")
        page.locator(".item-table a").first.click()
        page.fill("textarea[name=note]", "用地报批材料已报区规划资源局。")
        page.check("input[name=done]")
        page.fill("textarea[name=resolution]", "已取得用地批复（东规资〔2026〕88号）。")
        page.get_by_role("button", name="提交", exact=True).click()
        page.locator("#confirm-progress").get_by_role("button", name="确认提交").click()
        expect(page.get_by_text("已报告办结")).to_be_visible()
        item_url = page.url

        print("office (协调推动组): verifies, sees overdue items, meeting list, cadence matrix")
        login(page, base, "office-coord")
        shot(page, "issue4-03-home-office-coord")
        page.goto(item_url)
        page.get_by_role("button", name="核验通过").click()
        expect(page.locator("#confirm-verify")).to_be_visible()
        page.wait_for_timeout(400)
        shot(page, "issue4-04-action-item-verify-confirm", full_page=False)
        page.locator("#confirm-verify").get_by_role("button", name="确认核验").click()
        expect(page.get_by_text("已核验，督办事项办结")).to_be_visible()
        shot(page, "issue4-05-action-item-detail-verified")
        page.goto(f"{base}/action-items/")
        shot(page, "issue4-06-action-item-list-overdue")
        page.goto(f"{base}/meetings/")
        shot(page, "issue4-07-meeting-list")
        page.goto(f"{base}/cadence/?year={today.year}")
        shot(page, "issue4-08-cadence-matrix")
        page.goto(f"{base}/organisation/")
        shot(page, "issue4-09-organisation")

        print("planning group: a plan with two versions")
        login(page, base, "office-planning")
        page.goto(f"{base}/plans/?status=submitted")
        shot(page, "issue4-10-plan-list")
        page.goto(f"{base}/plans/")
        page.locator("tbody tr", has_text="第2版").first.locator("a").first.click()
        shot(page, "issue4-11-plan-detail-version-2")
        page.get_by_role("link", name="第1版").click()
        shot(page, "issue4-12-plan-detail-version-1")

        print("district officer's inbox: own items, returned plan")
        login(page, base, "dongli-officer")
        shot(page, "issue4-13-home-district-officer")

        mobile = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
        phone = mobile.new_page()
        login(phone, base, "leader")
        phone.goto(f"{base}/cadence/?year={today.year}")
        shot(phone, "issue4-14-cadence-phone")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
