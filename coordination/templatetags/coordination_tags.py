"""Form fields and badges of the coordination pages."""

from django import forms, template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext as _

from coordination.models import ActionItemStatus, MeetingKind, MeetingState, PlanStatus, PlanVersion
from tianjin_towns.lib.badges import badge, choice_badge

register = template.Library()

# An action item's own colours; verified, and the states of meetings, plans and reviews, are in STATE_COLOURS.
ITEM_STATUS_COLOURS = {
    ActionItemStatus.OPEN: "text-bg-secondary",
    ActionItemStatus.IN_PROGRESS: "text-bg-primary",
    ActionItemStatus.DONE: "text-bg-info",
}


@register.simple_tag
def meeting_state_badge(state: str | None):
    return choice_badge(state, MeetingState)


@register.simple_tag
def meeting_kind_tag(kind: str | None):
    """The kind's label in its colour (both from MeetingKind)."""
    if kind not in MeetingKind.values:
        return ""
    kind = MeetingKind(kind)
    return format_html('<span class="kind-tag kind-tag-{}">{}</span>', kind.colour, kind.label)


@register.simple_tag
def item_status_badge(status: str | None):
    return choice_badge(status, ActionItemStatus, ITEM_STATUS_COLOURS)


@register.simple_tag
def plan_status_badge(status: str | None):
    return choice_badge(status, PlanStatus)


@register.simple_tag
def review_badge(review: str | None):
    return choice_badge(review, PlanVersion.Review)


@register.filter
def is_overdue(item, today) -> bool:
    return item.is_overdue_on(today)


@register.simple_tag
def item_overdue_flag(item, today):
    if item.is_overdue_on(today):
        days = (today - item.due_on).days
        return badge("badge-soft-danger overdue-flag", _("逾期 %(days)s 天") % {"days": days}, "bi-alarm")
    return ""


def widget_css(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
        css = "form-check-input"
    elif isinstance(widget, forms.Select) and not isinstance(widget, forms.CheckboxSelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    return f"{css} is-invalid" if field.errors else css


@register.simple_tag
def widget(field: forms.BoundField, **attrs):
    """The field's widget with Bootstrap classes (is-invalid and aria-invalid when it has errors) and extra
    attributes; an attribute given empty is left out."""
    attrs = {
        name.replace("_", "-"): value for name, value in attrs.items() if value not in ("", None)
    }  # aria_label → aria-label
    attrs["class"] = f"{widget_css(field)} {attrs.get('class', '')}".strip()
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag
def cell_field(field: forms.BoundField, label: str = ""):
    """A field in a table's cell, under the column that names it: its widget as the form made it, named for a screen
    reader (aria-label: `label`, else the field's label), and when invalid marked so and described by its errors,
    which follow it."""
    attrs = {"aria-label": label or field.label}
    errors = ""
    if field.errors:
        error_id = f"{field.auto_id}-error"
        attrs.update({"aria-invalid": "true", "aria-describedby": error_id})
        errors = format_html(
            '<div class="invalid-feedback d-block" id="{}">{}</div>', error_id, "；".join(field.errors)
        )
    return format_html("{}{}", field.as_widget(attrs=attrs), errors)


def described_by(field: forms.BoundField) -> str:
    """The ids of the field's errors and help text as field.html renders them, for the widget's aria-describedby:
    a screen reader reads them with the field."""
    if not field.auto_id:
        return ""
    ids = [f"{field.auto_id}-error"] if field.errors else []
    if field.help_text:
        ids.append(f"{field.auto_id}-help")
    return " ".join(ids)


@register.simple_tag
def form_field(field: forms.BoundField, **options):
    """Label, widget, help text and errors of one field, as the pages lay them out."""
    context = {"field": field, "options": options, "described_by": described_by(field)}
    return render_to_string("coordination/includes/field.html", context)
