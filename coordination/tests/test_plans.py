"""Plans submitted for review (报审, R-1.6): versions, review by 规划编制组, history of every version."""

import pytest
from django.core.exceptions import ValidationError

from coordination import permissions as perms
from coordination import selectors
from coordination import services as org
from coordination.models import Notification, PlanKind, PlanStatus, PlanVersion
from tianjin_towns.errors import ConflictError

from .factories import PLAN_CONTENT, make_plan

SUB_ITEMS = [
    {"name": "智能制造产业园二期", "content": "新建标准厂房12万平方米", "responsible_unit": "区工业和信息化局"},
    {"name": "小镇客厅", "content": "展示与服务中心", "responsible_unit": "华明街道办事处"},
]


def test_acceptance_submitted_returned_resubmitted_as_version_2_approved_both_versions_readable(world):
    plan = make_plan(world)
    assert plan.status == PlanStatus.SUBMITTED and plan.current_version == 1
    plan = org.plan_return(actor=world.users.office_planning, plan=plan, comments="功能布局与控规不一致，请修改。")
    assert plan.status == PlanStatus.RETURNED
    plan = org.plan_resubmit(
        actor=world.users.officer, plan=plan, content={**PLAN_CONTENT, "layout": "一核两轴四片区（已与控规衔接）"}
    )
    assert plan.status == PlanStatus.SUBMITTED and plan.current_version == 2
    plan = org.plan_approve(actor=world.users.office_planning, plan=plan, comments="同意")
    assert plan.status == PlanStatus.APPROVED

    first, second = selectors.plan_versions(plan)[::-1]
    assert (first.number, first.review, first.review_comments) == (1, "returned", "功能布局与控规不一致，请修改。")
    assert first.layout == "一核两轴三片区"
    assert (second.number, second.review, second.review_comments) == (2, "approved", "同意")
    assert second.layout == "一核两轴四片区（已与控规衔接）"
    assert second.reviewed_by == world.users.office_planning


def test_submission_tells_the_planning_group_and_reviews_tell_the_submitters(world):
    plan = make_plan(world)
    told = lambda prefix: set(  # noqa: E731
        Notification.objects.filter(occasion__startswith=prefix).values_list("recipient__username", flat=True)
    )
    assert told(f"plan-submitted:{plan.pk}:1") == {"office-planning"}
    org.plan_return(actor=world.users.office_planning, plan=plan, comments="请补充创建点位")
    assert told(f"plan_returned:{plan.pk}:1") == {"dongli-officer"}
    org.plan_resubmit(actor=world.users.officer, plan=plan, content=PLAN_CONTENT)
    assert told(f"plan-submitted:{plan.pk}:2") == {"office-planning"}
    org.plan_approve(actor=world.users.office_planning, plan=plan)
    assert told(f"plan_approved:{plan.pk}:2") == {"dongli-officer"}


def test_returning_needs_comments_and_changes_nothing_without(world):
    plan = make_plan(world)
    with pytest.raises(ValidationError) as error:
        org.plan_return(actor=world.users.office_planning, plan=plan, comments=" ")
    assert "comments" in error.value.message_dict
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert plan.versions.get().review == PlanVersion.Review.PENDING


def test_wrong_transitions_are_conflicts(world):
    plan = make_plan(world)
    with pytest.raises(ConflictError):
        org.plan_resubmit(actor=world.users.officer, plan=plan, content=PLAN_CONTENT)
    org.plan_approve(actor=world.users.office_planning, plan=plan)
    with pytest.raises(ConflictError):
        org.plan_return(actor=world.users.office_planning, plan=plan, comments="再退回")
    with pytest.raises(ConflictError):
        org.plan_approve(actor=world.users.office_planning, plan=plan)
    assert plan.versions.count() == 1


def test_content_of_r_1_6_is_required(world):
    with pytest.raises(ValidationError) as error:
        make_plan(world, scope="", positioning="")
    assert set(error.value.message_dict) == {"scope", "positioning"}


def test_cultivation_plan_lists_sub_items_each_with_its_responsible_unit(world):
    with pytest.raises(ValidationError) as error:
        make_plan(world, kind=PlanKind.CULTIVATION)
    assert "sub_items" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_plan(world, kind=PlanKind.CULTIVATION, sub_items=[{"name": "小镇客厅", "responsible_unit": ""}])
    assert "主管单位" in error.value.message_dict["sub_items"][0]
    plan = make_plan(world, kind=PlanKind.CULTIVATION, sub_items=[*SUB_ITEMS, {"name": "", "responsible_unit": ""}])
    items = list(plan.versions.get().sub_items.values_list("order", "name", "responsible_unit"))
    assert items == [(1, "智能制造产业园二期", "区工业和信息化局"), (2, "小镇客厅", "华明街道办事处")]


def test_the_municipality_does_not_submit_plans(world):
    with pytest.raises(ValidationError) as error:
        make_plan(world, unit=world.city)
    assert "org_unit" in error.value.message_dict


def test_planning_group_reviews_districts_submit_leaders_and_other_groups_only_read(world):
    plan = make_plan(world)
    reviewers = {
        n
        for n, u in vars(world.users).items()
        if n != "admin" and perms.plans_for_user(u, perms.REVIEW_PLANS).filter(pk=plan.pk).exists()
    }
    submitters = {
        n
        for n, u in vars(world.users).items()
        if n != "admin" and perms.plans_for_user(u, perms.SUBMIT_PLANS).filter(pk=plan.pk).exists()
    }
    readers = {
        n for n, u in vars(world.users).items() if n != "admin" and perms.plans_for_user(u).filter(pk=plan.pk).exists()
    }
    assert reviewers == {"office_planning"}
    assert submitters == {"officer"}
    assert readers == {
        "officer",
        "reviewer",
        "office_policy",
        "office_assess",
        "office_planning",
        "office_coord",
        "leader",
        "sysadmin",  # the system administrator reads the municipality's data (the security and audit ones do not)
    }
