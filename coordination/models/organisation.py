"""The history of the organisation's master data edited in the product (R-1.4, R-1.5, R-1.7): who
added, renamed or retired a member unit and who moved a kind of work to another working group."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tianjin_towns.lib.events import Event, action_choice, changed_values
from tianjin_towns.lib.models import acting_user

from .org import MemberUnit, WorkingGroup
from .structure import SubmissionKind


class OrganisationEvent(Event):
    """A change of the organisation's master data. Older than Event: the actor is labelled 操作人 and the
    time has no index."""

    actor = acting_user(_("操作人"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta(Event.Meta):
        abstract = True


class MemberUnitEvent(OrganisationEvent):
    """One change of a member unit; a rename is the event whose `changes` hold the old and new name."""

    class Action(models.TextChoices):
        CREATED = "created", _("新增")
        UPDATED = "updated", _("修改")
        RENAMED = "renamed", _("更名")
        RETIRED = "retired", _("停用")
        REACTIVATED = "reactivated", _("恢复")
        SHARING = "sharing", _("调整数据共享范围")

    member_unit = models.ForeignKey(
        MemberUnit, verbose_name=_("成员单位"), on_delete=models.CASCADE, related_name="events"
    )
    action = action_choice(Action.choices, max_length=16)
    changes = changed_values()  # field → [old, new]
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta(OrganisationEvent.Meta):
        verbose_name = verbose_name_plural = _("成员单位变更记录")
        ordering = ["member_unit", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.member_unit} {self.get_action_display()} ({self.at:%Y-%m-%d})"


class SubmissionRouteChange(OrganisationEvent):
    """A kind of work moved from one working group to another (the office members' grants move with it)."""

    kind = models.CharField(_("事项类别"), max_length=20, choices=SubmissionKind.choices)
    from_group = models.ForeignKey(
        WorkingGroup, verbose_name=_("原工作组"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_group = models.ForeignKey(WorkingGroup, verbose_name=_("新工作组"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta(OrganisationEvent.Meta):
        verbose_name = verbose_name_plural = _("事项分工调整记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_group}"
