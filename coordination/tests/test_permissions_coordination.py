"""Who sees and does what with meetings, action items and plans: districts see and edit only their own,
liaisons see the meetings their member unit attends, leaders read everything and edit nothing, and the
office's working groups act on the kinds of work routed to them (R-1.5)."""

import contextlib
import datetime

from django.urls import reverse

from coordination import permissions as perms
from coordination import services as org
from coordination.models import MeetingKind, MemberUnit, SubmissionKind, SubmissionRoute

from .factories import make_item, make_meeting, make_plan

ACTIONS = (
    perms.MANAGE_MEETINGS,
    perms.APPROVE_MINUTES,
    perms.HANDLE_ACTION_ITEMS,
    perms.VERIFY_ACTION_ITEMS,
    perms.SUBMIT_PLANS,
    perms.REVIEW_PLANS,
    perms.MANAGE_POLICIES,
    perms.MANAGE_INSPECTIONS,
    perms.MANAGE_ASSESSMENTS,
)


def _held(user, unit) -> set[str]:
    return {perm for perm in ACTIONS if perms.user_has_unit_perm(user, unit.pk, perm)}


def test_each_role_and_working_group_gets_its_grants(world):
    u = world.users
    assert _held(u.officer, world.dongli) == {perms.MANAGE_MEETINGS, perms.HANDLE_ACTION_ITEMS, perms.SUBMIT_PLANS}
    assert _held(u.reviewer, world.dongli) == {perms.APPROVE_MINUTES, perms.HANDLE_ACTION_ITEMS}
    assert _held(u.officer, world.xiqing) == set()
    assert _held(u.office_coord, world.dongli) == {
        perms.MANAGE_MEETINGS,
        perms.APPROVE_MINUTES,
        perms.VERIFY_ACTION_ITEMS,
        perms.MANAGE_INSPECTIONS,
    }
    assert _held(u.office_planning, world.city) == {perms.REVIEW_PLANS}
    assert _held(u.office_policy, world.city) == {perms.MANAGE_POLICIES}
    assert _held(u.office_assess, world.city) == {perms.MANAGE_ASSESSMENTS}
    assert _held(u.leader, world.city) == set() and _held(u.liaison, world.city) == set()
    assert perms.user_has_unit_perm(u.office_policy, world.town.pk, perms.ACCEPT)  # unchanged: statistics


def test_routing_a_kind_to_another_group_moves_the_grants(world):
    org.submission_route_set(actor=None, kind=SubmissionKind.PLANS, working_group=world.groups["coord"])
    assert SubmissionRoute.objects.get(kind="plans").working_group.code == "coord"
    assert perms.REVIEW_PLANS in _held(world.users.office_coord, world.city)
    assert perms.REVIEW_PLANS not in _held(world.users.office_planning, world.city)
    plan = make_plan(world)
    assert perms.plans_for_user(world.users.office_coord, perms.REVIEW_PLANS).filter(pk=plan.pk).exists()


def test_admin_cannot_route_around_the_service(client, world):
    """Routing is read-only in the admin (issue 15): it changes on 系统管理 › 事项分工, through the service."""
    client.force_login(world.users.admin)
    response = client.post(
        reverse("admin:coordination_submissionroute_add"),
        {"kind": SubmissionKind.STATISTICS, "working_group": world.groups["assess"].pk},
    )
    assert response.status_code == 403
    assert not SubmissionRoute.objects.filter(kind=SubmissionKind.STATISTICS).exists()
    assert perms.user_has_unit_perm(world.users.office_policy, world.town.pk, perms.ACCEPT)


def test_a_district_sees_and_edits_only_its_own_meetings_plans_and_items(world):
    dongli_item = make_item(world)
    xiqing_meeting = org.meeting_create(
        actor=world.users.outsider, org_unit=world.xiqing, kind=MeetingKind.DISTRICT_REGULAR, title="西青区例会",
        held_on=datetime.date(2026, 10, 9), held=True, decisions=["精武小镇完成用地报批"],
    )  # fmt: skip
    xiqing_item = org.action_item_create(
        actor=world.users.outsider, decision=xiqing_meeting.decisions.get(), owner="赵磊",
        due_on=datetime.date(2026, 12, 1), responsible_unit=world.outsider_town.unit,
    )  # fmt: skip
    dongli_plan, xiqing_plan = make_plan(world), make_plan(world, unit=world.outsider_town.unit)
    officer = world.users.officer
    assert set(perms.meetings_for_user(officer)) == {dongli_item.meeting}
    assert set(perms.meetings_for_user(officer, perms.MANAGE_MEETINGS)) == {dongli_item.meeting}
    assert set(perms.action_items_for_user(officer)) == {dongli_item}
    assert set(perms.action_items_for_user(officer, perms.HANDLE_ACTION_ITEMS)) == {dongli_item}
    assert set(perms.plans_for_user(officer)) == {dongli_plan}
    assert set(perms.plans_for_user(world.users.outsider, perms.SUBMIT_PLANS)) == {xiqing_plan}
    assert set(perms.action_items_for_user(world.users.outsider)) == {xiqing_item}


