"""Who asked, from where, under which request id: login throttling and the security log.

The security log (logger `tianjin_towns.security`) records every login, failed login, lockout and
refused authorisation with the user and the client address; tianjin_towns.logs adds the time in UTC
and the request id. Logins, failures, logouts and lockouts also go into the security audit's table
(coordination.security_audit). Receivers are connected in tianjin_towns.apps.ProjectConfig.ready().
"""

import functools
import logging
import time

from axes.backends import AxesStandaloneBackend
from axes.signals import user_locked_out
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tianjin_towns.lib.queries import attach, columns, joined_row

log = logging.getLogger("tianjin_towns.security")


def client_ip(request) -> str | None:
    """The client's address: nginx's X-Real-IP when settings trust it, else the socket's peer."""
    meta = request.META
    if settings.TRUST_X_REAL_IP and meta.get("HTTP_X_REAL_IP"):
        return meta["HTTP_X_REAL_IP"].strip()
    return meta.get("REMOTE_ADDR") or None


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check for logins over HTTP.

    A login without a request (a management command, the test client's login()) is no HTTP login
    and cannot be throttled by address: the other backends decide it alone.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


@functools.lru_cache(maxsize=1)
def _user_statement() -> tuple[str, tuple]:
    """ProfileModelBackend.get_user's statement and the models of its row (written once per process; the models
    looked up here, when the apps are ready)."""
    user = get_user_model()
    profile, unit, group = (apps.get_model("coordination", name) for name in ("UserProfile", "OrgUnit", "WorkingGroup"))
    unit_column, group_column = (profile._meta.get_field(name).column for name in ("org_unit", "working_group"))
    sql = f"""SELECT {columns(user, "u")}, {columns(profile, "p")}, {columns(unit, "o")}, {columns(group, "w")}
              FROM {user._meta.db_table} u LEFT JOIN {profile._meta.db_table} p ON p.user_id = u.id
              LEFT JOIN {unit._meta.db_table} o ON o.id = p.{unit_column}
              LEFT JOIN {group._meta.db_table} w ON w.id = p.{group_column}
              WHERE u.id = %s"""
    return sql, (user, profile, unit, group)


class ProfileModelBackend(ModelBackend):
    """Django's ModelBackend whose signed-in user comes with its profile, org unit and working group in the one
    query that reads the user on every request (issue 21): every page's navigation bar and most doors read them,
    which took two more queries a request. A plain statement, loaded as
    `select_related("profile__org_unit", "profile__working_group")` loads them: the ORM took longer to build
    that query than the database to answer it, on every request."""

    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        sql, models = _user_statement()
        found = joined_row(sql, [pk], *models)
        if found is None:
            return None
        user, profile, unit, group = found  # profile None: a superuser made by createsuperuser has none
        for name, related in (("org_unit", unit), ("working_group", group), ("user", user)):
            attach(profile, name, related)
        attach(user, "profile", profile)
        return user if self.user_can_authenticate(user) else None


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's parameters (Password Storage Cheat Sheet: 19 MiB, 2 passes, 1 lane) rather than
    Django's 100 MiB × 8 lanes, which cost several times the CPU a login for a strength OWASP rates the same.
    A hash made with other parameters is made again at the next login (Argon2PasswordHasher.must_update)."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1


def _who(user) -> str:
    return getattr(user, "username", None) or "anonymous"


def log_refusal(request, status: int, reason: str = "") -> None:
    """A refused authorisation (403) or an object the user may not see (404)."""
    user = getattr(request, "user", None)
    log.warning(
        "access refused status=%s user=%s ip=%s method=%s path=%s%s",
        status,
        _who(user) if user is not None and user.is_authenticated else "anonymous",
        client_ip(request) or "-",
        request.method,
        request.path,
        f" reason={reason}" if reason else "",
    )


def _audit(kind: str, **event) -> None:
    """The event in the security audit too (coordination.security_audit), from the request's address."""
    from coordination import security_audit

    security_audit.record(kind, **event)


def _on_admin_change(sender, instance, created, **kwargs):
    """A change made in the Django admin (schedules, the holiday calendar, cadence and validation rules: what the
    product's pages leave to it) is a configuration change of the security audit; the admin logs each one."""
    if not created:
        return
    action = {1: "新增", 2: "修改", 3: "删除"}.get(instance.action_flag, "修改")
    what = instance.content_type.name if instance.content_type_id else ""
    _audit("config_changed", user=instance.user, target=f"后台管理：{what} {instance.object_repr}（{action}）")


def _on_login(sender, request, user, **kwargs):
    if request is None:
        return
    log.info("login user=%s ip=%s", _who(user), client_ip(request) or "-")
    _audit("login", user=user, ip=client_ip(request))
    if hasattr(request, "session"):
        from coordination import two_factor

        # Whether this session still owes the second factor (tianjin_towns.middleware.TwoFactorMiddleware).
        request.session[two_factor.OWED] = two_factor.owed_at_login(user)
        # The start of the session's absolute lifetime (SessionTimeoutMiddleware).
        now = int(time.time())
        request.session["_login_at"] = now
        request.session["_seen_at"] = now


def _on_login_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    log.warning("login failed user=%s ip=%s", credentials.get("username", "-"), client_ip(request) or "-")
    _audit("login_failed", username=str(credentials.get("username", ""))[:150], ip=client_ip(request), failed=True)


def _on_logout(sender, request, user, **kwargs):
    if request is None:
        return
    log.info("logout user=%s ip=%s", _who(user), client_ip(request) or "-")
    if user is not None:
        _audit("logout", user=user, ip=client_ip(request))


def _on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    address = ip_address or (client_ip(request) if request is not None else None)
    _audit("locked_out", username=(username or "")[:150], ip=address, failed=True)
    log.warning(
        "login locked out user=%s ip=%s failures>=%s cooloff=%s",
        username or "-",
        ip_address or ((client_ip(request) if request is not None else None) or "-"),
        settings.AXES_FAILURE_LIMIT,
        settings.AXES_COOLOFF_TIME,
    )


def connect_receivers() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="tianjin_towns.security.login")
    user_login_failed.connect(_on_login_failed, dispatch_uid="tianjin_towns.security.login_failed")
    user_logged_out.connect(_on_logout, dispatch_uid="tianjin_towns.security.logout")
    user_locked_out.connect(_on_locked_out, dispatch_uid="tianjin_towns.security.locked_out")
    from django.contrib.admin.models import LogEntry

    post_save.connect(_on_admin_change, sender=LogEntry, dispatch_uid="tianjin_towns.security.admin_change")


def lockout_message() -> str:
    """What a locked-out API login is told (the page says the same in templates/registration/locked_out.html)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("登录失败次数过多，该账号在您所在的网络已被暂时锁定，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}


def is_locked_out(request) -> bool:
    """Whether django-axes refused the last authenticate() of this request for a lockout. It marks the
    request it was given: for an API view that is DRF's Request, which the middleware does not see."""
    return bool(getattr(request, "axes_locked_out", False))


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: the login page's look, status 429, in Chinese."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429)
    context = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=429)
