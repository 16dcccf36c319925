"""Writing the security audit (coordination.models.SecurityEvent): `record(kind, …)`, with the client's address and
the request id of the request under way (tianjin_towns.logs), for the receivers of the sign-in signals
(tianjin_towns.security) and the services that change accounts and tokens."""

from django.contrib.auth.models import AbstractBaseUser

from tianjin_towns import logs

from .models import SecurityEvent, SecurityEventKind


def record(
    kind: SecurityEventKind,
    *,
    user: AbstractBaseUser | None = None,
    username: str = "",
    target: str = "",
    failed: bool = False,
    ip: str | None = None,
) -> SecurityEvent:
    """One security event: `user` acted (or `username` was given, for a sign-in that failed) on `target`."""
    request_id = logs.request_id_var.get()
    return SecurityEvent.objects.create(
        user=user if user is not None and user.pk else None,
        username=username or getattr(user, "username", "") or "",
        ip=ip or logs.client_ip_var.get(),
        kind=kind,
        target=target[:200],
        result=SecurityEvent.Result.FAILURE if failed else SecurityEvent.Result.SUCCESS,
        request_id="" if request_id == "-" else request_id,
    )


def account(user: AbstractBaseUser) -> str:
    """How an event names the account it concerns."""
    return f"账号 {user.username}"
