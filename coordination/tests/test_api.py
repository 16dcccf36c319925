"""API v1: token login, org units and towns, scoped by the permission door; the schema generates."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from conftest import PASSWORD
from coordination.tests.factories import more_towns
from tianjin_towns.lib.api import SchemaView

TOKEN_URL = "/api/v1/auth/token/"


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_token_login_then_token_authenticates_later_calls(world):
    response = APIClient().post(TOKEN_URL, {"username": "dongli-officer", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    towns = client.get("/api/v1/towns/")
    assert towns.status_code == 200
    assert ids(towns) == {world.town.pk, world.town2.pk}


def test_each_login_gets_a_new_token_and_the_first_still_works(world):
    body = {"username": "dongli-officer", "password": PASSWORD}
    first = APIClient().post(TOKEN_URL, body, format="json").json()["token"]
    second = APIClient().post(TOKEN_URL, body, format="json").json()["token"]
    assert second != first
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.get("/api/v1/towns/").status_code == 200


def test_wrong_password_is_400_with_chinese_message(world):
    response = APIClient().post(TOKEN_URL, {"username": "dongli-officer", "password": "wrong-one"}, format="json")
    assert response.status_code == 400
    assert "用户名或密码不正确" in str(response.json())
    assert "token" not in response.json()


def test_inactive_user_gets_no_token(world):
    world.users.officer.is_active = False
    world.users.officer.save()
    response = APIClient().post(TOKEN_URL, {"username": "dongli-officer", "password": PASSWORD}, format="json")
    assert response.status_code == 400


def test_anonymous_call_is_401():
    assert APIClient().get("/api/v1/towns/").status_code == 401


def test_bad_token_is_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/towns/").status_code == 401


# --- Org units --------------------------------------------------------------------------------


def test_district_officer_sees_own_district_and_its_towns_only(world, api):
    response = api(world.users.officer).get("/api/v1/org-units/")
    assert response.status_code == 200
    assert ids(response) == {world.dongli.pk, world.town.pk, world.town2.pk}
    row = next(r for r in response.json()["results"] if r["id"] == world.town.pk)
    assert row == {
        "id": world.town.pk,
        "code": "T0101",
        "name": "华明智能制造小镇",
        "level": "town",
        "parent": world.dongli.pk,
    }


def test_org_units_filter_by_level(world, api):
    response = api(world.users.office_coord).get("/api/v1/org-units/", {"level": "district"})
    assert ids(response) == {world.dongli.pk, world.xiqing.pk}
    municipal = api(world.users.leader).get("/api/v1/org-units/", {"level": "municipal"})
    assert ids(municipal) == {world.city.pk}


def test_org_units_unknown_level_is_400(world, api):
    response = api(world.users.office_coord).get("/api/v1/org-units/", {"level": "province"})
    assert response.status_code == 400
    assert "level" in response.json()


def test_org_units_list_is_paginated(world, api):
    body = api(world.users.leader).get("/api/v1/org-units/").json()
    assert body["count"] == 6
    assert {"next", "previous", "results"} <= set(body)


def test_org_unit_outside_scope_is_404(world, api):
    assert api(world.users.officer).get(f"/api/v1/org-units/{world.xiqing.pk}/").status_code == 404
    assert api(world.users.officer).get(f"/api/v1/org-units/{world.dongli.pk}/").status_code == 200


def test_liaison_without_unit_grants_sees_no_org_units(world, api):
    assert api(world.users.liaison).get("/api/v1/org-units/").json()["count"] == 0


# --- Towns ------------------------------------------------------------------------------------


def test_town_list_contains_only_towns_in_scope(world, api):
    assert ids(api(world.users.outsider).get("/api/v1/towns/")) == {world.outsider_town.pk}
    assert ids(api(world.users.leader).get("/api/v1/towns/")) == {
        world.town.pk,
        world.town2.pk,
        world.outsider_town.pk,
    }


def test_town_list_filters_by_district(world, api):
    response = api(world.users.leader).get("/api/v1/towns/", {"district": world.xiqing.pk})
    assert ids(response) == {world.outsider_town.pk}


def test_town_list_bad_district_filter_is_400(world, api):
    assert api(world.users.leader).get("/api/v1/towns/", {"district": "abc"}).status_code == 400


def test_town_detail_fields(world, api):
    response = api(world.users.officer).get(f"/api/v1/towns/{world.town.pk}/")
    assert response.status_code == 200
    town = response.json()
    assert town["id"] == world.town.unit_id
    assert town["code"] == "T0101"
    assert town["name"] == "华明智能制造小镇"
    assert town["district"] == world.dongli.pk
    assert town["district_name"] == "东丽区"
    assert town["status"] == "creating"
    assert town["lead_industry"] == "智能制造"
    assert town["host_township"] == "华明街"
    # The fields the schema documents for a town, and no other.
    documented = SchemaGenerator().get_schema(public=True)["components"]["schemas"]["Town"]["properties"]
    assert set(town) == set(documented)


def test_town_outside_scope_is_404(world, api):
    assert api(world.users.outsider).get(f"/api/v1/towns/{world.town.pk}/").status_code == 404


def test_town_list_query_count_does_not_grow_with_towns(world, api, django_assert_max_num_queries):
    client = api(world.users.leader)
    with django_assert_max_num_queries(20) as small:
        client.get("/api/v1/towns/")
    more_towns(world.xiqing, range(10), code="T09")
    with django_assert_max_num_queries(20) as large:
        response = client.get("/api/v1/towns/")
    assert response.json()["count"] == 13
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Schema -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_openapi_schema_generates():
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    for path in ("/api/v1/auth/token/", "/api/v1/monthly-reports/{id}/return/", "/api/v1/ledgers/export/"):
        assert path in body


@pytest.mark.django_db
def test_the_schema_is_generated_once_in_chinese_whatever_language_the_client_asks_for():
    SchemaView.generated.clear()
    accept = {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"}
    chinese = APIClient().get("/api/schema/", HTTP_ACCEPT_LANGUAGE="zh-hans", **accept)
    english = APIClient().get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en", **accept)
    assert len(SchemaView.generated) == 1
    assert chinese.content == english.content
    assert chinese.json() == SchemaGenerator().get_schema(request=None, public=True)
    assert "月报" in english.content.decode()  # the descriptions a client reads are Chinese


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/monthly-reports/{id}/history/",
        "/api/v1/action-items/{id}/history/",
        "/api/v1/problems/{id}/history/",
        "/api/v1/towns/{id}/status-history/",
        "/api/v1/assessments/{id}/results/",
    ],
)
def test_an_objects_own_list_is_documented_as_the_plain_array_it_answers(path):
    operation = SchemaGenerator().get_schema(request=None, public=True)["paths"][path]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert "page" not in {parameter["name"] for parameter in operation.get("parameters", [])}
