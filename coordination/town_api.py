"""/api/v1/towns/: towns (R-1.1) and their lifecycle (R-1.2), on the same services and permission doors as
the pages. Everybody reads the towns they see; MANAGE_TOWNS (routed by SubmissionKind.TOWNS) creates,
edits and records lifecycle steps. A step the lifecycle does not allow answers 409."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tianjin_towns.lib.api import ListViewSet, parse_body, visible_in_body

from . import permissions as perms
from . import services, town_selectors
from .models import Town, TownStatus, TownStatusChange

TOWN_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("小镇的组织单位 id"))


class TownFilterSerializer(serializers.Serializer):
    district = serializers.IntegerField(required=False, min_value=1, source="district_id")


class TownSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="unit_id", read_only=True)
    code = serializers.CharField(source="unit.code", read_only=True)
    name = serializers.CharField(source="unit.name", read_only=True)
    district = serializers.IntegerField(source="district_id", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    planning_area_km2 = serializers.DecimalField(
        max_digits=8, decimal_places=2, coerce_to_string=False, read_only=True, allow_null=True
    )
    construction_land_mu = serializers.DecimalField(
        max_digits=10, decimal_places=2, coerce_to_string=False, read_only=True, allow_null=True
    )

    class Meta:
        model = Town
        fields = [
            "id",
            "code",
            "name",
            "district",
            "district_name",
            "status",
            "lead_industry",
            "host_township",
            "level",
            "batch",
            "planning_area_km2",
            "construction_land_mu",
            "creation_subject",
            "chief_leader",
            "leader_in_charge",
            "national_list",
            "named_on",
        ]
        read_only_fields = fields


class TownAttributesSerializer(serializers.Serializer):
    """The R-1.1 attributes a POST sets and a PATCH edits (services.TOWN_FIELDS)."""

    host_township = serializers.CharField(max_length=50)
    lead_industry = serializers.CharField(max_length=100)
    planning_area_km2 = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    construction_land_mu = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    level = serializers.ChoiceField(choices=Town.Level.choices, default=Town.Level.MUNICIPAL)
    national_list = serializers.BooleanField(default=False)
    batch = serializers.IntegerField(min_value=1, max_value=99, default=1)
    named_on = serializers.DateField(required=False, allow_null=True)
    creation_subject = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    chief_leader = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    leader_in_charge = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class TownCreateSerializer(TownAttributesSerializer):
    district = serializers.IntegerField(min_value=1)
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=100)
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in services.INITIAL_STATUSES], default=TownStatus.RESERVE
    )
    reporting_from = serializers.DateField(
        input_formats=["%Y-%m", "%Y-%m-%d"], help_text=_("起报月份：YYYY-MM，或该月中的一天")
    )
    document_no = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class TownUpdateSerializer(TownAttributesSerializer):
    name = serializers.CharField(max_length=100, required=False)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class TownStatusStepSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TownStatus.choices)
    decided_on = serializers.DateField()
    document_no = serializers.CharField(max_length=100)
    reason = serializers.CharField(max_length=2000)
    batch = serializers.IntegerField(min_value=1, max_value=99, required=False, allow_null=True)


class TownListDecisionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    document_no = serializers.CharField()
    kind = serializers.CharField()


class TownStatusChangeSerializer(serializers.ModelSerializer):
    # A town's first step has no earlier status: "" (documented as such, not only the statuses).
    from_status = serializers.ChoiceField(choices=TownStatus.choices, allow_blank=True, read_only=True)
    decision = TownListDecisionRefSerializer(allow_null=True, read_only=True)
    actor = serializers.CharField(source="actor.username", allow_null=True, read_only=True, default=None)

    class Meta:
        model = TownStatusChange
        fields = [
            "id",
            "from_status",
            "to_status",
            "decided_on",
            "document_no",
            "batch",
            "reason",
            "decision",
            "actor",
            "at",
        ]
        read_only_fields = fields


class TownViewSet(ListViewSet):
    """Characteristic towns the caller reaches; `id` is the town's org-unit id."""

    serializer_class = TownSerializer
    filter_serializer = TownFilterSerializer
    selector = staticmethod(town_selectors.town_list)
    lookup_url_kwarg = "id"  # a town's primary key is its org unit; the API calls it `id`

    def fresh(self, town: Town) -> Town:
        return town_selectors.town_with_unit(town.pk)

    @extend_schema(parameters=[TOWN_ID])
    def retrieve(self, request, id=None):
        return Response(self.get_serializer(perms.get_town_for_user(request.user, id)).data)

    @extend_schema(request=TownCreateSerializer, responses={201: TownSerializer})
    def create(self, request):
        """A new town and its org unit (R-1.1); the district must be one where the caller manages towns."""
        data = parse_body(TownCreateSerializer, request)
        district = visible_in_body(
            perms.get_org_unit_for_user, request.user, data.pop("district"), perms.MANAGE_TOWNS, field="district"
        )
        town = services.town_create(actor=request.user, district=district, **data)
        return self.respond(town, status.HTTP_201_CREATED)

    @extend_schema(parameters=[TOWN_ID], request=TownUpdateSerializer, responses={200: TownSerializer})
    def partial_update(self, request, id=None):
        """Edit attributes; a new `name` is a rename kept in the history and needs a `reason`."""
        town = perms.get_town_for_user(request.user, id, perms.MANAGE_TOWNS)
        data = parse_body(TownUpdateSerializer, request, partial=True)
        town = services.town_update(actor=request.user, town=town, **data)
        return self.respond(town)

    @extend_schema(parameters=[TOWN_ID], request=TownStatusStepSerializer, responses={201: TownStatusChangeSerializer})
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def status_step(self, request, id=None):
        """A lifecycle step (R-1.2) with the decision behind it; a step not allowed now answers 409."""
        town = perms.get_town_for_user(request.user, id, perms.MANAGE_TOWNS)
        data = parse_body(TownStatusStepSerializer, request)
        change = services.town_change_status(actor=request.user, town=town, **data)
        return Response(TownStatusChangeSerializer(change).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[TOWN_ID], responses={200: TownStatusChangeSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="status-history", url_name="status-history")
    def status_history(self, request, id=None):
        """The town's status changes, oldest first, each with its decision."""
        town = perms.get_town_for_user(request.user, id)
        return Response(TownStatusChangeSerializer(town_selectors.town_status_history(town), many=True).data)
