"""Cadence rules (R-2.4): how many activities of a kind each org unit of a level must hold per period.

Rules are data an administrator edits; the kinds they name come from the registry in
coordination/cadence.py (meetings here, on-site supervision visits from the inspections app).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class CadenceRule(models.Model):
    class Level(models.TextChoices):
        MUNICIPAL = "municipal", _("市级（联席会议及其办公室）")
        DISTRICT = "district", _("区级（每个区）")

    class Period(models.TextChoices):
        MONTH = "month", _("每月")
        QUARTER = "quarter", _("每季度")
        YEAR = "year", _("每年")

    kind = models.CharField(
        _("活动类别"), max_length=40, help_text=_("活动类别代码，见 coordination/cadence.py 的登记表")
    )
    level = models.CharField(_("适用层级"), max_length=16, choices=Level.choices)
    period = models.CharField(_("周期"), max_length=10, choices=Period.choices)
    required_min = models.PositiveSmallIntegerField(_("至少（次）"), default=1)
    required_max = models.PositiveSmallIntegerField(_("至多（次）"), null=True, blank=True, help_text=_("不限则留空"))
    active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("依据"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("工作节奏规则")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.get_level_display()} {self.get_period_display()} {self.requirement_label}"

    @property
    def requirement_label(self) -> str:
        if self.required_max is None:
            return _("≥%(min)s次") % {"min": self.required_min}
        if self.required_max == self.required_min:
            return _("%(min)s次") % {"min": self.required_min}
        return _("%(min)s–%(max)s次") % {"min": self.required_min, "max": self.required_max}

    def clean(self) -> None:
        if self.required_max is not None and self.required_max < self.required_min:
            raise ValidationError({"required_max": _("至多次数不能小于至少次数。")})
