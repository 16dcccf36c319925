"""Badges and numbers shared by the report templates (the 待我处理 badge: tianjin_towns/templatetags/inbox_tags.py)."""

import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledgers.models import Project, ReportStatus, Timeliness
from tianjin_towns.lib.badges import badge, choice_badge, no_value, state_colour

register = template.Library()


@register.simple_tag
def project_status_badge(status: str | None):
    return choice_badge(status, Project.Status)


@register.simple_tag
def status_badge(status: str | None):
    return choice_badge(status, ReportStatus)


@register.simple_tag
def timeliness_badge(value: str | None):
    if not value:
        return no_value()
    return badge(state_colour(value), Timeliness(value).label)


@register.filter
def amount(value, places=None) -> str:
    """Thousands separators; with `places` that many decimals (1200.5 → '1,200.50'), else as few as needed."""
    if value is None or value == "":
        return ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if places not in (None, ""):
        return format(number.quantize(Decimal(1).scaleb(-int(places))), ",f")
    return format(number.normalize(), ",f")


@register.filter
def month_label(period: datetime.date | None) -> str:
    if not period:
        return ""
    return _("%(year)s年%(month)s月") % {"year": period.year, "month": period.month}


@register.filter
def lookup(mapping, key):
    """A dict's item by a variable key in a template: {{ evidence_by_code|lookup:indicator.code }}."""
    return mapping.get(key) if hasattr(mapping, "get") else None


# A figure's check state (数据核对, issue 18): an icon after the figure, its label for screen readers.
CHECK_MARKS = {
    "agreed": ("bi-check-circle-fill text-success", gettext_lazy("一致")),
    "differs": ("bi-exclamation-circle-fill text-danger", gettext_lazy("有差异")),
    "explained": ("bi-info-circle-fill text-primary", gettext_lazy("已说明")),
}


@register.simple_tag
def check_mark(state: str):
    """{% check_mark cell.check %}: the mark of a checked figure (一致, 有差异, 已说明)."""
    icon, label = CHECK_MARKS[state]
    return format_html(
        '<i class="bi {} check-mark ms-1" title="{}" aria-hidden="true"></i><span class="visually-hidden">{}</span>',
        icon,
        label,
        label,
    )
