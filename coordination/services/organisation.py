"""The organisation's master data edited in the product (R-1.4, R-1.5, R-1.7): member units added,
renamed and retired, and kinds of work routed to the office's working groups. Each change writes its
history row beside it. Org units are renamed through `org_unit_rename` (history in OrgUnitNameChange)."""

import re

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .. import security_audit
from ..models import (
    MemberUnit,
    MemberUnitEvent,
    Role,
    SecurityEventKind,
    SubmissionKind,
    SubmissionRoute,
    SubmissionRouteChange,
    WorkingGroup,
)
from .grants import submission_routes
from .people import grants_sync

# Fields of a member unit an administrator edits; `code` is set once, at creation.
MEMBER_UNIT_FIELDS = ("name", "short_name", "responsible_leader", "counterpart_division", "order")


def _clean_member_unit(values: dict, *, exclude_pk: int | None = None) -> dict:
    values = {name: value.strip() if isinstance(value, str) else value for name, value in values.items()}
    if "name" in values:
        if not values["name"]:
            raise ValidationError({"name": _("请填写成员单位名称。")})
        clash = MemberUnit.objects.filter(name=values["name"]).exclude(pk=exclude_pk)
        if clash.exists():
            raise ValidationError({"name": _("已有同名的成员单位。")})
    return values


def _next_code() -> str:
    """A code for a unit added without one: unit-NN, after the highest such code."""
    numbers = [
        int(match.group(1))
        for code in MemberUnit.objects.filter(code__startswith="unit-").values_list("code", flat=True)
        if (match := re.fullmatch(r"unit-(\d+)", code))
    ]
    return f"unit-{max(numbers, default=0) + 1:02d}"


@transaction.atomic
def member_unit_create(
    *,
    actor: AbstractBaseUser | None,
    name: str,
    short_name: str = "",
    responsible_leader: str = "",
    counterpart_division: str = "",
    code: str = "",
    order: int | None = None,
    active: bool = True,
) -> MemberUnit:
    """Add a member unit beyond the 2016 list (e.g. 市税务局), at the end of the list unless `order` says.
    Added as not `active` (the API's `active: false`), it is retired at once: both steps are in its history."""
    values = _clean_member_unit(
        {
            "name": name,
            "short_name": short_name,
            "responsible_leader": responsible_leader,
            "counterpart_division": counterpart_division,
        }
    )
    code = (code or "").strip() or _next_code()
    if MemberUnit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("编码已被其他成员单位使用。")})
    if order is None:
        order = (MemberUnit.objects.aggregate(last=Max("order"))["last"] or 0) + 1
    unit = MemberUnit.objects.create(code=code, order=order, **values)
    MemberUnitEvent.objects.create(
        member_unit=unit,
        action=MemberUnitEvent.Action.CREATED,
        changes={name: [None, getattr(unit, name)] for name in ("code", *MEMBER_UNIT_FIELDS)},
        actor=actor,
    )
    return unit if active else _set_active(actor, unit, False, "")


