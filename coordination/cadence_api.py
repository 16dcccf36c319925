"""/api/v1/cadence/ (API.md, R-2.4): per org unit, rule and period of a year, the meetings and activities
required and held, over the municipality and the districts the caller sees."""

import datetime

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tianjin_towns.lib import dates
from tianjin_towns.lib.api import parse_query

from . import selectors


class CadenceQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


class CadenceCellSerializer(serializers.Serializer):
    org_unit = serializers.IntegerField(source="org_unit.pk")
    org_unit_name = serializers.CharField(source="org_unit.name")
    rule = serializers.IntegerField(source="rule.pk")
    kind = serializers.CharField(source="rule.kind")
    level = serializers.CharField(source="rule.level")
    period_type = serializers.CharField(source="rule.period", help_text="month | quarter | year")
    period = serializers.CharField(source="period_label", help_text="2026-03 | 2026-Q1 | 2026")
    period_start = serializers.DateField()
    period_end = serializers.SerializerMethodField(help_text=_("周期最后一天"))
    required_min = serializers.IntegerField()
    required_max = serializers.IntegerField(allow_null=True)
    held = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["ok", "short", "over", "pending"])

    def get_period_end(self, cell) -> datetime.date:
        return cell.period_end - datetime.timedelta(days=1)  # the cell's end is exclusive


@extend_schema(tags=["cadence"])
class CadenceView(APIView):
    """Per org unit, rule and period of the year: required_min/max, held, state (ok/short/over/pending)."""

    @extend_schema(parameters=[CadenceQuerySerializer], responses=CadenceCellSerializer(many=True))
    def get(self, request):
        year = parse_query(CadenceQuerySerializer, request).get("year") or dates.today().year
        cells = selectors.cadence_matrix_for_user(request.user, year)
        return Response(CadenceCellSerializer(cells, many=True).data)
