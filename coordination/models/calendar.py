"""The administrator's working-day calendar: holidays and make-up working days (R-3.4).

`tianjin_towns.lib.dates.is_working_day` reads these entries first; the State Council's calendar
from the chinese-calendar package fills the days not entered, for the years it knows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(
        _("上班"), help_text=_("勾选：该日上班（如周末调休上班）；不勾选：该日放假（如法定节假日）。")
    )
    note = models.CharField(_("说明"), max_length=100, blank=True, help_text=_("例如：国庆节、国庆节调休上班"))

    class Meta:
        verbose_name = verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.note or ('上班' if self.is_working_day else '放假')}"
