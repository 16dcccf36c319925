"""批量审核 (issue 19): the district leader approves and the office accepts several reports in one act, each
through the single-report service, each its own transaction; a report with an open flag, or one that moved on,
is refused and named by town and month while the others go through; so is one whose step fails."""

import datetime
import logging

import pytest
from django.db import DatabaseError
from django.urls import reverse

from conftest import FULL_VALUES
from ledgers import services
from ledgers.models import AcceptedFigures, DataFlag, MonthlyReport, ReportEvent, ReportStatus
from ledgers.services import bulk
from ledgers.services.bulk import monthly_reports_review
from tests import clients
from tests.queries import queries_of_get

S = ReportStatus
AUG, SEPT = datetime.date(2026, 8, 1), datetime.date(2026, 9, 1)
# Figures no soft rule flags: no investment, so none without project progress to explain.
CLEAN = {**FULL_VALUES, "fixed_asset_investment": "0", "industry_investment": "0", "private_investment": "0"}
URL = reverse("report-bulk-review")

login = clients.login


@pytest.fixture
def waiting(world, make_report):
    """Three September reports approved by dongli's leader: two clean (华明, 东丽湖), and 华明's August whose
    investment figure carries the flag its district explained (conftest's figures have no project progress)."""
    return {
        "clean": make_report(S.DISTRICT_APPROVED, values=CLEAN),
        "clean2": make_report(S.DISTRICT_APPROVED, town=world.town2, values=CLEAN),
        "flagged": make_report(S.DISTRICT_APPROVED, period=AUG),
    }


def status_of(report) -> str:
    return MonthlyReport.objects.get(pk=report.pk).status


# --- Service ---------------------------------------------------------------------------------------------


def test_office_accepts_each_chosen_report_as_the_single_accept_does(world, waiting):
    office = world.users.office_policy
    chosen = [waiting["clean"], waiting["clean2"]]
    outcomes = monthly_reports_review(actor=office, reports=chosen, step="accept")
    assert [(o.report_id, o.done, o.reason) for o in outcomes] == [(r.pk, True, "") for r in chosen]
    for report in chosen:
        report.refresh_from_db()
        assert (report.status, report.accepted_by) == (S.ACCEPTED, office)
        assert report.events.get(action=ReportEvent.Action.ACCEPT).actor == office
        assert AcceptedFigures.objects.filter(report=report).exists()  # in the ledger, as one at a time


def test_a_report_with_an_open_flag_is_refused_and_named_while_the_others_go_through(world, waiting):
    flagged = waiting["flagged"]
    outcomes = monthly_reports_review(
        actor=world.users.office_policy, reports=[waiting["clean"], flagged], step="accept"
    )
    assert outcomes[0].done
    refused = outcomes[1]
    assert (refused.report_id, refused.done) == (flagged.pk, False)
    assert "1 条异常提示待核实，不能批量验收" in refused.reason
    assert "「固定资产投资」" in refused.reason and "区里已说明" in refused.reason
    # Left exactly as it was: the single accept would have adopted the explanation, the bulk one reads nothing.
    assert status_of(flagged) == S.DISTRICT_APPROVED
    assert set(flagged.flags.values_list("status", flat=True)) == {DataFlag.Status.OPEN}
    assert not flagged.events.filter(action=ReportEvent.Action.ACCEPT).exists()
    assert status_of(waiting["clean"]) == S.ACCEPTED


def test_a_report_returned_meanwhile_is_refused_with_the_services_reason(world, waiting):
    clean = waiting["clean"]
    services.monthly_report_return(actor=world.users.office_policy, report=clean, reason="请核对税收")
    outcomes = monthly_reports_review(
        actor=world.users.office_policy, reports=[clean, waiting["clean2"]], step="accept"
    )
    assert (outcomes[0].done, outcomes[0].reason) == (False, "月报当前状态为“退回”，不能验收。")
    assert outcomes[1].done and status_of(clean) == S.RETURNED


