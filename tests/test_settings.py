"""Production start-up: a missing secret or database stops the app with a clear message, and the
deploy checks pass with production settings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

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
