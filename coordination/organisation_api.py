"""REST API v1 of the member units (API.md): `id, name, short_name, leader, division, active`.

Every signed-in caller reads them (the conference's public list); adding one (POST) and changing one
(PATCH, `active: false` retires it) need MANAGE_ORGANISATION, through the same services as the pages.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status

from tianjin_towns.lib.api import ListViewSet, parse_body

from . import organisation_selectors as selectors
from . import permissions as unit_perms
from . import services as org_services
from .models import MemberUnit


class MemberUnitSerializer(serializers.ModelSerializer):
    leader = serializers.CharField(source="responsible_leader", read_only=True)
    division = serializers.CharField(source="counterpart_division", read_only=True)

    class Meta:
        model = MemberUnit
        fields = ["id", "name", "short_name", "leader", "division", "active"]
        read_only_fields = fields


# A field's `source` is the services' argument (the model field). (A comment: a docstring would be the
# schema's description.)
class MemberUnitWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, error_messages={"blank": _("请填写成员单位名称。")})
    short_name = serializers.CharField(max_length=20, required=False, allow_blank=True)
    leader = serializers.CharField(max_length=50, required=False, allow_blank=True, source="responsible_leader")
    division = serializers.CharField(max_length=100, required=False, allow_blank=True, source="counterpart_division")
    active = serializers.BooleanField(required=False)


class MemberUnitFilterSerializer(serializers.Serializer):
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


class MemberUnitViewSet(ListViewSet):
    serializer_class = MemberUnitSerializer
    filter_serializer = MemberUnitFilterSerializer
    door = staticmethod(unit_perms.get_member_unit_for_user)

    def filtered(self, query: dict):
        return selectors.member_unit_list(**query)

    @extend_schema(request=MemberUnitWriteSerializer, responses={201: MemberUnitSerializer})
    def create(self, request):
        unit_perms.check_manage_member_units(request.user)
        data = parse_body(MemberUnitWriteSerializer, request)
        unit = org_services.member_unit_create(actor=request.user, **data)
        return self.respond(unit, status.HTTP_201_CREATED)

    @extend_schema(request=MemberUnitWriteSerializer, responses=MemberUnitSerializer)
    def partial_update(self, request, pk=None):
        unit = unit_perms.get_member_unit_for_user(request.user, pk, unit_perms.MANAGE_ORGANISATION)
        data = parse_body(MemberUnitWriteSerializer, request, partial=True)
        unit = org_services.member_unit_update(actor=request.user, member_unit=unit, **data)
        return self.respond(unit)
