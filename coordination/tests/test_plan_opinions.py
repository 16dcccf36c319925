"""Opinions of member units on a plan under review (会签, issue 18): 规划编制组 asks chosen member units by a
due date, each unit's liaison agrees or asks for changes (with text, and a file if need be), the plan is not
approved while an opinion is missing unless the group gives a reason, which the approval record keeps."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from conftest import PASSWORD, TEST_TODAY
from coordination import permissions as perms
from coordination import selectors
from coordination import services as org
from coordination.models import MemberUnit, Notification, PlanOpinion, PlanStatus, Role
from tests import clients
from tianjin_towns.errors import ConflictError

from .factories import PLAN_CONTENT, make_plan

login = clients.login
DUE = TEST_TODAY + datetime.timedelta(days=10)
PLANS = "/api/v1/plans/"


@pytest.fixture
def units(world):
    """The statistics bureau of the world (its liaison: world.users.liaison) and the planning bureau with its
    own liaison, who sees nothing of dongli's plans unless its unit is asked."""
    planning = MemberUnit.objects.create(code="planning", name="市规划局", order=10)
    liaison = org.user_create(
        username="liaison-planning", password=PASSWORD, role=Role.LIAISON, org_unit=world.city, member_unit=planning
    )
    return (MemberUnit.objects.get(code="statistics"), planning, liaison)


def _ask(world, plan, *member_units, due_on=DUE):
    return org.plan_opinions_request(
        actor=world.users.office_planning, plan=plan, member_units=list(member_units), due_on=due_on
    )


def _told(occasion_prefix: str) -> set[str]:
    rows = Notification.objects.filter(occasion__startswith=occasion_prefix)
    return set(rows.values_list("recipient__username", flat=True))


def _pdf(name="意见.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 opinion", content_type="application/pdf")


# --- Services ---------------------------------------------------------------------------------------------


def test_asked_liaison_sees_the_plan_under_review_and_agrees_with_a_file(world, units):
    stats, planning, _planning_liaison = units
    plan = make_plan(world)
    with pytest.raises(Http404):  # a plan under review is not shared with member units
        perms.get_plan_for_user(world.users.liaison, plan.pk)

    asked = _ask(world, plan, planning, stats)
    assert [(o.member_unit.name, o.state, o.due_on) for o in asked] == [
        ("市统计局", "requested", DUE),
        ("市规划局", "requested", DUE),
    ]
    assert _told(f"plan-opinion-requested:{asked[0].pk}") == {"liaison-stats"}
    assert _told(f"plan-opinion-requested:{asked[1].pk}") == {"liaison-planning"}
    assert perms.get_plan_for_user(world.users.liaison, plan.pk) == plan
    assert plan in selectors.plan_list(world.users.liaison)

    opinion = org.plan_opinion_give(
        actor=world.users.liaison, opinion=asked[0], agrees=True, text="同意该方案。", file=_pdf()
    )
    opinion.refresh_from_db()
    assert (opinion.state, opinion.text, opinion.file_name) == (PlanOpinion.State.AGREED, "同意该方案。", "意见.pdf")
    assert opinion.given_by == world.users.liaison and not opinion.is_late
    assert opinion.file.name.startswith(f"plans/{plan.pk}/v1/opinions/") and "意见" not in opinion.file.name
    assert _told(f"plan-opinion-given:{opinion.pk}") == {"office-planning"}


def test_asking_for_changes_needs_text(world, units):
    stats, *_ = units
    (opinion,) = _ask(world, make_plan(world), stats)
    with pytest.raises(ValidationError) as error:
        org.plan_opinion_give(actor=world.users.liaison, opinion=opinion, agrees=False, text="  ")
    assert "text" in error.value.message_dict
    opinion.refresh_from_db()
    assert opinion.state == PlanOpinion.State.REQUESTED
    opinion = org.plan_opinion_give(
        actor=world.users.liaison, opinion=opinion, agrees=False, text="请补充统计监测指标。", file=_pdf()
    )
    assert opinion.state == PlanOpinion.State.CHANGES
    with pytest.raises(ConflictError):  # given once, for the record
        org.plan_opinion_give(actor=world.users.liaison, opinion=opinion, agrees=True)


