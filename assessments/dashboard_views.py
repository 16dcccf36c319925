"""The leaders' dashboard pages (领导驾驶舱): the door in permissions.py decides the scope, one selector
(dashboards.build_dashboard) computes the figures, and this module presents them: the links, the heatmap's
rows, the charts' data (read by static/js/dashboard.js from a json_script block) and the template."""

import functools
from collections import Counter
from decimal import Decimal
from html import escape as escape_text  # Django's escape() without its lazy-text wrapper, for the heatmap's rows

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from coordination import selectors as coordination_selectors
from coordination.permissions import reads_shared_only
from ledgers import selectors as ledger_selectors
from ledgers.selectors import NOT_EXPECTED, STATE_CHARS, TimelinessCount
from tianjin_towns.lib import dates
from tianjin_towns.lib.routes import named_url

from . import dashboards
from .dashboards import Dashboard, Unit
from .models import RunKind
from .permissions import CITY, DISTRICT, LEVELS, TOWN, Scope, default_scope_for_user, get_dashboard_scope_for_user
from .templatetags.dashboard_tags import bar_width, figure, grade_label, pct, signed_pct

FIRST_YEAR = 2017  # the working mechanism dates from December 2016


def _int(request, name: str) -> int | None:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


def _scope_from_request(request) -> Scope:
    level = request.GET.get("level")
    if level in LEVELS:
        return get_dashboard_scope_for_user(request.user, level, _int(request, "id"))
    return default_scope_for_user(request.user)


def _year_and_month(request) -> tuple[int, int | None]:
    this_year = dates.last_ended_period().year
    year = _int(request, "year")
    if year is None or not FIRST_YEAR <= year <= this_year:
        year = this_year
    month = _int(request, "month")
    return year, month if month is not None and 1 <= month <= 12 else None


@functools.lru_cache(maxsize=16)
def _month_names(language: str | None) -> tuple[str, ...]:
    """ "1月" … "12月" in the language: translated once per language, not at each of the page's five month rows."""
    return tuple(_("%(month)s月") % {"month": m} for m in range(1, 13))


def month_name(month: int) -> str:
    return _month_names(get_language())[month - 1]


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# --- Links ----------------------------------------------------------------------------------------------