@transaction.atomic
def member_unit_update(
    *, actor: AbstractBaseUser | None, member_unit: MemberUnit, note: str = "", active: bool | None = None, **fields
) -> MemberUnit:
    """Change a member unit's name, short name, leader, division or order. A new name is recorded as a
    rename (the old name stays in the history); nothing is written when nothing changed. An `active` that
    differs from the unit's (the API's PATCH) then retires or restores it, in the same transaction."""
    unknown = set(fields) - set(MEMBER_UNIT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    unit = MemberUnit.objects.select_for_update().get(pk=member_unit.pk)
    values = _clean_member_unit(fields, exclude_pk=unit.pk)
    changes = {name: [getattr(unit, name), value] for name, value in values.items() if getattr(unit, name) != value}
    if changes:
        for name, (_old, new) in changes.items():
            setattr(unit, name, new)
        unit.save(update_fields=list(changes))
        action = MemberUnitEvent.Action.RENAMED if "name" in changes else MemberUnitEvent.Action.UPDATED
        MemberUnitEvent.objects.create(member_unit=unit, action=action, changes=changes, note=note[:200], actor=actor)
    if active is not None and active != unit.active:
        unit = _set_active(actor, unit, active, "")
    return unit


@transaction.atomic
def member_unit_retire(*, actor: AbstractBaseUser | None, member_unit: MemberUnit, note: str = "") -> MemberUnit:
    """Retire a member unit: no longer offered for new meetings, policies, action items and liaisons; its
    meetings, policies and liaisons stay as they were."""
    return _set_active(actor, member_unit, False, note)


@transaction.atomic
def member_unit_reactivate(*, actor: AbstractBaseUser | None, member_unit: MemberUnit, note: str = "") -> MemberUnit:
    return _set_active(actor, member_unit, True, note)


def _set_active(actor, member_unit: MemberUnit, active: bool, note: str) -> MemberUnit:
    unit = MemberUnit.objects.select_for_update().get(pk=member_unit.pk)
    if unit.active == active:
        raise ValidationError(_("该成员单位已经处于在用状态。") if active else _("该成员单位已经停用。"))
    unit.active = active
    unit.save(update_fields=["active"])
    MemberUnitEvent.objects.create(
        member_unit=unit,
        action=MemberUnitEvent.Action.REACTIVATED if active else MemberUnitEvent.Action.RETIRED,
        changes={"active": [not active, active]},
        note=note[:200],
        actor=actor,
    )
    return unit


# --- Routing of work to the working groups (R-1.5) --------------------------------------------------


@transaction.atomic
def submission_route_set(*, actor: AbstractBaseUser | None, kind: str, working_group: WorkingGroup) -> SubmissionRoute:
    """Route a kind of submission to a working group and move the office members' grants with it."""
    if kind not in SubmissionKind.values:
        raise ValidationError({"kind": _("未知的事项类别。")})
    route, _created = SubmissionRoute.objects.update_or_create(kind=kind, defaults={"working_group": working_group})
    office_sync_grants()
    return route


def office_sync_grants() -> int:
    """Re-grant every office member after the routes changed; returns how many were re-granted."""
    return grants_sync(roles=[Role.OFFICE])


@transaction.atomic
def submission_route_change(
    *, actor: AbstractBaseUser | None, kind: str, working_group: WorkingGroup, reason: str = ""
) -> SubmissionRouteChange | None:
    """Give a kind of work to another working group: the route, the office members' grants (through
    `submission_route_set`) and a history row. None when the kind already goes to that group."""
    if kind not in SubmissionKind.values:
        raise ValidationError({"kind": _("未知的事项类别。")})
    current_code = submission_routes().get(kind)
    if current_code == working_group.code:
        return None
    submission_route_set(actor=actor, kind=kind, working_group=working_group)
    label = SubmissionKind(kind).label
    security_audit.record(
        SecurityEventKind.CONFIG_CHANGED, user=actor, target=f"事项分工：{label} → {working_group.name}"
    )
    return SubmissionRouteChange.objects.create(
        kind=kind,
        from_group=WorkingGroup.objects.filter(code=current_code).first(),
        to_group=working_group,
        reason=reason.strip()[:200],
        actor=actor,
    )


@transaction.atomic
def submission_routes_update(
    *, actor: AbstractBaseUser | None, working_groups: dict[str, WorkingGroup], reason: str = ""
) -> list[SubmissionRouteChange]:
    """The 事项分工 page's save: each kind of work named in `working_groups` goes to its group, through
    `submission_route_change` (its history row, the office members' grants). All of them or none; returns
    the changes made, in the order of SubmissionKind (none when nothing moved)."""
    if set(working_groups) - set(SubmissionKind.values):
        raise ValidationError({"kind": _("未知的事项类别。")})
    changes = []
    for kind in SubmissionKind.values:
        if kind in working_groups:
            change = submission_route_change(actor=actor, kind=kind, working_group=working_groups[kind], reason=reason)
            if change is not None:
                changes.append(change)
    return changes
