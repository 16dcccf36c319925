"""A new installation: the notice's reference data (`manage.py load_reference`) and, after an upgrade,
every user's grants brought up to date (`manage.py sync_grants`)."""

import io

from django.core.management import call_command
from guardian.shortcuts import remove_perm

from coordination import permissions as perms
from coordination.models import MemberUnit, OrgUnit, WorkingGroup
from coordination.services.reference import reference_data_load


def test_load_reference_gives_an_empty_database_the_notices_districts_groups_and_member_units(db):
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    assert OrgUnit.objects.filter(level=OrgUnit.Level.MUNICIPAL).get().name == "天津市"
    districts = OrgUnit.objects.filter(level=OrgUnit.Level.DISTRICT)
    assert districts.count() == 10 and {d.parent.name for d in districts} == {"天津市"}
    assert set(WorkingGroup.objects.values_list("name", flat=True)) == {
        "创建考核组",
        "规划编制组",
        "协调推动组",
        "综合政策组",
    }
    assert MemberUnit.objects.count() == 17
    assert "新建组织单位 11 个" in out.getvalue()


def test_load_reference_twice_adds_nothing_and_keeps_what_the_office_renamed(db):
    reference_data_load()
    stats = MemberUnit.objects.get(code="statistics")
    stats.name = "市统计局（更名）"
    stats.save()
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    assert MemberUnit.objects.count() == 17 and OrgUnit.objects.count() == 11
    assert MemberUnit.objects.get(code="statistics").name == "市统计局（更名）"
    assert "新建组织单位 0 个、工作组 0 个、成员单位 0 个" in out.getvalue()


def test_sync_grants_gives_existing_users_what_their_role_gives_today(world):
    # As after an upgrade that added 维护重点项目台账 to the officer's role: the grant is not there yet.
    remove_perm(f"coordination.{perms.MANAGE_PROJECTS}", world.users.officer, world.dongli)
    perms.forget_unit_grants()
    assert not perms.user_has_unit_perm(world.users.officer, world.town.pk, perms.MANAGE_PROJECTS)
    events_before = world.users.officer.role_events.count()
    call_command("sync_grants", stdout=io.StringIO())
    assert perms.user_has_unit_perm(world.users.officer, world.town.pk, perms.MANAGE_PROJECTS)
    assert not perms.user_has_unit_perm(world.users.officer, world.outsider_town.pk, perms.MANAGE_PROJECTS)
    assert world.users.officer.role_events.count() == events_before  # role and unit unchanged: no history
