"""Security in production settings: login throttling, session lifetimes, CSP, CSRF, download headers,
the security log, the database-outage page. (`check --deploy` itself: tests/test_settings.py.)"""

import io
import logging
import re
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from ledgers import views as ledger_views
from tianjin_towns import health, logs

ROOT = Path(__file__).resolve().parent.parent
OFFICE_A, OFFICE_B = "10.20.30.40", "10.20.30.99"  # two district offices, each behind one address


def _login(client: Client, username: str, password: str, ip: str):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _fail_until_locked(client: Client, username: str, ip: str):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, username, "wrong-password", ip)


@pytest.fixture
def security_log(caplog):
    """Records of the security log, each with the request id its handler would print."""
    caplog.handler.addFilter(logs.RequestIdFilter())
    caplog.set_level(logging.INFO, logger="tianjin_towns.security")
    return caplog


# --- Login throttling (django-axes, username AND address) -------------------------------------------


def test_repeated_wrong_passwords_lock_the_username_at_that_address(client, world):
    _fail_until_locked(client, "dongli-officer", OFFICE_A)
    response = _login(client, "dongli-officer", PASSWORD, OFFICE_A)  # even the right password now
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已暂时锁定" in page and "15 分钟" in page
    assert SESSION_KEY not in client.session


def test_a_colleague_behind_the_same_address_can_still_log_in(client, world):
    _fail_until_locked(client, "dongli-officer", OFFICE_A)
    response = _login(Client(), "dongli-leader", PASSWORD, OFFICE_A)
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_the_locked_username_can_log_in_from_another_address(client, world):
    _fail_until_locked(client, "dongli-officer", OFFICE_A)
    assert _login(Client(), "dongli-officer", PASSWORD, OFFICE_B).status_code == 302


def test_fewer_failures_than_the_limit_do_not_lock(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "dongli-officer", "wrong-password", OFFICE_A)
    assert _login(client, "dongli-officer", PASSWORD, OFFICE_A).status_code == 302


def test_lockout_ends_after_the_cool_off(client, world):
    _fail_until_locked(client, "dongli-officer", OFFICE_A)
    assert _login(client, "dongli-officer", PASSWORD, OFFICE_A).status_code == 429
    # Let the cool-off pass: the attempts are now older than it.
    passed = settings.AXES_COOLOFF_TIME + settings.AXES_COOLOFF_TIME / 10
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - passed)
    assert _login(client, "dongli-officer", PASSWORD, OFFICE_A).status_code == 302


def test_a_locked_out_user_gets_no_api_token(world):
    api = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post(reverse("api-token"), {"username": "dongli-officer", "password": "nope"}, REMOTE_ADDR=OFFICE_A)
    response = api.post(
        reverse("api-token"), {"username": "dongli-officer", "password": PASSWORD}, REMOTE_ADDR=OFFICE_A
    )
    assert response.status_code == 429  # as the login page answers, not 400 "用户名或密码不正确"
    assert "token" not in response.json() and "已被暂时锁定" in response.json()["detail"]
    ok = Client().post(reverse("api-token"), {"username": "dongli-officer", "password": PASSWORD}, REMOTE_ADDR=OFFICE_B)
    assert "token" in ok.json()


def test_nginx_real_ip_is_used_only_when_trusted(client, world, settings):
    settings.TRUST_X_REAL_IP = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "dongli-officer", "password": "x"},
            REMOTE_ADDR="172.18.0.5",
            HTTP_X_REAL_IP=OFFICE_A,
        )
    assert AccessAttempt.objects.get().ip_address == OFFICE_A


# --- Session lifetimes --------------------------------------------------------------------------------


def _logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _age_session(client: Client, *, idle: int = 0, since_login: int = 0) -> None:
    session = client.session
    now = int(time.time())
    session["_seen_at"] = now - idle
    session["_login_at"] = now - since_login
    session.save()


def test_an_active_session_stays_logged_in(world):
    client = _logged_in_client(world.users.officer)
    _age_session(client, idle=settings.SESSION_IDLE_TIMEOUT - 120, since_login=3600)
    assert client.get(reverse("home")).status_code == 200
    assert int(time.time()) - client.session["_seen_at"] < 5  # the activity was recorded


