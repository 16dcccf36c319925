"""Plans submitted for review (报审, R-1.6): each submission is a version that stays readable forever."""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tianjin_towns.lib.models import acting_user, random_file_name, step_taken, timestamps

from .org import MemberUnit, OrgUnit


class PlanKind(models.TextChoices):
    DEVELOPMENT = "development", _("发展规划")
    IMPLEMENTATION = "implementation", _("实施方案")
    CULTIVATION = "cultivation", _("培育方案")


class PlanStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审查")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("审查通过")


class Plan(models.Model):
    """A district's or town's plan; its content lives in versions, the latest being current."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("报审单位"), on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(_("类别"), max_length=20, choices=PlanKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(
        _("审查状态"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.SUBMITTED, db_index=True
    )
    current_version = models.PositiveSmallIntegerField(_("当前版本"), default=1)
    created_by = acting_user()
    created_at, updated_at = timestamps(_("首次报审时间"))

    class Meta:
        verbose_name = verbose_name_plural = _("报审方案")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class PlanVersion(models.Model):
    """One submission of a plan with the content R-1.6 asks for, and the review it received."""

    class Review(models.TextChoices):
        PENDING = "pending", _("待审查")
        RETURNED = "returned", _("退回修改")
        APPROVED = "approved", _("审查通过")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本"))
    scope = models.TextField(_("规划范围"))
    sites = models.TextField(_("创建点位"), blank=True)
    positioning = models.TextField(_("发展定位"))
    layout = models.TextField(_("功能布局"), blank=True)
    path = models.TextField(_("实施路径"), blank=True)
    note = models.TextField(_("报审说明"), blank=True)
    submitted_by = acting_user()
    submitted_at = models.DateTimeField(_("报审时间"))
    review = models.CharField(_("审查结果"), max_length=20, choices=Review.choices, default=Review.PENDING)
    review_comments = models.TextField(_("审查意见"), blank=True)
    reviewed_by, reviewed_at = step_taken(_("审查时间"), user_first=True)
    # Approved while member units asked for their opinion (PlanOpinion) had not given it: the reviewer's reason.
    override_reason = models.TextField(_("未收齐会签意见即通过的理由"), blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("方案版本")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="one_plan_version_per_number")]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class PlanSubItem(models.Model):
    """A sub-item (分项) of a cultivation plan with its responsible unit (主管单位)."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="sub_items")
    order = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("分项名称"), max_length=200)
    content = models.TextField(_("主要内容"), blank=True)
    responsible_unit = models.CharField(_("主管单位"), max_length=100)

    class Meta:
        verbose_name = verbose_name_plural = _("培育方案分项")
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return self.name


def plan_upload_path(instance: "PlanAttachment", filename: str) -> str:
    return f"plans/{instance.version.plan_id}/v{instance.version.number}/{filename}"


class PlanAttachment(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=plan_upload_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("方案附件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


def plan_opinion_upload_path(opinion: "PlanOpinion", filename: str) -> str:
    return random_file_name(f"plans/{opinion.version.plan_id}/v{opinion.version.number}/opinions", filename)


class PlanOpinion(models.Model):
    """A member unit's opinion (会签) on one version under review, asked for by 规划编制组 by a due date and
    given by the unit's liaison: agreed, or changes asked for in writing. It stays with its version."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("待反馈")
        AGREED = "agreed", _("同意")
        CHANGES = "changes", _("修改意见")

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="opinions")
    member_unit = models.ForeignKey(
        MemberUnit, verbose_name=_("成员单位"), on_delete=models.PROTECT, related_name="plan_opinions"
    )
    requested_by = acting_user(_("征求人"))
    requested_at = models.DateTimeField(_("征求时间"), default=timezone.now)
    due_on = models.DateField(_("反馈时限"))
    state = models.CharField(_("意见"), max_length=20, choices=State.choices, default=State.REQUESTED, db_index=True)
    text = models.TextField(_("意见内容"), blank=True)
    file = models.FileField(_("附件"), upload_to=plan_opinion_upload_path, blank=True, max_length=300)
    file_name = models.CharField(_("附件文件名"), max_length=200, blank=True)
    given_at, given_by = step_taken(_("反馈时间"))

    class Meta:
        verbose_name = verbose_name_plural = _("成员单位会签意见")
        ordering = ["version", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "member_unit"], name="one_plan_opinion_per_member_unit")
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.member_unit}"

    @property
    def is_given(self) -> bool:
        return self.state != self.State.REQUESTED

    @property
    def is_late(self) -> bool:
        """Given after its due date (allowed, and shown as late)."""
        return self.given_at is not None and timezone.localdate(self.given_at) > self.due_on

    def is_overdue_on(self, day: datetime.date) -> bool:
        """Not given and past its due date (the liaison's home page flags it)."""
        return not self.is_given and self.due_on < day
