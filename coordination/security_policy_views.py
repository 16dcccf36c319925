"""系统管理 → 安全策略 (issue 22, 三员分立): the account security policy in force — passwords, lockout after failed
sign-ins, sessions, two factors, the security audit's retention — for the security administrator, whose domain it is.
The values come from the deployment's settings (.env); the page shows them, so that what the assessor is told and
what the platform does are the same."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import people_permissions
from .models import Role


def _minutes(seconds: int) -> int:
    return int(seconds) // 60


@login_required
def security_policy(request):
    if not people_permissions.secures_accounts(request.user):
        raise PermissionDenied(_("安全策略由安全管理员查看。"))
    roles = settings.TWO_FACTOR_REQUIRED_ROLES
    required = (
        _("全部用户")
        if settings.TWO_FACTOR_REQUIRED_FOR_ALL
        else "、".join(str(Role(role).label) for role in roles if role in Role.values)
    )
    hours = settings.SESSION_ABSOLUTE_LIFETIME / 3600
    context = {
        "password_rules": password_validators_help_texts(),
        "password_history": settings.PASSWORD_HISTORY_COUNT,
        "password_max_age": settings.PASSWORD_MAX_AGE_DAYS,
        "lockout_failures": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": _minutes(settings.AXES_COOLOFF_TIME.total_seconds()),
        "idle_minutes": _minutes(settings.SESSION_IDLE_TIMEOUT),
        "session_hours": int(hours) if hours == int(hours) else round(hours, 1),
        "two_factor_required": required,
        "audit_retention_days": settings.SECURITY_AUDIT_RETENTION_DAYS,
        "anomaly_failures": settings.SECURITY_ANOMALY_FAILURES,
        "api_token_days": settings.API_TOKEN_LIFETIME_DAYS,
    }
    return render(request, "coordination/security/security_policy.html", context)
