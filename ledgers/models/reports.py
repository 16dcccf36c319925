"""Monthly reports (R-3.3): their status and timeliness, their figures, their audit trail, and the
dashboards' one-row summary of an accepted report's figures."""

import datetime
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.models import OrgUnit, Town
from tianjin_towns.lib import dates
from tianjin_towns.lib.events import Event, action_choice, changed_values
from tianjin_towns.lib.models import status_change, step_taken, timestamps

from .catalogue import Indicator


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
    submitted_at, submitted_by = step_taken(_("报送时间"))
    approved_at, approved_by = step_taken(_("区级审核时间"))
    accepted_at, accepted_by = step_taken(_("验收时间"))
    return_reason = models.TextField(_("退回原因"), blank=True)
    created_at, updated_at = timestamps()
    # When its accepted figures last appeared or were withdrawn (accepted, reopened, accepted again): the
    # data-sharing feed's `updated_since` (issue 18). Null for a report never accepted.
    figures_changed_at = models.DateTimeField(_("已验收数据变动时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("月报")
        ordering = ["-period", "town__district__order", "town__unit__order"]
        constraints = [
            models.UniqueConstraint(fields=["town", "period"], name="one_report_per_town_month"),
            models.CheckConstraint(condition=models.Q(period__day=1), name="report_period_first_day"),
        ]
        indexes = [
            models.Index(fields=["period", "status"]),
            models.Index(fields=["figures_changed_at", "id"], name="report_figures_changed"),
            # Timeliness of a month for every town (the dashboards' heatmap) from the index alone.
            models.Index(
                fields=["period", "town"], include=["timeliness", "submitted_at"], name="report_period_timeliness"
            ),
        ]

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
        then the month's current rule, `ledgers.deadlines.due_date` (which explains why `due_on` is not frozen at
        creation); both read the working-day calendar's report_due_date."""
        return self.due_on if self.timeliness else dates.report_due_date(self.period)


# The largest figure a report holds (14 whole digits, as ReportValue.value's max_digits − decimal_places): the
# figure parser refuses larger ones with 数值过大 (services.common), and the rules' preview leaves them out.
MAX_FIGURE = Decimal("99999999999999")


class ReportValue(models.Model):
    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = _("指标值")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="one_value_per_indicator"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="report_value_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}={self.value}"


class ReportEvent(Event):
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
    action = action_choice(Action.choices, max_length=16)
    from_status, to_status = status_change(ReportStatus.choices, max_length=20)
    reason = models.TextField(_("原因"), blank=True)
    # {"values": {code: [old, new]}, "projects": {project_code: {field: [old, new]}}}; numbers as strings.
    changes = changed_values()

    class Meta(Event.Meta):
        verbose_name = verbose_name_plural = _("月报操作记录")


class AcceptedFigures(models.Model):
    """The accepted figures of one report in one row, which the leaders' dashboards read (issue 8);
    ledgers.summaries explains the layout and keeps the rows."""

    report = models.OneToOneField(MonthlyReport, primary_key=True, on_delete=models.CASCADE, related_name="+")
    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="+", db_index=False)
    period = models.DateField()
    # figures[i] is the value of the indicator whose id is i, times 100 (NULL where the report has none).
    figures = ArrayField(models.BigIntegerField(null=True))

    class Meta:
        verbose_name = verbose_name_plural = "已验收数据汇总"
        indexes = [
            # The dashboards filter by month range (city, district) or by town; the figures ride along,
            # so the scans read the index alone.
            models.Index(fields=["period", "town"], include=["figures"], name="acceptedfigures_period"),
            models.Index(fields=["town", "period"], include=["figures"], name="acceptedfigures_town"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}"


class MonthFigures(models.Model):
    """The accepted figures of a town, a district or the whole city in one month (issue 21): what the
    dashboards read instead of summing thousands of AcceptedFigures rows per request. ledgers.summaries
    keeps the rows in the same transaction as acceptance and reopening."""

    # A town's or a district's org unit; NULL for the whole city.
    unit = models.ForeignKey(OrgUnit, null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    period = models.DateField()
    reports = models.PositiveIntegerField(default=0)  # accepted reports of the month
    # sums[i]: indicator i's accepted figures of the month summed, in cents (NULL where none);
    # to_date[i]: year to date through the month (flows summed, a stock at each town's latest month).
    sums = ArrayField(models.BigIntegerField(null=True))
    to_date = ArrayField(models.BigIntegerField(null=True))

    class Meta:
        verbose_name = verbose_name_plural = "月度已验收数据汇总"
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], nulls_distinct=False, name="monthfigures_unit_period")
        ]
        # Every town's year to date through one month (the dashboards' lag counts) from the index alone.
        indexes = [models.Index(fields=["period", "unit"], include=["to_date"], name="monthfigures_period_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id or 'city'} {self.period:%Y-%m}"


class TimelinessTally(models.Model):
    """How a district's reports of one month arrived (issue 21): what the city's dashboard counts instead of
    the year's twenty thousand reports on every request. Only the reports of towns expected that month count
    (deadlines.expects_report). Kept by triggers in the database (ledgers/tally.py), whatever changes a
    report or a town: the services, a bulk load, the admin or plain SQL."""

    district = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", db_index=False)
    period = models.DateField()
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    recorded_missing = models.IntegerField(default=0)  # recorded so (Timeliness.MISSING)
    submitted = models.IntegerField(default=0)  # submitted and not recorded missing

    class Meta:
        verbose_name = verbose_name_plural = "月报及时性汇总"
        constraints = [models.UniqueConstraint(fields=["district", "period"], name="timelinesstally_district_period")]

    def __str__(self) -> str:
        return f"{self.district_id} {self.period:%Y-%m}"
