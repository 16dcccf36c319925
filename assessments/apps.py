from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("督查考核")

    def ready(self) -> None:
        from . import rollups  # noqa: F401 (connects its receiver of the month rollups' changes)
