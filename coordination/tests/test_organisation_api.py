"""/api/v1/member-units/ (API.md): `id, name, short_name, leader, division, active`; every signed-in caller
reads, MANAGE_ORGANISATION holders add and change (403 for others)."""

import pytest
from django.urls import reverse

from coordination import services as org
from coordination.models import MemberUnit, MemberUnitEvent

pytestmark = pytest.mark.django_db

LIST = reverse("api-member-unit-list")


@pytest.fixture
def sysadmin(world):
    """The world's 系统管理员 (the administrator role, not a superuser)."""
    return world.users.sysadmin


def _detail(unit) -> str:
    return reverse("api-member-unit-detail", args=[unit.pk])


@pytest.mark.parametrize("persona", ["officer", "outsider", "office_coord", "leader", "liaison"])
def test_every_signed_in_user_reads_the_member_units(api, world, persona):
    response = api(getattr(world.users, persona)).get(LIST)
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": MemberUnit.objects.get().pk,
            "name": "市统计局",
            "short_name": "",
            "leader": "",
            "division": "",
            "active": True,
        }
    ]


def test_anonymous_callers_are_refused(api, world):
    assert api().get(LIST).status_code in (401, 403)


def test_administrator_adds_a_fourteenth_member_unit(api, world, sysadmin):
    response = api(sysadmin).post(
        LIST,
        {"name": "市税务局", "short_name": "税务局", "leader": "王局长", "division": "收入规划核算处"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "市税务局" and body["leader"] == "王局长" and body["active"] is True
    assert MemberUnit.objects.get(pk=body["id"]).counterpart_division == "收入规划核算处"


def test_a_duplicate_name_is_a_400_naming_the_field(api, world, sysadmin):
    response = api(sysadmin).post(LIST, {"name": "市统计局"}, format="json")
    assert response.status_code == 400 and "name" in response.json()
    assert MemberUnit.objects.count() == 1


def test_patch_renames_with_history_and_retires(api, world, sysadmin):
    stats = MemberUnit.objects.get(code="statistics")
    response = api(sysadmin).patch(_detail(stats), {"name": "市统计调查局", "active": False}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "市统计调查局" and response.json()["active"] is False
    assert set(stats.events.values_list("action", flat=True)) == {
        MemberUnitEvent.Action.RENAMED,
        MemberUnitEvent.Action.RETIRED,
    }
    assert api(sysadmin).get(LIST + "?active=true").json()["count"] == 0
    assert api(sysadmin).get(LIST + "?active=false").json()["count"] == 1


@pytest.mark.parametrize("persona", ["officer", "office_coord", "office_policy", "leader", "liaison"])
def test_others_get_403_on_adding_or_changing(api, world, persona):
    stats = MemberUnit.objects.get(code="statistics")
    client = api(getattr(world.users, persona))
    assert client.post(LIST, {"name": "市税务局"}, format="json").status_code == 403
    assert client.patch(_detail(stats), {"active": False}, format="json").status_code == 403
    stats.refresh_from_db()
    assert stats.active and MemberUnit.objects.count() == 1


def test_an_unknown_member_unit_is_404(api, world, sysadmin):
    assert api(sysadmin).patch(reverse("api-member-unit-detail", args=[99999]), {}, format="json").status_code == 404
    assert api(world.users.outsider).get(reverse("api-member-unit-detail", args=[99999])).status_code == 404


def test_the_list_queries_do_not_grow_with_the_units(api, world, sysadmin, django_assert_max_num_queries):
    for i in range(20):
        org.member_unit_create(actor=sysadmin, name=f"成员单位{i}")
    client = api(world.users.officer)
    with django_assert_max_num_queries(4):
        assert client.get(LIST).status_code == 200
