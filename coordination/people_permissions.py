"""The door for people and roles (系统管理 → 用户与角色, R-1.7): whom an actor manages and what they may do.

The system administrator (whoever holds MANAGE_USERS on the municipality without being an office member)
creates, edits, stops and restores the accounts of the business roles and gives those roles. An office member
holds MANAGE_USERS on the municipality too, narrowed to the office members of its own working group.

三员分立 (issue 22, 等保 2.0): the three administrative roles (ADMIN_ROLES) are given and changed only by the
security administrator (MANAGE_SECURITY), who sees every account, changes anyone's role and unit but its own,
and unlocks accounts, but creates, edits and stops nobody. An administrator's account is changed, stopped or
given a new password by a superuser only, so no administrator takes over another's. The security administrator also
resets a user's two factors (coordination.two_factor), anyone's but its own. The audit administrator
manages nobody. A superuser, who installs the platform, may do everything but stop itself.

A user outside the actor's scope answers 404; an action the actor may see but not perform (stopping one's own
account, changing an administrator or a superuser) answers 403.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import ADMIN_ROLES, PERSON_ROLES, OrgUnit, Role, WorkingGroup
from .permissions import MANAGE_SECURITY, MANAGE_USERS, VIEW, holds_on_municipality, org_units_for_user

CHANGE = "change"  # edit the name, phone and e-mail; restore a stopped account
GRANT = "grant"  # change the role or the unit
DEACTIVATE = "deactivate"
RESET_PASSWORD = "reset_password"
UNLOCK = "unlock"  # lift a lockout after failed sign-ins
RESET_TWO_FACTOR = "reset_two_factor"  # remove a user's authenticator app and recovery codes (a lost phone)

ACTIONS = (CHANGE, GRANT, DEACTIVATE, RESET_PASSWORD, UNLOCK, RESET_TWO_FACTOR)  # what a user's page may offer
# The fields of an edit that give permissions (GRANT), and those of the person (CHANGE).
GRANT_FIELDS = ("role", "org_unit", "working_group", "member_unit")
PERSON_FIELDS = ("full_name", "phone", "email")


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
    if not holds_on_municipality(actor, MANAGE_USERS):
        return False
    profile = _profile(actor)
    if profile is not None and profile.role == Role.OFFICE:
        return profile.working_group_id or False
    return None


def secures_accounts(actor: AbstractBaseUser) -> bool:
    """The security administrator (MANAGE_SECURITY on the municipality) or a superuser."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    return holds_on_municipality(actor, MANAGE_SECURITY)


def can_manage_users(actor: AbstractBaseUser) -> bool:
    """Whether `actor` creates and imports accounts (the system administrator, an office member)."""
    return managed_working_group_id(actor) is not False


def can_list_users(actor: AbstractBaseUser) -> bool:
    return can_manage_users(actor) or secures_accounts(actor)


def check_manage_users(actor: AbstractBaseUser) -> None:
    """The door of the new-user page, the import and its template (page and API): 403, with the reason, unless
    the actor creates accounts."""
    if not can_manage_users(actor):
        raise PermissionDenied(_("您没有创建和导入用户的权限。"))


def check_list_users(actor: AbstractBaseUser) -> None:
    """The door of the user list (page and API): whoever manages somebody, the security administrator too."""
    if not can_list_users(actor):
        raise PermissionDenied(_("您没有管理用户的权限。"))


def _scope(actor: AbstractBaseUser) -> int | None | bool:
    """managed_working_group_id, widened to everybody for the security administrator, who sees every account."""
    return None if secures_accounts(actor) else managed_working_group_id(actor)


def users_for_user(actor: AbstractBaseUser) -> QuerySet:
    """The users `actor` manages (none for most people; everybody for the security administrator)."""
    users = get_user_model().objects.all()
    scope = _scope(actor)
    if scope is False:
        return users.none()
    if scope is None:
        return users
    return users.filter(profile__role=Role.OFFICE, profile__working_group_id=scope)


def roles_for_user(actor: AbstractBaseUser) -> list[str]:
    """The roles `actor` may give: every role for the security administrator and a superuser, the business roles
    for the system administrator, only 工作组成员 for an office member."""
    if secures_accounts(actor):
        return [role.value for role in PERSON_ROLES]
    scope = managed_working_group_id(actor)
    if scope is False:
        return []
    return [role.value for role in PERSON_ROLES if role not in ADMIN_ROLES] if scope is None else [Role.OFFICE]


def working_groups_for_user(actor: AbstractBaseUser) -> QuerySet:
    scope = managed_working_group_id(actor)
    if scope is False:
        return WorkingGroup.objects.none()
    groups = WorkingGroup.objects.order_by("order")
    return groups if scope is None else groups.filter(pk=scope)


def may_assign(actor: AbstractBaseUser, role: str, working_group_id: int | None) -> bool:
    """Whether `actor` may give `role` (in `working_group_id` for office members) to someone."""
    if role not in roles_for_user(actor):
        return False
    scope = _scope(actor)
    return scope is None or working_group_id == scope


def check_may_assign(actor: AbstractBaseUser, role: str, working_group: WorkingGroup | None) -> None:
    """The door of giving `role` (in `working_group` for office members) on a create or an edit: 403, with
    the reason, unless `may_assign`."""
    if not may_assign(actor, role, working_group.pk if working_group else None):
        raise PermissionDenied(_("您无权授予该角色或管理其他工作组的用户。"))


def is_administrator(user: AbstractBaseUser) -> bool:
    """A superuser or a holder of one of the three administrative roles."""
    profile = _profile(user)
    return user.is_superuser or (profile is not None and profile.role in ADMIN_ROLES)


def may(actor: AbstractBaseUser, user: AbstractBaseUser, perm: str) -> bool:
    """Whether `actor` may do `perm` to `user`, a user it sees (users_for_user)."""
    if perm == VIEW:
        return True
    if user.is_superuser and not actor.is_superuser:
        return False  # only a superuser changes a superuser
    if perm == DEACTIVATE and user.pk == actor.pk:
        return False  # nobody locks themselves out
    if actor.is_superuser:
        return True
    if perm == UNLOCK:
        return secures_accounts(actor)
    if perm in (GRANT, RESET_TWO_FACTOR) and user.pk == actor.pk:
        return False  # nobody grants themselves a permission or lifts their own second factor
    if perm == RESET_TWO_FACTOR:
        return secures_accounts(actor)
    if perm == GRANT and secures_accounts(actor):
        return True
    # The system administrator and office members: the accounts of the business roles (they see only those).
    return can_manage_users(actor) and not is_administrator(user)


def can_change_user(actor: AbstractBaseUser, user: AbstractBaseUser) -> bool:
    """Whether `actor` may edit some of `user`: the person's details or their role."""
    return may(actor, user, CHANGE) or may(actor, user, GRANT)


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
    if not may(actor, user, perm):
        raise PermissionDenied
    return user


def check_edit(actor: AbstractBaseUser, user: AbstractBaseUser, fields) -> None:
    """The door of an edit that changes `fields` (names of GRANT_FIELDS, PERSON_FIELDS, is_active): 403, with the
    reason, unless `actor` may change each kind."""
    fields = set(fields)
    if fields & set(GRANT_FIELDS) and not may(actor, user, GRANT):
        raise PermissionDenied(_("您无权调整该账号的角色或单位。"))
    if fields & set(PERSON_FIELDS) and not may(actor, user, CHANGE):
        raise PermissionDenied(_("您无权修改该账号的资料。"))


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
