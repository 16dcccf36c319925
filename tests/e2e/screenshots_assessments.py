"""Screenshots of the assessment pages (issue 7) against a running, freshly seeded server.

Not a pytest test. Usage, as for tests/e2e/screenshots.py:

    python manage.py migrate && python manage.py seed_demo
    python manage.py runserver 127.0.0.1:8011 --noreload &
    python tests/e2e/screenshots_assessments.py [--base-url http://127.0.0.1:8011]

It walks the personas through the pages: 创建考核组 opens the scheme editor (and tries a total that is
not 100), the results of the semi-annual run with its bands, a town's breakdown, the briefing, the
annual run where the office decides a proposal, and a district officer's self-evaluation form (西青区).
PNGs go to tests/e2e/screenshots/07-*.png. The walk changes data: run it on a fresh seed.
"""

import sys

from playwright.sync_api import expect
from screenshots import arguments, chromium, desktop, login, shot


def main() -> int:
    args = arguments(__doc__, 8011).parse_args()
    base = args.base_url.rstrip("/")

    with chromium(args) as browser:
        page = desktop(browser)

        print("创建考核组: overview, scheme editor")
        login(page, base, "office-assess")
        page.goto(f"{base}/assessments/")
        shot(page, "07-01-overview")
        page.goto(f"{base}/assessments/schemes/")
        page.get_by_role("link", name="编辑").first.click()
        weight = page.locator("input[name='items-0-weight']")
        weight.fill("20")
        expect(page.locator("[data-weight-sum]")).to_have_text("95")
        page.get_by_role("button", name="保存方案").click()
        expect(page.locator(".alert-danger")).to_contain_text("应为 100 分")
        shot(page, "07-02-scheme-editor-refused")
        page.locator("input[name='items-0-weight']").fill("25")
        expect(page.locator("[data-weight-sum]")).to_have_text("100")
        shot(page, "07-03-scheme-editor")

        print("results, breakdown, briefing")
        page.goto(f"{base}/assessments/")
        page.get_by_role("link", name="查看结果").first.click()
        shot(page, "07-04-semiannual-results")
        page.get_by_role("link", name="明细", exact=True).first.click()
        shot(page, "07-05-town-breakdown")
        page.go_back()
        page.get_by_role("link", name="简报").first.click()
        shot(page, "07-06-briefing")

        print("targets")
        page.goto(f"{base}/assessments/targets/")
        shot(page, "07-07-targets")

        print("the office decides a proposal of the annual run")
        login(page, base, "office-policy")
        page.goto(f"{base}/assessments/")
        page.goto(f"{base}/assessments/?year=2025")
        page.get_by_role("link", name="查看结果").first.click()
        shot(page, "07-08-annual-results")
        page.locator("tbody tr", has=page.locator(".badge", has_text="待决定")).first.get_by_role(
            "link", name="明细", exact=True
        ).click()
        page.get_by_label("理由").fill("连续两年未完成年度计划，予以警告，限期整改。")
        shot(page, "07-09-sanction-proposal")
        page.get_by_role("button", name="确认或改变建议").click()
        page.get_by_role("button", name="确认决定").click()
        expect(page.locator(".alert-success")).to_be_visible()
        shot(page, "07-10-sanction-decided")

        print("district officer: self-evaluation")
        login(page, base, "xiqing-officer")  # the demo leaves 西青区's October form to be filled
        page.goto(f"{base}/assessments/self-evaluations/")
        shot(page, "07-11-self-evaluations")
        page.get_by_role("link", name="填写").first.click()
        page.get_by_label("自评得分").fill("91.5")
        page.get_by_label("自查发现的问题").fill("1. 华明智能制造小镇二期项目开工滞后；\n2. 统计月报存在迟报。")
        page.get_by_label("整改措施").fill("1. 区发改委牵头每周调度；\n2. 明确专人，每月5日前完成初审。")
        shot(page, "07-12-self-evaluation-form")
        page.goto(f"{base}/")
        shot(page, "07-13-home")
    return 0


if __name__ == "__main__":
    sys.exit(main())
