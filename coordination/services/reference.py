"""The notice's reference data (coordination.reference): the municipality, the ten districts with
agriculture, the office's four working groups and the 17 member units of 2016. A new installation loads
it once (`manage.py load_reference`); everything after that is done in the product's own pages."""

from django.db import transaction

from ..models import MemberUnit, OrgUnit, WorkingGroup
from ..reference import DISTRICTS, MEMBER_UNITS, MUNICIPALITY, WORKING_GROUPS


@transaction.atomic
def reference_data_load() -> dict[str, int]:
    """Create what is missing of the reference data; rows that exist (perhaps renamed since) are kept."""
    created = {"org_units": 0, "working_groups": 0, "member_units": 0}
    code, name = MUNICIPALITY
    city, new = OrgUnit.objects.get_or_create(
        code=code, defaults={"name": name, "slug": "tianjin", "level": OrgUnit.Level.MUNICIPAL}
    )
    created["org_units"] += new
    for order, (code, name, slug) in enumerate(DISTRICTS, start=1):
        _unit, new = OrgUnit.objects.get_or_create(
            code=code,
            defaults={"name": name, "slug": slug, "level": OrgUnit.Level.DISTRICT, "parent": city, "order": order},
        )
        created["org_units"] += new
    for order, (code, name, duties) in enumerate(WORKING_GROUPS, start=1):
        _group, new = WorkingGroup.objects.get_or_create(
            code=code, defaults={"name": name, "duties": duties, "order": order}
        )
        created["working_groups"] += new
    for order, (code, name) in enumerate(MEMBER_UNITS, start=1):
        _member, new = MemberUnit.objects.get_or_create(code=code, defaults={"name": name, "order": order})
        created["member_units"] += new
    return created
