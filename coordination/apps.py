from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("组织协调")

    def ready(self) -> None:
        # Registers the meeting kinds with the cadence registry, the open action items with the
        # agenda sources, and the administrator's holiday entries with the working-day calendar.
        from tianjin_towns.lib import dates

        from . import agenda, cadence, selectors  # noqa: F401

        dates.register_calendar(selectors.calendar_entries)
