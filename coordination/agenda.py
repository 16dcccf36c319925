"""Sources of agenda items for a district meeting (R-2.1): what the district should talk about.

A source is `source(district, today) -> list[str]`, one agenda line per item. This module registers
the district's open action items; the ledgers app registers its late and returned reports in its
AppConfig.ready() (a registry, because coordination never imports the apps after it).
"""

import datetime
from collections.abc import Callable

from django.utils.translation import gettext as _

Source = Callable[[object, datetime.date], list[str]]
_SOURCES: dict[str, Source] = {}


def register_agenda_source(key: str, source: Source) -> None:
    """Register (or replace) a source of agenda lines. Safe to call twice."""
    _SOURCES[key] = source


def agenda_suggestions(district, today: datetime.date) -> list[str]:
    """Agenda lines from every registered source, in registration order."""
    lines: list[str] = []
    for source in _SOURCES.values():
        lines += source(district, today)
    return lines


def open_action_items_source(district, today: datetime.date) -> list[str]:
    from .models import ActionItem
    from .models.meetings import OPEN_STATUSES

    items = (
        ActionItem.objects.filter(status__in=OPEN_STATUSES)
        .filter(responsible_unit__in=[district.pk, *district.children.values_list("pk", flat=True)])
        .select_related("responsible_unit")
        .order_by("due_on", "pk")
    )
    lines = []
    for item in items:
        flag = _("，已逾期") if item.due_on < today else ""
        unit = "" if item.responsible_unit.name in item.title else f"{item.responsible_unit.name}，"
        lines.append(
            _("督办事项：%(title)s（%(unit)s时限 %(due)s%(flag)s）")
            % {"title": item.title, "unit": unit, "due": item.due_on.isoformat(), "flag": flag}
        )
    return lines


register_agenda_source("action_items", open_action_items_source)
