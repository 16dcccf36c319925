"""Two factors in the browser (issue 22): the security administrator resets the system administrator's lost
authenticator app from the user's page, and the system administrator, signing in again, enrols a new app by its
secret, with a TOTP code computed here as the app computes it (RFC 6238), then reaches the platform. The pages of the
second step pass axe (WCAG 2.1 AA). The pages are answered by the test client in the test's transaction."""

import base64

import pytest
from axe import violations
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from through_client import ThroughClient

from conftest import PASSWORD
from coordination import two_factor


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin", "security", "auditor", "office"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    return settings


def _app_code(secret: str, *, later: int = 0) -> str:
    """What an authenticator app shows for a secret typed in as the page shows it (base32, in groups)."""
    letters = secret.replace(" ", "")
    key = base64.b32decode(letters + "=" * (-len(letters) % 8))
    totp = TOTP(key)
    totp.time += later * totp.step
    return f"{totp.token():06d}"


def _enrolled(user) -> None:
    """`user` has an authenticator app, enrolled as the setup page does."""
    device = two_factor.pending_device(user)
    two_factor.two_factor_enrol(user=user, device=device, token=_app_code(two_factor.secret_text(device)))


def _signed_in_with_two_factors(user, username: str) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302
    device = user.totpdevice_set.get(confirmed=True)
    code = _app_code(two_factor.secret_text(device), later=1)
    assert client.post(reverse("two-factor-verify"), {"token": code}).status_code == 302
    return client


def test_the_security_administrator_resets_a_lost_app_and_the_user_enrols_a_new_one(request, world, required):
    sysadmin, security = world.users.sysadmin, world.users.security
    _enrolled(sysadmin)
    _enrolled(security)
    browser = ThroughClient(request.session, _signed_in_with_two_factors(security, "secadmin"))
    detail = browser.origin + reverse("user-detail", args=[sysadmin.pk])

    def reset(page) -> str:
        page.goto(detail)
        page.get_by_role("button", name="重置双因素认证").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_role("button", name="重置双因素认证").click()
        page.wait_for_selector(".alert-success")
        return page.inner_text(".alert-success")

    assert "双因素认证已重置" in browser.run(reset)
    assert not two_factor.enabled_for(sysadmin)

    browser.client = Client()  # the system administrator, at the login page

    def enrol_again(page) -> dict:
        page.goto(browser.origin + reverse("login"))
        page.fill("input[name=username]", "sysadmin")
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_selector("[data-totp-secret]")
        seen = {"url": page.url, "axe": violations(page, "sysadmin: enrolling an app")}
        page.fill("input[name=token]", "000000")
        page.get_by_role("button", name="完成绑定").click()
        page.wait_for_selector(".invalid-feedback")
        seen["refused"] = page.inner_text(".invalid-feedback")
        page.fill("input[name=token]", _app_code(page.inner_text("[data-totp-secret]")))
        page.get_by_role("button", name="完成绑定").click()
        page.wait_for_selector("[data-recovery-codes]")
        seen["codes"] = page.locator("[data-recovery-codes] code").all_inner_texts()
        page.get_by_role("link", name="继续").click()
        page.wait_for_load_state()
        seen["home"] = page.url
        seen["menus"] = page.inner_text("nav")
        return seen

    seen = browser.run(enrol_again)
    assert reverse("two-factor-setup") in seen["url"]
    assert seen["axe"] == []
    assert "动态验证码不正确" in seen["refused"]
    assert len(seen["codes"]) == 10
    assert seen["home"] == browser.origin + "/"
    assert "系统管理" in seen["menus"]  # signed in, with the system administrator's menus
    assert two_factor.enabled_for(sysadmin)
