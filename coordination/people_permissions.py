"""The door for people and roles (系统管理 → 用户与角色, R-1.7): whom an actor manages and what they may do.

The administrator (a superuser, or whoever holds MANAGE_USERS on the municipality without being an
office member) manages everybody. An office member holds MANAGE_USERS on the municipality too, narrowed
to the office members of its own working group. Anyone else manages nobody: a user outside the actor's
scope answers 404, an action the actor may see but not perform (stopping one's own account, changing a
superuser without being one) answers 403.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import PERSON_ROLES, OrgUnit, Role, WorkingGroup
from .permissions import MANAGE_USERS, VIEW, org_units_for_user

CHANGE = "change"  # edit the profile, the role or the unit
DEACTIVATE = "deactivate"
RESET_PASSWORD = "reset_password"


def _profile(user: AbstractBaseUser):
    try:
        return user.profile
    except ObjectDoesNotExist:
        return None


def managed_working_group_id(actor: AbstractBaseUser) -> int | None | bool:
    """False: the actor manages nobody; None: everybody; an id: the office members of that working group."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser:
        return None
    if not org_units_for_user(actor, MANAGE_USERS).filter(level=OrgUnit.Level.MUNICIPAL).exists():
        return False
    profile = _profile(actor)
    if profile is not None and profile.role == Role.OFFICE:
        return profile.working_group_id or False
    return None


def can_manage_users(actor: AbstractBaseUser) -> bool:
    return managed_working_group_id(actor) is not False


def check_manage_users(actor: AbstractBaseUser) -> None:
    """The door of the user list, the new-user page, the import and its template (page and API): 403,
    with the reason, unless the actor manages somebody."""
    if not can_manage_users(actor):
        raise PermissionDenied(_("您没有管理用户的权限。"))


def users_for_user(actor: AbstractBaseUser) -> QuerySet:
    """The users `actor` manages (none for most people)."""
    scope = managed_working_group_id(actor)
    users = get_user_model().objects.all()
    if scope is False:
        return users.none()
    if scope is None:
        return users
    return users.filter(profile__role=Role.OFFICE, profile__working_group_id=scope)


def roles_for_user(actor: AbstractBaseUser) -> list[str]:
    """The roles `actor` may give: every role for the administrator, only 工作组成员 for an office member."""
    scope = managed_working_group_id(actor)
    if scope is False:
        return []
    return [role.value for role in PERSON_ROLES] if scope is None else [Role.OFFICE]


def working_groups_for_user(actor: AbstractBaseUser) -> QuerySet:
    scope = managed_working_group_id(actor)
    if scope is False:
        return WorkingGroup.objects.none()
    groups = WorkingGroup.objects.order_by("order")
    return groups if scope is None else groups.filter(pk=scope)


def may_assign(actor: AbstractBaseUser, role: str, working_group_id: int | None) -> bool:
    """Whether `actor` may give `role` (in `working_group_id` for office members) to someone."""
    scope = managed_working_group_id(actor)
    if scope is False:
        return False
    if scope is None:
        return role in PERSON_ROLES
    return role == Role.OFFICE and working_group_id == scope


def check_may_assign(actor: AbstractBaseUser, role: str, working_group: WorkingGroup | None) -> None:
    """The door of giving `role` (in `working_group` for office members) on a create or an edit: 403, with
    the reason, unless `may_assign`."""
    if not may_assign(actor, role, working_group.pk if working_group else None):
        raise PermissionDenied(_("您无权授予该角色或管理其他工作组的用户。"))


def can_change_user(actor: AbstractBaseUser, user: AbstractBaseUser) -> bool:
    """Whether `actor` may change a user it manages: only a superuser changes a superuser."""
    return not user.is_superuser or actor.is_superuser


def get_managed_user_for_user(actor: AbstractBaseUser, pk: int, perm: str = VIEW):
    """The user `pk` with its profile if `actor` manages them (404 otherwise) and may do `perm` (403 otherwise)."""
    user = (
        users_for_user(actor)
        .select_related("profile__org_unit__parent", "profile__working_group", "profile__member_unit")
        .filter(pk=pk)
        .first()
    )
    if user is None:
        raise Http404
    if perm != VIEW:
        if not can_change_user(actor, user):
            raise PermissionDenied
        if perm == DEACTIVATE and user.pk == actor.pk:
            raise PermissionDenied  # nobody locks themselves out
    return user


def registry_districts_for_user(user: AbstractBaseUser) -> QuerySet:
    """Districts whose information officers and reviewing leaders `user` may list (R-3.1)."""
    reached = org_units_for_user(user, VIEW)
    return OrgUnit.objects.filter(level=OrgUnit.Level.DISTRICT, pk__in=reached.values("pk")).order_by("order", "code")


def get_registry_districts_for_user(user: AbstractBaseUser) -> QuerySet:
    """The door of the information-officer registry: the districts it lists for `user`, 403 when none."""
    districts = registry_districts_for_user(user)
    if not districts.exists():
        raise PermissionDenied
    return districts
