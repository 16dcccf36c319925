"""Reading the security audit (coordination.models.SecurityEvent) for 系统管理 → 安全审计: the list and its export."""

import datetime
import ipaddress

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import SecurityEvent


def _local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of `day` in Asia/Shanghai (settings.TIME_ZONE), so that a day is the one the user lived."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone())


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def security_events(
    *,
    user: str | None = None,
    kind: str | None = None,
    result: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    ip: str | None = None,
) -> QuerySet[SecurityEvent]:
    """Security events, newest first, with the acting user and profile joined in.

    `user` matches the name an event gives (the account's, or the one a failed sign-in typed) or the account's
    full name, in part; `since` and `until` are local days, both included; `ip` is one address, or the start of
    addresses (e.g. "10.12.")."""
    events = SecurityEvent.objects.select_related("user__profile").order_by("-at", "-pk")
    if user := (user or "").strip():
        events = events.filter(Q(username__icontains=user) | Q(user__profile__full_name__icontains=user))
    if kind:
        events = events.filter(kind=kind)
    if result:
        events = events.filter(result=result)
    # Bounds on `at` itself rather than at__date, so that the index on `at` serves the range.
    if since:
        events = events.filter(at__gte=_local_midnight(since))
    if until:
        events = events.filter(at__lt=_local_midnight(until + datetime.timedelta(days=1)))
    if ip := (ip or "").strip():
        events = events.filter(ip=ip) if _is_address(ip) else events.filter(ip__startswith=ip)
    return events