def test_a_flag_the_reviewer_confirmed_no_longer_holds_the_report_back(world, waiting):
    flagged = waiting["flagged"]
    services.data_flag_resolve(actor=world.users.office_policy, flag=flagged.flags.get(), note="已电话核实")
    [outcome] = monthly_reports_review(actor=world.users.office_policy, reports=[flagged], step="accept")
    assert outcome.done and status_of(flagged) == S.ACCEPTED


def test_district_leader_approves_submitted_reports_and_refuses_flagged_ones(world, make_report):
    reviewer = world.users.reviewer
    clean = make_report(S.SUBMITTED, values=CLEAN)
    flagged = make_report(S.SUBMITTED, town=world.town2)
    outcomes = monthly_reports_review(actor=reviewer, reports=[clean, flagged], step="approve")
    assert [o.done for o in outcomes] == [True, False]
    assert "不能批量审核通过" in outcomes[1].reason
    clean.refresh_from_db()
    assert (clean.status, clean.approved_by) == (S.DISTRICT_APPROVED, reviewer)
    assert clean.events.get(action=ReportEvent.Action.APPROVE).actor == reviewer
    assert status_of(flagged) == S.SUBMITTED


def _failing_for(report, error: Exception):
    """The single accept, raising `error` after it has written its changes when it is `report`'s turn."""

    def accept(*, actor, report: MonthlyReport, **kwargs):
        accepted = services.monthly_report_accept(actor=actor, report=report, **kwargs)
        if accepted.pk == failing_pk:
            raise error
        return accepted

    failing_pk = report.pk
    return accept


@pytest.mark.parametrize("error", [DatabaseError("deadlock detected"), KeyError("a bug")])
def test_a_report_whose_step_fails_is_named_and_undone_while_the_others_go_through(
    world, waiting, monkeypatch, caplog, error
):
    failing = waiting["clean"]
    monkeypatch.setitem(bulk.BULK_SERVICES, "accept", _failing_for(failing, error))
    chosen = [waiting["clean2"], failing, waiting["flagged"]]
    with caplog.at_level(logging.ERROR, logger="ledgers.services.bulk"):
        outcomes = monthly_reports_review(actor=world.users.office_policy, reports=chosen, step="accept")
    assert [(o.report_id, o.done) for o in outcomes] == [
        (waiting["clean2"].pk, True),
        (failing.pk, False),
        (waiting["flagged"].pk, False),
    ]
    assert outcomes[1].reason == "系统错误，未处理，请稍后逐份办理。"
    assert status_of(waiting["clean2"]) == S.ACCEPTED
    assert status_of(failing) == S.DISTRICT_APPROVED and not AcceptedFigures.objects.filter(report=failing).exists()
    [record] = caplog.records
    assert f"monthly report {failing.pk}" in record.getMessage() and record.exc_info[1] is error


def test_the_page_names_the_report_whose_step_failed_instead_of_an_error_page(login, world, waiting, monkeypatch):
    monkeypatch.setitem(bulk.BULK_SERVICES, "accept", _failing_for(waiting["clean"], DatabaseError("断开")))
    client = login(world.users.office_policy)
    response = client.post(URL, {"step": "accept", "report": [waiting["clean"].pk, waiting["clean2"].pk]})
    assert response.status_code == 302
    page = client.get(response.url)
    assert [(o["report"].pk, o["done"]) for o in page.context["outcomes"]] == [
        (waiting["clean"].pk, False),
        (waiting["clean2"].pk, True),
    ]
    assert "系统错误，未处理，请稍后逐份办理。" in page.content.decode()


# --- Page ------------------------------------------------------------------------------------------------


def test_office_sees_the_reports_waiting_for_acceptance_with_their_open_flags(login, world, waiting):
    response = login(world.users.office_policy).get(URL)
    assert response.status_code == 200 and response.context["step"] == "accept"
    listed = [report.pk for report in response.context["reports"]]
    assert listed == [waiting["flagged"].pk, waiting["clean"].pk, waiting["clean2"].pk]  # oldest month first
    html = response.content.decode()
    assert "待市级验收" in html and "东丽湖温泉小镇" in html
    assert "1 条待核实" in html and "data-bulk-choice" in html and 'id="confirm-bulk"' in html


