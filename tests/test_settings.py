"""Production start-up: a missing secret or database stops the app with a clear message, and the
deploy checks pass with production settings. Development mode (`make run`) shows the platform's Chinese
error pages; Django's debug pages are a developer's opt-in. seed_demo, whose users' password is published, writes
nothing outside development unless told."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base | env, capture_output=True, text=True, timeout=120
    )


def test_production_without_secret_key_refuses_to_start():
    result = manage("check", DJANGO_DEBUG="0", DATABASE_URL=os.environ["DATABASE_URL"])
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_without_database_url_refuses_to_start():
    result = manage("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr


def test_sqlite_is_refused():
    result = manage("check", DJANGO_DEBUG="1", DATABASE_URL="sqlite:///tmp/x.db")
    assert result.returncode != 0
    assert "Only PostgreSQL" in result.stderr


def test_deploy_checks_pass_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="towns.example.gov.cn",
        DATABASE_URL=os.environ["DATABASE_URL"],
    )
    assert result.returncode == 0, result.stderr


def _settings_of(*names: str, **env: str) -> list[str]:
    code = f"from django.conf import settings; print(*[repr(getattr(settings, n)) for n in {names!r}], sep='|')"
    result = manage("shell", "-v", "0", "-c", code, DATABASE_URL=os.environ["DATABASE_URL"], **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split("|")


def test_make_runs_development_mode_shows_the_chinese_error_pages_not_djangos_debug_pages():
    """`make run` sets DJANGO_DEBUG=1: development conveniences, but not Django's English debug pages."""
    debug, cookie_secure, email, languages = _settings_of(
        "DEBUG", "SESSION_COOKIE_SECURE", "EMAIL_BACKEND", "LANGUAGES", DJANGO_DEBUG="1"
    )
    assert debug == "False"
    assert cookie_secure == "False"  # plain http://127.0.0.1 keeps its session
    assert "console" in email
    assert "'zh-hans'" in languages and "'en'" not in languages


def test_djangos_debug_pages_are_an_opt_in_of_development_mode_only():
    assert _settings_of("DEBUG", DJANGO_DEBUG="1", DJANGO_DEBUG_PAGES="1") == ["True"]
    production = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(64), "DJANGO_DEBUG_PAGES": "1"}
    assert _settings_of("DEBUG", "SESSION_COOKIE_SECURE", **production) == ["False", "True"]


def test_no_language_but_chinese_is_negotiated():
    (middleware,) = _settings_of("MIDDLEWARE", DJANGO_DEBUG="1")
    assert "LocaleMiddleware" not in middleware


def test_seed_demo_refuses_a_production_database_without_being_told():
    """Issue 22: the demo users' password is published, so seed_demo writes nothing where DJANGO_DEBUG is off."""
    result = manage(
        "seed_demo",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="towns.example.gov.cn",
        # A database that does not exist: the refusal comes before any connection (were it missing, nothing real
        # would be written either).
        DATABASE_URL=os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/no_database_for_seed_demo",
    )
    assert result.returncode != 0
    assert "已拒绝写入演示数据" in result.stderr and "--i-know-this-is-production" in result.stderr
    assert "Traceback" not in result.stderr


class _Seeding(Exception):
    pass


def test_seed_demo_in_production_only_when_told(settings, monkeypatch, db):
    """With the flag the guard lets the seed run (stopped here where it would start writing)."""
    from django.core.management import CommandError, call_command

    from assessments import demo

    def seeding(span):
        raise _Seeding

    monkeypatch.setattr(demo, "seed_platform", seeding)
    settings.DEVELOPMENT = settings.TESTING = False
    with pytest.raises(CommandError, match="已拒绝写入演示数据"):
        call_command("seed_demo")
    with pytest.raises(_Seeding):
        call_command("seed_demo", "--i-know-this-is-production")
