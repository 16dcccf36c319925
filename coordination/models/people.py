"""The audit trail of people and roles (R-1.7): who changed whose role, unit or state, when, from what to what."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tianjin_towns.lib.events import Event, action_choice
from tianjin_towns.lib.models import acting_user

from .org import Role

# What an event's states hold, in the order the history shows them.
STATE_LABELS = {
    "full_name": _("姓名"),
    "phone": _("手机"),
    "email": _("电子邮箱"),
    "role": _("角色"),
    "org_unit": _("所属单位"),
    "working_group": _("工作组"),
    "member_unit": _("成员单位"),
    "is_active": _("账号状态"),
}


def _shown(key: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if key == "role":
        return str(Role(value).label) if value in Role.values else str(value)
    if key == "is_active":
        return str(_("在用") if value else _("已停用"))
    if isinstance(value, list):  # [id, name as it was then]
        return str(value[-1])
    return str(value)


class UserRoleEvent(Event):
    """One change to a user's account, written by coordination.services.people beside the change.

    `before` and `after` hold the account's state as shown then (role code, the unit's id and name, the
    working group's and member unit's, is_active), so the history stays readable after a unit is renamed.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("创建账号")
        IMPORTED = "imported", _("批量导入")
        ROLE_CHANGED = "role_changed", _("变更角色")
        UNIT_CHANGED = "unit_changed", _("调整单位")
        PROFILE_CHANGED = "profile_changed", _("修改资料")
        DEACTIVATED = "deactivated", _("停用账号")
        REACTIVATED = "reactivated", _("恢复账号")
        PASSWORD_RESET = "password_reset", _("重置密码")
        API_TOKEN_REVOKED = "api_token_revoked", _("撤销API令牌")
        API_TOKEN_ISSUED = "api_token_issued", _("签发API令牌")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_events"
    )
    actor = acting_user(_("操作人"))
    action = action_choice(Action.choices, max_length=20)
    before = models.JSONField(_("变更前"), default=dict, blank=True)
    after = models.JSONField(_("变更后"), default=dict, blank=True)
    reason = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta(Event.Meta):
        verbose_name = verbose_name_plural = _("用户角色变更")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.get_action_display()} ({self.at:%Y-%m-%d})"

    def changes(self) -> list[tuple[str, str, str]]:
        """(what, from, to) of every value that changed; for a new account, what it was given."""
        rows = []
        for key, label in STATE_LABELS.items():
            old, new = self.before.get(key), self.after.get(key)
            if old == new or (not self.before and new in (None, "", True)):
                continue
            rows.append((str(label), _shown(key, old), _shown(key, new)))
        return rows


class PasswordHistory(models.Model):
    """A password a user has had (its hash, never the password), so that a new one is not one of the last
    PASSWORD_HISTORY_COUNT (coordination.password_validation.PasswordHistoryValidator)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(_("密码摘要"), max_length=128)
    set_at = models.DateTimeField(_("设置时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("历史密码")
        ordering = ["-set_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} {self.set_at:%Y-%m-%d}"