def test_the_list_makes_no_query_per_report(login, world, make_report, django_assert_max_num_queries):
    client = login(world.users.office_policy)
    make_report(S.DISTRICT_APPROVED, values=CLEAN)
    few = queries_of_get(client, URL)
    for town, period in ((world.town2, SEPT), (world.town, AUG), (world.town2, AUG), (world.outsider_town, SEPT)):
        make_report(S.DISTRICT_APPROVED, town=town, period=period)  # flagged ones: their flags are listed too
    with django_assert_max_num_queries(few):
        response = client.get(URL)
    assert len(response.context["reports"]) == 5


def test_posting_the_chosen_reports_shows_each_outcome_by_town_and_month(login, world, waiting):
    client = login(world.users.office_policy)
    chosen = [waiting["clean"].pk, waiting["flagged"].pk]
    response = client.post(URL, {"step": "accept", "report": chosen})
    assert response.status_code == 302 and response.url == f"{URL}?step=accept"
    page = client.get(response.url)
    outcomes = page.context["outcomes"]
    assert [(o["report"].pk, o["done"]) for o in outcomes] == [(waiting["flagged"].pk, False), (chosen[0], True)]
    html = page.content.decode()
    assert "已验收 1 份月报；1 份未能验收" in html
    assert "2026年8月" in html and "华明智能制造小镇" in html and "不能批量验收" in html
    assert [r.pk for r in page.context["reports"]] == [waiting["flagged"].pk, waiting["clean2"].pk]
    assert status_of(waiting["clean2"]) == S.DISTRICT_APPROVED  # not chosen, not touched
    assert client.get(URL).context["outcomes"] == []  # shown once


def test_a_report_outside_the_users_step_is_not_touched(login, world, make_report, waiting):
    outsider = make_report(S.SUBMITTED, town=world.outsider_town, values=CLEAN)
    mine = make_report(S.SUBMITTED, period=datetime.date(2026, 7, 1), values=CLEAN)
    client = login(world.users.reviewer)
    chosen = [outsider.pk, mine.pk, waiting["clean"].pk]  # xiqing's, and one already approved (office's step)
    client.post(URL, {"step": "approve", "report": chosen})
    assert status_of(outsider) == S.SUBMITTED and status_of(waiting["clean"]) == S.DISTRICT_APPROVED
    assert status_of(mine) == S.DISTRICT_APPROVED
    page = client.get(f"{URL}?step=approve")
    html = page.content.decode()
    assert "已审核通过 1 份月报；1 份未能审核通过，原因见处理结果；1 份已不在您可审核通过的范围内，未处理。" in html
    assert "月报当前状态为“区级审核通过”，不能审核通过。" in html
    assert "精武文化小镇" not in html  # xiqing's report is not named to dongli's leader


def test_nothing_chosen_asks_for_a_choice(login, world, waiting):
    response = login(world.users.office_policy).post(URL, {"step": "accept"}, follow=True)
    assert "请至少选择一份月报。" in response.content.decode()
    assert status_of(waiting["clean"]) == S.DISTRICT_APPROVED


@pytest.mark.parametrize(
    ("persona", "query", "expected"),
    [
        ("reviewer", "", 200),
        ("reviewer", "?step=accept", 403),  # the office's step
        ("office_policy", "?step=approve", 403),  # the district's step
        ("office_policy", "?step=publish", 404),
        ("officer", "", 403),
        ("office_assess", "", 403),  # sees every report, accepts none
        ("leader", "", 403),
    ],
)
def test_only_the_reviewers_of_a_step_open_it(login, world, persona, query, expected):
    assert login(getattr(world.users, persona)).get(URL + query).status_code == expected


def test_a_viewer_cannot_post_a_step(login, world, waiting):
    response = login(world.users.office_assess).post(URL, {"step": "accept", "report": [waiting["clean"].pk]})
    assert response.status_code == 403 and status_of(waiting["clean"]) == S.DISTRICT_APPROVED


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response.url
