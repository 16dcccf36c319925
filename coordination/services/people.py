"""People and roles (系统管理 → 用户与角色, R-1.7): accounts, their one role and unit, and the audit of both.

`user_assign_role` is the one door for grants. Every service runs in one transaction and writes a
UserRoleEvent beside the change (who, whose, when, from what to what). Ending an account's access
(deactivation, a password reset) deletes its browser sessions and revokes its API tokens in the same
transaction, so the next request of that user is refused at once.
"""

import secrets
from dataclasses import dataclass
from functools import partial

from axes.utils import reset as axes_reset
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from .. import people_imports, people_selectors, security_audit
from .. import people_permissions as people_perms
from .. import permissions as perms
from ..models import (
    PERSON_ROLES,
    MemberUnit,
    OrgUnit,
    Role,
    SecurityEventKind,
    UserProfile,
    UserRoleEvent,
    WorkingGroup,
)
from .grants import ALL_UNIT_PERMS, ROLE_MODEL_PERMS, ROLE_UNIT_PERMS, STAFF_ROLES, working_group_perms
from .tokens import api_tokens_revoke_all

Action = UserRoleEvent.Action
# Letters and digits that cannot be mistaken for one another when read out or copied from a screen.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ONE_TIME_PASSWORD_LENGTH = 12
# The roles whose unit is the municipality itself; officers and reviewers belong to a district or a town.
MUNICIPAL_ROLES = (Role.OFFICE, Role.LEADER, Role.LIAISON, Role.ADMIN, Role.SECURITY, Role.AUDITOR, Role.CLIENT)


@dataclass(frozen=True)
class Assignment:
    """The role and units a person is to hold (see `assignment_of`); `vars()` of it are the keyword arguments
    of `check_unit`, `user_assign_role` and `user_update`."""

    role: str
    org_unit: OrgUnit | None
    working_group: WorkingGroup | None = None
    member_unit: MemberUnit | None = None


def one_time_password() -> str:
    """A random password to hand over once; it always has letters and digits (Django's validators pass)."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(ONE_TIME_PASSWORD_LENGTH))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def _profile(user: AbstractBaseUser) -> UserProfile | None:
    return UserProfile.objects.filter(user=user).select_related("org_unit", "working_group", "member_unit").first()


def account_state(user: AbstractBaseUser, profile: UserProfile | None) -> dict:
    """What an event records of an account: codes and ids with the names they had then."""

    def named(obj):
        return [obj.pk, obj.name] if obj is not None else None

    return {
        "full_name": profile.full_name if profile else "",
        "phone": profile.phone if profile else "",
        "email": user.email,
        "role": profile.role if profile else "",
        "org_unit": named(profile.org_unit) if profile else None,
        "working_group": named(profile.working_group) if profile else None,
        "member_unit": named(profile.member_unit) if profile else None,
        "is_active": user.is_active,
    }


# The account events that are security events too (coordination.security_audit).
SECURITY_KINDS = {
    UserRoleEvent.Action.CREATED: SecurityEventKind.USER_CREATED,
    UserRoleEvent.Action.IMPORTED: SecurityEventKind.USER_CREATED,
    UserRoleEvent.Action.ROLE_CHANGED: SecurityEventKind.ROLE_CHANGED,
    UserRoleEvent.Action.UNIT_CHANGED: SecurityEventKind.ROLE_CHANGED,
    UserRoleEvent.Action.DEACTIVATED: SecurityEventKind.USER_DEACTIVATED,
    UserRoleEvent.Action.REACTIVATED: SecurityEventKind.USER_REACTIVATED,
    UserRoleEvent.Action.PASSWORD_RESET: SecurityEventKind.PASSWORD_RESET,
}


def _record(*, actor, user, action: str, before: dict, after: dict, reason: str = "") -> UserRoleEvent:
    if action in SECURITY_KINDS:
        security_audit.record(SECURITY_KINDS[action], user=actor, target=security_audit.account(user))
    return UserRoleEvent.objects.create(
        actor=actor, user=user, action=action, before=before, after=after, reason=reason[:200]
    )


def _record_change(*, actor, user, before: dict, profile: UserProfile, reason: str) -> None:
    """Record how the account changed from `before` (its state now read from `profile`); nothing when it did not."""
    after = account_state(user, profile)
    if before != after:
        _record(actor=actor, user=user, action=change_action(before, after), before=before, after=after, reason=reason)


def _end_access(user: AbstractBaseUser) -> None:
    """Revoke the user's API tokens and delete their browser sessions (the database session store)."""
    api_tokens_revoke_all(user=user)
    end_sessions(user)


