"""All writes of the coordination app: org units, towns, their status, users and roles."""

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from . import permissions as perms
from .models import (
    Notification,
    OrgUnit,
    OrgUnitNameChange,
    Role,
    Town,
    TownStatus,
    TownStatusChange,
    UserProfile,
    WorkingGroup,
)

# What each role may do on the org unit it belongs to. The office's policy group (综合政策组)
# also accepts statistics; see user_assign_role.
ROLE_UNIT_PERMS: dict[str, tuple[str, ...]] = {
    Role.OFFICER: (perms.VIEW, perms.FILL),
    Role.REVIEWER: (perms.VIEW, perms.APPROVE),
    Role.OFFICE: (perms.VIEW,),
    Role.LEADER: (perms.VIEW,),
    Role.LIAISON: (),
    Role.ADMIN: (perms.VIEW,),
}
STATISTICS_GROUP_CODE = "policy"
ALL_UNIT_PERMS = (perms.VIEW, perms.FILL, perms.APPROVE, perms.ACCEPT)


@transaction.atomic
def user_assign_role(
    *,
    user: AbstractBaseUser,
    role: str,
    org_unit: OrgUnit,
    working_group: WorkingGroup | None = None,
    member_unit=None,
    full_name: str = "",
) -> UserProfile:
    """Give `user` one role on one org unit; replaces any earlier role and its grants."""
    if role == Role.OFFICE and working_group is None:
        raise ValidationError({"working_group": _("工作组成员必须属于一个工作组。")})
    if role in (Role.OFFICER, Role.REVIEWER) and org_unit.level == OrgUnit.Level.MUNICIPAL:
        raise ValidationError({"org_unit": _("信息员和主管领导必须属于区或小镇。")})
    profile = UserProfile.objects.filter(user=user).select_related("org_unit").first()
    if profile is not None:
        for perm in ALL_UNIT_PERMS:
            remove_perm(f"coordination.{perm}", user, profile.org_unit)
    user.groups.remove(*Group.objects.filter(name__in=Role.values))
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    granted = list(ROLE_UNIT_PERMS[role])
    if role == Role.OFFICE and working_group.code == STATISTICS_GROUP_CODE:
        granted.append(perms.ACCEPT)
    for perm in granted:
        assign_perm(f"coordination.{perm}", user, org_unit)
    profile, _created = UserProfile.objects.update_or_create(
        user=user,
        defaults={
            "org_unit": org_unit,
            "role": role,
            "working_group": working_group,
            "member_unit": member_unit,
            "full_name": full_name,
        },
    )
    return profile


@transaction.atomic
def user_create(
    *, username: str, password: str, role: str, org_unit: OrgUnit, full_name: str = "", email: str = "", **kwargs
) -> AbstractBaseUser:
    user = get_user_model().objects.create_user(username=username, password=password, email=email)
    user_assign_role(user=user, role=role, org_unit=org_unit, full_name=full_name, **kwargs)
    return user


@transaction.atomic
def town_create(
    *, district: OrgUnit, code: str, name: str, reporting_from: datetime.date, order: int = 0, **fields
) -> Town:
    if district.level != OrgUnit.Level.DISTRICT:
        raise ValidationError({"district": _("小镇必须属于一个区。")})
    unit = OrgUnit.objects.create(code=code, name=name, level=OrgUnit.Level.TOWN, parent=district, order=order)
    town = Town.objects.create(unit=unit, district=district, reporting_from=reporting_from.replace(day=1), **fields)
    TownStatusChange.objects.create(
        town=town, from_status="", to_status=town.status, decided_on=reporting_from, reason=_("纳入特色小镇名单")
    )
    return town


# Statuses a town may move to from each status. Sanctions come from assessments.
TOWN_TRANSITIONS: dict[str, set[str]] = {
    TownStatus.RESERVE: {TownStatus.CULTIVATING, TownStatus.EXITED},
    TownStatus.CULTIVATING: {TownStatus.CREATING, TownStatus.WARNED, TownStatus.EXITED, TownStatus.RESERVE},
    TownStatus.CREATING: {TownStatus.NAMED, TownStatus.WARNED, TownStatus.DOWNGRADED, TownStatus.EXITED},
    TownStatus.NAMED: {TownStatus.WARNED, TownStatus.DOWNGRADED, TownStatus.EXITED},
    TownStatus.WARNED: {
        TownStatus.CULTIVATING,
        TownStatus.CREATING,
        TownStatus.NAMED,
        TownStatus.DOWNGRADED,
        TownStatus.EXITED,
    },
    TownStatus.DOWNGRADED: {TownStatus.CULTIVATING, TownStatus.CREATING, TownStatus.WARNED, TownStatus.EXITED},
    TownStatus.EXITED: set(),
}


@transaction.atomic
def town_change_status(
    *, actor: AbstractBaseUser | None, town: Town, status: str, reason: str, decided_on: datetime.date
) -> TownStatusChange:
    """Move a town through its lifecycle with a dated, reasoned history row (R-1.2)."""
    town = Town.objects.select_for_update().get(pk=town.pk)
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("请填写状态变更的依据。")})
    if status not in TOWN_TRANSITIONS.get(town.status, set()):
        raise ValidationError(
            {
                "status": _("小镇状态不能从“%(old)s”变更为“%(new)s”。")
                % {"old": TownStatus(town.status).label, "new": TownStatus(status).label}
            }
        )
    change = TownStatusChange.objects.create(
        town=town, from_status=town.status, to_status=status, decided_on=decided_on, reason=reason.strip(), actor=actor
    )
    town.status = status
    town.exited_on = decided_on if status == TownStatus.EXITED else None
    town.save(update_fields=["status", "exited_on"])
    return change


@transaction.atomic
def org_unit_rename(
    *, actor: AbstractBaseUser | None, unit: OrgUnit, name: str, changed_on: datetime.date, reason: str = ""
):
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if not name.strip():
        raise ValidationError({"name": _("名称不能为空。")})
    OrgUnitNameChange.objects.create(
        unit=unit, old_name=unit.name, new_name=name.strip(), changed_on=changed_on, reason=reason, actor=actor
    )
    unit.name = name.strip()
    unit.save(update_fields=["name"])
    return unit


# --- Notifications: every app tells people through these ---------------------------------


@transaction.atomic
def notify(
    *,
    recipients: Iterable[AbstractBaseUser],
    kind: str,
    subject: str,
    occasion: str,
    body: str = "",
    link: str = "",
    about: models.Model | None = None,
) -> list[Notification]:
    """Store one notification per recipient for `occasion`; recipients already told are skipped.

    Returns the notifications created now (empty when every recipient had it already).
    """
    content_type = ContentType.objects.get_for_model(about) if about is not None else None
    wanted = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not wanted:
        return []
    already = set(
        Notification.objects.filter(recipient__in=list(wanted), occasion=occasion).values_list("recipient", flat=True)
    )
    rows = [
        Notification(
            recipient_id=user_id,
            kind=kind,
            subject=subject[:200],
            body=body,
            link=link,
            content_type=content_type,
            object_id=about.pk if about is not None else None,
            occasion=occasion[:200],
        )
        for user_id in wanted
        if user_id not in already
    ]
    # ignore_conflicts: two concurrent runs for the same occasion still leave one row each.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return list(Notification.objects.filter(recipient__in=[r.recipient_id for r in rows], occasion=occasion))


@transaction.atomic
def notification_mark_read(*, user: AbstractBaseUser, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None); returns how many."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
