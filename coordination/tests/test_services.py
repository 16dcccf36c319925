"""Towns' lifecycle (R-1.2), renames (R-1.1) and role grants that scope what each person reaches."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from coordination import permissions as perms
from coordination import services as org
from coordination.models import Role, Town, TownStatus

from .factories import town_step


def test_status_change_keeps_dated_history_with_reason(world):
    end_of_june = datetime.date(2026, 6, 30)
    town_step(world.town, TownStatus.NAMED, "2026年度考核优秀，予以命名", end_of_june, actor=world.users.office_assess)
    world.town.refresh_from_db()
    assert world.town.status == TownStatus.NAMED
    history = [(c.from_status, c.to_status, c.reason) for c in world.town.status_changes.all()]
    assert history == [("", "creating", "纳入特色小镇名单"), ("creating", "named", "2026年度考核优秀，予以命名")]


def test_downgrade_from_creating_to_cultivating_via_downgraded(world):
    town_step(world.town, TownStatus.DOWNGRADED, "未完成年度计划", datetime.date(2026, 1, 15))
    town_step(world.town, TownStatus.CULTIVATING, "降为培育", datetime.date(2026, 1, 15))
    world.town.refresh_from_db()
    assert world.town.status == TownStatus.CULTIVATING


def test_status_change_needs_a_reason_and_a_legal_transition(world):
    with pytest.raises(ValidationError) as error:
        town_step(world.town, TownStatus.NAMED, " ", datetime.date.today())
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        town_step(world.town, TownStatus.RESERVE, "x", datetime.date.today())
    assert "不能从“创建”变更为“储备”" in error.value.message_dict["status"][0]
    world.town.refresh_from_db()
    assert world.town.status == TownStatus.CREATING
    assert world.town.status_changes.count() == 1


def test_exited_town_is_not_expected_to_report_after_exit_nor_before_joining(world):
    town_step(world.town, TownStatus.EXITED, "连续两年考核不合格", datetime.date(2026, 5, 20))
    world.town.refresh_from_db()
    assert world.town.expects_report(datetime.date(2026, 4, 1))
    assert not world.town.expects_report(datetime.date(2026, 5, 1))
    assert not world.town.expects_report(datetime.date(2026, 9, 1))
    assert not world.town.expects_report(datetime.date(2023, 12, 1))
    with pytest.raises(ValidationError):
        town_step(world.town, TownStatus.CREATING, "x", datetime.date.today())


def test_rename_keeps_the_old_name(world):
    org.org_unit_rename(actor=None, unit=world.town.unit, name="华明智能装备小镇", changed_on=datetime.date(2026, 3, 1))
    world.town.unit.refresh_from_db()
    assert world.town.name == "华明智能装备小镇"
    assert list(world.town.unit.name_changes.values_list("old_name", "new_name")) == [
        ("华明智能制造小镇", "华明智能装备小镇")
    ]


def test_district_officer_reaches_own_district_and_its_towns_only(world):
    units = set(perms.org_units_for_user(world.users.officer))
    assert units == {world.dongli, world.town.unit, world.town2.unit}
    assert set(perms.towns_for_user(world.users.officer, perms.FILL)) == {world.town, world.town2}
    assert not perms.towns_for_user(world.users.officer, perms.APPROVE).exists()


def test_office_and_leaders_see_every_town_but_only_policy_group_accepts(world):
    every = {world.town, world.town2, world.outsider_town}
    for user in (world.users.leader, world.users.office_assess, world.users.office_policy):
        assert set(perms.towns_for_user(user)) == every
    assert set(perms.towns_for_user(world.users.office_policy, perms.ACCEPT)) == every
    assert not perms.towns_for_user(world.users.office_assess, perms.ACCEPT).exists()
    assert not perms.towns_for_user(world.users.leader, perms.FILL).exists()


def test_a_liaison_is_granted_only_the_shared_reading_of_accepted_data(world):
    liaison = world.users.liaison
    assert perms.unit_perms_held(liaison) == {perms.VIEW_SHARED}
    assert not perms.towns_for_user(liaison).exists()  # no report in its workflow
    assert perms.reading_towns_for_user(liaison, "figures").count() == Town.objects.count()


def test_reassigning_a_role_removes_the_old_grants(world):
    org.user_assign_role(user=world.users.officer, role=Role.REVIEWER, org_unit=world.xiqing)
    assert not perms.towns_for_user(world.users.officer, perms.FILL).exists()
    assert set(perms.towns_for_user(world.users.officer, perms.APPROVE)) == {world.outsider_town}
    assert list(world.users.officer.groups.values_list("name", flat=True)) == ["reviewer"]


def test_inactive_user_reaches_nothing(world):
    world.users.office_policy.is_active = False
    assert not perms.org_units_for_user(world.users.office_policy).exists()


def test_officer_role_needs_a_district_or_town(world):
    with pytest.raises(ValidationError):
        org.user_assign_role(user=world.users.leader, role=Role.OFFICER, org_unit=world.city)
