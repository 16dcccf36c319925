"""The security audit (issue 22, 等保 2.0 安全审计): one row per security event, kept in the database and never changed
(a trigger refuses UPDATE and DELETE): sign-ins and their failures, lockouts and unlocks, two factors (enrolment,
failed codes, resets), password changes and resets, accounts created, deactivated and reactivated, role changes, API
tokens issued and revoked, exports and downloads, the archiving of old rows. Written by
coordination.security_audit."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出登录")
    LOCKED_OUT = "locked_out", _("账号锁定")
    UNLOCKED = "unlocked", _("解除锁定")
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("绑定认证应用")
    TWO_FACTOR_FAILED = "two_factor_failed", _("动态验证码错误")
    TWO_FACTOR_DISABLED = "two_factor_disabled", _("停用双因素认证")
    TWO_FACTOR_RESET = "two_factor_reset", _("重置双因素认证")
    PASSWORD_CHANGED = "password_changed", _("修改密码")
    PASSWORD_RESET = "password_reset", _("重置密码")
    USER_CREATED = "user_created", _("创建账号")
    USER_DEACTIVATED = "user_deactivated", _("停用账号")
    USER_REACTIVATED = "user_reactivated", _("启用账号")
    ROLE_CHANGED = "role_changed", _("角色或单位变更")
    TOKEN_ISSUED = "token_issued", _("签发API令牌")
    TOKEN_REVOKED = "token_revoked", _("撤销API令牌")
    # Data taken out of the system: who exported which ledger or workbook, who downloaded which document or file.
    EXPORTED = "exported", _("导出数据")
    DOWNLOADED = "downloaded", _("下载文件")
    ARCHIVED = "archived", _("归档安全审计记录")
    # Configuration: the routing of work to the working groups (which moves permissions), and every change made in
    # the Django admin (schedules, the holiday calendar, cadence and validation rules).
    CONFIG_CHANGED = "config_changed", _("配置变更")


class SecurityEvent(models.Model):
    """Who (the account acting, or the name a failed sign-in gave), from where, did what to which object, with what
    result, in which request."""

    class Result(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILURE = "failure", _("失败")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)  # as given, for a sign-in that failed too
    ip = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    kind = models.CharField(_("事件"), max_length=32, choices=SecurityEventKind.choices, db_index=True)
    target = models.CharField(_("对象"), max_length=200, blank=True)
    result = models.CharField(_("结果"), max_length=16, choices=Result.choices, default=Result.SUCCESS)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("安全审计记录")
        ordering = ["-at", "-pk"]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_kind_display()} {self.get_result_display()}"
