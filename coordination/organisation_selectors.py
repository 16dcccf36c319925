"""Reads of the master-data pages (系统管理): member units with their liaisons and history, the org units
with their renames, the routing of work and its changes (R-1.1, R-1.4, R-1.5)."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, Q, QuerySet

from . import permissions as perms
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


def member_unit_list(*, active: bool | None = None) -> QuerySet[MemberUnit]:
    """Member units in their order (the API's list): all of them, or only the active or the retired ones."""
    units = MemberUnit.objects.order_by("order", "pk")
    return units if active is None else units.filter(active=active)


def member_unit_liaisons(member_unit: MemberUnit) -> QuerySet[UserProfile]:
    """The unit's liaisons whose accounts are in use."""
    return member_unit.liaisons.filter(user__is_active=True).select_related("user")


def member_units_named(ids) -> list[MemberUnit]:
    """The member units among `ids` (an API body's); the caller compares the counts to find unknown ids."""
    return list(MemberUnit.objects.filter(pk__in=ids))


def member_unit_named(pk: int) -> MemberUnit | None:
    return MemberUnit.objects.filter(pk=pk).first()


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


def org_units_listed(user: AbstractBaseUser, *, level: str = "") -> QuerySet[OrgUnit]:
    """The org units the user reaches, from the municipality down (the API's list), of one level if given."""
    units = perms.org_units_for_user(user).order_by("level", "order", "code")
    return units.filter(level=level) if level else units


def org_unit_named(pk: int) -> OrgUnit | None:
    return OrgUnit.objects.filter(pk=pk).first()


def districts_and_towns_named(ids) -> list[OrgUnit]:
    """The districts and towns among `ids` (a meeting's attendees in an API body; the municipality hosts)."""
    return list(OrgUnit.objects.filter(pk__in=ids).exclude(level=OrgUnit.Level.MUNICIPAL))


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
