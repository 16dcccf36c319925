"""People and roles (R-1.7): accounts, one-time passwords, transfers, deactivation, the import and the audit."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from openpyxl import load_workbook

from coordination import people_imports
from coordination import people_permissions as people_perms
from coordination import permissions as perms
from coordination import services as org
from coordination.models import ApiToken, Role, UserRoleEvent
from coordination.services.tokens import api_token_issue

Action = UserRoleEvent.Action


def latest_event(user) -> UserRoleEvent:
    return UserRoleEvent.objects.filter(user=user).exclude(action=Action.CREATED).get()


def sheet_with(rows: list[list]) -> bytes:
    """The downloadable template with `rows` (one person each) filled in from row 4."""
    data = people_imports.template_workbook(units=[], groups=[], member_units=[])
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[people_imports.SHEET_NAME]
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=people_imports.FIRST_DATA_ROW + offset, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def officer_row(i: int, district: str = "东丽区") -> list:
    return [f"信息员{i}", f"officer-{i}", f"1380000{i:04d}", f"officer{i}@example.com", "信息员", district, "", ""]


# --- Creating accounts -----------------------------------------------------------------------------


def test_user_created_without_password_gets_one_time_password_to_change(world):
    user = org.user_create(
        actor=world.users.admin, username="zhang-san", full_name="张三", phone="13800001111",
        email="zs@example.com", role=Role.OFFICER, org_unit=world.dongli,
    )  # fmt: skip
    assert user.one_time_password and len(user.one_time_password) >= 12
    assert user.check_password(user.one_time_password)
    assert user.profile.must_change_password
    assert (user.profile.full_name, user.profile.phone, user.email) == ("张三", "13800001111", "zs@example.com")
    event = UserRoleEvent.objects.get(user=user)
    assert (event.action, event.actor, event.after["role"]) == (Action.CREATED, world.users.admin, "officer")
    assert event.after["org_unit"] == [world.dongli.pk, "东丽区"]


def test_user_created_with_password_need_not_change_it(world):
    user = org.user_create(username="li-si", password="Tj-2026-pass", role=Role.LEADER, org_unit=world.city)
    assert user.one_time_password is None
    assert not user.profile.must_change_password
    assert user.check_password("Tj-2026-pass")


def test_taken_user_name_is_refused_in_chinese(world):
    with pytest.raises(ValidationError) as refused:
        org.user_create(username="DONGLI-OFFICER", role=Role.OFFICER, org_unit=world.dongli)
    assert "已被使用" in refused.value.message_dict["username"][0]


@pytest.mark.parametrize(
    ("role", "unit", "field"),
    [
        (Role.OFFICER, "city", "org_unit"),  # an officer belongs to a district or a town
        (Role.LEADER, "dongli", "org_unit"),  # a leader belongs to the municipality
        (Role.OFFICE, "city", "working_group"),
        (Role.LIAISON, "city", "member_unit"),
    ],
)
def test_a_role_needs_its_unit(world, role, unit, field):
    with pytest.raises(ValidationError) as refused:
        org.user_create(username="someone", role=role, org_unit=getattr(world, unit))
    assert field in refused.value.message_dict
    assert not get_user_model().objects.filter(username="someone").exists()


def test_a_retired_member_unit_gets_no_new_liaison_but_keeps_its_own(world):
    stats = org.member_unit_retire(actor=world.users.admin, member_unit=world.users.liaison.profile.member_unit)
    with pytest.raises(ValidationError) as refused:
        org.user_create(username="stats-2", role=Role.LIAISON, org_unit=world.city, member_unit=stats)
    assert "已停用" in refused.value.message_dict["member_unit"][0]
    with pytest.raises(ValidationError):  # nor is someone moved there
        org.user_update(actor=world.users.admin, user=world.users.leader, role=Role.LIAISON, org_unit=world.city,
                        member_unit=stats)  # fmt: skip
    org.user_update(actor=world.users.admin, user=world.users.liaison, role=Role.LIAISON, org_unit=world.city,
                    member_unit=stats, phone="13900009999")  # fmt: skip
    world.users.liaison.profile.refresh_from_db()
    assert world.users.liaison.profile.phone == "13900009999"
    rows = [["统计联络员", "stats-3", "", "", "成员单位联络员", "", "", "市统计局"]]
    with pytest.raises(people_imports.ImportRejected) as rejected:
        org.users_import(actor=world.users.admin, data=sheet_with(rows))
    assert [(p.row, p.column) for p in rejected.value.problems] == [(4, "H")]


# --- Changing roles and units ----------------------------------------------------------------------


def test_officer_transferred_to_xiqing_loses_every_grant_on_dongli_at_once(world):
    officer = world.users.officer
    assert perms.towns_for_user(officer).filter(pk=world.town.pk).exists()
    org.user_update(actor=world.users.admin, user=officer, role=Role.OFFICER, org_unit=world.xiqing, reason="工作调动")
    for perm in (perms.VIEW, perms.FILL, perms.MANAGE_PROJECTS):
        assert not perms.org_units_for_user(officer, perm).filter(pk__in=[world.dongli.pk, world.town.pk]).exists()
    assert perms.towns_for_user(officer, perms.FILL).filter(pk=world.outsider_town.pk).exists()
    event = latest_event(officer)
    assert (event.action, event.reason) == (Action.UNIT_CHANGED, "工作调动")
    assert ("所属单位", "东丽区", "西青区") in event.changes()


def test_role_change_is_recorded_from_and_to(world):
    org.user_update(actor=world.users.admin, user=world.users.officer, role=Role.REVIEWER, org_unit=world.dongli)
    event = latest_event(world.users.officer)
    assert event.action == Action.ROLE_CHANGED
    assert ("角色", "信息员", "主管领导") in event.changes()


def test_profile_edit_is_recorded_as_one_event(world):
    org.user_update(
        actor=world.users.admin, user=world.users.officer, role=Role.OFFICER, org_unit=world.dongli,
        phone="022-23456789", email="new@example.com",
    )  # fmt: skip
    event = latest_event(world.users.officer)
    assert event.action == Action.PROFILE_CHANGED
    assert {label for label, _old, _new in event.changes()} == {"手机", "电子邮箱"}


def test_regranting_the_same_role_records_nothing(world):
    assert org.office_sync_grants() == 4
    assert not UserRoleEvent.objects.exclude(action=Action.CREATED).exists()


# --- Ending access -------------------------------------------------------------------------------


def _signed_in(user) -> tuple[Client, ApiToken]:
    client = Client()
    client.force_login(user)
    return client, api_token_issue(user=user)


def _tokens_in_force(user) -> bool:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()


def _sessions_of(user) -> int:
    return sum(1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk))


def test_deactivation_ends_sessions_and_tokens_at_once(world):
    officer = world.users.officer
    _signed_in(officer)
    _signed_in(world.users.reviewer)
    assert _sessions_of(officer) == 1
    org.user_deactivate(actor=world.users.admin, user=officer, reason="离职")
    officer.refresh_from_db()
    assert not officer.is_active
    assert _sessions_of(officer) == 0 and not _tokens_in_force(officer)
    assert _sessions_of(world.users.reviewer) == 1  # nobody else is signed out
    assert latest_event(officer).changes() == [("账号状态", "在用", "已停用")]


def test_nobody_deactivates_their_own_account(world):
    with pytest.raises(PermissionDenied):
        org.user_deactivate(actor=world.users.office_policy, user=world.users.office_policy)


def test_reactivation_lets_the_user_back_in(world):
    org.user_deactivate(actor=world.users.admin, user=world.users.officer)
    org.user_reactivate(actor=world.users.admin, user=world.users.officer)
    world.users.officer.refresh_from_db()
    assert world.users.officer.is_active
    events = UserRoleEvent.objects.filter(user=world.users.officer).exclude(action=Action.CREATED)
    actions = list(events.values_list("action", flat=True))
    assert actions == [Action.REACTIVATED, Action.DEACTIVATED]


def test_password_reset_ends_tokens_and_requires_a_change(world):
    officer = world.users.officer
    _signed_in(officer)
    password = org.user_reset_password(actor=world.users.admin, user=officer)
    officer.refresh_from_db()
    assert officer.check_password(password) and officer.profile.must_change_password
    assert not _tokens_in_force(officer) and _sessions_of(officer) == 0
    org.user_password_changed(user=officer)
    officer.profile.refresh_from_db()
    assert not officer.profile.must_change_password


# --- Who manages whom ------------------------------------------------------------------------------


def test_office_member_manages_only_the_office_members_of_its_group(world):
    u = world.users
    managed = set(people_perms.users_for_user(u.office_policy))
    assert managed == {u.office_policy}
    with pytest.raises(Http404):
        people_perms.get_managed_user_for_user(u.office_policy, u.office_assess.pk)
    with pytest.raises(Http404):
        people_perms.get_managed_user_for_user(u.office_policy, u.officer.pk)
    assert people_perms.may_assign(u.office_policy, Role.OFFICE, world.groups["policy"].pk)
    assert not people_perms.may_assign(u.office_policy, Role.ADMIN, None)
    assert not people_perms.may_assign(u.office_policy, Role.OFFICE, world.groups["assess"].pk)


def test_admin_role_manages_everybody_but_changes_no_superuser(world):
    it = org.user_create(username="it", password="x-12345678", role=Role.ADMIN, org_unit=world.city)
    assert people_perms.users_for_user(it).count() == get_user_model().objects.count()
    assert people_perms.get_managed_user_for_user(it, world.users.officer.pk, people_perms.CHANGE)
    with pytest.raises(PermissionDenied):
        people_perms.get_managed_user_for_user(it, world.users.admin.pk, people_perms.CHANGE)


@pytest.mark.parametrize("persona", ["officer", "reviewer", "leader", "liaison"])
def test_district_staff_leaders_and_liaisons_manage_nobody(world, persona):
    user = getattr(world.users, persona)
    assert not people_perms.can_manage_users(user)
    assert not people_perms.users_for_user(user).exists()


# --- The import ----------------------------------------------------------------------------------


def test_import_of_30_rows_with_errors_in_5_saves_nothing_and_names_each(world):
    rows = [officer_row(i) for i in range(30)]
    rows[3][1] = "dongli-officer"  # taken
    rows[8][4] = "局长"  # unknown role
    rows[12][5] = "和平区"  # unknown unit
    rows[20][3] = "not-an-email"
    rows[27][0] = ""  # no name
    before = get_user_model().objects.count()
    with pytest.raises(people_imports.ImportRejected) as rejected:
        org.users_import(actor=world.users.admin, data=sheet_with(rows))
    problems = [(p.row, p.column) for p in rejected.value.problems]
    assert problems == [(7, "B"), (12, "E"), (16, "F"), (24, "D"), (31, "A")]
    messages = [p.message for p in rejected.value.problems]
    assert "已被使用" in messages[0] and "角色应为" in messages[1] and "找不到单位“和平区”" in messages[2]
    assert "电子邮箱" in messages[3] and "姓名" in messages[4]
    assert get_user_model().objects.count() == before
    assert not UserRoleEvent.objects.filter(action=Action.IMPORTED).exists()


def test_import_creates_everyone_with_one_time_passwords(world):
    rows = [
        officer_row(1),
        ["西青领导", "xq-leader2", "", "", "主管领导", "西青区", "", ""],
        ["规划组", "planning-2", "", "", "工作组成员", "", "规划建设组", ""],
        ["统计联络员", "stats-2", "", "", "成员单位联络员", "", "", "市统计局"],
        ["召集人二", "leader-2", "", "", "领导", "", "", ""],
    ]
    rows[2][6] = world.groups["planning"].name
    imported = org.users_import(actor=world.users.admin, data=sheet_with(rows))
    assert [item.row for item in imported] == [4, 5, 6, 7, 8]
    by_name = {item.user.username: item for item in imported}
    assert by_name["officer-1"].user.profile.org_unit == world.dongli
    assert by_name["planning-2"].user.profile.working_group == world.groups["planning"]
    assert by_name["leader-2"].user.profile.org_unit == world.city
    assert all(item.user.check_password(item.one_time_password) for item in imported)
    events = UserRoleEvent.objects.filter(user__in=[item.user for item in imported])
    assert set(events.values_list("action", flat=True)) == {Action.IMPORTED}


def test_import_keeps_only_the_unit_the_role_needs(world):
    row = officer_row(1)
    row[6], row[7] = world.groups["planning"].name, "市统计局"  # filled in by mistake for an officer
    [item] = org.users_import(actor=world.users.admin, data=sheet_with([row]))
    profile = item.user.profile
    assert (profile.org_unit, profile.working_group, profile.member_unit) == (world.dongli, None, None)


def test_import_repeating_a_user_name_names_both_rows(world):
    with pytest.raises(people_imports.ImportRejected) as rejected:
        org.users_import(actor=world.users.admin, data=sheet_with([officer_row(1), officer_row(1)]))
    assert [(p.row, p.column) for p in rejected.value.problems] == [(5, "B")]
    assert "第 4 行" in rejected.value.problems[0].message


def test_office_member_cannot_import_an_administrator(world):
    rows = [["管理员", "it-2", "", "", "系统管理员", "", "", ""]]
    with pytest.raises(people_imports.ImportRejected) as rejected:
        org.users_import(actor=world.users.office_policy, data=sheet_with(rows))
    assert [(p.row, p.column) for p in rejected.value.problems] == [(4, "E")]


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "空的"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100, ".xls"), (b"name,role\n", "不是 Excel")],
)
def test_import_refuses_what_is_not_the_template(world, data, message):
    with pytest.raises(people_imports.ImportRejected) as rejected:
        org.users_import(actor=world.users.admin, data=data)
    assert message in rejected.value.problems[0].message


def test_import_refuses_a_moved_header(world):
    data = sheet_with([])
    workbook = load_workbook(io.BytesIO(data))
    workbook[people_imports.SHEET_NAME]["B3"] = "账号"
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(people_imports.ImportRejected) as rejected:
        org.users_import(actor=world.users.admin, data=out.getvalue())
    assert [(p.row, p.column) for p in rejected.value.problems] == [(3, "B")]
