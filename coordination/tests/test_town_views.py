"""Town pages: the list, creation, a town's page, edits, a lifecycle step and annual list decisions; the
group that owns towns by routing manages them, everybody else who sees a town reads it."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from coordination import services as org
from coordination.models import OrgUnit, SubmissionKind, Town, TownListDecision, TownStatus, TownStatusChange

from .factories import more_towns, new_town_form, town_step

S = TownStatus


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def new_town_page_form(world, **overrides):
    every_attribute = {"planning_area_km2": "3.20", "construction_land_mu": "1500", "batch": "3", "creation_subject": "金桥新城管委会", "chief_leader": "张三", "leader_in_charge": "李四"}  # fmt: skip
    return new_town_form(world, **every_attribute) | overrides


def test_town_list_shows_the_towns_the_user_sees_with_counts_per_status(world):
    response = client_for(world.users.officer).get(reverse("town-list"))
    assert response.status_code == 200
    names = [town.name for town in response.context["page"].object_list]
    assert names == ["华明智能制造小镇", "东丽湖温泉小镇"]  # not xiqing's
    counts = {status: n for status, _label, n in response.context["status_counts"]}
    assert counts[S.CREATING] == 2
    assert not response.context["can_manage"]


def test_town_list_filters_by_status_and_searches_by_name_or_code(world):
    town_step(world.town2, S.WARNED, "考核", datetime.date(2026, 11, 1))
    client = client_for(world.users.office_assess)
    warned = client.get(reverse("town-list"), {"status": S.WARNED})
    assert [t.pk for t in warned.context["page"].object_list] == [world.town2.pk]
    found = client.get(reverse("town-list"), {"q": "T0201"})
    assert [t.pk for t in found.context["page"].object_list] == [world.outsider_town.pk]
    assert found.context["can_manage"]


def test_town_list_runs_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    more_towns(world.xiqing, range(25), code="T09", name="新小镇", reporting_from=datetime.date(2026, 1, 1))
    client = client_for(world.users.office_assess)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("town-list"), {"page": 2})
    assert response.status_code == 200 and len(response.context["page"].object_list) == 8


def test_assess_group_creates_a_town_with_every_attribute(world):
    response = client_for(world.users.office_assess).post(reverse("town-create"), new_town_page_form(world))
    town = Town.objects.select_related("unit").get(unit__code="T0103")
    assert response.status_code == 302 and response["Location"] == reverse("town-detail", args=[town.pk])
    assert (town.name, town.district, town.status, town.level) == (
        "金桥新城小镇", world.dongli, S.CULTIVATING, Town.Level.MUNICIPAL_CULTIVATED,
    )  # fmt: skip
    assert (town.reporting_from, town.chief_leader, str(town.planning_area_km2)) == (
        datetime.date(2026, 12, 1), "张三", "3.20",
    )  # fmt: skip
    assert town.status_changes.get().document_no == "津特镇办〔2026〕2号"


def test_the_date_of_the_list_decision_is_recorded_with_a_new_town(world):
    form = new_town_page_form(world) | {"decided_on": "2026-11-18"}
    assert client_for(world.users.office_assess).post(reverse("town-create"), form).status_code == 302
    first = Town.objects.get(unit__code="T0103").status_changes.get()
    assert first.decided_on == datetime.date(2026, 11, 18)  # not the first day of its first month


def test_a_code_in_use_is_a_form_error_and_nothing_is_saved(world):
    response = client_for(world.users.office_assess).post(
        reverse("town-create"), new_town_page_form(world, code="T0101")
    )
    assert response.status_code == 200
    assert "已被使用" in response.context["form"].errors["code"][0]
    assert not OrgUnit.objects.filter(name="金桥新城小镇").exists()


def test_officer_cannot_create_a_town(world):
    assert client_for(world.users.officer).get(reverse("town-create")).status_code == 403
    response = client_for(world.users.officer).post(reverse("town-create"), new_town_page_form(world))
    assert response.status_code == 403
    assert not Town.objects.filter(unit__code="T0103").exists()


def test_routing_towns_to_the_coordination_group_moves_the_permission(world):
    org.submission_route_set(actor=None, kind=SubmissionKind.TOWNS, working_group=world.groups["coord"])
    coord, assess = client_for(world.users.office_coord), client_for(world.users.office_assess)
    assert coord.get(reverse("town-create")).status_code == 200
    assert coord.post(reverse("town-create"), new_town_page_form(world)).status_code == 302
    assert assess.get(reverse("town-create")).status_code == 403
    assert assess.get(reverse("town-status", args=[world.town.pk])).status_code == 403


def test_town_page_shows_history_with_decisions_and_renames(world):
    org.town_update(actor=world.users.office_assess, town=world.town, name="华明智能装备小镇", reason="更名批复")
    decision = {"actor": world.users.office_assess, "document_no": "津特镇办〔2026〕5号"}
    town_step(world.town, S.NAMED, "验收合格", datetime.date(2026, 10, 8), **decision)
    response = client_for(world.users.officer).get(reverse("town-detail", args=[world.town.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "津特镇办〔2026〕5号" in body and "2026年10月8日" in body
    assert "华明智能制造小镇" in body and "更名批复" in body
    assert reverse("town-status", args=[world.town.pk]) not in body  # the officer reads, does not act


def test_outsider_gets_404_and_a_viewer_403_on_each_action(world):
    outsider, officer = client_for(world.users.outsider), client_for(world.users.officer)
    for name in ("town-detail", "town-edit", "town-status"):
        assert outsider.get(reverse(name, args=[world.town.pk])).status_code == 404
    for name in ("town-edit", "town-status"):
        assert officer.get(reverse(name, args=[world.town.pk])).status_code == 403
    assert officer.get(reverse("town-list-decision")).status_code == 403


def test_edit_renames_with_history_and_a_reason(world):
    client = client_for(world.users.office_assess)
    form = {
        "name": "华明智能装备小镇",
        "host_township": "华明街道",
        "lead_industry": "智能装备",
        "level": "municipal",
        "batch": "1",
    }
    missing_reason = client.post(reverse("town-edit", args=[world.town.pk]), form)
    assert missing_reason.status_code == 200 and "reason" in missing_reason.context["form"].errors
    response = client.post(reverse("town-edit", args=[world.town.pk]), {**form, "reason": "区政府批复更名"})
    assert response.status_code == 302
    world.town.unit.refresh_from_db()
    assert world.town.unit.name == "华明智能装备小镇"
    assert world.town.unit.name_changes.get().old_name == "华明智能制造小镇"


def test_status_page_offers_only_the_steps_allowed_now(world):
    response = client_for(world.users.office_assess).get(reverse("town-status", args=[world.town.pk]))
    offered = [value for value, _label in response.context["form"].fields["status"].choices]
    assert offered == [S.NAMED, S.WARNED, S.DOWNGRADED, S.EXITED]
    assert "confirm-status" in response.content.decode()  # behind a confirmation


def test_a_lifecycle_step_on_the_page_records_the_decision_and_downgrades_the_level(world):
    response = client_for(world.users.office_assess).post(
        reverse("town-status", args=[world.town.pk]),
        {"status": S.DOWNGRADED, "decided_on": "2026-11-02", "document_no": "津特镇办〔2026〕9号", "batch": "",
         "reason": "连续两年未完成年度计划"},
    )  # fmt: skip
    assert response.status_code == 302
    world.town.refresh_from_db()
    assert (world.town.status, world.town.level) == (S.DOWNGRADED, Town.Level.MUNICIPAL_CULTIVATED)
    change = world.town.status_changes.last()
    assert (change.document_no, change.actor) == ("津特镇办〔2026〕9号", world.users.office_assess)


def test_a_step_not_offered_is_a_form_error(world):
    response = client_for(world.users.office_assess).post(
        reverse("town-status", args=[world.town.pk]),
        {"status": S.RESERVE, "decided_on": "2026-11-02", "document_no": "x", "reason": "x"},
    )
    assert response.status_code == 200 and "status" in response.context["form"].errors
    assert world.town.status_changes.count() == 1


@pytest.fixture
def decision_form(world):
    return {"title": "2026年度市级特色小镇名单", "kind": "adjustment", "document_no": "津特镇办〔2026〕10号",
            "decided_on": "2026-11-02", "batch": "", "reason": ""}  # fmt: skip


def test_list_decision_on_the_page_changes_the_chosen_towns(world, decision_form):
    client = client_for(world.users.office_assess)
    page = client.get(reverse("town-list-decision"))
    assert page.status_code == 200 and "confirm-decision" in page.content.decode()
    data = {**decision_form, f"status_{world.town.pk}": S.NAMED, f"status_{world.outsider_town.pk}": S.WARNED}
    response = client.post(reverse("town-list-decision"), data)
    assert response.status_code == 302 and response["Location"] == reverse("town-list-decisions")
    decision = TownListDecision.objects.get()
    assert set(decision.changes.values_list("town", "to_status")) == {
        (world.town.pk, S.NAMED), (world.outsider_town.pk, S.WARNED),
    }  # fmt: skip
    world.town2.refresh_from_db()
    assert world.town2.status == S.CREATING  # left 不变
    listing = client_for(world.users.officer).get(reverse("town-list-decisions"))
    assert "2026年度市级特色小镇名单" in listing.content.decode()
    assert [c.town_id for c in listing.context["page"].object_list[0].changes.all()] == [world.town.pk]  # its own only


def test_list_decision_with_one_bad_town_saves_nothing_and_names_it(world, decision_form):
    before = TownStatusChange.objects.count()
    data = {**decision_form, f"status_{world.town.pk}": S.NAMED, f"status_{world.town2.pk}": S.RESERVE}
    response = client_for(world.users.office_assess).post(reverse("town-list-decision"), data)
    assert response.status_code == 200
    assert "东丽湖温泉小镇：小镇状态不能从“创建”变更为“储备”。" in response.content.decode()
    assert TownStatusChange.objects.count() == before and not TownListDecision.objects.exists()


def test_list_decisions_page_runs_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    for n in range(6):
        org.town_list_decide(
            actor=world.users.office_assess,
            title=f"名单调整{n}",
            document_no=f"津特镇办〔2026〕{n}号",
            decided_on=datetime.date(2026, 11, 1),
            entries=[
                (world.town, S.WARNED if n % 2 == 0 else S.CREATING),
                (world.outsider_town, S.WARNED if n % 2 == 0 else S.CREATING),
            ],
        )
    client = client_for(world.users.office_assess)
    with django_assert_max_num_queries(12):  # with the navigation bar's 待我处理 (tianjin_towns.inbox)
        response = client.get(reverse("town-list-decisions"))
    assert response.status_code == 200 and len(response.context["page"].object_list) == 6
