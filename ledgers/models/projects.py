"""The project ledger (R-3.3): projects with their yearly plans, history and documents, and each
project's row in a monthly report."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.models import Town
from tianjin_towns.lib import dates
from tianjin_towns.lib.events import Event, action_choice, changed_values
from tianjin_towns.lib.models import UploadedFile, random_file_name

from .reports import MonthlyReport, ReportStatus


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
        verbose_name = verbose_name_plural = _("建设项目")
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
        verbose_name = verbose_name_plural = _("项目年度计划")
        ordering = ["project", "year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="one_plan_per_project_year"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="project_year_plan_non_negative"),
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100), name="project_year_plan_year"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}: {self.amount}"


class ProjectEvent(Event):
    """The history of a project's identity and plans: who changed what, when, from what to what."""

    class Action(models.TextChoices):
        CREATE = "create", _("登记")
        UPDATE = "update", _("修改")
        ATTACH = "attach", _("上传附件")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    action = action_choice(Action.choices, max_length=16)
    # {field: [old, new]}; "year_plans": {year: [old, new]}; numbers and dates as strings.
    changes = changed_values()

    class Meta(Event.Meta):
        verbose_name = verbose_name_plural = _("项目变更记录")


def _attachment_path(attachment: "ProjectAttachment", filename: str) -> str:
    return random_file_name(f"projects/{attachment.project_id}", filename)


class ProjectAttachment(UploadedFile):
    """A document of a project (立项批复, 规划许可, 施工许可, photos…)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=_attachment_path, max_length=200)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta(UploadedFile.Meta):
        verbose_name = verbose_name_plural = _("项目附件")
        ordering = ["project", "uploaded_at", "pk"]


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
        verbose_name = verbose_name_plural = _("项目月度进展")
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
