"""Badges, shares and the navigation count of the inspection pages."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inspections.models import ProblemStatus, Visit
from tianjin_towns.lib.badges import badge, choice_badge

register = template.Library()

# A problem's own colours; verified is in STATE_COLOURS.
STATUS_COLOURS = {
    ProblemStatus.OPEN: "text-bg-warning",
    ProblemStatus.IN_PROGRESS: "text-bg-info",
    ProblemStatus.DONE: "text-bg-primary",
}
STATUS_ICONS = {
    ProblemStatus.OPEN: "bi-hourglass",
    ProblemStatus.IN_PROGRESS: "bi-tools",
    ProblemStatus.DONE: "bi-clipboard-check",
    ProblemStatus.VERIFIED: "bi-check-circle",
}


@register.simple_tag
def problem_status_badge(status: str | None):
    return choice_badge(status, ProblemStatus, STATUS_COLOURS, icons=STATUS_ICONS)


# A problem closed the day it was found (Problem.same_day_outcome): its tag and icon.
SAME_DAY_TAGS = {
    "on_site": (gettext_lazy("现场解决"), "bi-lightning-charge"),
    "same_day": (gettext_lazy("当日解决"), "bi-sun"),
    "rectified": (gettext_lazy("限期整改·当日办结"), "bi-check2-circle"),
}


@register.simple_tag
def same_day_badge(problem, *, icon: bool = True):
    """现场解决, 当日解决 or 限期整改·当日办结 for a problem closed the day it was found; nothing otherwise."""
    tag = SAME_DAY_TAGS.get(problem.same_day_outcome)
    if tag is None:
        return ""
    label, icon_name = tag
    return badge("badge-soft-success", label, icon_name if icon else "")


@register.simple_tag
def visit_kind_badge(kind: str):
    css = "badge-soft-kind-onsite" if kind == Visit.Kind.ONSITE_SUPERVISION else "badge-soft-kind-special"
    return badge(css, Visit.Kind(kind).label)


@register.simple_tag
def overdue_badge(days: int | None):
    if not days:
        return ""
    return badge("badge-soft-danger", _("逾期 %(n)s 天") % {"n": days})


@register.filter
def percent(share: float | None) -> str:
    """0.25 → '25%', 0.3333 → '33.3%'; None (nothing to divide) → '—'."""
    if share is None:
        return "—"
    value = round(share * 100, 1)
    return f"{value:g}%"


@register.filter
def days(value: float | None) -> str:
    if value is None:
        return "—"
    return _("%(n)s 天") % {"n": f"{value:g}"}
