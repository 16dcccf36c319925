"""Two factors at sign-in (issue 22, 等保 2.0 身份鉴别): the password, then a TOTP code from an authenticator app or a
single-use recovery code; compulsory for the roles of TWO_FACTOR_REQUIRED_ROLES, a choice for everyone else; reset by
the security administrator. The codes are computed here as the user's app computes them (RFC 6238)."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from conftest import PASSWORD
from coordination import two_factor
from coordination.models import SecurityEvent, SecurityEventKind


@pytest.fixture
def required(settings):
    """The production rule: the three administrators and the office's working groups need two factors."""
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin", "security", "auditor", "office"]
    # django-otp makes a device wait after a wrong code (1 s, doubling); these tests try the right one at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    return settings


def _sign_in(username: str) -> Client:
    browser = Client()
    response = browser.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def code_of(device: TOTPDevice, *, later: int = 0) -> str:
    """What the app shows now (or `later` steps on: a code is accepted once only)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + later * device.step
    return f"{totp.token():0{device.digits}d}"


def _enrol(browser: Client, user) -> list[str]:
    page = browser.get(reverse("two-factor-setup"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert two_factor.secret_text(device) in page.content.decode()
    response = browser.post(reverse("two-factor-setup"), {"token": code_of(device), "next": "/"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    return [line.split("</code>")[0] for line in response.content.decode().split('<code class="fs-5">')[1:]]


def test_a_required_role_signs_in_with_a_password_alone_and_reaches_nothing_until_it_enrols(world, required):
    browser = _sign_in("auditor")
    home = browser.get("/")
    assert home.status_code == 302 and home["Location"].startswith(reverse("two-factor-verify"))
    assert browser.get(reverse("two-factor-verify")).status_code == 302  # no app yet: to enrolment
    assert browser.get("/api/v1/towns/").status_code == 403
    wrong = browser.post(reverse("two-factor-setup"), {"token": "000000"})
    assert "动态验证码不正确" in wrong.content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.TWO_FACTOR_FAILED, username="auditor").exists()
    codes = _enrol(browser, world.users.auditor)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert browser.get("/").status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.TWO_FACTOR_ENROLLED, username="auditor").exists()


def test_the_next_sign_in_asks_the_apps_code_or_a_recovery_code_once(world, required):
    codes = _enrol(_sign_in("auditor"), world.users.auditor)
    device = TOTPDevice.objects.get(user=world.users.auditor, confirmed=True)
    browser = _sign_in("auditor")
    assert browser.get(reverse("security-audit")).status_code == 302
    refused = browser.post(reverse("two-factor-verify"), {"token": "123 456"})
    assert "动态验证码或恢复码不正确" in refused.content.decode()
    ok = browser.post(
        reverse("two-factor-verify"), {"token": code_of(device, later=1), "next": "/system/security-audit/"}
    )
    assert ok.status_code == 302 and ok["Location"] == "/system/security-audit/"
    assert browser.get(reverse("security-audit")).status_code == 200
    # Without the phone: a recovery code, good once.
    for expected in (302, 200):
        other = _sign_in("auditor")
        response = other.post(reverse("two-factor-verify"), {"token": codes[0]})
        assert response.status_code == expected
    assert two_factor.recovery_codes_left(world.users.auditor) == 9


def test_an_officer_chooses_two_factors_and_may_turn_them_off_a_required_role_may_not(world, required):
    officer = _sign_in("dongli-officer")
    assert officer.get("/").status_code == 200  # not required of an officer
    page = officer.get(reverse("account-security")).content.decode()
    assert "未启用" in page and "启用双因素认证" in page
    _enrol(officer, world.users.officer)
    assert _sign_in("dongli-officer").get("/").status_code == 302  # now it is asked
    officer.post(reverse("two-factor-disable"))
    assert not two_factor.enabled_for(world.users.officer)
    assert _sign_in("dongli-officer").get("/").status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.TWO_FACTOR_DISABLED, username="dongli-officer").exists()
    auditor = _sign_in("auditor")
    _enrol(auditor, world.users.auditor)
    assert auditor.post(reverse("two-factor-disable")).status_code == 403
    assert two_factor.enabled_for(world.users.auditor)


def test_an_api_token_needs_the_code_where_the_sign_in_does(world, required):
    login = {"username": "auditor", "password": PASSWORD}
    refused = APIClient().post("/api/v1/auth/token/", login, format="json")
    assert refused.status_code == 403 and "动态验证码" in refused.json()["detail"]
    _enrol(_sign_in("auditor"), world.users.auditor)
    device = TOTPDevice.objects.get(user=world.users.auditor, confirmed=True)
    wrong = APIClient().post("/api/v1/auth/token/", {**login, "otp": "000000"}, format="json")
    assert wrong.status_code == 403
    token = APIClient().post("/api/v1/auth/token/", {**login, "otp": code_of(device, later=1)}, format="json")
    assert token.status_code == 200 and token.json()["token"]
    officer = APIClient().post("/api/v1/auth/token/", {"username": "dongli-officer", "password": PASSWORD})
    assert officer.status_code == 200  # who needs no second factor logs in as before


def test_the_security_administrator_resets_two_factors_and_the_user_enrols_again(world, required):
    user = world.users.sysadmin
    browser = _sign_in("sysadmin")
    _enrol(browser, user)
    detail = reverse("user-detail", args=[user.pk])
    security = _sign_in("secadmin")  # who needs two factors too
    _enrol(security, world.users.security)
    assert "重置双因素认证" in security.get(detail).content.decode()
    response = security.post(reverse("user-two-factor-reset", args=[user.pk]), follow=True)
    assert "已重置" in response.content.decode()
    assert not two_factor.enabled_for(user)
    assert browser.get("/").status_code == 302 and "login" in browser.get("/")["Location"]  # signed out
    event = SecurityEvent.objects.get(kind=SecurityEventKind.TWO_FACTOR_RESET)
    assert event.user == world.users.security and event.target == "账号 sysadmin"
    again = _sign_in("sysadmin")
    assert again.get("/")["Location"].startswith(reverse("two-factor-verify"))
    _enrol(again, user)
    assert again.get("/").status_code == 200


def test_after_a_wrong_code_the_next_try_waits_so_codes_cannot_be_guessed_in_a_burst(world, settings):
    import datetime

    import time_machine
    from django.utils import timezone

    settings.TWO_FACTOR_REQUIRED_ROLES = ["auditor"]
    _enrol(_sign_in("auditor"), world.users.auditor)
    device = TOTPDevice.objects.get(user=world.users.auditor, confirmed=True)
    browser = _sign_in("auditor")
    browser.post(reverse("two-factor-verify"), {"token": "000000"})
    too_soon = browser.post(reverse("two-factor-verify"), {"token": code_of(device, later=1)})
    assert too_soon.status_code == 200 and "连续输错后须等待片刻" in too_soon.content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=40), tick=False):
        done = browser.post(reverse("two-factor-verify"), {"token": code_of(device)})
    assert done.status_code == 302
