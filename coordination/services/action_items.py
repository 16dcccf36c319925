"""Action items (督办事项, R-2.2): a meeting's decision assigned to one unit, its progress and completion
reported by that unit, verified or sent back by the office. Each step writes an ActionItemEvent and tells
the people who act next."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tianjin_towns.errors import ConflictError

from .. import permissions as perms
from ..action_item_selectors import action_item_has_evidence, evidence_required
from ..models import ActionItem, ActionItemEvent, ActionItemStatus, Decision, Meeting, MeetingState, OrgUnit, Role
from ..notifications import notify
from ..selectors import users_with_unit_perm
from .meetings import _locked_meeting

NO_EVIDENCE_MESSAGE = _lazy("报告办结须上传佐证材料；确无材料的，请说明理由。")


def _item_event(item: ActionItem, actor, action: str, from_status: str, note: str = "", evidence=None, **texts):
    """The item's step `action` with its note and file; `texts`: a done report's resolution and no_evidence_reason."""
    event = ActionItemEvent(
        item=item, actor=actor, action=action, from_status=from_status, to_status=item.status, note=note, **texts
    )
    if evidence is not None:
        event.evidence = evidence
        event.evidence_name = getattr(evidence, "name", "")[:200]
    event.save()
    return event


def action_item_handlers(item: ActionItem) -> list:
    """Who reports on the item: staff of its responsible unit (or the district above it), or the member unit's liaisons."""
    if item.responsible_member_unit_id is not None:
        return list(
            get_user_model().objects.filter(
                is_active=True, profile__role=Role.LIAISON, profile__member_unit_id=item.responsible_member_unit_id
            )
        )
    return list(users_with_unit_perm(item.responsible_unit, perms.HANDLE_ACTION_ITEMS))


def action_item_verifiers(item: ActionItem) -> list:
    return list(users_with_unit_perm(item.meeting.org_unit, perms.VERIFY_ACTION_ITEMS))


def _tell_about_item(
    item: ActionItem, event: ActionItemEvent, recipients, kind: str, subject: str, body: str | None = None
) -> None:
    """Notify `recipients` of the item's step `event` (its note, unless `body` says more); `subject` may name the
    item's %(title)s and %(due)s."""
    notify(
        recipients=recipients,
        kind=kind,
        subject=subject % {"title": item.title, "due": item.due_on.isoformat()},
        body=event.note if body is None else body,
        link=reverse("action-item-detail", args=[item.pk]),
        about=item,
        occasion=f"{kind}:{item.pk}:{event.pk}",
    )


def _district_id_of(unit: OrgUnit | None) -> int | None:
    """The district a district or a town belongs to; None for the municipality (or no unit)."""
    if unit is None:
        return None
    if unit.level == OrgUnit.Level.DISTRICT:
        return unit.pk
    if unit.level == OrgUnit.Level.TOWN:
        return unit.parent_id
    return None


def action_item_assignable(*, meeting: Meeting, actor: AbstractBaseUser | None) -> tuple[models.QuerySet, bool]:
    """Where `actor` may assign the decisions of `meeting`: (the districts and towns, whether member units too).

    A district or a town keeps its work within its own district, the district itself and its towns: that is
    so when the meeting's host is a district or a town, and when the actor belongs to one. Only the
    municipality (a municipal meeting, assigned by the office) assigns across districts and to the member
    units of the joint conference. The one rule behind the service's check and the forms' choices.
    """
    profile = getattr(actor, "profile", None) if actor is not None else None
    districts = {
        district
        for district in (_district_id_of(meeting.org_unit), _district_id_of(getattr(profile, "org_unit", None)))
        if district is not None
    }
    units = OrgUnit.objects.exclude(level=OrgUnit.Level.MUNICIPAL)
    if not districts:
        return units, True
    if len(districts) > 1:  # an actor of one district on another district's meeting: nothing is theirs to give
        return units.none(), False
    (district,) = districts
    return units.filter(models.Q(pk=district) | models.Q(parent_id=district)), False


