"""All writes of the coordination app: org units, towns, their status, users and roles."""

import datetime
import uuid
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from .. import permissions as perms
from ..models import (
    ActionItem,
    ActionItemEvent,
    ActionItemStatus,
    Decision,
    ExportJob,
    Meeting,
    MeetingAttachment,
    MeetingEvent,
    MeetingKind,
    MeetingState,
    Notification,
    OrgUnit,
    Plan,
    PlanAttachment,
    PlanKind,
    PlanStatus,
    PlanSubItem,
    PlanVersion,
    Role,
    SubmissionKind,
    SubmissionRoute,
    SupportPolicy,
    UnitPerm,
    WorkingGroup,
)
from ..models.meetings import DISTRICT_KINDS
from ..selectors import users_with_unit_perm
from .organisation import (  # noqa: F401 (re-exported: org.member_unit_create …)
    member_unit_create,
    member_unit_reactivate,
    member_unit_retire,
    member_unit_update,
    submission_route_change,
)
from .people import (  # noqa: F401 (re-exported: org.user_create …)
    grants_sync,
    user_assign_role,
    user_create,
    user_deactivate,
    user_password_changed,
    user_reactivate,
    user_reset_password,
    user_update,
    users_import,
)
from .towns import (  # noqa: F401 (re-exported: org.town_create … as before the move)
    INITIAL_STATUSES,
    LEVEL_AFTER_DOWNGRADE,
    TOWN_FIELDS,
    TOWN_TRANSITIONS,
    TownTransitionRefused,
    org_unit_rename,
    town_change_status,
    town_create,
    town_list_decide,
    town_next_statuses,
    town_transition_refusal,
    town_update,
)

# What each role may do on the org unit it belongs to. Office members also get the permissions of
# the kinds of work routed to their working group; see user_assign_role and ROUTE_PERMS.
ROLE_UNIT_PERMS: dict[str, tuple[str, ...]] = {
    Role.OFFICER: (
        perms.VIEW,
        perms.FILL,
        perms.MANAGE_MEETINGS,
        perms.HANDLE_ACTION_ITEMS,
        perms.SUBMIT_PLANS,
        perms.MANAGE_PROJECTS,
    ),
    Role.REVIEWER: (perms.VIEW, perms.APPROVE, perms.APPROVE_MINUTES, perms.HANDLE_ACTION_ITEMS, perms.MANAGE_PROJECTS),
    # An office member manages the people of its own working group (the services narrow it to that group).
    Role.OFFICE: (perms.VIEW, perms.MANAGE_USERS),
    Role.LEADER: (perms.VIEW,),
    Role.LIAISON: (),
    # Towns and their lifecycle decisions are the work routed to a group (SubmissionKind.TOWNS, by default the
    # 创建考核组); the superuser, who installs the platform, may record them too.
    Role.ADMIN: (perms.VIEW, perms.MANAGE_USERS, perms.MANAGE_ORGANISATION, perms.MANAGE_CATALOGUE),
}
# What the working group that owns a kind of submission may do, on the municipality and so everywhere.
ROUTE_PERMS: dict[str, tuple[str, ...]] = {
    SubmissionKind.STATISTICS: (perms.ACCEPT,),
    SubmissionKind.PLANS: (perms.REVIEW_PLANS,),
    SubmissionKind.MEETINGS: (perms.MANAGE_MEETINGS, perms.APPROVE_MINUTES, perms.VERIFY_ACTION_ITEMS),
    SubmissionKind.INSPECTIONS: (perms.MANAGE_INSPECTIONS,),
    SubmissionKind.ASSESSMENTS: (perms.MANAGE_ASSESSMENTS,),
    SubmissionKind.POLICIES: (perms.MANAGE_POLICIES,),
    SubmissionKind.TOWNS: (perms.MANAGE_TOWNS,),
}
# The notice's division of work, used until an administrator routes a kind elsewhere.
DEFAULT_ROUTES: dict[str, str] = {
    SubmissionKind.STATISTICS: "policy",
    SubmissionKind.PLANS: "planning",
    SubmissionKind.MEETINGS: "coord",
    SubmissionKind.INSPECTIONS: "coord",
    SubmissionKind.ASSESSMENTS: "assess",
    SubmissionKind.POLICIES: "policy",
    SubmissionKind.TOWNS: "assess",
}
ALL_UNIT_PERMS = tuple(UnitPerm.values)


