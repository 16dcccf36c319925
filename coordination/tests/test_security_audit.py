"""The security audit (issue 22, 等保 2.0 安全审计): every sign-in and its failure, logout and lockout, password change
and reset, account created and deactivated, API token issued and revoked is a row of SecurityEvent with the time, the
user (or the name a failed sign-in gave), the client's address, the object, the result and the request id; and
the table refuses to change a row or delete one."""

import pytest
from django.conf import settings
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import PASSWORD
from coordination import services as org
from coordination.models import Role, SecurityEvent

OFFICE = "10.12.0.8"
NEW = "Tj-Town$2026-Quarter"


def _last() -> int:
    """The last event's id so far (the world's accounts were created with events of their own)."""
    return SecurityEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _events(after: int, **filters) -> list[tuple]:
    rows = SecurityEvent.objects.filter(pk__gt=after, **filters).order_by("pk")
    return [(e.kind, e.username, e.ip, e.target, e.result) for e in rows]


def _login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=OFFICE)


def test_sign_ins_their_failures_logouts_and_a_lockout_are_recorded_with_address_and_request_id(world):
    start = _last()
    browser = Client()
    assert _login(browser, "dongli-officer", "wrong-password").status_code == 200
    signed_in = _login(browser, "dongli-officer", PASSWORD)
    assert signed_in.status_code == 302
    browser.post(reverse("logout"), REMOTE_ADDR=OFFICE)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "xiqing-officer", "wrong-password")
    assert _events(start) == [
        ("login_failed", "dongli-officer", OFFICE, "", "failure"),
        ("login", "dongli-officer", OFFICE, "", "success"),
        ("logout", "dongli-officer", OFFICE, "", "success"),
        *[("login_failed", "xiqing-officer", OFFICE, "", "failure")] * (settings.AXES_FAILURE_LIMIT - 1),
        ("locked_out", "xiqing-officer", OFFICE, "", "failure"),  # at the last failure, which follows
        ("login_failed", "xiqing-officer", OFFICE, "", "failure"),
    ]
    login = SecurityEvent.objects.get(pk__gt=start, kind="login")
    assert login.user == world.users.officer and login.request_id == signed_in["X-Request-ID"]


def test_password_and_account_changes_name_who_did_them_and_to_which_account(world):
    admin, officer = world.users.admin, world.users.officer
    browser = Client()
    browser.force_login(officer)
    start = _last()
    changed = browser.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
        REMOTE_ADDR=OFFICE,
    )
    assert changed.status_code == 302
    newcomer = org.user_create(username="wang-wu", role=Role.OFFICER, org_unit=world.dongli, actor=admin)
    org.user_reset_password(actor=admin, user=newcomer, reason="遗忘密码")
    org.user_deactivate(actor=admin, user=newcomer, reason="调离")
    rows = list(SecurityEvent.objects.filter(pk__gt=start).order_by("pk"))
    assert [(e.kind, e.user, e.target) for e in rows] == [
        ("password_changed", officer, "账号 dongli-officer"),
        ("user_created", admin, "账号 wang-wu"),
        ("password_reset", admin, "账号 wang-wu"),
        ("user_deactivated", admin, "账号 wang-wu"),
    ]
    assert rows[0].ip == OFFICE and rows[0].request_id


def test_api_tokens_issued_and_revoked_are_recorded(world):
    start = _last()
    api = APIClient(REMOTE_ADDR=OFFICE)
    issued = api.post("/api/v1/auth/token/", {"username": "dongli-officer", "password": PASSWORD}, format="json")
    assert issued.status_code == 200
    key = issued.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.delete("/api/v1/auth/token/").status_code == 204
    prefix = key[:8]
    assert _events(start, kind__in=["token_issued", "token_revoked"]) == [
        ("token_issued", "dongli-officer", OFFICE, f"账号 dongli-officer 令牌 {prefix}…", "success"),
        ("token_revoked", "dongli-officer", OFFICE, f"账号 dongli-officer 令牌 {prefix}…", "success"),
    ]


def test_the_security_audit_refuses_to_change_or_delete_a_row(world):
    start = _last()
    _login(Client(), "dongli-officer", "wrong-password")
    event = SecurityEvent.objects.get(pk__gt=start)
    for attempt in (
        lambda: SecurityEvent.objects.filter(pk=event.pk).update(result="success"),
        lambda: SecurityEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    event.refresh_from_db()
    assert event.result == "failure"


def test_rows_past_their_retention_go_to_an_archive_file_and_only_then_leave_the_table(world, settings, tmp_path):
    import datetime
    import gzip
    import json

    from django.utils import timezone

    from coordination.models import SecurityEventKind
    from coordination.security_audit import archive_old_events

    settings.SECURITY_AUDIT_ARCHIVE_DIR = tmp_path
    assert settings.SECURITY_AUDIT_RETENTION_DAYS == 180
    now = timezone.now()
    aged = [
        SecurityEvent.objects.create(at=now - datetime.timedelta(days=days), username=name, ip=OFFICE,
                                     kind=SecurityEventKind.LOGIN_FAILED, result=SecurityEvent.Result.FAILURE)
        for days, name in ((400, "old-one"), (181, "old-two"))
    ]  # fmt: skip
    kept = SecurityEvent.objects.create(at=now - datetime.timedelta(days=179), username="recent", kind="login")
    path = archive_old_events(now=now)
    with gzip.open(path, "rt", encoding="utf-8") as archive:
        lines = [json.loads(line) for line in archive]
    assert [(row["id"], row["username"], row["ip"], row["result"]) for row in lines] == [
        (aged[0].pk, "old-one", OFFICE, "failure"),
        (aged[1].pk, "old-two", OFFICE, "failure"),
    ]
    assert lines[0]["at"] == aged[0].at.isoformat()
    assert not SecurityEvent.objects.filter(pk__in=[event.pk for event in aged]).exists()
    assert SecurityEvent.objects.filter(pk=kept.pk).exists()
    archived = SecurityEvent.objects.get(kind=SecurityEventKind.ARCHIVED)
    assert archived.target == f"2 条记录 → {path.name}"
    assert archive_old_events(now=now) is None  # nothing more is that old
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no partial file left behind
    # Outside the archiver the table still refuses a deletion.
    with pytest.raises(DatabaseError), transaction.atomic():
        SecurityEvent.objects.filter(pk=kept.pk).delete()


def test_configuration_changes_are_recorded_the_routing_of_work_and_the_admins_schedules_and_calendar(world):
    from coordination.models import SecurityEventKind

    start = _last()
    org.submission_route_change(
        actor=world.users.sysadmin, kind="assessments", working_group=world.groups["coord"], reason="调整"
    )
    admin = Client()
    admin.force_login(world.users.sysadmin)  # the system administrator keeps the calendar in the admin
    added = admin.post(
        reverse("admin:coordination_calendarday_add"),
        {"date": "2027-01-01", "is_working_day": "", "note": "元旦"},
        REMOTE_ADDR=OFFICE,
    )
    assert added.status_code == 302
    changes = _events(start, kind=SecurityEventKind.CONFIG_CHANGED)
    assert [(kind, username, target) for kind, username, _ip, target, _result in changes] == [
        ("config_changed", "sysadmin", f"事项分工：创建考核 → {world.groups['coord'].name}"),
        ("config_changed", "sysadmin", "后台管理：节假日与调休 2027-01-01 元旦（新增）"),
    ]
    assert changes[1][2] == OFFICE
