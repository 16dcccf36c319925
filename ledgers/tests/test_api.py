"""API v1 for monthly reports, projects and the ledger export: workflow, permissions, validation, query counts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from conftest import FULL_VALUES, PASSWORD
from ledgers import services
from ledgers.models import MonthlyReport, Project, ReportStatus, ReportValue
from ledgers.tests.quality import let_file
from tianjin_towns.lib import dates

S = ReportStatus
REPORTS = "/api/v1/monthly-reports/"


def detail(report) -> str:
    return f"{REPORTS}{report.pk}/"


def action_url(report, action: str) -> str:
    return f"{REPORTS}{report.pk}/{action}/"


def token_client(username: str) -> APIClient:
    """A client that logs in the way other systems do: POST /auth/token/, then `Authorization: Token …`."""
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def stored_values(report) -> dict[str, Decimal]:
    return dict(ReportValue.objects.filter(report_id=report.pk).values_list("indicator__code", "value"))


def stored_status(report) -> str:
    return MonthlyReport.objects.get(pk=report.pk).status


# --- The whole loop ---------------------------------------------------------------------------


def test_officer_reviewer_office_loop_over_the_api_with_token_auth(world, on_day):
    on_day(datetime.date(2026, 10, 9))  # September is open and due tomorrow
    officer, reviewer, office = (token_client(n) for n in ("dongli-officer", "dongli-leader", "office-policy"))

    created = officer.post(REPORTS, {"town": world.town.pk, "period": "2026-09", "values": FULL_VALUES}, format="json")
    assert created.status_code == 201, created.content
    report = created.json()
    assert report["status"] == "draft"
    assert report["period"] == "2026-09"
    assert report["town"] == world.town.pk
    assert report["town_name"] == "华明智能制造小镇"
    assert report["district"] == world.dongli.pk
    assert report["values"]["fixed_asset_investment"] == 1200.5
    assert report["values"]["new_enterprises"] == 3
    assert report["timeliness"] is None
    assert report["due_on"] == "2026-10-10"
    pk = report["id"]

    # The investment has no project progress behind it: the rules ask for an explanation first.
    refused = officer.post(f"{REPORTS}{pk}/submit/")
    assert refused.status_code == 400 and "fixed_asset_investment" in refused.json()
    explained = officer.patch(
        f"{REPORTS}{pk}/",
        {"explanations": {"fixed_asset_investment": "企业自筹技改投资，未列入项目台账。"}},
        format="json",
    )
    assert explained.status_code == 200, explained.content
    submitted = officer.post(f"{REPORTS}{pk}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["submitted_at"]
    assert submitted.json()["timeliness"] == "on_time"

    approved = reviewer.post(f"{REPORTS}{pk}/approve/")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "district_approved"

    accepted = office.post(f"{REPORTS}{pk}/accept/")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert MonthlyReport.objects.get(pk=pk).accepted_by == world.users.office_policy


def test_return_and_resubmit_over_the_api(world, api, make_report):
    report = make_report(S.SUBMITTED)
    returned = api(world.users.reviewer).post(action_url(report, "return"), {"reason": "税收数据有误"}, format="json")
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
    assert returned.json()["return_reason"] == "税收数据有误"

    officer = api(world.users.officer)
    fixed = officer.patch(detail(report), {"values": {"tax_revenue": 160}}, format="json")
    assert fixed.status_code == 200
    assert fixed.json()["values"]["tax_revenue"] == 160
    assert officer.post(action_url(report, "submit")).json()["status"] == "submitted"


def test_office_returns_district_approved_report(world, api, make_report):
    report = make_report(S.DISTRICT_APPROVED)
    response = api(world.users.office_policy).post(
        action_url(report, "return"), {"reason": "与项目合计不符"}, format="json"
    )
    assert response.status_code == 200
    assert stored_status(report) == S.RETURNED


# --- Illegal transitions: 409, nothing changes ------------------------------------------------


@pytest.mark.parametrize(
    ("status", "persona", "action"),
    [
        (S.DRAFT, "office_policy", "accept"),
        (S.DRAFT, "reviewer", "approve"),
        (S.ACCEPTED, "officer", "submit"),
        (S.DRAFT, "reviewer", "return"),
        (S.SUBMITTED, "office_policy", "accept"),
        (S.SUBMITTED, "officer", "submit"),
        (S.DISTRICT_APPROVED, "reviewer", "approve"),
        (S.ACCEPTED, "reviewer", "return"),
        (S.ACCEPTED, "office_policy", "return"),
        (S.RETURNED, "office_policy", "return"),
    ],
)
def test_wrong_transition_is_409_and_changes_nothing(world, api, make_report, status, persona, action):
    report = make_report(status)
    body = {"reason": "理由"} if action == "return" else {}
    response = api(getattr(world.users, persona)).post(action_url(report, action), body, format="json")
    assert response.status_code == 409, response.content
    assert response.json()["detail"]
    assert stored_status(report) == status


@pytest.mark.parametrize("status", [S.ACCEPTED, S.SUBMITTED, S.DISTRICT_APPROVED])
def test_patching_a_report_that_left_the_filer_is_409(world, api, make_report, status):
    report = make_report(status)
    response = api(world.users.officer).patch(detail(report), {"values": {"tax_revenue": 1}}, format="json")
    assert response.status_code == 409
    assert "不能修改" in response.json()["detail"]
    assert stored_values(report)["tax_revenue"] == Decimal("150.25")


def test_creating_a_second_report_for_the_same_month_is_409(world, api, make_report):
    make_report(S.DRAFT)
    response = api(world.users.officer).post(REPORTS, {"town": world.town.pk, "period": "2026-09"}, format="json")
    assert response.status_code == 409


# --- Permission matrix ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "action"),
    [
        ("get", None),
        ("patch", None),
        ("get", "history"),
        ("post", "submit"),
        ("post", "approve"),
        ("post", "accept"),
        ("post", "return"),
    ],
)
def test_outsider_gets_404_on_detail_and_actions(world, api, make_report, method, action):
    report = make_report(S.SUBMITTED)
    url = action_url(report, action) if action else detail(report)
    for outsider in (world.users.outsider, world.users.outsider_reviewer, world.users.liaison):
        response = getattr(api(outsider), method)(url, {"reason": "x", "values": {}}, format="json")
        assert response.status_code == 404, (outsider, response.content)
    assert stored_status(report) == S.SUBMITTED


@pytest.mark.parametrize(
    ("persona", "status", "action"),
    [
        ("officer", S.SUBMITTED, "approve"),
        ("officer", S.DISTRICT_APPROVED, "accept"),
        ("officer", S.SUBMITTED, "return"),
        ("reviewer", S.DISTRICT_APPROVED, "accept"),
        ("reviewer", S.DRAFT, "submit"),
        ("reviewer", S.DISTRICT_APPROVED, "return"),  # at the office's stage only the office returns
        ("office_assess", S.DISTRICT_APPROVED, "accept"),
        ("office_assess", S.DISTRICT_APPROVED, "return"),
        ("office_coord", S.DISTRICT_APPROVED, "accept"),
        ("office_policy", S.SUBMITTED, "approve"),
        ("leader", S.DRAFT, "submit"),
        ("leader", S.SUBMITTED, "approve"),
        ("leader", S.DISTRICT_APPROVED, "accept"),
        ("leader", S.SUBMITTED, "return"),
        ("leader", S.DISTRICT_APPROVED, "return"),
    ],
)
def test_viewer_without_the_permission_gets_403(world, api, make_report, persona, status, action):
    report = make_report(status)
    response = api(getattr(world.users, persona)).post(action_url(report, action), {"reason": "理由"}, format="json")
    assert response.status_code == 403, response.content
    assert stored_status(report) == status


@pytest.mark.parametrize("persona", ["reviewer", "leader", "office_policy"])
def test_only_the_filer_may_patch_figures(world, api, make_report, persona):
    report = make_report(S.DRAFT)
    response = api(getattr(world.users, persona)).patch(detail(report), {"values": {"tax_revenue": 1}}, format="json")
    assert response.status_code == 403
    assert stored_values(report)["tax_revenue"] == Decimal("150.25")


def test_viewers_may_read_detail_and_history(world, api, make_report):
    report = make_report(S.SUBMITTED)
    for persona in ("officer", "reviewer", "leader", "office_assess"):
        client = api(getattr(world.users, persona))
        assert client.get(detail(report)).status_code == 200
        assert client.get(action_url(report, "history")).status_code == 200


def test_put_is_not_offered(world, api, make_report):
    report = make_report(S.DRAFT)
    response = api(world.users.officer).put(detail(report), {"values": {}}, format="json")
    assert response.status_code == 405


def test_lists_contain_only_reports_in_scope(world, api, make_report):
    own = make_report(S.DRAFT)
    foreign = make_report(S.DRAFT, town=world.outsider_town)

    def listed(user):
        return {row["id"] for row in api(user).get(REPORTS).json()["results"]}

    assert listed(world.users.officer) == {own.pk}
    assert listed(world.users.outsider) == {foreign.pk}
    assert listed(world.users.leader) == {own.pk, foreign.pk}
    assert listed(world.users.liaison) == set()


def test_list_filters(world, api, make_report):
    september = make_report(S.SUBMITTED)
    august = make_report(S.DRAFT, period=datetime.date(2026, 8, 1))
    other_town = make_report(S.DRAFT, town=world.town2)
    xiqing = make_report(S.DRAFT, town=world.outsider_town)
    last_year = make_report(S.DRAFT, period=datetime.date(2025, 9, 1))
    client = api(world.users.leader)

    def listed(**params):
        response = client.get(REPORTS, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert listed(period="2026-09") == {september.pk, other_town.pk, xiqing.pk}
    assert listed(status="submitted") == {september.pk}
    assert listed(town=world.town2.pk) == {other_town.pk}
    assert listed(district=world.xiqing.pk) == {xiqing.pk}
    assert listed(year=2025) == {last_year.pk}
    assert listed(year=2026, town=world.town.pk) == {september.pk, august.pk}


@pytest.mark.parametrize(
    "params", [{"period": "2026-13"}, {"period": "sept"}, {"status": "done"}, {"year": "abc"}, {"town": "x"}]
)
def test_bad_list_filter_is_400(world, api, params):
    assert api(world.users.leader).get(REPORTS, params).status_code == 400


# --- Creating reports -------------------------------------------------------------------------


def test_reviewer_cannot_open_a_report(world, api):
    response = api(world.users.reviewer).post(REPORTS, {"town": world.town.pk, "period": "2026-09"}, format="json")
    assert response.status_code == 403
    assert not MonthlyReport.objects.exists()


def test_opening_a_report_for_an_unseen_town_is_400_on_town(world, api):
    response = api(world.users.outsider).post(REPORTS, {"town": world.town.pk, "period": "2026-09"}, format="json")
    assert response.status_code == 400
    assert "无权访问" in response.json()["town"][0]
    assert not MonthlyReport.objects.exists()


def test_opening_a_report_for_a_month_not_ended_is_400(world, api):
    period = dates.format_period(dates.today())
    response = api(world.users.officer).post(REPORTS, {"town": world.town.pk, "period": period}, format="json")
    assert response.status_code == 400
    assert "period" in response.json()
    assert not MonthlyReport.objects.exists()


def test_a_bad_figure_on_create_creates_nothing(world, api):
    let_file(world, world.town, datetime.date(2026, 9, 1))
    values = {**FULL_VALUES, "tax_revenue": -5}
    response = api(world.users.officer).post(
        REPORTS, {"town": world.town.pk, "period": "2026-09", "values": values}, format="json"
    )
    assert response.status_code == 400
    assert "tax_revenue" in response.json()
    assert not MonthlyReport.objects.exists()


# --- Validation of figures --------------------------------------------------------------------


def test_negative_figure_is_400_naming_the_field_and_nothing_is_saved(world, api, make_report):
    report = make_report(S.DRAFT)
    before = stored_values(report)
    response = api(world.users.officer).patch(
        detail(report), {"values": {"tax_revenue": 99, "fixed_asset_investment": -1}}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()
    assert "fixed_asset_investment" in errors
    assert "不能为负数" in errors["fixed_asset_investment"][0]
    assert "固定资产投资" in errors["fixed_asset_investment"][0]
    assert stored_values(report) == before  # tax_revenue was not half-saved either


def test_non_number_figure_is_400(world, api, make_report):
    report = make_report(S.DRAFT)
    response = api(world.users.officer).patch(detail(report), {"values": {"employment": "很多"}}, format="json")
    assert response.status_code == 400
    assert "必须是数字" in response.json()["employment"][0]
    assert stored_values(report)["employment"] == Decimal("2100")


def test_unknown_indicator_is_400(world, api, make_report):
    report = make_report(S.DRAFT)
    response = api(world.users.officer).patch(detail(report), {"values": {"gdp": 1}}, format="json")
    assert response.status_code == 400
    assert "gdp" in response.json()


def test_values_must_be_an_object(world, api, make_report):
    report = make_report(S.DRAFT)
    response = api(world.users.officer).patch(detail(report), {"values": [1, 2]}, format="json")
    assert response.status_code == 400
    assert "values" in response.json()


def test_submitting_with_missing_figures_is_400_per_field(world, api):
    let_file(world, world.town, datetime.date(2026, 9, 1))
    report = services.monthly_report_create(
        actor=world.users.officer, town=world.town, period=datetime.date(2026, 9, 1)
    )
    response = api(world.users.officer).post(action_url(report, "submit"))
    assert response.status_code == 400
    assert "tax_revenue" in response.json()
    assert stored_status(report) == S.DRAFT


@pytest.mark.parametrize("body", [{"reason": ""}, {"reason": "   "}, {}])
def test_return_without_reason_is_400(world, api, make_report, body):
    report = make_report(S.SUBMITTED)
    response = api(world.users.reviewer).post(action_url(report, "return"), body, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert stored_status(report) == S.SUBMITTED


# --- History ----------------------------------------------------------------------------------


def test_history_lists_actions_in_order_with_changes(world, api, make_report):
    report = make_report(S.SUBMITTED)
    api(world.users.reviewer).post(action_url(report, "return"), {"reason": "税收偏低"}, format="json")
    api(world.users.officer).patch(detail(report), {"values": {"tax_revenue": "160"}}, format="json")
    api(world.users.officer).post(action_url(report, "submit"))

    response = api(world.users.leader).get(action_url(report, "history"))
    assert response.status_code == 200
    events = response.json()
    assert [e["action"] for e in events] == ["create", "save", "submit", "return", "save", "submit"]
    assert events[0]["user"] == "dongli-officer"
    assert events[0]["user_name"] == "东丽信息员"
    returned = events[3]
    assert (returned["from_status"], returned["to_status"]) == ("submitted", "returned")
    assert returned["reason"] == "税收偏低"
    assert returned["user_name"] == "东丽主管领导"
    assert events[4]["changes"] == {"values": {"tax_revenue": ["150.25", "160"]}}
    assert events[1]["changes"]["values"]["fixed_asset_investment"] == [None, "1200.5"]
    assert set(events[0]) == {"at", "user", "user_name", "action", "from_status", "to_status", "reason", "changes"}


# --- Query counts -----------------------------------------------------------------------------


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_report_list_query_count_does_not_grow_with_reports(world, api, make_report):
    client = api(world.users.leader)
    for month in (1, 2):
        make_report(S.DRAFT, period=datetime.date(2026, month, 1))
    small = _count_queries(client, REPORTS)
    for index in range(38):
        town = world.town if index % 2 else world.town2
        make_report(S.DRAFT, town=town, period=datetime.date(2024 + index // 24, index // 2 % 12 + 1, 1))
    assert MonthlyReport.objects.count() == 40
    assert client.get(REPORTS).json()["count"] == 40
    assert _count_queries(client, REPORTS) == small


def _make_project(world, town=None, code="P001", **fields):
    defaults = {
        "name": "智能装备产业园",
        "category": "industry",
        "total_investment": "5000",
        "year_plans": [{"year": 2026, "amount": "1000"}],
    }
    return services.project_create(actor=world.users.officer, town=town or world.town, code=code, **defaults | fields)


def test_project_list_query_count_does_not_grow_with_projects(world, api, make_report):
    client = api(world.users.leader)
    report = make_report(S.DRAFT)
    first = _make_project(world, code="P000")
    services.monthly_report_save(
        actor=world.users.officer, report=report, values={}, progress=[{"project": first.pk, "investment_month": "10"}]
    )
    small = _count_queries(client, "/api/v1/projects/")
    projects = [_make_project(world, code=f"P{i:03d}", town=world.town2) for i in range(1, 15)]
    other = make_report(S.DRAFT, town=world.town2)
    services.monthly_report_save(
        actor=world.users.officer,
        report=other,
        values={},
        progress=[{"project": p.pk, "investment_month": "5"} for p in projects],
    )
    assert client.get("/api/v1/projects/").json()["count"] == 15
    assert _count_queries(client, "/api/v1/projects/") == small


# --- Projects ---------------------------------------------------------------------------------


def test_officer_creates_and_updates_a_project(world, api):
    client = api(world.users.officer)
    body = {
        "town": world.town.pk,
        "code": "P001",
        "name": "智能装备产业园",
        "category": "industry",
        "total_investment": "5000",
        "annual_investment": "1000",
        "planned_start": "2026-03-01",
    }
    created = client.post("/api/v1/projects/", body, format="json")
    assert created.status_code == 201, created.content
    project = created.json()
    assert project["town"] == world.town.pk
    assert project["total_investment"] == 5000
    assert project["progress"] == []

    updated = client.patch(
        f"/api/v1/projects/{project['id']}/", {"status": "new", "name": "智能装备产业园一期"}, format="json"
    )
    assert updated.status_code == 200, updated.content
    stored = Project.objects.get(pk=project["id"])
    assert (stored.status, stored.name) == ("new", "智能装备产业园一期")


def test_project_shows_monthly_progress_saved_with_the_report(world, api, make_report):
    project = _make_project(world)
    report = make_report(S.DRAFT)
    saved = api(world.users.officer).patch(
        detail(report),
        {"progress": [{"project": project.pk, "investment_month": "250", "physical_progress": "主体施工"}]},
        format="json",
    )
    assert saved.status_code == 200, saved.content
    response = api(world.users.reviewer).get(f"/api/v1/projects/{project.pk}/")
    assert response.status_code == 200
    [row] = response.json()["progress"]
    assert row["period"] == "2026-09"
    assert row["investment_month"] == 250
    assert row["investment_year"] == 250
    assert row["investment_total"] == 250
    assert row["share_of_annual"] == 25
    assert row["physical_progress"] == "主体施工"


def test_project_duplicate_code_is_400(world, api):
    _make_project(world)
    body = {"town": world.town.pk, "code": "P001", "name": "重复", "category": "industry"}
    body |= {"total_investment": "1", "annual_investment": "1"}
    response = api(world.users.officer).post("/api/v1/projects/", body, format="json")
    assert response.status_code == 400
    assert "code" in response.json()


def test_project_permissions(world, api):
    project = _make_project(world)
    body = {"town": world.town.pk, "code": "P002", "name": "新项目", "category": "infrastructure"}
    body |= {"total_investment": "10", "annual_investment": "5"}
    # The office and the leaders see every project but register none: that is the districts' work.
    assert api(world.users.office_policy).post("/api/v1/projects/", body, format="json").status_code == 403
    assert (
        api(world.users.leader).patch(f"/api/v1/projects/{project.pk}/", {"name": "改"}, format="json").status_code
        == 403
    )
    outsider = api(world.users.outsider)
    assert outsider.post("/api/v1/projects/", body, format="json").status_code == 400
    assert outsider.get(f"/api/v1/projects/{project.pk}/").status_code == 404
    assert outsider.patch(f"/api/v1/projects/{project.pk}/", {"name": "改"}, format="json").status_code == 404
    assert outsider.get("/api/v1/projects/").json()["count"] == 0
    assert Project.objects.get(pk=project.pk).name == "智能装备产业园"
    assert Project.objects.count() == 1


def test_project_list_filters_by_town_and_district(world, api):
    own = _make_project(world)
    other = _make_project(world, town=world.town2, code="P900")
    foreign = _make_project(world, town=world.outsider_town, code="P901")
    client = api(world.users.leader)

    def listed(**params):
        return {row["id"] for row in client.get("/api/v1/projects/", params).json()["results"]}

    assert listed() == {own.pk, other.pk, foreign.pk}
    assert listed(town=world.town2.pk) == {other.pk}
    assert listed(district=world.dongli.pk) == {own.pk, other.pk}


# --- Indicators -------------------------------------------------------------------------------


def test_indicator_catalogue_in_order(world, api):
    response = api(world.users.outsider).get("/api/v1/indicators/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["code"] for r in rows] == list(FULL_VALUES)
    assert rows[0] == {
        "code": "fixed_asset_investment",
        "name": "固定资产投资",
        "unit": "万元",
        "kind": "flow",
        "active_from": None,
        "active_to": None,
    }


# --- Ledger export ----------------------------------------------------------------------------

EXPORT = "/api/v1/ledgers/export/"


def test_export_returns_an_xlsx_workbook(world, api, make_report):
    from openpyxl import load_workbook

    make_report(S.ACCEPTED)
    response = api(world.users.officer).get(EXPORT, {"year": 2026, "district": world.dongli.pk})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    assert "2026" in disposition
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames


def test_export_of_a_district_outside_scope_is_404(world, api):
    client = api(world.users.outsider)
    assert client.get(EXPORT, {"year": 2026, "district": world.dongli.pk}).status_code == 404
    assert client.get(EXPORT, {"year": 2026, "town": world.town.pk}).status_code == 404
    assert client.get(EXPORT, {"year": 2026, "district": 999999}).status_code == 404


def test_export_of_a_town_of_another_district_than_named_is_404(world, api):
    response = api(world.users.leader).get(EXPORT, {"year": 2026, "district": world.xiqing.pk, "town": world.town.pk})
    assert response.status_code == 404


def test_export_with_a_town_as_district_is_404(world, api):
    assert api(world.users.leader).get(EXPORT, {"year": 2026, "district": world.town.pk}).status_code == 404


@pytest.mark.parametrize("params", [{}, {"year": "abc"}, {"year": "1900"}, {"year": 2026, "district": "x"}])
def test_export_without_a_valid_year_is_400(world, api, params):
    response = api(world.users.officer).get(EXPORT, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_export_requires_login(world):
    assert APIClient().get(EXPORT, {"year": 2026}).status_code == 401