@transaction.atomic
def action_item_create(
    *,
    actor: AbstractBaseUser | None,
    decision: Decision,
    owner: str,
    due_on: datetime.date,
    title: str = "",
    responsible_unit: OrgUnit | None = None,
    responsible_member_unit=None,
) -> ActionItem:
    """Turn a decision into an action item for one unit; that unit's people are told."""
    meeting = _locked_meeting(decision.meeting)
    if meeting.state == MeetingState.PLANNED:
        raise ConflictError(_("会议尚未登记召开，决定事项不能交办。"))
    errors: dict[str, list[str]] = {}
    if (responsible_unit is None) == (responsible_member_unit is None):
        errors["responsible_unit"] = [_("请选择一个责任单位（区、小镇或成员单位）。")]
    else:
        units, member_units_allowed = action_item_assignable(meeting=meeting, actor=actor)
        if responsible_unit is not None and responsible_unit.level == OrgUnit.Level.MUNICIPAL:
            errors["responsible_unit"] = [_("责任单位应为区、小镇或成员单位。")]
        elif responsible_unit is not None and not units.filter(pk=responsible_unit.pk).exists():
            errors["responsible_unit"] = [_("区、小镇的督办事项只能交办给本区或本区的小镇，跨区交办须由市级统筹。")]
        elif responsible_member_unit is not None and not member_units_allowed:
            errors["responsible_member_unit"] = [_("区、小镇的督办事项不能交办给市级成员单位，须由市级统筹交办。")]
    if not (owner or "").strip():
        errors["owner"] = [_("请填写责任人。")]
    if due_on is None:
        errors["due_on"] = [_("请填写办结时限。")]
    elif due_on < meeting.held_on:
        errors["due_on"] = [_("办结时限不能早于会议日期。")]
    if errors:
        raise ValidationError(errors)
    item = ActionItem.objects.create(
        decision=decision,
        meeting=meeting,
        title=(title or "").strip()[:300] or decision.text[:300],
        responsible_unit=responsible_unit,
        responsible_member_unit=responsible_member_unit,
        owner=owner.strip(),
        due_on=due_on,
        created_by=actor,
    )
    event = _item_event(item, actor, ActionItemEvent.Action.CREATE, "")
    _tell_about_item(
        item,
        event,
        action_item_handlers(item),
        "action_item_assigned",
        _("新的督办事项：%(title)s（%(due)s 前办结）"),
    )
    return item


def _locked_item(item: ActionItem) -> ActionItem:
    return (
        ActionItem.objects.select_for_update(of=("self",))
        .select_related("meeting__org_unit", "responsible_unit", "responsible_member_unit")
        .get(pk=item.pk)
    )


