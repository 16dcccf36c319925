"""API tokens (issue 16, point 3; API.md Auth) and the password-reset e-mail limits (point 10).

A login issues a new token each time; only its SHA-256 digest is stored; it expires after
API_TOKEN_LIFETIME_DAYS without use, each use extending it; a password change, a reset and a deactivation
revoke them all; the owner lists and revokes them (API and the 「API令牌」 page), nobody else does.
"""

import datetime
import hashlib

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from conftest import PASSWORD, TEST_TODAY, tianjin_time
from coordination import services as org
from coordination.models import ApiToken, SecurityEvent, UserRoleEvent
from coordination.services.tokens import api_token_issue

TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"
NEW_PASSWORD = "Tj-Town$2026-Quarter"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def clock(time_machine):
    """The suite's pinned clock, to be moved on with clock.shift(timedelta)."""
    time_machine.move_to(tianjin_time(TEST_TODAY), tick=True)
    return time_machine


def login(username: str = "dongli-officer", password: str = PASSWORD, **headers) -> str:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json", **headers)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def works(key: str) -> bool:
    status = with_key(key).get("/api/v1/towns/").status_code
    assert status in (200, 401)
    return status == 200


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def row_of(key: str) -> ApiToken:
    return ApiToken.objects.get(key_hash=hashlib.sha256(key.encode()).hexdigest())


# --- Issuing --------------------------------------------------------------------------------------------


def test_each_login_issues_a_new_token_and_both_work(world):
    first, second = login(), login()
    assert first != second
    assert works(first) and works(second)
    assert ApiToken.objects.filter(user=world.users.officer).count() == 2


def test_the_database_holds_only_the_digest_of_a_key(world):
    key = login(HTTP_USER_AGENT="report-sync/1.2")
    token = ApiToken.objects.get(user=world.users.officer)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest() != key
    assert token.prefix == key[:8] and len(key) >= 40
    assert token.name == "report-sync/1.2"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM coordination_apitoken")
        assert not any(key in str(value) for row in cursor.fetchall() for value in row)


def test_a_client_name_with_control_characters_is_stored_cleaned(world):
    token = api_token_issue(user=world.users.officer, name="脚本\x00\n" + "x" * 300)
    assert token.name.startswith("脚本 ") and "\x00" not in token.name and len(token.name) == 100


def test_a_locked_out_login_answers_429_in_json(world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        APIClient().post(TOKEN_URL, {"username": "dongli-officer", "password": "nope"}, format="json")
    response = APIClient().post(TOKEN_URL, {"username": "dongli-officer", "password": PASSWORD}, format="json")
    assert response.status_code == 429 and response["Content-Type"] == "application/json"
    assert "已被暂时锁定" in response.json()["detail"] and "token" not in response.json()
    assert not ApiToken.objects.exists()


# --- Lifetime -------------------------------------------------------------------------------------------


def test_a_token_unused_for_its_lifetime_expires(world, clock):
    key = login()
    clock.shift(datetime.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS) + datetime.timedelta(minutes=1))
    response = with_key(key).get("/api/v1/towns/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json" and "已过期" in response.json()["detail"]


def test_each_use_extends_the_lifetime(world, clock):
    key = login()
    lifetime = datetime.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)
    clock.shift(lifetime - DAY)
    assert works(key)
    clock.shift(lifetime - DAY)  # 2 × lifetime − 2 days after the login, one lifetime − 1 day unused
    assert works(key)
    clock.shift(lifetime + DAY)
    assert not works(key)


def test_the_expiry_is_written_at_most_once_a_minute(world, clock):
    key = login()
    assert works(key)
    used_at = row_of(key).last_used_at
    with CaptureQueriesContext(connection) as queries:
        assert works(key)
    assert not [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "coordination_apitoken"')]
    assert row_of(key).last_used_at == used_at
    clock.shift(datetime.timedelta(minutes=2))
    assert works(key)
    assert row_of(key).last_used_at > used_at


def test_a_setting_sets_the_lifetime(world, settings, clock):
    settings.API_TOKEN_LIFETIME_DAYS = 2
    key = login()
    clock.shift(3 * DAY)
    assert not works(key)


# --- Revocation ------------------------------------------------------------------------------------------


def test_changing_ones_password_revokes_ones_tokens(world):
    key = login()
    response = as_user(world.users.officer).post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    response = with_key(key).get("/api/v1/towns/")
    assert response.status_code == 401 and "已被撤销" in response.json()["detail"]


def test_a_password_set_through_an_emailed_reset_link_revokes_the_tokens_and_is_audited(world):
    officer = world.users.officer
    key = login()
    link = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(officer.pk)),
            "token": default_token_generator.make_token(officer),
        },
    )
    browser = Client()
    form = browser.get(link, follow=True)  # Django moves the token into the session, then shows the form
    assert form.status_code == 200 and "设置新密码" in form.content.decode()
    done = browser.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert (done.status_code, done["Location"]) == (302, reverse("password_reset_complete"))
    response = with_key(key).get("/api/v1/towns/")
    assert response.status_code == 401 and "已被撤销" in response.json()["detail"]
    event = SecurityEvent.objects.filter(kind="password_changed").latest("pk")
    assert (event.user, event.target) == (officer, "账号 dongli-officer")