def test_an_opinion_given_after_its_due_date_is_accepted_and_marked_late(world, units):
    stats, *_ = units
    (opinion,) = _ask(world, make_plan(world), stats, due_on=TEST_TODAY)
    PlanOpinion.objects.filter(pk=opinion.pk).update(due_on=TEST_TODAY - datetime.timedelta(days=3))
    opinion.refresh_from_db()
    assert opinion.is_overdue_on(TEST_TODAY)
    opinion = org.plan_opinion_give(actor=world.users.liaison, opinion=opinion, agrees=True)
    assert opinion.is_late and not opinion.is_overdue_on(TEST_TODAY)


def test_approval_waits_for_the_missing_opinion_unless_the_group_gives_a_reason(world, units):
    stats, planning, planning_liaison = units
    plan = make_plan(world)
    stats_opinion, planning_opinion = _ask(world, plan, stats, planning)
    org.plan_opinion_give(actor=world.users.liaison, opinion=stats_opinion, agrees=True)

    with pytest.raises(ValidationError) as error:
        org.plan_approve(actor=world.users.office_planning, plan=plan, comments="同意")
    message = error.value.message_dict["override_reason"][0]
    assert "市规划局" in message and "市统计局" not in message
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and plan.versions.get().review == "pending"

    org.plan_approve(
        actor=world.users.office_planning, plan=plan, comments="同意", override_reason="市规划局已口头表示同意。"
    )
    plan.refresh_from_db()
    version = plan.versions.get()
    assert (plan.status, version.review, version.override_reason) == (
        "approved",
        "approved",
        "市规划局已口头表示同意。",
    )
    planning_opinion.refresh_from_db()
    assert planning_opinion.state == PlanOpinion.State.REQUESTED  # the record shows it was never given
    with pytest.raises(ConflictError):
        org.plan_opinion_give(actor=planning_liaison, opinion=planning_opinion, agrees=True)


def test_approval_needs_no_reason_once_every_opinion_is_in(world, units):
    stats, *_ = units
    plan = make_plan(world)
    (opinion,) = _ask(world, plan, stats)
    org.plan_opinion_give(actor=world.users.liaison, opinion=opinion, agrees=False, text="请补充监测指标。")
    plan = org.plan_approve(actor=world.users.office_planning, plan=plan)
    assert plan.status == PlanStatus.APPROVED and plan.versions.get().override_reason == ""


def test_only_the_planning_group_asks_and_only_while_the_plan_is_under_review(world, units):
    stats, *_ = units
    plan = make_plan(world)
    for someone in (world.users.officer, world.users.office_coord, world.users.liaison):
        with pytest.raises(PermissionDenied):
            org.plan_opinions_request(actor=someone, plan=plan, member_units=[stats], due_on=DUE)
    org.plan_return(actor=world.users.office_planning, plan=plan, comments="请补充创建点位")
    with pytest.raises(ConflictError):
        _ask(world, plan, stats)
    assert not PlanOpinion.objects.exists()


def test_asking_checks_the_units_and_the_due_date(world, units):
    stats, planning, _planning_liaison = units
    plan = make_plan(world)
    with pytest.raises(ValidationError) as error:
        _ask(world, plan, due_on=TEST_TODAY - datetime.timedelta(days=1))
    assert set(error.value.message_dict) == {"member_units", "due_on"}
    planning.active = False
    planning.save()
    with pytest.raises(ValidationError) as error:
        _ask(world, plan, planning)
    assert "市规划局" in error.value.message_dict["member_units"][0]
    _ask(world, plan, stats, due_on=TEST_TODAY)  # today is still in time
    with pytest.raises(ValidationError) as error:
        _ask(world, plan, stats)
    assert "市统计局" in error.value.message_dict["member_units"][0]
    assert PlanOpinion.objects.count() == 1


def test_only_the_asked_units_liaison_gives_the_opinion(world, units):
    stats, planning, planning_liaison = units
    (opinion,) = _ask(world, make_plan(world), stats)
    for someone in (planning_liaison, world.users.office_planning, world.users.officer):
        with pytest.raises(PermissionDenied):
            org.plan_opinion_give(actor=someone, opinion=opinion, agrees=True)
    with pytest.raises(Http404):  # the planning bureau was not asked: it does not see the plan
        perms.get_plan_opinion_for_user(planning_liaison, opinion.version.plan_id, opinion.pk, giving=True)
    with pytest.raises(PermissionDenied):
        perms.get_plan_opinion_for_user(world.users.officer, opinion.version.plan_id, opinion.pk, giving=True)