@transaction.atomic
def action_item_report_progress(
    *,
    actor: AbstractBaseUser | None,
    item: ActionItem,
    note: str = "",
    done: bool = False,
    resolution: str = "",
    evidence=None,
    no_evidence_reason: str = "",
) -> ActionItem:
    """The responsible unit reports progress (→ in progress) or completion with its resolution (→ done).

    Completion keeps both texts: the progress note on the event, the result as the item's resolution (and on
    the event, which keeps it after a rejection). It needs evidence (EVIDENCE_REQUIRED): a file with this
    report or with an earlier one since the office last sent the item back; a unit that has none (a result
    reached by telephone) says why in `no_evidence_reason`, kept on the event for the office, which then
    verifies with a waiver or sends the item back. The reason is kept only for a report without evidence."""
    item = _locked_item(item)
    if not item.is_open:
        raise ConflictError(_("督办事项当前状态为“%(status)s”，不能报告进展。") % {"status": item.get_status_display()})
    note, resolution = (note or "").strip(), (resolution or "").strip()
    unbacked = done and not evidence and not action_item_has_evidence(item)
    no_evidence_reason = (no_evidence_reason or "").strip() if unbacked else ""
    errors: dict[str, list[str]] = {}
    if done and not resolution:
        errors["resolution"] = [_("报告办结须填写办理结果。")]
    if unbacked and not no_evidence_reason and evidence_required():
        errors["evidence"] = [NO_EVIDENCE_MESSAGE]
    if not done and not note:
        errors["note"] = [_("请填写进展情况。")]
    if errors:
        raise ValidationError(errors)
    from_status = item.status
    if done:
        item.status = ActionItemStatus.DONE
        item.resolution = resolution
        item.done_at = timezone.now()
    else:
        item.status = ActionItemStatus.IN_PROGRESS
    item.save(update_fields=["status", "resolution", "done_at"])
    action = ActionItemEvent.Action.DONE if done else ActionItemEvent.Action.PROGRESS
    texts = {"resolution": resolution, "no_evidence_reason": no_evidence_reason} if done else {}
    event = _item_event(item, actor, action, from_status, note=note, evidence=evidence, **texts)
    if done:
        unexplained = _("未附佐证材料，说明：%(reason)s") % {"reason": no_evidence_reason} if no_evidence_reason else ""
        _tell_about_item(
            item,
            event,
            action_item_verifiers(item),
            "action_item_done",
            _("督办事项已报办结，待核验：%(title)s"),
            body="\n".join(text for text in (resolution, note, unexplained) if text),
        )
    return item


@transaction.atomic
def action_item_verify(
    *, actor: AbstractBaseUser | None, item: ActionItem, note: str = "", evidence_waiver: str = ""
) -> ActionItem:
    """done → verified: the office confirms the resolution. An item reported done without evidence (with the
    unit's reason why, or before evidence was required) is verified only with the office's written waiver,
    recorded as its own event; otherwise the office sends it back (action_item_reject)."""
    item = _locked_item(item)
    if item.status != ActionItemStatus.DONE:
        raise ConflictError(_("督办事项当前状态为“%(status)s”，不能核验。") % {"status": item.get_status_display()})
    waiver = (evidence_waiver or "").strip()
    needs_waiver = evidence_required() and not action_item_has_evidence(item)
    if needs_waiver and not waiver:
        raise ValidationError({"evidence_waiver": [_("该事项没有佐证材料，核验通过须填写免交佐证材料的理由。")]})
    if needs_waiver:
        _item_event(item, actor, ActionItemEvent.Action.WAIVE_EVIDENCE, ActionItemStatus.DONE, note=waiver)
    item.status = ActionItemStatus.VERIFIED
    item.verified_at = timezone.now()
    item.verified_by = actor
    item.save(update_fields=["status", "verified_at", "verified_by"])
    event = _item_event(item, actor, ActionItemEvent.Action.VERIFY, ActionItemStatus.DONE, note=(note or "").strip())
    _tell_about_item(
        item,
        event,
        action_item_handlers(item),
        "action_item_verified",
        _("督办事项已核验办结：%(title)s"),
    )
    return item


@transaction.atomic
def action_item_reject(*, actor: AbstractBaseUser | None, item: ActionItem, reason: str) -> ActionItem:
    """done → in progress: the office does not accept the resolution and says why."""
    item = _locked_item(item)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请填写退回原因。")]})
    if item.status != ActionItemStatus.DONE:
        raise ConflictError(_("督办事项当前状态为“%(status)s”，不能退回。") % {"status": item.get_status_display()})
    item.status = ActionItemStatus.IN_PROGRESS
    item.done_at = None
    item.save(update_fields=["status", "done_at"])
    event = _item_event(item, actor, ActionItemEvent.Action.REJECT, ActionItemStatus.DONE, note=reason.strip())
    _tell_about_item(
        item,
        event,
        action_item_handlers(item),
        "action_item_rejected",
        _("督办事项核验未通过，请继续办理：%(title)s"),
    )
    return item
