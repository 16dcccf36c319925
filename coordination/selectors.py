"""Reads of the coordination app that cross relations."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from guardian.models import UserObjectPermission

from .models import Notification, OrgUnit


def notifications_for_user(user: AbstractBaseUser) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user: AbstractBaseUser) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def users_with_unit_perm(unit: OrgUnit, perm: str) -> QuerySet:
    """Active users holding `perm` on `unit` or on a unit above it (whom to tell about the unit's work)."""
    ancestors = [unit.pk]
    if unit.parent_id:
        ancestors.append(unit.parent_id)
        parent = OrgUnit.objects.only("parent_id").get(pk=unit.parent_id)
        if parent.parent_id:
            ancestors.append(parent.parent_id)
    holders = UserObjectPermission.objects.filter(
        permission__codename=perm,
        content_type=ContentType.objects.get_for_model(OrgUnit),
        object_pk__in=[str(pk) for pk in ancestors],
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=holders, is_active=True).order_by("pk")
