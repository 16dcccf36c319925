"""The password policy (issue 22, 等保 2.0 身份鉴别), as Django password validators (settings.AUTH_PASSWORD_VALIDATORS):
at least eight characters of three of four kinds, not the user name, not one of the last PASSWORD_HISTORY_COUNT
passwords; and a password older than PASSWORD_MAX_AGE_DAYS is changed before the user goes on
(tianjin_towns.middleware.MustChangePasswordMiddleware). Every form that sets a password (changing one's own,
the reset by e-mail) checks them and shows their help texts.

When a password is set, `PasswordHistoryValidator.password_changed` keeps its hash and the time it was set.
"""

import datetime

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# The four kinds of character, each a test and its name.
CLASSES = (
    (str.islower, "小写字母"),
    (str.isupper, "大写字母"),
    (str.isdigit, "数字"),
    (lambda c: not c.isalnum(), "符号"),
)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its refusal in Chinese (Django's own Chinese catalogue lacks that sentence)."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(n)s 个字符。") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少 %(n)s 个字符。") % {"n": self.min_length}


class CharacterClassesValidator:
    """At least `min_classes` of lower-case letters, upper-case letters, digits and symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        used = sum(any(test(c) for c in password) for test, _name in CLASSES)
        if used < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、符号中的至少 %(n)s 类。") % {"n": self.min_classes}


class NotUsernameValidator:
    """The password neither contains the user name nor it reversed (case aside)."""

    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").lower()
        if username and (username in password.lower() or username[::-1] in password.lower()):
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("密码不能包含用户名。")


def history_count() -> int:
    return settings.PASSWORD_HISTORY_COUNT


class PasswordHistoryValidator:
    """Not one of the user's last PASSWORD_HISTORY_COUNT passwords (the current one among them)."""

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        from coordination.models import PasswordHistory

        kept = PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: history_count()]
        if any(check_password(password, encoded) for encoded in [user.password, *kept] if encoded):
            raise ValidationError(
                _("不能使用最近 %(n)s 次用过的密码。") % {"n": history_count()}, code="password_reused"
            )

    def password_changed(self, password: str, user=None) -> None:
        """Called by Django whenever a user's password is saved: its hash kept (the oldest beyond the count
        dropped) and the time it was set recorded on the profile."""
        if user is None or user.pk is None:
            return
        from coordination.models import PasswordHistory, UserProfile

        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[history_count() :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
        UserProfile.objects.filter(user=user).update(password_changed_at=timezone.now())

    def get_help_text(self) -> str:
        return _("不能使用最近 %(n)s 次用过的密码。") % {"n": history_count()}


def password_expired(profile, now: datetime.datetime | None = None) -> bool:
    """Whether the profile's password is older than PASSWORD_MAX_AGE_DAYS (never, when the age is 0 or the time
    it was set is unknown)."""
    days = settings.PASSWORD_MAX_AGE_DAYS
    if not days or profile is None or profile.password_changed_at is None:
        return False
    return (now or timezone.now()) - profile.password_changed_at > datetime.timedelta(days=days)


def must_change_password_first(profile) -> bool:
    """Whether the user must change the password in the browser before anything else: a one-time password, or one
    past its age. `profile` may be None (an account without one: never)."""
    return profile is not None and (profile.must_change_password or password_expired(profile))


def password_change_first_message(profile) -> str:
    """What the API answers a user who must change a password in the browser first: a one-time password, or one
    past its age."""
    if profile.must_change_password:
        return _("请先登录网页修改初始密码。")
    return _("密码已到期，请先登录网页修改密码。")
