"""The password policy (issue 22, 等保 2.0 身份鉴别): eight characters or more of three kinds, not the user name, not one
of the last five; a password older than 90 days is changed before anything else, in the browser, and no API token
is issued on it meanwhile. The change page shows the rules."""

import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from conftest import PASSWORD
from coordination.models import PasswordHistory, UserProfile

NEW = "Tj-Town$2026-Quarter"


def _refusals(password: str, user) -> list[str]:
    """What the forms say of `password` for `user` (in Chinese, as on the pages)."""
    with translation.override("zh-hans"):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return error.messages
    return []


def _changed(client: Client, old: str, new: str):
    return client.post(reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new})


def _aged(user, days: int) -> None:
    UserProfile.objects.filter(user=user).update(password_changed_at=timezone.now() - datetime.timedelta(days=days))


@pytest.mark.parametrize(
    ("password", "refusal"),
    [
        ("huaming2026", "密码须包含小写字母、大写字母、数字、符号中的至少 3 类。"),  # two kinds
        ("HUAMING-TOWN", "密码须包含小写字母、大写字母、数字、符号中的至少 3 类。"),
        ("Dongli-Officer-9", "密码不能包含用户名。"),  # the user name, whatever its case
        ("Xy7-reciffo-ilgnod", "密码不能包含用户名。"),  # reversed
        ("Ab1-", "密码太短，至少需要 8 个字符。"),
    ],
)
def test_a_weak_password_is_refused_with_the_rule_it_breaks(world, password, refusal):
    assert refusal in _refusals(password, world.users.officer)


def test_a_password_of_three_kinds_without_the_user_name_passes(world):
    assert _refusals("Huaming#Town88", world.users.officer) == []
    assert _refusals("huaming#town88", world.users.officer) == []  # lower case, digits and a symbol


def test_none_of_the_last_five_passwords_comes_back(world):
    officer = world.users.officer
    used = [f"Huaming#{n}Town" for n in range(1, 7)]
    for password in used[:5]:
        officer.set_password(password)
        officer.save()
    for password in used[:5]:  # the current one and the four before it
        assert _refusals(password, officer) == ["不能使用最近 5 次用过的密码。"], password
    officer.set_password(used[5])
    officer.save()
    assert _refusals(used[0], officer) == []  # six passwords ago: allowed again
    assert _refusals(used[1], officer) == ["不能使用最近 5 次用过的密码。"]
    assert PasswordHistory.objects.filter(user=officer).count() == 5
    assert all(row.password.startswith("md5$") for row in PasswordHistory.objects.filter(user=officer))  # hashes


def test_the_change_page_shows_the_rules_and_refuses_the_current_password(world):
    client = Client()
    client.force_login(world.users.officer)
    page = client.get(reverse("password_change")).content.decode()
    for rule in ("至少 8 个字符", "至少 3 类", "不能包含用户名", "最近 5 次"):
        assert rule in page
    refused = _changed(client, PASSWORD, PASSWORD)
    assert refused.status_code == 200
    assert "不能使用最近 5 次用过的密码。" in refused.content.decode()


def test_a_password_older_than_ninety_days_is_changed_before_anything_else(world, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90  # the suite's own setting is 0 (tianjin_towns/settings.py)
    officer = world.users.officer
    client = Client()
    client.force_login(officer)
    _aged(officer, 89)
    assert client.get(reverse("home")).status_code == 200
    _aged(officer, 91)
    for name in ("home", "report-list", "ledger"):
        response = client.get(reverse(name))
        assert (response.status_code, response["Location"]) == (302, reverse("password_change")), name
    assert "您的密码已使用超过 90 天" in client.get(reverse("password_change")).content.decode()
    refused = client.get("/api/v1/monthly-reports/")  # the session does not reach the API either
    assert (refused.status_code, refused.json()["detail"]) == (403, "密码已到期，请先登录网页修改密码。")
    token = APIClient().post("/api/v1/auth/token/", {"username": officer.username, "password": PASSWORD}, format="json")
    assert (token.status_code, token.json()["detail"]) == (403, "密码已到期，请先登录网页修改密码。")
    assert _changed(client, PASSWORD, NEW).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    profile = UserProfile.objects.get(user=officer)
    assert timezone.now() - profile.password_changed_at < datetime.timedelta(minutes=1)