def end_sessions(user: AbstractBaseUser) -> None:
    """Delete the user's browser sessions (the database session store): they are signed out at their next request."""
    key = str(user.pk)
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == key
    ]
    Session.objects.filter(session_key__in=ended).delete()


def check_unit(
    *, role: str, org_unit: OrgUnit | None, working_group, member_unit, kept_member_unit=None, client: bool = False
) -> None:
    """The unit a role needs (invariants the forms, the API and the import also show per field). A retired
    member unit gets no new liaison; `kept_member_unit`, the one the person already has, stays allowed.
    接口客户端 is no person's role: only an API client's service account (`client`) has it."""
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = _("未知的角色。")
    elif (role == Role.CLIENT) != client:
        errors["role"] = _("接口客户端的服务账号只能在“接口客户端”页面创建和管理。")
    elif org_unit is None:
        errors["org_unit"] = _("请选择所属单位。")
    elif role in (Role.OFFICER, Role.REVIEWER) and org_unit.level == OrgUnit.Level.MUNICIPAL:
        errors["org_unit"] = _("信息员和主管领导必须属于区或小镇。")
    elif role in MUNICIPAL_ROLES and org_unit.level != OrgUnit.Level.MUNICIPAL:
        errors["org_unit"] = _("该角色属于市级，所属单位应为市级单位。")
    if role == Role.OFFICE and working_group is None:
        errors["working_group"] = _("工作组成员必须属于一个工作组。")
    if role == Role.LIAISON and member_unit is None:
        errors["member_unit"] = _("成员单位联络员必须属于一个成员单位。")
    elif role == Role.LIAISON and not member_unit.active and member_unit != kept_member_unit:
        errors["member_unit"] = _("成员单位“%(name)s”已停用，不能再设联络员。") % {"name": member_unit.name}
    if errors:
        raise ValidationError(errors)


def _grant(*, user, assignment: Assignment, full_name, phone) -> UserProfile:
    """Replace the user's role and grants (no event: the public services write theirs)."""
    role, org_unit, working_group = assignment.role, assignment.org_unit, assignment.working_group
    if role == Role.OFFICE and working_group is None:
        raise ValidationError({"working_group": _("工作组成员必须属于一个工作组。")})
    if role in (Role.OFFICER, Role.REVIEWER) and org_unit.level == OrgUnit.Level.MUNICIPAL:
        raise ValidationError({"org_unit": _("信息员和主管领导必须属于区或小镇。")})
    profile = _profile(user)
    if profile is not None:
        # Every grant on the old unit goes at once: an officer moved to another district no longer reaches the old one.
        for perm in ALL_UNIT_PERMS:
            remove_perm(f"coordination.{perm}", user, profile.org_unit)
    user.groups.remove(*Group.objects.filter(name__in=Role.values))
    group, created = Group.objects.get_or_create(name=role)
    if created:
        _give_group_model_perms(group)
    user.groups.add(group)
    staff = user.is_superuser or role in STAFF_ROLES
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    granted = list(ROLE_UNIT_PERMS[role])
    if role == Role.OFFICE:
        granted += [perm for perm in working_group_perms(working_group) if perm not in granted]
    for perm in granted:
        assign_perm(f"coordination.{perm}", user, org_unit)
    perms.forget_unit_grants(user)  # a scope remembered earlier in this request is out of date now
    defaults = {
        "org_unit": org_unit,
        "role": role,
        # Only the unit the role needs is kept, whichever way it came (form, API, a filled-in import cell).
        "working_group": working_group if role == Role.OFFICE else None,
        "member_unit": assignment.member_unit if role in (Role.LIAISON, Role.CLIENT) else None,
    }
    if full_name is not None:
        defaults["full_name"] = full_name
    if phone is not None:
        defaults["phone"] = phone
    profile, _created = UserProfile.objects.update_or_create(user=user, defaults=defaults)
    return profile


