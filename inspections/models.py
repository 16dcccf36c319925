"""On-site supervision visits and special inspections, the problems found on them and their follow-up (R-2.3, R-5.6).

A visit belongs to one district; each problem it finds is assigned to one responsible unit — a
district or town (org unit), or a member department of the joint conference — and runs
open → in_progress → done (rectified, awaiting verification) → verified, or back to open when the
office rejects the rectification. Every step is an InspectionEvent; evidence files hang off the
event they prove.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.models import MemberUnit, OrgUnit, Town, responsible_unit_keys
from tianjin_towns.lib.choices import follow_up_statuses
from tianjin_towns.lib.events import Event, action_choice, changed_values, no_evidence_reason
from tianjin_towns.lib.models import UploadedFile, acting_user, status_change, timestamps


class Visit(models.Model):
    class Kind(models.TextChoices):
        ONSITE_SUPERVISION = "onsite_supervision", _("现场督办服务")
        SPECIAL_INSPECTION = "special_inspection", _("专项检查")

    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices, default=Kind.ONSITE_SUPERVISION)
    district = models.ForeignKey(
        OrgUnit,
        verbose_name=_("区"),
        on_delete=models.PROTECT,
        related_name="inspection_visits",
        limit_choices_to={"level": OrgUnit.Level.DISTRICT},
    )
    held_on = models.DateField(_("督办日期"), db_index=True)
    title = models.CharField(_("主题"), max_length=200)
    towns = models.ManyToManyField(Town, verbose_name=_("走访小镇"), blank=True, related_name="inspection_visits")
    member_units = models.ManyToManyField(
        MemberUnit, verbose_name=_("参加成员单位"), blank=True, related_name="inspection_visits"
    )
    participants = models.TextField(_("参加人员"), blank=True)
    summary = models.TextField(_("听取情况"), blank=True, help_text=_("听取的工作进展、困难和意见建议"))
    created_by = acting_user()
    created_at, updated_at = timestamps(_("登记时间"))

    class Meta:
        verbose_name = verbose_name_plural = _("督办检查")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["district", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class ProblemCategory(models.TextChoices):
    LAND = "land", _("土地")
    FUNDS = "funds", _("资金")
    APPROVALS = "approvals", _("审批")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    POLICY = "policy", _("政策")
    OTHER = "other", _("其他")


ProblemStatus = follow_up_statuses(
    "ProblemStatus", __name__, (_("待整改"), _("整改中"), _("已整改待核验"), _("已核验销号"))
)


class Problem(models.Model):
    """One entry of a visit's problem list (问题清单)."""

    visit = models.ForeignKey(Visit, verbose_name=_("督办检查"), on_delete=models.PROTECT, related_name="problems")
    town = models.ForeignKey(
        Town, verbose_name=_("小镇"), null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    category = models.CharField(_("类别"), max_length=20, choices=ProblemCategory.choices)
    description = models.TextField(_("问题描述"))
    # Exactly one of the two: a district or town, or a member department of the joint conference.
    responsible_unit, responsible_member_unit = responsible_unit_keys(
        _("责任单位"), _("责任成员单位"), related_name="assigned_problems"
    )
    found_on = models.DateField(_("发现日期"), help_text=_("督办检查当天"))
    due_on = models.DateField(_("整改期限"))
    solved_on_site = models.BooleanField(_("现场解决"), default=False)
    solved_same_day = models.BooleanField(_("当日解决"), default=False, help_text=_("现场解决的问题也计为当日解决"))
    # Registered to be rectified by a deadline (限期整改), not solved at once: one verified the day it was found
    # also counts as solved the same day, but is tagged 限期整改·当日办结.
    rectification_ordered = models.BooleanField(_("限期整改"), default=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ProblemStatus.choices, default=ProblemStatus.OPEN, db_index=True
    )
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    reject_reason = models.TextField(_("退回原因"), blank=True)
    created_by = acting_user()
    created_at, updated_at = timestamps(_("登记时间"))

    class Meta:
        verbose_name = verbose_name_plural = _("督办问题")
        ordering = ["visit", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(responsible_unit__isnull=False, responsible_member_unit__isnull=True)
                    | models.Q(responsible_unit__isnull=True, responsible_member_unit__isnull=False)
                ),
                name="problem_one_responsible_unit",
            ),
            # Solved on the spot is also solved the same day (the share of the day includes it).
            models.CheckConstraint(
                condition=models.Q(solved_on_site=False) | models.Q(solved_same_day=True),
                name="problem_on_site_is_same_day",
            ),
            models.CheckConstraint(
                condition=models.Q(status="verified", closed_on__isnull=False)
                | (~models.Q(status="verified") & models.Q(closed_on__isnull=True)),
                name="problem_closed_on_iff_verified",
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("found_on")), name="problem_due_after_found"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.description[:30]}"

    @property
    def responsible_name(self) -> str:
        unit = self.responsible_unit or self.responsible_member_unit
        return unit.name if unit else ""

    @property
    def is_closed(self) -> bool:
        return self.status == ProblemStatus.VERIFIED

    def is_overdue(self, on: datetime.date) -> bool:
        """Past its deadline on `on` and not verified closed (a rectification awaiting verification still counts)."""
        return not self.is_closed and self.due_on < on

    def days_overdue(self, on: datetime.date) -> int:
        return (on - self.due_on).days if self.is_overdue(on) else 0

    @property
    def days_to_close(self) -> int | None:
        return (self.closed_on - self.found_on).days if self.closed_on else None

    @property
    def same_day_outcome(self) -> str:
        """How a problem closed the day it was found was solved: "on_site", "same_day" (registered solved) or
        "rectified" (ordered to be rectified, and rectified and verified that day); "" for the others."""
        if self.solved_on_site:
            return "on_site"
        if not self.solved_same_day:
            return ""
        return "rectified" if self.rectification_ordered else "same_day"