def submission_routes() -> dict[str, str]:
    """Kind of submission → code of the working group that owns it (administrator's routes over the defaults)."""
    routes = dict(DEFAULT_ROUTES)
    routes.update(SubmissionRoute.objects.values_list("kind", "working_group__code"))
    return routes


def working_group_perms(working_group: WorkingGroup) -> list[str]:
    routes = submission_routes()
    granted: list[str] = []
    for kind, group_code in routes.items():
        if group_code == working_group.code:
            granted += [perm for perm in ROUTE_PERMS.get(kind, ()) if perm not in granted]
    return granted


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

    Returns the notifications created now (empty when every recipient had it already). Their e-mails
    are queued after the commit; when the broker is down they wait for the sweep (coordination.tasks).
    """
    occasion = occasion[:200]
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
            occasion=occasion,
        )
        for user_id in wanted
        if user_id not in already
    ]
    # ignore_conflicts: two concurrent runs for the same occasion still leave one row each.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(Notification.objects.filter(recipient__in=[r.recipient_id for r in rows], occasion=occasion))
    to_email = [n.pk for n in created if wanted[n.recipient_id].email and n.emailed_at is None]
    if to_email:
        transaction.on_commit(partial(_queue_emails, to_email), robust=True)
    return created


def _queue_emails(notification_ids: list[int]) -> None:
    from ..tasks import queue_notification_emails  # tasks import this module

    queue_notification_emails(notification_ids)


@transaction.atomic
def notification_mark_read(*, user: AbstractBaseUser, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None); returns how many."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# ==================================================================================================
# Issue 4: routing, meetings, action items, plans and support policies
# ==================================================================================================

# --- Routing of submissions to working groups (R-1.5) ---------------------------------------------


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


# --- Meetings and activities (R-2.1, R-4.1) -------------------------------------------------------

MEETING_TEXT_FIELDS = ("title", "place", "convener", "attendees", "agenda", "minutes")


def _meeting_event(meeting: Meeting, actor, action: str, note: str = "", changes=None) -> MeetingEvent:
    return MeetingEvent.objects.create(meeting=meeting, actor=actor, action=action, note=note, changes=changes or {})


def _check_meeting(kind: str, org_unit: OrgUnit, title: str, held_on: datetime.date, held: bool) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = [_("未知的会议类别。")]
    elif kind in DISTRICT_KINDS and org_unit.level != OrgUnit.Level.DISTRICT:
        errors["org_unit"] = [_("区例会和区现场推动会须由区主办。")]
    elif kind == MeetingKind.JOINT_CONFERENCE and org_unit.level != OrgUnit.Level.MUNICIPAL:
        errors["org_unit"] = [_("市联席会议须由市级主办。")]
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
    notify(
        recipients=_meeting_invitees(meeting),
        kind="meeting_notice",
        subject=_("会议通知：%(title)s（%(day)s）") % {"title": meeting.title, "day": meeting.held_on.isoformat()},
        body=meeting.place,
        link=reverse("meeting-detail", args=[meeting.pk]),
        about=meeting,
        occasion=f"meeting-notice:{meeting.pk}",
    )
    return meeting


def _locked_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=meeting.pk)


def _plain(value) -> object:
    return value.isoformat() if isinstance(value, datetime.date) else value


@transaction.atomic
def meeting_update(
    *,
    actor: AbstractBaseUser | None,
    meeting: Meeting,
    attendee_units: Iterable[OrgUnit] | None = None,
    attendee_member_units: Iterable | None = None,
    **fields,
) -> Meeting:
    """Edit a meeting until its minutes are approved; the history records each changed field."""
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
    if attendee_units is not None:
        before = set(meeting.attendee_units.values_list("pk", flat=True))
        meeting.attendee_units.set(list(attendee_units))
        after = set(meeting.attendee_units.values_list("pk", flat=True))
        if before != after:
            changes["attendee_units"] = [sorted(before), sorted(after)]
    if attendee_member_units is not None:
        before = set(meeting.attendee_member_units.values_list("pk", flat=True))
        meeting.attendee_member_units.set(list(attendee_member_units))
        after = set(meeting.attendee_member_units.values_list("pk", flat=True))
        if before != after:
            changes["attendee_member_units"] = [sorted(before), sorted(after)]
    if changes:
        _meeting_event(meeting, actor, MeetingEvent.Action.UPDATE, changes=changes)
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
    notify(
        recipients=[meeting.created_by],
        kind="minutes_approved",
        subject=_("会议纪要已审定：%(title)s") % {"title": meeting.title},
        link=reverse("meeting-detail", args=[meeting.pk]),
        about=meeting,
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


# --- Action items (督办事项, R-2.2) -----------------------------------------------------------------


def _item_event(item: ActionItem, actor, action: str, from_status: str, note: str = "", evidence=None):
    event = ActionItemEvent(
        item=item, actor=actor, action=action, from_status=from_status, to_status=item.status, note=note
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


def _tell_about_item(item: ActionItem, event: ActionItemEvent, recipients, kind: str, subject: str) -> None:
    notify(
        recipients=recipients,
        kind=kind,
        subject=subject,
        body=event.note,
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
        _("新的督办事项：%(title)s（%(due)s 前办结）") % {"title": item.title, "due": item.due_on.isoformat()},
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
) -> ActionItem:
    """The responsible unit reports progress (→ in progress) or completion with its resolution (→ done)."""
    item = _locked_item(item)
    if not item.is_open:
        raise ConflictError(_("督办事项当前状态为“%(status)s”，不能报告进展。") % {"status": item.get_status_display()})
    note, resolution = (note or "").strip(), (resolution or "").strip()
    if done and not resolution:
        raise ValidationError({"resolution": [_("报告办结须填写办理结果。")]})
    if not done and not note:
        raise ValidationError({"note": [_("请填写进展情况。")]})
    from_status = item.status
    if done:
        item.status = ActionItemStatus.DONE
        item.resolution = resolution
        item.done_at = timezone.now()
    else:
        item.status = ActionItemStatus.IN_PROGRESS
    item.save(update_fields=["status", "resolution", "done_at"])
    action = ActionItemEvent.Action.DONE if done else ActionItemEvent.Action.PROGRESS
    event = _item_event(item, actor, action, from_status, note=resolution if done else note, evidence=evidence)
    if done:
        _tell_about_item(
            item,
            event,
            action_item_verifiers(item),
            "action_item_done",
            _("督办事项已报办结，待核验：%(title)s") % {"title": item.title},
        )
    return item


@transaction.atomic
def action_item_verify(*, actor: AbstractBaseUser | None, item: ActionItem, note: str = "") -> ActionItem:
    """done → verified: the office confirms the resolution."""
    item = _locked_item(item)
    if item.status != ActionItemStatus.DONE:
        raise ConflictError(_("督办事项当前状态为“%(status)s”，不能核验。") % {"status": item.get_status_display()})
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
        _("督办事项已核验办结：%(title)s") % {"title": item.title},
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
        _("督办事项核验未通过，请继续办理：%(title)s") % {"title": item.title},
    )
    return item


# --- Plans for review (报审, R-1.6) -----------------------------------------------------------------

PLAN_CONTENT_FIELDS = ("scope", "sites", "positioning", "layout", "path", "note")


def _clean_plan_content(kind: str, content: dict, sub_items: list[dict]) -> tuple[dict, list[dict]]:
    errors: dict[str, list[str]] = {}
    cleaned = {name: (content.get(name) or "").strip() for name in PLAN_CONTENT_FIELDS}
    if not cleaned["scope"]:
        errors["scope"] = [_("请填写规划范围。")]
    if not cleaned["positioning"]:
        errors["positioning"] = [_("请填写发展定位。")]
    items = []
    for index, raw in enumerate(sub_items or [], start=1):
        item = {key: (raw.get(key) or "").strip() for key in ("name", "content", "responsible_unit")}
        if not any(item.values()):
            continue
        if not item["name"] or not item["responsible_unit"]:
            errors.setdefault("sub_items", []).append(_("第 %(n)s 个分项须填写分项名称和主管单位。") % {"n": index})
        items.append(item)
    if kind == PlanKind.CULTIVATION and not items and "sub_items" not in errors:
        errors["sub_items"] = [_("培育方案须列出分项及其主管单位。")]
    if errors:
        raise ValidationError(errors)
    return cleaned, items if kind == PlanKind.CULTIVATION else []


def _plan_version(plan: Plan, number: int, actor, content: dict, sub_items: list[dict], attachments) -> PlanVersion:
    version = PlanVersion.objects.create(
        plan=plan, number=number, submitted_by=actor, submitted_at=timezone.now(), **content
    )
    PlanSubItem.objects.bulk_create(
        PlanSubItem(version=version, order=order, **item) for order, item in enumerate(sub_items, start=1)
    )
    for upload in attachments or ():
        PlanAttachment.objects.create(version=version, file=upload, name=getattr(upload, "name", "")[:200])
    return version


def _tell_plan_reviewers(plan: Plan, version: PlanVersion) -> None:
    notify(
        recipients=users_with_unit_perm(plan.org_unit, perms.REVIEW_PLANS),
        kind="plan_submitted",
        subject=_("方案报审：%(title)s（第%(n)s版）") % {"title": plan.title, "n": version.number},
        link=reverse("plan-detail", args=[plan.pk]),
        about=plan,
        occasion=f"plan-submitted:{plan.pk}:{version.number}",
    )


def _tell_plan_submitters(plan: Plan, version: PlanVersion, kind: str, subject: str) -> None:
    notify(
        recipients=[version.submitted_by, *users_with_unit_perm(plan.org_unit, perms.SUBMIT_PLANS)],
        kind=kind,
        subject=subject,
        body=version.review_comments,
        link=reverse("plan-detail", args=[plan.pk]),
        about=plan,
        occasion=f"{kind}:{plan.pk}:{version.number}",
    )


@transaction.atomic
def plan_submit(
    *,
    actor: AbstractBaseUser | None,
    org_unit: OrgUnit,
    kind: str,
    title: str,
    content: dict,
    sub_items: list[dict] = (),
    attachments=(),
) -> Plan:
    """A district or town submits a plan for review: version 1, waiting for 规划编制组."""
    errors = {}
    if org_unit.level == OrgUnit.Level.MUNICIPAL:
        errors["org_unit"] = [_("报审单位应为区或小镇。")]
    if kind not in PlanKind.values:
        errors["kind"] = [_("未知的方案类别。")]
    if not (title or "").strip():
        errors["title"] = [_("请填写方案名称。")]
    if errors:
        raise ValidationError(errors)
    content, items = _clean_plan_content(kind, content, list(sub_items))
    plan = Plan.objects.create(org_unit=org_unit, kind=kind, title=title.strip(), created_by=actor)
    version = _plan_version(plan, 1, actor, content, items, attachments)
    _tell_plan_reviewers(plan, version)
    return plan


def _locked_plan(plan: Plan) -> Plan:
    return Plan.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=plan.pk)


def _current_version(plan: Plan) -> PlanVersion:
    return plan.versions.select_for_update(of=("self",)).select_related("submitted_by").get(number=plan.current_version)


@transaction.atomic
def plan_resubmit(
    *, actor: AbstractBaseUser | None, plan: Plan, content: dict, sub_items: list[dict] = (), attachments=()
) -> Plan:
    """A returned plan comes back as the next version; earlier versions stay as they were."""
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.RETURNED:
        raise ConflictError(_("只有退回修改的方案可以重新报审。"))
    content, items = _clean_plan_content(plan.kind, content, list(sub_items))
    plan.current_version += 1
    plan.status = PlanStatus.SUBMITTED
    plan.save(update_fields=["current_version", "status", "updated_at"])
    version = _plan_version(plan, plan.current_version, actor, content, items, attachments)
    _tell_plan_reviewers(plan, version)
    return plan


def _review_plan(plan: Plan, actor, review: str, comments: str) -> tuple[Plan, PlanVersion]:
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.SUBMITTED:
        raise ConflictError(_("方案当前状态为“%(status)s”，不能审查。") % {"status": plan.get_status_display()})
    version = _current_version(plan)
    version.review = review
    version.review_comments = comments
    version.reviewed_by = actor
    version.reviewed_at = timezone.now()
    version.save(update_fields=["review", "review_comments", "reviewed_by", "reviewed_at"])
    plan.status = PlanStatus.APPROVED if review == PlanVersion.Review.APPROVED else PlanStatus.RETURNED
    plan.save(update_fields=["status", "updated_at"])
    return plan, version


@transaction.atomic
def plan_approve(*, actor: AbstractBaseUser | None, plan: Plan, comments: str = "") -> Plan:
    plan, version = _review_plan(plan, actor, PlanVersion.Review.APPROVED, (comments or "").strip())
    _tell_plan_submitters(
        plan,
        version,
        "plan_approved",
        _("方案审查通过：%(title)s（第%(n)s版）") % {"title": plan.title, "n": version.number},
    )
    return plan


@transaction.atomic
def plan_return(*, actor: AbstractBaseUser | None, plan: Plan, comments: str) -> Plan:
    if not (comments or "").strip():
        raise ValidationError({"comments": [_("请填写审查意见，说明需要修改的内容。")]})
    plan, version = _review_plan(plan, actor, PlanVersion.Review.RETURNED, comments.strip())
    _tell_plan_submitters(
        plan,
        version,
        "plan_returned",
        _("方案退回修改：%(title)s（第%(n)s版）") % {"title": plan.title, "n": version.number},
    )
    return plan


# --- Support policies (R-1.4) ----------------------------------------------------------------------

POLICY_FIELDS = ("title", "document_number", "issued_on", "summary")


def _check_policy(values: dict) -> None:
    errors = {}
    if not (values.get("title") or "").strip():
        errors["title"] = [_("请填写政策名称。")]
    if values.get("issued_on") is None:
        errors["issued_on"] = [_("请填写发布日期。")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def policy_create(
    *,
    actor: AbstractBaseUser | None,
    member_unit,
    title: str,
    issued_on: datetime.date,
    document_number: str = "",
    summary: str = "",
    file=None,
) -> SupportPolicy:
    values = {"title": title, "issued_on": issued_on, "document_number": document_number, "summary": summary}
    _check_policy(values)
    policy = SupportPolicy(
        member_unit=member_unit,
        created_by=actor,
        **{k: v.strip() if isinstance(v, str) else v for k, v in values.items()},
    )
    if file is not None:
        policy.file = file
    policy.save()
    return policy


@transaction.atomic
def policy_update(*, actor: AbstractBaseUser | None, policy: SupportPolicy, file=None, **fields) -> SupportPolicy:
    policy = SupportPolicy.objects.select_for_update().get(pk=policy.pk)
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"policy_update: unknown fields {sorted(unknown)}")
    values = {name: getattr(policy, name) for name in POLICY_FIELDS} | fields
    _check_policy(values)
    for name, value in values.items():
        setattr(policy, name, value.strip() if isinstance(value, str) else value)
    if file is not None:
        policy.file = file
    policy.save()
    return policy


# --- Notification e-mails: queued by notify, retried by the sweep ----------------------------

# How far back the sweep looks for notifications that were stored but never e-mailed (broker down).
NOTIFICATION_EMAIL_MAX_AGE = datetime.timedelta(days=3)


def notifications_email(*, ids: Iterable[int] | None = None, limit: int = 200) -> int:
    """E-mail notifications not e-mailed yet: these `ids`, or (the sweep) any of the last days. Each goes once.

    The rows stay locked while their mail goes out, so the delivery queued by `notify` and the sweep
    never both send one. A failure stops the batch after recording what went out, then re-raises so
    that the task retries later. Returns how many were sent.
    """
    with transaction.atomic():
        pending = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(emailed_at__isnull=True, recipient__is_active=True)
            .exclude(recipient__email="")
            .select_related("recipient")
            .order_by("pk")
        )
        if ids is None:
            pending = pending.filter(created_at__gte=timezone.now() - NOTIFICATION_EMAIL_MAX_AGE)
        else:
            pending = pending.filter(pk__in=list(ids))
        batch = list(pending[:limit])
        if not batch:
            return 0
        sent: list[int] = []
        failure: Exception | None = None
        with mail.get_connection() as connection:
            for notification in batch:
                try:
                    _notification_email(notification).send_with_connection(connection)
                except Exception as error:  # SMTP refused, server gone: stop here, retry the rest later
                    failure = error
                    break
                sent.append(notification.pk)
        Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    if failure is not None:
        raise failure
    return len(sent)


class _Message(mail.EmailMessage):
    def send_with_connection(self, connection) -> None:
        self.connection = connection
        self.send(fail_silently=False)


def _notification_email(notification: Notification) -> mail.EmailMessage:
    site = _("天津市特色小镇规划建设协同平台")
    link = settings.SITE_URL.rstrip("/") + notification.link if notification.link.startswith("/") else notification.link
    body = render_to_string(
        "emails/notification.txt",
        {"notification": notification, "recipient": notification.recipient, "link": link, "site": site},
    )
    return _Message(subject=f"[{site}] {notification.subject}", body=body, to=[notification.recipient.email])


# --- Background exports (R-3.7) --------------------------------------------------------------------


@transaction.atomic
def export_job_create(
    *, actor: AbstractBaseUser, kind: str, title: str, params: dict, back_link: str = ""
) -> ExportJob:
    """Record a requested export; the caller queues the task that builds it (after this commits)."""
    return ExportJob.objects.create(owner=actor, kind=kind, title=title[:200], params=params, back_link=back_link)


@transaction.atomic
def export_job_start(*, job_id: int) -> ExportJob | None:
    """queued (or running, when a worker died half-way) → running; None when it has finished already."""
    job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.is_finished:
        return None
    job.status = ExportJob.Status.RUNNING
    job.started_at = timezone.now()
    job.rows_done = 0
    job.save(update_fields=["status", "started_at", "rows_done"])
    return job


def export_job_progress(*, job_id: int, done: int, total: int) -> None:
    """The worker's progress report: a single UPDATE, committed at once so the page sees it."""
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
        rows_done=min(done, total), rows_total=total
    )