def page_link(name: str, query: dict | None = None, args=None) -> str:
    """The URL of a named page with its query string; parameters without a value are left out."""
    url = reverse(name, args=args) if args else named_url(name)
    query = {k: v for k, v in (query or {}).items() if v not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


@functools.cache
def _dashboard_url() -> str:
    return reverse("dashboard")  # resolved once: a district's dashboard links a hundred towns


def dashboard_link(level: str, pk: int | None, year: int, month: int | None = None) -> str:
    # Formatted rather than urlencode()d (the same text for these plain values): a district's dashboard
    # builds two hundred of them.
    link = f"{_dashboard_url()}?level={level}"
    if level != CITY and pk is not None:
        link += f"&id={int(pk)}"
    link += f"&year={int(year)}"
    return link if month is None else f"{link}&month={int(month)}"


def _child_link(board: Dashboard, child: Unit) -> str:
    """A district's or a town's own dashboard, for the same year and month."""
    return dashboard_link(child.level, child.id, board.year, board.month)


def _page_links(board: Dashboard, *, own_scope: bool = True) -> dict[str, str]:
    """The links out of the page: the ledger, the reports, the targets, the run, the cadence, problems
    and action items, each filtered to the scope. A reader of shared data only (a liaison) gets no link to
    the working lists it cannot open (reports, targets, problems, action items)."""
    scope, year = board.scope, board.year
    problems = {"district": scope.district_id, "town": scope.town_id, "year": year}
    action_items = {"unit": None if scope.level == CITY else f"u{scope.unit.pk}"}
    links = {
        "ledger": page_link("ledger", _ledger_query(board)),
        # A key figure's link to its ledger: the indicator's code is appended (each card's own).
        "ledger_for_indicator": escape(page_link("ledger", _ledger_query(board)) + "&indicator="),
        "reports": page_link("report-list", {"district": scope.district_id, "town": scope.town_id}),
        "targets": page_link("assessment-targets", {"year": year, "district": scope.district_id}),
        "run": page_link("assessment-run", args=[board.run.pk]) if board.run else "",
        "cadence": page_link("cadence", {"year": year}),
        "cadence_fragment": page_link("dashboard-cadence", {"level": scope.level, "id": scope.unit.pk, "year": year}),
        "problems": page_link("problem-list", problems),
        "problems_overdue": page_link("problem-list", {**problems, "overdue": 1}),
        "action_items": page_link("action-item-list", action_items),
        "action_items_overdue": page_link("action-item-list", {**action_items, "overdue": 1}),
    }
    if not own_scope:
        links.update(dict.fromkeys(WORKING_LISTS, ""))
    return links


# The dashboard's links to lists of work in progress, which the member units are not shared.
WORKING_LISTS = ("reports", "targets", "problems", "problems_overdue", "action_items", "action_items_overdue")


def _ledger_query(board: Dashboard) -> dict:
    return {"year": board.year, "district": board.scope.district_id}


def _breadcrumb(scope: Scope, year: int, month: int) -> list[dict]:
    """The way up the drill-down, as far as the user reaches (a district's staff never see the city)."""
    crumbs = []
    if scope.level != CITY and scope.reaches_city:
        crumbs.append({"name": _("全市"), "link": dashboard_link(CITY, None, year, month)})
    if scope.level == TOWN and scope.reaches_district:
        crumbs.append({"name": scope.district.name, "link": dashboard_link(DISTRICT, scope.district.pk, year, month)})
    return crumbs


# --- The charts' data -----------------------------------------------------------------------------------


def _chart_labels(board: Dashboard) -> dict:
    return {
        "this_year": _("%(year)s年") % {"year": board.year},
        "last_year": _("%(year)s年") % {"year": board.year - 1},
        "completion": _("完成率"),
        "elapsed": _("时间进度 %(pct)s%%") % {"pct": board.elapsed},
        "expected": _("应达进度"),
        "lagging": _("滞后"),
        "no_data": _("暂无数据"),
        "accepting": _("验收中"),
        "accepting_series": _("%(year)s年（验收中）") % {"year": board.year},
        "accepted_short": _("已验收 %(accepted)s/%(expected)s 份"),
        "coverage": _("已验收 %(accepted)s / 应报 %(expected)s 份，漏报 %(missing)s 份"),
        "reports": _("份"),
    }


def _trend_chart(board: Dashboard) -> list[dict]:
    """This year against last year, per key indicator, with a link to the indicator in the ledger."""
    ledger_query = _ledger_query(board)
    return [
        {
            "code": i.code,
            "name": i.name,
            "unit": i.unit,
            "this_year": [_number(v) for v in board.trend[i.code]["this_year"]],
            "last_year": [_number(v) for v in board.trend[i.code]["last_year"]],
            "link": page_link("ledger", {**ledger_query, "indicator": i.code}),
        }
        for i in board.key_indicators
    ]


def _coverage_chart(board: Dashboard) -> list[dict | None]:
    """Months of this year whose reports are still coming in or being accepted: the trend marks them,
    so a dip there reads as "still being accepted" rather than as a fall. A missing report will not
    come, so a closed month with every other report accepted is complete."""
    total = board.timeliness.total
    return [
        {"accepted": accepted, "expected": total[m].expected, "missing": total[m].missing}
        if m in total and m.month <= board.month
        else None
        for m, accepted in zip(dates.months_of_year(board.year), board.accepted_reports, strict=True)
    ]


TIMELINESS_SERIES = (
    ("on_time", _lazy("按时")),
    ("late", _lazy("迟报")),
    ("missing", _lazy("漏报")),
    ("pending", _lazy("报送期内")),
)


def _timeliness_chart(board: Dashboard) -> dict:
    months = board.timeliness.months
    return {
        "months": [month_name(m.month) for m in months],
        "series": [
            {
                "key": key,
                "name": str(label),
                "data": [getattr(board.timeliness.total.get(m, TimelinessCount()), key) for m in months],
            }
            for key, label in TIMELINESS_SERIES
        ],
    }


def _children_chart(board: Dashboard) -> dict:
    return {
        "names": [child.name for child in board.children],
        "links": [_child_link(board, child) for child in board.children],
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "expected": float(board.expected[i.code]),
                "completion": [_number(child.figures[i.code].completion) for child in board.children],
                "lagging": [child.figures[i.code].lagging for child in board.children],
            }
            for i in board.key_indicators
        ],
    }


