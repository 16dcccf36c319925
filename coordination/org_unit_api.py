"""/api/v1/org-units/ (API.md): the org units the caller reaches, read-only, scoped by the permission door.
(Towns: coordination.town_api; member units: coordination.organisation_api; login and API tokens:
coordination.auth_api.)"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from tianjin_towns.lib.api import parse_query

from . import organisation_selectors
from .models import OrgUnit
from .permissions import get_org_unit_for_user


class OrgUnitFilterSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=OrgUnit.Level.choices, required=False)


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
        level = parse_query(OrgUnitFilterSerializer, self.request).get("level")
        return organisation_selectors.org_units_listed(self.request.user, level=level or "")

    @extend_schema(parameters=[OrgUnitFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(get_org_unit_for_user(request.user, pk)).data)
