"""Correcting accepted data (R-3.5): only through a reopen request with a reason, approved by the office;
the accepted version stays readable next to the corrected one, the differences highlighted."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coordination.models import Notification
from ledgers import selectors, services
from ledgers.models import ReopenRequest, ReportStatus
from ledgers.tests.factories import make_project
from tests import clients
from tests.reasons import assert_needs_reason, blank_reasons
from tianjin_towns.errors import ConflictError

S = ReportStatus
AUG = datetime.date(2026, 8, 1)


login = clients.login


def reopen(world, report, reason="税收收入误填，应为170万元。"):
    services.monthly_report_reopen_request(actor=world.users.officer, report=report, reason=reason)
    return services.monthly_report_reopen_approve(actor=world.users.office_policy, report=report)


def reaccept(world, report):
    u = world.users
    report = services.monthly_report_submit(actor=u.officer, report=report)
    report = services.monthly_report_approve(actor=u.reviewer, report=report)
    return services.monthly_report_accept(actor=u.office_policy, report=report)


def test_accepted_data_cannot_be_edited_without_a_reopen(world, make_report):
    report = make_report(S.ACCEPTED)
    with pytest.raises(ConflictError):
        services.monthly_report_save(actor=world.users.officer, report=report, values={"tax_revenue": "170"})


def test_a_reopen_keeps_both_versions_and_highlights_the_difference(world, make_report):
    report = make_report(S.ACCEPTED)
    accepted_at = report.accepted_at
    report = reopen(world, report)
    assert report.status == S.RETURNED
    services.monthly_report_save(actor=world.users.officer, report=report, values={"tax_revenue": "170"})
    report = reaccept(world, report)

    request = ReopenRequest.objects.get(report=report)
    assert request.status == "approved" and request.decided_by == world.users.office_policy
    assert request.snapshot["values"]["tax_revenue"] == "150.25"
    assert request.snapshot["accepted_at"] == accepted_at.isoformat()
    comparison = selectors.reopen_comparison(report, selectors.active_indicators())
    changed = [(row.label, row.accepted, row.current) for row in comparison.figures if row.changed]
    assert changed == [("税收收入", Decimal("150.25"), Decimal("170"))]
    assert comparison.changed_count == 1
    # Why the figure changed is on the trail.
    save = report.events.filter(action="save").last()
    assert save.reason == "更正已验收数据：税收收入误填，应为170万元。"
    assert save.changes == {"values": {"tax_revenue": ["150.25", "170"]}}
    actions = list(report.events.values_list("action", flat=True))
    assert actions[-6:] == ["reopen_request", "reopen_approve", "save", "submit", "approve", "accept"]


@blank_reasons
def test_a_reopen_request_needs_a_reason(world, make_report, reason):
    report = make_report(S.ACCEPTED)
    assert_needs_reason(services.monthly_report_reopen_request, actor=world.users.officer, report=report, reason=reason)
    assert not ReopenRequest.objects.exists()


def test_only_an_accepted_report_is_reopened_and_one_request_at_a_time(world, make_report):
    draft = make_report(S.DRAFT)
    with pytest.raises(ConflictError):
        services.monthly_report_reopen_request(actor=world.users.officer, report=draft, reason="更正")
    report = make_report(S.ACCEPTED, town=world.town2)
    services.monthly_report_reopen_request(actor=world.users.officer, report=report, reason="更正")
    with pytest.raises(ConflictError, match="待审批"):
        services.monthly_report_reopen_request(actor=world.users.officer, report=report, reason="再次")
    with pytest.raises(ConflictError, match="没有待审批"):
        services.monthly_report_reopen_approve(actor=world.users.office_policy, report=draft)


def test_a_rejected_request_leaves_the_report_accepted_and_tells_the_filer(world, make_report):
    report = make_report(S.ACCEPTED)
    services.monthly_report_reopen_request(actor=world.users.officer, report=report, reason="更正")
    assert Notification.objects.filter(recipient=world.users.office_policy, kind="report_reopen_requested").exists()
    with pytest.raises(ValidationError):
        services.monthly_report_reopen_reject(actor=world.users.office_policy, report=report, reason="")
    services.monthly_report_reopen_reject(actor=world.users.office_policy, report=report, reason="依据不足")
    report.refresh_from_db()
    assert report.status == S.ACCEPTED
    assert ReopenRequest.objects.get().status == "rejected"
    notice = Notification.objects.get(recipient=world.users.officer, kind="report_reopen_rejected")
    assert "依据不足" in notice.body


def test_an_approved_reopen_tells_the_filer(world, make_report):
    report = reopen(world, make_report(S.ACCEPTED))
    notice = Notification.objects.get(recipient=world.users.officer, kind="report_reopened")
    assert notice.link == reverse("report-detail", args=[report.pk])


def test_correcting_a_month_recomputes_the_cumulatives_of_later_months(world, make_report, full_values):
    park = make_project(world)
    values = full_values | {"fixed_asset_investment": "1000", "projects_started": "0", "projects_completed": "0"}
    reports = {}
    for period in (AUG, datetime.date(2026, 9, 1)):
        report = make_report(S.DRAFT, period=period, values=values)
        services.monthly_report_save(
            actor=world.users.officer,
            report=report,
            values={},
            progress=[{"project": park.pk, "investment_month": "1000"}],
        )
        reports[period] = reaccept(world, report)
    august = reopen(world, reports[AUG], reason="8月项目投资少报")
    services.monthly_report_save(
        actor=world.users.officer,
        report=august,
        values={"fixed_asset_investment": "1500"},
        progress=[{"project": park.pk, "investment_month": "1500"}],
    )
    september = park.progress.get(report__period=datetime.date(2026, 9, 1))
    assert (september.investment_year, september.investment_total) == (Decimal("2500"), Decimal("2500"))
    event = reports[datetime.date(2026, 9, 1)].events.last()
    assert event.action == "recalculate"
    assert event.changes == {
        "projects": {"P001": {"investment_year": ["2000", "2500"], "investment_total": ["2000", "2500"]}}
    }


# --- Pages ------------------------------------------------------------------------------------------------


def test_filer_asks_office_approves_and_the_page_shows_the_comparison(login, world, make_report):
    report = make_report(S.ACCEPTED)
    detail = reverse("report-detail", args=[report.pk])
    client = login(world.users.officer)
    assert "申请更正" in client.get(detail).content.decode()
    response = client.post(reverse("report-reopen", args=[report.pk]), {"reason": "税收收入误填"})
    assert response.status_code == 302
    assert "更正申请待市特镇办审批" in client.get(detail).content.decode()

    office = login(world.users.office_policy)
    assert "批准更正" in office.get(detail).content.decode()
    assert office.post(reverse("report-reopen-approve", args=[report.pk])).status_code == 302
    office.force_login(world.users.officer)
    services.monthly_report_save(actor=world.users.officer, report=report, values={"tax_revenue": "170"})
    page = office.get(detail).content.decode()
    assert "更正前后对比" in page and "原验收版本" in page
    assert 'class="row-changed"' in page and "150.25" in page and "170" in page


def test_reopen_pages_refuse_outsiders_and_viewers(login, world, make_report):
    report = make_report(S.ACCEPTED)
    request_url = reverse("report-reopen", args=[report.pk])
    assert login(world.users.outsider).post(request_url, {"reason": "x"}).status_code == 404
    assert login(world.users.reviewer).post(request_url, {"reason": "x"}).status_code == 403
    assert login(world.users.officer).get(request_url).status_code == 200
    empty = login(world.users.officer).post(request_url, {"reason": ""})
    assert empty.status_code == 200 and "请填写原因" in empty.content.decode()
    login(world.users.officer).post(request_url, {"reason": "更正"})
    approve = reverse("report-reopen-approve", args=[report.pk])
    assert login(world.users.officer).post(approve).status_code == 403
    assert login(world.users.outsider).post(approve).status_code == 404
    reject = reverse("report-reopen-reject", args=[report.pk])
    assert login(world.users.office_assess).post(reject, {"reason": "x"}).status_code == 403
    assert login(world.users.office_policy).post(reject, {"reason": "依据不足"}).status_code == 302
    report.refresh_from_db()
    assert report.status == S.ACCEPTED


# --- API ---------------------------------------------------------------------------------------------------


def test_api_reopen_request_and_approval(world, api, make_report):
    report = make_report(S.ACCEPTED)
    url = f"/api/v1/monthly-reports/{report.pk}/reopen/"
    assert api(world.users.officer).post(url, {"reason": ""}, format="json").status_code == 400
    assert api(world.users.outsider).post(url, {"reason": "x"}, format="json").status_code == 404
    assert api(world.users.reviewer).post(url, {"reason": "x"}, format="json").status_code == 403
    created = api(world.users.officer).post(url, {"reason": "税收收入误填"}, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["status"], created.json()["reason"]) == ("pending", "税收收入误填")
    assert api(world.users.officer).post(url, {"reason": "again"}, format="json").status_code == 409

    approve = f"{url}approve/"
    assert api(world.users.officer).post(approve).status_code == 403
    assert api(world.users.outsider_reviewer).post(approve).status_code == 404
    approved = api(world.users.office_policy).post(approve)
    assert approved.status_code == 200 and approved.json()["status"] == "returned"
    assert api(world.users.office_policy).post(approve).status_code == 409
    history = api(world.users.leader).get(f"/api/v1/monthly-reports/{report.pk}/history/").json()
    assert [e["action"] for e in history][-2:] == ["reopen_request", "reopen_approve"]


def test_api_reopen_reject_needs_a_reason(world, api, make_report):
    report = make_report(S.ACCEPTED)
    api(world.users.officer).post(f"/api/v1/monthly-reports/{report.pk}/reopen/", {"reason": "x"}, format="json")
    reject = f"/api/v1/monthly-reports/{report.pk}/reopen/reject/"
    assert api(world.users.office_policy).post(reject, {"reason": ""}, format="json").status_code == 400
    rejected = api(world.users.office_policy).post(reject, {"reason": "依据不足"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
