"""Badges and numbers shared by the report templates (the 待我处理 badge: tianjin_towns/templatetags/inbox_tags.py)."""

import datetime
import functools
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

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
def figure_change(change) -> str:
    """{{ change|figure_change }}: a change in % beside a figure (selectors.context.Change) with its arrow, "—" when
    there is none. Written here rather than included: the report page shows two in each row of its figures."""
    if change is None:
        return mark_safe('<span class="text-body-tertiary">—</span>')
    if change.up or change.down:
        arrow, word = ("up", _("增长")) if change.up else ("down", _("下降"))
        return format_html(
            '<span class="text-nowrap"><i class="bi bi-arrow-{}-short" aria-hidden="true"></i>'
            '<span class="visually-hidden">{}</span>{}%</span>',
            arrow,
            word,
            localize(change.size),
        )
    return format_html('<span class="text-body-secondary">{}</span>', _("持平"))


@register.filter
def amount(value, places=None) -> str:
    """Thousands separators; with `places` that many decimals (1200.5 → '1,200.50'), else as few as needed."""
    if value is None or value == "":
        return ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return _formatted(number, _quantum(places))


def _quantum(places) -> Decimal | None:
    """The quantum of `places` decimals (2 → 0.01); None: as few decimals as needed."""
    return Decimal(1).scaleb(-int(places)) if places not in (None, "") else None


def _formatted(number: Decimal, quantum: Decimal | None) -> str:
    return format(number.quantize(quantum) if quantum is not None else number.normalize(), ",f")


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


@functools.cache
def _ledger_cell_texts(language: str) -> dict[str, str]:
    """The ledger's cells without a figure, in the page's language (once per process and language)."""
    na = _("该指标本月不适用")
    return {
        "na": f'<td class="text-center text-body-tertiary" title="{na}">—<span class="visually-hidden">{na}</span></td>',
        "missing": f'<td class="cell-gap text-center"><span class="gap-badge gap-missing">{_("缺报")}</span></td>',
        "pending": f'<td class="cell-gap text-center"><span class="gap-badge gap-pending">{_("待验收")}</span></td>',
        "not_due": f'<td class="cell-na"><span class="visually-hidden">{_("不需报送")}</span></td>',
        "none": '<td class="text-center text-body-tertiary">—</td>',
    }


@register.simple_tag
def ledger_cells(row, places) -> str:
    """{% ledger_cells row ledger.indicator.decimal_places %}: a town's twelve month cells and its year total on the
    ledger page, written in one go (issue 21: a district of a hundred towns draws 1,300 cells; through the template
    language each cost a dozen node renders). Each cell as the ledger's legend says: the accepted figure (with its
    check mark), — where the indicator does not apply, 缺报 or 待验收, blank where no report is due."""
    texts = _ledger_cell_texts(get_language())
    quantum = _quantum(places)  # once for the row, not once per figure as amount() would
    parts = []
    for cell in row.cells:
        value = cell.value
        if value is not None:
            mark = check_mark(cell.check) if cell.check and cell.check != "unchecked" else ""
            parts.append(f'<td class="num">{_formatted(value, quantum)}{mark}</td>')
        elif not cell.applies:
            parts.append(texts["na"])
        elif cell.gap:
            parts.append(texts[cell.gap])
        else:
            parts.append(texts["not_due" if not cell.expected else "none"])
    parts.append(f'<td class="num ledger-total">{amount(row.total, places)}</td>')
    return mark_safe("".join(parts))  # noqa: S308 (fixed markup, formatted numbers and the check mark's own HTML)


@register.simple_tag
def amount_cells(values, places) -> str:
    """{% amount_cells line.month_totals summary.indicator.decimal_places %}: `<td class="num">` per figure (blank
    for None), as {{ value|amount:places }} in a loop would write them, in one go (the ledger's totals rows)."""
    quantum = _quantum(places)
    return mark_safe(  # noqa: S308 (fixed markup around formatted numbers)
        "".join(f'<td class="num">{"" if value is None else _formatted(value, quantum)}</td>' for value in values)
    )
