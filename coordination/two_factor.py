"""Two factors at sign-in (issue 22, 等保 2.0 身份鉴别): the password, then a six-digit code from any authenticator app
(TOTP, RFC 6238, offline: no SMS gateway) or one of ten single-use recovery codes. Built on django-otp: a TOTPDevice
per user for the app, a StaticDevice for the recovery codes.

Who needs it: whoever enabled it on 账号安全, and the roles of TWO_FACTOR_REQUIRED_ROLES (by default the three
administrators and the office's working groups) or everybody with TWO_FACTOR_REQUIRED_FOR_ALL; a superuser whenever
any role needs it. The API client's service account never signs in with a password. Whether a signed-in session still
owes the second factor is decided once, at sign-in (`owed_at_login`, kept in the session), so the pages of everyone
else pay nothing for it (tianjin_towns.middleware.TwoFactorMiddleware).

The security administrator resets a user's two factors (a lost phone); the user enrols again at the next sign-in.
Every enrolment, reset, refusal and disabling is a row of the security audit.
"""

import base64

import django_otp
import segno
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import security_audit
from .models import Role, SecurityEventKind
from .services.people import end_sessions

OWED = "_two_factor_owed"  # session key: the second factor is still owed (set at sign-in)
RECOVERY_CODES = 10
APP_DEVICE, RECOVERY_DEVICE = "认证应用", "恢复码"


def required_for(user: AbstractBaseUser) -> bool:
    """Whether the settings make a second factor compulsory for `user`."""
    if not user.is_authenticated:
        return False
    profile = getattr(user, "profile", None)
    role = profile.role if profile is not None else None
    if role == Role.CLIENT:
        return False
    if settings.TWO_FACTOR_REQUIRED_FOR_ALL:
        return True
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    return role in required or (user.is_superuser and bool(required))


def enabled_for(user: AbstractBaseUser) -> bool:
    return django_otp.user_has_device(user, confirmed=True)


def owed_at_login(user: AbstractBaseUser) -> bool:
    """Whether a session signed in with the password alone still owes the second factor."""
    return required_for(user) or enabled_for(user)


def pending_device(user: AbstractBaseUser) -> TOTPDevice:
    """The authenticator-app device being enrolled (not yet confirmed): a new secret, or the one shown before, so
    that reloading the page does not change the QR code the user is scanning."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no image request, nothing external)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=2)


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for an app into which it is typed rather than scanned."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _new_recovery_codes(user: AbstractBaseUser) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _clean(token: str) -> str:
    return "".join(str(token or "").split()).lower()


def two_factor_enrol(*, user: AbstractBaseUser, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the app `device` with a code it shows: it replaces any earlier app, and ten new recovery codes
    (returned, shown once) replace any earlier ones. A wrong code changes nothing but is recorded."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token(_clean(token)):
        _failed(user)
        raise ValidationError({"token": _("动态验证码不正确，请核对手机时间后输入应用中当前显示的6位数字。")})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        security_audit.record(SecurityEventKind.TWO_FACTOR_ENROLLED, user=user, target=security_audit.account(user))
    return codes


def _failed(user: AbstractBaseUser) -> None:
    security_audit.record(
        SecurityEventKind.TWO_FACTOR_FAILED, user=user, target=security_audit.account(user), failed=True
    )


def two_factor_check(*, user: AbstractBaseUser, token: str):
    """The confirmed device (app or recovery code, which is used up) that accepts `token`; a ValidationError, and a
    row of the security audit, otherwise. django-otp slows repeated failures down (throttling per device)."""
    device = django_otp.match_token(user, _clean(token)) if _clean(token) else None
    if device is None:
        _failed(user)
        raise ValidationError({"token": _("动态验证码或恢复码不正确。连续输错后须等待片刻再试。")})
    return device


def recovery_codes_left(user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def recovery_codes_renew(*, user: AbstractBaseUser) -> list[str]:
    """Ten new recovery codes for a user with two factors; the earlier ones stop working."""
    if not enabled_for(user):
        raise ValidationError(_("尚未启用双因素认证。"))
    return _new_recovery_codes(user)


def _remove_devices(user: AbstractBaseUser) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def two_factor_disable(*, user: AbstractBaseUser) -> None:
    """The user turns off a second factor they chose; one the settings require stays."""
    if required_for(user):
        raise PermissionDenied(_("您的角色必须使用双因素认证，不能停用。"))
    _remove_devices(user)
    security_audit.record(SecurityEventKind.TWO_FACTOR_DISABLED, user=user, target=security_audit.account(user))


@transaction.atomic
def two_factor_reset(*, actor: AbstractBaseUser | None, user: AbstractBaseUser) -> AbstractBaseUser:
    """The security administrator's reset (a lost or replaced phone): the user's app and recovery codes go, and
    their signed-in sessions end; at the next sign-in they enrol again (or sign in with the password alone, where
    nothing requires a second factor)."""
    _remove_devices(user)
    end_sessions(user)
    security_audit.record(SecurityEventKind.TWO_FACTOR_RESET, user=actor, target=security_audit.account(user))
    return user
