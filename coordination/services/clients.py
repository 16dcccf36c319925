"""API clients of the data-sharing feed (数据共享接口, issue 18): the office creates a client for a member unit
or another system, issues its tokens with a fixed expiry and revokes them. A client acts through its own
service account (role 接口客户端, no password, read-only), scoped like its member unit's liaison."""

import datetime
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tianjin_towns.errors import ConflictError

from ..models import ApiClient, ApiToken, MemberUnit, OrgUnit, Role, UserRoleEvent
from . import people, tokens

TOKEN_DAYS = (30, 90, 180, 365)  # the lifetimes the office chooses from


@transaction.atomic
def api_client_create(
    *, actor: AbstractBaseUser | None, name: str, member_unit: MemberUnit | None = None, note: str = ""
) -> ApiClient:
    """A new client and its service account (role 接口客户端 on the municipality, with the member unit whose
    sharing settings apply to it; none: another system, shared everything)."""
    name, note = (name or "").strip(), (note or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写客户端名称。")})
    if ApiClient.objects.filter(name=name, user__is_active=True).exists():
        raise ValidationError({"name": _("已有同名的接口客户端。")})
    if member_unit is not None and not member_unit.active:
        raise ValidationError({"member_unit": _("成员单位“%(name)s”已停用。") % {"name": member_unit.name}})
    user = people.user_create(
        username=f"client-{secrets.token_hex(4)}",
        role=Role.CLIENT,
        org_unit=OrgUnit.objects.get(level=OrgUnit.Level.MUNICIPAL),
        password=None,
        full_name=name[:50],
        member_unit=member_unit,
        actor=actor,
        reason=_("接口客户端的服务账号"),
        client=True,
    )
    return ApiClient.objects.create(name=name, member_unit=member_unit, user=user, note=note[:200], created_by=actor)


@transaction.atomic
def api_client_token_issue(*, actor: AbstractBaseUser | None, client: ApiClient, days: int) -> ApiToken:
    """A token for the client valid `days` days whatever its use; its key (`token.key`) is shown once."""
    if days not in TOKEN_DAYS:
        raise ValidationError({"days": _("有效期应为%(days)s天之一。") % {"days": "、".join(map(str, TOKEN_DAYS))}})
    if not client.user.is_active:
        raise ConflictError(_("接口客户端已停用，不能签发令牌。"))
    token = tokens.api_token_issue(
        user=client.user, name=client.name, valid_for=datetime.timedelta(days=days), actor=actor
    )
    UserRoleEvent.objects.create(
        actor=actor,
        user=client.user,
        action=UserRoleEvent.Action.API_TOKEN_ISSUED,
        reason=(_("令牌 %(prefix)s…，有效期%(days)s天") % {"prefix": token.prefix, "days": days})[:200],
    )
    return token


def api_client_token_revoke(*, actor: AbstractBaseUser | None, token: ApiToken) -> ApiToken:
    """End one of the client's tokens at once (recorded in its account's history)."""
    return tokens.api_token_revoke(actor=actor, token=token)


def api_client_deactivate(*, actor: AbstractBaseUser | None, client: ApiClient, reason: str = "") -> ApiClient:
    """Stop the client: its service account is deactivated and every token ends at once."""
    people.user_deactivate(actor=actor, user=client.user, reason=reason or _("停用接口客户端"))
    client.user.refresh_from_db()
    return client
