"""Go-live (issue 15, acceptance): a new office runs the platform from its own pages, from an empty database.

The database holds what a new installation has: the migrations, the reference data (`manage.py
load_reference`: the municipality, the ten districts, the four working groups, the member units) and
one superuser. Everything else is done in Chromium, through the pages, as the people who do it:

1. the administrator creates dongli's information officer, dongli's reviewing leader and a member of
   the policy group (综合政策组), reading each one-time password from the page, and creates a town of
   dongli whose first reporting month is the month now due;
2. each new person signs in with the one-time password and is sent to change it first;
3. the officer registers two projects of the town and files its month, whose project rows add up to
   the town's fixed-asset investment; the leader approves it; the policy group accepts it; the ledger
   shows the accepted figure;
4. the administrator transfers the officer to xiqing: dongli's report answers 404 to them at once,
   and the officer's API token no longer lists it; the administrator deactivates the officer, whose
   token then gets 401.

Screenshots go to tests/e2e/screenshots/9-golive-*.png (ignored by git). The browser, its thread and
the database's restoration are test_browser_flows' (imported from it, see that module's docstring).
"""

import datetime
import json
import urllib.error
import urllib.request

import pytest
from browser import leave_session  # tests/e2e/browser.py, beside this module
from django.contrib.auth import get_user_model

# The same directory: pytest puts it on sys.path (tests/e2e is no package). Importing the fixtures
# registers them for this module too: the database is restored after it as after that one.
from test_browser_flows import FIGURES as FLOW_FIGURES
from test_browser_flows import (  # noqa: F401
    PASSWORD,
    confirm,
    database_as_found,
    in_browser,
    log_in,
    shot,
)

from coordination.services.reference import reference_data_load
from ledgers.models import MonthlyReport, Project, ReportStatus
from tianjin_towns.lib import dates

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TOWN = {"code": "12011009", "name": "金桥数字经济小镇", "host_township": "金桥街", "lead_industry": "数字经济"}
# Two projects of the town: one started in the month filed, one completed in it (the 新开工/竣工 counts
# below match them), whose month's investments add up to the town's fixed-asset investment.
PROJECTS = [
    {"code": "JQ-2026-01", "name": "金桥数据中心一期", "status": "new", "investment_month": "800"},
    {"code": "JQ-2026-02", "name": "金桥智慧园区配套道路", "status": "completed", "investment_month": "557.9"},
]
# The browser flow's figures (its fixed-asset investment, 1357.9 = 800 + 557.9, appears nowhere else) with one
# project started.
FIGURES = {**FLOW_FIGURES, "projects_started": "1"}
OFFICER = {"full_name": "张伟", "username": "zhangwei", "phone": "13800001111", "email": "zhangwei@example.cn"}
LEADER = {"full_name": "李娜", "username": "lina", "phone": "13800002222", "email": ""}
POLICY = {"full_name": "王芳", "username": "wangfang", "phone": "", "email": "wangfang@example.cn"}


def _shot(page, name: str) -> None:
    shot(page, f"golive-{name}")


def _month_day(period: datetime.date, day: int) -> str:
    return period.replace(day=day).isoformat()


