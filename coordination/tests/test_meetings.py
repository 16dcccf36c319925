"""Meetings and activities (R-2.1, R-4.1): planned → held → minutes approved, decisions, agenda, minutes as .docx."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from coordination import exports, selectors
from coordination import services as org
from coordination.agenda import agenda_suggestions
from coordination.models import (
    ActionItemStatus,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingState,
    MemberUnit,
    Notification,
)
from ledgers.models import ReportStatus
from tianjin_towns.errors import ConflictError

from .factories import HELD_ON, make_decision, make_item, make_meeting

TODAY = datetime.date(2026, 11, 26)


def test_district_officer_records_held_regular_meeting_with_minutes_and_two_decisions(world):
    meeting = org.meeting_create(
        actor=world.users.officer,
        org_unit=world.dongli,
        kind=MeetingKind.DISTRICT_REGULAR,
        title="东丽区特色小镇10月例会",
        held_on=HELD_ON,
        held=True,
        place="区发展改革委第一会议室",
        convener="东丽区副区长",
        attendees="李明（区发展改革委主任）\n王芳（华明街道办事处副主任）",
        agenda="各小镇汇报10月进展\n研究产业园二期用地",
        minutes="会议听取了各小镇10月工作进展汇报。",
        attendee_units=[world.town.unit, world.town2.unit],
        decisions=["华明小镇11月底前完成用地报批", "东丽湖小镇12月上旬完成游客中心主体验收"],
    )
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD
    assert [d.text for d in meeting.decisions.order_by("order")] == [
        "华明小镇11月底前完成用地报批",
        "东丽湖小镇12月上旬完成游客中心主体验收",
    ]
    assert meeting.attendee_lines == ["李明（区发展改革委主任）", "王芳（华明街道办事处副主任）"]
    assert set(meeting.attendee_units.all()) == {world.town.unit, world.town2.unit}
    assert list(meeting.events.values_list("action", flat=True)) == [MeetingEvent.Action.CREATE]


def test_district_kinds_must_be_hosted_by_a_district_and_the_joint_conference_by_the_city(world):
    with pytest.raises(ValidationError) as error:
        make_meeting(world, kind=MeetingKind.DISTRICT_ONSITE, unit=world.city)
    assert "org_unit" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_meeting(world, kind=MeetingKind.JOINT_CONFERENCE, unit=world.dongli)
    assert "市联席会议须由市级主办" in error.value.message_dict["org_unit"][0]
    assert not Meeting.objects.exists()


def test_a_meeting_dated_after_today_cannot_be_recorded_as_held(world):
    with pytest.raises(ValidationError) as error:
        make_meeting(world, held_on=datetime.date(2099, 1, 5))
    assert "held_on" in error.value.message_dict
    planned = make_meeting(world, held=False, held_on=datetime.date(2099, 1, 5))
    with pytest.raises(ValidationError):
        org.meeting_record_held(actor=world.users.officer, meeting=planned)
    planned.refresh_from_db()
    assert planned.state == MeetingState.PLANNED


def test_decisions_need_a_held_meeting(world):
    with pytest.raises(ValidationError) as error:
        make_meeting(world, held=False, decisions=["提前写好的决定"])
    assert "decisions" in error.value.message_dict
    planned = make_meeting(world, held=False)
    with pytest.raises(ConflictError):
        org.decision_add(actor=world.users.officer, meeting=planned, text="未召开就有决定")


def test_planned_meeting_notifies_liaisons_of_attending_member_units_and_staff_of_attending_units(world):
    stats = MemberUnit.objects.get(code="statistics")
    meeting = make_meeting(world, held=False, held_on=datetime.date(2099, 1, 5), attendee_member_units=[stats],
                           attendee_units=[world.dongli])  # fmt: skip
    notified = set(
        Notification.objects.filter(occasion=f"meeting-notice:{meeting.pk}").values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {"liaison-stats", "dongli-officer", "dongli-leader"}


def test_record_held_then_approve_minutes_locks_minutes_and_decisions(world):
    meeting = make_meeting(world, held=False, held_on=HELD_ON)
    meeting = org.meeting_record_held(actor=world.users.officer, meeting=meeting, held_on=datetime.date(2026, 10, 16))
    assert meeting.state == MeetingState.HELD and meeting.held_on == datetime.date(2026, 10, 16)
    org.meeting_update(actor=world.users.officer, meeting=meeting, minutes="会议研究了用地报批。")
    decision = org.decision_add(actor=world.users.officer, meeting=meeting, text="完成用地报批")
    meeting = org.meeting_approve_minutes(actor=world.users.reviewer, meeting=meeting)
    assert meeting.state == MeetingState.MINUTES_APPROVED
    assert meeting.minutes_approved_by == world.users.reviewer
    with pytest.raises(ConflictError):
        org.meeting_update(actor=world.users.officer, meeting=meeting, minutes="改纪要")
    with pytest.raises(ConflictError):
        org.decision_delete(actor=world.users.officer, decision=decision)
    with pytest.raises(ConflictError):
        org.meeting_approve_minutes(actor=world.users.reviewer, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.minutes == "会议研究了用地报批。"
    assert list(meeting.events.values_list("action", flat=True)) == [
        "create",
        "hold",
        "update",
        "decision",
        "approve_minutes",
    ]
    # Action items can still be assigned from approved minutes.
    make_item(world, decision)


def test_empty_minutes_cannot_be_approved_and_a_planned_meeting_has_none_to_approve(world):
    planned = make_meeting(world, held=False)
    with pytest.raises(ConflictError):
        org.meeting_approve_minutes(actor=world.users.reviewer, meeting=planned)
    held = make_meeting(world, minutes="")
    with pytest.raises(ValidationError) as error:
        org.meeting_approve_minutes(actor=world.users.reviewer, meeting=held)
    assert "minutes" in error.value.message_dict


def test_update_records_each_changed_field_old_and_new(world):
    meeting = make_meeting(world)
    org.meeting_update(
        actor=world.users.officer, meeting=meeting, place="华明街道会议室", attendee_units=[world.town.unit]
    )
    event = meeting.events.get(action=MeetingEvent.Action.UPDATE)
    assert event.changes["place"] == ["", "华明街道会议室"]
    assert event.changes["attendee_units"] == [[], [world.town.unit.pk]]
    assert set(event.changes) == {"place", "attendee_units"}


def test_a_decision_with_action_items_cannot_be_deleted(world):
    item = make_item(world)
    with pytest.raises(ConflictError):
        org.decision_delete(actor=world.users.officer, decision=item.decision)
    other = make_decision(world, item.meeting, text="另一项决定")
    org.decision_delete(actor=world.users.officer, decision=other)
    assert list(item.meeting.decisions.values_list("text", flat=True)) == [item.decision.text]


def test_set_decisions_updates_adds_and_deletes_in_one_go(world):
    meeting = make_meeting(world, decisions=["甲", "乙", "丙"])
    first, second, third = meeting.decisions.order_by("order")
    org.meeting_set_decisions(
        actor=world.users.officer, meeting=meeting, decisions=[{"id": first.pk, "text": "甲（修改）"}, {"text": "丁"}]
    )
    assert list(meeting.decisions.order_by("order").values_list("text", flat=True)) == ["甲（修改）", "丁"]


def test_set_decisions_refuses_a_decision_of_another_meeting_and_changes_nothing(world):
    meeting = make_meeting(world, decisions=["甲"])
    other = make_meeting(world, decisions=["别的会"])
    with pytest.raises(ValidationError):
        org.meeting_set_decisions(
            actor=world.users.officer,
            meeting=meeting,
            decisions=[{"text": "新增"}, {"id": other.decisions.get().pk, "text": "x"}],
        )
    assert list(meeting.decisions.values_list("text", flat=True)) == ["甲"]


def test_update_with_decisions_changes_both_or_nothing(world):
    meeting = make_meeting(world, decisions=["甲"])
    first = meeting.decisions.get()
    org.meeting_update(
        actor=world.users.officer, meeting=meeting, place="会议室", decisions=[{"id": first.pk, "text": "甲（改）"}]
    )
    meeting.refresh_from_db()
    assert meeting.place == "会议室" and list(meeting.decisions.values_list("text", flat=True)) == ["甲（改）"]

    other = make_meeting(world, decisions=["别的会"])
    with pytest.raises(ValidationError):
        org.meeting_update(
            actor=world.users.officer,
            meeting=meeting,
            place="礼堂",
            decisions=[{"id": other.decisions.get().pk, "text": "x"}],
        )
    meeting.refresh_from_db()
    assert meeting.place == "会议室" and list(meeting.decisions.values_list("text", flat=True)) == ["甲（改）"]


def test_only_a_planned_meeting_can_be_cancelled(world):
    planned = make_meeting(world, held=False)
    org.meeting_delete(actor=world.users.officer, meeting=planned)
    assert not Meeting.objects.filter(pk=planned.pk).exists()
    held = make_meeting(world)
    with pytest.raises(ConflictError):
        org.meeting_delete(actor=world.users.officer, meeting=held)


def test_learning_activities_carry_their_report_in_the_minutes(world):
    tour = make_meeting(
        world,
        kind=MeetingKind.STUDY_TOUR,
        unit=world.city,
        title="赴浙江特色小镇考察学习",
        minutes="考察了梦想小镇、云栖小镇，形成考察报告。",
    )
    assert tour.get_kind_display() == "考察学习（走出去）"
    assert tour.minutes.startswith("考察了梦想小镇")


def test_agenda_for_a_district_meeting_lists_returned_reports_and_open_action_items(world, make_report):
    make_report(ReportStatus.RETURNED, period=datetime.date(2026, 9, 1))
    item = make_item(world, due_on=datetime.date(2026, 11, 1))
    done = make_item(world, item.decision, unit=world.town2.unit, title="已办结的事项")
    evidence = SimpleUploadedFile("批复.pdf", b"%PDF")
    org.action_item_report_progress(
        actor=world.users.officer, item=done, done=True, resolution="已完成", evidence=evidence
    )
    lines = agenda_suggestions(world.dongli, TODAY)
    assert any("月报退回待修改：华明智能制造小镇 2026年9月（数据有误）" == line for line in lines)
    assert any(line.startswith("督办事项：") and "已逾期" in line for line in lines)
    assert not any("已办结的事项" in line for line in lines)
    # The last ended month (October) has no report for either town and is past due on the 26th.
    assert "月报逾期未报送：东丽湖温泉小镇 2026年10月" in lines
    assert agenda_suggestions(world.xiqing, TODAY) == ["月报逾期未报送：精武文化小镇 2026年10月"]


# --- Minutes as a Word document --------------------------------------------------------------------


def _docx_text(content: bytes) -> tuple[list[str], list[list[str]]]:
    document = Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return paragraphs, tables


def test_minutes_export_to_docx_in_government_layout(world):
    stats = MemberUnit.objects.get(code="statistics")
    meeting = make_meeting(
        world,
        place="区政府第三会议室",
        convener="东丽区副区长 刘强",
        attendees="李明（区发展改革委主任）\n王芳（华明街道办事处副主任）",
        agenda="各小镇汇报10月进展\n研究产业园二期用地",
        minutes="会议听取了各小镇10月工作进展汇报。\n会议要求各单位抓紧推进项目建设。",
        attendee_units=[world.town.unit],
        attendee_member_units=[stats],
        decisions=["华明小镇11月底前完成用地报批"],
    )
    make_item(world, meeting.decisions.get(), owner="张伟", due_on=datetime.date(2026, 11, 30))
    units, members = selectors.meeting_attendee_units(meeting)
    content = exports.minutes_docx(
        meeting, decisions=selectors.meeting_decisions(meeting), attendee_units=units, attendee_member_units=members
    )
    paragraphs, table = _docx_text(content)
    assert paragraphs[0] == "东丽区特色小镇建设10月例会\n会议纪要"
    assert [
        "会议名称",
        "东丽区特色小镇建设10月例会",
        "东丽区特色小镇建设10月例会",
        "东丽区特色小镇建设10月例会",
    ] == table[0]
    assert table[1] == ["会议类别", "区例会", "主办单位", "东丽区"]
    assert table[2][:2] == ["会议时间", "2026年10月15日"] and table[2][3] == "区政府第三会议室"
    assert table[4][1] == "华明智能制造小镇、市统计局"
    headings = [p for p in paragraphs if p[:2] in ("一、", "二、", "三、", "四、")]
    assert headings == ["一、参会人员", "二、会议议程", "三、会议纪要", "四、议定事项"]
    assert "（一）各小镇汇报10月进展" in paragraphs and "（二）研究产业园二期用地" in paragraphs
    assert "会议要求各单位抓紧推进项目建设。" in paragraphs
    assert "1. 华明小镇11月底前完成用地报批" in paragraphs
    assert "责任单位：华明智能制造小镇；责任人：张伟；办结时限：2026年11月30日。" in paragraphs
    assert paragraphs[-4:] == ["东丽区", "2026年10月15日", "", ""]  # the issuing unit and date; the 版记's page
    colophon = Document(io.BytesIO(content)).sections[-1].even_page_footer.paragraphs
    assert [p.text for p in colophon[:2]] == ["抄送：华明智能制造小镇，市统计局", "东丽区\t2026年10月15日印发"]
    document = Document(io.BytesIO(content))
    body = document.paragraphs[paragraphs.index("会议要求各单位抓紧推进项目建设。")]
    assert body.runs[0].font.size.pt == 16  # 三号
    assert body.paragraph_format.first_line_indent.pt == 32  # two characters
    assert exports.minutes_filename(meeting) == "20261015-东丽区特色小镇建设10月例会-会议纪要.docx"


def test_action_item_statuses_are_the_api_vocabulary():
    assert ActionItemStatus.values == ["open", "in_progress", "done", "verified"]
    assert MeetingKind.values == [
        "joint_conference",
        "district_regular",
        "district_onsite",
        "training",
        "study_tour",
        "exchange",
    ]


def test_minutes_wait_in_the_inbox_of_the_hosts_own_approver(world):
    district = make_meeting(world)
    conference = make_meeting(world, kind=MeetingKind.JOINT_CONFERENCE, unit=world.city, title="联席会议")
    make_meeting(world, minutes="")  # nothing to approve yet
    assert selectors.coordination_inbox(world.users.reviewer, TODAY).minutes == [district]
    assert selectors.coordination_inbox(world.users.office_coord, TODAY).minutes == [conference]
    assert selectors.coordination_inbox(world.users.officer, TODAY).minutes == []