def test_an_administrators_password_reset_revokes_the_tokens(world):
    key = login()
    response = with_key(api_token_issue(user=world.users.admin).key).post(
        f"/api/v1/users/{world.users.officer.pk}/reset-password/"
    )
    assert response.status_code == 200
    assert not works(key)


def test_deactivation_revokes_the_tokens_and_reactivation_does_not_revive_them(world):
    key = login()
    org.user_deactivate(actor=world.users.admin, user=world.users.officer, reason="离职")
    assert not works(key)
    org.user_reactivate(actor=world.users.admin, user=world.users.officer)
    assert not works(key)


def test_logging_out_of_the_browser_leaves_api_tokens_alone(world):
    """A decision (API.md): tokens are the credentials of scripts, ended by a password change, a reset, a
    deactivation or their own revocation, not by the end of a browser session."""
    key = login()
    browser = as_user(world.users.officer)
    assert browser.post(reverse("logout")).status_code == 302
    assert works(key)


def test_delete_revokes_the_token_the_call_presents_and_no_other(world):
    key, other = login(), login()
    response = with_key(key).delete(TOKEN_URL)
    assert response.status_code == 204
    assert not works(key) and works(other)
    # A script logging itself out is no event in the account's history.
    assert not UserRoleEvent.objects.filter(action=UserRoleEvent.Action.API_TOKEN_REVOKED).exists()


def test_delete_needs_a_token_not_a_session(world):
    key = login()
    response = APIClient().delete(TOKEN_URL)
    assert response.status_code == 401 and "detail" in response.json()
    browser = as_user(world.users.officer)
    assert browser.delete(TOKEN_URL).status_code == 401
    assert works(key)


def test_a_malformed_authorization_header_is_a_json_401(world):
    for header in ("Token", "Token a b", "Token not-a-real-token"):
        response = APIClient().get("/api/v1/towns/", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401 and response["Content-Type"] == "application/json"
        assert response["WWW-Authenticate"] == "Token"


# --- The owner's list: API --------------------------------------------------------------------------------


def test_the_owner_lists_tokens_in_force_without_keys(world, clock):
    old = login(HTTP_USER_AGENT="old-script")
    clock.shift(datetime.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS + 1))  # `old` expires unused
    revoked, key = login(), login(HTTP_USER_AGENT="report-sync/1.2")
    with_key(revoked).delete(TOKEN_URL)
    api_token_issue(user=world.users.reviewer)  # someone else's

    response = with_key(key).get(TOKENS_URL)
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert set(row) == {"id", "prefix", "name", "created_at", "last_used_at", "expires_at", "current"}
    assert row["prefix"] == key[:8] and row["name"] == "report-sync/1.2" and row["current"] is True
    body = response.content.decode()
    assert key not in body and row_of(key).key_hash not in body and old[:8] not in body


def test_the_owner_revokes_a_token_through_the_api_and_it_is_recorded(world):
    script, key = login(), login()
    script_id = row_of(script).pk
    response = with_key(key).delete(f"{TOKENS_URL}{script_id}/")
    assert response.status_code == 204
    assert not works(script) and works(key)
    event = UserRoleEvent.objects.get(user=world.users.officer, action=UserRoleEvent.Action.API_TOKEN_REVOKED)
    assert event.actor == world.users.officer and script[:8] in event.reason
    assert with_key(key).delete(f"{TOKENS_URL}{script_id}/").status_code == 404  # already ended


def test_another_users_token_is_404_through_the_api(world):
    theirs = api_token_issue(user=world.users.reviewer)
    mine = with_key(login())
    assert mine.get(f"{TOKENS_URL}{theirs.pk}/").status_code == 404
    assert mine.delete(f"{TOKENS_URL}{theirs.pk}/").status_code == 404
    assert works(theirs.key)


