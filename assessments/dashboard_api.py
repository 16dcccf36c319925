"""GET /api/v1/dashboard/ (API.md): the leaders' dashboard figures as JSON, from the same selector as
the page (dashboards.build_dashboard) and behind the same door (permissions.get_dashboard_scope_for_user:
a district's staff get 404 for the city or another district). The JSON is a contract other systems
read: change it only with API.md."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ledgers.selectors import TimelinessCount, TimelinessTable
from tianjin_towns.lib import dates
from tianjin_towns.lib.api import described, parse_query

from . import dashboards
from .dashboards import Dashboard, Figure, RankedRun, Unit
from .permissions import CITY, LEVELS, get_dashboard_scope_for_user


class DashboardQuerySerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=LEVELS)
    id = serializers.IntegerField(required=False, min_value=1)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(
        required=False, min_value=1, max_value=12, help_text=_("统计截至月份；默认为已结束的最近一个月")
    )

    def validate(self, attrs):
        if attrs["level"] != CITY and "id" not in attrs:
            raise serializers.ValidationError({"id": _("区级和小镇驾驶舱须指定 id。")})
        return attrs


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    whole = int(value)  # cheaper than to_integral_value(): a district's answer has two thousand figures
    return whole if whole == value else float(value)


def _cents(cents: int | None) -> int | float | None:
    """A sum in cents as _number gives it in the indicator's unit: a whole number as an int, else the float of
    cents / 100 (the division rounds as float(Decimal) does)."""
    if cents is None:
        return None
    whole, part = divmod(cents, 100)
    return cents / 100 if part else whole


def _completion(figure: Figure, expected: Decimal) -> dict:
    return {
        "target": _cents(figure.target_cents),
        "actual": _cents(figure.on_target_cents if figure.target_cents else figure.actual_cents),
        "completion": _number(figure.completion),
        "expected": _number(expected),
        "lagging": figure.lagging,
        "towns_with_target": figure.towns_with_target,
        "towns_lagging": figure.towns_lagging,
    }


def _timeliness(by_month: dict, months) -> dict:
    total = TimelinessTable.year_sum(by_month)
    return {
        **total.as_dict(),
        "months": [{"period": dates.format_period(m), **by_month.get(m, TimelinessCount()).as_dict()} for m in months],
    }


def _run_json(run: RankedRun | None) -> dict | None:
    return None if run is None else {"id": run.pk, "title": run.title, "kind": run.kind, "year": run.year}


def _district_rank_json(row: dict) -> dict:
    return {
        "id": row["unit"].id,
        "name": row["unit"].name,
        "score": _number(row["score"]),
        "rank": row["rank"],
        "towns": row["towns"],
        "praise": row["praise"],
        "warning": row["warning"],
    }


def _town_rank_json(row: dict) -> dict:
    return {
        "id": row["town_id"],
        "name": row["town_name"],
        "district": row["district_name"],
        "score": _number(row["score"]),
        "rank": row["rank"],
        "district_rank": row["district_rank"],
        "grade": row["grade"] or None,
        "band": row["band"] or None,
    }


def _ranking_json(board: Dashboard) -> dict:
    return {
        "run": _run_json(board.run),
        "districts": [_district_rank_json(row) for row in board.district_ranking],
        "towns": [_town_rank_json(row) for row in board.town_ranking],
        "towns_ranked": board.towns_ranked,
    }


def _child_json(child: Unit, codes: list[str]) -> dict:
    figures = child.figures
    return {
        "id": child.id,
        "name": child.name,
        "level": child.level,
        "totals": {code: _cents(figures[code].actual_cents) for code in codes},
        "completion": {
            code: _number(figures[code].completion) for code in codes if figures[code].completion is not None
        },
        "lagging": [code for code in codes if figures[code].lagging],
        "timeliness": child.timeliness.as_dict(),
        "score": _number(child.score),
        "rank": child.rank,
    }


def _figures_json(board: Dashboard, codes: list[str]) -> dict:
    """The scope's totals through the month, last year's, and the targets with their completion."""
    figures = board.figures
    targeted = [code for code in codes if figures[code].target_cents is not None]
    return {
        "totals": {code: _cents(figures[code].actual_cents) for code in codes},
        "last_year_totals": {code: _cents(figures[code].last_year_cents) for code in codes},
        "targets": {code: _cents(figures[code].target_cents) for code in targeted},
        "completion": {code: _completion(figures[code], board.expected[code]) for code in targeted},
    }


def _trend_json(trend: dict[str, dict[str, list]]) -> dict:
    return {
        code: {key: [_number(v) for v in values] for key, values in series.items()} for code, series in trend.items()
    }


def dashboard_json(board: Dashboard) -> dict:
    """The response of GET /api/v1/dashboard/: other systems read these keys (API.md), keep them as they are."""
    codes = [i.code for i in board.indicators]
    scope = board.scope
    return {
        "level": scope.level,
        "org_unit": {"id": scope.unit.pk, "name": scope.unit.name, "level": scope.unit.level},
        "year": board.year,
        "through": dates.format_period(board.through),
        "elapsed": _number(board.elapsed),
        "lag_margin": _number(board.margin),
        **_figures_json(board, codes),
        "timeliness": _timeliness(board.timeliness.total, board.timeliness.months),
        "ranking": _ranking_json(board),
        "children": [_child_json(child, codes) for child in board.children],
        "trend": _trend_json(board.trend),
        "problems": board.problems,
        "action_items": board.action_items,
    }


class DashboardView(APIView):
    """The dashboard of the city, a district or a town for a year: `totals` (indicator code → the year's
    accepted figures through the month, flows summed, stocks the latest), `targets`, `completion`,
    `timeliness`, `ranking`, and the children, trends, problems and action items behind them."""

    @extend_schema(
        tags=["dashboard"],
        parameters=[DashboardQuerySerializer],
        responses=described({200: _("驾驶舱数据"), 400: _("参数错误"), 404: _("单位不存在或无权访问")}),
    )
    def get(self, request):
        query = parse_query(DashboardQuerySerializer, request)
        scope = get_dashboard_scope_for_user(request.user, query["level"], query.get("id"))
        board = dashboards.build_dashboard(scope, year=query["year"], month=query.get("month"))
        return Response(dashboard_json(board))
