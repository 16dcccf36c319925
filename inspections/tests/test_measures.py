"""The quarterly measures per district and town (R-2.3), the cadence counter (R-2.4) and the circular (R-5.6)."""

import datetime

import pytest

from coordination import cadence
from inspections import selectors, services

from .conftest import TODAY, VISIT_DAY, evidence_photo

Q3 = selectors.quarter_bounds(2026, 3)


def days(n: int) -> datetime.date:
    return VISIT_DAY + datetime.timedelta(days=n)


@pytest.fixture
def four_problems(world, make_visit, make_problem):
    """The issue's example: a visit to 东丽区 records four problems — one solved on the spot, one the same
    day, one closed after rectification and verification (14 days after the visit), one overdue."""
    visit = make_visit()
    on_site = make_problem(visit, solved_on_site=True, due_on=None)
    same_day = make_problem(visit, solved_same_day=True, due_on=None)
    rectified = make_problem(visit, due_on=days(20))
    services.problem_rectify(
        files=evidence_photo(), actor=world.users.officer, problem=rectified, note="已整改", on=days(10)
    )
    rectified = services.problem_verify(actor=world.users.office_coord, problem=rectified, on=days(14))
    overdue = make_problem(visit, due_on=days(31))
    return visit, [on_site, same_day, rectified, overdue]


def test_four_problems_give_25_percent_on_site_50_percent_same_day_and_one_overdue(world, four_problems):
    measures = selectors.problem_measures(
        district_ids=[world.dongli.pk, world.xiqing.pk], start=Q3[0], end=Q3[1], today=TODAY
    )
    dongli = measures[world.dongli.pk]
    assert dongli.visits == 1
    assert dongli.found == 4
    assert dongli.share_solved_on_site == 0.25
    assert dongli.share_solved_same_day == 0.5
    # Days to close: 0 (on the spot), 0 (same day), 14 (verified two weeks after the visit) → median 0.
    assert dongli.median_days_to_close == 0
    assert (dongli.closed, dongli.closed_on_time, dongli.open, dongli.overdue) == (3, 3, 1, 1)
    assert measures[world.xiqing.pk].found == 0


def test_median_of_an_even_number_of_closed_problems_is_the_mean_of_the_middle_two(world, make_visit, make_problem):
    visit = make_visit()
    for closed_after in (0, 6, 10, 30):
        problem = make_problem(visit, due_on=days(40))
        services.problem_rectify(
            files=evidence_photo(), actor=world.users.officer, problem=problem, note="已整改", on=days(closed_after)
        )
        services.problem_verify(actor=world.users.office_coord, problem=problem, on=days(closed_after))
    dongli = selectors.problem_measures(district_ids=[world.dongli.pk], start=Q3[0], end=Q3[1], today=TODAY)[
        world.dongli.pk
    ]
    assert dongli.median_days_to_close == 8.0
    assert dongli.share_solved_same_day == 0.25  # the one verified on the visit's day


def test_a_visit_without_problems_counts_as_held_with_no_shares(world, make_visit):
    make_visit()
    dongli = selectors.problem_measures(district_ids=[world.dongli.pk], start=Q3[0], end=Q3[1], today=TODAY)[
        world.dongli.pk
    ]
    assert (dongli.visits, dongli.found, dongli.open, dongli.overdue) == (1, 0, 0, 0)
    assert dongli.share_solved_on_site is None
    assert dongli.share_solved_same_day is None
    assert dongli.median_days_to_close is None


def test_all_open_problems_have_no_median_and_count_overdue_by_deadline(world, make_visit, make_problem):
    visit = make_visit()
    make_problem(visit, due_on=days(30))  # 2026-08-09: overdue by TODAY
    make_problem(visit, due_on=datetime.date(2026, 12, 31))  # not yet due
    dongli = selectors.problem_measures(district_ids=[world.dongli.pk], start=Q3[0], end=Q3[1], today=TODAY)[
        world.dongli.pk
    ]
    assert (dongli.found, dongli.closed, dongli.open, dongli.overdue) == (2, 0, 2, 1)
    assert dongli.share_solved_on_site == 0.0
    assert dongli.median_days_to_close is None


def test_a_rejected_verification_keeps_the_problem_open_until_verified(world, make_visit, make_problem):
    problem = make_problem(make_visit(), due_on=days(20))
    services.problem_rectify(
        files=evidence_photo(), actor=world.users.officer, problem=problem, note="已整改", on=days(5)
    )
    services.problem_reject(actor=world.users.office_coord, problem=problem, reason="整改不到位")
    measure = lambda: selectors.problem_measures(  # noqa: E731
        district_ids=[world.dongli.pk], start=Q3[0], end=Q3[1], today=TODAY
    )[world.dongli.pk]
    rejected = measure()
    assert (rejected.closed, rejected.open, rejected.overdue) == (0, 1, 1)
    services.problem_rectify(
        files=evidence_photo(), actor=world.users.officer, problem=problem, note="再次整改", on=days(25)
    )
    services.problem_verify(actor=world.users.office_coord, problem=problem, on=days(27))
    closed = measure()
    assert (closed.closed, closed.closed_on_time, closed.open, closed.overdue) == (1, 0, 0, 0)
    assert closed.median_days_to_close == 27


