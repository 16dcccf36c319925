"""Departmental cross-checks of the accepted figures (数据核对, issue 18): the member unit that holds an
indicator's authoritative source (税务局 for tax revenue, 规划资源局 for land, 统计局 for investment) checks
each town's accepted figure against its own records; a difference beyond the indicator's tolerance opens a
discrepancy that the district answers and the office closes."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.models import MemberUnit
from tianjin_towns.lib.models import step_taken

from .catalogue import Indicator
from .reports import MonthlyReport

DEFAULT_TOLERANCE = Decimal(5)  # per cent


class IndicatorSource(models.Model):
    """The member unit holding an indicator's authoritative source; its liaisons check the accepted figures."""

    indicator = models.OneToOneField(
        Indicator, verbose_name=_("统计指标"), on_delete=models.CASCADE, primary_key=True, related_name="source"
    )
    member_unit = models.ForeignKey(
        MemberUnit, verbose_name=_("核对单位"), on_delete=models.PROTECT, related_name="sourced_indicators"
    )
    tolerance = models.DecimalField(
        _("允许偏差(%)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_TOLERANCE,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("核对单位的数与已验收数相差超过该比例时，形成差异，由区说明。"),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("指标核对单位")
        ordering = ["indicator__order", "indicator__code"]

    def __str__(self) -> str:
        return f"{self.indicator} → {self.member_unit}"


class CheckState(models.TextChoices):
    """A figure's check state as the ledger, the dashboards and the export show it."""

    UNCHECKED = "unchecked", _("未核对")
    AGREED = "agreed", _("一致")
    DIFFERS = "differs", _("有差异")
    EXPLAINED = "explained", _("已说明")


class FigureCheck(models.Model):
    """One member unit's check of one town's accepted figure of one month, and the discrepancy it may open:
    open (有差异, for the district to answer) → answered (the district's explanation, for the office) →
    closed (已说明)."""

    class Status(models.TextChoices):
        AGREED = "agreed", _("一致")
        OPEN = "open", _("有差异，待区说明")
        ANSWERED = "answered", _("区已说明，待市特镇办确认")
        CLOSED = "closed", _("已说明")

    report = models.ForeignKey(MonthlyReport, verbose_name=_("月报"), on_delete=models.CASCADE, related_name="checks")
    indicator = models.ForeignKey(Indicator, verbose_name=_("统计指标"), on_delete=models.PROTECT, related_name="+")
    member_unit = models.ForeignKey(
        MemberUnit, verbose_name=_("核对单位"), on_delete=models.PROTECT, related_name="figure_checks"
    )
    accepted_value = models.DecimalField(_("已验收数"), max_digits=16, decimal_places=2)
    source_value = models.DecimalField(_("核对单位数"), max_digits=16, decimal_places=2, null=True, blank=True)
    tolerance = models.DecimalField(_("允许偏差(%)"), max_digits=5, decimal_places=2)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, db_index=True)
    checked_at, checked_by = step_taken(_("核对时间"))
    explanation = models.TextField(_("区的说明"), blank=True)
    answered_at, answered_by = step_taken(_("说明时间"))
    closing_note = models.TextField(_("关闭意见"), blank=True)
    closed_at, closed_by = step_taken(_("关闭时间"))

    class Meta:
        verbose_name = verbose_name_plural = _("数据核对")
        ordering = ["report__period", "report__town", "indicator__order"]
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="one_check_per_figure")]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.indicator_id}: {self.status}"

    @property
    def state(self) -> str:
        """The figure's check state (CheckState) for the ledger: 有差异 until the office closes it."""
        if self.status == self.Status.AGREED:
            return CheckState.AGREED
        return CheckState.EXPLAINED if self.status == self.Status.CLOSED else CheckState.DIFFERS

    @property
    def difference(self) -> Decimal | None:
        """The unit's figure less the accepted one, as a share of the accepted figure (per cent)."""
        if self.source_value is None:
            return None
        if not self.accepted_value:
            return Decimal(0) if not self.source_value else Decimal(100)
        return (self.source_value - self.accepted_value) / self.accepted_value * 100
