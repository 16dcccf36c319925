"""Towns (R-1.1) and their lifecycle (R-1.2): creation, edits, renames with history, lifecycle steps
each with the decision behind it, and annual list decisions that move many towns in one act (R-1.7)."""

import contextlib
import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from ..models import OrgUnit, OrgUnitNameChange, Town, TownEdit, TownListDecision, TownStatus, TownStatusChange

# Statuses a town may move to from each status: forward 储备 → 培育 → 创建 → 命名, back by sanction
# (警告/降级/退出, proposed by assessments, R-5.4, or decided directly). A warned or downgraded town goes
# back on track (培育/创建) or further down; an exited town is final.
TOWN_TRANSITIONS: dict[str, set[str]] = {
    TownStatus.RESERVE: {TownStatus.CULTIVATING, TownStatus.EXITED},
    TownStatus.CULTIVATING: {
        TownStatus.CREATING,
        TownStatus.WARNED,
        TownStatus.DOWNGRADED,
        TownStatus.EXITED,
        TownStatus.RESERVE,
    },
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
# The statuses a town may be listed with when it is created (a sanction needs a town to sanction).
INITIAL_STATUSES = (TownStatus.RESERVE, TownStatus.CULTIVATING, TownStatus.CREATING, TownStatus.NAMED)
# 降级: the level a town falls to (SPEC's "创建 → 培育": 市级特色小镇 → 市级培育特色小镇). The lowest
# level has none, so a district-level town cannot be downgraded, only warned or exited.
LEVEL_AFTER_DOWNGRADE: dict[str, str] = {
    Town.Level.MUNICIPAL_STRONG: Town.Level.MUNICIPAL,
    Town.Level.MUNICIPAL: Town.Level.MUNICIPAL_CULTIVATED,
    Town.Level.MUNICIPAL_CULTIVATED: Town.Level.DISTRICT,
}
# A town's attributes that town_update edits; its name goes through org_unit_rename.
TOWN_FIELDS = (
    "host_township",
    "lead_industry",
    "planning_area_km2",
    "construction_land_mu",
    "level",
    "national_list",
    "batch",
    "named_on",
    "creation_subject",
    "chief_leader",
    "leader_in_charge",
)


class TownTransitionRefused(ValidationError, ConflictError):
    """A lifecycle step the town's current status or level does not allow: a form error on `status`
    for the pages, 409 for the API (tianjin_towns.api_errors maps ConflictError first)."""

    def __init__(self, message: str):
        # Set what both parents read (ValidationError's error_dict, ConflictError's message) without
        # running their __init__s, which do not cooperate.
        Exception.__init__(self, message)
        self.error_dict = {"status": ValidationError([message]).error_list}
        self.message = message


def town_next_statuses(town: Town) -> list[str]:
    """The statuses the town may move to now, in the lifecycle's order."""
    allowed = TOWN_TRANSITIONS.get(town.status, set())
    if town.level not in LEVEL_AFTER_DOWNGRADE:
        allowed = allowed - {TownStatus.DOWNGRADED}
    return [status for status in TownStatus.values if status in allowed]


def town_transition_refusal(town: Town, status: str) -> str | None:
    """Why the town cannot move to `status` now (a sentence in Chinese), or None when it can."""
    if status not in TownStatus.values:
        return _("未知的小镇状态。")
    if status not in TOWN_TRANSITIONS.get(town.status, set()):
        return _("小镇状态不能从“%(old)s”变更为“%(new)s”。") % {
            "old": TownStatus(town.status).label,
            "new": TownStatus(status).label,
        }
    if status == TownStatus.DOWNGRADED and town.level not in LEVEL_AFTER_DOWNGRADE:
        return _("“%(level)s”已是最低级别，不能降级，可警告或退出。") % {"level": Town.Level(town.level).label}
    return None


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@transaction.atomic
def town_create(
    *,
    district: OrgUnit,
    code: str,
    name: str,
    reporting_from: datetime.date,
    order: int = 0,
    actor: AbstractBaseUser | None = None,
    decided_on: datetime.date | None = None,
    document_no: str = "",
    reason: str = "",
    decision: TownListDecision | None = None,
    **fields,
) -> Town:
    """A new town with its org unit under `district`, and the first row of its status history.

    Reporting duties start with the month of `reporting_from` whatever the initial status (R-1.2).
    """
    if district.level != OrgUnit.Level.DISTRICT:
        raise ValidationError({"district": _("小镇必须属于一个区。")})
    code, name = (code or "").strip(), (name or "").strip()
    errors = {}
    if not code:
        errors["code"] = _("请填写编码。")
    elif OrgUnit.objects.filter(code=code).exists():
        errors["code"] = _("编码“%(code)s”已被使用。") % {"code": code}
    if not name:
        errors["name"] = _("请填写小镇名称。")
    elif Town.objects.filter(district=district, unit__name=name).exists():
        errors["name"] = _("%(district)s已有名为“%(name)s”的小镇。") % {"district": district.name, "name": name}
    status = fields.get("status", TownStatus.RESERVE)
    if status == TownStatus.EXITED:
        errors["status"] = _("新建小镇不能是“退出”状态。")
    if errors:
        raise ValidationError(errors)
    unit = OrgUnit(code=code, name=name, level=OrgUnit.Level.TOWN, parent=district, order=order)
    unit.full_clean(validate_unique=False)
    unit.save()
    town = Town(unit=unit, district=district, reporting_from=reporting_from.replace(day=1), **fields)
    town.full_clean(exclude=["unit", "district"], validate_unique=False)
    town.save(force_insert=True)
    TownStatusChange.objects.create(
        town=town,
        from_status="",
        to_status=town.status,
        decided_on=decided_on or reporting_from,
        reason=(reason or "").strip() or _("纳入特色小镇名单"),
        document_no=(document_no or "").strip(),
        batch=town.batch,
        decision=decision,
        actor=actor,
    )
    return town


@transaction.atomic
def town_update(
    *,
    actor: AbstractBaseUser | None,
    town: Town,
    name: str | None = None,
    reason: str = "",
    changed_on: datetime.date | None = None,
    **fields,
) -> Town:
    """Edit a town's R-1.1 attributes; a rename goes through org_unit_rename so the old name is kept.

    Each edit is recorded (TownEdit: who, when, each field's old and new value, why).
    """
    unknown = set(fields) - set(TOWN_FIELDS)
    if unknown:
        raise TypeError(f"town_update cannot change {sorted(unknown)}")
    town = Town.objects.select_for_update().select_related("unit").get(pk=town.pk)
    reason = (reason or "").strip()
    renamed = name is not None and name.strip() != town.unit.name
    if renamed and not reason:
        raise ValidationError({"reason": _("更名请填写原因。")})
    changes = []
    for field, value in fields.items():
        old = getattr(town, field)
        if old != value:
            changes.append({"field": field, "old": _plain(old), "new": _plain(value)})
            setattr(town, field, value)
    if changes:
        town.full_clean(exclude=["unit", "district"], validate_unique=False)
        town.save(update_fields=[change["field"] for change in changes])
        TownEdit.objects.create(town=town, changes=changes, reason=reason[:500], actor=actor)
    if renamed:
        town.unit = org_unit_rename(
            actor=actor, unit=town.unit, name=name, changed_on=changed_on or dates.today(), reason=reason
        )
    return town


@transaction.atomic
def town_change_status(
    *,
    actor: AbstractBaseUser | None,
    town: Town,
    status: str,
    reason: str,
    decided_on: datetime.date,
    document_no: str = "",
    batch: int | None = None,
    decision: TownListDecision | None = None,
) -> TownStatusChange:
    """Move a town through its lifecycle with a dated history row and the decision behind it (R-1.2).

    降级 also lowers the town's level (LEVEL_AFTER_DOWNGRADE); 命名 dates the naming; 退出 ends its
    reporting duties after the month of the decision. Attribute changes are recorded as a TownEdit.
    """
    town = Town.objects.select_for_update().get(pk=town.pk)
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("请填写状态变更的依据。")})
    refusal = town_transition_refusal(town, status)
    if refusal:
        raise TownTransitionRefused(refusal)
    if decided_on > dates.today():
        raise ValidationError({"decided_on": _("决定日期不能晚于今天。")})
    last = town.status_changes.order_by("-decided_on", "-at").values_list("decided_on", flat=True).first()
    if last is not None and decided_on < last:
        raise ValidationError(
            {"decided_on": _("决定日期不能早于上一次状态变更（%(date)s）。") % {"date": dates.chinese_date(last)}}
        )
    change = TownStatusChange.objects.create(
        town=town,
        from_status=town.status,
        to_status=status,
        decided_on=decided_on,
        reason=reason.strip(),
        document_no=(document_no or "").strip(),
        batch=batch,
        decision=decision,
        actor=actor,
    )
    attributes = {}
    if status == TownStatus.DOWNGRADED:
        attributes["level"] = LEVEL_AFTER_DOWNGRADE[town.level]
    if status == TownStatus.NAMED and town.named_on is None:
        attributes["named_on"] = decided_on
    if batch:
        attributes["batch"] = batch
    edits = [
        {"field": field, "old": _plain(getattr(town, field)), "new": _plain(value)}
        for field, value in attributes.items()
        if getattr(town, field) != value
    ]
    for field, value in attributes.items():
        setattr(town, field, value)
    town.status = status
    town.exited_on = decided_on if status == TownStatus.EXITED else None
    town.save(update_fields=["status", "exited_on", *attributes])
    if edits:
        TownEdit.objects.create(
            town=town,
            changes=edits,
            reason=_("状态变更：%(old)s → %(new)s")
            % {"old": TownStatus(change.from_status).label, "new": TownStatus(status).label},
            actor=actor,
        )
    return change