def _chart_data(board: Dashboard) -> dict:
    """What static/js/dashboard.js draws: labels in the user's language, numbers, and links."""
    return {
        "months": list(_month_names(get_language())),
        "labels": _chart_labels(board),
        "trend": _trend_chart(board),
        "coverage": _coverage_chart(board),
        "timeliness": _timeliness_chart(board),
        "children": _children_chart(board),
    }


def _chart_tables(data: dict, board: Dashboard) -> dict:
    """The charts' figures as tables (查看数据 under each chart, issue 23): what a canvas does not give a screen
    reader or a keyboard, taken from the very data the chart draws. A chart that switches between the key
    indicators has one table per indicator, shown with its button. Rows: a label, then numbers shown with `places`
    decimals."""
    year = board.year
    per_month = _("%(year)s年") % {"year": year}, _("%(year)s年") % {"year": year - 1}
    timeliness = data["timeliness"]
    children = data["children"]
    return {
        "trend": [
            {
                "caption": f"{item['name']}（{item['unit']}）",
                "head": [_("月份"), *per_month],
                "rows": list(zip(data["months"], item["this_year"], item["last_year"], strict=True)),
                "places": 2,
            }
            for item in data["trend"]
        ],
        "timeliness": [
            {
                "caption": _("各月报送情况（份）"),
                "head": [_("月份"), *(series["name"] for series in timeliness["series"])],
                "rows": [
                    (month, *(series["data"][k] for series in timeliness["series"]))
                    for k, month in enumerate(timeliness["months"])
                ],
                "places": 0,
            }
        ],
        "children": [
            {
                "caption": _("%(indicator)s目标完成率（%%）") % {"indicator": item["name"]},
                "head": [_("名称"), _("完成率（%）")],
                "rows": list(zip(children["names"], item["completion"], strict=True)),
                "places": 1,
            }
            for item in children["indicators"]
        ],
    }


# --- The timeliness heatmap -----------------------------------------------------------------------------


def _rate_class(rate: float | None) -> str:
    if rate is None:
        return "heat-none"
    if rate >= 95:
        return "heat-good"
    if rate >= 85:
        return "heat-fair"
    if rate >= 70:
        return "heat-warn"
    return "heat-bad"


STATE_LABELS = {
    "on_time": _lazy("按时"),
    "late": _lazy("迟报"),
    "missing": _lazy("漏报"),
    "pending": _lazy("待报"),
}
HEAT_TITLE = _lazy("应报 %(expected)s，按时 %(on_time)s，迟报 %(late)s，漏报 %(missing)s，报送中 %(pending)s")


def _rate_text(rate: float | None) -> str:
    """pct() of a rate (TimelinessCount's, rounded to one decimal already), formatted as the float it is."""
    return "—" if rate is None else f"{rate:.1f}%"


def _timeliness_title(count: TimelinessCount, text: str) -> str:
    return text % {
        "expected": count.expected,
        "on_time": count.on_time,
        "late": count.late,
        "missing": count.missing,
        "pending": count.pending,
    }


