"""Indicator catalogue, monthly reports with their values and audit events, and the project ledger."""

import datetime
import uuid
from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.models import Town
from tianjin_towns.lib import dates


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
    # The months the indicator applies: the first day of the first and of the last month; null = always.
    # A report of month M requires and shows only the indicators applying in M, so an indicator added in 2027
    # never appears in a 2026 report that is reopened.
    active_from = models.DateField(_("启用月份"), null=True, blank=True)
    active_to = models.DateField(
        _("停用月份"), null=True, blank=True, help_text=_("最后适用的月份；留空表示一直适用。")
    )

    class Meta:
        verbose_name = _("统计指标")
        verbose_name_plural = _("统计指标")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(active_from__isnull=True) | models.Q(active_from__day=1),
                name="indicator_active_from_first_day",
            ),
            models.CheckConstraint(
                condition=models.Q(active_to__isnull=True) | models.Q(active_to__day=1),
                name="indicator_active_to_first_day",
            ),
            models.CheckConstraint(
                condition=models.Q(active_from__isnull=True)
                | models.Q(active_to__isnull=True)
                | models.Q(active_to__gte=models.F("active_from")),
                name="indicator_active_months_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.unit})"

    def applies_in(self, period) -> bool:
        """Whether a report of the month starting `period` carries this indicator."""
        if not self.active:
            return False
        return (self.active_from is None or self.active_from <= period) and (
            self.active_to is None or period <= self.active_to
        )


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

    @property
    def deadline(self) -> datetime.date:
        """The due date that applies to the report: the one recorded with its timeliness once judged, until
        then the month's current rule (ledgers.deadlines explains why `due_on` is not frozen at creation)."""
        from . import deadlines  # which imports this module

        return self.due_on if self.timeliness else deadlines.due_date(self.period)


# The largest figure a report holds (14 whole digits, as ReportValue.value's max_digits − decimal_places): the
# figure parser refuses larger ones with 数值过大 (services.common), and the rules' preview leaves them out.
MAX_FIGURE = Decimal("99999999999999")


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
        # Data quality (issue 3): locking, flags, evidence, corrections of accepted data.
        MARK_MISSING = "mark_missing", _("记为漏报")
        EXCEPTION = "exception", _("开通补报例外")
        EVIDENCE = "evidence", _("原始记录")
        FLAG_RESOLVE = "flag_resolve", _("核实异常数据")
        REOPEN_REQUEST = "reopen_request", _("申请更正")
        REOPEN_APPROVE = "reopen_approve", _("批准重新打开")
        REOPEN_REJECT = "reopen_reject", _("驳回更正申请")
        RECALCULATE = "recalculate", _("重算累计数")

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
        # The API's codes of SPEC; the labels also name the stage of issue 15 (前期/在建/竣工/停缓建).
        PREPARING = "preparing", _("前期（预备）")
        NEW = "new", _("在建（新开工）")
        CONTINUING = "continuing", _("在建（续建）")
        COMPLETED = "completed", _("竣工投产")
        SUSPENDED = "suspended", _("停缓建")

    town = models.ForeignKey(Town, verbose_name=_("小镇"), on_delete=models.PROTECT, related_name="projects")
    code = models.CharField(_("项目编号"), max_length=40)
    name = models.CharField(_("项目名称"), max_length=200)
    category = models.CharField(_("项目类别"), max_length=20, choices=Category.choices)
    content = models.TextField(_("建设内容"), max_length=2000, blank=True)
    owner = models.CharField(_("项目业主"), max_length=200, blank=True)
    total_investment = models.DecimalField(_("计划总投资(万元)"), max_digits=14, decimal_places=2)
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
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def plan_for_year(self, year: int):
        """The planned investment of `year` (万元), or None without a plan; reads prefetched `year_plans`."""
        return next((plan.amount for plan in self.year_plans.all() if plan.year == year), None)

    @property
    def annual_investment(self):
        """This year's plan (the API's `annual_investment`, kept from before plans were per year)."""
        return self.plan_for_year(dates.today().year)


class ProjectYearPlan(models.Model):
    """A project's planned investment for one year (R-3.3): each year has its own figure."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="year_plans")
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("年度计划投资(万元)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("项目年度计划")
        verbose_name_plural = _("项目年度计划")
        ordering = ["project", "year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="one_plan_per_project_year"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="project_year_plan_non_negative"),
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100), name="project_year_plan_year"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}: {self.amount}"


class ProjectEvent(models.Model):
    """The history of a project's identity and plans: who changed what, when, from what to what."""

    class Action(models.TextChoices):
        CREATE = "create", _("登记")
        UPDATE = "update", _("修改")
        ATTACH = "attach", _("上传附件")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    # {field: [old, new]}; "year_plans": {year: [old, new]}; numbers and dates as strings.
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("项目变更记录")
        verbose_name_plural = _("项目变更记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


def _attachment_path(attachment: "ProjectAttachment", filename: str) -> str:
    # As for evidence: the stored name never reuses the uploaded one; the original is kept in `name`.
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"projects/{attachment.project_id}/{uuid.uuid4().hex}.{suffix}"


class ProjectAttachment(models.Model):
    """A document of a project (立项批复, 规划许可, 施工许可, photos…), downloaded through a permission check."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小(字节)"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("项目附件")
        verbose_name_plural = _("项目附件")
        ordering = ["project", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class ProjectProgress(models.Model):
    """A project's row in one monthly report."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="progress")
    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="project_progress")
    investment_month = models.DecimalField(_("本月完成投资(万元)"), max_digits=14, decimal_places=2)
    investment_year = models.DecimalField(_("本年累计完成投资(万元)"), max_digits=14, decimal_places=2)
    investment_total = models.DecimalField(_("开工累计完成投资(万元)"), max_digits=14, decimal_places=2)
    physical_progress = models.CharField(_("形象进度"), max_length=200, blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    # The plan the month was judged against, frozen when the month is accepted (monthly_report_accept):
    # a later change of the project never rewrites an accepted month. Null while the month is open.
    total_investment_at = models.DecimalField(
        _("验收时计划总投资(万元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    annual_plan_at = models.DecimalField(
        _("验收时年度计划投资(万元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )

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
    def plan_frozen(self) -> bool:
        """An accepted month shows the plan as it stood when it was accepted."""
        return self.report.status == ReportStatus.ACCEPTED and self.total_investment_at is not None

    @property
    def plan_total(self):
        return self.total_investment_at if self.plan_frozen else self.project.total_investment

    @property
    def plan_annual(self):
        """The year's plan this month is measured against (reads the project's prefetched `year_plans`)."""
        return self.annual_plan_at if self.plan_frozen else self.project.plan_for_year(self.report.period.year)

    @property
    def share_of_annual(self):
        """Cumulative-this-year investment as a share of the annual plan, in percent (None without a plan)."""
        plan = self.plan_annual
        if not plan:
            return None
        return round(self.investment_year * 100 / plan, 1)


# --- Data quality, locking and the audit trail (issue 3) ------------------------------


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
        verbose_name = _("校验规则")
        verbose_name_plural = _("校验规则")
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
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    resolution_note = models.TextField(_("核实意见"), blank=True)  # a waiver's reason when waived
    created_at = models.DateTimeField(_("标记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("异常数据标记")
        verbose_name_plural = _("异常数据标记")
        ordering = ["report", "indicator__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "rule", "indicator"], name="one_flag_per_rule_and_figure"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.indicator_id}: {self.message}"


def _evidence_path(evidence: "Evidence", filename: str) -> str:
    # The stored name never reuses the uploaded one (which may hold anything); the original is kept in `name`.
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"evidence/{evidence.report_id}/{uuid.uuid4().hex}.{suffix}"


class Evidence(models.Model):
    """An evidence attachment (原始记录) for a report, or for one of its figures."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="evidence")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("文件"), upload_to=_evidence_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小(字节)"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("原始记录")
        verbose_name_plural = _("原始记录")
        ordering = ["report", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


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
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    snapshot = models.JSONField(_("验收版本"), default=dict, blank=True)

    class Meta:
        verbose_name = _("更正申请")
        verbose_name_plural = _("更正申请")
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
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("开通时间"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补报例外")
        verbose_name_plural = _("补报例外")
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period__day=1), name="exception_period_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.town} {self.period:%Y-%m}"

    def is_active(self, on) -> bool:
        return self.revoked_at is None and self.expires_on >= on


# Database triggers record every insert, update and delete of the statistics, whatever path it takes
# (services, admin, QuerySet.update(), bulk_create, raw SQL). Who and why come from the pghistory
# context: the request middleware sets the user and the URL, the services add their name and reason.
# The event tables are append-only (a protection trigger refuses UPDATE and DELETE).


# --- Work information (信息报送, R-3.2) ----------------------------------------------------------------


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
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(_("采用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作信息")
        verbose_name_plural = _("工作信息")
        ordering = ["-happened_on", "-pk"]
        indexes = [models.Index(fields=["status", "happened_on"], name="workinfo_status_day")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class WorkInfoEvent(models.Model):
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
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=16, choices=WorkInfo.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=WorkInfo.Status.choices, blank=True)
    reason = models.TextField(_("原因"), blank=True)

    class Meta:
        verbose_name = _("工作信息操作记录")
        verbose_name_plural = _("工作信息操作记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.info_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


def _audited(*trackers, **kwargs):
    """Track a model; trackers and field configs are fresh per model (pghistory adapts them to it)."""
    trackers = trackers or (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
    obj_field = pghistory.ObjForeignKey(related_name="audit_events")
    return pghistory.track(*trackers, append_only=True, obj_field=obj_field, **kwargs)


_audited(fields=["report", "indicator", "value"], model_name="ReportValueAudit")(ReportValue)
_audited(
    fields=[
        "project",
        "report",
        "investment_month",
        "investment_year",
        "investment_total",
        "physical_progress",
        "problems",
    ],
    model_name="ProjectProgressAudit",
)(ProjectProgress)
_audited(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    fields=["town", "period", "status", "timeliness"],
    model_name="MonthlyReportAudit",
)(MonthlyReport)
_audited(exclude=["created_at"], model_name="ProjectAudit")(Project)
_audited(model_name="ProjectYearPlanAudit")(ProjectYearPlan)
_audited(model_name="IndicatorAudit")(Indicator)  # the catalogue's changes
_audited(model_name="ValidationRuleAudit")(ValidationRule)
_audited(exclude=["created_at", "updated_at"], model_name="WorkInfoAudit")(WorkInfo)


# The dashboards' one-row-per-report summary of accepted figures lives beside its maintenance (issue 8).
from .summaries import AcceptedFigures  # noqa: E402, F401
