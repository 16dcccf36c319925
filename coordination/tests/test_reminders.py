"""Meeting and action item reminders (R-6.1, R-2.1 – R-2.4): what is due on a frozen day, told once."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coordination import reminders
from coordination import services as org
from coordination.models import ActionItemStatus, MeetingKind, Notification

from .factories import make_item, make_meeting

D = datetime.date


def received(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


@pytest.fixture
def dongli_held_its_october_regular_meeting(world):
    return make_meeting(world, kind=MeetingKind.DISTRICT_REGULAR, held_on=D(2026, 10, 15))


@pytest.mark.usefixtures("dongli_held_its_october_regular_meeting")
def test_district_meetings_not_held_by_the_reminder_day_are_reminded_once(world, settings):
    settings.MEETING_REMINDER_DAY = 20
    assert reminders.meeting_reminders_send(today=D(2026, 10, 19)) == 0  # before the day
    assert reminders.meeting_reminders_send(today=D(2026, 10, 20)) > 0
    (dongli,) = received(world.users.officer, "meeting_not_held")
    assert "东丽区：区现场推动会 2026-10 已开展0次" in dongli.body
    assert "区例会" not in dongli.body  # held on the 15th
    assert "西青区" not in dongli.body
    (xiqing,) = received(world.users.outsider, "meeting_not_held")
    assert "西青区：区例会" in xiqing.body and "西青区：区现场推动会" in xiqing.body
    (office,) = received(world.users.office_coord, "meeting_not_held")  # the office hosts meetings' routing
    assert office.body.count("\n· ") == 3
    assert received(world.users.office_policy, "meeting_not_held") == []
    assert reminders.meeting_reminders_send(today=D(2026, 10, 21)) == 0  # once per month


def test_no_meeting_reminder_on_a_holiday(world, settings):
    settings.MEETING_REMINDER_DAY = 3
    assert reminders.meeting_reminders_send(today=D(2026, 10, 5)) == 0  # National Day
    assert not Notification.objects.filter(kind="meeting_not_held").exists()


def test_quarterly_conference_and_visits_not_yet_held_are_reminded_in_the_quarters_last_month(world):
    make_meeting(world, kind=MeetingKind.JOINT_CONFERENCE, unit=world.city, held_on=D(2026, 7, 20), title="联席会议")
    reminders.meeting_reminders_send(today=D(2026, 8, 31))
    assert received(world.users.office_coord, "quarterly_activity_not_held") == []  # not yet the quarter's last month
    reminders.meeting_reminders_send(today=D(2026, 9, 1))
    (office,) = received(world.users.office_coord, "quarterly_activity_not_held")
    assert "本季度" in office.subject
    assert "东丽区：现场督办服务 2026-Q3 已开展0次" in office.body
    assert "西青区：现场督办服务" in office.body
    assert "联席会议" not in office.body.split("：", 1)[1]  # the conference was held in July
    assert received(world.users.officer, "quarterly_activity_not_held") == []  # the office visits districts


def test_an_action_item_due_in_three_days_reminds_its_handlers_once(world):
    item = make_item(world, due_on=D(2026, 11, 30))
    assert reminders.action_item_reminders_send(today=D(2026, 11, 26)) == 0  # four days ahead
    reminders.action_item_reminders_send(today=D(2026, 11, 27))
    (notice,) = received(world.users.officer, "action_item_due_soon")
    assert notice.subject == f"督办事项将于11月30日（星期一）到期：{item.title}"
    assert notice.about == item
    assert received(world.users.office_coord, "action_item_due_soon") == []
    assert reminders.action_item_reminders_send(today=D(2026, 11, 27)) == 0


def test_an_overdue_action_item_goes_to_the_unit_its_leader_and_the_office_once(world):
    item = make_item(world, due_on=D(2026, 11, 30))
    reminders.action_item_reminders_send(today=D(2026, 12, 1))
    for user in (world.users.officer, world.users.reviewer, world.users.office_coord):
        (notice,) = received(user, "action_item_overdue")
        assert "已逾期" in notice.subject
    assert received(world.users.outsider, "action_item_overdue") == []
    assert reminders.action_item_reminders_send(today=D(2026, 12, 2)) == 0
    assert Notification.objects.filter(kind="action_item_overdue", object_id=item.pk).count() == 3


def test_items_reported_done_are_not_reminded(world):
    item = make_item(world, due_on=D(2026, 11, 30))
    org.action_item_report_progress(
        actor=world.users.officer,
        item=item,
        note="已完成",
        done=True,
        resolution="用地报批已获批复",
        evidence=SimpleUploadedFile("批复.pdf", b"%PDF"),
    )
    item.refresh_from_db()
    assert item.status == ActionItemStatus.DONE
    assert reminders.action_item_reminders_send(today=D(2026, 12, 1)) == 0
