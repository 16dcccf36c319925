"""Passwords are stored with Argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane; issue 21: a login's hash
was most of the CPU on deadline day with PBKDF2), and a password stored before with PBKDF2 still logs in and is
stored again with Argon2id. (The suite itself hashes with MD5, tianjin_towns/settings.py, so these tests set the
production list.)"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.urls import reverse

from conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_HASHERS = [
    "tianjin_towns.security.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
OWASP_ARGON2ID = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS


def test_production_settings_hash_with_argon2id_and_still_know_pbkdf2():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    code = "from django.conf import settings; print(*settings.PASSWORD_HASHERS, sep='|')"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env | {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 64},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == PRODUCTION_HASHERS


def test_a_new_password_is_stored_with_argon2id_at_owasp_parameters(production_hashers):
    assert make_password(PASSWORD).startswith(OWASP_ARGON2ID)


def test_a_pbkdf2_password_still_logs_in_and_is_stored_again_with_argon2id(production_hashers, client, world):
    officer = world.users.officer
    get_user_model().objects.filter(pk=officer.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    response = client.post(reverse("login"), {"username": officer.username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    officer.refresh_from_db()
    assert officer.password.startswith(OWASP_ARGON2ID)


def test_an_argon2_hash_with_djangos_heavier_parameters_is_made_again_at_login(production_hashers, client, world):
    officer = world.users.officer
    djangos = Argon2PasswordHasher()  # 100 MiB, 2 passes, 8 lanes
    get_user_model().objects.filter(pk=officer.pk).update(password=djangos.encode(PASSWORD, djangos.salt()))
    assert client.post(reverse("login"), {"username": officer.username, "password": PASSWORD}).status_code == 302
    officer.refresh_from_db()
    assert officer.password.startswith(OWASP_ARGON2ID)


def test_a_wrong_password_against_a_pbkdf2_hash_is_refused_and_left_alone(production_hashers, client, world):
    officer = world.users.officer
    stored = make_password(PASSWORD, hasher="pbkdf2_sha256")
    get_user_model().objects.filter(pk=officer.pk).update(password=stored)
    response = client.post(reverse("login"), {"username": officer.username, "password": "wrong-password"})
    assert response.status_code == 200
    officer.refresh_from_db()
    assert officer.password == stored
