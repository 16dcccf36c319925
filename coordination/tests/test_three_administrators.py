"""三员分立 (issue 22, 等保 2.0): the system, security and audit administrators, none able to do another's work.

The permission matrix (tests/test_permission_matrix.py, ADMINS) tries each of them on every route that changes
something and on the administrators' pages; these tests follow what each of them sees and does in the pages."""

import datetime

from django.conf import settings
from django.core import checks
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from coordination.models import Role, SecurityEvent, SecurityEventKind, UserRoleEvent
from tests import clients
from tianjin_towns.checks import superuser_recently_signed_in


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _role_options(page: str) -> set[str]:
    select = page.split('name="role"', 1)[1].split("</select>", 1)[0]
    return {label.split("<", 1)[0].strip() for label in select.split(">")[2::2] if label.split("<", 1)[0].strip()}


def test_the_system_administrator_gives_the_business_roles_only(world):
    page = _as(world.users.sysadmin).get(reverse("user-create")).content.decode()
    offered = _role_options(page)
    assert {"信息员", "工作组成员", "成员单位联络员"} <= offered
    assert offered.isdisjoint({"系统管理员", "安全管理员", "安全审计员"})
    form = {"full_name": "审计员二", "username": "auditor-two", "role": Role.AUDITOR}
    response = _as(world.users.sysadmin).post(reverse("user-create"), form)
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not UserRoleEvent.objects.filter(user__username="auditor-two").exists()


def test_the_system_administrator_cannot_touch_an_administrators_account(world):
    sysadmin = _as(world.users.sysadmin)
    auditor = world.users.auditor
    page = sysadmin.get(reverse("user-detail", args=[auditor.pk])).content.decode()
    assert "重置密码" not in page and "停用账号" not in page and reverse("user-edit", args=[auditor.pk]) not in page
    assert sysadmin.post(reverse("user-reset-password", args=[auditor.pk])).status_code == 403
    assert sysadmin.post(reverse("user-deactivate", args=[auditor.pk])).status_code == 403
    assert sysadmin.get(reverse("user-edit", args=[auditor.pk])).status_code == 403
    auditor.refresh_from_db()
    assert auditor.is_active and auditor.check_password(PASSWORD)


def test_the_security_administrator_changes_roles_not_details_and_not_its_own(world):
    security = _as(world.users.security)
    officer = world.users.officer
    page = security.get(reverse("user-edit", args=[officer.pk])).content.decode()
    assert 'name="role"' in page and 'name="full_name"' not in page and 'name="phone"' not in page
    assert "安全审计员" in _role_options(page)  # the administrative roles are the security administrator's to give
    posted = {"role": Role.AUDITOR, "full_name": "改名", "phone": "13900000000", "reason": "岗位调整"}
    response = security.post(reverse("user-edit", args=[officer.pk]), posted)
    assert response.status_code == 302
    officer.profile.refresh_from_db()
    assert officer.profile.role == Role.AUDITOR and officer.profile.full_name == "东丽信息员"
    assert officer.profile.phone == ""
    event = UserRoleEvent.objects.get(user=officer, action=UserRoleEvent.Action.ROLE_CHANGED)
    assert event.actor == world.users.security and event.reason == "岗位调整"
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_CHANGED, user=world.users.security).exists()
    # Creating, resetting and stopping accounts are the system administrator's.
    assert security.get(reverse("user-create")).status_code == 403
    assert security.post(reverse("user-reset-password", args=[officer.pk])).status_code == 403
    assert security.post(reverse("user-deactivate", args=[officer.pk])).status_code == 403
    own = world.users.security
    assert security.get(reverse("user-edit", args=[own.pk])).status_code == 403
    assert security.post(reverse("user-edit", args=[own.pk]), {"role": Role.ADMIN}).status_code == 403
    own.profile.refresh_from_db()
    assert own.profile.role == Role.SECURITY


