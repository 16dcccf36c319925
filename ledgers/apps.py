from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "ledgers"
    verbose_name = _("信息统计与台账")

    def ready(self) -> None:
        # District meetings' agendas list the district's late and returned reports (R-2.1).
        from coordination.agenda import register_agenda_source

        from .agenda import report_agenda_lines

        register_agenda_source("monthly_reports", report_agenda_lines)