def _heat_row_head(scope: Scope, unit: Unit | None) -> tuple[str, dict]:
    """(the row's name, its filter of the report list)."""
    if unit is None:  # the scope's own row
        if scope.level == CITY:
            name = _("全市合计")
        elif scope.level == TOWN:
            name = scope.unit.name
        else:
            name = _("%(name)s合计") % {"name": scope.unit.name}
        return name, {"district": scope.district_id, "town": scope.town_id}
    if unit.level == DISTRICT:
        return unit.name, {"district": unit.id}
    return unit.name, {"district": scope.district_id, "town": unit.id}


class _HeatCells:
    """The cells of the heatmap's rows, with what every row shares built and escaped once: per month its link,
    and the text of a town's cell in each state around the row's part of the link."""

    def __init__(self, board: Dashboard):
        ended = set(board.timeliness.months)
        self.months = dates.months_of_year(board.year)
        self.title_text = str(HEAT_TITLE)
        self.future = format_html('<td class="heat-cell heat-future" title="{}"></td>', _("未到报送期"))
        self.not_expected = format_html('<td class="heat-cell heat-na" title="{}"></td>', _("不需报送"))
        states = {char: str(STATE_LABELS[state]) for char, state in STATE_CHARS.items()}
        reports_url = page_link("report-list")  # resolved once for all the cells
        # (month, its link, {state character: (a town's cell before the row's part of the link, after it)}), the
        # link None for a month not ended yet. A town's cell is one report, whose state its label already names.
        self.columns = []
        for month in self.months:
            if month not in ended:
                self.columns.append((month, None, None))
                continue
            link = escape(f"{reports_url}?{urlencode({'month': dates.format_period(month)})}")
            town_cells = {
                char: (f'<td class="heat-cell heat-{STATE_CHARS[char]}"><a href="{link}', f'">{label}</a></td>')
                for char, label in states.items()
            }
            town_cells[NOT_EXPECTED] = (self.not_expected, "")
            self.columns.append((month, link, town_cells))
        # The ended months' town cells by state character, in order (a town's states cover the ended months).
        self.town_columns = [town_cells for _month, link, town_cells in self.columns if link is not None]

    @staticmethod
    def _query(query: dict) -> str:
        """The row's part of each cell's link: ids of a district and a town, written as numbers."""
        return "".join(f"&amp;{key}={int(value)}" for key, value in query.items() if value)

    def sum_row(self, by_month: dict, query: dict) -> str:
        """The cells of a sum of towns (a district, the scope's total): on-time rates, their counts on hover."""
        query = self._query(query)
        cells = []
        for month, link, _town_cells in self.columns:
            count = by_month.get(month)
            if link is None:
                cells.append(self.future)
            elif count is None or not count.expected:
                cells.append(self.not_expected)
            else:
                css = "heat-pending" if count.pending else _rate_class(count.on_time_rate)
                cells.append(
                    f'<td class="heat-cell {css}" title="{_timeliness_title(count, self.title_text)}">'
                    f'<a href="{link}{query}">{count.on_time_rate:.0f}%</a></td>'
                )
        # Plain formatting (format_html is slow at this count): css, labels and titles are the app's own text
        # and numbers, and the links are escaped.
        return "".join(cells)

    def town_row(self, states: str, query: dict) -> str:
        """The cells of one town: its state in each ended month (TownMonths.states), then the months to come."""
        query = self._query(query)
        cells = [
            f"{before}{query}{after}" if after else before
            for before, after in map(dict.__getitem__, self.town_columns, states)
        ]
        return "".join(cells) + self.future * (len(self.columns) - len(states))


