"""Decisions → action items (督办事项, R-2.2): assignment, progress by the owner's unit, completion with its
evidence, verification by the office (with a written waiver for an item without evidence), overdue flags per
unit, the list's keyword, and who is told."""

import datetime
import functools

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coordination import action_item_selectors as selectors
from coordination import permissions as perms
from coordination import selectors as coordination_selectors
from coordination import services as org
from coordination.models import ActionItemStatus, MeetingKind, MemberUnit, Notification
from tests import clients, waivers
from tests.queries import queries_of_get
from tianjin_towns.errors import ConflictError

from .factories import make_decision, make_item, make_meeting

S = ActionItemStatus
TODAY = datetime.date(2026, 11, 26)
login = clients.login


def _file(name: str = "批复.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


def _report_done(world, item, *, actor=None, evidence=True, **fields):
    """The responsible unit reports `item` done with a result and, unless told otherwise, a file."""
    fields.setdefault("resolution", "完成")
    return org.action_item_report_progress(
        actor=actor or world.users.officer, item=item, done=True, evidence=_file() if evidence else None, **fields
    )


def _done_without_evidence(world, settings, item):
    """An item reported done before evidence was required (as the items of issue 19 were)."""
    settings.EVIDENCE_REQUIRED = {"action_item": False, "problem": True}
    _report_done(world, item, evidence=False, resolution="已报送批复")
    settings.EVIDENCE_REQUIRED = {"action_item": True, "problem": True}
    return item


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
    assert coordination_selectors.overdue_action_item_count(world.users.office_coord, TODAY) == 1
    assert coordination_selectors.overdue_action_item_count(world.users.outsider, TODAY) == 0


def test_assignment_tells_the_responsible_units_staff_and_done_tells_the_office(world):
    item = make_item(world, unit=world.town.unit)
    assert _told(f"action_item_assigned:{item.pk}:") == {"dongli-officer", "dongli-leader"}
    _report_done(world, item, actor=world.users.reviewer)
    assert _told(f"action_item_done:{item.pk}:") == {"office-coord"}
    org.action_item_reject(actor=world.users.office_coord, item=item, reason="佐证材料不全")
    assert _told(f"action_item_rejected:{item.pk}:") == {"dongli-officer", "dongli-leader"}
    _report_done(world, item, resolution="补充了批复文件")
    org.action_item_verify(actor=world.users.office_coord, item=item)
    assert _told(f"action_item_verified:{item.pk}:") == {"dongli-officer", "dongli-leader"}


def test_reject_sends_the_item_back_with_the_reason_and_needs_one(world):
    item = make_item(world)
    _report_done(world, item)
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
    _report_done(world, item)
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
    _report_done(world, waiting)
    officer_box = coordination_selectors.coordination_inbox(world.users.officer, TODAY)
    assert officer_box.action_items == [late] and officer_box.overdue_items == 1
    assert officer_box.to_verify == []
    office_box = coordination_selectors.coordination_inbox(world.users.office_coord, TODAY)
    assert office_box.action_items == [] and office_box.to_verify == [waiting]
    assert office_box.overdue_in_scope == 1
    assert coordination_selectors.coordination_inbox(world.users.outsider, TODAY).total == 0


# --- Completion: the progress note and the result, the evidence, the office's waiver (issue 19) -------------


def test_done_keeps_the_progress_note_on_the_history_and_the_result_as_the_resolution(world):
    item = make_item(world)
    _report_done(world, item, note="区规划资源局已出具审查意见", resolution="用地已获批复（东规资〔2026〕88号）")
    item.refresh_from_db()
    assert item.resolution == "用地已获批复（东规资〔2026〕88号）"
    done = item.events.get(action="done")
    assert (done.note, done.resolution) == ("区规划资源局已出具审查意见", "用地已获批复（东规资〔2026〕88号）")
    told = Notification.objects.get(occasion__startswith=f"action_item_done:{item.pk}:")
    assert "用地已获批复" in told.body and "审查意见" in told.body


def test_done_without_evidence_is_refused_and_nothing_changes(world):
    item = make_item(world)
    with pytest.raises(ValidationError) as error:
        _report_done(world, item, evidence=False, note="已完成")
    assert error.value.message_dict == {"evidence": ["报告办结须上传佐证材料；确无材料的，请说明理由。"]}
    item.refresh_from_db()
    assert item.status == S.OPEN and item.resolution == "" and item.events.count() == 1


def test_a_file_sent_with_progress_counts_until_the_office_sends_the_item_back(world):
    item = make_item(world)
    org.action_item_report_progress(actor=world.users.officer, item=item, note="已报审", evidence=_file("报审件.pdf"))
    _report_done(world, item, evidence=False)  # the progress report's file backs it
    org.action_item_reject(actor=world.users.office_coord, item=item, reason="批复文件未上传")
    with pytest.raises(ValidationError) as error:
        _report_done(world, item, evidence=False)  # the file the office found wanting no longer counts
    assert "evidence" in error.value.message_dict
    _report_done(world, item, resolution="已上传批复文件")
    org.action_item_verify(actor=world.users.office_coord, item=item)  # evidence: no waiver asked
    assert not item.events.filter(action="waive_evidence").exists()


def test_an_item_done_without_evidence_is_verified_only_with_a_recorded_waiver(world, settings):
    item = _done_without_evidence(world, settings, make_item(world))
    office = world.users.office_coord
    waivers.assert_verified_only_with_a_waiver(
        item,
        functools.partial(org.action_item_verify, actor=office, item=item),
        office=office,
        refusal="免交佐证材料的理由",
        waiver="经电话核实已办结，无书面材料",
        evidence_waiver="  ",
    )


def test_the_evidence_rule_is_set_per_kind(world, settings):
    settings.EVIDENCE_REQUIRED = {"action_item": False, "problem": True}
    item = make_item(world)
    _report_done(world, item, evidence=False)
    org.action_item_verify(actor=world.users.office_coord, item=item)
    item.refresh_from_db()
    assert item.status == S.VERIFIED and not item.events.filter(action="waive_evidence").exists()


def test_the_page_says_evidence_is_required_and_refuses_done_without_it(login, world):
    item = make_item(world)
    client = login(world.users.officer)
    assert "报告办结时必须上传" in client.get(reverse("action-item-detail", args=[item.pk])).content.decode()
    data = {"note": "已完成", "done": "on", "resolution": "用地已获批复"}
    response = client.post(reverse("action-item-progress", args=[item.pk]), data)
    assert (
        response.status_code == 200 and "报告办结须上传佐证材料；确无材料的，请说明理由。" in response.content.decode()
    )
    item.refresh_from_db()
    assert item.status == S.OPEN
    client.post(reverse("action-item-progress", args=[item.pk]), {**data, "evidence": _file()})
    item.refresh_from_db()
    assert item.status == S.DONE and item.events.get(action="done").note == "已完成"


def test_verifying_on_the_page_without_evidence_asks_for_the_waiver_and_shows_it(login, world, settings):
    item = _done_without_evidence(world, settings, make_item(world))
    url = reverse("action-item-detail", args=[item.pk])
    waivers.assert_the_page_verifies_only_with_a_waiver(
        login(world.users.office_coord),
        item,
        detail_url=url,
        verify_url=reverse("action-item-verify", args=[item.pk]),
        refused_with={"evidence_waiver": ""},
        refusal="核验通过须填写免交佐证材料的理由",
        waiver="经现场核实，无书面材料",
    )
    page = login(world.users.officer).get(url).content.decode()
    assert "免交佐证材料" in page and "office-coord于2026年11月20日核验时决定免交" in page
    assert "经现场核实，无书面材料" in page
    assert login(world.users.outsider).post(reverse("action-item-verify", args=[item.pk])).status_code == 404


def test_the_api_applies_the_same_rules(world, api, settings):
    item, other = make_item(world), make_item(world, unit=world.town2.unit)
    url = f"/api/v1/action-items/{item.pk}/"
    refused = api(world.users.officer).post(f"{url}progress/", {"done": True, "resolution": "已批复"}, format="json")
    assert refused.status_code == 400 and refused.json() == {
        "evidence": ["报告办结须上传佐证材料；确无材料的，请说明理由。"]
    }
    body = {"done": True, "note": "已完成报批", "resolution": "已批复", "evidence": _file()}
    assert api(world.users.officer).post(f"{url}progress/", body, format="multipart").json()["status"] == "done"
    done = api(world.users.leader).get(f"{url}history/").json()[-1]
    assert (done["note"], done["resolution"], done["evidence_name"]) == ("已完成报批", "已批复", "批复.pdf")
    other = _done_without_evidence(world, settings, other)
    waivers.assert_the_api_verifies_only_with_a_waiver(
        api(world.users.office_coord), api(world.users.leader), f"/api/v1/action-items/{other.pk}/", waiver="已线下报送"
    )


# --- No file at all: the unit's reason, then the office's waiver or its return (issue 19, review) ----------

NO_FILE = "经电话与区住建委协调办结，无书面材料"
NO_FILE_MESSAGE = {"evidence": ["报告办结须上传佐证材料；确无材料的，请说明理由。"]}


def test_a_unit_without_a_file_reports_done_with_its_reason_and_the_office_waives_the_evidence(world):
    item = make_item(world)
    with pytest.raises(ValidationError) as error:
        _report_done(world, item, evidence=False, no_evidence_reason="   ")
    assert error.value.message_dict == NO_FILE_MESSAGE
    _report_done(world, item, evidence=False, note="已电话协调", no_evidence_reason=f"  {NO_FILE} ")
    item.refresh_from_db()
    assert item.status == S.DONE
    done = item.events.get(action="done")
    assert (done.note, done.no_evidence_reason, done.evidence_name) == ("已电话协调", NO_FILE, "")
    told = Notification.objects.get(occasion__startswith=f"action_item_done:{item.pk}:")
    assert f"未附佐证材料，说明：{NO_FILE}" in told.body
    verify = functools.partial(org.action_item_verify, actor=world.users.office_coord, item=item)
    waivers.assert_the_reason_is_no_waiver(item, verify, waiver="已电话向区住建委核实")
    assert item.events.get(action="waive_evidence").note == "已电话向区住建委核实"


def test_an_item_sent_back_needs_a_file_or_a_new_reason(world):
    item = make_item(world)
    _report_done(world, item, evidence=False, no_evidence_reason=NO_FILE)
    org.action_item_reject(actor=world.users.office_coord, item=item, reason="请补充协调会议纪要")
    with pytest.raises(ValidationError) as error:
        _report_done(world, item, evidence=False)  # the reason the office found wanting does not carry over
    assert error.value.message_dict == NO_FILE_MESSAGE
    assert selectors.no_evidence_reason(selectors.action_item_events(item)) == ""
    _report_done(world, item, evidence=False, no_evidence_reason="协调会未形成纪要，附区住建委联系人电话")
    assert selectors.no_evidence_reason(selectors.action_item_events(item)) == "协调会未形成纪要，附区住建委联系人电话"


def test_a_reason_given_with_evidence_is_not_kept(world):
    item = make_item(world)
    _report_done(world, item, no_evidence_reason="无")  # with a file
    assert item.events.get(action="done").no_evidence_reason == ""
    org.action_item_verify(actor=world.users.office_coord, item=item)  # evidence: no waiver asked
    item.refresh_from_db()
    assert item.status == S.VERIFIED


def test_the_page_takes_the_reason_instead_of_a_file_and_shows_it_to_the_office(login, world):
    item = make_item(world)
    officer = login(world.users.officer)
    url, progress = reverse("action-item-detail", args=[item.pk]), reverse("action-item-progress", args=[item.pk])
    assert 'name="no_evidence_reason"' in officer.get(url).content.decode()
    data = {"note": "已电话协调", "done": "on", "resolution": "已协调解决"}
    refused = officer.post(progress, {**data, "no_evidence_reason": "  "})
    assert refused.status_code == 200 and "报告办结须上传佐证材料；确无材料的，请说明理由。" in refused.content.decode()
    officer.post(progress, {**data, "no_evidence_reason": NO_FILE})
    item.refresh_from_db()
    assert item.status == S.DONE
    office = login(world.users.office_coord)
    page = office.get(url).content.decode()
    assert 'id="no-evidence-reason"' in page and NO_FILE in page
    assert page.count("未附佐证材料，说明：") == 2  # under the result and in the history
    assert "责任单位的说明（未附佐证材料）" in page and 'name="evidence_waiver"' in page  # the verify dialog
    assert 'id="confirm-reject"' in page  # sending it back stays open
    office.post(reverse("action-item-verify", args=[item.pk]), {"evidence_waiver": "已电话核实"})
    item.refresh_from_db()
    assert item.status == S.VERIFIED


def test_the_page_offers_the_reason_only_while_evidence_is_needed(login, world):
    item = make_item(world)
    org.action_item_report_progress(actor=world.users.officer, item=item, note="已报审", evidence=_file("报审件.pdf"))
    page = login(world.users.officer).get(reverse("action-item-detail", args=[item.pk])).content.decode()
    assert 'name="evidence"' in page and 'name="no_evidence_reason"' not in page


def test_the_api_takes_the_reason_instead_of_a_file(world, api):
    item = make_item(world)
    url = f"/api/v1/action-items/{item.pk}/"
    body = {"done": True, "resolution": "已协调解决"}
    too_long = api(world.users.officer).post(
        f"{url}progress/", {**body, "no_evidence_reason": "长" * 2001}, format="json"
    )
    assert too_long.status_code == 400 and "no_evidence_reason" in too_long.json()
    done = api(world.users.officer).post(f"{url}progress/", {**body, "no_evidence_reason": NO_FILE}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    history = api(world.users.leader).get(f"{url}history/").json()
    assert (history[-1]["action"], history[-1]["no_evidence_reason"]) == ("done", NO_FILE)
    refused = api(world.users.office_coord).post(f"{url}verify/", {}, format="json")
    assert refused.status_code == 400 and "evidence_waiver" in refused.json()
    rejected = api(world.users.office_coord).post(f"{url}reject/", {"reason": "请补充纪要"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["status"] == "in_progress"


# --- The list's keyword (关键词) ----------------------------------------------------------------------


def test_the_list_finds_items_by_keyword_in_title_or_unit(login, world):
    meeting = make_meeting(world, decisions=["华明小镇完成产业园二期用地报批", "完成游客中心主体验收"])
    first, second = meeting.decisions.order_by("order")
    make_item(world, first, unit=world.town.unit)
    make_item(world, second, unit=world.town2.unit)
    client = login(world.users.office_coord)

    def titles(keyword: str) -> list[str]:
        page = client.get(reverse("action-item-list"), {"q": keyword}).context["page"]
        return [item.title for item in page.object_list]

    assert titles("用地报批") == ["华明小镇完成产业园二期用地报批"]
    assert titles("东丽湖") == ["完成游客中心主体验收"]  # the responsible town's name
    assert titles("验收 东丽湖") == ["完成游客中心主体验收"]
    assert titles("不存在的事项") == []
    assert 'value="用地报批"' in client.get(reverse("action-item-list"), {"q": "用地报批"}).content.decode()
    outsider = login(world.users.outsider).get(reverse("action-item-list"), {"q": "用地"})
    assert list(outsider.context["page"].object_list) == []


def test_the_keyword_adds_no_query_per_item(login, world):
    client = login(world.users.office_coord)
    make_item(world)
    few = queries_of_get(client, reverse("action-item-list"), {"q": "报批"})
    meeting = make_meeting(world, decisions=[f"第{n}项用地报批" for n in range(8)])
    for decision in meeting.decisions.all():
        make_item(world, decision, unit=world.town2.unit)
    assert queries_of_get(client, reverse("action-item-list"), {"q": "报批"}) == few


def test_the_migration_moves_the_result_of_earlier_done_reports_out_of_their_note(world):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("coordination.migrations.0014_action_item_evidence")
    item = make_item(world)
    _report_done(world, item, resolution="用地已获批复")
    item.events.filter(action="done").update(note="用地已获批复", resolution="")  # as the service wrote it before
    migration.results_out_of_notes(apps, None)
    done = item.events.get(action="done")
    assert (done.note, done.resolution) == ("", "用地已获批复")


def test_the_migration_back_keeps_the_progress_note_beside_the_result(world):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("coordination.migrations.0014_action_item_evidence")
    with_note, without_note = make_item(world), make_item(world)
    _report_done(world, with_note, note="区规划资源局已出具审查意见", resolution="用地已获批复")
    _report_done(world, without_note, resolution="已办结")
    migration.results_into_notes(apps, None)
    assert with_note.events.get(action="done").note == "用地已获批复\n区规划资源局已出具审查意见"
    assert without_note.events.get(action="done").note == "已办结"
