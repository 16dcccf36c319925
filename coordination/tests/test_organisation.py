"""The organisation's master data kept in the product (R-1.1, R-1.4, R-1.5, R-1.7): member units added,
renamed and retired with their history, org units renamed through the one service, routing moving the
permission to do a kind of work, and the access checks reading permissions rather than role names."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from coordination import permissions as perms
from coordination import selectors
from coordination import services as org
from coordination.models import MemberUnit, MemberUnitEvent, Role, SubmissionKind, SubmissionRouteChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin(world):
    """A 系统管理员 (the administrator role, not a superuser)."""
    assert world.users.sysadmin.profile.role == Role.ADMIN and not world.users.sysadmin.is_superuser
    return world.users.sysadmin


def test_a_fourteenth_member_unit_is_added_at_the_end_with_its_leader_and_division(world, sysadmin):
    for i in range(12):
        MemberUnit.objects.create(code=f"m{i}", name=f"成员单位{i}", order=i + 1)
    unit = org.member_unit_create(
        actor=sysadmin,
        name="市税务局",
        short_name="税务局",
        responsible_leader="王局长",
        counterpart_division="收入规划核算处",
    )
    assert MemberUnit.objects.count() == 14
    assert unit.active and unit.code.startswith("unit-")
    assert unit.order == MemberUnit.objects.exclude(pk=unit.pk).order_by("-order").first().order + 1
    event = unit.events.get()
    assert event.action == MemberUnitEvent.Action.CREATED and event.actor == sysadmin
    assert event.changes["name"] == [None, "市税务局"]


def test_a_member_unit_with_an_existing_name_or_no_name_is_refused_and_nothing_saved(world, sysadmin):
    with pytest.raises(ValidationError) as error:
        org.member_unit_create(actor=sysadmin, name="市统计局")
    assert "name" in error.value.message_dict
    with pytest.raises(ValidationError):
        org.member_unit_create(actor=sysadmin, name="  ")
    assert MemberUnit.objects.count() == 1 and not MemberUnitEvent.objects.exists()


def test_renaming_a_member_unit_keeps_the_old_name_in_its_history(world, sysadmin):
    unit = org.member_unit_create(actor=sysadmin, name="市地税局")
    org.member_unit_update(actor=sysadmin, member_unit=unit, name="市税务局", note="国地税合并")
    unit.refresh_from_db()
    assert unit.name == "市税务局"
    rename = unit.events.get(action=MemberUnitEvent.Action.RENAMED)
    assert rename.changes == {"name": ["市地税局", "市税务局"]} and rename.note == "国地税合并"


def test_changing_the_leader_only_is_an_update_and_saving_unchanged_writes_nothing(world, sysadmin):
    unit = MemberUnit.objects.get(code="statistics")
    org.member_unit_update(actor=sysadmin, member_unit=unit, responsible_leader="李副局长")
    org.member_unit_update(actor=sysadmin, member_unit=unit, responsible_leader="李副局长", name="市统计局")
    assert list(unit.events.values_list("action", flat=True)) == [MemberUnitEvent.Action.UPDATED]


def test_a_retired_member_unit_is_no_longer_offered_but_keeps_its_liaisons_and_can_come_back(world, sysadmin):
    stats = MemberUnit.objects.get(code="statistics")
    tax = org.member_unit_create(actor=sysadmin, name="市税务局")
    org.member_unit_retire(actor=sysadmin, member_unit=stats, note="机构改革")
    assert list(selectors.member_units_offered()) == [tax]
    assert stats in selectors.member_units_offered(keep=[stats.pk])  # an old meeting keeps showing it
    assert world.users.liaison.profile.member_unit == stats
    with pytest.raises(ValidationError):
        org.member_unit_retire(actor=sysadmin, member_unit=stats)
    org.member_unit_reactivate(actor=sysadmin, member_unit=stats)
    assert stats in selectors.member_units_offered()
    assert [e.action for e in stats.events.order_by("at", "pk")] == ["retired", "reactivated"]


def test_a_member_unit_added_as_retired_has_both_steps_in_its_history(world, sysadmin):
    unit = org.member_unit_create(actor=sysadmin, name="市税务局", active=False)
    assert not unit.active and not MemberUnit.objects.get(pk=unit.pk).active
    assert [e.action for e in unit.events.order_by("at", "pk")] == ["created", "retired"]


def test_a_failed_retirement_stores_neither_the_new_unit_nor_the_edit(world, sysadmin, monkeypatch):
    stats = MemberUnit.objects.get(code="statistics")

    def refuse(*args, **kwargs):
        raise RuntimeError("retirement failed")

    monkeypatch.setattr("coordination.services.organisation._set_active", refuse)
    with pytest.raises(RuntimeError):
        org.member_unit_create(actor=sysadmin, name="市税务局", active=False)
    with pytest.raises(RuntimeError):
        org.member_unit_update(actor=sysadmin, member_unit=stats, name="市统计局（新）", active=False)
    stats.refresh_from_db()
    assert MemberUnit.objects.count() == 1 and stats.name == "市统计局" and stats.active
    assert not MemberUnitEvent.objects.exists()


def test_an_update_retires_or_restores_the_unit_only_when_active_differs(world, sysadmin):
    stats = MemberUnit.objects.get(code="statistics")
    org.member_unit_update(actor=sysadmin, member_unit=stats, responsible_leader="李副局长", active=True)
    org.member_unit_update(actor=sysadmin, member_unit=stats, active=False)
    assert not org.member_unit_update(actor=sysadmin, member_unit=stats, active=False).active
    assert [e.action for e in stats.events.order_by("at", "pk")] == ["updated", "retired"]


def test_an_org_unit_rename_keeps_the_old_name(world, sysadmin):
    org.org_unit_rename(actor=sysadmin, unit=world.dongli, name="东丽新区", changed_on=datetime.date(2026, 11, 1))
    world.dongli.refresh_from_db()
    assert world.dongli.name == "东丽新区"
    change = world.dongli.name_changes.get()
    assert (change.old_name, change.new_name, change.actor) == ("东丽区", "东丽新区", sysadmin)


# --- Routing is the one source of the permission to do a kind of work (R-1.5) -----------------------


def test_routing_assessments_to_the_coordination_group_moves_the_permission(world, sysadmin):
    u = world.users
    assert perms.holds_unit_perm(u.office_assess, perms.MANAGE_ASSESSMENTS)
    change = org.submission_route_change(
        actor=sysadmin, kind=SubmissionKind.ASSESSMENTS, working_group=world.groups["coord"], reason="主任办公会议决定"
    )
    assert (change.from_group, change.to_group) == (world.groups["assess"], world.groups["coord"])
    assert perms.holds_unit_perm(u.office_coord, perms.MANAGE_ASSESSMENTS)
    assert not perms.holds_unit_perm(u.office_assess, perms.MANAGE_ASSESSMENTS)
    assert org.submission_routes()[SubmissionKind.ASSESSMENTS] == "coord"


def test_routing_a_kind_to_the_group_it_already_has_records_nothing(world, sysadmin):
    assert org.submission_route_change(actor=sysadmin, kind="assessments", working_group=world.groups["assess"]) is None
    assert not SubmissionRouteChange.objects.exists()
    with pytest.raises(ValidationError):
        org.submission_route_change(actor=sysadmin, kind="nonsense", working_group=world.groups["assess"])


def test_routing_several_kinds_at_once_records_each_change_in_order(world, sysadmin):
    coord = world.groups["coord"]
    groups = {kind: world.groups[code] for kind, code in org.submission_routes().items()}
    groups.update({SubmissionKind.ASSESSMENTS: coord, SubmissionKind.PLANS: coord})
    changes = org.submission_routes_update(actor=sysadmin, working_groups=groups, reason="主任办公会议决定")
    assert [(c.kind, c.to_group, c.reason) for c in changes] == [
        (SubmissionKind.PLANS, coord, "主任办公会议决定"),
        (SubmissionKind.ASSESSMENTS, coord, "主任办公会议决定"),
    ]
    assert perms.holds_unit_perm(world.users.office_coord, perms.MANAGE_ASSESSMENTS)
    assert org.submission_routes_update(actor=sysadmin, working_groups=groups) == []


def test_a_failed_routing_change_leaves_every_route_as_it_was(world, sysadmin, monkeypatch):
    before = org.submission_routes()
    change_one = org.submission_route_change

    def fail_on_assessments(*, kind, **kwargs):
        if kind == SubmissionKind.ASSESSMENTS:
            raise RuntimeError("routing failed")
        return change_one(kind=kind, **kwargs)

    monkeypatch.setattr("coordination.services.organisation.submission_route_change", fail_on_assessments)
    coord = world.groups["coord"]
    with pytest.raises(RuntimeError):
        org.submission_routes_update(
            actor=sysadmin, working_groups={SubmissionKind.PLANS: coord, SubmissionKind.ASSESSMENTS: coord}
        )
    assert org.submission_routes() == before and not SubmissionRouteChange.objects.exists()
    assert perms.works_for_office(world.users.office_planning)
    with pytest.raises(ValidationError):
        org.submission_routes_update(actor=sysadmin, working_groups={"nonsense": coord})


def test_an_office_member_acts_for_the_office_through_routed_work_only(world, sysadmin):
    u = world.users
    assert all(perms.works_for_office(getattr(u, name)) for name in ("office_policy", "office_assess", "office_coord"))
    assert not any(perms.works_for_office(getattr(u, name)) for name in ("officer", "reviewer", "leader", "liaison"))
    assert not perms.works_for_office(sysadmin) and perms.can_audit(sysadmin)
    # Planning loses its only kind of work: its member no longer acts for the office.
    org.submission_route_change(actor=sysadmin, kind=SubmissionKind.PLANS, working_group=world.groups["coord"])
    assert not perms.works_for_office(u.office_planning)


def test_the_administrator_role_manages_the_organisation_and_office_members_do_not(world, sysadmin):
    assert perms.can_manage_organisation(sysadmin) and perms.can_manage_organisation(world.users.admin)
    assert not perms.can_manage_organisation(world.users.office_coord)
    assert not perms.can_manage_organisation(world.users.leader)


def test_permissions_held_are_the_same_inside_and_outside_a_request(world, sysadmin):
    for user in (world.users.officer, world.users.office_coord, world.users.liaison, sysadmin):
        outside = perms.unit_perms_held(user)
        with perms.remembered_unit_grants():
            assert perms.unit_perms_held(user) == outside
