"""/api/v1/towns/: creation, edits, lifecycle steps (409 for a step not allowed) and the status history, on
the same services and permissions as the pages."""

from coordination import services as org
from coordination.models import SubmissionKind, Town, TownStatus

from .factories import new_town_form
from .factories import town_step_form as step

S = TownStatus
TOWNS = "/api/v1/towns/"


def new_town(world, **overrides):
    return new_town_form(world, planning_area_km2="3.2", batch=3) | overrides


def test_assess_group_creates_a_town(world, api):
    response = api(world.users.office_assess).post(TOWNS, new_town(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {key: body[key] for key in ("code", "name", "district", "status", "level", "batch")} == {
        "code": "T0103", "name": "金桥新城小镇", "district": world.dongli.pk, "status": "cultivating",
        "level": "municipal_cultivated", "batch": 3,
    }  # fmt: skip
    assert body["planning_area_km2"] == 3.2
    town = Town.objects.get(pk=body["id"])
    assert town.reporting_from.isoformat() == "2026-12-01"
    assert town.status_changes.get().document_no == "津特镇办〔2026〕2号"


def test_get_keeps_the_documented_fields(world, api):
    body = api(world.users.officer).get(f"{TOWNS}{world.town.pk}/").json()
    assert {"id", "code", "name", "district", "status", "lead_industry"} <= set(body)


def test_creating_with_a_code_in_use_is_400_naming_the_field(world, api):
    response = api(world.users.office_assess).post(TOWNS, new_town(world, code="T0101"), format="json")
    assert response.status_code == 400 and "已被使用" in response.json()["code"][0]


def test_officer_gets_403_and_outsider_400_for_a_district_it_cannot_see(world, api):
    assert api(world.users.officer).post(TOWNS, new_town(world), format="json").status_code == 403
    response = api(world.users.outsider).post(TOWNS, new_town(world), format="json")
    assert response.status_code == 400 and "district" in response.json()
    assert not Town.objects.filter(unit__code="T0103").exists()


def test_patch_edits_attributes_and_a_rename_keeps_history(world, api):
    url = f"{TOWNS}{world.town.pk}/"
    client = api(world.users.office_assess)
    response = client.patch(
        url, {"name": "华明智能装备小镇", "reason": "区政府批复", "lead_industry": "智能装备"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["name"], response.json()["lead_industry"]) == ("华明智能装备小镇", "智能装备")
    assert world.town.unit.name_changes.get().old_name == "华明智能制造小镇"
    assert client.patch(url, {"name": "再改名"}, format="json").status_code == 400  # a rename needs a reason


def test_patch_is_404_for_the_outsider_and_403_for_a_viewer(world, api):
    url = f"{TOWNS}{world.town.pk}/"
    assert api(world.users.outsider).patch(url, {"lead_industry": "x"}, format="json").status_code == 404
    assert api(world.users.officer).patch(url, {"lead_industry": "x"}, format="json").status_code == 403


def test_a_lifecycle_step_is_recorded_and_listed_in_the_history(world, api):
    client = api(world.users.office_assess)
    response = client.post(f"{TOWNS}{world.town.pk}/status/", step(), format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["from_status"], response.json()["to_status"]) == ("creating", "named")
    history = api(world.users.officer).get(f"{TOWNS}{world.town.pk}/status-history/").json()
    assert [(h["to_status"], h["document_no"]) for h in history] == [("creating", ""), ("named", "津特镇办〔2026〕9号")]
    assert history[1]["actor"] == "office-assess" and history[1]["decision"] is None


def test_a_wrong_transition_is_409_with_a_chinese_message(world, api):
    response = api(world.users.office_assess).post(
        f"{TOWNS}{world.town.pk}/status/", step(status="reserve"), format="json"
    )
    assert response.status_code == 409
    assert "不能从“创建”变更为“储备”" in response.json()["detail"]
    world.town.refresh_from_db()
    assert world.town.status == S.CREATING


def test_a_step_without_its_document_number_is_400(world, api):
    response = api(world.users.office_assess).post(
        f"{TOWNS}{world.town.pk}/status/", step(document_no=""), format="json"
    )
    assert response.status_code == 400 and "document_no" in response.json()


def test_status_step_is_404_for_the_outsider_and_403_for_a_viewer(world, api):
    url = f"{TOWNS}{world.town.pk}/status/"
    assert api(world.users.outsider).post(url, step(), format="json").status_code == 404
    assert api(world.users.reviewer).post(url, step(), format="json").status_code == 403
    assert api(world.users.outsider).get(f"{TOWNS}{world.town.pk}/status-history/").status_code == 404


def test_after_routing_towns_to_coordination_its_member_manages_them_and_assess_does_not(world, api):
    org.submission_route_set(actor=None, kind=SubmissionKind.TOWNS, working_group=world.groups["coord"])
    assert api(world.users.office_coord).post(TOWNS, new_town(world), format="json").status_code == 201
    assert (
        api(world.users.office_assess).post(f"{TOWNS}{world.town.pk}/status/", step(), format="json").status_code == 403
    )
