"""REST API v1 for org units and towns (API.md): token login, then read-only lists scoped by the permission door."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import OrgUnit, Town
from .permissions import get_org_unit_for_user, get_town_for_user, org_units_for_user, towns_for_user

# --- Auth -------------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    def validate(self, attrs):
        user = authenticate(self.context["request"], username=attrs["username"], password=attrs["password"])
        if user is None or not user.is_active:
            raise serializers.ValidationError(_("用户名或密码不正确。"), code="authorization")
        attrs["user"] = user
        return attrs


class TokenView(APIView):
    """POST {username, password} → {token}; later calls send `Authorization: Token <token>`."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        # DRF's own ObtainAuthToken does the same: one token per user, created on first login.
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


# --- Query parameters -------------------------------------------------------------------------


class OrgUnitFilterSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=OrgUnit.Level.choices, required=False)


class TownFilterSerializer(serializers.Serializer):
    district = serializers.IntegerField(required=False, min_value=1)


def parse_query(serializer_class, request) -> dict:
    """Validate query parameters with a serializer; a bad one is a 400 naming the parameter."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Org units --------------------------------------------------------------------------------


class OrgUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "level", "parent"]
        read_only_fields = fields


@extend_schema(tags=["org-units"])
class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """The org units the caller reaches: the municipality, districts and towns."""

    serializer_class = OrgUnitSerializer
    queryset = OrgUnit.objects.none()  # for the schema; requests use get_queryset
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        units = org_units_for_user(self.request.user).order_by("level", "order", "code")
        level = parse_query(OrgUnitFilterSerializer, self.request).get("level")
        return units.filter(level=level) if level else units

    @extend_schema(parameters=[OrgUnitFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(get_org_unit_for_user(request.user, pk)).data)


# --- Towns ------------------------------------------------------------------------------------


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


@extend_schema(tags=["towns"])
class TownViewSet(viewsets.ReadOnlyModelViewSet):
    """Characteristic towns the caller reaches; `id` is the town's org-unit id."""

    serializer_class = TownSerializer
    queryset = Town.objects.none()
    lookup_url_kwarg = "id"  # a town's primary key is its org unit; the API calls it `id`
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        towns = towns_for_user(self.request.user).select_related("unit", "district")
        district = parse_query(TownFilterSerializer, self.request).get("district")
        towns = towns.filter(district_id=district) if district else towns
        return towns.order_by("district__order", "unit__order", "unit__code")

    @extend_schema(parameters=[TownFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("小镇的组织单位 id"))])
    def retrieve(self, request, id=None):
        return Response(self.get_serializer(get_town_for_user(request.user, id)).data)
