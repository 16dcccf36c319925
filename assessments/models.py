"""Supervision and assessment (R-5): annual targets and their lag flags, assessment schemes with
weighted items, semi-annual and annual runs with frozen results, manual scores, self-evaluations,
and the audit trail of every change made here."""

import datetime
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.models import OrgUnit, Town
from ledgers.models import Indicator
from tianjin_towns.lib import dates
from tianjin_towns.lib.events import Event, changed_values
from tianjin_towns.lib.models import acting_user, step_taken, timestamps

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1000))]


class Target(models.Model):
    """A town's annual plan (年度计划) for one indicator (R-5.1)."""

    town = models.ForeignKey(Town, verbose_name=_("小镇"), on_delete=models.PROTECT, related_name="targets")
    year = models.PositiveSmallIntegerField(_("年度"))
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("年度目标值"), max_digits=16, decimal_places=2)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = acting_user()

    class Meta:
        verbose_name = verbose_name_plural = _("年度计划")
        ordering = ["year", "town", "indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["town", "year", "indicator"], name="one_target_per_town_year_indicator"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.town_id} {self.year} {self.indicator_id}={self.value}"


class LagRollup(models.Model):
    """How a town, a district or the whole city stands against its towns' targets through one month (issue
    21): what the dashboards read instead of comparing every town's year to date with its targets per
    request. assessments.rollups keeps the rows with the month rollups of accepted figures, the targets and
    the year's lag margin. Each array is by indicator id (position = id)."""

    # A town's or a district's org unit; NULL for the whole city.
    unit = models.ForeignKey(OrgUnit, null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    period = models.DateField()
    target = ArrayField(models.BigIntegerField(null=True))  # the towns' targets summed, in cents
    on_target = ArrayField(models.BigIntegerField(null=True))  # those towns' year to date, in cents
    with_target = ArrayField(models.BigIntegerField(null=True))  # how many towns have a target
    lagging = ArrayField(models.BigIntegerField(null=True))  # how many of them lag (target_completion's rule)

    class Meta:
        verbose_name = verbose_name_plural = "目标进度汇总"
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], nulls_distinct=False, name="lagrollup_unit_period")
        ]
        indexes = [models.Index(fields=["period", "unit"], name="lagrollup_period_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id or 'city'} {self.period:%Y-%m}"


class LagFlag(models.Model):
    """ "时间过半、任务过半": a month in which a town's year-to-date share of a target trailed the
    elapsed share of the year by more than the margin. One row per town, indicator and month."""

    town = models.ForeignKey(Town, verbose_name=_("小镇"), on_delete=models.CASCADE, related_name="lag_flags")
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("截至月份"))
    target = models.DecimalField(_("年度目标值"), max_digits=16, decimal_places=2)
    actual = models.DecimalField(_("累计完成"), max_digits=16, decimal_places=2)
    completion = models.DecimalField(_("完成进度(%)"), max_digits=8, decimal_places=1)
    expected = models.DecimalField(_("应达进度(%)"), max_digits=8, decimal_places=1)
    created_at = models.DateTimeField(_("预警时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("进度滞后预警")
        ordering = ["-period", "town", "indicator__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "indicator", "period"], name="one_lag_flag_per_town_indicator_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.town_id} {self.indicator_id} {self.period:%Y-%m}"


class Scheme(models.Model):
    """The assessment scheme of one year (R-5.2): weighted items plus the rules for grades and sanctions."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    name = models.CharField(_("方案名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    # Grades of the annual run: a score at or above the threshold earns the grade.
    excellent_min = models.DecimalField(_("优秀分数线"), max_digits=5, decimal_places=1, default=Decimal(90))
    good_min = models.DecimalField(_("良好分数线"), max_digits=5, decimal_places=1, default=Decimal(80))
    pass_min = models.DecimalField(_("合格分数线"), max_digits=5, decimal_places=1, default=Decimal(60))
    reward_count = models.PositiveSmallIntegerField(
        _("奖优名额"), default=3, help_text=_("年度考核等次为优秀的小镇中得分最高的几名")
    )
    # A town meets its plan when each target reaches this share of the time-proportional expectation.
    plan_met_share = models.DecimalField(
        _("完成计划的标准(%)"), max_digits=5, decimal_places=1, default=Decimal(100), validators=PERCENT
    )
    warnings_before_downgrade = models.PositiveSmallIntegerField(
        _("连续警告几次建议降级"), default=2, validators=[MinValueValidator(1)]
    )
    fails_before_exit = models.PositiveSmallIntegerField(
        _("连续几年不合格建议退出"), default=2, validators=[MinValueValidator(1)]
    )
    lag_margin = models.DecimalField(
        _("进度滞后预警阈值(百分点)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal(10),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = acting_user()

    class Meta:
        verbose_name = verbose_name_plural = _("考核方案")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.name


class ItemKind(models.TextChoices):
    COMPLETION = "completion", _("目标完成率")
    TIMELINESS = "timeliness", _("报送及时率")
    CADENCE = "cadence", _("工作机制落实率")
    PROBLEMS = "problems", _("问题按期解决率")
    # Issue 18: the member units' cross-checks; no standard scheme has it (off unless a scheme adds it).
    CHECKS = "checks", _("核对差异说明率")
    MANUAL = "manual", _("考核组评分")


class SchemeItem(models.Model):
    """One weighted item of a scheme; `kind` picks its scoring rule in scoring.py."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    name = models.CharField(_("考核项"), max_length=100)
    kind = models.CharField(_("计分规则"), max_length=16, choices=ItemKind.choices)
    weight = models.DecimalField(
        _("权重(分)"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Completion only: a ratio above the cap earns no more; below the floor it earns nothing.
    cap = models.DecimalField(_("封顶(%)"), max_digits=5, decimal_places=1, default=Decimal(100), validators=PERCENT)
    floor = models.DecimalField(_("保底(%)"), max_digits=5, decimal_places=1, default=Decimal(0), validators=PERCENT)
    # Timeliness only: the credit a late report earns compared with one on time.
    late_credit = models.DecimalField(
        _("迟报折算(%)"), max_digits=5, decimal_places=1, default=Decimal(50), validators=PERCENT
    )
    guidance = models.CharField(_("评分说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("考核项")
        ordering = ["scheme", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}）"


class RunKind(models.TextChoices):
    SEMIANNUAL = "semiannual", _("半年考核")
    ANNUAL = "annual", _("年度考核")


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Run(models.Model):
    """A semi-annual (January–June) or annual assessment of every town under a scheme (R-5.3, R-5.4).

    A draft is computed afresh whenever it is read; publishing stores each town's result with the
    figures used, and from then on the run is frozen.
    """

    scheme = models.ForeignKey(Scheme, verbose_name=_("考核方案"), on_delete=models.PROTECT, related_name="runs")
    kind = models.CharField(_("类别"), max_length=12, choices=RunKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    status = models.CharField(_("状态"), max_length=12, choices=RunStatus.choices, default=RunStatus.DRAFT)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = acting_user()
    published_at, published_by = step_taken(_("发布时间"))

    class Meta:
        verbose_name = verbose_name_plural = _("考核")
        ordering = ["-scheme__year", "-kind", "-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def year(self) -> int:
        return self.scheme.year

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def end(self) -> datetime.date:
        """The last day of the assessed period."""
        if self.kind == RunKind.SEMIANNUAL:
            return datetime.date(self.year, 6, 30)
        return datetime.date(self.year, 12, 31)

    @property
    def months(self) -> int:
        return 6 if self.kind == RunKind.SEMIANNUAL else 12

    @property
    def is_published(self) -> bool:
        return self.status == RunStatus.PUBLISHED


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class Band(models.TextChoices):
    PRAISE = "praise", _("表扬")
    WARNING = "warning", _("警示")


class Sanction(models.TextChoices):
    WARNING = "warning", _("警告")
    DOWNGRADE = "downgrade", _("降级")
    EXIT = "exit", _("退出")
    NONE = "none", _("不予处理")


class RunResult(models.Model):
    """A town's frozen result in a published run: the score and everything it was computed from."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="results")
    town = models.ForeignKey(Town, verbose_name=_("小镇"), on_delete=models.PROTECT, related_name="+")
    town_name = models.CharField(_("小镇名称"), max_length=100)
    district_name = models.CharField(_("所属区"), max_length=100)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("全市排名"))
    district_rank = models.PositiveSmallIntegerField(_("区内排名"))
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices, blank=True)
    band = models.CharField(_("表扬/警示"), max_length=12, choices=Band.choices, blank=True)
    plan_met = models.BooleanField(_("完成计划"), null=True)
    reward = models.BooleanField(_("奖优"), default=False)
    sanction_proposed = models.CharField(_("建议处理"), max_length=12, choices=Sanction.choices, blank=True)
    proposal_reason = models.TextField(_("建议依据"), blank=True)
    # The office's decision on the proposal (annual runs only): confirmed or overridden, with a reason.
    sanction_decided = models.CharField(_("决定处理"), max_length=12, choices=Sanction.choices, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decided_by = acting_user(blank=True)
    # Item by item: weight, rule, figures used and their sources, as computed at publication.
    breakdown = models.JSONField(_("得分明细"), default=dict)

    class Meta:
        verbose_name = verbose_name_plural = _("考核结果")
        ordering = ["run", "rank", "town_name"]
        constraints = [models.UniqueConstraint(fields=["run", "town"], name="one_result_per_run_town")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.town_name} {self.score}"


class ManualScore(models.Model):
    """The assessment group's score of a manual item for one town in one run, with its justification."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="manual_scores")
    item = models.ForeignKey(SchemeItem, on_delete=models.CASCADE, related_name="manual_scores")
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal(0))])
    justification = models.TextField(_("评分依据"))
    scored_by = acting_user()
    scored_at = models.DateTimeField(_("评分时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("考核组评分")
        constraints = [models.UniqueConstraint(fields=["run", "item", "town"], name="one_manual_score_per_item_town")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.item_id} {self.town_id}={self.score}"


class SelfEvaluationKind(models.TextChoices):
    MONTHLY = "monthly", _("月度自评")
    QUARTERLY = "quarterly", _("季度自评")

    @property
    def months(self) -> int:
        """The months one period covers; a period is named by its first month."""
        return 3 if self == SelfEvaluationKind.QUARTERLY else 1

    def starts_period(self, month: datetime.date) -> bool:
        """Whether `month` (its first day) names a period: any month, or a quarter's first (1, 4, 7, 10)."""
        return (month.month - 1) % self.months == 0

    def period_ended(self, period: datetime.date, today: datetime.date) -> bool:
        """Whether the period that begins with `period` has ended by `today` (only then is it evaluated)."""
        return dates.add_months(period, self.months) <= today


class SelfEvaluation(models.Model):
    """自查自评自纠 (R-5.5): a district's or town's own monthly or quarterly evaluation against its targets."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=12, choices=SelfEvaluationKind.choices)
    period = models.DateField(_("期间"), help_text=_("月度为该月第一天，季度为该季度第一天"))
    due_on = models.DateField(_("截止日期"))
    self_score = models.DecimalField(
        _("自评得分"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    summary = models.TextField(_("目标完成情况"), blank=True)
    problems_found = models.TextField(_("自查发现的问题"), blank=True)
    corrections = models.TextField(_("整改措施"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    submitted_at, submitted_by = step_taken(_("提交时间"))
    created_at, updated_at = timestamps()

    class Meta:
        verbose_name = verbose_name_plural = _("自查自评")
        ordering = ["-period", "org_unit__level", "org_unit__order"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "kind", "period"], name="one_self_evaluation_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.kind} {self.period:%Y-%m}"

    @property
    def is_late(self) -> bool:
        if self.submitted_at is None:
            return False
        return timezone.localdate(self.submitted_at) > self.due_on


class AssessmentEvent(Event):
    """The audit trail of this app: who changed which target, scheme, run, score or decision, when and why."""

    action = models.CharField(_("操作"), max_length=40)
    object_type = models.CharField(_("对象类型"), max_length=40)
    object_id = models.PositiveBigIntegerField(_("对象"))
    town = models.ForeignKey(Town, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("原因"), blank=True)
    changes = changed_values()

    class Meta(Event.Meta):
        verbose_name = verbose_name_plural = _("考核操作记录")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id} {self.action}"
