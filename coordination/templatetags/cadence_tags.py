"""{% cadence_cells row %} and {% cadence_page_cells row %}: the cells of one unit's row of the leaders' cadence panel
and of the cadence page (R-2.4), written in one go.

The panel of a province holds a thousand cells or more; drawn by the template language each one costs a dozen node
renders and a {% blocktranslate %} (about 0.1 ms each, most of the panel's time), here one string format
(issue 21: the panel within 40 ms)."""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

register = template.Library()


@register.simple_tag
def cadence_cells(row) -> str:
    """`<td class="cad-<state>" title="已开展 N 次，要求 …">N</td>` per cell, the count linked to the activities
    behind it where their kind has a list page."""
    if not row.cells:
        return ""
    title = _("已开展 %(held)s 次，要求 %(required)s")
    required = row.cells[0].rule.requirement_label  # one rule per row
    parts = []
    for cell in row.cells:
        # The state is one of four codes and the count a number; the link and the title are escaped (plain
        # html.escape: Django's escaping functions check every argument for lazy strings, a third of the time).
        link = cell.link
        held = f'<a href="{escape(link)}">{cell.held}</a>' if link else str(cell.held)
        tip = escape(title % {"held": cell.held, "required": required})
        parts.append(f'<td class="cad-{cell.state}" title="{tip}">{held}</td>')
    return mark_safe("".join(parts))  # noqa: S308 (built above from escaped parts)


STATE_LABELS = {"ok": _lazy("达标"), "short": _lazy("未达标"), "over": _lazy("超上限"), "pending": _lazy("进行中")}


@register.simple_tag
def cadence_page_cells(row) -> str:
    """The cells of a unit's row on the cadence page (工作节奏达标): the count and its state in words, the title
    naming the unit and the period."""
    if not row.cells:
        return ""
    title = _("%(unit)s %(period)s：已开 %(held)s 次，要求 %(required)s")
    required = row.cells[0].rule.requirement_label
    labels = {state: str(label) for state, label in STATE_LABELS.items()}
    parts = []
    for cell in row.cells:
        tip = escape(
            title % {"unit": row.unit.name, "period": cell.period_label, "held": cell.held, "required": required}
        )
        inner = f'<span class="cad-held">{cell.held}</span> <span class="cad-state">{labels[cell.state]}</span>'
        link = cell.link
        if link:
            inner = f'<a href="{escape(link)}">{inner}</a>'
        parts.append(f'<td class="cad-cell cad-{cell.state}" title="{tip}">{inner}</td>')
    return mark_safe("".join(parts))  # noqa: S308 (built above from escaped parts)