def _give_group_model_perms(group: Group) -> None:
    """The Django admin's model permissions of the role named by the group (ROLE_MODEL_PERMS), and no other."""
    models = [name.split(".") for name in ROLE_MODEL_PERMS.get(group.name, ())]
    wanted = Permission.objects.none()
    for app_label, model in models:
        wanted |= Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
    group.permissions.set(wanted)


@transaction.atomic
def user_assign_role(
    *,
    user: AbstractBaseUser,
    role: str,
    org_unit: OrgUnit,
    working_group: WorkingGroup | None = None,
    member_unit: MemberUnit | None = None,
    full_name: str | None = None,
    actor: AbstractBaseUser | None = None,
    reason: str = "",
    audit: bool = True,
) -> UserProfile:
    """Give `user` one role on one org unit; replaces any earlier role and its grants.

    `full_name` None keeps the name. A change is recorded (re-granting the same role, as
    office_sync_grants does after routes change, records nothing); `audit=False` leaves the record to
    the calling service (user_update records the whole edit as one event).
    """
    before = account_state(user, _profile(user))
    assignment = Assignment(role, org_unit, working_group, member_unit)
    profile = _grant(user=user, assignment=assignment, full_name=full_name, phone=None)
    if audit:
        _record_change(actor=actor, user=user, before=before, profile=profile, reason=reason)
    return profile


@transaction.atomic
def grants_sync(*, roles: list[str] | None = None) -> int:
    """Grant every user (of `roles`) what their role and unit give today, after an upgrade added
    permissions to a role or routes moved work (and each role's group its Django admin permissions, ROLE_MODEL_PERMS);
    returns how many were re-granted. Nothing is recorded in
    the people's history: their role and unit do not change."""
    for group in Group.objects.filter(name__in=Role.values):
        _give_group_model_perms(group)
    profiles = UserProfile.objects.select_related("user", "org_unit", "working_group", "member_unit")
    if roles is not None:
        profiles = profiles.filter(role__in=roles)
    count = 0
    for profile in profiles:
        held = Assignment(profile.role, profile.org_unit, profile.working_group, profile.member_unit)
        user_assign_role(user=profile.user, **vars(held), audit=False)
        count += 1
    return count


def change_action(before: dict, after: dict) -> str:
    if before.get("role") != after.get("role"):
        return Action.ROLE_CHANGED
    if any(before.get(k) != after.get(k) for k in ("org_unit", "working_group", "member_unit")):
        return Action.UNIT_CHANGED
    return Action.PROFILE_CHANGED


def _check_identity(*, username: str | None, email: str, phone: str, full_name: str, user=None) -> None:
    errors: dict[str, str] = {}
    User = get_user_model()
    if username is not None:
        if not username:
            errors["username"] = _("请填写用户名。")
        else:
            try:
                User.username_validator(username)
            except ValidationError:
                errors["username"] = _("用户名只能包含字母、数字和 @ . + - _ 字符。")
            else:
                if User.objects.filter(username__iexact=username).exclude(pk=getattr(user, "pk", None)).exists():
                    errors["username"] = _("用户名“%(name)s”已被使用。") % {"name": username}
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("电子邮箱格式不正确。")
    if phone and not people_imports.PHONE.fullmatch(phone):
        errors["phone"] = _("电话只能包含数字、空格和“-”，如 13800000000 或 022-23456789。")
    if len(full_name) > 50:
        errors["full_name"] = _("姓名不能超过 50 个字。")
    if errors:
        raise ValidationError(errors)


