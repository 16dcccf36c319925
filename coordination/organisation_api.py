"""REST API v1 of the member units (API.md): `id, name, short_name, leader, division, active`.

Every signed-in caller reads them (the conference's public list); adding one (POST) and changing one
(PATCH, `active: false` retires it) need MANAGE_ORGANISATION, through the same services as the pages.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from tianjin_towns.lib.api import parse_query

from . import organisation_selectors as selectors
from . import permissions as unit_perms
from . import services as org_services
from .models import MemberUnit

# API name → model field.
FIELD_NAMES = {
    "name": "name",
    "short_name": "short_name",
    "leader": "responsible_leader",
    "division": "counterpart_division",
}


class MemberUnitSerializer(serializers.ModelSerializer):
    leader = serializers.CharField(source="responsible_leader", read_only=True)
    division = serializers.CharField(source="counterpart_division", read_only=True)

    class Meta:
        model = MemberUnit
        fields = ["id", "name", "short_name", "leader", "division", "active"]
        read_only_fields = fields


class MemberUnitWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, error_messages={"blank": _("请填写成员单位名称。")})
    short_name = serializers.CharField(max_length=20, required=False, allow_blank=True)
    leader = serializers.CharField(max_length=50, required=False, allow_blank=True)
    division = serializers.CharField(max_length=100, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class MemberUnitFilterSerializer(serializers.Serializer):
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


@extend_schema(tags=["member-units"])
class MemberUnitViewSet(viewsets.GenericViewSet):
    serializer_class = MemberUnitSerializer
    queryset = MemberUnit.objects.none()  # for the schema; requests use get_queryset
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.member_unit_list(active=parse_query(MemberUnitFilterSerializer, self.request).get("active"))

    @extend_schema(parameters=[MemberUnitFilterSerializer])
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MemberUnitSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(MemberUnitSerializer(unit_perms.get_member_unit_for_user(request.user, pk)).data)

    @extend_schema(request=MemberUnitWriteSerializer, responses={201: MemberUnitSerializer})
    def create(self, request):
        unit_perms.check_manage_member_units(request.user)
        serializer = MemberUnitWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fields = {FIELD_NAMES[name]: value for name, value in data.items() if name in FIELD_NAMES}
        unit = org_services.member_unit_create(actor=request.user, active=data.get("active", True), **fields)
        return Response(MemberUnitSerializer(unit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MemberUnitWriteSerializer, responses=MemberUnitSerializer)
    def partial_update(self, request, pk=None):
        unit = unit_perms.get_member_unit_for_user(request.user, pk, unit_perms.MANAGE_ORGANISATION)
        serializer = MemberUnitWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fields = {FIELD_NAMES[name]: value for name, value in data.items() if name in FIELD_NAMES}
        unit = org_services.member_unit_update(
            actor=request.user, member_unit=unit, active=data.get("active"), **fields
        )
        return Response(MemberUnitSerializer(unit).data)
