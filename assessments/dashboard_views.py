"""The leaders' dashboard pages (领导驾驶舱): the door in dashboards.py decides the scope, one selector
builds the figures, the template renders them; the charts read their data from a json_script block."""

import itertools
from collections import Counter
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from coordination import cadence
from coordination import selectors as coordination_selectors
from coordination.models import OrgUnit
from ledgers.selectors import TimelinessCount
from tianjin_towns.lib import dates

from . import dashboards
from .dashboards import CITY, DISTRICT, TOWN, Dashboard, Scope
from .templatetags.dashboard_tags import pct

FIRST_YEAR = 2017  # the working mechanism dates from December 2016


def _int(request, name: str) -> int | None:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


def _scope_from_request(request) -> Scope:
    level = request.GET.get("level")
    if level in dashboards.LEVELS:
        return dashboards.get_dashboard_scope_for_user(request.user, level, _int(request, "id"))
    return dashboards.default_scope_for_user(request.user)


def _year_and_month(request) -> tuple[int, int | None]:
    this_year = dates.last_ended_period().year
    year = _int(request, "year")
    if year is None or not FIRST_YEAR <= year <= this_year:
        year = this_year
    month = _int(request, "month")
    return year, month if month is not None and 1 <= month <= 12 else None


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _chart_data(board: Dashboard, ledger_query: dict) -> dict:
    """What static/js/dashboard.js draws: labels in the user's language, numbers, and links."""
    key = board.key_indicators
    return {
        "months": [_("%(month)s月") % {"month": m} for m in range(1, 13)],
        "labels": {
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
        },
        "trend": [
            {
                "code": i.code,
                "name": i.name,
                "unit": i.unit,
                "this_year": [_number(v) for v in board.trend[i.code]["this_year"]],
                "last_year": [_number(v) for v in board.trend[i.code]["last_year"]],
                "link": dashboards.safe_reverse("ledger", {**ledger_query, "indicator": i.code}),
            }
            for i in key
        ],
        # Months of this year whose reports are still coming in or being accepted: the trend marks them,
        # so a dip there reads as "still being accepted" rather than as a fall. A missing report will not
        # come, so a closed month with every other report accepted is complete.
        "coverage": [
            {
                "accepted": accepted,
                "expected": board.timeliness.total[m].expected,
                "missing": board.timeliness.total[m].missing,
            }
            if m in board.timeliness.total and m.month <= board.month
            else None
            for m, accepted in zip(dates.months_of_year(board.year), board.accepted_reports, strict=True)
        ],
        "timeliness": {
            "months": [_("%(month)s月") % {"month": m.month} for m in board.timeliness.months],
            "series": [
                {
                    "key": key,
                    "name": str(label),
                    "data": [
                        getattr(board.timeliness.total.get(m, TimelinessCount()), key) for m in board.timeliness.months
                    ],
                }
                for key, label in (
                    ("on_time", _lazy("按时")),
                    ("late", _lazy("迟报")),
                    ("missing", _lazy("漏报")),
                    ("pending", _lazy("报送期内")),
                )
            ],
        },
        "children": {
            "names": [child.name for child in board.children],
            "links": [child.link for child in board.children],
            "indicators": [
                {
                    "code": i.code,
                    "name": i.name,
                    "expected": float(board.expected[i.code]),
                    "completion": [_number(child.figures[i.code].completion) for child in board.children],
                    "lagging": [child.figures[i.code].lagging for child in board.children],
                }
                for i in key
            ],
        },
    }


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


def _timeliness_title(count: TimelinessCount, text: str) -> str:
    return text % {
        "expected": count.expected,
        "on_time": count.on_time,
        "late": count.late,
        "missing": count.missing,
        "pending": count.pending,
    }


