"""Indicator catalogue, monthly reports with their values and audit events, and the project ledger."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.models import Town


class Indicator(models.Model):
    """One row of the catalogue of SPEC §7; administrators edit it in the admin."""

    class Kind(models.TextChoices):
        FLOW = "flow", _("流量(按月累加)")
        STOCK = "stock", _("存量(取月末数)")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    unit = models.CharField(_("计量单位"), max_length=10)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    keeps_cumulative = models.BooleanField(_("保留累计数"), default=True)
    part_of = models.ForeignKey(
        "self", verbose_name=_("其中项所属"), null=True, blank=True, on_delete=models.PROTECT, related_name="parts"
    )
    decimal_places = models.PositiveSmallIntegerField(_("小数位数"), default=2)
    order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("统计指标")
        verbose_name_plural = _("统计指标")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.name}({self.unit})"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    DISTRICT_APPROVED = "district_approved", _("区级审核通过")
    ACCEPTED = "accepted", _("已验收")
    RETURNED = "returned", _("退回")


class Timeliness(models.TextChoices):
    ON_TIME = "on_time", _("按时")
    LATE = "late", _("迟报")
    MISSING = "missing", _("漏报")


class MonthlyReport(models.Model):
    """A town's statistics for one month (R-3.3). `period` is the first day of the month."""

    town = models.ForeignKey(Town, verbose_name=_("小镇"), on_delete=models.PROTECT, related_name="monthly_reports")
    period = models.DateField(_("月份"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True
    )
    due_on = models.DateField(_("报送截止日"))
    timeliness = models.CharField(_("及时性"), max_length=10, choices=Timeliness.choices, null=True, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("区级审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.TextField(_("退回原因"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("月报")
        verbose_name_plural = _("月报")
        ordering = ["-period", "town__district__order", "town__unit__order"]
        constraints = [
            models.UniqueConstraint(fields=["town", "period"], name="one_report_per_town_month"),
            models.CheckConstraint(condition=models.Q(period__day=1), name="report_period_first_day"),
        ]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self) -> str:
        return f"{self.town} {self.period:%Y-%m}"

    @property
    def period_label(self) -> str:
        return f"{self.period:%Y-%m}"

    @property
    def is_editable(self) -> bool:
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)

    @property
    def is_locked(self) -> bool:
        return self.status == ReportStatus.ACCEPTED


class ReportValue(models.Model):
    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="one_value_per_indicator"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="report_value_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}={self.value}"


class ReportEvent(models.Model):
    """The audit trail of a report: who did what, when, from which status to which, why, and what changed."""

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        SAVE = "save", _("保存")
        SUBMIT = "submit", _("报送")
        APPROVE = "approve", _("区级审核通过")
        ACCEPT = "accept", _("验收")
        RETURN = "return", _("退回")

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=20, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=ReportStatus.choices, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    # {"values": {code: [old, new]}, "projects": {project_code: {field: [old, new]}}}; numbers as strings.
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("月报操作记录")
        verbose_name_plural = _("月报操作记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Project(models.Model):
    """A construction project; keeps its identity month after month (R-3.3)."""

    class Category(models.TextChoices):
        INDUSTRY = "industry", _("产业")
        INFRASTRUCTURE = "infrastructure", _("基础设施")
        PUBLIC_SERVICE = "public_service", _("公共服务")

    class Status(models.TextChoices):
        PREPARING = "preparing", _("预备")
        NEW = "new", _("新开工")
        CONTINUING = "continuing", _("续建")
        COMPLETED = "completed", _("竣工投产")

    town = models.ForeignKey(Town, verbose_name=_("小镇"), on_delete=models.PROTECT, related_name="projects")
    code = models.CharField(_("项目编号"), max_length=40)
    name = models.CharField(_("项目名称"), max_length=200)
    category = models.CharField(_("项目类别"), max_length=20, choices=Category.choices)
    content = models.TextField(_("建设内容"), blank=True)
    total_investment = models.DecimalField(_("计划总投资(万元)"), max_digits=14, decimal_places=2)
    annual_investment = models.DecimalField(_("年度计划投资(万元)"), max_digits=14, decimal_places=2)
    status = models.CharField(_("项目状态"), max_length=12, choices=Status.choices, default=Status.PREPARING)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_finish = models.DateField(_("计划竣工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True)
    actual_finish = models.DateField(_("实际竣工"), null=True, blank=True)
    land_mu = models.DecimalField(_("用地面积(亩)"), max_digits=10, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("建设项目")
        verbose_name_plural = _("建设项目")
        ordering = ["town", "code"]
        constraints = [
            models.UniqueConstraint(fields=["town", "code"], name="project_code_unique_in_town"),
            models.CheckConstraint(condition=models.Q(total_investment__gte=0), name="project_total_non_negative"),
            models.CheckConstraint(condition=models.Q(annual_investment__gte=0), name="project_annual_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectProgress(models.Model):
    """A project's row in one monthly report."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="progress")
    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="project_progress")
    investment_month = models.DecimalField(_("本月完成投资(万元)"), max_digits=14, decimal_places=2)
    investment_year = models.DecimalField(_("本年累计完成投资(万元)"), max_digits=14, decimal_places=2)
    investment_total = models.DecimalField(_("开工累计完成投资(万元)"), max_digits=14, decimal_places=2)
    physical_progress = models.CharField(_("形象进度"), max_length=200, blank=True)
    problems = models.TextField(_("存在问题"), blank=True)

    class Meta:
        verbose_name = _("项目月度进展")
        verbose_name_plural = _("项目月度进展")
        ordering = ["report__period", "project__code"]
        constraints = [
            models.UniqueConstraint(fields=["project", "report"], name="one_progress_per_project_month"),
            models.CheckConstraint(
                condition=models.Q(investment_month__gte=0, investment_year__gte=0, investment_total__gte=0),
                name="progress_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} @ {self.report_id}"

    @property
    def share_of_annual(self):
        """Cumulative-this-year investment as a share of the annual plan, in percent (None without a plan)."""
        if not self.project.annual_investment:
            return None
        return round(self.investment_year * 100 / self.project.annual_investment, 1)
