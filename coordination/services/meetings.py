"""Meetings and activities (R-2.1, R-4.1): planned, recorded as held, their minutes approved and locked;
their decisions and attachments. Each change writes a MeetingEvent beside it."""

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from ..models import Decision, Meeting, MeetingAttachment, MeetingEvent, MeetingKind, MeetingState, OrgUnit, Role
from .common import notify_about

MEETING_TEXT_FIELDS = ("title", "place", "convener", "attendees", "agenda", "minutes")


def _meeting_event(meeting: Meeting, actor, action: str, note: str = "", changes=None) -> MeetingEvent:
    return MeetingEvent.objects.create(meeting=meeting, actor=actor, action=action, note=note, changes=changes or {})


def _host_error(kind: MeetingKind) -> str:
    """E.g. 市联席会议须由市级主办: the kind and its host levels (MeetingKind) by their labels."""
    levels = "或".join(str(OrgUnit.Level(level).label) for level in kind.host_levels)
    return _("%(kind)s须由%(levels)s主办。") % {"kind": kind.label, "levels": levels}


def _check_meeting(kind: str, org_unit: OrgUnit, title: str, held_on: datetime.date, held: bool) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = [_("未知的会议类别。")]
    elif not MeetingKind(kind).may_be_hosted_by(org_unit.level):
        errors["org_unit"] = [_host_error(MeetingKind(kind))]
    if not (title or "").strip():
        errors["title"] = [_("请填写会议名称。")]
    if held_on is None:
        errors["held_on"] = [_("请填写会议日期。")]
    elif held and held_on > dates.today():
        errors["held_on"] = [_("会议日期在今天之后，不能登记为已召开。")]
    if errors:
        raise ValidationError(errors)


def _meeting_invitees(meeting: Meeting) -> list:
    """Who receives the meeting notice: liaisons of the attending member units, handlers of the attending units."""
    User = get_user_model()
    liaisons = User.objects.filter(
        is_active=True,
        profile__role=Role.LIAISON,
        profile__member_unit__in=meeting.attendee_member_units.values("pk"),
    )
    unit_staff = User.objects.filter(
        is_active=True,
        profile__role__in=[Role.OFFICER, Role.REVIEWER],
        profile__org_unit__in=meeting.attendee_units.values("pk"),
    )
    return [*liaisons, *unit_staff]


@transaction.atomic
def meeting_create(
    *,
    actor: AbstractBaseUser | None,
    org_unit: OrgUnit,
    kind: str,
    title: str,
    held_on: datetime.date,
    held: bool = False,
    place: str = "",
    convener: str = "",
    attendees: str = "",
    agenda: str = "",
    minutes: str = "",
    attendee_units: Iterable[OrgUnit] = (),
    attendee_member_units: Iterable = (),
    decisions: Iterable[str] = (),
) -> Meeting:
    """Plan a meeting, or record one already held (`held=True`) with its minutes and decisions."""
    _check_meeting(kind, org_unit, title, held_on, held)
    decisions = [text.strip() for text in decisions if text and text.strip()]
    if decisions and not held:
        raise ValidationError({"decisions": [_("会议召开后才能登记决定事项。")]})
    meeting = Meeting.objects.create(
        kind=kind,
        org_unit=org_unit,
        title=title.strip(),
        held_on=held_on,
        place=place.strip(),
        convener=convener.strip(),
        attendees=attendees.strip(),
        agenda=agenda.strip(),
        minutes=minutes.strip(),
        state=MeetingState.HELD if held else MeetingState.PLANNED,
        created_by=actor,
    )
    meeting.attendee_units.set(list(attendee_units))
    meeting.attendee_member_units.set(list(attendee_member_units))
    _meeting_event(meeting, actor, MeetingEvent.Action.CREATE)
    for order, text in enumerate(decisions, start=1):
        Decision.objects.create(meeting=meeting, order=order, text=text)
    notify_about(
        meeting,
        "meeting-detail",
        recipients=_meeting_invitees(meeting),
        kind="meeting_notice",
        subject=_("会议通知：%(title)s（%(day)s）") % {"title": meeting.title, "day": meeting.held_on.isoformat()},
        body=meeting.place,
        occasion=f"meeting-notice:{meeting.pk}",
    )
    return meeting


def _locked_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=meeting.pk)


