"""The demo year (inspections/demo.py, run by seed_demo): realistic outcomes, idempotent, consistent."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from coordination.models import MemberUnit
from coordination.reference import MEMBER_UNITS
from inspections import demo, selectors
from inspections.models import Escalation, InspectionEvent, Problem, Visit

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def demo_year(world):
    for order, (code, name) in enumerate(MEMBER_UNITS, start=1):
        MemberUnit.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    users = {u.username: u for u in get_user_model().objects.all()}
    first = demo.seed_inspections(users=users, today=TODAY)
    second = demo.seed_inspections(users=users, today=TODAY)
    return first, second


def test_a_second_run_creates_nothing(demo_year):
    first, second = demo_year
    assert first["visits"] > 0 and first["problems"] > 0
    assert second["visits"] == second["problems"] == second["escalations"] == 0


def test_every_district_is_visited_every_quarter_of_the_year(world, demo_year):
    for quarter in (1, 2, 3):
        start, end = selectors.quarter_bounds(2026, quarter)
        measures = selectors.problem_measures(start=start, end=end, today=TODAY)
        assert all(1 <= m.visits <= 2 for m in measures.values()), quarter
    assert not Visit.objects.filter(held_on__gte=TODAY).exists()


def test_outcomes_are_realistic(world, demo_year):
    problems = list(Problem.objects.all())
    found = len(problems)
    on_site = sum(p.solved_on_site for p in problems)
    assert 0.1 < on_site / found < 0.45
    assert sum(p.solved_same_day for p in problems) > on_site
    statuses = {p.status for p in problems}
    assert "verified" in statuses and statuses & {"open", "in_progress"}
    assert any(p.is_overdue(TODAY) for p in problems)
    assert any(p.closed_on and p.closed_on > p.due_on for p in problems)  # some closed late
    assert InspectionEvent.objects.filter(action="reject").exists()
    assert Escalation.objects.exists()
    assert {p.responsible_member_unit_id is None for p in problems} == {True, False}


def test_the_demo_history_is_dated_when_it_happened(world, demo_year):
    for problem in Problem.objects.prefetch_related("events"):
        events = list(problem.events.all())
        assert events[0].at.date() >= problem.found_on - datetime.timedelta(days=1)
        if problem.closed_on:
            assert events[-1].action in ("verify", "solve")
            assert problem.closed_on >= problem.found_on