def _all_errors(*checks) -> None:
    """Run every check and raise their field errors together, so a form shows them all at once."""
    errors: dict[str, list[str]] = {}
    for check in checks:
        try:
            check()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    org_unit: OrgUnit,
    password: str | None = "",
    full_name: str = "",
    email: str = "",
    phone: str = "",
    working_group: WorkingGroup | None = None,
    member_unit: MemberUnit | None = None,
    actor: AbstractBaseUser | None = None,
    action: str = Action.CREATED,
    reason: str = "",
    client: bool = False,
) -> AbstractBaseUser:
    """A new account with its role. Without a password (""), a one-time password is generated: it is on
    the returned user as `one_time_password` (shown once, never stored in clear) and must be changed at
    first login. `password=None` leaves the account without a usable password (seeds set it later).
    `client`: the service account of an API client (coordination.services.clients), role 接口客户端."""
    username = username.strip()
    assignment = Assignment(role, org_unit, working_group, member_unit)
    _all_errors(
        partial(_check_identity, username=username, email=email, phone=phone, full_name=full_name),
        partial(check_unit, **vars(assignment), client=client),
    )
    generated = one_time_password() if password == "" else None
    user = get_user_model().objects.create_user(username=username, password=generated or password, email=email)
    profile = _grant(user=user, assignment=assignment, full_name=full_name, phone=phone)
    if generated:
        UserProfile.objects.filter(pk=profile.pk).update(must_change_password=True)
        profile.must_change_password = True
    _record(actor=actor, user=user, action=action, before={}, after=account_state(user, profile), reason=reason)
    user.one_time_password = generated
    return user


@transaction.atomic
def user_update(
    *,
    actor: AbstractBaseUser | None,
    user: AbstractBaseUser,
    full_name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    reason: str = "",
    **unit,
) -> UserProfile:
    """Change a person's profile and, through user_assign_role, their role or unit (`unit`: the fields of an
    Assignment, `role` and `org_unit` required). None keeps a field."""
    assignment = Assignment(**unit)
    profile = _profile(user)
    before = account_state(user, profile)
    _all_errors(
        partial(
            _check_identity,
            username=None,
            email=email if email is not None else user.email,
            phone=phone if phone is not None else (profile.phone if profile else ""),
            full_name=full_name if full_name is not None else (profile.full_name if profile else ""),
        ),
        partial(check_unit, **vars(assignment), kept_member_unit=profile.member_unit if profile else None),
    )
    if email is not None and email != user.email:
        user.email = email
        user.save(update_fields=["email"])
    profile = user_assign_role(user=user, **vars(assignment), full_name=full_name, actor=actor, audit=False)
    if phone is not None and phone != profile.phone:
        profile.phone = phone
        profile.save(update_fields=["phone"])
    _record_change(actor=actor, user=user, before=before, profile=profile, reason=reason)
    return profile


@transaction.atomic
def user_deactivate(*, actor: AbstractBaseUser | None, user: AbstractBaseUser, reason: str = "") -> AbstractBaseUser:
    """Stop an account: it can no longer sign in, and its sessions and API tokens end at once."""
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("不能停用自己的账号。"))
    if not user.is_active:
        raise ValidationError(_("该账号已停用。"))
    before = account_state(user, _profile(user))
    user.is_active = False
    user.save(update_fields=["is_active"])
    _end_access(user)
    _record(actor=actor, user=user, action=Action.DEACTIVATED, before=before, after={**before, "is_active": False},
            reason=reason)  # fmt: skip
    return user


@transaction.atomic
def user_reactivate(*, actor: AbstractBaseUser | None, user: AbstractBaseUser, reason: str = "") -> AbstractBaseUser:
    if user.is_active:
        raise ValidationError(_("该账号已在使用中。"))
    before = account_state(user, _profile(user))
    user.is_active = True
    user.save(update_fields=["is_active"])
    _record(actor=actor, user=user, action=Action.REACTIVATED, before=before, after={**before, "is_active": True},
            reason=reason)  # fmt: skip
    return user