def _heatmap(board: Dashboard) -> dict:
    """The timeliness heatmap (org unit × month): on-time rates for sums, the state of each town-month.

    The rows are rendered here, as one piece of HTML, not in the template: a district of a hundred towns has
    twelve hundred cells, which Django's template engine would take a good part of a second to loop over (and
    its hundred rows alone some milliseconds).
    """
    scope = board.scope
    cells = _HeatCells(board)
    rows = []
    for unit, months in board.timeliness_rows:
        name, query = _heat_row_head(scope, unit)
        if isinstance(months, str):  # a town's states
            row = cells.town_row(months, query)
            total = TimelinessCount.of_states(months) if unit is None else unit.timeliness
        else:  # a sum's counts by month
            row = cells.sum_row(months, query)
            # A child's year is summed already (dashboards._timeliness_rows); the scope's own row is summed here.
            total = board.timeliness.year_sum(months) if unit is None else unit.timeliness
        name = escape_text(str(name))
        if unit is not None:
            name = f'<a href="{escape_text(_child_link(board, unit))}">{name}</a>'
        row_class = ' class="heat-sum"' if unit is None and scope.level != TOWN else ""
        on_time = total.on_time_rate
        rows.append(
            f'<tr{row_class}><th scope="row" class="heat-unit">{name}</th>{row}'
            f'<td class="num text-center heat-total {_rate_class(on_time)}" '
            f'title="{_timeliness_title(total, cells.title_text)}">{_rate_text(on_time)}</td>'
            f'<td class="num text-center heat-total">{_rate_text(total.received_rate)}</td></tr>'
        )
    return {
        "months": [month_name(m.month) for m in cells.months],
        "rows": mark_safe("".join(rows)),  # the app's own text and numbers; names and links escaped
    }


# --- Key figures -----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _kpi_texts(language: str | None) -> dict[str, str]:
    """The key figures' cards' own words, translated and escaped once per language (six cards ask for each)."""
    texts = {
        "no_growth": _("同比 —"),
        "growth": _("同比"),
        "lag_title": _("完成率低于应达进度"),
        "lag": _("滞后"),
        "done": _("完成"),
        "target": _("目标"),
        "no_target": _("暂无年度目标"),
        "ledger": _("查看台账明细"),
        "last_year": _("上年同期"),
    }
    escaped = {key: escape_text(text) for key, text in texts.items()}
    # Formats, filled in per card (their text escaped then).
    escaped["towns"] = _("%(n)s 个小镇有目标，%(lag)s 个滞后")
    escaped["bar"] = _("完成 %(done)s，应达 %(due)s")
    return escaped


def _kpi_card(board: Dashboard, indicator, f, expected, links: dict) -> str:
    places = indicator.decimal_places
    t = _kpi_texts(get_language())
    if f.growth is None:
        growth = f'<span class="text-body-tertiary">{t["no_growth"]}</span>'
    else:
        up = f.growth >= 0
        growth = (
            f'<span class="{"kpi-up" if up else "kpi-down"}"><i class="bi '
            f'{"bi-arrow-up-right" if up else "bi-arrow-down-right"}" aria-hidden="true"></i> '
            f"{t['growth']} {signed_pct(f.growth)}</span>"
        )
    lag = (
        f'<span class="badge kpi-lag" title="{t["lag_title"]}"><i class="bi '
        f'bi-exclamation-triangle-fill" aria-hidden="true"></i> {t["lag"]}</span>'
        if f.lagging
        else ""
    )
    if f.target:
        done, target = pct(f.completion), figure(f.target, places)
        if links["targets"]:
            target = f'<a href="{escape_text(links["targets"])}">{target}</a>'
        due = bar_width(expected)
        foot = (
            f'<div class="kpi-foot">{escape_text(t["towns"] % {"n": f.towns_with_target, "lag": f.towns_lagging})}</div>'
            if board.scope.level != TOWN
            else ""
        )
        label = t["bar"] % {"done": done, "due": pct(expected)}
        progress = (
            f'<div class="kpi-progress"><div class="kpi-progress-label">'
            f"<span>{t['done']} <strong>{done}</strong></span>"
            f"<span>{t['target']} {target}</span></div>"
            f'<svg class="kpi-bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="{escape_text(label)}">'
            f'<rect class="kpi-bar-track" x="0" y="0" width="100" height="10"></rect>'
            f'<rect class="kpi-bar-fill" x="0" y="0" width="{bar_width(f.completion)}" height="10"></rect>'
            f'<line class="kpi-bar-due" x1="{due}" x2="{due}" y1="0" y2="10"></line></svg>{foot}</div>'
        )
    else:
        progress = f'<div class="kpi-progress kpi-no-target">{t["no_target"]}</div>'
    return (
        f'<div class="col-6 col-xl-4 col-xxl-2"><article class="kpi-card{" is-lagging" if f.lagging else ""}">'
        f'<h3 class="kpi-name">{escape_text(indicator.name.replace("其中：", ""))}</h3>'
        f'<a class="kpi-value" href="{links["ledger_for_indicator"]}{escape_text(indicator.code)}" '
        f'title="{t["ledger"]}">{figure(f.actual, places)}'
        f'<span class="kpi-unit">{escape_text(indicator.unit)}</span></a>'
        f'<div class="kpi-meta">{growth}{lag}</div>'
        f'<div class="kpi-last">{t["last_year"]} {figure(f.last_year, places)}</div>'
        f"{progress}</article></div>"
    )