class InspectionEvent(Event):
    """The audit trail of visits and problems: who did what, when, and why."""

    class Action(models.TextChoices):
        VISIT_CREATE = "visit_create", _("登记督办检查")
        VISIT_UPDATE = "visit_update", _("修改督办检查")
        ATTACH = "attach", _("上传附件")
        CREATE = "create", _("登记问题")
        UPDATE = "update", _("修改问题")
        SOLVE = "solve", _("现场解决")
        PROGRESS = "progress", _("报告整改进展")
        RECTIFY = "rectify", _("报告整改完成")
        WAIVE_EVIDENCE = "waive_evidence", _("免交整改佐证")
        VERIFY = "verify", _("核验销号")
        REJECT = "reject", _("退回整改")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="events")
    problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    action = action_choice(Action.choices, max_length=16)
    from_status, to_status = status_change(ProblemStatus.choices, max_length=16)
    note = models.TextField(_("说明"), blank=True)
    no_evidence_reason = no_evidence_reason()
    # {field: [old, new]} for updates, as strings.
    changes = changed_values()

    class Meta(Event.Meta):
        verbose_name = verbose_name_plural = _("督办操作记录")

    def __str__(self) -> str:
        return f"{self.visit_id}/{self.problem_id or '-'} {self.action} {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is random: the user's file name is kept in `name`, never trusted as a path.
    return f"inspections/{instance.visit_id}/{instance.token}{instance.extension}"


class Attachment(UploadedFile):
    """A photo or document of a visit, or evidence of a problem's follow-up step."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        DOCUMENT = "document", _("文档")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="attachments")
    problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        InspectionEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    token = models.CharField(max_length=32, editable=False)
    extension = models.CharField(max_length=8, editable=False)
    # Older than UploadedFile: the type is labelled 文件格式, and a file may have no known uploader.
    content_type = models.CharField(_("文件格式"), max_length=100)
    uploaded_by = acting_user()

    class Meta(UploadedFile.Meta):
        verbose_name = verbose_name_plural = _("附件")

    @property
    def is_photo(self) -> bool:
        return self.kind == self.Kind.PHOTO

    @property
    def taken_name(self) -> str:
        """How the security audit names a download of it (tianjin_towns.lib.downloads)."""
        subject = f"督办问题 {self.problem_id}，" if self.problem_id else ""
        return f"附件 {self.name}（{subject}督办检查 {self.visit}）"

    @property
    def shows_inline(self) -> bool:
        """Browsers show JPEG, PNG and WebP; HEIC (iPhone photos) is offered as a download."""
        return self.content_type in ("image/jpeg", "image/png", "image/webp")


class Escalation(models.Model):
    """An overdue problem brought to the responsible unit's leader and the office, once per level."""

    class Level(models.IntegerChoices):
        OVERDUE = 1, _("逾期提醒")
        LONG_OVERDUE = 2, _("严重逾期")

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    on = models.DateField(_("督办日期"))
    days_overdue = models.PositiveIntegerField(_("逾期天数"))
    recipients = models.PositiveIntegerField(_("通知人数"), default=0)
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("逾期督办")
        ordering = ["problem", "level"]
        constraints = [models.UniqueConstraint(fields=["problem", "level"], name="one_escalation_per_problem_level")]

    def __str__(self) -> str:
        return f"#{self.problem_id} L{self.level} {self.on}"
