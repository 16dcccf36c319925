"""Reads of action items (督办事项, R-2.2): the list with its filters and summary per unit, an item's history and
whether its report of completion is backed by evidence, what waits on the home page."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, Count, Q, QuerySet, When

from tianjin_towns.lib import dates
from tianjin_towns.lib.events import said_since_sent_back

from . import permissions as perms
from . import search_selectors
from .models import ActionItem, ActionItemEvent, ActionItemStatus
from .models.meetings import OPEN_STATUSES


def action_item_list(
    user: AbstractBaseUser,
    *,
    status: str | None = None,
    unit: str | None = None,
    overdue: bool = False,
    meeting_id: int | None = None,
    keyword: str | None = None,
    today: datetime.date | None = None,
) -> QuerySet[ActionItem]:
    """Action items the user sees; `unit` is "u<org unit id>" or "m<member unit id>" (an org unit
    includes the towns below it); `keyword` as the platform's search matches items."""
    today = today or dates.today()
    items = search_selectors.action_items_matching(perms.action_items_for_user(user), keyword)
    if status:
        items = items.filter(status=status)
    if unit:
        kind, _sep, number = unit[:1], None, unit[1:]
        if kind == "u" and number.isdigit():
            items = items.filter(Q(responsible_unit_id=int(number)) | Q(responsible_unit__parent_id=int(number)))
        elif kind == "m" and number.isdigit():
            items = items.filter(responsible_member_unit_id=int(number))
    if overdue:
        items = items.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    if meeting_id:
        items = items.filter(meeting_id=meeting_id)
    return items.select_related("meeting__org_unit", "responsible_unit__parent", "responsible_member_unit").order_by(
        # Overdue first, then by due date.
        Case(When(status__in=OPEN_STATUSES, due_on__lt=today, then=0), default=1),
        "due_on",
        "pk",
    )


@dataclass
class UnitItemSummary:
    key: str  # "u<id>" or "m<id>", as action_item_list's `unit`
    name: str
    open: int
    overdue: int
    done: int


def action_item_summary_by_unit(user: AbstractBaseUser, today: datetime.date | None = None) -> list[UnitItemSummary]:
    """Per responsible unit: open, overdue and awaiting-verification counts (one query), most overdue first."""
    today = today or dates.today()
    is_open = Q(status__in=OPEN_STATUSES)
    rows = (
        perms.action_items_for_user(user)
        .values(
            "responsible_unit_id",
            "responsible_unit__name",
            "responsible_member_unit_id",
            "responsible_member_unit__name",
        )
        .annotate(
            open=Count("pk", filter=is_open),
            overdue=Count("pk", filter=is_open & Q(due_on__lt=today)),
            done=Count("pk", filter=Q(status=ActionItemStatus.DONE)),
        )
    )
    summary = []
    for row in rows:
        if not (row["open"] or row["done"]):
            continue
        if row["responsible_unit_id"]:
            key, name = f"u{row['responsible_unit_id']}", row["responsible_unit__name"]
        else:
            key, name = f"m{row['responsible_member_unit_id']}", row["responsible_member_unit__name"]
        summary.append(UnitItemSummary(key=key, name=name, open=row["open"], overdue=row["overdue"], done=row["done"]))
    return sorted(summary, key=lambda s: (-s.overdue, -s.open, s.name))


def action_items_with_source(items: QuerySet[ActionItem]) -> QuerySet[ActionItem]:
    """With what the API shows of each: the meeting and decision it comes from, the responsible unit."""
    return items.select_related("meeting", "decision", "responsible_unit", "responsible_member_unit")


def action_item_with_source(pk: int) -> ActionItem:
    return action_items_with_source(ActionItem.objects.filter(pk=pk)).get()


def action_item_events(item: ActionItem) -> list[ActionItemEvent]:
    return list(item.events.select_related("actor__profile").order_by("at", "pk"))


def evidence_required() -> bool:
    """Whether reporting an item done needs evidence (settings.EVIDENCE_REQUIRED holds the rule per kind)."""
    return settings.EVIDENCE_REQUIRED.get("action_item", True)


def evidence_since_rejection(events: Iterable[ActionItemEvent]) -> bool:
    """Whether the reports among `events` (an item's, in time order) since the office last sent the item back
    carry evidence: the done report's own file, or one sent with an earlier progress report."""
    backed = False
    for event in events:
        if event.action == ActionItemEvent.Action.REJECT:
            backed = False
        elif event.evidence:
            backed = True
    return backed


def action_item_has_evidence(item: ActionItem) -> bool:
    return evidence_since_rejection(item.events.only("action", "evidence").order_by("at", "pk"))


def no_evidence_reason(events: Iterable[ActionItemEvent]) -> str:
    """Why the item's report of completion carries no evidence, as the unit said (its latest done report since
    the office last sent the item back); "" when it gave none."""
    Action = ActionItemEvent.Action
    return said_since_sent_back(events, reported=Action.DONE, sent_back=Action.REJECT, field="no_evidence_reason")


def evidence_waiver(events: Iterable[ActionItemEvent]) -> ActionItemEvent | None:
    """The office's waiver of the evidence among an item's `events` (in time order): who, when and why."""
    waivers = [event for event in events if event.action == ActionItemEvent.Action.WAIVE_EVIDENCE]
    return waivers[-1] if waivers else None


def action_items_to_report_on(user: AbstractBaseUser) -> QuerySet[ActionItem]:
    """Open or in-progress items the user's unit must report on (the home inbox lists them, the badge counts them)."""
    return perms.action_items_for_user(user, perms.HANDLE_ACTION_ITEMS).filter(status__in=OPEN_STATUSES)


def action_items_to_verify(user: AbstractBaseUser) -> QuerySet[ActionItem]:
    """Items reported done, of the meetings whose items the user verifies."""
    return perms.action_items_for_user(user, perms.VERIFY_ACTION_ITEMS).filter(status=ActionItemStatus.DONE)


def open_action_items_for_user(user: AbstractBaseUser) -> list[ActionItem]:
    """Open or in-progress items the user's unit must report on, earliest due first (the home inbox)."""
    return list(
        action_items_to_report_on(user)
        .select_related("meeting", "responsible_unit", "responsible_member_unit")
        .order_by("due_on", "pk")
    )


def action_items_to_verify_for_user(user: AbstractBaseUser) -> list[ActionItem]:
    return list(
        action_items_to_verify(user)
        .select_related("meeting", "responsible_unit", "responsible_member_unit")
        .order_by("done_at", "pk")
    )


def overdue_action_item_count(user: AbstractBaseUser, today: datetime.date | None = None) -> int:
    """Overdue items among all the user sees (the office's and leaders' figure)."""
    today = today or dates.today()
    return perms.action_items_for_user(user).filter(status__in=OPEN_STATUSES, due_on__lt=today).count()
