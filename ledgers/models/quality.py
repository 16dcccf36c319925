"""Data quality and locking (issue 3: R-3.4, R-3.5): the validation rules and the figures they flag,
evidence attachments, corrections of accepted reports and the exceptions that open a locked month."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.models import Town
from tianjin_towns.lib.models import UploadedFile, acting_user, random_file_name, step_taken

from .catalogue import Indicator
from .reports import MonthlyReport


class ValidationRule(models.Model):
    """One check run on a report's figures; administrators tune or switch rules in the admin (R-3.5).

    Hard rules block saving (or, for sum_of_projects, submitting); soft rules flag a figure for the
    reviewer, and the filer must explain it (a comment or a 原始记录 attachment) before submitting.
    """

    class CheckType(models.TextChoices):
        NON_NEGATIVE = "non_negative", _("数值不能为负")
        PART_OF_WHOLE = "part_of_whole", _("其中项不大于总数")
        SUM_OF_PROJECTS = "sum_of_projects", _("与项目本月投资合计一致")
        NO_PROJECT_PROGRESS = "no_project_progress", _("有投资须有项目进展")
        PROJECT_DATES = "project_dates", _("与项目台账开工/竣工日期一致")
        CUMULATIVE = "cumulative", _("累计数不能减少")
        HISTORY_OUTLIER = "history_outlier", _("偏离本镇历史水平")
        YEAR_ON_YEAR = "year_on_year", _("与去年同月相比变化过大")

    class Severity(models.TextChoices):
        HARD = "hard", _("强制")
        SOFT = "soft", _("提示")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    check_type = models.CharField(_("检查方式"), max_length=20, choices=CheckType.choices)
    severity = models.CharField(
        _("级别"),
        max_length=8,
        choices=Severity.choices,
        help_text=_("强制：不通过不能保存或报送；提示：标记给审核人，填报人须填写说明或上传原始记录。"),
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("指标"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示适用于全部指标；“与项目本月投资合计一致”须指定投资指标。"),
    )
    threshold = models.DecimalField(
        _("阈值"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("偏离历史：k（中位数 ± k×MAD）；同比：变化百分比；项目合计：允许误差百分比。"),
    )
    window_months = models.PositiveSmallIntegerField(_("历史月数"), default=12)
    min_points = models.PositiveSmallIntegerField(
        _("最少历史月数"), default=6, help_text=_("已验收的历史数据少于此数时不检查。")
    )
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("校验规则")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        kinds = self.CheckType
        if self.check_type == kinds.NON_NEGATIVE and (not self.active or self.severity != self.Severity.HARD):
            # The database refuses negative figures anyway (report_value_non_negative).
            raise ValidationError({"active": _("非负规则由数据库约束保证，必须启用且为强制级别。")})
        if self.check_type == kinds.SUM_OF_PROJECTS and self.indicator_id is None:
            raise ValidationError({"indicator": _("请指定与项目投资合计比较的投资指标。")})
        if self.check_type == kinds.NO_PROJECT_PROGRESS and self.indicator_id is None:
            raise ValidationError({"indicator": _("请指定须有项目进展支撑的投资指标。")})
        if (
            self.check_type == kinds.PROJECT_DATES
            and self.indicator_id is not None
            and self.indicator.code not in ("projects_started", "projects_completed")
        ):
            raise ValidationError({"indicator": _("该检查方式只适用于“新开工项目”和“竣工项目”。")})
        needs_threshold = (kinds.SUM_OF_PROJECTS, kinds.HISTORY_OUTLIER, kinds.YEAR_ON_YEAR)
        if self.check_type in needs_threshold and (self.threshold is None or self.threshold <= 0):
            raise ValidationError({"threshold": _("该检查方式需要一个大于0的阈值。")})
        if self.check_type == kinds.HISTORY_OUTLIER and not 3 <= self.min_points <= self.window_months:
            raise ValidationError({"min_points": _("最少历史月数应不少于3，且不大于历史月数。")})


class DataFlag(models.Model):
    """A figure a soft rule found unusual: the filer explains it, a reviewer confirms it (核实).

    Acceptance closes every open flag (monthly_report_accept): an explained one is confirmed (resolved),
    an unexplained one only with the accepting office member's waiver and its reason (waived).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("待核实")
        RESOLVED = "resolved", _("已核实")
        WAIVED = "waived", _("验收豁免")

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="flags")
    rule = models.ForeignKey(ValidationRule, null=True, on_delete=models.SET_NULL, related_name="+")
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("数值"), max_digits=16, decimal_places=2)
    message = models.TextField(_("提示"))
    explanation = models.TextField(_("填报说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by, resolved_at = step_taken(_("核实时间"), user_first=True)
    resolution_note = models.TextField(_("核实意见"), blank=True)  # a waiver's reason when waived
    created_at = models.DateTimeField(_("标记时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("异常数据标记")
        ordering = ["report", "indicator__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "rule", "indicator"], name="one_flag_per_rule_and_figure"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.indicator_id}: {self.message}"


def _evidence_path(evidence: "Evidence", filename: str) -> str:
    return random_file_name(f"evidence/{evidence.report_id}", filename)


class Evidence(UploadedFile):
    """An evidence attachment (原始记录) for a report, or for one of its figures."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="evidence")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("文件"), upload_to=_evidence_path, max_length=200)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta(UploadedFile.Meta):
        verbose_name = verbose_name_plural = _("原始记录")
        ordering = ["report", "uploaded_at", "pk"]


class ReopenRequest(models.Model):
    """A request to correct an accepted report (R-3.5); the office approves it, which reopens the report.

    `snapshot` freezes the accepted version when the report reopens, so both versions stay readable:
    {"values": {code: "1200.5"}, "projects": {project code: {"name": …, "investment_month": "300"}},
     "accepted_at": ISO time, "accepted_by": user id}.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="reopen_requests")
    reason = models.TextField(_("更正原因"))
    requested_by = acting_user(null=False)
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by, decided_at = step_taken(_("审批时间"), user_first=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    snapshot = models.JSONField(_("验收版本"), default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("更正申请")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report"], condition=models.Q(status="pending"), name="one_pending_reopen_per_report"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.get_status_display()}"


class EntryException(models.Model):
    """The office lets one town enter one locked month (R-3.4), for a reason and until a day."""

    town = models.ForeignKey(Town, verbose_name=_("小镇"), on_delete=models.PROTECT, related_name="entry_exceptions")
    period = models.DateField(_("月份"))
    reason = models.TextField(_("原因"))
    expires_on = models.DateField(_("有效期至"))
    granted_by = acting_user(null=False)
    granted_at = models.DateTimeField(_("开通时间"), auto_now_add=True)
    revoked_by, revoked_at = step_taken(_("撤销时间"), user_first=True)

    class Meta:
        verbose_name = verbose_name_plural = _("补报例外")
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period__day=1), name="exception_period_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.town} {self.period:%Y-%m}"

    def is_active(self, on) -> bool:
        return self.revoked_at is None and self.expires_on >= on
