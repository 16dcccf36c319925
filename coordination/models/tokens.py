"""Credentials a person holds besides the password: API tokens, and the password-reset e-mails sent.

An API token is stored as the SHA-256 digest of its key: the key itself is shown once, when it is issued
(coordination.services.tokens), and a stolen database holds nothing that authenticates. The key is 256
random bits, so a plain digest needs no salt or slow hash. A token ends when it is revoked or when it
has not been used for API_TOKEN_LIFETIME_DAYS; rows stay as the record of what was issued to whom.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def key_digest(key: str) -> str:
    """The stored form of a token key."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """One API token of one user, issued by a login at POST /api/v1/auth/token/."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("令牌前缀"), max_length=PREFIX_LENGTH, help_text=_("令牌开头几位，用于辨认，不能用于访问。")
    )
    name = models.CharField(_("客户端"), max_length=100, blank=True)
    created_ip = models.GenericIPAddressField(_("创建地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    # A person's token moves its expiry on each use; an API client's keeps the date the office gave it.
    sliding = models.BooleanField(_("使用后顺延"), default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("API令牌")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "expires_at"], name="apitoken_user_expires")]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return str(_("已撤销"))
        return str(_("有效")) if self.is_usable() else str(_("已过期"))


class ApiClient(models.Model):
    """A system that reads the data-sharing feed (数据共享接口, issue 18): a member unit's, or another system's.
    It acts through its own service account (role 接口客户端, no password), read-only and scoped like that member
    unit's liaison (or, without one, like a liaison shared everything); the office issues its tokens, each
    with a fixed expiry, and revokes them on the client's page."""

    name = models.CharField(_("客户端名称"), max_length=100)
    member_unit = models.ForeignKey(
        "coordination.MemberUnit",
        verbose_name=_("所属成员单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_clients",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("服务账号"), on_delete=models.PROTECT, related_name="api_client"
    )
    note = models.CharField(_("用途说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("接口客户端")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class PasswordResetMail(models.Model):
    """One password-reset e-mail sent: counted to limit how many go to an address, an account and from a
    client address per hour (settings.PASSWORD_RESET_EMAILS_PER_HOUR…)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+"
    )
    email = models.CharField(_("电子邮箱"), max_length=254)  # lower-cased
    client_ip = models.GenericIPAddressField(_("申请地址"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("密码重置邮件")
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["email", "sent_at"], name="pwresetmail_email_sent"),
            models.Index(fields=["user", "sent_at"], name="pwresetmail_user_sent"),
            models.Index(fields=["client_ip", "sent_at"], name="pwresetmail_ip_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.email} {self.sent_at:%Y-%m-%d %H:%M}"
