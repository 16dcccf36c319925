from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("现场督办")

    def ready(self) -> None:
        # Visits count in coordination's cadence matrix (R-2.4: each district 1–2 times a quarter).
        # A registry keeps the dependency one way: coordination never imports this app.
        from coordination.cadence import register_activity_counter

        from .models import Visit
        from .selectors import visit_list_link, visits_held_counter, visits_held_period_counter

        for kind in Visit.Kind:
            register_activity_counter(
                kind.value,
                kind.label,
                visits_held_counter(kind.value),
                link=visit_list_link(kind.value),
                period_counter=visits_held_period_counter(kind.value),  # a whole year in one query
            )
