"""The mechanism's structure: joint conferences (R-1.3), routing of submissions to the office's working
groups (R-1.5) and the member units' support policies (R-1.4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tianjin_towns.lib.models import acting_user, timestamps

from .org import MemberUnit, OrgUnit, WorkingGroup


class JointConference(models.Model):
    """The municipal joint conference (联席会议), or a district's mirror of it."""

    org_unit = models.OneToOneField(
        OrgUnit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="conference"
    )
    name = models.CharField(_("名称"), max_length=100)
    convener = models.CharField(_("召集人"), max_length=100)
    deputy_conveners = models.CharField(_("副召集人"), max_length=200, blank=True)
    office = models.CharField(
        _("办公室"), max_length=200, blank=True, help_text=_("例如：市特镇办（设在市发展改革委）")
    )
    duties = models.TextField(_("主要职责"), blank=True)
    member_units = models.ManyToManyField(
        MemberUnit, verbose_name=_("成员单位"), blank=True, related_name="conferences"
    )

    class Meta:
        verbose_name = verbose_name_plural = _("联席会议")
        ordering = ["org_unit__level", "org_unit__order"]

    def __str__(self) -> str:
        return self.name


class SubmissionKind(models.TextChoices):
    """Kinds of work the office receives; each is owned by one working group (R-1.5)."""

    STATISTICS = "statistics", _("统计数据验收")
    PLANS = "plans", _("规划方案审查")
    MEETINGS = "meetings", _("会议与督办事项")
    INSPECTIONS = "inspections", _("现场督办与专项检查")
    ASSESSMENTS = "assessments", _("创建考核")
    POLICIES = "policies", _("支持政策")
    TOWNS = "towns", _("特色小镇创建名单与生命周期")


class SubmissionRoute(models.Model):
    """Which working group owns a kind of submission; an administrator changes it in the admin.

    Without a row the default of coordination.services.DEFAULT_ROUTES applies.
    """

    kind = models.CharField(_("事项类别"), max_length=20, choices=SubmissionKind.choices, unique=True)
    working_group = models.ForeignKey(
        WorkingGroup, verbose_name=_("负责工作组"), on_delete=models.PROTECT, related_name="routes"
    )

    class Meta:
        verbose_name = verbose_name_plural = _("事项分工")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.working_group}"


def policy_upload_path(instance: "SupportPolicy", filename: str) -> str:
    return f"policies/{instance.member_unit_id}/{filename}"


class SupportPolicy(models.Model):
    """A support policy (支持政策) a member unit issued (R-1.4)."""

    member_unit = models.ForeignKey(
        MemberUnit, verbose_name=_("成员单位"), on_delete=models.PROTECT, related_name="policies"
    )
    title = models.CharField(_("政策名称"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    issued_on = models.DateField(_("发布日期"))
    summary = models.TextField(_("主要内容"), blank=True)
    file = models.FileField(_("政策文件"), upload_to=policy_upload_path, blank=True, max_length=300)
    created_by = acting_user(blank=True)
    created_at, updated_at = timestamps(_("录入时间"))

    class Meta:
        verbose_name = verbose_name_plural = _("支持政策")
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return self.title