def test_measures_count_only_visits_held_in_the_period(world, make_visit, make_problem):
    make_problem(make_visit(held_on=datetime.date(2026, 6, 30)))
    make_visit(held_on=datetime.date(2026, 7, 1), kind="special_inspection")
    dongli = selectors.problem_measures(district_ids=[world.dongli.pk], start=Q3[0], end=Q3[1], today=TODAY)[
        world.dongli.pk
    ]
    assert (dongli.visits, dongli.special_inspections, dongli.visits_held, dongli.found) == (0, 1, 1, 0)


def test_measures_for_all_districts_by_default(world, four_problems):
    measures = selectors.problem_measures(start=Q3[0], end=Q3[1], today=TODAY)
    assert set(measures) == {world.dongli.pk, world.xiqing.pk}


def test_measures_by_town_count_the_visits_to_the_town_and_its_problems(world, four_problems, make_visit, make_problem):
    make_problem(four_problems[0], town=None)  # a district-wide problem counts for no town
    towns = selectors.problem_measures_by_town(start=Q3[0], end=Q3[1], today=TODAY)
    huaming = towns[world.town.pk]
    assert (huaming.visits, huaming.found, huaming.overdue) == (1, 4, 1)
    assert huaming.share_solved_on_site == 0.25
    assert (towns[world.town2.pk].visits, towns[world.town2.pk].found) == (0, 0)
    # One town's measures (the town dashboard) are that town's, read for it alone.
    one = selectors.problem_measures_by_town(start=Q3[0], end=Q3[1], today=TODAY, town_ids=[world.town.pk])
    assert set(one) == {world.town.pk} and one[world.town.pk].as_dict() == huaming.as_dict()


def test_visits_count_in_the_cadence_registry_per_district_and_kind(world, make_visit):
    make_visit()
    make_visit(held_on=datetime.date(2026, 8, 20))
    make_visit(kind="special_inspection")
    make_visit(district=world.xiqing, held_on=datetime.date(2026, 10, 8))
    ids = [world.dongli.pk, world.xiqing.pk]
    assert cadence.count_activities("onsite_supervision", ids, *Q3) == {world.dongli.pk: 2, world.xiqing.pk: 0}
    assert cadence.count_activities("special_inspection", ids, *Q3) == {world.dongli.pk: 1, world.xiqing.pk: 0}
    assert cadence.count_activities("onsite_supervision", [world.town.pk], *Q3) == {world.town.pk: 2}
    # A year by quarter in one query: the district's and the town's visits alike.
    quarters = [selectors.quarter_bounds(2026, q) for q in (1, 2, 3, 4)]
    assert cadence.count_activities_by_period("onsite_supervision", [*ids, world.town.pk], quarters) == {
        world.dongli.pk: [0, 0, 2, 0],
        world.xiqing.pk: [0, 0, 0, 1],
        world.town.pk: [0, 0, 2, 0],
    }
    assert cadence.activity_kind("onsite_supervision").label == "现场督办服务"
    link = cadence.activity_kind("onsite_supervision").link(world.dongli.pk, *Q3)
    assert link.startswith("/inspections/?district=") and "date_to=2026-09-30" in link


def test_circular_lists_problems_overdue_at_the_end_of_the_period(world, four_problems, make_visit, make_problem):
    late = make_problem(make_visit(district=world.xiqing), due_on=datetime.date(2026, 9, 1))
    services.problem_rectify(
        files=evidence_photo(), actor=world.users.outsider, problem=late, note="已整改", on=datetime.date(2026, 10, 3)
    )
    services.problem_verify(actor=world.users.office_coord, problem=late, on=datetime.date(2026, 10, 5))
    circular = selectors.overdue_circular(districts=[world.dongli, world.xiqing], start=Q3[0], end=Q3[1], today=TODAY)
    assert circular.as_of == datetime.date(2026, 9, 30)
    # 东丽区's open problem (due 08-10) and 西青区's, closed only in October, were both overdue on 09-30.
    assert [(b.district.name, [e.days_overdue for e in b.entries]) for b in circular.districts] == [
        ("东丽区", [51]),
        ("西青区", [29]),
    ]


def test_circular_of_the_running_quarter_is_as_of_today(world, four_problems):
    start, end = selectors.quarter_bounds(2026, 4)
    circular = selectors.overdue_circular(districts=[world.dongli], start=start, end=end, today=TODAY)
    assert circular.as_of == TODAY
    assert circular.total == 1
    assert circular.districts[0].entries[0].days_overdue == (TODAY - days(31)).days
