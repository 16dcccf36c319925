"""Reads of the town pages and API (R-1.1, R-1.2): the towns a user sees with their filters, the status
history with its decisions, and the annual list decisions; each in a fixed number of queries."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, Q, QuerySet

from tianjin_towns.lib.queries import narrowed

from . import permissions as perms
from .models import OrgUnit, OrgUnitNameChange, Town, TownEdit, TownListDecision, TownStatus, TownStatusChange


def town_list(
    user: AbstractBaseUser,
    *,
    district_id: int | None = None,
    status: str = "",
    level: str = "",
    batch: int | None = None,
    query: str = "",
) -> QuerySet[Town]:
    """The towns the user sees, filtered; every filter but `status` (the counts per status use the rest)."""
    towns = perms.towns_for_user(user).select_related("unit", "district")
    towns = narrowed(towns, district_id=district_id, level=level, batch=batch)
    if query:
        towns = towns.filter(Q(unit__name__icontains=query) | Q(unit__code__icontains=query))
    if status:
        towns = towns.filter(status=status)
    return towns.order_by("district__order", "unit__order", "unit__code")


def town_with_unit(pk: int) -> Town:
    """One town with its unit and district (the API's answer after a change)."""
    return Town.objects.select_related("unit", "district").get(pk=pk)


def towns_to_decide(user: AbstractBaseUser) -> list[Town]:
    """The towns an annual list decision may name: those the user manages that have not exited, in order."""
    return list(
        perms.towns_for_user(user, perms.MANAGE_TOWNS)
        .select_related("unit", "district")
        .exclude(status=TownStatus.EXITED)
        .order_by("district__order", "unit__order", "unit__code")
    )


def town_status_counts(towns: QuerySet[Town]) -> dict[str, int]:
    return dict(towns.order_by().values_list("status").annotate(n=Count("pk")))


def town_districts(user: AbstractBaseUser) -> QuerySet[OrgUnit]:
    return perms.org_units_for_user(user).filter(level=OrgUnit.Level.DISTRICT).order_by("order", "code")


def town_status_history(town: Town) -> QuerySet[TownStatusChange]:
    return town.status_changes.select_related("decision", "actor__profile").order_by("decided_on", "at", "pk")


def town_renames(town: Town) -> QuerySet[OrgUnitNameChange]:
    """The town's renames, oldest first."""
    return town.unit.name_changes.select_related("actor__profile").order_by("changed_on", "pk")


def town_edits(town: Town) -> QuerySet[TownEdit]:
    return town.edits.select_related("actor__profile").order_by("at", "pk")


def town_list_decisions(user: AbstractBaseUser) -> QuerySet[TownListDecision]:
    """Decisions that concern a town the user sees, each with the changes of those towns only."""
    visible = perms.towns_for_user(user).values("pk")
    changes = TownStatusChange.objects.filter(town__in=visible).select_related("town__unit", "town__district")
    return (
        TownListDecision.objects.filter(changes__town__in=visible)
        .distinct()
        .select_related("actor__profile")
        .prefetch_related(Prefetch("changes", queryset=changes.order_by("town__district__order", "town__unit__code")))
        .order_by("-decided_on", "-created_at")
    )