def test_an_idle_session_is_logged_out_with_a_message(world):
    client = _logged_in_client(world.users.officer)
    _age_session(client, idle=settings.SESSION_IDLE_TIMEOUT + 1, since_login=3600)
    response = client.get(reverse("report-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    page = client.get(response.url).content.decode()
    assert "未操作" in page and "自动退出" in page
    assert SESSION_KEY not in client.session


def test_a_session_ends_after_its_absolute_lifetime_despite_activity(world):
    client = _logged_in_client(world.users.officer)
    _age_session(client, idle=10, since_login=settings.SESSION_ABSOLUTE_LIFETIME + 1)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_api_token_calls_are_not_subject_to_the_session_timeout(world, api):
    from coordination.services.tokens import api_token_issue

    token = api_token_issue(user=world.users.officer)
    response = Client().get("/api/v1/towns/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


# --- Passwords ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["1234567", "12345678", "password", "dongli-officer1"])
def test_weak_passwords_are_refused(world, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=world.users.officer)


def test_a_strong_password_is_accepted(world):
    validate_password("Tj-Town$2026-Quarter", user=world.users.officer)


# --- Content-Security-Policy, inline code, CSRF -------------------------------------------------------


def test_pages_carry_a_csp_without_unsafe_inline(client, world):
    for response in (client.get(reverse("login")), _logged_in_client(world.users.officer).get(reverse("home"))):
        policy = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"


def _template_files() -> list[Path]:
    folders = [ROOT / "templates", *ROOT.glob("*/templates")]
    return sorted(p for folder in folders for p in folder.rglob("*.html") if ".venv" not in p.parts)


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script> (put it in static/js/)"),
    (re.compile(r"<style[\s>]", re.I), "a <style> block (put it in static/css/app.css)"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute (use a class in static/css/app.css)"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on…= event handler (bind it in static/js/)"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


TEMPLATE_CODE = re.compile(r"{% *comment *%}.*?{% *endcomment *%}|{#.*?#}|{%.*?%}", re.S)


def _markup(path: Path) -> str:
    """The template's HTML with template tags and comments blanked out (line numbers kept)."""
    return TEMPLATE_CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), path.read_text(encoding="utf-8"))


def test_no_template_has_inline_scripts_styles_or_handlers():
    """The CSP forbids them, so the browser would silently ignore them."""
    problems = [
        f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}: {what}"
        for path in _template_files()
        for text in [_markup(path)]
        for pattern, what in INLINE
        for match in pattern.finditer(text)
    ]
    assert not problems, "Inline code that the Content-Security-Policy blocks:\n" + "\n".join(problems)


def test_every_post_form_carries_a_csrf_token():
    problems = []
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<form\b[^>]*method=[\"']?post[^>]*>(.*?)</form>", text, re.I | re.S):
            if "csrf_token" not in match.group(1):
                problems.append(f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}")
    assert not problems, "POST forms without {% csrf_token %}:\n" + "\n".join(problems)


def test_no_view_is_exempt_from_csrf():
    sources = [
        p
        for p in ROOT.rglob("*.py")
        if not {".venv", "node_modules", "tests", "migrations"} & set(p.relative_to(ROOT).parts)
    ]
    offenders = [str(p.relative_to(ROOT)) for p in sources if "csrf_exempt" in p.read_text(encoding="utf-8")]
    assert not offenders


def test_a_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users.officer)
    response = client.post(reverse("report-fill"), {"town": world.town.pk, "period": "2026-10"})
    assert response.status_code == 403


def test_api_docs_are_served_without_a_cdn_or_inline_script(client, world):
    client.force_login(world.users.officer)
    page = client.get(reverse("api-docs")).content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) and "<style" not in page


# --- Downloads ----------------------------------------------------------------------------------------


def test_downloads_are_sandboxed_attachments(world):
    response = _logged_in_client(world.users.officer).get(reverse("ledger-export"), {"year": 2026})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_file_download_hands_the_file_to_nginx_in_production(settings):
    from tianjin_towns.lib import downloads

    stored = SimpleNamespace(name="policies/2026/政策.pdf", open=lambda mode: io.BytesIO(b"%PDF-1.4 test"))
    settings.MEDIA_ACCEL_REDIRECT = True
    response = downloads.file_download(stored, filename="政策.pdf", content_type="application/pdf")
    assert response["X-Accel-Redirect"] == "/protected-media/policies/2026/%E6%94%BF%E7%AD%96.pdf"
    assert response.content == b""

    settings.MEDIA_ACCEL_REDIRECT = False
    response = downloads.file_download(stored, filename="政策.pdf", content_type="application/pdf")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert "attachment" in response["Content-Disposition"]


# --- The security log ---------------------------------------------------------------------------------


def _lines(caplog, contains: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "tianjin_towns.security" and contains in r.getMessage()]