def test_a_town_assigned_an_item_by_the_joint_conference_sees_it_but_not_the_conference(world):
    conference = make_meeting(world, kind=MeetingKind.JOINT_CONFERENCE, unit=world.city, title="联席会议")
    decision = org.decision_add(actor=world.users.office_coord, meeting=conference, text="东丽区加快项目建设")
    item = org.action_item_create(
        actor=world.users.office_coord, decision=decision, owner="东丽区发展改革委", due_on=datetime.date(2026, 12, 1),
        responsible_unit=world.dongli,
    )  # fmt: skip
    assert list(perms.action_items_for_user(world.users.officer)) == [item]
    assert perms.can_on_action_item(world.users.officer, item, perms.HANDLE_ACTION_ITEMS)
    assert not perms.meetings_for_user(world.users.officer).exists()
    org.meeting_update(actor=world.users.office_coord, meeting=conference, attendee_units=[world.dongli])
    assert list(perms.meetings_for_user(world.users.officer)) == [conference]  # attending: now seen
    assert not perms.meetings_for_user(world.users.officer, perms.MANAGE_MEETINGS).exists()


def test_liaisons_see_the_meetings_their_member_unit_attends(world):
    stats = MemberUnit.objects.get(code="statistics")
    attended = make_meeting(
        world, kind=MeetingKind.JOINT_CONFERENCE, unit=world.city, title="一", attendee_member_units=[stats]
    )
    make_meeting(world, kind=MeetingKind.JOINT_CONFERENCE, unit=world.city, title="二")
    district = make_meeting(world, title="东丽区例会", attendee_member_units=[stats])
    assert set(perms.meetings_for_user(world.users.liaison)) == {attended, district}
    assert not perms.meetings_for_user(world.users.liaison, perms.MANAGE_MEETINGS).exists()
    assert not perms.plans_for_user(world.users.liaison).exists()


def test_leaders_read_everything_and_edit_nothing(world):
    item = make_item(world)
    plan = make_plan(world)
    leader = world.users.leader
    assert list(perms.meetings_for_user(leader)) == [item.meeting]
    assert list(perms.action_items_for_user(leader)) == [item]
    assert list(perms.plans_for_user(leader)) == [plan]
    for perm in (perms.MANAGE_MEETINGS, perms.APPROVE_MINUTES):
        assert not perms.meetings_for_user(leader, perm).exists()
    for perm in (perms.HANDLE_ACTION_ITEMS, perms.VERIFY_ACTION_ITEMS):
        assert not perms.action_items_for_user(leader, perm).exists()
    for perm in (perms.SUBMIT_PLANS, perms.REVIEW_PLANS):
        assert not perms.plans_for_user(leader, perm).exists()
    assert not perms.policy_member_units_for_user(leader).exists()


def test_reach_down_the_tree_is_the_same_in_a_request_and_outside_one(world):
    """The dashboards' door asks whether a user reaches the city, a district and a town: from the grants
    a request remembered (no query), or with a query outside a request; both answers must agree."""
    u = world.users
    chain = [world.city.pk, world.dongli.pk, world.town.pk]
    other = [world.city.pk, world.xiqing.pk, world.outsider_town.pk]
    expected = {
        u.leader: ([True, True, True], [True, True, True]),
        u.officer: ([False, True, True], [False, False, False]),
        u.liaison: ([False, False, False], [False, False, False]),
    }
    for user, (own, foreign) in expected.items():
        assert [perms.reaches_along(user, chain), perms.reaches_along(user, other)] == [own, foreign], user
        with perms.remembered_unit_grants():
            assert [perms.reaches_along(user, chain), perms.reaches_along(user, other)] == [own, foreign], user
    town_officer = org.user_create(
        username="t-officer", password="x-pass-123", role="officer", org_unit=world.town.unit
    )
    for context in (contextlib.nullcontext, perms.remembered_unit_grants):
        with context():
            assert perms.reaches_along(town_officer, chain) == [False, False, True]
            assert perms.reaches_along(town_officer, [world.city.pk, world.dongli.pk, world.town2.pk]) == [False] * 3
