"""Pages of 系统管理 → 用户与角色 and the officer registry (thin view tests: status, permission, one effect,
query counts)."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from coordination import services as org
from coordination.models import Role, UserRoleEvent
from coordination.services.tokens import api_token_issue

from .test_people import officer_row, sheet_with

NEW_PASSWORD = "Tj-Town$2026-Quarter"


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _new_officer_form(world, **overrides) -> dict:
    return {
        "full_name": "王五", "username": "wang-wu", "phone": "13900001234", "email": "ww@example.com",
        "role": Role.OFFICER, "org_unit": world.dongli.pk, **overrides,
    }  # fmt: skip


# --- Creating a user and the one-time password ------------------------------------------------------


def test_new_user_must_change_the_one_time_password_before_any_page(world):
    admin = as_user(world.users.admin)
    response = admin.post(reverse("user-create"), _new_officer_form(world))
    page = _page(response)
    password = re.search(r"data-one-time-password>([^<]+)<", page).group(1)
    assert response["Cache-Control"] == "no-store"
    user = get_user_model().objects.get(username="wang-wu")
    assert password not in _page(admin.get(reverse("user-detail", args=[user.pk])))  # shown once only

    newcomer = Client()
    assert newcomer.login(username="wang-wu", password=password)
    for name in ("home", "report-list", "user-list"):
        response = newcomer.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("password_change")
    assert "一次性密码" in _page(newcomer.get(reverse("password_change")))
    assert newcomer.get(reverse("session-keepalive")).status_code != 302  # the page's timer keeps the session
    changed = newcomer.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert newcomer.get(reverse("home")).status_code == 200


def test_changing_ones_password_revokes_ones_api_tokens(world):
    officer = world.users.officer
    old_token = api_token_issue(user=officer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old_token.key}")
    assert api.get("/api/v1/monthly-reports/").status_code == 200
    changed = as_user(officer).post(
        reverse("password_change"),
        {"old_password": "test-pass-123", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert api.get("/api/v1/monthly-reports/").status_code == 401


def test_a_one_time_password_session_cannot_use_the_api_either(world):
    user = org.user_create(username="zhou-ba", role=Role.OFFICER, org_unit=world.dongli)
    client = as_user(user)  # the browser's session also authenticates API calls
    response = client.get("/api/v1/towns/")
    assert response.status_code == 403 and "修改初始密码" in response.json()["detail"]
    assert APIClient().get("/api/v1/towns/").status_code == 401  # without a session: as before


def test_a_user_with_a_one_time_password_can_still_log_out(world):
    user = org.user_create(username="zhou-ba", role=Role.OFFICER, org_unit=world.dongli)
    client = as_user(user)
    assert client.post(reverse("logout"))["Location"] == reverse("login")


def test_user_form_names_each_missing_field_in_chinese(world):
    response = as_user(world.users.admin).post(
        reverse("user-create"), _new_officer_form(world, full_name="", username="dongli-officer", org_unit="")
    )
    page = _page(response)
    assert "这个字段是必填项" in page or "必填" in page
    assert "已被使用" in page and "须选择所属区或小镇" in page
    assert not get_user_model().objects.filter(profile__full_name="王五").exists()


def test_office_member_creates_members_of_its_own_group_but_no_administrator(world):
    office = as_user(world.users.office_policy)
    form = _page(office.get(reverse("user-create")))
    assert '<option value="admin"' not in form and world.groups["assess"].name not in form
    response = office.post(
        reverse("user-create"),
        {"full_name": "刘六", "username": "liu-liu", "role": Role.OFFICE, "working_group": world.groups["policy"].pk},
    )
    assert response.status_code == 200 and "用户已创建" in response.content.decode()
    refused = office.post(reverse("user-create"), {"full_name": "管理员", "username": "it-3", "role": Role.ADMIN})
    assert refused.status_code == 200 and "选择一个有效的选项" in refused.content.decode()
    assert not get_user_model().objects.filter(username="it-3").exists()


# --- Changing, deactivating, resetting ---------------------------------------------------------------


def test_officer_transferred_to_xiqing_gets_404_on_dongli_reports_at_once(world, make_report):
    report = make_report()
    officer = as_user(world.users.officer)
    assert officer.get(reverse("report-detail", args=[report.pk])).status_code == 200
    response = as_user(world.users.admin).post(
        reverse("user-edit", args=[world.users.officer.pk]),
        {"full_name": "东丽信息员", "role": Role.OFFICER, "org_unit": world.xiqing.pk, "reason": "工作调动"},
    )
    assert response.status_code == 302
    assert officer.get(reverse("report-detail", args=[report.pk])).status_code == 404


def test_deactivated_user_is_signed_out_and_their_token_refused(world):
    officer = as_user(world.users.officer)
    token = api_token_issue(user=world.users.officer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/towns/").status_code == 200
    response = as_user(world.users.admin).post(reverse("user-deactivate", args=[world.users.officer.pk]))
    assert response.status_code == 302
    assert officer.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert api.get("/api/v1/towns/").status_code == 401


def test_password_reset_shows_a_new_one_time_password_and_kills_the_old_token(world):
    token = api_token_issue(user=world.users.officer)
    response = as_user(world.users.admin).post(reverse("user-reset-password", args=[world.users.officer.pk]))
    page = _page(response)
    assert "密码已重置" in page and re.search(r"data-one-time-password>([^<]+)<", page)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/towns/").status_code == 401


def test_reset_and_deactivate_answer_only_post(world):
    admin = as_user(world.users.admin)
    assert admin.get(reverse("user-reset-password", args=[world.users.officer.pk])).status_code == 405
    assert admin.get(reverse("user-deactivate", args=[world.users.officer.pk])).status_code == 405


def test_every_change_is_shown_in_the_history_of_the_detail_page(world):
    officer = world.users.officer
    org.user_update(actor=world.users.admin, user=officer, role=Role.REVIEWER, org_unit=world.xiqing, reason="调任")
    org.user_deactivate(actor=world.users.admin, user=officer)
    page = _page(as_user(world.users.admin).get(reverse("user-detail", args=[officer.pk])))
    for text in ("变更角色", "信息员", "主管领导", "东丽区", "西青区", "调任", "停用账号", "已停用", "创建账号"):
        assert text in page, text
    assert page.count('class="list-group-item py-3"') == UserRoleEvent.objects.filter(user=officer).count() == 3


def test_a_liaison_of_a_retired_member_unit_keeps_it_when_their_phone_is_edited(world):
    liaison = world.users.liaison
    stats = liaison.profile.member_unit
    org.member_unit_retire(actor=world.users.admin, member_unit=stats)
    admin = as_user(world.users.admin)
    form = _page(admin.get(reverse("user-edit", args=[liaison.pk])))
    assert f'<option value="{stats.pk}" selected>市统计局</option>' in form  # shown as it is, not lost
    response = admin.post(
        reverse("user-edit", args=[liaison.pk]),
        {"full_name": "联络员", "phone": "13900009999", "email": "", "role": Role.LIAISON, "member_unit": stats.pk},
    )
    assert response.status_code == 302, response.content.decode()
    liaison.profile.refresh_from_db()
    assert (liaison.profile.phone, liaison.profile.member_unit) == ("13900009999", stats)
    assert "市统计局</option>" not in _page(admin.get(reverse("user-create")))  # not for new liaisons


# --- Scope: outsiders 404, viewers 403 ----------------------------------------------------------------


def test_office_member_gets_404_on_a_user_of_another_group(world):
    office = as_user(world.users.office_policy)
    for name in ("user-detail", "user-edit"):
        assert office.get(reverse(name, args=[world.users.office_assess.pk])).status_code == 404
    assert office.post(reverse("user-deactivate", args=[world.users.officer.pk])).status_code == 404


def test_office_member_may_not_deactivate_itself(world):
    office = as_user(world.users.office_policy)
    assert office.get(reverse("user-detail", args=[world.users.office_policy.pk])).status_code == 200
    assert office.post(reverse("user-deactivate", args=[world.users.office_policy.pk])).status_code == 403


@pytest.mark.parametrize("persona", ["officer", "outsider", "reviewer", "leader", "liaison"])
def test_people_without_manage_users_get_403_on_the_list(world, persona):
    client = as_user(getattr(world.users, persona))
    assert client.get(reverse("user-list")).status_code == 403
    assert client.get(reverse("user-detail", args=[world.users.officer.pk])).status_code == 404


# --- The list -----------------------------------------------------------------------------------------


def test_user_list_filters_and_shows_role_unit_last_login_and_open_work(world):
    org.notify(recipients=[world.users.officer], kind="test", subject="请报送月报", occasion="t-1")
    admin = as_user(world.users.admin)
    page = _page(admin.get(reverse("user-list"), {"unit": world.dongli.pk}))
    assert "东丽信息员" in page and "东丽主管领导" in page and "西青信息员" not in page
    assert "从未登录" in page and '<span class="badge text-bg-warning"' in page
    page = _page(admin.get(reverse("user-list"), {"q": "西青"}))
    assert "西青信息员" in page and "东丽信息员" not in page
    page = _page(admin.get(reverse("user-list"), {"role": Role.OFFICE, "working_group": world.groups["assess"].pk}))
    assert "office-assess" in page and "office-policy" not in page


def test_user_list_queries_do_not_grow_with_the_users(world, django_assert_max_num_queries):
    for i in range(25):
        org.user_create(username=f"extra-{i}", role=Role.OFFICER, org_unit=world.xiqing, full_name=f"信息员{i}")
        org.notify(recipients=[world.users.officer], kind="test", subject="待办", occasion=f"t-{i}")
    admin = as_user(world.users.admin)
    admin.get(reverse("user-list"))  # the session's first request
    # Session, user, profile, the three filter lists, the count and the page, and the navigation bar's counters:
    # its 待我处理 counts each app's part in one query (tianjin_towns.inbox), a superuser's too.
    with django_assert_max_num_queries(16):
        _page(admin.get(reverse("user-list")))


# --- Import, template, registry ------------------------------------------------------------------------


def test_import_page_lists_each_error_and_creates_nobody(world):
    rows = [officer_row(i) for i in range(6)]
    rows[2][4] = "局长"
    upload = SimpleUploadedFile("用户.xlsx", sheet_with(rows))
    page = _page(as_user(world.users.admin).post(reverse("user-import"), {"file": upload}))
    assert "文件未导入：发现 1 处问题" in page and "角色应为" in page and "没有创建任何用户" in page
    assert '<span class="cell-ref">E</span>' in page and '<th scope="col">工作表</th>' not in page  # one sheet
    assert not get_user_model().objects.filter(username__startswith="officer-").exists()


def test_import_page_shows_each_one_time_password_once(world):
    upload = SimpleUploadedFile("用户.xlsx", sheet_with([officer_row(1), officer_row(2)]))
    response = as_user(world.users.admin).post(reverse("user-import"), {"file": upload})
    page = _page(response)
    assert "已创建 2 个用户" in page and page.count("user-select-all") == 2
    assert response["Cache-Control"] == "no-store"


def test_import_template_downloads_with_the_header(world):
    response = as_user(world.users.office_policy).get(reverse("user-import-template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["用户名单"]
    assert [cell.value for cell in sheet[3]] == [
        "姓名",
        "用户名",
        "手机",
        "电子邮箱",
        "角色",
        "所属区/小镇",
        "工作组",
        "成员单位",
    ]


def test_registry_lists_each_districts_officers_and_leaders_with_phone(world):
    org.user_update(actor=None, user=world.users.officer, role=Role.OFFICER, org_unit=world.dongli, phone="13612345678")
    page = _page(as_user(world.users.office_coord).get(reverse("officer-registry")))
    assert "东丽信息员" in page and "136****5678" in page and "东丽主管领导" in page and "西青区" in page
    assert "13612345678" not in page  # masked for the office (coordination.contact_permissions)
    assert "data-print" in page
    page = _page(as_user(world.users.office_coord).get(reverse("officer-registry"), {"district": world.xiqing.pk}))
    assert "西青信息员" in page and "东丽信息员" not in page


def test_registry_shows_a_district_officer_only_their_district(world):
    page = _page(as_user(world.users.outsider).get(reverse("officer-registry")))
    assert "西青信息员" in page and "东丽信息员" not in page
    assert as_user(world.users.liaison).get(reverse("officer-registry")).status_code == 403
