"""GET /api/v1/accepted-figures/: the data-sharing feed (数据共享接口, issue 18), docs/api-feed.md.

JSON pages of at most `page_size` rows with a `next` link (keyset cursor: stable, whatever is accepted
meanwhile), or with `Accept: text/csv` (or `?format=csv`) the whole selection as one CSV streamed from a
server-side cursor, never held in memory. `updated_since` gives the rows changed since a moment: figures
accepted, withdrawn by a reopened report, accepted again.
"""

import base64
import csv
import datetime
import json

from django.http import StreamingHttpResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tianjin_towns.lib import dates, downloads
from tianjin_towns.lib.api import described, parse_query
from tianjin_towns.lib.excel import FORMULA_TRIGGERS

from .api import XlsxRenderer
from .selectors import feed

MAX_PAGE = 1000


class CSVRenderer(XlsxRenderer):
    """Lets a client ask for the feed with `Accept: text/csv`; the view streams it itself, errors stay JSON."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"


def _period(value: str) -> datetime.date:
    try:
        return dates.parse_period(value)
    except ValueError:
        raise serializers.ValidationError(_("月份格式应为 YYYY-MM。")) from None


class FeedQuerySerializer(serializers.Serializer):
    town = serializers.IntegerField(required=False, min_value=1)
    district = serializers.IntegerField(required=False, min_value=1)
    indicator = serializers.SlugField(required=False, max_length=40)
    updated_since = serializers.DateTimeField(required=False)
    cursor = serializers.CharField(required=False, max_length=200)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, default=500)

    def validate_from(self, value):
        return _period(value)

    def validate_to(self, value):
        return _period(value)

    def validate_cursor(self, value):
        try:
            at, report, indicator = json.loads(base64.urlsafe_b64decode(value.encode()))
            changed_at = parse_datetime(at)
            if changed_at is None:
                raise ValueError(at)
            return feed.FeedKey(changed_at=changed_at, report_id=int(report), indicator_id=int(indicator))
        except (ValueError, TypeError, json.JSONDecodeError, UnicodeError):
            raise serializers.ValidationError(_("分页游标无效，请从第一页重新读取。")) from None


# `from` and `to` (YYYY-MM) as API.md names them: keywords in Python, so declared outside the class body.
FeedQuerySerializer._declared_fields["from"] = serializers.CharField(required=False, max_length=7, help_text="YYYY-MM")
FeedQuerySerializer._declared_fields["to"] = serializers.CharField(required=False, max_length=7, help_text="YYYY-MM")


def _csv_target(query: dict) -> str:
    """How the security audit names a CSV taken from the feed: the selection asked for (ids as given)."""
    asked = {"district": "区", "town": "小镇", "indicator": "指标", "from": "自", "to": "至", "updated_since": "更新于"}
    chosen = [f"{label} {query[key]}" for key, label in asked.items() if query.get(key) is not None]
    return "，".join(["数据共享接口 已采用数据", *chosen])


def _cursor(key: feed.FeedKey) -> str:
    text = json.dumps([key.changed_at.isoformat(), key.report_id, key.indicator_id])
    return base64.urlsafe_b64encode(text.encode()).decode()


class _Line:
    """A file-like target for csv.writer that hands each written line back (StreamingHttpResponse's recipe)."""

    def write(self, value: str) -> str:
        return value


# Text people typed (town and district names) that a spreadsheet would take for a formula gets Excel's quote,
# as in every workbook the platform writes (tianjin_towns/lib/excel.py); JSON carries it as stored.
TEXT_FIELDS = frozenset({"town_code", "town_name", "district_name", "unit"})


def _cell(name: str, value) -> str:
    if value is None:
        return ""
    if name in TEXT_FIELDS and value[:1] in FORMULA_TRIGGERS:
        return "'" + value
    return value


def _csv_lines(records):
    writer = csv.writer(_Line())
    yield writer.writerow(feed.FIELDS)
    for record in records:
        yield writer.writerow([_cell(name, record[name]) for name in feed.FIELDS])


class AcceptedFigureSerializer(serializers.Serializer):
    updated_at = serializers.DateTimeField(help_text="when the figure was accepted or withdrawn")
    report = serializers.IntegerField()
    town = serializers.IntegerField()
    town_code = serializers.CharField()
    town_name = serializers.CharField()
    district = serializers.IntegerField()
    district_name = serializers.CharField()
    period = serializers.CharField(help_text="YYYY-MM")
    indicator = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.CharField(allow_null=True, help_text="the accepted figure; null when withdrawn")
    state = serializers.ChoiceField(choices=["accepted", "withdrawn"])
    accepted_at = serializers.DateTimeField(allow_null=True)
    check_state = serializers.ChoiceField(
        choices=["unchecked", "agreed", "differs", "explained"],
        allow_null=True,
        help_text="数据核对: 未核对/一致/有差异/已说明",
    )


class AcceptedFigurePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AcceptedFigureSerializer(many=True)


class AcceptedFiguresView(APIView):
    """The accepted figures the caller reads (its own scope, or what the office shares with its member unit)."""

    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    @extend_schema(
        tags=["data-sharing"],
        parameters=[FeedQuerySerializer],
        responses={
            200: AcceptedFigurePageSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=_("全部所选数据的CSV（流式输出）")),
            **described({(400, "application/json"): _("参数错误")}),
        },
    )
    def get(self, request):
        query = parse_query(FeedQuerySerializer, request)
        rows = feed.feed_rows(
            request.user,
            town_id=query.get("town"),
            district_id=query.get("district"),
            period_from=query.get("from"),
            period_to=query.get("to"),
            indicator=query.get("indicator"),
            updated_since=query.get("updated_since"),
            after=query.get("cursor"),
        )
        if request.accepted_renderer.format == "csv":
            response = StreamingHttpResponse(
                _csv_lines(feed.feed_records(rows)), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = 'attachment; filename="accepted-figures.csv"'
            return downloads.audited(response, _csv_target(query), exported=True)
        size = query["page_size"]
        page = list(rows[: size + 1])
        more = len(page) > size
        page = page[:size]
        next_link = None
        if more:
            params = request.query_params.copy()
            params["cursor"] = _cursor(feed.feed_key(page[-1]))
            next_link = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        return Response({"next": next_link, "previous": None, "results": [feed.feed_record(row) for row in page]})