def _kpi_cards(board: Dashboard, links: dict) -> str:
    """The key figures' cards (R-5.1): each indicator's year to date, its growth, last year's, and its completion
    against the completion due by the month, as one piece of HTML. Written here rather than in the template, as
    the heatmap's rows are: six cards of some forty template nodes each cost more than the rest of the section.
    Names and units are escaped; numbers are formatted figures; links escaped."""
    return mark_safe("".join(_kpi_card(board, *kpi, links) for kpi in board.kpis))


def _indicator_switches(board: Dashboard, charts: tuple[str, ...]) -> dict[str, str]:
    """The buttons above each of `charts` that switch it between the key indicators (static/js/dashboard.js reads
    data-chart-switch): the buttons written once for all of them."""
    buttons = "".join(
        f'<button type="button" class="btn btn-outline-primary{" active" if n == 0 else ""}" data-indicator="{n}" '
        f'aria-pressed="{"true" if n == 0 else "false"}">{escape_text(indicator.name.replace("其中：", ""))}</button>'
        for n, indicator in enumerate(board.key_indicators)
    )
    label = escape_text(_("选择指标"))
    return {
        chart: mark_safe(
            f'<div class="btn-group btn-group-sm flex-wrap d-print-none" role="group" aria-label="{label}" '
            f'data-chart-switch="{escape_text(chart)}">{buttons}</div>'
        )
        for chart in charts
    }


def _options(choices, selected) -> str:
    """A select's options (value, label), the one equal to `selected` chosen; values and labels escaped."""
    return mark_safe(
        "".join(
            f'<option value="{escape_text(str(value))}"{" selected" if value == selected else ""}>'
            f"{escape_text(str(label))}</option>"
            for value, label in choices
        )
    )


# --- Rankings -------------------------------------------------------------------------------------------


def _ranked_districts(board: Dashboard) -> list[dict]:
    """The city's districts by their towns' average score, each with a link to its dashboard."""
    return [{**row, "link": _child_link(board, row["unit"])} for row in board.district_ranking]


def _with_town_links(board: Dashboard, rows: list[dict]) -> list[dict]:
    """Ranked towns, each with a link to its dashboard for the run's year."""
    return [{**row, "link": dashboard_link(TOWN, row["town_id"], board.run.year)} for row in rows]


def _district_ranking_rows(board: Dashboard) -> list[dict]:
    """A district's towns in its ranking panel: all of them, or in a large district (more than the city's
    list shows) the best and the weakest few, as the city's list does; the run's page has them all."""
    rows = board.town_ranking
    top, bottom = dashboards.TOP_TOWNS, dashboards.TOP_TOWNS // 2
    if len(rows) <= top + bottom:
        return rows
    return rows[:top] + [{**rows[-bottom], "gap_before": True}] + rows[-bottom + 1 :]


