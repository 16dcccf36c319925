"""The frames the pages draw their content in, as template block tags (registered by
coordination/templatetags/layout_tags.py, `{% load layout_tags %}`):

    {% card _("title") note=_("…") icon="bi-people text-primary" class="mb-4" %} … {% endcard %}
        <section class="card app-card mb-4"> with its header (icon, title as an h2, note), then the content.
        Without a title no header; element="div" (or "article", "fieldset") for another element; body=True
        puts the content in a .card-body (body="small": with more classes); col="col-xl-7" puts the card
        in a grid column of its own.

    {% table _("指标") _("数值")|col:"text-end" class="table table-sm align-middle app-table mb-0" %}
        <th …>more header cells</th>
    {% rows %}
        {% for row in rows %}<tr>…</tr>{% endfor %}
    {% endtable %}
        A scrolling .table-responsive with the table (class: by default "table align-middle app-table
        mb-0"), its <thead> (a column per argument, then the cells before
        {% rows %}; none when there are neither), its <tbody> (the rows; without {% rows %} all the content)
        and, when the rows are followed by {% foot %} … (and it draws anything), its <tfoot>.

The column filter `col` gives a header cell classes: _("本月完成")|col:"text-end".

    {% alert "warning" icon="bi-unlock fs-4" title=_("…") heading=True role="alert" class="reopen-alert" %} … {% endalert %}
        An .alert of that kind with its icon, then its title (an h2 with heading=True and a wider gap, else a
        bold line) over the content; role "status" by default. error_summary=True makes it the summary of a form's
        errors, which takes the focus when the page loads (static/js/focus.js).
"""

from dataclasses import dataclass

from django import template
from django.template.base import kwarg_re
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import smart_split

TABLE_CLASS = "table align-middle app-table mb-0"


@dataclass(frozen=True)
class Column:
    """A header cell of a table: its label and the classes of its <th>."""

    label: str
    css: str = ""

    def html(self) -> str:
        if self.css:
            return format_html('<th scope="col" class="{}">{}</th>', self.css, self.label)
        return format_html('<th scope="col">{}</th>', self.label)


def col(label, css: str = "") -> Column:
    """The `col` filter: a column's label with the classes of its header cell."""
    return label if isinstance(label, Column) else Column(label, css)


def _arguments(parser, token) -> tuple[list, dict]:
    """A block tag's positional arguments and its key=value options, as filter expressions."""
    positional, options = [], {}
    for bit in list(smart_split(token.contents))[1:]:  # not split_contents: it refuses _("…")|filter
        kwarg = kwarg_re.match(bit)
        if kwarg and kwarg.group(1):
            options[kwarg.group(1)] = parser.compile_filter(kwarg.group(2))
        else:
            positional.append(parser.compile_filter(bit))
    return positional, options


def _resolved(options: dict, context) -> dict:
    return {name: value.resolve(context) for name, value in options.items()}


class CardNode(template.Node):
    def __init__(self, title, options: dict, nodelist):
        self.title, self.options, self.nodelist = title, options, nodelist

    def render(self, context) -> str:
        opts = _resolved(self.options, context)
        element = opts.get("element") or "section"
        header = ""
        if self.title is not None:
            icon = format_html('<i class="bi {}" aria-hidden="true"></i> ', opts["icon"]) if opts.get("icon") else ""
            note = (
                format_html('<span class="small text-body-secondary">{}</span>', opts["note"])
                if opts.get("note")
                else ""
            )
            header = format_html(
                '<div class="card-header app-card-header"><h2 class="h6 mb-0">{}{}</h2>{}</div>',
                icon,
                self.title.resolve(context),
                note,
            )
        css = f"card app-card {opts.get('class') or ''}".strip()
        body = mark_safe(self.nodelist.render(context))
        if opts.get("body"):
            body_css = "card-body" if opts["body"] is True else f"card-body {opts['body']}"
            body = format_html('<div class="{}">{}</div>', body_css, body)
        html = format_html('<{} class="{}">{}{}</{}>', element, css, header, body, element)
        return format_html('<div class="{}">{}</div>', opts["col"], html) if opts.get("col") else html


def card(parser, token) -> CardNode:
    positional, options = _arguments(parser, token)
    if len(positional) > 1:
        raise template.TemplateSyntaxError("card takes one title at the most")
    nodelist = parser.parse(("endcard",))
    parser.delete_first_token()
    return CardNode(positional[0] if positional else None, options, nodelist)


class TableNode(template.Node):
    child_nodelists = ("head", "rows", "foot")

    def __init__(self, columns: list, options: dict, head, rows, foot):
        self.columns, self.options, self.head, self.rows, self.foot = columns, options, head, rows, foot

    def _part(self, nodelist, context) -> str:
        return mark_safe(nodelist.render(context)) if nodelist is not None else ""

    def render(self, context) -> str:
        opts = _resolved(self.options, context)
        cells = format_html_join("", "{}", ((col(column.resolve(context)).html(),) for column in self.columns))
        extra = self._part(self.head, context)
        thead = format_html("<thead><tr>{}{}</tr></thead>", cells, extra) if cells or extra else ""
        foot = self._part(self.foot, context)
        tfoot = format_html("<tfoot>{}</tfoot>", foot) if foot.strip() else ""
        css = conditional_escape(opts.get("class") or TABLE_CLASS)
        # The rows put in one text rather than through format_html twice: a district's heatmap is 160 KB of them.
        rows = self._part(self.rows, context)
        return mark_safe(
            f'<div class="table-responsive"><table class="{css}">{thead}<tbody>{rows}</tbody>{tfoot}</table></div>'
        )


def table(parser, token) -> TableNode:
    columns, options = _arguments(parser, token)
    head = foot = None
    rows = parser.parse(("rows", "foot", "endtable"))
    ending = parser.next_token().contents
    if ending == "rows":
        head, rows = rows, parser.parse(("foot", "endtable"))
        ending = parser.next_token().contents
    if ending == "foot":
        foot = parser.parse(("endtable",))
        parser.delete_first_token()
    return TableNode(columns, options, head, rows, foot)


class AlertNode(template.Node):
    def __init__(self, kind, options: dict, nodelist):
        self.kind, self.options, self.nodelist = kind, options, nodelist

    def render(self, context) -> str:
        opts = _resolved(self.options, context)
        heading = bool(opts.get("heading"))
        css = f"alert alert-{self.kind.resolve(context)} d-flex gap-{3 if heading else 2} {opts.get('class') or ''}"
        title = ""
        if opts.get("title"):
            title_html = '<h2 class="h6 alert-heading mb-1">{}</h2>' if heading else '<div class="fw-semibold">{}</div>'
            title = format_html(title_html, opts["title"])
        # An error summary takes the focus when the page loads (static/js/focus.js).
        summary = mark_safe(' tabindex="-1" data-error-summary') if opts.get("error_summary") else ""
        return format_html(
            '<div class="{}" role="{}"{}><i class="bi {}" aria-hidden="true"></i><div>{}{}</div></div>',
            css.strip(),
            opts.get("role") or "status",
            summary,
            opts.get("icon") or "",
            title,
            mark_safe(self.nodelist.render(context)),
        )


def alert(parser, token) -> AlertNode:
    positional, options = _arguments(parser, token)
    if len(positional) != 1:
        raise template.TemplateSyntaxError("alert takes its kind (info, warning, danger, …)")
    nodelist = parser.parse(("endalert",))
    parser.delete_first_token()
    return AlertNode(positional[0], options, nodelist)
