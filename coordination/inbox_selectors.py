"""What waits for a user in the coordination app: its part of 待我处理 (the whole of it, every app's part, is
tianjin_towns.inbox). Re-exported from coordination.selectors.

One definition, `coordination_inbox_queries`, says what waits: the action items to report on and to verify, the
minutes to approve, the plans to review and those returned, the opinions asked of a liaison's member unit. The
home page lists those querysets (coordination_inbox), the navigation badge on every page counts them
(coordination_inbox_count), so the two cannot disagree.
"""

import datetime
from dataclasses import dataclass, field, fields

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, QuerySet

from tianjin_towns.lib import dates
from tianjin_towns.lib.queries import count_rows

from . import permissions as perms
from .action_item_selectors import (
    action_items_to_report_on,
    action_items_to_verify,
    action_items_to_verify_for_user,
    open_action_items_for_user,
    overdue_action_item_count,
)
from .models import ActionItem, Meeting, MeetingState, Plan, PlanOpinion, PlanStatus


@dataclass(frozen=True)
class CoordinationInboxQueries:
    """What waits for a user, as querysets not yet run (each empty without a query, inside a request, when the
    user holds no grant for that work)."""

    action_items: QuerySet[ActionItem]  # open or in progress, of the units the user reports for
    to_verify: QuerySet[ActionItem]  # reported done, of the meetings whose items the user verifies
    minutes: QuerySet[Meeting]  # held meetings of the user's own unit with minutes written, to approve
    plans_to_review: QuerySet[Plan]
    plans_returned: QuerySet[Plan]
    plan_opinions: QuerySet[PlanOpinion]  # asked of the liaison's member unit (待会签)


def _plans_waiting(user: AbstractBaseUser, perm: str, status: str) -> QuerySet[Plan]:
    """The plans in `status` of the units on which the user holds `perm`."""
    return perms.plans_for_user(user, perm).filter(status=status)


def _minutes_to_approve(user: AbstractBaseUser) -> QuerySet[Meeting]:
    """Held meetings of the user's own unit with minutes written, waiting for the user's approval.

    The office may approve any minutes (its grant covers the districts), but its inbox lists only the
    municipality's meetings; a district's minutes wait for the district's leader.
    """
    meetings = perms.meetings_for_user(user, perms.APPROVE_MINUTES).filter(state=MeetingState.HELD).exclude(minutes="")
    profile = getattr(user, "profile", None)
    if profile is not None:
        meetings = meetings.filter(org_unit_id=profile.org_unit_id)
    return meetings


def _plan_opinions_waiting(user: AbstractBaseUser) -> QuerySet[PlanOpinion]:
    """The opinions the liaison's member unit is asked for on versions still under review."""
    member_unit_id = perms.liaison_member_unit_id(user)
    if member_unit_id is None:
        return PlanOpinion.objects.none()
    return PlanOpinion.objects.filter(
        member_unit_id=member_unit_id,
        state=PlanOpinion.State.REQUESTED,
        version__plan__status=PlanStatus.SUBMITTED,
        version__number=F("version__plan__current_version"),
    )


def coordination_inbox_queries(user: AbstractBaseUser) -> CoordinationInboxQueries:
    """The one definition of what waits for `user` in the coordination app."""
    return CoordinationInboxQueries(
        action_items=action_items_to_report_on(user),
        to_verify=action_items_to_verify(user),
        minutes=_minutes_to_approve(user),
        plans_to_review=_plans_waiting(user, perms.REVIEW_PLANS, PlanStatus.SUBMITTED),
        plans_returned=_plans_waiting(user, perms.SUBMIT_PLANS, PlanStatus.RETURNED),
        plan_opinions=_plan_opinions_waiting(user),
    )


@dataclass
class CoordinationInbox:
    """The coordination app's part of the home page (待我处理)."""

    action_items: list = field(default_factory=list)  # to report on
    to_verify: list = field(default_factory=list)
    minutes: list = field(default_factory=list)
    plans_to_review: list = field(default_factory=list)
    plans_returned: list = field(default_factory=list)
    plan_opinions: list = field(default_factory=list)  # asked of the liaison's member unit (待会签)
    overdue_in_scope: int = 0
    today: datetime.date | None = None

    @property
    def total(self) -> int:
        return (
            len(self.action_items)
            + len(self.to_verify)
            + len(self.minutes)
            + len(self.plans_to_review)
            + len(self.plans_returned)
            + len(self.plan_opinions)
        )

    @property
    def overdue_items(self) -> int:
        return sum(1 for item in self.action_items if item.is_overdue_on(self.today))


def coordination_inbox(user: AbstractBaseUser, today: datetime.date | None = None) -> CoordinationInbox:
    """The coordination_inbox_queries listed, for the home page, each the longest waiting (or soonest due) first."""
    today = today or dates.today()
    queries = coordination_inbox_queries(user)
    return CoordinationInbox(
        action_items=open_action_items_for_user(user),
        to_verify=action_items_to_verify_for_user(user),
        minutes=list(queries.minutes.select_related("org_unit").order_by("held_on", "pk")),
        plans_to_review=list(queries.plans_to_review.select_related("org_unit").order_by("updated_at", "pk")),
        plans_returned=list(queries.plans_returned.select_related("org_unit").order_by("updated_at", "pk")),
        plan_opinions=list(queries.plan_opinions.select_related("version__plan__org_unit").order_by("due_on", "pk")),
        overdue_in_scope=overdue_action_item_count(user, today),
        today=today,
    )


def coordination_inbox_count(user: AbstractBaseUser) -> int:
    """`coordination_inbox(user).total` without building the lists, for the navigation badge on every page: the
    same querysets (coordination_inbox_queries) counted in one query, none for what the user holds no grant on."""
    queries = coordination_inbox_queries(user)
    return count_rows(*(getattr(queries, waiting.name) for waiting in fields(queries)))