def _api(base: str, path: str, *, token: str | None = None, data: dict | None = None) -> tuple[int, dict]:
    """One HTTP call to the live server's API, as another system makes it."""
    headers = {"Accept": "application/json"}
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(f"{base}{path}", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _create_user(page, person: dict, role: str, *, unit: str = "", group: str = "") -> str:
    """系统管理 → 用户与角色 → 新建用户; returns the one-time password the page shows once."""
    from playwright.sync_api import expect

    page.locator(".app-navbar").get_by_role("button", name="系统管理").or_(
        page.locator(".app-navbar").get_by_role("link", name="系统管理")
    ).click()
    page.locator(".app-navbar").get_by_role("link", name="用户与角色").click()
    page.get_by_role("link", name="新建用户").click()
    for name, value in person.items():
        page.fill(f"input[name={name}]", value)
    page.select_option("select[name=role]", label=role)
    if unit:
        expect(page.locator("select[name=org_unit]")).to_be_visible()  # the role shows the fields it needs
        page.select_option("select[name=org_unit]", label=unit)
    if group:
        expect(page.locator("select[name=working_group]")).to_be_visible()
        page.select_option("select[name=working_group]", label=group)
    if person is OFFICER:
        _shot(page, "02-user-form")
    page.get_by_role("button", name="创建用户").click()
    password = page.locator("[data-one-time-password]")
    expect(password).to_be_visible()
    if person is OFFICER:
        _shot(page, "03-one-time-password")
    return password.inner_text().strip()


def _open_user(page, base: str, person: dict) -> None:
    """用户与角色: search the person by user name, open their page."""
    page.goto(f"{base}/system/users/")
    page.fill("main input[name=q]", person["username"])
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name=person["full_name"], exact=True).click()


def _first_sign_in(page, base: str, username: str, one_time_password: str, screenshot: str = "") -> None:
    """Sign in with the one-time password: every page sends the user to change it; then it is theirs."""
    from playwright.sync_api import expect

    leave_session(page)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", one_time_password)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/accounts/password_change/")
    page.goto(f"{base}/reports/")  # any other page: back to the change
    expect(page).to_have_url(f"{base}/accounts/password_change/")
    expect(page.get_by_text("一次性密码").first).to_be_visible()
    if screenshot:
        _shot(page, screenshot)
    page.fill("input[name=old_password]", one_time_password)
    page.fill("input[name=new_password1]", PASSWORD)  # test_browser_flows.log_in signs in with it
    page.fill("input[name=new_password2]", PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    expect(page).to_have_url(f"{base}/accounts/password_change/done/")
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/")  # free to use the platform now


# The steps, in the order the test takes them. Each runs in the browser's thread (in_browser), a fresh browser
# context (a new visitor) per call of the test; the checks on the database stay in the test, between them.


# 1. The administrator creates the people and the town.
def _administrator_sets_up(page, base: str, period: datetime.date) -> tuple[dict, int]:
    log_in(page, base, "admin")
    passwords = _administrator_creates_the_people(page)
    return passwords, _administrator_creates_the_town(page, base, period)


def _administrator_creates_the_people(page) -> dict:
    from playwright.sync_api import expect

    passwords = {
        "officer": _create_user(page, OFFICER, "信息员", unit="东丽区"),
        "leader": _create_user(page, LEADER, "主管领导", unit="东丽区"),
        "policy": _create_user(page, POLICY, "工作组成员", group="综合政策组"),
    }
    page.get_by_role("link", name="返回用户列表").click()
    expect(page.get_by_text(OFFICER["full_name"]).first).to_be_visible()
    _shot(page, "01-user-list")
    return passwords


def _administrator_creates_the_town(page, base: str, period: datetime.date) -> int:
    from playwright.sync_api import expect

    page.goto(f"{base}/towns/new/")
    page.select_option("select[name=district]", label="东丽区")
    for name, value in TOWN.items():
        page.fill(f"input[name={name}]", value)
    page.select_option("select[name=status]", label="创建")
    page.fill("input[name=document_no]", "津特镇办〔2026〕3号")
    page.fill("input[name=reporting_from]", period.strftime("%Y-%m"))
    _shot(page, "04-town-form")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_be_visible()
    _shot(page, "05-town-detail")
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])


# 2-3. The officer changes the password, registers the town's projects and files its month.
def _officer_files_the_month(page, base: str, period: datetime.date, town_id: int, one_time_password: str) -> str:
    _first_sign_in(page, base, OFFICER["username"], one_time_password, screenshot="06-password-change")
    _officer_registers_the_projects(page, base, period)
    return _officer_submits_the_report(page, base, period, town_id)


