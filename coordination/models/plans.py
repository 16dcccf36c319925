"""Plans submitted for review (报审, R-1.6): each submission is a version that stays readable forever."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tianjin_towns.lib.models import acting_user, step_taken, timestamps

from .org import OrgUnit


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
