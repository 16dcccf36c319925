"""System checks of the deployment (`manage.py check --deploy --database default`).

三员分立 (issue 22, 等保 2.0): the Django superuser is for installing the platform only; the system, security and audit
administrators do the daily work, each unable to do another's. A superuser who signed in lately is a sign that
someone works with it: W001 says so. It reads the database, so it runs only when the check is given one.
"""

import datetime

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError
from django.utils import timezone

SUPERUSER_QUIET_DAYS = 30


@register(Tags.security, deploy=True)
def superuser_recently_signed_in(app_configs=None, databases=None, **kwargs) -> list[Warning]:
    if not databases or "default" not in databases:
        return []
    from django.contrib.auth import get_user_model

    since = timezone.now() - datetime.timedelta(days=SUPERUSER_QUIET_DAYS)
    try:
        names = list(
            get_user_model()
            .objects.filter(is_superuser=True, is_active=True, last_login__gte=since)
            .order_by("username")
            .values_list("username", flat=True)
        )
    except DatabaseError:  # not migrated yet
        return []
    if not names:
        return []
    return [
        Warning(
            f"Superuser account(s) {', '.join(names)} signed in within the last {SUPERUSER_QUIET_DAYS} days.",
            hint=(
                "The superuser is for installation only (等保 2.0 三员分立): give people the 系统管理员, 安全管理员 and "
                "安全审计员 roles and deactivate or stop using the superuser (README, 三员分立)."
            ),
            id="tianjin_towns.W001",
        )
    ]