def _heatmap(board: Dashboard) -> dict:
    """The timeliness heatmap (org unit × month): on-time rates for sums, the state of each town-month.

    The rows are rendered here, not in the template: a district of a hundred towns has twelve hundred
    cells, which Django's template engine would take a good part of a second to loop over (and its
    hundred rows alone some milliseconds).
    """
    scope = board.scope
    ended = set(board.timeliness.months)
    months = dates.months_of_year(board.year)
    reports_url = dashboards.safe_reverse("report-list")  # resolved once for all the cells
    title_text = _("应报 %(expected)s，按时 %(on_time)s，迟报 %(late)s，漏报 %(missing)s，报送中 %(pending)s")
    future = format_html('<td class="heat-cell heat-future" title="{}"></td>', _("未到报送期"))
    not_expected = format_html('<td class="heat-cell heat-na" title="{}"></td>', _("不需报送"))
    states = {key: str(label) for key, label in STATE_LABELS.items()}
    # The month's part of the links, built and escaped once for all the rows (a district has a hundred).
    month_links = {
        month: escape(f"{reports_url}?{urlencode({'month': dates.format_period(month)})}") for month in months
    }
    rows = []
    for unit, by_month in board.timeliness_rows:
        if unit is None:
            name = scope.unit.name if scope.level == TOWN else _("%(name)s合计") % {"name": scope.unit.name}
            if scope.level == CITY:
                name = _("全市合计")
            query, is_sum = {"district": scope.district_id, "town": scope.town_id}, scope.level != TOWN
        elif unit.level == DISTRICT:
            name, query, is_sum = unit.name, {"district": unit.id}, True
        else:
            name, query, is_sum = unit.name, {"district": scope.district_id, "town": unit.id}, False
        query = urlencode({k: v for k, v in query.items() if v})  # the row's part of each cell's link
        query = f"&amp;{escape(query)}" if query else ""
        cells = []
        for month in months:
            count = by_month.get(month)
            if month not in ended:
                cells.append(future)
                continue
            if count is None or not count.expected:
                cells.append(not_expected)
                continue
            # Plain formatting (format_html is slow at this count): css, labels and titles are the app's
            # own text and numbers, and the link is escaped. A sum's cell tells its counts on hover; a
            # town's cell is one report, whose state its label already names.
            if is_sum:
                css = "heat-pending" if count.pending else _rate_class(count.on_time_rate)
                label = f"{count.on_time_rate:.0f}%"
                title = f' title="{_timeliness_title(count, title_text)}"'
            else:
                css, label, title = f"heat-{count.state}", states[count.state], ""
            if reports_url:
                link = month_links[month] + query
                cells.append(f'<td class="heat-cell {css}"{title}><a href="{link}">{label}</a></td>')
            else:
                cells.append(f'<td class="heat-cell {css}"{title}>{label}</td>')
        total = board.timeliness.year_sum(by_month)
        name = escape(name)
        if unit is not None:
            name = f'<a href="{escape(unit.link)}">{name}</a>'
        row_class = ' class="heat-sum"' if unit is None and scope.level != TOWN else ""
        rows.append(
            mark_safe(  # the app's own text and numbers; names and links escaped
                f'<tr{row_class}><th scope="row" class="heat-unit">{name}</th>{"".join(cells)}'
                f'<td class="num text-center heat-total {_rate_class(total.on_time_rate)}" '
                f'title="{_timeliness_title(total, title_text)}">{pct(total.on_time_rate)}</td>'
                f'<td class="num text-center heat-total">{pct(total.received_rate)}</td></tr>'
            )
        )
    return {"months": [_("%(month)s月") % {"month": m.month} for m in months], "rows": rows}


def _district_ranking_rows(board: Dashboard) -> list[dict]:
    """A district's towns in its ranking panel: all of them, or in a large district (more than the city's
    list shows) the best and the weakest few, as the city's list does; the run's page has them all."""
    rows = board.town_ranking
    top, bottom = dashboards.TOP_TOWNS, dashboards.TOP_TOWNS // 2
    if len(rows) <= top + bottom:
        return rows
    return rows[:top] + [{**rows[-bottom], "gap_before": True}] + rows[-bottom + 1 :]


