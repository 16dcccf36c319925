"""Decisions → action items (督办事项, R-2.2): assignment, progress by the owner's unit, verification by the office,
overdue flags per unit, and who is told."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from coordination import permissions as perms
from coordination import selectors
from coordination import services as org
from coordination.models import ActionItemStatus, MeetingKind, MemberUnit, Notification
from tianjin_towns.errors import ConflictError

from .factories import make_decision, make_item, make_meeting

S = ActionItemStatus
TODAY = datetime.date(2026, 11, 26)


def _told(occasion_prefix: str) -> set[str]:
    return set(
        Notification.objects.filter(occasion__startswith=occasion_prefix).values_list("recipient__username", flat=True)
    )


def test_acceptance_two_decisions_one_verified_the_other_overdue_on_unit_and_office_pages(world):
    """A district records its regular meeting; decisions go to two units; one is done and verified, one overdue."""
    meeting = make_meeting(world, decisions=["华明小镇完成产业园二期用地报批", "东丽湖小镇完成游客中心主体验收"])
    first, second = meeting.decisions.order_by("order")
    done = make_item(world, first, unit=world.town.unit, due_on=datetime.date(2026, 12, 31))
    late = make_item(world, second, unit=world.town2.unit, due_on=datetime.date(2026, 11, 10))

    org.action_item_report_progress(actor=world.users.officer, item=done, note="已报区规划资源局")
    org.action_item_report_progress(
        actor=world.users.officer,
        item=done,
        done=True,
        resolution="用地已获批复",
        evidence=SimpleUploadedFile("批复.pdf", b"%PDF-1.4 test"),
    )
    org.action_item_verify(actor=world.users.office_coord, item=done)
    done.refresh_from_db()
    assert done.status == S.VERIFIED and done.verified_by == world.users.office_coord
    assert [e.action for e in done.events.all()] == ["create", "progress", "done", "verify"]
    assert done.events.get(action="done").evidence_name == "批复.pdf"

    late.refresh_from_db()
    assert late.is_overdue_on(TODAY) and not done.is_overdue_on(TODAY)
    for user in (world.users.officer, world.users.office_coord, world.users.leader):
        overdue = list(selectors.action_item_list(user, overdue=True, today=TODAY))
        assert overdue == [late], user
    by_unit = {row.name: row for row in selectors.action_item_summary_by_unit(world.users.office_coord, TODAY)}
    assert by_unit["东丽湖温泉小镇"].overdue == 1
    assert "华明智能制造小镇" not in by_unit  # nothing open there any more
    assert selectors.overdue_action_item_count(world.users.office_coord, TODAY) == 1
    assert selectors.overdue_action_item_count(world.users.outsider, TODAY) == 0


def test_assignment_tells_the_responsible_units_staff_and_done_tells_the_office(world):
    item = make_item(world, unit=world.town.unit)
    assert _told(f"action_item_assigned:{item.pk}:") == {"dongli-officer", "dongli-leader"}
    org.action_item_report_progress(actor=world.users.reviewer, item=item, done=True, resolution="完成")
    assert _told(f"action_item_done:{item.pk}:") == {"office-coord"}
    org.action_item_reject(actor=world.users.office_coord, item=item, reason="佐证材料不全")
    assert _told(f"action_item_rejected:{item.pk}:") == {"dongli-officer", "dongli-leader"}
    org.action_item_report_progress(actor=world.users.officer, item=item, done=True, resolution="补充了批复文件")
    org.action_item_verify(actor=world.users.office_coord, item=item)
    assert _told(f"action_item_verified:{item.pk}:") == {"dongli-officer", "dongli-leader"}


def test_reject_sends_the_item_back_with_the_reason_and_needs_one(world):
    item = make_item(world)
    org.action_item_report_progress(actor=world.users.officer, item=item, done=True, resolution="完成")
    with pytest.raises(ValidationError) as error:
        org.action_item_reject(actor=world.users.office_coord, item=item, reason="  ")
    assert "reason" in error.value.message_dict
    org.action_item_reject(actor=world.users.office_coord, item=item, reason="佐证材料不全")
    item.refresh_from_db()
    assert item.status == S.IN_PROGRESS and item.done_at is None
    assert item.events.last().note == "佐证材料不全"


def test_done_needs_a_resolution_and_progress_needs_a_note(world):
    item = make_item(world)
    with pytest.raises(ValidationError) as error:
        org.action_item_report_progress(actor=world.users.officer, item=item, done=True)
    assert "resolution" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        org.action_item_report_progress(actor=world.users.officer, item=item, note="")
    assert "note" in error.value.message_dict
    item.refresh_from_db()
    assert item.status == S.OPEN and item.events.count() == 1


@pytest.mark.parametrize("status", [S.DONE, S.VERIFIED])
def test_a_done_or_verified_item_takes_no_more_progress(world, status):
    item = make_item(world)
    org.action_item_report_progress(actor=world.users.officer, item=item, done=True, resolution="完成")
    if status == S.VERIFIED:
        org.action_item_verify(actor=world.users.office_coord, item=item)
    with pytest.raises(ConflictError):
        org.action_item_report_progress(actor=world.users.officer, item=item, note="再报进展")


def test_only_a_done_item_can_be_verified_or_rejected(world):
    item = make_item(world)
    with pytest.raises(ConflictError):
        org.action_item_verify(actor=world.users.office_coord, item=item)
    with pytest.raises(ConflictError):
        org.action_item_reject(actor=world.users.office_coord, item=item, reason="x")


def test_district_meeting_assigns_only_to_its_district_and_towns_exactly_one_unit(world):
    decision = make_decision(world)
    stats = MemberUnit.objects.get(code="statistics")
    with pytest.raises(ValidationError) as error:
        make_item(world, decision, unit=world.outsider_town.unit)
    assert "本区" in error.value.message_dict["responsible_unit"][0]
    with pytest.raises(ValidationError):
        org.action_item_create(
            actor=world.users.officer,
            decision=decision,
            owner="张伟",
            due_on=datetime.date(2026, 12, 1),
            responsible_unit=world.town.unit,
            responsible_member_unit=stats,
        )
    with pytest.raises(ValidationError) as error:
        make_item(world, decision, due_on=datetime.date(2026, 1, 1))
    assert "due_on" in error.value.message_dict
    assert not decision.action_items.exists()


def test_member_unit_item_is_handled_by_its_liaison_only(world):
    stats = MemberUnit.objects.get(code="statistics")
    conference = make_meeting(world, kind=MeetingKind.JOINT_CONFERENCE, unit=world.city, title="市联席会议第三次会议")
    decision = org.decision_add(actor=world.users.office_coord, meeting=conference, text="市统计局制定统计监测办法")
    item = org.action_item_create(
        actor=world.users.office_coord, decision=decision, owner="统计处", due_on=datetime.date(2026, 12, 15),
        responsible_member_unit=stats,
    )  # fmt: skip
    assert _told(f"action_item_assigned:{item.pk}:") == {"liaison-stats"}
    assert perms.can_on_action_item(world.users.liaison, item, perms.HANDLE_ACTION_ITEMS)
    assert not perms.can_on_action_item(world.users.office_coord, item, perms.HANDLE_ACTION_ITEMS)
    assert perms.can_on_action_item(world.users.office_coord, item, perms.VERIFY_ACTION_ITEMS)
    assert list(perms.action_items_for_user(world.users.liaison)) == [item]
    assert list(perms.action_items_for_user(world.users.officer)) == []
    assert selectors.open_action_items_for_user(world.users.liaison) == [item]


def test_only_the_owners_unit_reports_and_only_the_office_verifies(world):
    item = make_item(world, unit=world.town.unit)
    handle, verify = perms.HANDLE_ACTION_ITEMS, perms.VERIFY_ACTION_ITEMS
    can = {name: (perms.can_on_action_item(u, item, handle), perms.can_on_action_item(u, item, verify))
           for name, u in vars(world.users).items() if name != "admin"}  # fmt: skip
    assert {name for name, (h, _v) in can.items() if h} == {"officer", "reviewer"}
    assert {name for name, (_h, v) in can.items() if v} == {"office_coord"}


def test_home_inbox_lists_items_to_report_on_and_to_verify(world):
    late = make_item(world, due_on=datetime.date(2026, 11, 1))
    waiting = make_item(world, late.decision, unit=world.town2.unit, due_on=datetime.date(2026, 12, 1))
    org.action_item_report_progress(actor=world.users.officer, item=waiting, done=True, resolution="完成")
    officer_box = selectors.coordination_inbox(world.users.officer, TODAY)
    assert officer_box.action_items == [late] and officer_box.overdue_items == 1
    assert officer_box.to_verify == []
    office_box = selectors.coordination_inbox(world.users.office_coord, TODAY)
    assert office_box.action_items == [] and office_box.to_verify == [waiting]
    assert office_box.overdue_in_scope == 1
    assert selectors.coordination_inbox(world.users.outsider, TODAY).total == 0
