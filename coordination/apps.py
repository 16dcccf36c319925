from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("组织协调")

    def ready(self) -> None:
        # Registers the meeting kinds with the cadence registry and the open action items
        # with the agenda sources.
        from . import agenda, cadence  # noqa: F401