@transaction.atomic
def export_job_finish(*, job_id: int, filename: str, content: bytes) -> ExportJob:
    """Store the file under MEDIA_ROOT/exports/ and tell the owner it is ready."""
    job = ExportJob.objects.select_for_update().select_related("owner").get(pk=job_id)
    job.file.save(f"{job.pk}-{uuid.uuid4().hex}.xlsx", ContentFile(content), save=False)
    job.filename = filename
    job.status = ExportJob.Status.DONE
    job.rows_done = job.rows_total
    job.finished_at = timezone.now()
    job.save()
    notify(
        recipients=[job.owner],
        kind="export_ready",
        subject=_("导出完成：%(title)s") % {"title": job.title},
        body=_("文件 %(filename)s 已生成，请在7天内下载。") % {"filename": filename},
        link=reverse("export-job-detail", args=[job.pk]),
        about=job,
        occasion=f"export-ready:{job.pk}",
    )
    return job


@transaction.atomic
def export_job_fail(*, job_id: int, error: str, tell_owner: bool = True) -> None:
    """The job ends failed; its owner is told, unless the page answers them at once (`tell_owner=False`:
    the broker was down and the file came directly)."""
    failed = ExportJob.objects.filter(pk=job_id).exclude(status__in=[ExportJob.Status.DONE, ExportJob.Status.FAILED])
    if failed.update(status=ExportJob.Status.FAILED, error=error[:2000], finished_at=timezone.now()) and tell_owner:
        export_job_failed_notify(ExportJob.objects.select_related("owner").get(pk=job_id))


def export_job_failed_notify(job: ExportJob) -> None:
    """Tell the owner an export failed, as its page promised to tell them when it is done."""
    notify(
        recipients=[job.owner],
        kind="export_failed",
        subject=_("导出失败：%(title)s") % {"title": job.title},
        body=_("文件未能生成，请在导出页面点击“重新生成”。"),
        link=reverse("export-job-detail", args=[job.pk]),
        about=job,
        occasion=f"export-failed:{job.pk}",
    )


EXPORT_KEEP_DAYS = 7


def export_jobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete export files and their rows older than EXPORT_KEEP_DAYS; returns how many."""
    old = ExportJob.objects.filter(created_at__lt=(now or timezone.now()) - datetime.timedelta(days=EXPORT_KEEP_DAYS))
    count = 0
    for job in old:
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count


from .jobs import export_jobs_fail_stuck  # noqa: E402, F401 (re-exported: org.export_jobs_fail_stuck)
