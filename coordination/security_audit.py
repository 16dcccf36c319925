"""Writing the security audit (coordination.models.SecurityEvent): `record(kind, …)`, with the client's address and
the request id of the request under way (tianjin_towns.logs), for the receivers of the sign-in signals
(tianjin_towns.security) and the services that change accounts and tokens."""

import datetime
import gzip
import json
import os
from pathlib import Path

import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tianjin_towns import logs

from .models import SecurityEvent, SecurityEventKind

ARCHIVED_FIELDS = ("id", "at", "user_id", "username", "ip", "kind", "target", "result", "request_id")


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


def _archive_row(row: dict) -> str:
    return json.dumps({**row, "at": row["at"].isoformat()}, ensure_ascii=False)


@transaction.atomic
def archive_old_events(*, now: datetime.datetime | None = None) -> Path | None:
    """Move the rows older than SECURITY_AUDIT_RETENTION_DAYS to a gzip file of JSON lines in
    SECURITY_AUDIT_ARCHIVE_DIR (one row a line, every field), read the file back, and only then delete them: the
    one deletion the append-only trigger lets through, recorded as an event of its own. Returns the file, None when
    no row is that old. Nothing is dropped silently: a failure before the deletion leaves every row in place."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.SECURITY_AUDIT_RETENTION_DAYS)
    old = SecurityEvent.objects.filter(at__lt=cutoff).order_by("at", "pk")
    rows = list(old.select_for_update().values(*ARCHIVED_FIELDS))
    if not rows:
        return None
    folder = Path(settings.SECURITY_AUDIT_ARCHIVE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"security-audit-{rows[0]['at']:%Y%m%d}-{rows[-1]['at']:%Y%m%d}-{rows[-1]['id']}.jsonl.gz"
    path, partial = folder / name, folder / f".{name}.partial"
    with gzip.open(partial, "wt", encoding="utf-8") as archive:
        archive.writelines(_archive_row(row) + "\n" for row in rows)
    with open(partial, "rb") as written:
        os.fsync(written.fileno())
    with gzip.open(partial, "rt", encoding="utf-8") as archive:
        if sum(1 for _line in archive) != len(rows):
            raise OSError(f"the archive {partial} does not hold the {len(rows)} rows written")
    os.replace(partial, path)
    with pgtrigger.ignore("coordination.SecurityEvent:append_only"):
        SecurityEvent.objects.filter(pk__in=[row["id"] for row in rows]).delete()
    record(SecurityEventKind.ARCHIVED, target=f"{len(rows)} 条记录 → {name}")
    return path
