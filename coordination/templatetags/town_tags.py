"""Badges and texts of the town pages: a lifecycle status in its colour (STATE_COLOURS), level, changes."""

import datetime

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from coordination.models import Town, TownStatus
from tianjin_towns.lib.badges import choice_badge

register = template.Library()


@register.simple_tag
def town_status_badge(status: str | None):
    return choice_badge(status, TownStatus, empty="—")


@register.filter
def town_level_label(level: str | None) -> str:
    return Town.Level(level).label if level in Town.Level.values else (level or "—")


def _shown(field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if field == "level" and value in Town.Level.values:
        return str(Town.Level(value).label)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if field == "named_on":
        day = datetime.date.fromisoformat(value)
        return f"{day.year}年{day.month}月{day.day}日"
    return str(value)


@register.filter
def town_change_text(change: dict) -> str:
    """One recorded attribute change (TownEdit.changes) as "级别：市级特色小镇 → 市级培育特色小镇"."""
    field = change.get("field", "")
    try:
        label = str(Town._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:  # a field since removed: show its name
        label = field
    return f"{label}：{_shown(field, change.get('old'))} → {_shown(field, change.get('new'))}"