# --- The owner's list: page --------------------------------------------------------------------------------


def test_the_page_lists_ones_tokens_with_prefix_and_dates_but_no_key(world):
    key = login(HTTP_USER_AGENT="report-sync/1.2")
    theirs = api_token_issue(user=world.users.reviewer)
    page = as_user(world.users.officer).get(reverse("api-token-list"))
    assert page.status_code == 200
    html = page.content.decode()
    today = f"{TEST_TODAY.year}年{TEST_TODAY.month}月{TEST_TODAY.day}日"
    assert key[:8] in html and "report-sync/1.2" in html and today in html and "撤销" in html
    assert key not in html and theirs.prefix not in html
    assert reverse("api-token-revoke", args=[row_of(key).pk]) in html  # the confirmation's form


def test_a_client_that_names_itself_in_chinese_is_listed_as_it_wrote_it(world):
    # A WSGI server hands the header's UTF-8 bytes over decoded as Latin-1.
    key = login(HTTP_USER_AGENT="统计数据同步/1.0".encode().decode("latin-1"))
    assert row_of(key).name == "统计数据同步/1.0"


def test_the_owner_revokes_a_token_on_the_page(world):
    key = login()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users.officer)
    url = reverse("api-token-revoke", args=[row_of(key).pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403  # no CSRF token
    assert works(key)
    page = client.get(reverse("api-token-list"))
    response = client.post(url, {"csrfmiddlewaretoken": page.context["csrf_token"]}, follow=True)
    assert "已撤销" in response.content.decode()
    assert not works(key)
    assert UserRoleEvent.objects.filter(
        user=world.users.officer, actor=world.users.officer, action=UserRoleEvent.Action.API_TOKEN_REVOKED
    ).exists()


def test_another_users_token_is_404_on_the_page(world):
    theirs = api_token_issue(user=world.users.reviewer)
    response = as_user(world.users.officer).post(reverse("api-token-revoke", args=[theirs.pk]))
    assert response.status_code == 404
    assert works(theirs.key)


def test_the_page_asks_anonymous_visitors_to_log_in(world):
    response = Client().get(reverse("api-token-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- Password-reset e-mails (point 10) ---------------------------------------------------------------------


def _ask_reset(email: str, ip: str = "10.1.1.1"):
    response = Client().post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    return response


@pytest.fixture
def officer_email(world):
    world.users.officer.email = "officer@dongli.example"
    world.users.officer.save(update_fields=["email"])
    return world.users.officer.email


def test_reset_emails_to_one_address_stop_at_the_hourly_limit(officer_email, settings, clock):
    settings.PASSWORD_RESET_EMAILS_PER_HOUR = 3
    for _ in range(5):
        _ask_reset(officer_email.upper())  # the same address in another case
    assert len(mail.outbox) == 3
    clock.shift(datetime.timedelta(minutes=61))
    _ask_reset(officer_email)
    assert len(mail.outbox) == 4


def test_reset_emails_to_one_account_stop_at_the_limit_when_its_address_changes(world, officer_email, settings):
    settings.PASSWORD_RESET_EMAILS_PER_HOUR = 2
    _ask_reset(officer_email)
    _ask_reset(officer_email)
    world.users.officer.email = "officer.new@dongli.example"
    world.users.officer.save(update_fields=["email"])
    _ask_reset("officer.new@dongli.example")
    assert len(mail.outbox) == 2


def test_reset_emails_from_one_client_address_stop_at_their_limit(world, officer_email, settings):
    settings.PASSWORD_RESET_EMAILS_PER_IP_PER_HOUR = 2
    world.users.reviewer.email = "leader@dongli.example"
    world.users.reviewer.save(update_fields=["email"])
    _ask_reset(officer_email, ip="10.9.9.9")
    _ask_reset("leader@dongli.example", ip="10.9.9.9")
    _ask_reset("admin@example.com", ip="10.9.9.9")
    assert [m.to for m in mail.outbox] == [[officer_email], ["leader@dongli.example"]]
    _ask_reset("admin@example.com", ip="10.2.2.2")  # another office
    assert len(mail.outbox) == 3


def test_a_refused_reset_looks_like_an_unknown_address(officer_email, settings):
    settings.PASSWORD_RESET_EMAILS_PER_HOUR = 1
    _ask_reset(officer_email)
    refused = Client().post(reverse("password_reset"), {"email": officer_email}, follow=True)
    unknown = Client().post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)
    assert refused.status_code == unknown.status_code == 200
    assert refused.redirect_chain == unknown.redirect_chain
    assert len(mail.outbox) == 1
