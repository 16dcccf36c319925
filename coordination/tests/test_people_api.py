"""/api/v1/users/ (API.md): the same services and doors as the pages; outsiders 404, viewers 403."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from conftest import PASSWORD
from coordination.models import Role, UserRoleEvent
from coordination.services.tokens import api_token_issue

from .test_people import officer_row, sheet_with

USERS = "/api/v1/users/"
FIELDS = {"id", "username", "full_name", "phone", "email", "role", "org_unit", "working_group", "member_unit",
          "is_active", "last_login"}  # fmt: skip


def with_token(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user).key}")
    return client


def test_list_shows_the_contract_fields(world, api):
    response = api(world.users.admin).get(USERS)
    assert response.status_code == 200
    row = next(r for r in response.json()["results"] if r["username"] == "dongli-officer")
    assert set(row) == FIELDS
    assert (row["role"], row["org_unit"], row["full_name"], row["is_active"]) == (
        "officer",
        world.dongli.pk,
        "东丽信息员",
        True,
    )


def test_create_without_password_answers_it_once_and_token_waits_for_the_change(world, api):
    response = api(world.users.admin).post(
        USERS,
        {"username": "zhao-qi", "full_name": "赵七", "role": "officer", "org_unit": world.xiqing.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    password = body["one_time_password"]
    assert (body["role"], body["org_unit"]) == ("officer", world.xiqing.pk)
    assert "one_time_password" not in api(world.users.admin).get(f"{USERS}{body['id']}/").json()
    refused = APIClient().post("/api/v1/auth/token/", {"username": "zhao-qi", "password": password}, format="json")
    assert refused.status_code == 403 and refused.json()["detail"] == "请先登录网页修改初始密码。"
    browser = Client()
    browser.login(username="zhao-qi", password=password)
    new = "Tj-Town$2026-Quarter"
    browser.post("/accounts/password_change/", {"old_password": password, "new_password1": new, "new_password2": new})
    token = APIClient().post("/api/v1/auth/token/", {"username": "zhao-qi", "password": new}, format="json")
    assert token.status_code == 200 and token.json()["token"]


def test_create_errors_are_per_field_in_chinese(world, api):
    response = api(world.users.admin).post(USERS, {"username": "dongli-officer", "full_name": "某", "role": "officer"},
                                           format="json")  # fmt: skip
    assert response.status_code == 400
    errors = response.json()
    assert "已被使用" in errors["username"][0] and "所属单位" in errors["org_unit"][0]


def test_patch_moves_an_officer_and_dongli_is_404_at_once(world, api, make_report):
    report = make_report()
    officer = with_token(world.users.officer)
    assert officer.get(f"/api/v1/monthly-reports/{report.pk}/").status_code == 200
    response = api(world.users.admin).patch(
        f"{USERS}{world.users.officer.pk}/", {"org_unit": world.xiqing.pk, "reason": "工作调动"}, format="json"
    )
    assert response.status_code == 200 and response.json()["org_unit"] == world.xiqing.pk
    assert officer.get(f"/api/v1/monthly-reports/{report.pk}/").status_code == 404
    assert UserRoleEvent.objects.filter(user=world.users.officer, action="unit_changed", reason="工作调动").exists()


def test_patch_is_active_false_ends_the_token_at_once(world, api):
    officer = with_token(world.users.officer)
    assert officer.get("/api/v1/towns/").status_code == 200
    response = api(world.users.admin).patch(f"{USERS}{world.users.officer.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert officer.get("/api/v1/towns/").status_code == 401
    login = APIClient().post("/api/v1/auth/token/", {"username": "dongli-officer", "password": PASSWORD}, format="json")
    assert login.status_code == 400


def test_reset_password_answers_a_new_one_and_the_old_token_is_401(world, api):
    officer = with_token(world.users.officer)
    response = api(world.users.admin).post(f"{USERS}{world.users.officer.pk}/reset-password/")
    assert response.status_code == 200 and len(response.json()["one_time_password"]) >= 12
    assert officer.get("/api/v1/towns/").status_code == 401


def test_import_of_a_bad_sheet_is_400_with_row_column_and_message(world, api):
    rows = [officer_row(i) for i in range(30)]
    for i in (1, 5, 9, 17, 29):
        rows[i][4] = "处长"
    upload = SimpleUploadedFile("用户.xlsx", sheet_with(rows))
    response = api(world.users.admin).post(f"{USERS}import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(5, "E"), (9, "E"), (13, "E"), (21, "E"), (33, "E")]
    assert all("角色应为" in e["message"] for e in errors)
    assert not get_user_model().objects.filter(username__startswith="officer-").exists()


def test_import_creates_users_with_their_one_time_passwords(world, api):
    upload = SimpleUploadedFile("用户.xlsx", sheet_with([officer_row(1), officer_row(2)]))
    response = api(world.users.admin).post(f"{USERS}import/", {"file": upload}, format="multipart")
    assert response.status_code == 201
    assert [c["username"] for c in response.json()["created"]] == ["officer-1", "officer-2"]
    assert all(c["one_time_password"] for c in response.json()["created"])


# --- Scope -------------------------------------------------------------------------------------------


def test_office_member_sees_only_its_group(world, api):
    response = api(world.users.office_policy).get(USERS)
    assert [r["username"] for r in response.json()["results"]] == ["office-policy"]
    assert api(world.users.office_policy).get(f"{USERS}{world.users.office_assess.pk}/").status_code == 404
    patch = api(world.users.office_policy).patch(
        f"{USERS}{world.users.office_assess.pk}/", {"phone": "1"}, format="json"
    )
    assert patch.status_code == 404


def test_office_member_cannot_create_an_admin_or_a_member_of_another_group(world, api):
    client = api(world.users.office_policy)
    admin = client.post(USERS, {"username": "it-9", "full_name": "管理员", "role": "admin"}, format="json")
    assert admin.status_code == 403 and "无权" in admin.json()["detail"]
    other = {"username": "as-9", "full_name": "考核组", "role": "office", "working_group": world.groups["assess"].pk}
    assert client.post(USERS, other, format="json").status_code == 403
    own = {"username": "po-9", "full_name": "政策组", "role": "office", "working_group": world.groups["policy"].pk}
    assert client.post(USERS, own, format="json").status_code == 201


def test_office_member_cannot_promote_a_member_of_its_group_to_admin(world, api):
    member = api(world.users.admin).post(
        USERS, {"username": "po-8", "full_name": "政策组", "role": "office", "working_group": world.groups["policy"].pk},
        format="json",
    ).json()  # fmt: skip
    response = api(world.users.office_policy).patch(f"{USERS}{member['id']}/", {"role": Role.ADMIN}, format="json")
    assert response.status_code == 403


def test_office_member_may_not_deactivate_itself(world, api):
    me = world.users.office_policy
    assert api(me).patch(f"{USERS}{me.pk}/", {"is_active": False}, format="json").status_code == 403


def test_a_refused_patch_changes_nothing_of_what_it_asked(world, api):
    """A name change sent with a refused deactivation (one's own account) keeps neither."""
    me = world.users.office_policy
    before = me.profile.full_name
    response = api(me).patch(f"{USERS}{me.pk}/", {"full_name": "改后的名字", "is_active": False}, format="json")
    assert response.status_code == 403
    me = type(me).objects.select_related("profile").get(pk=me.pk)
    assert (me.is_active, me.profile.full_name) == (True, before)


def test_role_change_and_deactivation_in_one_patch(world, api):
    officer = world.users.officer
    response = api(world.users.admin).patch(
        f"{USERS}{officer.pk}/", {"role": Role.LEADER, "is_active": False}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["role"], body["is_active"]) == (Role.LEADER, False)


@pytest.mark.parametrize("persona", ["officer", "outsider", "reviewer", "leader", "liaison"])
def test_people_without_manage_users_get_403_on_the_list_and_404_on_a_user(world, api, persona):
    client = api(getattr(world.users, persona))
    assert client.get(USERS).status_code == 403
    assert client.get(f"{USERS}{world.users.officer.pk}/").status_code == 404
    assert client.post(f"{USERS}{world.users.officer.pk}/reset-password/").status_code == 404


def test_a_password_the_administrator_chooses_meets_the_password_policy(world, api):
    new = {"username": "zhao-ba", "full_name": "赵八", "role": "officer", "org_unit": world.xiqing.pk}
    refused = api(world.users.admin).post(USERS, {**new, "password": "zhao-ba-1"}, format="json")
    assert refused.status_code == 400
    assert any("用户名" in message for message in refused.json()["password"]), refused.json()
    assert not get_user_model().objects.filter(username="zhao-ba").exists()
    created = api(world.users.admin).post(USERS, {**new, "password": "Tj-Town$2026-Quarter"}, format="json")
    assert created.status_code == 201 and "one_time_password" not in created.json()