PROFILE_FIELDS = ("role", "org_unit", "working_group", "member_unit", "full_name", "phone", "email")


def assignment_of(user: AbstractBaseUser, changes: dict) -> Assignment | None:
    """The role and units that `changes` (an administrator's edit) give `user`, what it leaves out kept from the
    profile; None when it touches none of the profile's fields. A municipal role sits on the municipality, only
    an office member has a working group and only a liaison a member unit."""
    if not any(key in changes for key in PROFILE_FIELDS):
        return None
    profile = getattr(user, "profile", None)
    role = changes.get("role", profile.role if profile else None)
    if role is None:
        raise ValidationError({"role": [_("请指定角色。")]})
    org_unit = changes.get("org_unit", profile.org_unit if profile else None)
    if role in MUNICIPAL_ROLES:
        org_unit = people_selectors.municipality()
    working_group = changes.get("working_group", profile.working_group if profile else None)
    member_unit = changes.get("member_unit", profile.member_unit if profile else None)
    return Assignment(
        role=role,
        org_unit=org_unit,
        working_group=working_group if role == Role.OFFICE else None,
        member_unit=member_unit if role == Role.LIAISON else None,
    )


@transaction.atomic
def user_change(
    *,
    actor: AbstractBaseUser,
    user: AbstractBaseUser,
    assignment: Assignment | None,
    changes: dict,
    active: bool | None = None,
    reason: str = "",
) -> AbstractBaseUser:
    """An administrator's edit of a person in one step: the profile and role (`assignment`, from `assignment_of`,
    with the name, phone and e-mail of `changes`), then the account stopped (`active` False) or restored (True).
    Nothing is kept when any part is refused."""
    if assignment is not None:
        user_update(
            actor=actor,
            user=user,
            **vars(assignment),
            full_name=changes.get("full_name"),
            phone=changes.get("phone"),
            email=changes.get("email"),
            reason=reason,
        )
    if active is False and user.is_active:
        user_deactivate(actor=actor, user=user, reason=reason)
    elif active is True and not user.is_active:
        user_reactivate(actor=actor, user=user, reason=reason)
    return user


@transaction.atomic
def user_reset_password(*, actor: AbstractBaseUser | None, user: AbstractBaseUser, reason: str = "") -> str:
    """A new one-time password (returned, shown once); earlier sessions and tokens stop working."""
    password = one_time_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    UserProfile.objects.filter(user=user).update(must_change_password=True)
    _end_access(user)
    state = account_state(user, _profile(user))
    _record(actor=actor, user=user, action=Action.PASSWORD_RESET, before=state, after=state, reason=reason)
    return password


@transaction.atomic
def user_unlock(*, actor: AbstractBaseUser | None, user: AbstractBaseUser) -> AbstractBaseUser:
    """Lift the lockout that failed sign-ins put on the account (the security administrator's work), recorded in
    the security audit."""
    if not people_selectors.is_locked_out(user):
        raise ValidationError(_("该账号没有被锁定。"))
    axes_reset(username=user.username)
    security_audit.record(SecurityEventKind.UNLOCKED, user=actor, target=security_audit.account(user))
    return user


@transaction.atomic
def user_password_changed(*, user: AbstractBaseUser) -> None:
    """The user chose their own password: the one-time password's obligation ends, and the API tokens issued
    under the old password stop working (API.md: a password change revokes them)."""
    UserProfile.objects.filter(user=user, must_change_password=True).update(must_change_password=False)
    api_tokens_revoke_all(user=user)
    security_audit.record(SecurityEventKind.PASSWORD_CHANGED, user=user, target=security_audit.account(user))


@dataclass
class ImportedUser:
    row: int
    user: AbstractBaseUser
    one_time_password: str


def _by_name_or_code(objects) -> dict[str, object]:
    found: dict[str, object] = {}
    for obj in objects:
        for key in (obj.name, obj.code):
            found[str(key).strip().lower()] = obj
    return found


def _role_of(text: str) -> str | None:
    for role in PERSON_ROLES:
        if text.lower() in (role.value, str(role.label)):
            return role.value
    return None


