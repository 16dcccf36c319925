"""No report is accepted with an open doubt (issue 16, R-3.5): every open flag is either explained by the
district (a comment or an evidence file, confirmed as the report is accepted) or waived by the accepting
office member with a reason that goes into the report's trail; otherwise acceptance is refused, naming them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ledgers import selectors, services
from ledgers.models import DataFlag, Indicator, MonthlyReport, ReportEvent, ReportStatus, ValidationRule
from tests import clients
from tianjin_towns.errors import ConflictError

S = ReportStatus
OUTLIER = "「税收收入」为 900，超出本镇近12个月的正常范围（140～160，中位数 150）。"


login = clients.login


@pytest.fixture
def approved(world, make_report):
    """A district-approved September whose tax figure carries a flag nobody explained (raised around the
    submission check: before the rule existed, or by data entered around the services), beside the
    investment flag the filer did explain (conftest's figures have no project progress)."""
    report = make_report(S.DISTRICT_APPROVED)
    DataFlag.objects.create(
        report=report,
        rule=ValidationRule.objects.get(code="outside_own_history"),
        indicator=Indicator.objects.get(code="tax_revenue"),
        value=Decimal("900"),
        message=OUTLIER,
    )
    return report


def tax_flag(report) -> DataFlag:
    return report.flags.get(indicator__code="tax_revenue")


def investment_flag(report) -> DataFlag:
    return report.flags.get(indicator__code="fixed_asset_investment")


# --- Service ----------------------------------------------------------------------------------------------


def test_office_cannot_accept_while_a_flag_is_neither_explained_nor_waived(world, approved):
    flag = tax_flag(approved)
    with pytest.raises(ConflictError) as error:
        services.monthly_report_accept(actor=world.users.office_policy, report=approved)
    message = error.value.message
    assert "尚未说明" in message and "豁免理由" in message
    assert f"「税收收入」{OUTLIER}（编号 {flag.pk}，规则 outside_own_history）" in message
    assert "固定资产投资" not in message  # explained by the district: no waiver needed
    approved.refresh_from_db()
    assert approved.status == S.DISTRICT_APPROVED and approved.accepted_at is None
    assert set(approved.flags.values_list("status", flat=True)) == {DataFlag.Status.OPEN}
    assert not approved.events.filter(action=ReportEvent.Action.ACCEPT).exists()


def test_a_waiver_with_a_reason_closes_the_flag_and_is_written_to_the_trail(world, approved):
    flag = tax_flag(approved)
    reason = "税务部门已确认系上年度汇算清缴补税"
    report = services.monthly_report_accept(
        actor=world.users.office_policy, report=approved, waivers={str(flag.pk): reason}
    )
    assert report.status == S.ACCEPTED
    flag.refresh_from_db()
    assert (flag.status, flag.resolved_by, flag.resolution_note) == (
        DataFlag.Status.WAIVED,
        world.users.office_policy,
        reason,
    )
    explained = investment_flag(report)  # the district's explanation is adopted as the report is accepted
    assert (explained.status, explained.resolved_by) == (DataFlag.Status.RESOLVED, world.users.office_policy)
    event = report.events.get(action=ReportEvent.Action.ACCEPT)
    assert event.actor == world.users.office_policy and reason in event.reason
    assert event.changes["flags"]["tax_revenue"] == [OUTLIER, f"验收豁免：{reason}"]
    assert event.changes["flags"]["fixed_asset_investment"][1] == "验收时采纳填报说明"
    # Accepted with no open doubt: nothing left for the gaps page's "accepted with open flags".
    assert not report.flags.filter(status=DataFlag.Status.OPEN).exists()
    table = selectors.gaps_for_year(world.users.office_policy, year=2026, today=datetime.date(2026, 11, 20))
    assert table.counts["flagged"] == 0


def test_a_waiver_may_name_the_rule_instead_of_the_flag(world, approved):
    report = services.monthly_report_accept(
        actor=world.users.office_policy, report=approved, waivers={"outside_own_history": "季节性波动，已电话核实"}
    )
    assert report.status == S.ACCEPTED
    assert tax_flag(report).status == DataFlag.Status.WAIVED


@pytest.mark.parametrize(
    ("waivers", "fragment"),
    [
        (lambda flag: {"tax": "理由"}, "没有待处理的异常提示"),
        (lambda flag: {"outside_own_history": "   "}, "请填写豁免"),
        (lambda flag: {str(flag.pk): "字" * 2001}, "不能超过2000个字"),
    ],
)
def test_a_blank_reason_or_a_waiver_naming_no_open_flag_is_refused(world, approved, waivers, fragment):
    with pytest.raises(ValidationError) as error:
        services.monthly_report_accept(
            actor=world.users.office_policy, report=approved, waivers=waivers(tax_flag(approved))
        )
    assert fragment in error.value.message_dict["waivers"][0]
    assert MonthlyReport.objects.get(pk=approved.pk).status == S.DISTRICT_APPROVED


def test_flags_the_district_explained_need_no_waiver(world, make_report):
    report = services.monthly_report_accept(actor=world.users.office_policy, report=make_report(S.DISTRICT_APPROVED))
    assert report.status == S.ACCEPTED
    assert investment_flag(report).status == DataFlag.Status.RESOLVED


def test_a_waived_flag_cannot_be_confirmed_again(world, approved):
    flag = tax_flag(approved)
    services.monthly_report_accept(actor=world.users.office_policy, report=approved, waivers={str(flag.pk): "已核实"})
    with pytest.raises(ConflictError, match="豁免"):
        services.data_flag_resolve(actor=world.users.office_policy, flag=flag)


def test_gaps_still_list_reports_accepted_with_open_flags_before_the_rule(world, make_report):
    report = make_report(S.ACCEPTED)
    DataFlag.objects.create(  # accepted before acceptance closed its flags
        report=report, indicator=Indicator.objects.get(code="tax_revenue"), value=Decimal("900"), message="异常"
    )
    table = selectors.gaps_for_year(world.users.office_policy, year=2026, today=datetime.date(2026, 11, 20))
    assert table.counts["flagged"] == 1


# --- API --------------------------------------------------------------------------------------------------


def test_api_accept_answers_409_naming_the_open_flags_then_takes_the_waivers(world, api, approved):
    url = f"/api/v1/monthly-reports/{approved.pk}/accept/"
    flag = tax_flag(approved)
    office = api(world.users.office_policy)
    refused = office.post(url)
    assert refused.status_code == 409
    assert f"编号 {flag.pk}" in refused.json()["detail"] and "税收收入" in refused.json()["detail"]
    bad = office.post(url, {"waivers": {str(flag.pk): ""}}, format="json")
    assert bad.status_code == 400 and "waivers" in bad.json()
    assert MonthlyReport.objects.get(pk=approved.pk).status == S.DISTRICT_APPROVED
    accepted = office.post(url, {"waivers": {str(flag.pk): "已与税务部门核对"}}, format="json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    history = office.get(f"/api/v1/monthly-reports/{approved.pk}/history/").json()
    accept = [entry for entry in history if entry["action"] == "accept"][-1]
    assert "已与税务部门核对" in accept["reason"] and "tax_revenue" in accept["changes"]["flags"]
    flags = office.get(f"/api/v1/monthly-reports/{approved.pk}/flags/").json()
    assert {f["indicator"]: f["status"] for f in flags} == {
        "tax_revenue": "waived",
        "fixed_asset_investment": "resolved",
    }


def test_api_accept_without_a_body_still_works_when_no_flag_is_open(world, api, make_report):
    report = make_report(S.DISTRICT_APPROVED)
    response = api(world.users.office_policy).post(f"/api/v1/monthly-reports/{report.pk}/accept/")
    assert response.status_code == 200 and response.json()["status"] == "accepted"


def test_only_the_policy_group_accepts_and_waives(world, api, approved):
    url = f"/api/v1/monthly-reports/{approved.pk}/accept/"
    body = {"waivers": {"outside_own_history": "理由"}}
    assert api(world.users.outsider).post(url, body, format="json").status_code == 404
    assert api(world.users.reviewer).post(url, body, format="json").status_code == 403
    assert tax_flag(approved).status == DataFlag.Status.OPEN


# --- Page ---------------------------------------------------------------------------------------------------


def test_accept_dialog_lists_the_open_flags_with_a_waiver_box_for_the_unexplained_one(world, login, approved):
    flag = tax_flag(approved)
    page = login(world.users.office_policy).get(reverse("report-detail", args=[approved.pk])).content.decode()
    dialog = page[page.index('id="confirm-accept"') :]
    assert "待核实的异常提示" in dialog and OUTLIER in dialog
    assert f'name="waiver-{flag.pk}"' in dialog
    assert f'name="waiver-{investment_flag(approved).pk}"' not in dialog  # explained: shown with its explanation
    assert "本月投资为企业设备更新" in dialog


def test_accepting_on_the_page_without_a_reason_names_the_flag_and_changes_nothing(world, login, approved):
    client = login(world.users.office_policy)
    url = reverse("report-accept", args=[approved.pk])
    response = client.post(url, follow=True)
    page = response.content.decode()
    assert "不能验收" in page and "税收收入" in page
    assert MonthlyReport.objects.get(pk=approved.pk).status == S.DISTRICT_APPROVED
    flag = tax_flag(approved)
    response = client.post(url, {f"waiver-{flag.pk}": "该镇本月有一次性税收入库，已电话核实"}, follow=True)
    assert "已验收" in response.content.decode()
    assert MonthlyReport.objects.get(pk=approved.pk).status == S.ACCEPTED
    page = client.get(reverse("report-detail", args=[approved.pk])).content.decode()
    assert "验收豁免" in page and "该镇本月有一次性税收入库，已电话核实" in page
