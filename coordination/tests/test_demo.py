"""The coordination demo data (coordination/demo.py, run by seed_demo): a year with realistic gaps, idempotent."""

import datetime
from collections import Counter

from django.contrib.auth import get_user_model

from coordination import selectors
from coordination.demo import seed_coordination
from coordination.models import ActionItem, JointConference, Meeting, MeetingState, Plan, PlanStatus

TODAY = datetime.date(2026, 11, 26)


def _seed(world):
    users = {user.username: user for user in get_user_model().objects.all()}
    return seed_coordination(users=users, today=TODAY)


def test_a_year_of_meetings_with_gaps_items_and_plans_and_a_second_run_adds_nothing(world):
    created = _seed(world)
    assert created["meetings"] > 40 and created["action_items"] > 40 and created["plans"] == 2
    assert JointConference.objects.count() == 3
    assert Meeting.objects.filter(held_on__lt=datetime.date(2025, 12, 1)).count() == 0  # twelve months
    states = Counter(Meeting.objects.values_list("state", flat=True))
    assert states[MeetingState.MINUTES_APPROVED] and states[MeetingState.HELD] and states[MeetingState.PLANNED]
    items = Counter(ActionItem.objects.values_list("status", flat=True))
    assert set(items) == {"open", "in_progress", "done", "verified"}
    assert ActionItem.objects.filter(status__in=["open", "in_progress"], due_on__lt=TODAY).exists()  # overdue ones

    cells = selectors.cadence_matrix(2026, today=TODAY)
    ended = [c for c in cells if c.period_end <= TODAY]
    dongli = {c.state for c in ended if c.org_unit == world.dongli and c.rule.kind.startswith("district_")}
    assert dongli == {"ok"}  # held both monthly meetings every month
    xiqing_short = [
        c.period_label
        for c in ended
        if c.org_unit == world.xiqing and c.rule.kind == "district_regular" and c.state == "short"
    ]
    assert xiqing_short == ["2026-08"]  # skipped one regular meeting
    conference = {c.period_label: c.state for c in cells if c.rule.kind == "joint_conference"}
    assert conference["2026-Q2"] == "short" and conference["2026-Q4"] == "ok"
    assert Plan.objects.get(org_unit__parent=world.dongli).status == PlanStatus.APPROVED
    assert Plan.objects.get(org_unit__parent=world.xiqing).status == PlanStatus.RETURNED

    before = (Meeting.objects.count(), ActionItem.objects.count(), Plan.objects.count())
    assert sum(_seed(world).values()) == 0
    assert (Meeting.objects.count(), ActionItem.objects.count(), Plan.objects.count()) == before