def _breadcrumb(scope: Scope, year: int, month: int) -> list[dict]:
    """The way up the drill-down, as far as the user reaches (a district's staff never see the city)."""
    crumbs = []
    if scope.level != CITY and scope.reaches_city:
        crumbs.append({"name": _("全市"), "link": dashboards.dashboard_link(CITY, None, year, month)})
    if scope.level == TOWN and scope.reaches_district:
        crumbs.append(
            {"name": scope.district.name, "link": dashboards.dashboard_link(DISTRICT, scope.district.pk, year, month)}
        )
    return crumbs


@login_required
def dashboard(request):
    scope = _scope_from_request(request)
    year, month = _year_and_month(request)
    board = dashboards.build_dashboard(scope, year=year, month=month)
    ledger_query = {"year": year, "district": scope.district_id}
    this_year = dates.last_ended_period().year
    return render(
        request,
        "assessments/dashboard.html",
        {
            "board": board,
            "scope": scope,
            "scope_name": _("天津市") if scope.level == CITY else scope.unit.name,
            "crumbs": _breadcrumb(scope, year, board.month),
            "years": list(range(this_year, FIRST_YEAR - 1, -1)),
            "month_choices": range(1, 13),
            "chart_data": _chart_data(board, ledger_query),
            "heatmap": _heatmap(board),
            "district_ranking_rows": _district_ranking_rows(board) if scope.level != CITY else [],
            "ledger_query": ledger_query,
            "links": {
                "ledger": dashboards.safe_reverse("ledger", ledger_query),
                "reports": dashboards.safe_reverse(
                    "report-list", {"district": scope.district_id, "town": scope.town_id}
                ),
                "targets": dashboards.safe_reverse("assessment-targets", {"year": year, "district": scope.district_id}),
                "run": dashboards.safe_reverse("assessment-run", args=[board.run.pk]) if board.run else "",
                "cadence": dashboards.safe_reverse("cadence", {"year": year}),
                "cadence_fragment": dashboards.safe_reverse(
                    "dashboard-cadence", {"level": scope.level, "id": scope.unit.pk, "year": year}
                ),
            },
        },
    )


def _period_label(period: str, start) -> str:
    if period == "month":
        return _("%(month)s月") % {"month": start.month}
    if period == "quarter":
        return _("%(quarter)s季度") % {"quarter": (start.month - 1) // 3 + 1}
    return _("全年")


@login_required
def dashboard_cadence(request):
    """The cadence matrix panel (R-2.4), loaded after the page (htmx): it counts each rule and period."""
    scope = _scope_from_request(request)
    year, _month = _year_and_month(request)
    if scope.level == CITY:
        unit_ids = list(
            OrgUnit.objects.filter(level__in=[OrgUnit.Level.MUNICIPAL, OrgUnit.Level.DISTRICT]).values_list(
                "pk", flat=True
            )
        )
    else:
        unit_ids = [scope.district.pk]
    cells = coordination_selectors.cadence_matrix(year, unit_ids=unit_ids)
    tables = []
    for _rule, rule_cells in itertools.groupby(cells, key=lambda c: c.rule.pk):
        rule_cells = list(rule_cells)
        rows = [list(g) for _unit, g in itertools.groupby(rule_cells, key=lambda c: c.org_unit.pk)]
        kind = cadence.activity_kind(rule_cells[0].rule.kind)
        tables.append(
            {
                "rule": rule_cells[0].rule,
                "label": kind.label if kind else rule_cells[0].rule.kind,
                "periods": [_period_label(c.rule.period, c.period_start) for c in rows[0]],
                "rows": rows,
                "states": Counter(c.state for c in rule_cells),
            }
        )
    return render(
        request,
        "assessments/dashboard_cadence.html",
        {"tables": tables, "year": year, "states": Counter(c.state for c in cells)},
    )