def _plain(value) -> object:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _replace_related(related, chosen: Iterable) -> list | None:
    """Make a many-to-many relation exactly `chosen`: [ids before, ids after] when that changed it."""
    before = set(related.values_list("pk", flat=True))
    related.set(list(chosen))
    after = set(related.values_list("pk", flat=True))
    return [sorted(before), sorted(after)] if before != after else None


@transaction.atomic
def meeting_update(
    *,
    actor: AbstractBaseUser | None,
    meeting: Meeting,
    attendee_units: Iterable[OrgUnit] | None = None,
    attendee_member_units: Iterable | None = None,
    decisions: list[dict] | None = None,
    **fields,
) -> Meeting:
    """Edit a meeting until its minutes are approved; the history records each changed field. With
    `decisions` ([{id?, text}], the API's PATCH) they become the meeting's decisions (meeting_set_decisions)
    in the same transaction: a refused decision leaves the meeting as it was."""
    meeting = _locked_meeting(meeting)
    if meeting.minutes_locked:
        raise ConflictError(_("会议纪要已审定，不能再修改。"))
    unknown = set(fields) - {*MEETING_TEXT_FIELDS, "held_on", "kind"}
    if unknown:
        raise ValueError(f"meeting_update: unknown fields {sorted(unknown)}")
    values = {name: getattr(meeting, name) for name in (*MEETING_TEXT_FIELDS, "held_on", "kind")}
    values.update({name: value.strip() if isinstance(value, str) else value for name, value in fields.items()})
    _check_meeting(values["kind"], meeting.org_unit, values["title"], values["held_on"], meeting.is_held)
    changes = {
        name: [_plain(getattr(meeting, name)), _plain(value)]
        for name, value in values.items()
        if getattr(meeting, name) != value
    }
    for name, value in values.items():
        setattr(meeting, name, value)
    meeting.save()
    for name, chosen in (("attendee_units", attendee_units), ("attendee_member_units", attendee_member_units)):
        if chosen is not None and (change := _replace_related(getattr(meeting, name), chosen)):
            changes[name] = change
    if changes:
        _meeting_event(meeting, actor, MeetingEvent.Action.UPDATE, changes=changes)
    if decisions is not None:
        meeting_set_decisions(actor=actor, meeting=meeting, decisions=decisions)
    return meeting


@transaction.atomic
def meeting_record_held(
    *, actor: AbstractBaseUser | None, meeting: Meeting, held_on: datetime.date | None = None
) -> Meeting:
    """planned → held: the meeting took place (on `held_on`, default its planned date)."""
    meeting = _locked_meeting(meeting)
    if meeting.state != MeetingState.PLANNED:
        raise ConflictError(_("会议已登记召开。"))
    held_on = held_on or meeting.held_on
    if held_on > dates.today():
        raise ValidationError({"held_on": [_("会议日期在今天之后，不能登记为已召开。")]})
    changes = {"held_on": [_plain(meeting.held_on), _plain(held_on)]} if held_on != meeting.held_on else {}
    meeting.held_on = held_on
    meeting.state = MeetingState.HELD
    meeting.save(update_fields=["held_on", "state", "updated_at"])
    _meeting_event(meeting, actor, MeetingEvent.Action.HOLD, changes=changes)
    return meeting


@transaction.atomic
def meeting_approve_minutes(*, actor: AbstractBaseUser | None, meeting: Meeting) -> Meeting:
    """held → minutes approved: the minutes and decisions are final and locked."""
    meeting = _locked_meeting(meeting)
    if meeting.state == MeetingState.PLANNED:
        raise ConflictError(_("会议尚未登记召开，不能审定纪要。"))
    if meeting.state == MeetingState.MINUTES_APPROVED:
        raise ConflictError(_("会议纪要已审定。"))
    if not meeting.minutes.strip():
        raise ValidationError({"minutes": [_("会议纪要为空，不能审定。")]})
    meeting.state = MeetingState.MINUTES_APPROVED
    meeting.minutes_approved_by = actor
    meeting.minutes_approved_at = timezone.now()
    meeting.save(update_fields=["state", "minutes_approved_by", "minutes_approved_at", "updated_at"])
    event = _meeting_event(meeting, actor, MeetingEvent.Action.APPROVE_MINUTES)
    notify_about(
        meeting,
        "meeting-detail",
        recipients=[meeting.created_by],
        kind="minutes_approved",
        subject=_("会议纪要已审定：%(title)s") % {"title": meeting.title},
        occasion=f"minutes-approved:{meeting.pk}:{event.pk}",
    )
    return meeting


