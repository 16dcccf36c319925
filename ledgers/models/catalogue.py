"""The indicator catalogue of SPEC §7: what a monthly report counts, and the months each indicator applies."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    # Data sharing (issue 18): the member units the office does not share this indicator's accepted figures with.
    withheld_from = models.ManyToManyField(
        "coordination.MemberUnit",
        verbose_name=_("不向以下成员单位共享"),
        blank=True,
        related_name="withheld_indicators",
    )

    class Meta:
        verbose_name = verbose_name_plural = _("统计指标")
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
