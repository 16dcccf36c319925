"""Unhandled input answers a 400 naming the field, never a 500, and saves nothing (issue 16, points 9 and 10).

Each case is one an attacker found: a decimal overflow on a report, a NUL byte in a reason or a note, a
non-numeric id in a query, a token request nested 100,000 levels, a list where a reason belongs, a reason of
100,000 characters, an API path no pattern matches, the health check while the database is down.
"""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from coordination import services as org
from coordination.models import ActionItem, MeetingKind
from ledgers import services as ledger
from ledgers.models import MonthlyReport, ReportStatus, ReportValue, WorkInfo
from ledgers.tests.factories import write_work_info

SEPT = datetime.date(2026, 9, 1)
HUGE = "1e999999999"
NUL = "数据\x00有误"


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _stored(report, code: str):
    return ReportValue.objects.filter(report=report, indicator__code=code).values_list("value", flat=True).first()


# --- Decimal overflow ----------------------------------------------------------------------------------


def test_an_overflowing_figure_over_the_api_is_a_400_naming_the_field(world, api, make_report):
    report = make_report(period=SEPT)
    for body in ({"values": {"tax_revenue": HUGE}}, '{"values": {"tax_revenue": 1e999999999}}'):
        client = api(world.users.officer)
        if isinstance(body, str):
            response = client.patch(f"/api/v1/monthly-reports/{report.pk}/", body, content_type="application/json")
        else:
            response = client.patch(f"/api/v1/monthly-reports/{report.pk}/", body, format="json")
        assert response.status_code == 400, response.content
        # The string reaches the figure parser (「税收收入」数值过大); the JSON number, which Python reads as
        # infinity, is refused by the API's JSON parser at values.tax_revenue (数值超出范围).
        [(field, [message])] = response.json().items()
        assert field in ("tax_revenue", "values.tax_revenue")
        assert message in ("「税收收入」数值过大。", "数值超出范围。")
    assert str(_stored(report, "tax_revenue")) == "150.25"


def test_an_overflowing_figure_in_the_entry_form_is_shown_as_an_error(world, make_report, full_values):
    report = make_report(period=SEPT)
    data = {**full_values, "tax_revenue": HUGE, "action": "save"}
    response = _browser(world.users.officer).post(reverse("report-edit", args=[report.pk]), data)
    assert response.status_code == 200
    assert "数值过大" in response.content.decode() or "必须是数字" in response.content.decode()
    assert str(_stored(report, "tax_revenue")) == "150.25"


# --- NUL bytes -----------------------------------------------------------------------------------------


def test_a_nul_byte_in_a_return_reason_is_a_400_and_the_information_stays_submitted(world):
    # The work information return reads its reason straight from the form: PostgreSQL refused the NUL (500).
    info = write_work_info(world, body="会议部署了下一阶段的重点工作。", happened_on=datetime.date(2026, 11, 18))
    info = ledger.work_info_submit(actor=world.users.officer, info=info)
    page = _browser(world.users.reviewer).post(reverse("work-info-return", args=[info.pk]), {"reason": NUL})
    assert page.status_code == 400
    assert "字段「reason」：不能包含空字符（NUL）。" in page.content.decode()
    info.refresh_from_db()
    assert info.status == WorkInfo.Status.SUBMITTED


def test_a_nul_byte_in_a_return_reason_over_the_api_is_a_400(world, api, make_report):
    report = make_report(ReportStatus.SUBMITTED, period=SEPT)
    response = api(world.users.reviewer).post(
        f"/api/v1/monthly-reports/{report.pk}/return/", {"reason": NUL}, format="json"
    )
    assert response.status_code == 400
    assert "空字符" in response.json()["reason"][0]
    assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_a_nul_byte_in_an_action_item_note_is_a_400(world, api):
    meeting = org.meeting_create(
        actor=world.users.officer,
        org_unit=world.dongli,
        kind=MeetingKind.DISTRICT_REGULAR,
        held_on=datetime.date(2026, 11, 2),
        title="例会",
        held=True,
        decisions=["完善台账"],
    )
    item = org.action_item_create(
        actor=world.users.officer,
        decision=meeting.decisions.get(),
        owner="东丽信息员",
        responsible_unit=world.dongli,
        due_on=datetime.date(2026, 12, 20),
    )
    response = api(world.users.officer).post(f"/api/v1/action-items/{item.pk}/progress/", {"note": NUL}, format="json")
    assert response.status_code == 400
    assert "note" in response.json()
    assert not item.events.filter(note__contains="数据").exists()


def test_a_nul_byte_in_a_query_is_a_400_not_a_database_error(world):
    response = _browser(world.users.officer).get(reverse("policy-list"), {"q": NUL})
    assert response.status_code == 400
    assert "空字符" in response.content.decode()


# --- Ids, lists, lengths, depth ------------------------------------------------------------------------


def test_a_non_numeric_host_in_the_new_meeting_page_falls_back_to_the_default(world):
    response = _browser(world.users.officer).get(reverse("meeting-create"), {"org_unit": "abc"})
    assert response.status_code == 200


def test_a_list_where_a_reason_belongs_is_a_400(world, api, make_report):
    report = make_report(ReportStatus.SUBMITTED, period=SEPT)
    response = api(world.users.reviewer).post(
        f"/api/v1/monthly-reports/{report.pk}/return/", {"reason": ["a", "b"]}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    assert MonthlyReport.objects.get(pk=report.pk).return_reason == ""


def test_a_list_where_an_action_item_rejection_reason_belongs_is_a_400(world, api):
    response = api(world.users.office_coord).post(
        "/api/v1/action-items/999999/reject/", {"reason": ["a"]}, format="json"
    )
    assert response.status_code == 404  # the permission door first: an unseen item
    assert not ActionItem.objects.exists()


def test_a_reason_of_100000_characters_is_refused(world, api, make_report):
    report = make_report(ReportStatus.SUBMITTED, period=SEPT)
    response = api(world.users.reviewer).post(
        f"/api/v1/monthly-reports/{report.pk}/return/", {"reason": "长" * 100_000}, format="json"
    )
    assert response.status_code == 400
    assert "过长" in response.json()["reason"][0]
    assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_a_token_request_nested_100000_levels_is_a_400(db):
    body = "[" * 100_000 + "]" * 100_000
    response = Client().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "嵌套" in response.json()["detail"]


# --- Errors on API paths are JSON ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/monthly-reports/-1/", "/api/v1/monthly-reports/abc/", "/api/v1/nothing/"])
def test_an_api_path_no_pattern_matches_answers_json_404(world, path):
    response = _browser(world.users.officer).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "未找到。"


def test_a_page_path_no_pattern_matches_still_answers_the_404_page(world):
    response = _browser(world.users.officer).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_healthz_answers_json_when_the_database_is_down_before_the_view(world, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(world.users.officer)  # a session cookie: the session middleware reads the database first

    def down(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(SessionStore, "load", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["database"] == "unavailable"