def _district_ranking_html(board: Dashboard, rows: list[dict]) -> str:
    """The rows of a district's (or a town's) ranking panel as one piece of HTML, written here as the heatmap's
    rows are (fifteen rows of a dozen template nodes each). Names and links escaped; numbers are the run's."""
    annual = board.run is not None and board.run.kind == RunKind.ANNUAL
    bands = {
        "praise": f' <span class="badge badge-soft-success ms-1">{escape_text(_("表扬"))}</span>',
        "warning": f' <span class="badge badge-soft-danger ms-1">{escape_text(_("警示"))}</span>',
    }
    gap = '<tr class="rank-gap"><td colspan="5" class="text-center text-body-tertiary">⋯</td></tr>'
    html = []
    for row in rows:
        if row.get("gap_before"):
            html.append(gap)
        top = " rank-top" if row["district_rank"] <= 3 else ""
        grade = f"<td>{escape_text(grade_label(row['grade']))}</td>" if annual else ""
        html.append(
            f'<tr><td class="text-center"><span class="rank-badge{top}">{int(row["district_rank"])}</span></td>'
            f'<th scope="row" class="fw-medium"><a href="{escape_text(row["link"])}">{escape_text(row["town_name"])}</a>'
            f"{bands.get(row['band'], '')}</th>"
            f'<td class="num text-end fw-semibold">{format(row["score"], "f")}</td>'
            f'<td class="num text-end">{int(row["rank"])}</td>{grade}</tr>'
        )
    return mark_safe("".join(html))


@login_required
def dashboard(request):
    scope = _scope_from_request(request)
    year, month = _year_and_month(request)
    board = dashboards.build_dashboard(scope, year=year, month=month, children_completion_only=True)
    # Each indicator a member unit checks, by check state (数据核对, issue 18): the page's, not the API's. Read
    # before the page is written, while the database is still answering the figures' statements.
    checks = ledger_selectors.check_state_totals(year=year, district_id=scope.district_id, town_id=scope.town_id)
    this_year = dates.last_ended_period().year
    chart_data = _chart_data(board)
    links = _page_links(board, own_scope=not reads_shared_only(request.user))
    district_ranking_rows = _with_town_links(board, _district_ranking_rows(board)) if scope.level != CITY else []
    return render(
        request,
        "assessments/dashboard.html",
        {
            "board": board,
            "scope": scope,
            "scope_name": _("天津市") if scope.level == CITY else scope.unit.name,
            "crumbs": _breadcrumb(scope, year, board.month),
            # The year and month choices, written here: a translation tag and a test per option cost more than
            # the rest of the filter form.
            "year_options": _options(
                ((y, _("%(year)s年") % {"year": y}) for y in range(this_year, FIRST_YEAR - 1, -1)), board.year
            ),
            "month_options": _options(enumerate(_month_names(get_language()), start=1), board.month),
            # The key indicators' buttons above the trend and the children's charts, each given its chart's name.
            "indicator_switch": _indicator_switches(board, ("trend", "children")),
            "chart_data": chart_data,
            "chart_tables": _chart_tables(chart_data, board),
            "heatmap": _heatmap(board),
            "ranked_districts": _ranked_districts(board),
            "ranked_towns": _with_town_links(board, board.town_ranking) if scope.level == CITY else [],
            "district_ranking_rows": district_ranking_rows,
            "district_ranking_html": _district_ranking_html(board, district_ranking_rows),
            "kpi_cards": _kpi_cards(board, links),
            "checks": checks,
            "links": links,
        },
    )


@login_required
def dashboard_cadence(request):
    """The cadence matrix panel (R-2.4), loaded after the page (htmx): it counts each rule and period."""
    scope = _scope_from_request(request)
    year, _month = _year_and_month(request)
    cells = coordination_selectors.cadence_matrix(year, unit_ids=dashboards.cadence_unit_ids(scope))
    return render(
        request,
        "assessments/dashboard_cadence.html",
        {
            "tables": coordination_selectors.cadence_tables(cells),
            "year": year,
            "states": Counter(c.state for c in cells),
        },
    )
