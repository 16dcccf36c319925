"""Work information (信息报送, R-3.2): pieces written by a unit, reviewed and adopted for the monthly
work briefing, and their trail."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tianjin_towns.lib.events import Event, action_choice
from tianjin_towns.lib.models import acting_user, status_change, step_taken, timestamps


class WorkInfo(models.Model):
    """A piece of work information: written by a unit's officer, reviewed by its leader, adopted
    (采用) by the office; adopted items are the material of the monthly work briefing (简报)."""

    class Category(models.TextChoices):
        WORK = "work", _("重要工作")
        ACTIVITY = "activity", _("活动开展")
        RESULT = "result", _("工作成效")
        MEETING = "meeting", _("会议情况")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报送")
        APPROVED = "approved", _("区级审核通过")
        ACCEPTED = "accepted", _("已采用")
        RETURNED = "returned", _("退回")

    org_unit = models.ForeignKey(
        "coordination.OrgUnit", verbose_name=_("报送单位"), on_delete=models.PROTECT, related_name="work_infos"
    )
    category = models.CharField(_("信息类别"), max_length=16, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"))
    happened_on = models.DateField(_("发生日期"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    created_by = acting_user(null=False)
    created_at, updated_at = timestamps()
    submitted_at, submitted_by = step_taken(_("报送时间"))
    accepted_at = models.DateTimeField(_("采用时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("工作信息")
        ordering = ["-happened_on", "-pk"]
        indexes = [models.Index(fields=["status", "happened_on"], name="workinfo_status_day")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class WorkInfoEvent(Event):
    """The trail of a piece of work information: who did what, when, and why."""

    class Action(models.TextChoices):
        CREATE = "create", _("起草")
        SAVE = "save", _("修改")
        SUBMIT = "submit", _("报送")
        APPROVE = "approve", _("区级审核通过")
        ACCEPT = "accept", _("采用")
        RETURN = "return", _("退回")

    info = models.ForeignKey(WorkInfo, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    action = action_choice(Action.choices, max_length=16)
    from_status, to_status = status_change(WorkInfo.Status.choices, max_length=16)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(Event.Meta):
        verbose_name = verbose_name_plural = _("工作信息操作记录")