def _officer_registers_the_projects(page, base: str, period: datetime.date) -> None:
    from playwright.sync_api import expect

    for index, project in enumerate(PROJECTS):
        page.goto(f"{base}/projects/")
        page.get_by_role("link", name="登记项目").first.click()
        page.select_option("select[name=town]", label=TOWN["name"])
        page.fill("input[name=code]", project["code"])
        page.fill("input[name=name]", project["name"])
        page.fill("input[name=owner]", "天津金桥投资发展有限公司")
        page.select_option("select[name=category]", value="industry" if index == 0 else "infrastructure")
        page.select_option("select[name=status]", value=project["status"])
        page.fill("input[name=total_investment]", "30000" if index == 0 else "8000")
        if index == 0:
            page.fill("input[name=actual_start]", _month_day(period, 10))
        else:
            page.fill("input[name=actual_start]", _month_day(dates.add_months(period, -8), 15))
            page.fill("input[name=actual_finish]", _month_day(period, 25))
        page.fill("input[name=plan_year_0]", str(period.year))
        page.fill("input[name=plan_amount_0]", "12000" if index == 0 else "5000")
        if index == 0:
            _shot(page, "07-project-form")
        page.get_by_role("button", name="保存").click()
        expect(page.locator(".alert-success")).to_be_visible()


def _officer_submits_the_report(page, base: str, period: datetime.date, town_id: int) -> str:
    """From the inbox: the town's month, its figures and its projects' month, submitted; returns its URL."""
    from playwright.sync_api import expect

    page.goto(f"{base}/")
    inbox = page.locator("form", has=page.locator(f"input[name=town][value='{town_id}']")).filter(
        has=page.locator(f"input[name=period][value='{period:%Y-%m}']")
    )
    expect(inbox).to_be_visible()  # the town's month is due
    _shot(page, "08-officer-inbox")
    inbox.get_by_role("button", name="填报").click()
    expect(page.locator("#report-form")).to_be_visible()
    for code, value in FIGURES.items():
        page.fill(f"input[name={code}]", value)
    for project in PROJECTS:
        page.get_by_label(f"{project['name']} 本月完成投资").fill(project["investment_month"])
    _shot(page, "09-officer-entry-form")
    confirm(page, "提交审核", "#confirm-submit", "确认提交")
    return page.url


# The leader approves; the policy group accepts; the ledger shows the accepted figure.
def _leader_approves_and_policy_accepts(
    page, base: str, period: datetime.date, passwords: dict, report_pk: int, report_url: str
) -> None:
    _leader_approves(page, base, passwords["leader"], report_pk, report_url)
    _policy_group_accepts(page, base, period, passwords["policy"], report_url)


def _leader_approves(page, base: str, one_time_password: str, report_pk: int, report_url: str) -> None:
    from playwright.sync_api import expect

    _first_sign_in(page, base, LEADER["username"], one_time_password)
    expect(page.locator(f"a[href='/reports/{report_pk}/']").first).to_be_visible()  # in the inbox
    page.goto(report_url)
    _shot(page, "10-leader-review")
    confirm(page, "审核通过", "#confirm-approve", "审核通过")


def _policy_group_accepts(page, base: str, period: datetime.date, one_time_password: str, report_url: str) -> None:
    from playwright.sync_api import expect

    _first_sign_in(page, base, POLICY["username"], one_time_password)
    page.goto(report_url)
    confirm(page, "验收", "#confirm-accept", "确认验收")
    expect(page.get_by_role("button", name="验收", exact=True)).to_have_count(0)
    page.goto(f"{base}/ledger/?year={period.year}")
    row = page.locator("tr", has=page.get_by_text(TOWN["name"]))
    expect(row.first).to_contain_text("1,357.9")
    _shot(page, "11-ledger")


