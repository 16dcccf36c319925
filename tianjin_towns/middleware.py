"""Project middleware: request ids, session lifetimes, the log of refused access, the database-outage page, the
downloads' headers and their security audit."""

import logging
import re
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from coordination import security_audit, two_factor
from coordination.models import SecurityEventKind
from coordination.password_validation import must_change_password_first, password_change_first_message

from . import health, logs, security
from .lib import downloads

log = logging.getLogger("tianjin_towns.security")

# nginx's $request_id is 32 hex digits; accept any short token of safe characters, never raw input.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
LOGIN_AT, SEEN_AT = "_login_at", "_seen_at"
SEEN_EVERY = 60  # seconds: record activity at most once a minute, not one session write per request


class RequestIdMiddleware:
    """Every request gets an id (nginx's X-Request-ID, or a new one): in each log line and the response; the
    client's address is known for the request's duration too (logs.client_ip_var)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = logs.request_id_var.set(request_id)
        address = logs.client_ip_var.set(security.client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            logs.client_ip_var.reset(address)
            logs.request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SessionTimeoutMiddleware:
    """Log a browser session out after SESSION_IDLE_TIMEOUT without a request, and SESSION_ABSOLUTE_LIFETIME
    after its login, whatever the activity. API calls with a token have no session and are not affected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        # Look at the session's keys rather than request.user: no user query for anonymous requests.
        if session is not None and SESSION_KEY in session:
            self._check(request, session)
        return self.get_response(request)

    def _check(self, request, session) -> None:
        now = int(time.time())
        login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
        if login_at is None or seen_at is None:  # a session from before this middleware: starts now
            session[LOGIN_AT] = login_at or now
            session[SEEN_AT] = now
            return
        if now - seen_at > settings.SESSION_IDLE_TIMEOUT:
            reason, text = "idle", _("您已超过 %(minutes)s 分钟未操作，为保护数据安全已自动退出，请重新登录。")
        elif now - login_at > settings.SESSION_ABSOLUTE_LIFETIME:
            reason, text = "lifetime", _("登录已超过 %(hours)s 小时，为保护数据安全已自动退出，请重新登录。")
        else:
            if now - seen_at >= SEEN_EVERY:
                session[SEEN_AT] = now
            return
        username = request.user.get_username()
        logout(request)  # flushes the session; the view then sees an anonymous user
        log.info("session expired reason=%s user=%s ip=%s", reason, username, security.client_ip(request) or "-")
        messages.info(
            request,
            text
            % {
                "minutes": settings.SESSION_IDLE_TIMEOUT // 60,
                "hours": settings.SESSION_ABSOLUTE_LIFETIME // 3600,
            },
        )


class RefusalLogMiddleware:
    """Log the 403s and 404s that the permission doors raise in page views (the API logs its own in
    tianjin_towns.api_errors): who was refused what, in the security log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            security.log_refusal(request, 403)
        elif isinstance(exception, Http404):
            security.log_refusal(request, 404)
        return None  # Django renders 403.html / 404.html as usual


class DatabaseOutageMiddleware:
    """A view that cannot reach PostgreSQL answers a clear 503 at once, not a 500 and a stack trace.

    Errors outside views (a session save) reach health.server_error, the handler500, which does the same.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            return health.database_unavailable(request, exception)
        return None


class DownloadHeadersMiddleware:
    """Every download (a response with Content-Disposition: uploads, Excel exports) is sandboxed: no
    scripts, no sniffing, no caching by shared proxies, whatever view produced it. And each one that succeeds
    is a row of the security audit (issue 22): who took which ledger, document or file out of the system
    (tianjin_towns.lib.downloads.taken), one row per response, however many chunks it streams in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Content-Disposition"):
            response["X-Content-Type-Options"] = "nosniff"
            response["Content-Security-Policy"] = "default-src 'none'; sandbox"  # csp's middleware keeps it
            response.setdefault("Cache-Control", "private, no-store")
            taken = downloads.taken(request, response)
            if taken is not None:
                kind = SecurityEventKind.EXPORTED if taken.exported else SecurityEventKind.DOWNLOADED
                # An API call's user is its token's: DRF sets it on the request too.
                security_audit.record(kind, user=getattr(request, "user", None), target=taken.target)
        return response


def _still_open(path: str, *url_names: str) -> bool:
    """What a signed-in user who must do something first (a second factor, a new password) still reaches: the
    pages `url_names` where it is done, logging out, the session keepalive, static files and the health check."""
    pages = {reverse(name) for name in (*url_names, "logout", "session-keepalive")}
    return path in pages or path.startswith((settings.STATIC_URL or "/static/", "/healthz"))


class TwoFactorMiddleware:
    """A session signed in with the password alone that still owes the second factor (coordination.two_factor,
    decided at sign-in and kept in the session) reaches only the code's pages, logging out, static files and the
    session keepalive: every other page answers a redirect to the code (or to enrolling an app, for a user who has
    none yet), the API 403. Needs django_otp's OTPMiddleware before it (request.user.is_verified)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (
            user is not None
            and user.is_authenticated
            and session is not None
            and session.get(two_factor.OWED)
            and not user.is_verified()
            and not self._exempt(request.path)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("请先在网页上完成双因素认证。")}, status=403)
            wanted = request.get_full_path() if request.method == "GET" else "/"
            return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': wanted})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        return _still_open(path, "two-factor-verify", "two-factor-setup")


class MustChangePasswordMiddleware:
    """A user signed in with a one-time password (a new account, a reset) or a password older than
    PASSWORD_MAX_AGE_DAYS (coordination.password_validation) is sent to change it first:
    every page answers a redirect to the password change page, except that page, logging out, static
    files and the session keepalive. The API answers 403 to such a session (the browser's session also
    authenticates API calls); a token is never issued to such a user (coordination.auth_api.TokenView), and
    token calls are not signed in yet at this point.

    The profile read here is the one the navigation bar reads on every page, so it costs no extra query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._must_change(user) and not self._exempt(request.path):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": password_change_first_message(user.profile)}, status=403)
            return redirect("password_change")  # the page itself says why (coordination.people_views)
        return self.get_response(request)

    @staticmethod
    def _must_change(user) -> bool:
        try:
            return must_change_password_first(user.profile)
        except ObjectDoesNotExist:
            return False

    @staticmethod
    def _exempt(path: str) -> bool:
        # The second factor comes first (TwoFactorMiddleware): its pages are not sent here.
        return _still_open(path, "password_change", "password_change_done", "two-factor-verify", "two-factor-setup")
