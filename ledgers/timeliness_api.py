"""GET /api/v1/timeliness/ (API.md): per org unit and month, how many reports were expected and how
they arrived (R-3.4). Rates add up the hierarchy: a district's counts are the sum of its towns'."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.models import OrgUnit
from coordination.permissions import get_org_unit_for_user, org_units_for_user
from tianjin_towns.lib import dates
from tianjin_towns.lib.api import described, parse_query

from . import selectors


class TimelinessQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    district = serializers.IntegerField(required=False, min_value=1)


def _row(unit: OrgUnit, period, count: selectors.TimelinessCount) -> dict:
    return {
        "org_unit": unit.pk,
        "name": unit.name,
        "level": unit.level,
        "parent": unit.parent_id,
        "period": dates.format_period(period),
        **count.as_dict(),
    }


class TimelinessView(APIView):
    """Per org unit (the municipality, districts, towns the caller reaches) and ended month of the year:
    `expected, received, on_time, late, missing, pending` and the rates in percent."""

    @extend_schema(
        tags=["ledgers"],
        parameters=[TimelinessQuerySerializer],
        responses=described({200: _("各单位各月的应报、实报、按时、迟报、漏报数"), 404: _("区不存在或无权访问")}),
    )
    def get(self, request):
        query = parse_query(TimelinessQuerySerializer, request)
        year, district_id = query["year"], query.get("district")
        if district_id:
            district = get_org_unit_for_user(request.user, district_id)
            if district.level != OrgUnit.Level.DISTRICT:
                raise Http404
        table = selectors.timeliness_table(selectors.towns_in_scope(request.user, district_id=district_id), year=year)
        # Sums are shown only for units the caller reaches as a whole: a town's officer gets no district row.
        reached = {
            unit.pk: unit
            for unit in org_units_for_user(request.user).filter(
                level__in=[OrgUnit.Level.MUNICIPAL, OrgUnit.Level.DISTRICT]
            )
        }
        towns_by_district: dict[int, list[OrgUnit]] = {}
        for town in OrgUnit.objects.filter(pk__in=list(table.towns)).order_by("order", "code"):
            towns_by_district.setdefault(town.parent_id, []).append(town)
        results = []
        if not district_id:
            for city in (u for u in reached.values() if u.level == OrgUnit.Level.MUNICIPAL):
                results += [_row(city, period, count) for period, count in sorted(table.total.items())]
        districts = OrgUnit.objects.filter(pk__in=list(towns_by_district)).order_by("order", "code")
        for district in districts:
            if district.pk in reached and district.pk in table.districts:
                results += [_row(district, p, c) for p, c in sorted(table.districts[district.pk].items())]
            for town in towns_by_district[district.pk]:
                results += [_row(town, p, c) for p, c in sorted(table.towns[town.pk].items())]
        return Response({"year": year, "months": [dates.format_period(m) for m in table.months], "results": results})