def _list_kind(statuses: set[str]) -> str:
    if statuses == {TownStatus.CREATING}:
        return TownListDecision.Kind.CREATION
    if statuses == {TownStatus.CULTIVATING}:
        return TownListDecision.Kind.CULTIVATION
    return TownListDecision.Kind.ADJUSTMENT


@transaction.atomic
def town_list_decide(
    *,
    actor: AbstractBaseUser | None,
    title: str,
    document_no: str,
    decided_on: datetime.date,
    entries: list[tuple[Town, str]] = (),
    new_towns: list[dict] = (),
    kind: str = "",
    year: int | None = None,
    batch: int | None = None,
    reason: str = "",
) -> TownListDecision:
    """An annual list decision (创建/培育名单): many towns' lifecycle steps, and towns newly listed, in
    one act. All or nothing: one step the lifecycle does not allow saves nothing, and the error names
    every town concerned. `new_towns` are town_create's keyword arguments (with their `status`)."""
    title, document_no = (title or "").strip(), (document_no or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors.setdefault("title", []).append(_("请填写决定名称。"))
    if not document_no:
        errors.setdefault("document_no", []).append(_("请填写文号。"))
    if not entries and not new_towns:
        errors.setdefault("entries", []).append(_("请至少选择一个小镇。"))
    if kind and kind not in TownListDecision.Kind.values:
        errors.setdefault("kind", []).append(_("未知的名单类别。"))
    if decided_on > dates.today():  # said once, on the date, rather than for each town by its step
        errors.setdefault("decided_on", []).append(_("决定日期不能晚于今天。"))
    towns = [Town.objects.select_for_update().select_related("unit").get(pk=town.pk) for town, _status in entries]
    seen: set[int] = set()
    for town, (_given, status) in zip(towns, entries, strict=True):
        if town.pk in seen:
            problem = _("重复列入。")
        else:
            problem = town_transition_refusal(town, status)
        seen.add(town.pk)
        if problem:
            errors.setdefault("entries", []).append(_town_problem(town.name, problem))
    if errors:
        raise ValidationError(errors)
    statuses = {status for _town, status in entries} | {t.get("status", TownStatus.RESERVE) for t in new_towns}
    decision = TownListDecision.objects.create(
        title=title,
        document_no=document_no,
        decided_on=decided_on,
        year=year or decided_on.year,
        kind=kind or _list_kind(statuses),
        actor=actor,
    )
    basis = (reason or "").strip() or title
    for town, (_given, status) in zip(towns, entries, strict=True):
        with _naming_the_town(town.name):
            town_change_status(
                actor=actor,
                town=town,
                status=status,
                reason=basis,
                decided_on=decided_on,
                document_no=document_no,
                batch=batch,
                decision=decision,
            )
    for spec in new_towns:
        spec = {"batch": batch, **spec} if batch else spec
        with _naming_the_town(spec.get("name", "")):
            town_create(actor=actor, decided_on=decided_on, document_no=document_no, reason=basis, decision=decision,
                        **spec)  # fmt: skip
    return decision


def _town_problem(name: str, message: str) -> str:
    """A list decision's error about one town, as the page finds it again (TownListDecisionForm.rows)."""
    return f"{name}：{message}"


@contextlib.contextmanager
def _naming_the_town(name: str) -> Iterator[None]:
    """A town's step or creation inside a list decision: its errors become the decision's, naming the town."""
    try:
        yield
    except ValidationError as error:
        raise ValidationError({"entries": [_town_problem(name, m) for m in error.messages]}) from error


@transaction.atomic
def org_unit_rename(
    *, actor: AbstractBaseUser | None, unit: OrgUnit, name: str, changed_on: datetime.date, reason: str = ""
) -> OrgUnit:
    """Rename an org unit and keep its old name in the history (R-1.1)."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("名称不能为空。")})
    if len(name) > OrgUnit._meta.get_field("name").max_length:
        raise ValidationError({"name": _("名称不能超过100个字。")})
    if name == unit.name:
        raise ValidationError({"name": _("新名称与原名称相同。")})
    OrgUnitNameChange.objects.create(
        unit=unit, old_name=unit.name, new_name=name, changed_on=changed_on, reason=(reason or "").strip(), actor=actor
    )
    unit.name = name
    unit.save(update_fields=["name"])
    return unit