# 4. The transfer: the officer moves to xiqing and loses dongli at once; then the deactivation, which
# ends the API token at once. (The API calls need no database: they run in the browser's thread.)
def _administrator_transfers_then_deactivates_the_officer(
    page, base: str, report_pk: int, report_url: str, token: str
) -> None:
    _administrator_transfers_the_officer(page, base)
    _officer_no_longer_sees_dongli(page, base, report_pk, report_url, token)
    _administrator_deactivates_the_officer(page, base, token)


def _administrator_transfers_the_officer(page, base: str) -> None:
    from playwright.sync_api import expect

    log_in(page, base, "admin")
    _open_user(page, base, OFFICER)
    page.get_by_role("link", name="修改资料、角色或单位").click()
    page.select_option("select[name=org_unit]", label="西青区")
    page.fill("input[name=reason]", "工作调动")
    _shot(page, "12-user-transfer")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("tr").filter(has_text="东丽区").filter(has_text="西青区")).to_be_visible()  # history
    _shot(page, "13-user-detail-transferred")


def _officer_no_longer_sees_dongli(page, base: str, report_pk: int, report_url: str, token: str) -> None:
    log_in(page, base, OFFICER["username"])
    response = page.goto(report_url)
    assert response.status == 404, response.status
    _shot(page, "14-officer-404")
    status, body = _api(base, "/api/v1/monthly-reports/", token=token)
    assert status == 200 and report_pk not in [row["id"] for row in body["results"]], body


def _administrator_deactivates_the_officer(page, base: str, token: str) -> None:
    from playwright.sync_api import expect

    log_in(page, base, "admin")
    _open_user(page, base, OFFICER)
    confirm(page, "停用账号", "#deactivate", "停用账号")
    expect(page.get_by_text("已停用").first).to_be_visible()
    _shot(page, "15-user-deactivated")
    status, _body = _api(base, "/api/v1/monthly-reports/", token=token)
    assert status == 401, status


# transactional_db, named here, sets the test database up before the module's database_as_found runs
# (test_browser_flows' tests name it through `world`); the marker alone would set it up later.
def test_a_new_office_goes_live_from_its_own_pages(transactional_db, in_browser, live_server):  # noqa: F811
    base = live_server.url
    period = dates.last_ended_period()  # the month now due (conftest pins "today")
    reference_data_load()
    get_user_model().objects.create_superuser("admin", "admin@example.cn", PASSWORD)

    passwords, town_id = in_browser(lambda page: _administrator_sets_up(page, base, period))
    officer = get_user_model().objects.get(username=OFFICER["username"])
    assert officer.profile.must_change_password and officer.profile.org_unit.name == "东丽区"
    assert not officer.check_password(PASSWORD) and officer.check_password(passwords["officer"])
    # The token endpoint refuses a one-time password: it is changed in the browser first.
    refused, _body = _api(
        base, "/api/v1/auth/token/", data={"username": OFFICER["username"], "password": passwords["officer"]}
    )
    assert refused == 403

    report_url = in_browser(lambda page: _officer_files_the_month(page, base, period, town_id, passwords["officer"]))
    report = MonthlyReport.objects.get(town_id=town_id, period=period)
    assert report.status == ReportStatus.SUBMITTED
    assert report_url.endswith(f"/reports/{report.pk}/")
    assert Project.objects.filter(town_id=town_id).count() == 2
    status, body = _api(base, "/api/v1/auth/token/", data={"username": OFFICER["username"], "password": PASSWORD})
    assert status == 200, body
    token = body["token"]
    status, body = _api(base, "/api/v1/monthly-reports/", token=token)
    assert status == 200 and report.pk in [row["id"] for row in body["results"]], body

    in_browser(lambda page: _leader_approves_and_policy_accepts(page, base, period, passwords, report.pk, report_url))
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED

    in_browser(
        lambda page: _administrator_transfers_then_deactivates_the_officer(page, base, report.pk, report_url, token)
    )
    officer.refresh_from_db()
    assert not officer.is_active and officer.profile.org_unit.name == "西青区"
