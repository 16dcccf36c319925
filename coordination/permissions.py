"""The one door for org-unit scope. Pages, API and other apps ask here what a user reaches.

Grants are guardian object permissions on org units (a district, or the municipality); a grant
covers the unit and every unit below it, so years of reports never need per-row grants.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from .models import OrgUnit, Town

VIEW = "view_unit_data"
FILL = "fill_report"
APPROVE = "approve_report"
ACCEPT = "accept_report"


def org_units_for_user(user: AbstractBaseUser, perm: str = VIEW) -> QuerySet[OrgUnit]:
    """Org units on which `user` holds `perm`, directly or through an ancestor."""
    if not user.is_authenticated or not user.is_active:
        return OrgUnit.objects.none()
    if user.is_superuser:
        return OrgUnit.objects.all()
    granted = get_objects_for_user(
        user, f"coordination.{perm}", klass=OrgUnit, accept_global_perms=False, with_superuser=False
    ).values("pk")
    return OrgUnit.objects.filter(Q(pk__in=granted) | Q(parent__in=granted) | Q(parent__parent__in=granted))


def towns_for_user(user: AbstractBaseUser, perm: str = VIEW) -> QuerySet[Town]:
    return Town.objects.filter(unit__in=org_units_for_user(user, perm).values("pk"))


def user_has_unit_perm(user: AbstractBaseUser, unit_id: int, perm: str) -> bool:
    return org_units_for_user(user, perm).filter(pk=unit_id).exists()


def get_town_for_user(user: AbstractBaseUser, pk: int, perm: str = VIEW) -> Town:
    """The town if the user sees it (404 otherwise) and holds `perm` on it (403 otherwise)."""
    town = towns_for_user(user, VIEW).select_related("unit", "district").filter(pk=pk).first()
    if town is None:
        raise Http404
    if perm != VIEW and not user_has_unit_perm(user, town.pk, perm):
        raise PermissionDenied
    return town


def get_org_unit_for_user(user: AbstractBaseUser, pk: int, perm: str = VIEW) -> OrgUnit:
    unit = org_units_for_user(user, VIEW).filter(pk=pk).first()
    if unit is None:
        raise Http404
    if perm != VIEW and not user_has_unit_perm(user, unit.pk, perm):
        raise PermissionDenied
    return unit
