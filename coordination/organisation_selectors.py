"""Reads of the master-data pages (系统管理): member units with their liaisons and history, the org units
with their renames, the routing of work and its changes (R-1.1, R-1.4, R-1.5)."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import (
    MemberUnit,
    MemberUnitEvent,
    OrgUnit,
    OrgUnitNameChange,
    Role,
    SubmissionKind,
    SubmissionRouteChange,
    UserProfile,
    WorkingGroup,
)

MEMBER_UNIT_STATES = {"active": Q(active=True), "retired": Q(active=False), "all": Q()}


def member_units(*, state: str = "active", query: str = "") -> QuerySet[MemberUnit]:
    """Member units with their active liaisons (the users of role 成员单位联络员 of each) and policy count."""
    liaisons = UserProfile.objects.filter(role=Role.LIAISON, user__is_active=True).select_related("user")
    units = MemberUnit.objects.filter(MEMBER_UNIT_STATES.get(state, Q(active=True)))
    if query:
        units = units.filter(Q(name__icontains=query) | Q(short_name__icontains=query))
    return (
        units.prefetch_related(Prefetch("liaisons", queryset=liaisons.order_by("pk"), to_attr="active_liaisons"))
        .annotate(policy_count=Count("policies"))
        .order_by("order", "pk")
    )


def _shown(value) -> str:
    return "—" if value in ("", None) else str(value)


def member_unit_history(member_unit: MemberUnit) -> list[MemberUnitEvent]:
    """The unit's changes, newest first; each with `lines`: (field label, old, new) of what changed."""
    events = list(member_unit.events.select_related("actor__profile").order_by("-at", "-pk"))
    for event in events:
        event.lines = [
            (MemberUnit._meta.get_field(name).verbose_name, _shown(old), _shown(new))
            for name, (old, new) in event.changes.items()
            if name not in ("active", "code") and event.action != MemberUnitEvent.Action.CREATED
        ]
    return events


@dataclass
class DistrictEntry:
    district: OrgUnit
    towns: list[OrgUnit] = field(default_factory=list)


def org_unit_tree() -> tuple[list[OrgUnit], list[DistrictEntry]]:
    """The municipality and each district with its towns, each unit with its renames (newest first)."""
    renames = OrgUnitNameChange.objects.select_related("actor__profile").order_by("-changed_on", "-pk")
    units = list(
        OrgUnit.objects.prefetch_related(Prefetch("name_changes", queryset=renames, to_attr="renames")).order_by(
            "level", "order", "code"
        )
    )
    top = [unit for unit in units if unit.level == OrgUnit.Level.MUNICIPAL]
    districts = {unit.pk: DistrictEntry(unit) for unit in units if unit.level == OrgUnit.Level.DISTRICT}
    for unit in units:
        if unit.level == OrgUnit.Level.TOWN and unit.parent_id in districts:
            districts[unit.parent_id].towns.append(unit)
    return top, list(districts.values())


def org_unit_renames(unit: OrgUnit) -> list[OrgUnitNameChange]:
    return list(unit.name_changes.select_related("actor__profile").order_by("-changed_on", "-pk"))


@dataclass
class RouteRow:
    kind: SubmissionKind
    group: WorkingGroup | None


def routing_table(routes: dict[str, str]) -> list[RouteRow]:
    """Each kind of work with the group it is routed to (`routes`: services.submission_routes())."""
    groups = {group.code: group for group in WorkingGroup.objects.all()}
    return [RouteRow(SubmissionKind(kind), groups.get(routes.get(kind))) for kind in SubmissionKind.values]


def routing_history(limit: int = 20) -> list[SubmissionRouteChange]:
    return list(SubmissionRouteChange.objects.select_related("from_group", "to_group", "actor__profile")[:limit])