def test_the_security_administrator_unlocks_an_account_locked_by_failed_sign_ins(world):
    address = "10.20.30.40"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("login"), {"username": "dongli-officer", "password": "wrong"}, REMOTE_ADDR=address)
    login = {"username": "dongli-officer", "password": PASSWORD}
    assert Client().post(reverse("login"), login, REMOTE_ADDR=address).status_code == 429

    detail = reverse("user-detail", args=[world.users.officer.pk])
    assert "解除锁定" not in _as(world.users.sysadmin).get(detail).content.decode()
    assert _as(world.users.sysadmin).post(reverse("user-unlock", args=[world.users.officer.pk])).status_code == 403
    security = _as(world.users.security)
    page = security.get(detail).content.decode()
    assert "已锁定" in page and "解除锁定" in page
    response = security.post(reverse("user-unlock", args=[world.users.officer.pk]), follow=True)
    assert "账号已解除锁定" in response.content.decode()
    assert Client().post(reverse("login"), login, REMOTE_ADDR=address).status_code == 302
    unlocked = SecurityEvent.objects.get(kind=SecurityEventKind.UNLOCKED)
    assert unlocked.user == world.users.security and unlocked.target == "账号 dongli-officer"
    # Nothing to unlock now: the page says so and nothing more is recorded.
    response = security.post(reverse("user-unlock", args=[world.users.officer.pk]), follow=True)
    assert "该账号没有被锁定" in response.content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.UNLOCKED).count() == 1


def test_each_administrator_is_offered_only_its_own_work_in_the_navigation_bar(world):
    entries = {name: {url_name for url_name, _label, _url in clients.bar_entries(getattr(world.users, name))}
               for name in ("sysadmin", "security", "auditor")}  # fmt: skip
    assert {"user-list", "officer-registry", "member-unit-list", "indicator-list"} <= entries["sysadmin"]
    assert "security-audit" not in entries["sysadmin"]
    assert entries["security"] == {"home", "user-list", "security-policy"}
    assert entries["auditor"] == {"home", "security-audit"}
    page = _as(world.users.security).get(reverse("user-list")).content.decode()
    assert "新建用户" not in page and "Excel导入" not in page
    assert "dongli-officer" in page and "auditor" in page  # every account, the administrators' too


def test_the_deployment_check_warns_of_a_superuser_who_signed_in_lately(world):
    admin = world.users.admin
    admin.last_login = timezone.now() - datetime.timedelta(days=3)
    admin.save(update_fields=["last_login"])
    (warning,) = superuser_recently_signed_in(databases=["default"])
    assert warning.id == "tianjin_towns.W001" and warning.level == checks.WARNING and "admin" in warning.msg
    assert superuser_recently_signed_in(databases=None) == []  # without a database the check reads nothing
    admin.last_login = timezone.now() - datetime.timedelta(days=31)
    admin.save(update_fields=["last_login"])
    assert superuser_recently_signed_in(databases=["default"]) == []
    registered = checks.registry.registry.get_checks(include_deployment_checks=True)
    assert superuser_recently_signed_in in registered


def test_the_system_administrator_keeps_the_schedules_and_the_calendar_in_the_admin_without_being_a_superuser(world):
    sysadmin = _as(world.users.sysadmin)
    assert not world.users.sysadmin.is_superuser
    assert sysadmin.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code == 200
    assert sysadmin.get(reverse("admin:coordination_calendarday_add")).status_code == 200
    assert sysadmin.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
    for name in ("security", "auditor"):
        response = _as(getattr(world.users, name)).get(reverse("admin:index"))
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    # Given another role, the system administrator loses the admin at once.
    from coordination import services as org

    org.user_assign_role(user=world.users.sysadmin, role=Role.LEADER, org_unit=world.city, actor=world.users.security)
    world.users.sysadmin.refresh_from_db()
    assert not world.users.sysadmin.is_staff
    assert sysadmin.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code == 302


def test_the_security_administrator_reads_the_security_policy_in_force(world, settings):
    security, others = _as(world.users.security), [_as(getattr(world.users, name)) for name in ("sysadmin", "auditor")]
    # (signed in before the setting below asks them for a second factor)
    settings.AXES_FAILURE_LIMIT = 6
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin", "security", "auditor"]
    page = security.get(reverse("security-policy")).content.decode()
    assert "连续失败 6 次" in page and "密码至少 8 个字符" in page
    assert "系统管理员、安全管理员、安全审计员" in page
    for client in [*others, _as(world.users.office_policy)]:
        assert client.get(reverse("security-policy")).status_code == 403
