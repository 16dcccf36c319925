"""API v1 for meetings, action items, cadence and plans (API.md): vocabularies, workflow, 400/403/404/409,
scoping and query counts."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination import services as org
from coordination.models import ActionItem, CadenceRule, Meeting, MeetingKind, MemberUnit, Plan

from .factories import PLAN_CONTENT, make_item, make_meeting, make_plan

MEETINGS, ITEMS, PLANS = "/api/v1/meetings/", "/api/v1/action-items/", "/api/v1/plans/"


def _meeting_body(world, **extra):
    return {
        "kind": "district_regular",
        "org_unit": world.dongli.pk,
        "title": "东丽区10月例会",
        "held_on": "2026-10-15",
        "held": True,
        "attendees": {"units": [world.town.unit.pk], "member_units": [], "people": ["李明（区发展改革委）"]},
        "minutes": "会议研究了用地报批。",
        "decisions": ["华明小镇完成用地报批", "东丽湖小镇完成游客中心验收"],
        **extra,
    }


# --- Meetings ---------------------------------------------------------------------------------------


def test_officer_creates_a_held_meeting_with_decisions(world, api):
    response = api(world.users.officer).post(MEETINGS, _meeting_body(world), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("kind", "org_unit", "held_on", "title", "state", "minutes")} == {
        "kind": "district_regular",
        "org_unit": world.dongli.pk,
        "held_on": "2026-10-15",
        "title": "东丽区10月例会",
        "state": "held",
        "minutes": "会议研究了用地报批。",
    }
    assert body["attendees"] == {"units": [world.town.unit.pk], "member_units": [], "people": ["李明（区发展改革委）"]}
    assert [d["text"] for d in body["decisions"]] == ["华明小镇完成用地报批", "东丽湖小镇完成游客中心验收"]
    assert body["decisions"][0]["action_items"] == []


def test_meeting_create_errors(world, api):
    client = api(world.users.officer)
    response = client.post(MEETINGS, _meeting_body(world, kind="joint_conference"), format="json")
    assert response.status_code == 400 and "org_unit" in response.json()
    response = client.post(MEETINGS, _meeting_body(world, kind="board_meeting"), format="json")
    assert response.status_code == 400 and "kind" in response.json()
    response = client.post(MEETINGS, _meeting_body(world, org_unit=world.xiqing.pk), format="json")
    assert response.status_code == 400 and "org_unit" in response.json()  # unseen: named in the body
    response = api(world.users.reviewer).post(MEETINGS, _meeting_body(world), format="json")
    assert response.status_code == 403
    response = client.post(MEETINGS, _meeting_body(world, attendees={"units": [999999]}), format="json")
    assert response.status_code == 400
    assert not Meeting.objects.exists()


def test_patch_decisions_and_approve_then_409(world, api):
    meeting = make_meeting(world, decisions=["甲", "乙"])
    first = meeting.decisions.order_by("order").first()
    client = api(world.users.officer)
    response = client.patch(
        f"{MEETINGS}{meeting.pk}/",
        {"place": "华明街道会议室", "decisions": [{"id": first.pk, "text": "甲（改）"}, {"text": "丙"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [d["text"] for d in response.json()["decisions"]] == ["甲（改）", "丙"]
    assert response.json()["place"] == "华明街道会议室"
    response = api(world.users.reviewer).post(f"{MEETINGS}{meeting.pk}/approve-minutes/")
    assert response.status_code == 200 and response.json()["state"] == "minutes_approved"
    response = client.patch(f"{MEETINGS}{meeting.pk}/", {"minutes": "改"}, format="json")
    assert response.status_code == 409
    assert "纪要已审定" in response.json()["detail"]


def test_held_and_delete_transitions(world, api):
    meeting = make_meeting(world, held=False, held_on=datetime.date(2026, 11, 2))
    client = api(world.users.officer)
    assert client.post(f"{MEETINGS}{meeting.pk}/held/", {}, format="json").json()["state"] == "held"
    assert client.post(f"{MEETINGS}{meeting.pk}/held/", {}, format="json").status_code == 409
    assert client.delete(f"{MEETINGS}{meeting.pk}/").status_code == 409
    planned = make_meeting(world, held=False, held_on=datetime.date(2099, 1, 1))
    assert client.delete(f"{MEETINGS}{planned.pk}/").status_code == 204


def test_outsider_gets_404_and_viewers_403_on_meetings(world, api):
    meeting = make_meeting(world, held=False)
    outsider = api(world.users.outsider)
    assert outsider.get(f"{MEETINGS}{meeting.pk}/").status_code == 404
    assert outsider.patch(f"{MEETINGS}{meeting.pk}/", {"title": "x"}, format="json").status_code == 404
    assert outsider.post(f"{MEETINGS}{meeting.pk}/held/").status_code == 404
    assert api(world.users.leader).patch(f"{MEETINGS}{meeting.pk}/", {"title": "x"}, format="json").status_code == 403
    assert api(world.users.leader).post(f"{MEETINGS}{meeting.pk}/held/").status_code == 403
    assert api(world.users.officer).post(f"{MEETINGS}{meeting.pk}/approve-minutes/").status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).title == meeting.title


def test_liaison_sees_only_the_meetings_its_member_unit_attends(world, api):
    stats = MemberUnit.objects.get(code="statistics")
    attended = make_meeting(
        world, kind=MeetingKind.JOINT_CONFERENCE, unit=world.city, title="第一次联席会议", attendee_member_units=[stats]
    )
    make_meeting(world, kind=MeetingKind.JOINT_CONFERENCE, unit=world.city, title="第二次联席会议")
    make_meeting(world, title="东丽区例会")
    ids = [m["id"] for m in api(world.users.liaison).get(MEETINGS).json()["results"]]
    assert ids == [attended.pk]


def test_meeting_list_filters_and_query_count(world, api):
    client = api(world.users.office_coord)
    make_meeting(world, decisions=["甲"])
    with CaptureQueriesContext(connection) as small:
        assert client.get(MEETINGS).status_code == 200
    for n in range(10):
        meeting = make_meeting(world, title=f"例会{n}", decisions=["甲", "乙"], attendee_units=[world.town.unit])
        make_item(world, meeting.decisions.first())
    make_meeting(world, kind=MeetingKind.DISTRICT_ONSITE, title="推动会", held_on=datetime.date(2026, 9, 3))
    with CaptureQueriesContext(connection) as large:
        body = client.get(MEETINGS).json()
    assert body["count"] == 12
    assert len(large.captured_queries) == len(small.captured_queries)
    assert [m["title"] for m in client.get(MEETINGS, {"kind": "district_onsite"}).json()["results"]] == ["推动会"]
    assert client.get(MEETINGS, {"kind": "nope"}).status_code == 400


# --- Action items -----------------------------------------------------------------------------------


def test_action_item_loop_over_the_api(world, api):
    meeting = make_meeting(world, decisions=["华明小镇完成用地报批"])
    decision = meeting.decisions.get()
    response = api(world.users.officer).post(
        ITEMS,
        {"decision": decision.pk, "responsible_unit": world.town.unit.pk, "owner": "张伟", "due_on": "2026-12-20"},
        format="json",
    )
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["status"] == "open" and item["responsible_unit"] == world.town.unit.pk and item["owner"] == "张伟"
    assert item["source"]["meeting"] == meeting.pk and item["source"]["decision"] == decision.pk
    url = f"{ITEMS}{item['id']}/"
    response = api(world.users.officer).post(f"{url}progress/", {"note": "已上报"}, format="json")
    assert response.json()["status"] == "in_progress"
    done = {"done": True, "resolution": "已批复", "evidence": SimpleUploadedFile("批复.pdf", b"%PDF")}
    response = api(world.users.reviewer).post(f"{url}progress/", done, format="multipart")
    assert response.json()["status"] == "done" and response.json()["resolution"] == "已批复"
    response = api(world.users.office_coord).post(f"{url}reject/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api(world.users.office_coord).post(f"{url}reject/", {"reason": "缺批复文件"}, format="json")
    assert response.json()["status"] == "in_progress"
    done = {"done": True, "resolution": "附批复文件", "evidence": SimpleUploadedFile("批复.pdf", b"%PDF")}
    api(world.users.officer).post(f"{url}progress/", done, format="multipart")
    response = api(world.users.office_coord).post(f"{url}verify/", {}, format="json")
    assert response.json()["status"] == "verified"
    assert api(world.users.office_coord).post(f"{url}verify/", {}, format="json").status_code == 409
    history = api(world.users.leader).get(f"{url}history/").json()
    assert [e["action"] for e in history] == ["create", "progress", "done", "reject", "done", "verify"]


def test_action_item_create_errors(world, api):
    decision = make_meeting(world, decisions=["甲"]).decisions.get()
    body = {"decision": decision.pk, "responsible_unit": world.town.unit.pk, "owner": "张伟", "due_on": "2026-12-20"}
    assert api(world.users.outsider).post(ITEMS, body, format="json").status_code == 400  # unseen decision
    assert api(world.users.reviewer).post(ITEMS, body, format="json").status_code == 403
    response = api(world.users.officer).post(ITEMS, {**body, "responsible_unit": None}, format="json")
    assert response.status_code == 400 and "responsible_unit" in response.json()
    response = api(world.users.officer).post(ITEMS, {**body, "due_on": "2026-13-01"}, format="json")
    assert response.status_code == 400 and "due_on" in response.json()
    assert not ActionItem.objects.exists()


def test_action_item_permissions_and_overdue_filter(world, api):
    late = make_item(world, due_on=datetime.date(2026, 11, 1))
    later = make_item(world, late.decision, unit=world.town2.unit, due_on=datetime.date(2099, 1, 1))
    url = f"{ITEMS}{late.pk}/"
    assert api(world.users.outsider).get(url).status_code == 404
    assert api(world.users.outsider).post(f"{url}progress/", {"note": "x"}, format="json").status_code == 404
    assert api(world.users.office_coord).post(f"{url}progress/", {"note": "x"}, format="json").status_code == 403
    assert api(world.users.leader).post(f"{url}progress/", {"note": "x"}, format="json").status_code == 403
    assert api(world.users.officer).post(f"{url}verify/", {}, format="json").status_code == 403
    overdue = api(world.users.office_coord).get(ITEMS, {"overdue": "true"}).json()["results"]
    assert [i["id"] for i in overdue] == [late.pk] and overdue[0]["overdue"] is True
    units = api(world.users.leader).get(ITEMS, {"responsible_unit": world.town2.unit.pk}).json()["results"]
    assert [i["id"] for i in units] == [later.pk]
    assert api(world.users.outsider).get(ITEMS).json()["count"] == 0


def test_action_item_list_query_count(world, api):
    client = api(world.users.office_coord)
    make_item(world)
    with CaptureQueriesContext(connection) as small:
        client.get(ITEMS)
    meeting = make_meeting(world, decisions=[f"决定{n}" for n in range(8)])
    for decision in meeting.decisions.all():
        make_item(world, decision)
    with CaptureQueriesContext(connection) as large:
        assert client.get(ITEMS).json()["count"] == 9
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Cadence ----------------------------------------------------------------------------------------


def test_cadence_api_returns_cells_scoped_to_the_callers_units(world, api):
    CadenceRule.objects.exclude(kind__in=["joint_conference", "district_regular"]).delete()
    make_meeting(world, held_on=datetime.date(2026, 3, 10))
    rows = api(world.users.office_coord).get("/api/v1/cadence/", {"year": 2026}).json()
    assert len(rows) == 4 + 2 * 12
    march = next(r for r in rows if r["org_unit"] == world.dongli.pk and r["period"] == "2026-03")
    assert {
        k: march[k] for k in ("kind", "required_min", "required_max", "held", "state", "period_start", "period_end")
    } == {
        "kind": "district_regular",
        "required_min": 1,
        "required_max": None,
        "held": 1,
        "state": "ok",
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
    }
    assert {r["state"] for r in rows} <= {"ok", "short", "over", "pending"}
    own = api(world.users.officer).get("/api/v1/cadence/", {"year": 2026}).json()
    assert {r["org_unit"] for r in own} == {world.dongli.pk}
    assert api(world.users.liaison).get("/api/v1/cadence/", {"year": 2026}).json() == []
    assert api(world.users.officer).get("/api/v1/cadence/", {"year": "x"}).status_code == 400


# --- Plans ------------------------------------------------------------------------------------------


def test_plan_loop_over_the_api_keeps_both_versions(world, api):
    response = api(world.users.officer).post(
        PLANS,
        {"org_unit": world.town.unit.pk, "kind": "cultivation", "title": "华明小镇培育方案", **PLAN_CONTENT,
         "sub_items": [{"name": "产业园二期", "responsible_unit": "区工业和信息化局"}]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    plan = response.json()
    assert (plan["status"], plan["current_version"]) == ("submitted", 1)
    url = f"{PLANS}{plan['id']}/"
    assert api(world.users.office_planning).post(f"{url}return/", {"comments": ""}, format="json").status_code == 400
    response = api(world.users.office_planning).post(f"{url}return/", {"comments": "补充点位"}, format="json")
    assert response.json()["status"] == "returned"
    response = api(world.users.officer).post(
        f"{url}resubmit/",
        {**PLAN_CONTENT, "sites": "增加东区", "sub_items": [{"name": "产业园二期", "responsible_unit": "区工信局"}]},
        format="json",
    )
    assert (response.json()["status"], response.json()["current_version"]) == ("submitted", 2)
    response = api(world.users.office_planning).post(f"{url}approve/", {"comments": "同意"}, format="json")
    body = response.json()
    assert body["status"] == "approved"
    assert [(v["number"], v["review"], v["sites"]) for v in body["versions"]] == [
        (1, "returned", PLAN_CONTENT["sites"]),
        (2, "approved", "增加东区"),
    ]
    assert body["versions"][0]["review_comments"] == "补充点位"
    assert api(world.users.office_planning).post(f"{url}approve/", {}, format="json").status_code == 409


def test_plan_permissions(world, api):
    plan = make_plan(world)
    url = f"{PLANS}{plan.pk}/"
    assert api(world.users.outsider).get(url).status_code == 404
    assert api(world.users.outsider).post(f"{url}approve/", {}, format="json").status_code == 404
    assert api(world.users.office_coord).post(f"{url}approve/", {}, format="json").status_code == 403
    assert api(world.users.leader).post(f"{url}return/", {"comments": "x"}, format="json").status_code == 403
    body = {"org_unit": world.outsider_town.unit.pk, "kind": "development", "title": "x", **PLAN_CONTENT}
    assert api(world.users.officer).post(PLANS, body, format="json").status_code == 400
    assert (
        api(world.users.reviewer).post(PLANS, {**body, "org_unit": world.town.unit.pk}, format="json").status_code
        == 403
    )
    assert Plan.objects.count() == 1


def test_plan_list_query_count(world, api):
    client = api(world.users.leader)
    plan = make_plan(world)
    with CaptureQueriesContext(connection) as small:
        client.get(PLANS)
    org.plan_return(actor=world.users.office_planning, plan=plan, comments="改")
    org.plan_resubmit(actor=world.users.officer, plan=plan, content=PLAN_CONTENT)
    for _n in range(5):
        make_plan(world, kind="cultivation", sub_items=[{"name": "分项", "responsible_unit": "区农委"}])
    with CaptureQueriesContext(connection) as large:
        assert client.get(PLANS).json()["count"] == 6
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_schema_documents_the_new_paths(api):
    body = api().get("/api/schema/").content.decode()
    for path in ("/api/v1/meetings/", "/api/v1/action-items/{id}/progress/", "/api/v1/action-items/{id}/verify/",
                 "/api/v1/cadence/", "/api/v1/plans/{id}/return/"):  # fmt: skip
        assert path in body
