"""Badges and links of the assessment pages."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from assessments.models import Band, Grade, RunStatus, Sanction
from tianjin_towns.lib.badges import badge, choice_badge, no_value, state_colour

register = template.Library()

SELF_EVALUATION_STATES = {
    "submitted": ("badge-soft-success", _("按时提交")),
    "late": ("badge-soft-warning", _("逾期提交")),
    "overdue": ("badge-soft-danger", _("逾期未交")),
    "open": ("text-bg-light", _("待填报")),
}


@register.simple_tag
def grade_badge(grade: str):
    return choice_badge(grade, Grade, css="")


@register.simple_tag
def band_badge(band: str):
    if not band:
        return no_value()
    icon = "bi-hand-thumbs-up" if band == Band.PRAISE else "bi-exclamation-triangle"
    return badge(state_colour(band), Band(band).label, icon)


@register.simple_tag
def sanction_badge(sanction: str):
    return choice_badge(sanction, Sanction, css="")


@register.simple_tag
def run_status_badge(status: str):
    return badge(state_colour(status), RunStatus(status).label)


@register.simple_tag
def provisional_badge():
    """The mark of a draft run's figures: computed from the data as it stands, not yet final (预估)."""
    return badge("badge-soft-warning badge-provisional", _("预估"), "bi-hourglass-split")


@register.simple_tag
def self_evaluation_badge(state: str):
    css, text = SELF_EVALUATION_STATES[state]
    return badge(css, text)


@register.simple_tag
def source_url(source: dict) -> str:
    """Where the record behind a figure of a breakdown is shown: a report, the cadence matrix, the problems."""
    if source.get("url"):
        return source["url"]
    try:
        if source["type"] == "report":
            return reverse("report-detail", args=[source["id"]])
        if source["type"] == "town_month":
            return f"{reverse('report-list')}?town={source['id']}"
        if source["type"] == "cadence":
            return reverse("cadence")
        if source["type"] == "problems":
            return reverse("problem-list")
        if source["type"] == "discrepancies":
            return f"{reverse('discrepancy-list')}?status=all"
    except NoReverseMatch:
        return ""
    return ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
