"""Numbers and bars of the leaders' dashboards, readable from the back of a meeting room."""

import html
import json
from decimal import Decimal

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext as _

from assessments.models import Grade

register = template.Library()


@register.filter
def figure(value, places=2) -> str:
    """Thousands separators; large figures without decimals (12,345,678), small ones with the
    indicator's decimals (1,200.50); '—' when there is no figure."""
    if value is None or value == "":
        return "—"
    if type(value) is int:  # a count: no decimals to round (a district's chart tables have hundreds)
        return format(value, ",") if abs(value) >= 10000 or not places else format(value, f",.{int(places)}f")
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    digits = 0 if abs(number) >= 10000 else int(places or 0)
    return format(number.quantize(Decimal(1).scaleb(-digits)), ",f")


@register.filter
def pct(value) -> str:
    """45.3 → '45.3%'; '—' when there is nothing to divide by."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)).quantize(Decimal('0.1'))}%"


@register.filter
def signed_pct(value) -> str:
    """Year-on-year change: '+12.5%' or '-3.0%'."""
    if value is None:
        return "—"
    number = Decimal(str(value)).quantize(Decimal("0.1"))
    return f"+{number}%" if number > 0 else f"{number}%"


@register.filter
def bar_width(value) -> str:
    """A completion percentage as an SVG width on a 0–100 axis (beyond 100 % the bar is full)."""
    if value is None:
        return "0"
    return str(max(Decimal(0), min(Decimal(100), Decimal(str(value)))).quantize(Decimal("0.1")))


@register.filter
def grade_label(value) -> str:
    """'excellent' → '优秀'; '' stays empty (a semi-annual run has no grades)."""
    return Grade(value).label if value in Grade.values else ""


END = ' class="text-end"'


def _text(value) -> str:
    """A cell's text, escaped unless already safe: conditional_escape without its lazy-text wrapper, which
    cost more than the escaping at a district's hundreds of cells."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))


@register.filter
def chart_json(value, element_id: str) -> str:
    """json_script, with the three characters it escapes (< > &) replaced rather than translated: the same
    text, but str.translate looked up every character of a district's chart data (a millisecond a page)."""
    text = json.dumps(value, cls=DjangoJSONEncoder)
    text = text.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")
    return mark_safe(f'<script id="{html.escape(element_id)}" type="application/json">{text}</script>')


def _cell(value, places: int, small: str) -> str:
    """A table cell of a chart's number, `small` the format of `places` decimals: figure()'s text. The charts'
    numbers are floats of figures with at most `places` decimals (sums in cents, completion rounded to one
    decimal), which Python formats to the same text as figure()'s Decimal, without figure()'s conversion
    through Decimal (a district's chart tables have six hundred)."""
    if type(value) is float:
        return f'<td class="text-end num">{format(value, ",.0f" if abs(value) >= 10000 else small)}</td>'
    return f'<td class="text-end num">{figure(value, places)}</td>'


@register.simple_tag
def chart_data_tables(tables: list[dict], chart: str) -> str:
    """A chart's figures as tables (查看数据, issue 23), one per indicator the chart switches between, the
    first shown: written here rather than looped over in the template, since a district's 各小镇 chart has
    a hundred rows per indicator (static/js/dashboard.js shows the table of the indicator chosen)."""
    chart = escape(chart)
    heads = {}  # a row's head escaped once: the 各小镇 chart's hundred names head the rows of six tables

    def row_head(value) -> str:
        text = heads.get(value)
        if text is None:
            text = heads[value] = f'<tr><th scope="row">{_text(value)}</th>'
        return text

    parts = [f'<details class="chart-data mt-2">\n  <summary class="small">{escape(_("查看数据"))}</summary>']
    for index, table in enumerate(tables):
        places = table["places"]
        small = f",.{int(places)}f"
        head = "".join(
            f'<th scope="col"{END if n else ""}>{_text(heading)}</th>' for n, heading in enumerate(table["head"])
        )
        rows = "".join(
            # A row of one number (the 各小镇 chart's) without a loop over its cells.
            f"{row_head(row[0])}{_cell(row[1], places, small)}</tr>"
            if len(row) == 2
            else row_head(row[0]) + "".join(_cell(value, places, small) for value in row[1:]) + "</tr>"
            for row in table["rows"]
        )
        parts.append(
            f'  <div class="table-responsive" data-chart-table="{chart}" data-indicator="{index}"'
            f"{'' if index == 0 else ' hidden'}>"
            f'<table class="table table-sm align-middle mb-0 chart-data-table">'
            f"<caption>{_text(table['caption'])}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
        )
    parts.append("</details>")
    return mark_safe("\n".join(parts))  # every text above is escaped; the numbers are formatted figures
