"""The keyword box (关键词, issue 19) of the meetings, plans and policies lists: `?q=` narrows each list, with its
other filters, to the records whose texts or units contain every word typed."""

import datetime

from django.urls import reverse

from coordination import services as org
from coordination.models import MeetingKind, MemberUnit
from tests import clients
from tests.queries import queries_of_get

from .factories import make_meeting, make_plan

login = clients.login


def _page(client, name: str, **query) -> str:
    response = client.get(reverse(name), query)
    assert response.status_code == 200
    return response.content.decode()


def test_meeting_list_keyword_matches_title_minutes_decisions_and_attending_town(login, world):
    make_meeting(world, title="十月例会", minutes="研究了温泉度假区二期用地问题。")
    make_meeting(world, title="九月例会", decisions=["完成游客中心验收"])
    make_meeting(world, title="八月例会", attendee_units=[world.town2.unit])
    make_meeting(world, title="七月例会")
    client = login(world.users.officer)
    for keyword, title in (("温泉度假", "十月例会"), ("游客中心", "九月例会"), ("东丽湖", "八月例会")):
        page = _page(client, "meeting-list", q=keyword)
        assert title in page and "七月例会" not in page, keyword
        assert f'value="{keyword}"' in page  # the box keeps what was typed
    assert "十月例会" in _page(client, "meeting-list", q="十月 用地") and "九月例会" not in _page(
        client, "meeting-list", q="十月 用地"
    )  # every word must match


def test_meeting_list_keyword_combines_with_the_other_filters(login, world):
    make_meeting(world, title="温泉小镇例会")
    make_meeting(world, title="温泉小镇推动会", kind=MeetingKind.DISTRICT_ONSITE)
    page = _page(login(world.users.office_coord), "meeting-list", q="温泉", kind=MeetingKind.DISTRICT_ONSITE)
    assert "温泉小镇推动会" in page and "温泉小镇例会" not in page


def test_meeting_list_keyword_does_not_reach_beyond_the_users_scope(login, world):
    make_meeting(world, title="东丽区温泉例会")
    assert "东丽区温泉例会" not in _page(login(world.users.outsider), "meeting-list", q="温泉")


def test_keyword_lists_make_the_same_queries_however_many_match(login, world):
    client = login(world.users.office_coord)
    make_meeting(world, title="温泉例会", decisions=["甲"])
    make_plan(world, positioning="温泉康养")
    small = [queries_of_get(client, reverse(name), {"q": "温泉"}) for name in ("meeting-list", "plan-list")]
    for n in range(8):
        make_meeting(world, title=f"温泉例会{n}", decisions=["甲", "乙"], attendee_units=[world.town.unit])
        make_plan(world, unit=world.town2.unit if n % 2 else world.town.unit, positioning=f"温泉康养{n}")
    large = [queries_of_get(client, reverse(name), {"q": "温泉"}) for name in ("meeting-list", "plan-list")]
    assert large == small
    assert "温泉例会7" in _page(client, "meeting-list", q="温泉") and "共 9 项" in _page(client, "plan-list", q="温泉")


def test_plan_list_keyword_matches_title_town_district_and_current_content(login, world):
    make_plan(world, positioning="以温泉康养为主导的特色小镇")
    make_plan(world, unit=world.town2.unit, kind="implementation")
    client = login(world.users.office_planning)
    page = _page(client, "plan-list", q="温泉康养")
    assert "共 1 项" in page and "华明智能制造小镇<div" in page and "东丽湖温泉小镇<div" not in page
    page = _page(client, "plan-list", q="东丽湖")  # the town's name
    assert "共 1 项" in page and "东丽湖温泉小镇<div" in page and "华明智能制造小镇<div" not in page
    assert "共 2 项" in _page(client, "plan-list", q="东丽区")  # the district of the towns


def test_plan_list_keyword_matches_the_current_version_only(login, world):
    plan = make_plan(world, positioning="以温泉康养为主导")
    org.plan_return(actor=world.users.office_planning, plan=plan, comments="定位不清")
    org.plan_resubmit(
        actor=world.users.officer,
        plan=plan,
        content={"scope": "华明街道", "sites": "", "positioning": "以智能制造为主导", "layout": "", "path": ""},
        sub_items=[],
    )
    client = login(world.users.office_planning)
    assert "共 0 项" in _page(client, "plan-list", q="温泉康养")
    assert "共 1 项" in _page(client, "plan-list", q="智能制造 华明街道")


def test_policy_list_keyword_matches_summary_and_member_unit(login, world):
    stats = MemberUnit.objects.get(code="statistics")
    finance = MemberUnit.objects.create(code="finance", name="市财政局")
    for unit, title, summary in ((stats, "统计监测通知", "将温泉旅游人次纳入监测"), (finance, "专项资金办法", "")):
        org.policy_create(
            actor=world.users.office_policy, member_unit=unit, title=title, summary=summary,
            issued_on=datetime.date(2026, 5, 10),
        )  # fmt: skip
    client = login(world.users.officer)
    page = _page(client, "policy-list", q="温泉旅游")
    assert "统计监测通知" in page and "专项资金办法" not in page
    page = _page(client, "policy-list", q="财政")
    assert "专项资金办法" in page and "统计监测通知" not in page