@transaction.atomic
def meeting_delete(*, actor: AbstractBaseUser | None, meeting: Meeting) -> None:
    """Cancel a planned meeting; one that was held stays on record."""
    meeting = _locked_meeting(meeting)
    if meeting.state != MeetingState.PLANNED:
        raise ConflictError(_("已召开的会议不能删除。"))
    meeting.delete()


def _editable_decisions_of(meeting: Meeting) -> Meeting:
    meeting = _locked_meeting(meeting)
    if meeting.state == MeetingState.PLANNED:
        raise ConflictError(_("会议尚未登记召开，不能登记决定事项。"))
    if meeting.minutes_locked:
        raise ConflictError(_("会议纪要已审定，决定事项不能再修改。"))
    return meeting


def _decision_text(text: str) -> str:
    if not (text or "").strip():
        raise ValidationError({"text": [_("请填写决定事项内容。")]})
    return text.strip()


@transaction.atomic
def decision_add(*, actor: AbstractBaseUser | None, meeting: Meeting, text: str) -> Decision:
    meeting = _editable_decisions_of(meeting)
    text = _decision_text(text)
    last = meeting.decisions.aggregate(n=models.Max("order"))["n"] or 0
    decision = Decision.objects.create(meeting=meeting, order=last + 1, text=text)
    _meeting_event(
        meeting, actor, MeetingEvent.Action.DECISION, changes={"decisions": {str(decision.order): [None, text]}}
    )
    return decision


@transaction.atomic
def decision_update(*, actor: AbstractBaseUser | None, decision: Decision, text: str) -> Decision:
    meeting = _editable_decisions_of(decision.meeting)
    text = _decision_text(text)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.text != text:
        changes = {"decisions": {str(decision.order): [decision.text, text]}}
        decision.text = text
        decision.save(update_fields=["text"])
        _meeting_event(meeting, actor, MeetingEvent.Action.DECISION, changes=changes)
    return decision


@transaction.atomic
def decision_delete(*, actor: AbstractBaseUser | None, decision: Decision) -> None:
    meeting = _editable_decisions_of(decision.meeting)
    if decision.action_items.exists():
        raise ConflictError(_("该决定事项已交办为督办事项，不能删除。"))
    _meeting_event(
        meeting,
        actor,
        MeetingEvent.Action.DECISION,
        changes={"decisions": {str(decision.order): [decision.text, None]}},
    )
    decision.delete()


@transaction.atomic
def meeting_set_decisions(*, actor: AbstractBaseUser | None, meeting: Meeting, decisions: list[dict]) -> Meeting:
    """Make the meeting's decisions exactly `decisions` ([{id?, text}]): update, add, delete (the API's PATCH)."""
    meeting = _editable_decisions_of(meeting)
    existing = {d.pk: d for d in meeting.decisions.all()}
    keep = set()
    for entry in decisions:
        pk = entry.get("id")
        if pk is not None:
            if pk not in existing:
                raise ValidationError({"decisions": [_("决定事项 %(id)s 不属于该会议。") % {"id": pk}]})
            decision_update(actor=actor, decision=existing[pk], text=entry.get("text", ""))
            keep.add(pk)
        else:
            keep.add(decision_add(actor=actor, meeting=meeting, text=entry.get("text", "")).pk)
    for pk, decision in existing.items():
        if pk not in keep:
            decision_delete(actor=actor, decision=decision)
    return meeting


@transaction.atomic
def meeting_attach(*, actor: AbstractBaseUser | None, meeting: Meeting, file, name: str = "") -> MeetingAttachment:
    """Attach a file (sign-in sheet, photos, slides); allowed in every state, the history records it."""
    meeting = _locked_meeting(meeting)
    name = (name or getattr(file, "name", "") or "").strip()[:200]
    attachment = MeetingAttachment.objects.create(meeting=meeting, file=file, name=name, uploaded_by=actor)
    _meeting_event(meeting, actor, MeetingEvent.Action.ATTACH, note=name)
    return attachment
