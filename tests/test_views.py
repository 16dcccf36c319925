"""The browser pages of issue 2: login, inbox, report list, entry form, review, ledger (thin view tests)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import let_file
from coordination import services as org
from ledgers import services as ledger
from ledgers.models import MonthlyReport, ReportStatus
from tests import clients
from tests.queries import queries_of_get

SEPT = datetime.date(2026, 9, 1)
AUG = datetime.date(2026, 8, 1)


login = clients.login


def _value(report, code) -> Decimal | None:
    row = report.values.filter(indicator__code=code).first()
    return row.value if row else None


def _entry_data(values: dict, action: str = "save") -> dict:
    return {**values, "action": action}


# --- Login and home ---------------------------------------------------------------------------------


def test_login_page_renders_with_system_name(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "天津市特色小镇规划建设协同平台" in response.content.decode()


def test_anonymous_user_is_redirected_to_login(client, db):
    for url in (reverse("home"), reverse("report-list"), reverse("ledger")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_user_logs_in_and_out(client, world):
    response = client.post(reverse("login"), {"username": "dongli-officer", "password": "test-pass-123"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_shows_an_error_in_chinese(client, world):
    response = client.post(reverse("login"), {"username": "dongli-officer", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_officer_home_lists_reports_to_fill_and_returned_with_reason(login, world, make_report, on_day):
    on_day(datetime.date(2026, 11, 20))  # ten of twelve months elapsed; October the last ended month
    make_report(ReportStatus.RETURNED, period=SEPT)
    page = login(world.users.officer).get(reverse("home")).content.decode()
    assert "待填报的月报" in page
    assert "东丽湖温泉小镇 · 2026年10月" in page  # last ended month, not yet opened
    assert "数据有误" in page  # the return reason
    assert reverse("report-fill") in page


def test_reviewer_home_lists_reports_to_approve(login, world, make_report):
    report = make_report(ReportStatus.SUBMITTED, period=SEPT)
    page = login(world.users.reviewer).get(reverse("home")).content.decode()
    assert "待区级审核" in page
    assert reverse("report-detail", args=[report.pk]) in page


def test_office_policy_home_lists_reports_to_accept(login, world, make_report):
    report = make_report(ReportStatus.DISTRICT_APPROVED, period=SEPT)
    page = login(world.users.office_policy).get(reverse("home")).content.decode()
    assert "待市级验收" in page
    assert reverse("report-detail", args=[report.pk]) in page


def test_home_without_work_shows_a_friendly_empty_state(login, world):
    page = login(world.users.leader).get(reverse("home")).content.decode()
    assert "暂无待办事项" in page


# --- Fill button ------------------------------------------------------------------------------------


def test_fill_button_opens_the_report_and_goes_to_the_entry_form(login, world):
    let_file(world, world.town, datetime.date(2026, 10, 1))  # on the test days after October's close day
    response = login(world.users.officer).post(reverse("report-fill"), {"town": world.town.pk, "period": "2026-10"})
    report = MonthlyReport.objects.get(town=world.town, period=datetime.date(2026, 10, 1))
    assert response.status_code == 302
    assert response.url == reverse("report-edit", args=[report.pk])
    # A second click opens the same report instead of failing.
    again = login(world.users.officer).post(reverse("report-fill"), {"town": world.town.pk, "period": "2026-10"})
    assert again.url == reverse("report-edit", args=[report.pk])


def test_fill_button_is_refused_to_reviewer_and_outsider(login, world):
    data = {"town": world.town.pk, "period": "2026-10"}
    assert login(world.users.reviewer).post(reverse("report-fill"), data).status_code == 403
    assert login(world.users.outsider).post(reverse("report-fill"), data).status_code == 404
    assert not MonthlyReport.objects.exists()


# --- Entry form -------------------------------------------------------------------------------------


def test_entry_form_shows_indicators_with_units(login, world, make_report):
    report = make_report(period=SEPT)
    page = login(world.users.officer).get(reverse("report-edit", args=[report.pk])).content.decode()
    assert "固定资产投资" in page and "万元" in page and "万人次" in page
    assert 'value="1200.5"' in page  # stored figure shown as typed


def test_entry_form_saves_values(login, world, full_values):
    let_file(world, world.town, SEPT)  # September is past its close day
    report = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=SEPT)
    response = login(world.users.officer).post(reverse("report-edit", args=[report.pk]), _entry_data(full_values))
    assert response.status_code == 302
    assert _value(report, "fixed_asset_investment") == Decimal("1200.50")
    assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_entry_form_shows_error_for_negative_number_and_keeps_stored_values(login, world, make_report, full_values):
    report = make_report(period=SEPT)
    data = _entry_data(full_values | {"fixed_asset_investment": "-5", "tax_revenue": "999"})
    response = login(world.users.officer).post(reverse("report-edit", args=[report.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "不能为负数" in page
    assert 'value="-5"' in page and 'value="999"' in page  # what the user typed is kept
    assert _value(report, "fixed_asset_investment") == Decimal("1200.50")
    assert _value(report, "tax_revenue") == Decimal("150.25")


def test_entry_form_submit_saves_and_submits(login, world, full_values):
    let_file(world, world.town, SEPT)
    report = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=SEPT)
    note = {"note-fixed_asset_investment": "企业设备更新投资"}  # investment without project progress
    response = login(world.users.officer).post(
        reverse("report-edit", args=[report.pk]), _entry_data(full_values | note, "submit")
    )
    report.refresh_from_db()
    assert response.status_code == 302
    assert report.status == ReportStatus.SUBMITTED
    assert _value(report, "employment") == Decimal("2100")


def test_entry_form_submit_with_a_missing_figure_stores_nothing(login, world, full_values):
    let_file(world, world.town, SEPT)
    report = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=SEPT)
    data = _entry_data(full_values | {"tourists": ""}, "submit")
    response = login(world.users.officer).post(reverse("report-edit", args=[report.pk]), data)
    report.refresh_from_db()
    assert response.status_code == 200
    assert "请填写「接待游客」" in response.content.decode()
    assert report.status == ReportStatus.DRAFT
    assert not report.values.exists()


def test_entry_form_of_a_submitted_report_sends_the_officer_to_the_detail(login, world, make_report):
    report = make_report(ReportStatus.SUBMITTED, period=SEPT)
    response = login(world.users.officer).get(reverse("report-edit", args=[report.pk]))
    assert response.status_code == 302
    assert response.url == reverse("report-detail", args=[report.pk])


def test_entry_form_is_refused_to_reviewer_and_outsider(login, world, make_report, full_values):
    report = make_report(period=SEPT)
    url = reverse("report-edit", args=[report.pk])
    assert login(world.users.reviewer).post(url, _entry_data(full_values | {"tax_revenue": "1"})).status_code == 403
    assert login(world.users.outsider).get(url).status_code == 404
    assert _value(report, "tax_revenue") == Decimal("150.25")


def test_entry_form_records_project_progress(login, world, make_report, full_values):
    report = make_report(period=SEPT)
    project = ledger.project_create(
        actor=world.users.officer,
        town=world.town,
        code="P-01",
        name="智能装备产业园一期",
        category="industry",
        total_investment=Decimal("50000"),
        annual_investment=Decimal("12000"),
    )
    data = _entry_data(
        full_values | {f"p{project.pk}-investment_month": "800", f"p{project.pk}-physical_progress": "主体封顶"}
    )
    response = login(world.users.officer).post(reverse("report-edit", args=[report.pk]), data)
    assert response.status_code == 302
    row = report.project_progress.get()
    assert (row.investment_month, row.physical_progress) == (Decimal("800"), "主体封顶")


# --- Workflow actions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "action", "unseen", "refused", "actor", "reached"),
    [
        pytest.param(
            ReportStatus.DRAFT, "report-submit", "outsider", ["reviewer"], "officer", ReportStatus.SUBMITTED,
            id="officer submits from the detail page",
        ),
        pytest.param(
            ReportStatus.SUBMITTED, "report-approve", "outsider_reviewer", ["officer"], "reviewer",
            ReportStatus.DISTRICT_APPROVED, id="reviewer approves and officer cannot",
        ),
        pytest.param(
            ReportStatus.DISTRICT_APPROVED, "report-accept", "outsider", ["office_assess", "reviewer"], "office_policy",
            ReportStatus.ACCEPTED, id="office policy accepts and other office groups cannot",
        ),
    ],
)  # fmt: skip
def test_a_workflow_step_is_taken_by_its_actor_alone(
    login, world, make_report, start, action, unseen, refused, actor, reached
):
    """Whoever does not see the report gets 404, whoever sees it but may not act 403; the actor moves it on."""
    report = make_report(start, period=SEPT)
    url = reverse(action, args=[report.pk])
    assert login(getattr(world.users, unseen)).post(url).status_code == 404
    for persona in refused:
        assert login(getattr(world.users, persona)).post(url).status_code == 403
    response = login(getattr(world.users, actor)).post(url)
    report.refresh_from_db()
    assert response.status_code == 302
    assert report.status == reached


def test_reviewer_returns_with_a_reason(login, world, make_report):
    report = make_report(ReportStatus.SUBMITTED, period=SEPT)
    url = reverse("report-return", args=[report.pk])
    assert login(world.users.outsider_reviewer).post(url, {"reason": "x"}).status_code == 404
    assert login(world.users.officer).post(url, {"reason": "x"}).status_code == 403
    response = login(world.users.reviewer).post(url, {"reason": "税收收入与上月差异过大，请核实"})
    report.refresh_from_db()
    assert response.status_code == 302
    assert report.status == ReportStatus.RETURNED
    assert report.return_reason == "税收收入与上月差异过大，请核实"


def test_empty_return_reason_is_refused(login, world, make_report):
    report = make_report(ReportStatus.SUBMITTED, period=SEPT)
    response = login(world.users.reviewer).post(reverse("report-return", args=[report.pk]), {"reason": "   "})
    report.refresh_from_db()
    assert response.status_code == 200
    assert "退回时必须填写退回原因" in response.content.decode()
    assert report.status == ReportStatus.SUBMITTED


def test_action_in_the_wrong_state_shows_a_message(login, world, make_report):
    report = make_report(period=SEPT)  # a draft cannot be approved
    client = login(world.users.reviewer)
    response = client.post(reverse("report-approve", args=[report.pk]), follow=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert "不能审核通过" in response.content.decode()


def test_workflow_pages_only_accept_post(login, world, make_report):
    report = make_report(ReportStatus.SUBMITTED, period=SEPT)
    assert login(world.users.reviewer).get(reverse("report-approve", args=[report.pk])).status_code == 405


# --- Detail / review page ---------------------------------------------------------------------------


def test_detail_shows_the_buttons_of_the_users_role(login, world, make_report):
    report = make_report(ReportStatus.SUBMITTED, period=SEPT)
    url = reverse("report-detail", args=[report.pk])
    reviewer_page = login(world.users.reviewer).get(url).content.decode()
    assert reverse("report-approve", args=[report.pk]) in reviewer_page
    assert reverse("report-return", args=[report.pk]) in reviewer_page
    officer_page = login(world.users.officer).get(url).content.decode()
    assert reverse("report-approve", args=[report.pk]) not in officer_page
    assert login(world.users.outsider).get(url).status_code == 404


def test_review_page_shows_changes_since_return(login, world, make_report):
    report = make_report(ReportStatus.RETURNED, period=SEPT)
    u = world.users
    ledger.monthly_report_save(actor=u.officer, report=report, values={"tax_revenue": "180"})
    ledger.monthly_report_submit(actor=u.officer, report=report)
    page = login(u.reviewer).get(reverse("report-detail", args=[report.pk])).content.decode()
    assert "退回后修改" in page
    assert "150.25" in page and "180" in page
    assert "row-changed" in page
    assert "数据有误" in page  # the return reason in the history


# --- Report list ------------------------------------------------------------------------------------


def test_report_list_filters_by_status_and_month(login, world, make_report):
    make_report(ReportStatus.SUBMITTED, period=SEPT)
    make_report(ReportStatus.DRAFT, town=world.town2, period=AUG)
    client = login(world.users.officer)
    listed = client.get(reverse("report-list"), {"status": "submitted"}).context["page"].object_list
    assert [r.town.pk for r in listed] == [world.town.pk]
    # A month lists every town that owes it: 华明 has no August report (未填报), 东丽湖 its draft.
    listed = client.get(reverse("report-list"), {"month": "2026-08"}).context["page"].object_list
    assert [(r.town.pk, r.report is not None) for r in listed] == [(world.town.pk, False), (world.town2.pk, True)]


def test_report_list_hides_other_districts(login, world, make_report):
    make_report(ReportStatus.SUBMITTED, town=world.outsider_town, period=SEPT)
    page = login(world.users.officer).get(reverse("report-list")).content.decode()
    assert "精武文化小镇" not in page


def _add_towns(world, make_report, count: int) -> None:
    statuses = [ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.DISTRICT_APPROVED, ReportStatus.ACCEPTED]
    for index in range(count):
        town = org.town_create(
            district=world.dongli,
            code=f"T09{index:02d}",
            name=f"测试小镇{index:02d}",
            reporting_from=datetime.date(2024, 1, 1),
            order=10 + index,
            host_township="某街",
            lead_industry="某产业",
        )
        make_report(statuses[index % len(statuses)], town=town, period=SEPT)


def test_report_list_query_count_does_not_grow_with_towns(login, world, make_report):
    make_report(ReportStatus.SUBMITTED, period=SEPT)
    make_report(ReportStatus.ACCEPTED, town=world.town2, period=SEPT)
    client = login(world.users.office_policy)
    few = queries_of_get(client, reverse("report-list"))
    _add_towns(world, make_report, 38)
    many = queries_of_get(client, reverse("report-list"))
    assert many == few
    assert queries_of_get(client, reverse("report-list"), {"page": 2}) == few


def test_report_list_paginates_and_keeps_filters(login, world, make_report):
    _add_towns(world, make_report, 24)
    page = login(world.users.office_policy).get(reverse("report-list"), {"month": "2026-09"}).content.decode()
    assert "month=2026-09&amp;page=2" in page


# --- Ledger -----------------------------------------------------------------------------------------


def test_ledger_shows_accepted_figures_and_gaps(login, world, make_report):
    make_report(ReportStatus.ACCEPTED, period=SEPT)
    make_report(ReportStatus.SUBMITTED, town=world.town2, period=SEPT)
    page = (
        login(world.users.office_policy)
        .get(reverse("ledger"), {"year": 2026, "indicator": "fixed_asset_investment"})
        .content.decode()
    )
    assert "1,200.50" in page  # accepted figure
    assert "待验收" in page  # town2's September is only submitted
    assert "缺报" in page  # e.g. August, never opened
    assert "全年合计" in page


def test_ledger_of_a_district_officer_shows_only_its_towns(login, world, make_report):
    page = login(world.users.outsider).get(reverse("ledger")).content.decode()
    assert "精武文化小镇" in page
    assert "华明智能制造小镇" not in page


def test_ledger_query_count_does_not_grow_with_towns(login, world, make_report):
    make_report(ReportStatus.ACCEPTED, period=SEPT)
    client = login(world.users.office_policy)
    params = {"year": 2026, "indicator": "tax_revenue"}
    few = queries_of_get(client, reverse("ledger"), params)
    _add_towns(world, make_report, 38)
    assert queries_of_get(client, reverse("ledger"), params) == few


def test_ledger_export_returns_a_workbook(login, world, make_report):
    make_report(ReportStatus.ACCEPTED, period=SEPT)
    response = login(world.users.officer).get(reverse("ledger-export"), {"year": 2026})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert response.content[:2] == b"PK"


# --- Error pages ------------------------------------------------------------------------------------


def test_not_found_page_is_in_chinese_with_a_way_home(login, world):
    response = login(world.users.officer).get(reverse("report-detail", args=[999999]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and reverse("home") in page


def test_forbidden_page_is_in_chinese(login, world, make_report):
    report = make_report(ReportStatus.SUBMITTED, period=SEPT)
    response = login(world.users.officer).post(reverse("report-approve", args=[report.pk]))
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.mark.parametrize("name", ["home", "report-list", "ledger", "work-info-list", "password_change"])
def test_an_english_browser_gets_the_chinese_pages_marked_zh_cn(login, world, name):
    response = login(world.users.officer).get(reverse(name), **ENGLISH)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in page
    assert "天津市特色小镇规划建设协同平台" in page and "退出登录" in page
    assert response.get("Content-Language") in (None, "zh-hans")


def test_an_english_browser_gets_the_chinese_login_page(client, db):
    page = client.get(reverse("login"), **ENGLISH).content.decode()
    assert '<html lang="zh-CN">' in page and "登录" in page


def test_an_english_browser_asking_for_another_districts_report_gets_the_chinese_404(login, world, make_report):
    report = make_report(ReportStatus.SUBMITTED, town=world.outsider_town, period=SEPT)
    response = login(world.users.officer).get(reverse("report-detail", args=[report.pk]), **ENGLISH)
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="zh-CN">' in page and "页面不存在" in page
    assert "Page not found" not in page


def test_an_english_browser_is_refused_in_chinese(login, world, make_report):
    report = make_report(ReportStatus.SUBMITTED, period=SEPT)
    response = login(world.users.officer).post(reverse("report-approve", args=[report.pk]), **ENGLISH)
    page = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="zh-CN">' in page and "没有权限" in page


def test_an_english_browser_gets_djangos_own_form_errors_in_chinese(login, world):
    empty = {"old_password": "", "new_password1": "", "new_password2": ""}
    page = login(world.users.officer).post(reverse("password_change"), empty, **ENGLISH).content.decode()
    assert "该字段是必填项。" in page and "This field is required." not in page


def test_an_english_api_client_gets_chinese_messages(api, world):
    client = api(world.users.officer)
    missing = client.get("/api/v1/monthly-reports/999999/", **ENGLISH)
    assert missing.status_code == 404 and "Not found" not in missing.json()["detail"]
    invalid = client.post("/api/v1/monthly-reports/", {}, format="json", **ENGLISH)
    assert invalid.status_code == 400 and "This field is required." not in invalid.content.decode()
    assert "该字段是必填项。" in invalid.content.decode()


def test_there_is_no_language_switch(login, world):
    client = login(world.users.officer)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 404
    assert '<html lang="zh-CN">' in client.get(reverse("home")).content.decode()


def test_server_error_and_csrf_pages_render_without_a_request(db):
    from django.template.loader import render_to_string

    assert "系统暂时出现问题" in render_to_string("500.html")
    assert "页面已过期" in render_to_string("403_csrf.html")


def test_superuser_without_profile_can_use_the_pages(login, world, make_report):
    report = make_report(ReportStatus.SUBMITTED, period=SEPT)
    client = login(world.users.admin)
    for url in (reverse("home"), reverse("report-list"), reverse("ledger"), reverse("report-detail", args=[report.pk])):
        assert client.get(url).status_code == 200