def test_returning_and_resubmitting_leaves_the_opinions_with_the_old_version(world, units):
    stats, *_ = units
    plan = make_plan(world)
    (old,) = _ask(world, plan, stats)
    assert selectors.coordination_inbox(world.users.liaison, TEST_TODAY).plan_opinions == [old]
    org.plan_return(actor=world.users.office_planning, plan=plan, comments="请补充创建点位")
    plan = org.plan_resubmit(actor=world.users.officer, plan=plan, content=PLAN_CONTENT)
    assert selectors.coordination_inbox(world.users.liaison, TEST_TODAY).plan_opinions == []
    with pytest.raises(ConflictError):
        org.plan_opinion_give(actor=world.users.liaison, opinion=old, agrees=True)
    old.refresh_from_db()
    assert old.version.number == 1 and old.state == PlanOpinion.State.REQUESTED
    plan = org.plan_approve(actor=world.users.office_planning, plan=plan)  # version 2 asked no one
    assert plan.status == PlanStatus.APPROVED
    assert perms.get_plan_for_user(world.users.liaison, plan.pk) == plan  # its unit was asked once


# --- Pages ------------------------------------------------------------------------------------------------


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_co_review_through_the_pages(login, world, units):
    stats, planning, _planning_liaison = units
    plan = make_plan(world)
    detail = reverse("plan-detail", args=[plan.pk])
    group = login(world.users.office_planning)
    assert "征求成员单位意见" in _page(group.get(detail))
    response = group.post(
        reverse("plan-opinions-request", args=[plan.pk]),
        {"member_units": [stats.pk, planning.pk], "due_on": DUE.isoformat()},
    )
    assert response.status_code == 302
    stats_opinion, planning_opinion = PlanOpinion.objects.order_by("member_unit__order")

    liaison = login(world.users.liaison)
    page = _page(liaison.get(detail))
    assert "反馈市统计局意见" in page and f"{DUE.year}年{DUE.month}月{DUE.day}日" in page
    give = reverse("plan-opinion-give", args=[plan.pk, stats_opinion.pk])
    page = _page(liaison.post(give, {"decision": "changes", "text": ""}))  # shown again with the error
    assert "提出修改意见须填写意见内容。" in page
    response = liaison.post(give, {"decision": "changes", "text": "请补充统计监测指标。", "file": _pdf()})
    assert response.status_code == 302
    stats_opinion.refresh_from_db()
    assert stats_opinion.state == PlanOpinion.State.CHANGES and stats_opinion.file_name == "意见.pdf"

    page = _page(login(world.users.officer).get(detail))
    assert "请补充统计监测指标。" in page and "市规划局" in page and "等待反馈" in page
    file_url = reverse("plan-opinion-file", args=[plan.pk, stats_opinion.pk])
    assert login(world.users.officer).get(file_url).status_code == 200

    group = login(world.users.office_planning)
    page = _page(group.get(detail))
    assert "未收齐意见即通过的理由" in page  # the approval dialog names what is missing
    review = reverse("plan-review", args=[plan.pk])
    page = _page(group.post(review, {"decision": "approve", "comments": "同意"}, follow=True))
    assert "市规划局" in page and "请填写理由" in page
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    group.post(review, {"decision": "approve", "comments": "同意", "override_reason": "时限紧，市规划局已口头同意。"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    page = _page(login(world.users.officer).get(detail))
    assert "时限紧，市规划局已口头同意。" in page and "审查时未反馈" in page


def test_opinion_pages_refuse_whoever_may_not_act(login, world, units):
    stats, planning, planning_liaison = units
    plan = make_plan(world)
    ask = reverse("plan-opinions-request", args=[plan.pk])
    body = {"member_units": [stats.pk], "due_on": DUE.isoformat()}
    assert login(world.users.outsider).post(ask, body).status_code == 404
    assert login(world.users.liaison).post(ask, body).status_code == 404  # not asked yet: unseen
    assert login(world.users.officer).post(ask, body).status_code == 403
    assert login(world.users.office_coord).post(ask, body).status_code == 403
    assert not PlanOpinion.objects.exists()

    (opinion,) = _ask(world, plan, stats)
    assert login(world.users.liaison).post(ask, body).status_code == 403  # sees the plan now, may not ask
    give = reverse("plan-opinion-give", args=[plan.pk, opinion.pk])
    assert login(planning_liaison).post(give, {"decision": "agree"}).status_code == 404
    assert login(world.users.outsider).post(give, {"decision": "agree"}).status_code == 404
    assert login(world.users.officer).post(give, {"decision": "agree"}).status_code == 403
    assert login(world.users.office_planning).post(give, {"decision": "agree"}).status_code == 403
    opinion.refresh_from_db()
    assert opinion.state == PlanOpinion.State.REQUESTED
    other_plan = make_plan(world)
    wrong_plan = reverse("plan-opinion-give", args=[other_plan.pk, opinion.pk])
    assert login(world.users.office_planning).post(wrong_plan, {"decision": "agree"}).status_code == 404


def test_home_page_lists_the_opinions_waiting_for_the_liaison(login, world, units, on_day):
    stats, *_ = units
    plan = make_plan(world)
    _ask(world, plan, stats, due_on=TEST_TODAY + datetime.timedelta(days=2))
    page = _page(login(world.users.liaison).get(reverse("home")))
    assert "待会签的规划方案" in page and plan.title in page and "逾期" not in page
    on_day(TEST_TODAY + datetime.timedelta(days=5))
    page = _page(login(world.users.liaison).get(reverse("home")))
    assert "待会签的规划方案" in page and "逾期 3 天" in page
    assert "待会签的规划方案" not in _page(login(world.users.office_planning).get(reverse("home")))


# --- API --------------------------------------------------------------------------------------------------


def test_co_review_over_the_api(world, units, api):
    stats, planning, _planning_liaison = units
    plan = make_plan(world)
    url = f"{PLANS}{plan.pk}/opinions/"
    group = api(world.users.office_planning)
    response = group.post(url, {"member_units": [stats.pk, planning.pk], "due_on": DUE.isoformat()}, format="json")
    assert response.status_code == 201, response.json()
    asked = {row["member_unit_name"]: row for row in response.json()}
    assert set(asked) == {"市统计局", "市规划局"} and asked["市统计局"]["state"] == "requested"

    liaison = api(world.users.liaison)
    assert liaison.get(f"{PLANS}{plan.pk}/").status_code == 200
    give = f"{url}{asked['市统计局']['id']}/"
    response = liaison.post(give, {"state": "changes", "text": ""}, format="json")
    assert response.status_code == 400 and "text" in response.json()
    response = liaison.post(give, {"state": "changes", "text": "请补充监测指标。", "file": _pdf()}, format="multipart")
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["file_name"], response.json()["late"]) == (
        "changes",
        "意见.pdf",
        False,
    )
    assert liaison.post(give, {"state": "agreed"}, format="json").status_code == 409

    rows = api(world.users.officer).get(url).json()
    assert {(r["member_unit_name"], r["state"], r["version"]) for r in rows} == {
        ("市统计局", "changes", 1),
        ("市规划局", "requested", 1),
    }
    response = group.post(f"{PLANS}{plan.pk}/approve/", {"comments": "同意"}, format="json")
    assert response.status_code == 400 and "市规划局" in response.json()["override_reason"][0]
    response = group.post(f"{PLANS}{plan.pk}/approve/", {"override_reason": "已电话征询。"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["versions"][0]["override_reason"] == "已电话征询。"


def test_opinion_api_refuses_whoever_may_not_act(world, units, api):
    stats, planning, planning_liaison = units
    plan = make_plan(world)
    url = f"{PLANS}{plan.pk}/opinions/"
    body = {"member_units": [stats.pk], "due_on": DUE.isoformat()}
    assert api(world.users.outsider).post(url, body, format="json").status_code == 404
    assert api(world.users.outsider).get(url).status_code == 404
    assert api(world.users.officer).post(url, body, format="json").status_code == 403
    assert api(world.users.office_coord).post(url, body, format="json").status_code == 403
    unknown = api(world.users.office_planning).post(url, {**body, "member_units": [999999]}, format="json")
    assert unknown.status_code == 400 and "member_units" in unknown.json()
    past = {**body, "due_on": (TEST_TODAY - datetime.timedelta(days=1)).isoformat()}
    assert api(world.users.office_planning).post(url, past, format="json").status_code == 400
    assert not PlanOpinion.objects.exists()

    (opinion,) = _ask(world, plan, stats)
    give = f"{url}{opinion.pk}/"
    assert api(planning_liaison).post(give, {"state": "agreed"}, format="json").status_code == 404
    assert api(world.users.officer).post(give, {"state": "agreed"}, format="json").status_code == 403
    assert api(world.users.office_planning).post(give, {"state": "agreed"}, format="json").status_code == 403
    assert api(world.users.liaison).post(url, body, format="json").status_code == 403
    opinion.refresh_from_db()
    assert opinion.state == PlanOpinion.State.REQUESTED
