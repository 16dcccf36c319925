"""API tokens and password-reset e-mails: issuing, using and revoking a token; allowing a reset e-mail.

A login at POST /api/v1/auth/token/ issues a new token each time; its key is returned once and only its
SHA-256 digest is stored (coordination.models.tokens). A token expires after API_TOKEN_LIFETIME_DAYS
without use: each use moves the expiry on, written at most once a TOUCH_INTERVAL so that a busy script
does not write a row per request. A password change, a reset and a deactivation revoke all of a user's
tokens (coordination.services.people); the owner revokes one on the 「API令牌」 page or through the API.
Logging out of the browser leaves the tokens alone: they are the credentials of scripts, not of the
browser session (API.md lists what revokes them).
"""

import datetime
import logging
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import security_audit
from ..models import ApiToken, PasswordResetMail, SecurityEventKind, UserRoleEvent
from ..models.tokens import key_digest

log = logging.getLogger("tianjin_towns.security")

TOUCH_INTERVAL = datetime.timedelta(minutes=1)
# Tokens that ended this long ago are forgotten when their owner gets a new one (the rows are the record
# of what was issued; without a bound, a script that logs in every run would grow the table for ever).
KEPT_AFTER_END = datetime.timedelta(days=90)
NAME_LENGTH = ApiToken._meta.get_field("name").max_length


class TokenRefused(Exception):
    """A key that does not authenticate; the message says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


def client_name(text: str) -> str:
    """A client's description (its User-Agent) as stored: printable, one line, within the column."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text or "")
    return " ".join(cleaned.split())[:NAME_LENGTH] or "API"


@transaction.atomic
def api_token_issue(
    *,
    user: AbstractBaseUser,
    name: str = "",
    ip: str | None = None,
    valid_for: datetime.timedelta | None = None,
    actor: AbstractBaseUser | None = None,
) -> ApiToken:
    """A new token for `user`, issued by `actor` (the user itself when not given). Its key is on the returned
    token as `key`, to be handed over once; only the digest is stored. `valid_for`: a fixed lifetime that use does
    not extend (an API client's token)."""
    now = timezone.now()
    ended_long_ago = Q(expires_at__lt=now - KEPT_AFTER_END) | Q(revoked_at__lt=now - KEPT_AFTER_END)
    ApiToken.objects.filter(ended_long_ago, user=user).delete()
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=key_digest(key),
        prefix=key[: ApiToken.PREFIX_LENGTH],
        name=client_name(name),
        created_ip=ip,
        created_at=now,
        expires_at=now + (valid_for or lifetime()),
        sliding=valid_for is None,
    )
    log.info("api token issued user=%s token=%s ip=%s", user.get_username(), token.prefix, ip or "-")
    security_audit.record(SecurityEventKind.TOKEN_ISSUED, user=actor or user, target=_named(token), ip=ip)
    token.key = key
    return token


def _named(token: ApiToken) -> str:
    """How the security audit names a token: its account and the prefix it shows."""
    return f"{security_audit.account(token.user)} 令牌 {token.prefix}…"


def api_token_use(key: str) -> ApiToken:
    """The token a request presents, with its user; raises TokenRefused if it does not authenticate.

    A use moves the expiry to now + the lifetime, written at most once a TOUCH_INTERVAL.
    """
    token = ApiToken.objects.select_related("user").filter(key_hash=key_digest(key)).first()
    if token is None:
        raise TokenRefused(_("令牌无效。"))
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused(_("令牌已被撤销，请重新获取令牌。"))
    if token.expires_at <= now:
        raise TokenRefused(_("令牌已过期，请重新获取令牌。"))
    if not token.user.is_active:
        raise TokenRefused(_("账号已停用。"))
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        token.last_used_at = now
        if token.sliding:  # an API client's token keeps the expiry the office gave it
            token.expires_at = now + lifetime()
        # A conditional update: a revocation committed meanwhile is not undone by this write.
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            last_used_at=token.last_used_at, expires_at=token.expires_at
        )
    return token


@transaction.atomic
def api_token_revoke(*, actor: AbstractBaseUser | None, token: ApiToken, audit: bool = True) -> ApiToken:
    """End one token. Recorded in the account's history (UserRoleEvent) unless `audit` is False, which
    DELETE /api/v1/auth/token/ uses: a script logging itself out is no event of the account."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    security_audit.record(SecurityEventKind.TOKEN_REVOKED, user=actor, target=_named(token))
    if audit:
        UserRoleEvent.objects.create(
            actor=actor,
            user=token.user,
            action=UserRoleEvent.Action.API_TOKEN_REVOKED,
            reason=(_("令牌 %(prefix)s…（%(name)s）") % {"prefix": token.prefix, "name": token.name})[:200],
        )
    log.info(
        "api token revoked user=%s token=%s by=%s",
        token.user.get_username(),
        token.prefix,
        actor.get_username() if actor is not None else "-",
    )
    return token


def api_tokens_revoke_all(*, user: AbstractBaseUser) -> int:
    """End every token of `user` (a password change, a reset, a deactivation: the caller records the
    event); returns how many were still in force."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- Password-reset e-mails -----------------------------------------------------------------------------

# One lock for every reset request: they are rare, and the three counts must not race past the limits.
_RESET_LOCK = 0x70770001


@transaction.atomic
def password_reset_mail_allow(*, user: AbstractBaseUser, email: str, ip: str | None) -> bool:
    """Whether a password-reset e-mail may go to `email` for `user`, requested from `ip`; if so, it is
    counted. At most PASSWORD_RESET_EMAILS_PER_HOUR to one address and to one account, and
    PASSWORD_RESET_EMAILS_PER_IP_PER_HOUR from one client address, in any hour."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RESET_LOCK])
    now = timezone.now()
    since = now - datetime.timedelta(hours=1)
    PasswordResetMail.objects.filter(sent_at__lt=now - datetime.timedelta(days=1)).delete()
    email = email.strip().lower()
    recent = PasswordResetMail.objects.filter(sent_at__gt=since)
    limit = settings.PASSWORD_RESET_EMAILS_PER_HOUR
    refused = ""
    if recent.filter(email=email).count() >= limit:
        refused = "address"
    elif recent.filter(user=user).count() >= limit:
        refused = "account"
    elif ip and recent.filter(client_ip=ip).count() >= settings.PASSWORD_RESET_EMAILS_PER_IP_PER_HOUR:
        refused = "client"
    if refused:
        log.warning("password reset mail refused limit=%s user=%s ip=%s", refused, user.get_username(), ip or "-")
        return False
    PasswordResetMail.objects.create(user=user, email=email, client_ip=ip, sent_at=now)
    log.info("password reset mail user=%s ip=%s", user.get_username(), ip or "-")
    return True


__all__ = [
    "TokenRefused",
    "api_token_issue",
    "api_token_revoke",
    "api_token_use",
    "api_tokens_revoke_all",
    "password_reset_mail_allow",
]
