"""/api/v1/org-units/ (API.md): the org units the caller reaches, read-only, scoped by the permission door.
(Towns: coordination.town_api; member units: coordination.organisation_api; login and API tokens:
coordination.auth_api.)"""

from rest_framework import serializers

from tianjin_towns.lib.api import ListViewSet

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


class OrgUnitViewSet(ListViewSet):
    """The org units the caller reaches: the municipality, districts and towns."""

    serializer_class = OrgUnitSerializer
    filter_serializer = OrgUnitFilterSerializer
    selector = staticmethod(organisation_selectors.org_units_listed)
    door = staticmethod(get_org_unit_for_user)