def test_logins_failures_and_lockouts_are_logged_with_user_address_and_request_id(client, world, security_log):
    _login(client, "dongli-officer", PASSWORD, OFFICE_B)
    _fail_until_locked(client, "xiqing-officer", OFFICE_A)
    [ok] = _lines(security_log, "login user=dongli-officer")
    assert f"ip={OFFICE_B}" in ok.getMessage()
    failures = _lines(security_log, "login failed user=xiqing-officer")
    assert len(failures) == settings.AXES_FAILURE_LIMIT
    assert all(f"ip={OFFICE_A}" in r.getMessage() for r in failures)
    assert _lines(security_log, "login locked out user=xiqing-officer")
    assert all(re.fullmatch(r"[0-9a-f]{32}", r.request_id) for r in [ok, *failures])
    assert len({r.request_id for r in failures}) == len(failures)  # one id per request


def test_refused_pages_and_api_calls_are_logged_with_the_user(world, make_report, security_log, api):
    report = make_report()
    reviewer = _logged_in_client(world.users.reviewer)
    response = reviewer.post(reverse("report-submit", args=[report.pk]))  # seen, not allowed
    assert response.status_code == 403
    outsider = _logged_in_client(world.users.outsider)
    assert outsider.get(reverse("report-detail", args=[report.pk])).status_code == 404  # not seen
    assert api(world.users.outsider).get(f"/api/v1/monthly-reports/{report.pk}/").status_code == 404

    [page_403] = _lines(security_log, "status=403")
    assert "user=dongli-leader" in page_403.getMessage() and f"/reports/{report.pk}/submit/" in page_403.getMessage()
    refused_404 = _lines(security_log, "status=404")
    assert [r.getMessage().split("user=")[1].split()[0] for r in refused_404] == ["xiqing-officer"] * 2
    assert all(r.request_id != "-" for r in [page_403])


def test_log_times_are_utc_with_the_request_id():
    formatter = logs.UTCFormatter("%(asctime)s [%(request_id)s] %(message)s")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    record.created, record.msecs = 0.0, 0
    record.request_id = "abc12345"
    assert formatter.format(record) == "1970-01-01T00:00:00.000Z [abc12345] hello"


def test_every_response_has_a_request_id_and_a_sane_incoming_one_is_kept(client, db):
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/healthz")["X-Request-ID"])
    assert client.get("/healthz", HTTP_X_REQUEST_ID="0123456789abcdef")["X-Request-ID"] == "0123456789abcdef"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


# --- Database outage ----------------------------------------------------------------------------------


def _database_down(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def test_a_page_answers_a_clear_503_when_the_database_is_down(world, monkeypatch):
    client = _logged_in_client(world.users.officer)
    monkeypatch.setattr(ledger_views.selectors, "monthly_report_list", _database_down)
    response = client.get(reverse("report-list"))
    assert response.status_code == 503
    assert response["Retry-After"] == str(health.RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "系统暂时不可用" in page and "已经显示成功的提交不会丢失" in page
    assert "Connection refused" not in page  # no internals shown


def test_the_api_answers_503_json_when_the_database_is_down(world, monkeypatch, api):
    from ledgers import api as ledger_api

    monkeypatch.setattr(ledger_api.selectors, "monthly_report_list", _database_down)
    response = api(world.users.officer).get("/api/v1/monthly-reports/")
    assert response.status_code == 503
    assert response.json()["detail"] == "数据库暂时无法访问，请稍后重试。"


def test_an_outage_outside_a_view_is_a_503_too(rf):
    request = rf.get("/reports/")
    try:
        _database_down()
    except OperationalError:
        response = health.server_error(request)
    assert response.status_code == 503
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        assert health.server_error(request).status_code == 500


def test_typing_keeps_the_session_alive_past_the_idle_timeout(client, world):
    """The keepalive ping (static/js/keepalive.js) counts as activity; without it the idle session ends."""
    from tianjin_towns import middleware

    client.force_login(world.users.officer)
    assert client.get(reverse("home")).status_code == 200
    start = time.time()
    for minutes in (25, 50, 75):  # a ping every 25 minutes while typing, with a 30-minute timeout
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(middleware.time, "time", lambda m=minutes: start + m * 60)
            assert client.get(reverse("session-keepalive")).status_code == 204
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(middleware.time, "time", lambda: start + 110 * 60)  # 35 minutes after the last ping
        response = client.get(reverse("session-keepalive"))
    assert response.status_code == 302 and reverse("login") in response.url