def _import_row(row, *, actor, units, groups, member_units, city, seen: dict[str, int]) -> tuple[dict, list]:
    """One sheet row as user_create's arguments, and its problems (row, column, message)."""
    cells, number = row.cells, row.row
    problems = []

    def refuse(name: str, message: str) -> None:
        problems.append(people_imports.problem(number, people_imports.COLUMN_OF[name], message))

    def lookup(name: str, table: dict, what: str):
        text = cells.get(name, "")
        if not text:
            return None
        found = table.get(text.lower())
        if found is None:
            refuse(name, _("找不到%(what)s“%(text)s”。") % {"what": what, "text": text})
        return found

    args = {
        "username": cells.get("username", ""),
        "full_name": cells.get("full_name", ""),
        "phone": cells.get("phone", ""),
        "email": cells.get("email", ""),
    }
    if not args["full_name"]:
        refuse("full_name", _("请填写姓名。"))
    username = args["username"].lower()
    if username and username in seen:
        refuse(
            "username", _("用户名“%(name)s”与第 %(row)s 行重复。") % {"name": args["username"], "row": seen[username]}
        )
    elif username:
        seen[username] = number
    try:
        _check_identity(**args)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            refuse(name, messages[0])
    role = _role_of(cells.get("role", ""))
    if role is None:
        refuse("role", _("角色应为：%(roles)s。") % {"roles": "、".join(str(role.label) for role in PERSON_ROLES)}
               if cells.get("role") else _("请填写角色。"))  # fmt: skip
        return args, problems
    unit = lookup("org_unit", units, _("单位"))
    group = lookup("working_group", groups, _("工作组"))
    member_unit = lookup("member_unit", member_units, _("成员单位"))
    if unit is None and role in MUNICIPAL_ROLES and not cells.get("org_unit"):
        unit = city
    args.update(role=role, org_unit=unit, working_group=group, member_unit=member_unit)
    if problems:
        return args, problems
    try:
        check_unit(role=role, org_unit=unit, working_group=group, member_unit=member_unit)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            refuse(name if name in people_imports.COLUMN_OF else "role", messages[0])
    if actor is not None and not people_perms.may_assign(actor, role, getattr(group, "pk", None)):
        refuse("role", _("您无权创建该角色或其他工作组的用户。"))
    return args, problems


@transaction.atomic
def users_import(*, actor: AbstractBaseUser | None, data: bytes) -> list[ImportedUser]:
    """People from the template sheet, one row each: all are created, or none (ImportRejected lists every
    problem by row and column, in Chinese). Each gets a one-time password, returned once."""
    sheet = people_imports.read_users_sheet(data)
    problems = list(sheet.problems)
    units = _by_name_or_code(OrgUnit.objects.all())
    groups = _by_name_or_code(WorkingGroup.objects.all())
    member_units = _by_name_or_code(MemberUnit.objects.all())
    city = OrgUnit.objects.filter(level=OrgUnit.Level.MUNICIPAL).order_by("pk").first()
    seen: dict[str, int] = {}
    checked = []
    for row in sheet.rows:
        args, row_problems = _import_row(
            row, actor=actor, units=units, groups=groups, member_units=member_units, city=city, seen=seen
        )
        problems += row_problems
        checked.append((row.row, args))
    if problems:
        raise people_imports.ImportRejected(sorted(problems, key=lambda p: (p.row or 0, p.column)))
    created = []
    for number, args in checked:
        user = user_create(
            actor=actor, action=Action.IMPORTED, reason=_("批量导入第 %(row)s 行") % {"row": number}, **args
        )
        created.append(ImportedUser(row=number, user=user, one_time_password=user.one_time_password))
    return created


__all__ = [
    "ImportedUser",
    "account_state",
    "check_unit",
    "one_time_password",
    "user_assign_role",
    "user_create",
    "user_deactivate",
    "user_password_changed",
    "user_reactivate",
    "user_reset_password",
    "user_update",
    "users_import",
]
