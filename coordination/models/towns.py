"""Decisions behind towns' lifecycle (R-1.2, R-1.7): annual list decisions and edits of a town's attributes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tianjin_towns.lib.events import Event
from tianjin_towns.lib.models import acting_user


class TownListDecision(models.Model):
    """An annual list decision (创建名单/培育名单…) that moves many towns in one act; each town's
    TownStatusChange points back at it."""

    class Kind(models.TextChoices):
        CREATION = "creation", _("创建名单")
        CULTIVATION = "cultivation", _("培育名单")
        ADJUSTMENT = "adjustment", _("名单调整")

    title = models.CharField(_("决定名称"), max_length=200)
    document_no = models.CharField(_("文号"), max_length=100)
    decided_on = models.DateField(_("决定日期"))
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("名单类别"), max_length=16, choices=Kind.choices)
    actor = acting_user(_("记录人"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("小镇名单决定")
        ordering = ["-decided_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.title}（{self.document_no}）"


class TownEdit(Event):
    """One edit of a town's attributes (R-1.1), who made it and what changed: [{field, old, new}]."""

    town = models.ForeignKey("coordination.Town", on_delete=models.CASCADE, related_name="edits")
    changes = models.JSONField(_("变更内容"), default=list)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    # Older than Event: its own labels, and no index on the time.
    actor = acting_user(_("修改人"))
    at = models.DateTimeField(_("修改时间"), auto_now_add=True)

    class Meta(Event.Meta):
        verbose_name = verbose_name_plural = _("小镇信息修改")
        ordering = ["town", "at"]

    def __str__(self) -> str:
        return f"{self.town_id} {self.at:%Y-%m-%d}"
