"""Visits, problems and their follow-up through the services: invariants, audit events, notifications."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from coordination.models import Notification
from inspections import services
from inspections.models import Escalation, InspectionEvent, Problem, ProblemStatus, Visit
from tianjin_towns.errors import ConflictError

from .conftest import JPEG, PDF, TODAY, VISIT_DAY, evidence_photo, upload

S = ProblemStatus
A = InspectionEvent.Action


def _recipients(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


# --- Visits ------------------------------------------------------------------------------------------


def test_office_records_a_visit_with_towns_member_units_photos_and_an_audit_event(world, make_visit, land_bureau):
    visit = make_visit(
        member_units=[land_bureau],
        participants="市特镇办 王主任；市国土房管局 李处长",
        summary="听取华明镇二期用地和融资情况汇报",
        files=[upload("现场.jpg", JPEG), upload("汇报材料.pdf", PDF)],
    )
    assert visit.district == world.dongli
    assert list(visit.towns.all()) == [world.town]
    assert list(visit.member_units.all()) == [land_bureau]
    assert sorted(visit.attachments.values_list("kind", "name")) == [
        ("document", "汇报材料.pdf"),
        ("photo", "现场.jpg"),
    ]
    event = visit.events.get()
    assert (event.action, event.actor) == (A.VISIT_CREATE, world.users.office_coord)
    assert set(visit.attachments.values_list("event", flat=True)) == {event.pk}


def test_a_visit_cannot_be_recorded_before_it_happens(world, make_visit):
    with pytest.raises(ValidationError) as error:
        make_visit(held_on=datetime.date.today() + datetime.timedelta(days=3))
    assert "held_on" in error.value.message_dict
    assert not Visit.objects.exists()


def test_visited_towns_must_belong_to_the_visits_district(world, make_visit):
    with pytest.raises(ValidationError) as error:
        make_visit(towns=[world.town, world.outsider_town])
    assert "精武文化小镇" in error.value.message_dict["towns"][0]


def test_a_visit_is_to_a_district_not_the_city(world, make_visit):
    with pytest.raises(ValidationError) as error:
        make_visit(district=world.city, towns=[])
    assert "district" in error.value.message_dict


def test_visit_update_records_what_changed(world, make_visit):
    visit = make_visit()
    services.visit_update(
        actor=world.users.office_coord, visit=visit, title="第三季度现场督办（华明）", towns=[world.town, world.town2]
    )
    visit.refresh_from_db()
    assert visit.title == "第三季度现场督办（华明）"
    event = visit.events.get(action=A.VISIT_UPDATE)
    assert event.changes["title"] == ["第三季度现场督办服务", "第三季度现场督办（华明）"]
    assert "东丽湖温泉小镇" in event.changes["towns"][1]


def test_moving_a_visit_moves_the_found_date_of_its_problems(world, make_visit, make_problem):
    visit = make_visit()
    problem = make_problem(visit)
    services.visit_update(actor=world.users.office_coord, visit=visit, held_on=VISIT_DAY - datetime.timedelta(days=2))
    problem.refresh_from_db()
    assert problem.found_on == VISIT_DAY - datetime.timedelta(days=2)


# --- Problems ----------------------------------------------------------------------------------------


def test_problem_solved_on_the_spot_is_closed_on_the_visits_day_and_counts_as_same_day(world, make_visit, make_problem):
    problem = make_problem(make_visit(), solved_on_site=True, due_on=None)
    assert problem.status == S.VERIFIED
    assert problem.solved_same_day is True
    assert problem.closed_on == problem.found_on == problem.due_on == VISIT_DAY
    assert problem.events.get().action == A.SOLVE
    assert not Notification.objects.filter(kind="problem_assigned").exists()


def test_open_problem_is_assigned_and_the_responsible_district_is_told(world, make_visit, make_problem):
    problem = make_problem(make_visit())
    assert problem.status == S.OPEN
    assert problem.closed_on is None
    assert _recipients("problem_assigned") == {"dongli-officer", "dongli-leader"}


def test_problem_assigned_to_a_member_unit_tells_its_liaisons(world, make_visit, make_problem):
    from coordination.models import MemberUnit

    stats = MemberUnit.objects.get(code="statistics")
    problem = make_problem(make_visit(), responsible_member_unit=stats)
    assert problem.responsible_name == "市统计局"
    assert _recipients("problem_assigned") == {"liaison-stats"}


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"description": "  "}, "description"),
        ({"category": "weather"}, "category"),
        ({"due_on": None}, "due_on"),
        ({"due_on": VISIT_DAY - datetime.timedelta(days=1)}, "due_on"),
        ({"responsible_unit": None}, "responsible"),
    ],
)
def test_problem_input_is_checked_and_nothing_is_stored(world, make_visit, make_problem, fields, key):
    visit = make_visit()
    with pytest.raises(ValidationError) as error:
        make_problem(visit, **fields)
    assert key in error.value.message_dict
    assert not Problem.objects.exists()


def test_problem_cannot_be_assigned_to_another_district(world, make_visit, make_problem):
    with pytest.raises(ValidationError) as error:
        make_problem(make_visit(), responsible_unit=world.xiqing)
    assert "东丽区" in error.value.message_dict["responsible"][0]


def test_problem_cannot_have_two_responsible_units(world, make_visit, make_problem, land_bureau):
    with pytest.raises(ValidationError):
        make_problem(make_visit(), responsible_unit=world.dongli, responsible_member_unit=land_bureau)


# --- Follow-up ---------------------------------------------------------------------------------------


def test_progress_rectification_and_verification_close_the_loop(world, make_visit, make_problem):
    problem = make_problem(make_visit())
    officer, office = world.users.officer, world.users.office_coord

    problem = services.problem_report_progress(actor=officer, problem=problem, note="已与规划部门对接")
    assert problem.status == S.IN_PROGRESS

    problem = services.problem_rectify(
        actor=officer,
        problem=problem,
        note="用地指标已下达",
        files=[upload("批复.pdf", PDF)],
        on=VISIT_DAY + datetime.timedelta(days=10),
    )
    assert (problem.status, problem.rectified_on) == (S.DONE, VISIT_DAY + datetime.timedelta(days=10))
    assert _recipients("problem_rectified") == {"office-coord"}
    rectify_event = problem.events.get(action=A.RECTIFY)
    assert list(rectify_event.attachments.values_list("name", flat=True)) == ["批复.pdf"]

    problem = services.problem_verify(actor=office, problem=problem, on=VISIT_DAY + datetime.timedelta(days=14))
    assert problem.status == S.VERIFIED
    assert problem.closed_on == VISIT_DAY + datetime.timedelta(days=14)
    assert problem.days_to_close == 14
    assert _recipients("problem_verified") == {"dongli-officer", "dongli-leader"}
    assert list(problem.events.values_list("action", flat=True)) == [A.CREATE, A.PROGRESS, A.RECTIFY, A.VERIFY]


def test_rejected_rectification_goes_back_to_open_with_the_reason(world, make_visit, make_problem):
    problem = make_problem(make_visit())
    problem = services.problem_rectify(
        files=evidence_photo(), actor=world.users.officer, problem=problem, note="已整改"
    )
    problem = services.problem_reject(actor=world.users.office_coord, problem=problem, reason="现场核查仍未开工")
    assert problem.status == S.OPEN
    assert problem.reject_reason == "现场核查仍未开工"
    assert problem.rectified_on is None and problem.closed_on is None
    assert problem.events.last().note == "现场核查仍未开工"
    assert Notification.objects.get(kind="problem_rejected", recipient=world.users.officer).body.endswith(
        "现场核查仍未开工"
    )


def test_rejecting_without_a_reason_is_refused(world, make_visit, make_problem):
    problem = make_problem(make_visit())
    problem = services.problem_rectify(
        files=evidence_photo(), actor=world.users.officer, problem=problem, note="已整改"
    )
    with pytest.raises(ValidationError) as error:
        services.problem_reject(actor=world.users.office_coord, problem=problem, reason="   ")
    assert "reason" in error.value.message_dict
    problem.refresh_from_db()
    assert problem.status == S.DONE


def test_rectification_needs_a_note(world, make_visit, make_problem):
    problem = make_problem(make_visit())
    with pytest.raises(ValidationError) as error:
        services.problem_rectify(actor=world.users.officer, problem=problem, note="")
    assert "note" in error.value.message_dict


@pytest.mark.parametrize("status", [S.OPEN, S.IN_PROGRESS, S.VERIFIED])
def test_only_a_rectified_problem_can_be_verified(world, make_visit, make_problem, status):
    problem = make_problem(make_visit())
    if status == S.IN_PROGRESS:
        services.problem_report_progress(actor=world.users.officer, problem=problem, note="推进中")
    if status == S.VERIFIED:
        problem = make_problem(problem.visit, solved_on_site=True)
    with pytest.raises(ConflictError):
        services.problem_verify(actor=world.users.office_coord, problem=problem)


def test_a_closed_problem_takes_no_more_rectification(world, make_visit, make_problem):
    problem = make_problem(make_visit(), solved_same_day=True)
    with pytest.raises(ConflictError) as error:
        services.problem_rectify(actor=world.users.officer, problem=problem, note="再次整改")
    assert "已核验销号" in error.value.message


def test_verified_on_the_day_found_counts_as_solved_the_same_day(world, make_visit, make_problem):
    problem = make_problem(make_visit())
    services.problem_rectify(
        files=evidence_photo(), actor=world.users.officer, problem=problem, note="当场协调解决", on=VISIT_DAY
    )
    problem = services.problem_verify(actor=world.users.office_coord, problem=problem, on=VISIT_DAY)
    assert problem.solved_same_day is True
    assert problem.solved_on_site is False


def test_office_corrects_a_problem_and_a_new_responsible_unit_is_told(world, make_visit, make_problem, land_bureau):
    from coordination import services as org
    from coordination.models import Role

    org.user_create(
        username="liaison-land", password="x-pass-123", role=Role.LIAISON, org_unit=world.city, member_unit=land_bureau
    )
    problem = make_problem(make_visit())
    new_due = VISIT_DAY + datetime.timedelta(days=60)
    problem = services.problem_update(
        actor=world.users.office_coord, problem=problem, responsible_member_unit=land_bureau, due_on=new_due
    )
    assert problem.responsible_unit is None
    assert problem.responsible_member_unit == land_bureau
    assert problem.due_on == new_due
    event = problem.events.get(action=A.UPDATE)
    assert event.changes["due_on"] == [str(VISIT_DAY + datetime.timedelta(days=30)), str(new_due)]
    assert "liaison-land" in _recipients("problem_assigned")


# --- Escalation --------------------------------------------------------------------------------------


def test_overdue_problem_escalates_once_to_the_units_leader_and_the_office(world, make_visit, make_problem):
    problem = make_problem(make_visit(), due_on=datetime.date(2026, 8, 10))
    created = services.problems_escalate_overdue(today=datetime.date(2026, 8, 11))
    assert [(e.problem_id, e.level, e.days_overdue) for e in created] == [(problem.pk, Escalation.Level.OVERDUE, 1)]
    assert _recipients("problem_overdue") == {"dongli-leader", "office-coord"}
    assert services.problems_escalate_overdue(today=datetime.date(2026, 8, 12)) == []
    assert Notification.objects.filter(kind="problem_overdue").count() == 2


def test_long_overdue_problem_escalates_again_to_the_city_leaders(world, make_visit, make_problem):
    make_problem(make_visit(), due_on=datetime.date(2026, 8, 10))
    services.problems_escalate_overdue(today=datetime.date(2026, 8, 11))
    created = services.problems_escalate_overdue(today=datetime.date(2026, 9, 10))
    assert [e.level for e in created] == [Escalation.Level.LONG_OVERDUE]
    assert "leader" in set(
        Notification.objects.filter(occasion__endswith=":2").values_list("recipient__username", flat=True)
    )


def test_a_problem_gets_one_overdue_reminder_a_day_the_more_severe_one(world, make_visit, make_problem):
    """A first run long after the deadline (as seed_demo's) reaches both levels at once: only 严重逾期 goes out,
    and 逾期提醒 does not follow the next day."""
    problem = make_problem(make_visit(), due_on=datetime.date(2026, 8, 10))
    created = services.problems_escalate_overdue(today=TODAY)
    assert [(e.problem_id, e.level) for e in created] == [(problem.pk, Escalation.Level.LONG_OVERDUE)]
    subjects = set(Notification.objects.filter(kind="problem_overdue").values_list("subject", flat=True))
    assert len(subjects) == 1 and "严重逾期" in subjects.pop()
    assert services.problems_escalate_overdue(today=TODAY) == []
    assert services.problems_escalate_overdue(today=TODAY + datetime.timedelta(days=1)) == []
    # A deadline moved later brings the problem back under a month overdue: no milder reminder follows.
    services.problem_update(actor=world.users.office_coord, problem=problem, due_on=datetime.date(2026, 11, 10))
    assert services.problems_escalate_overdue(today=TODAY + datetime.timedelta(days=2)) == []
    assert list(problem.escalations.values_list("level", flat=True)) == [Escalation.Level.LONG_OVERDUE]


def test_problems_not_yet_due_or_closed_do_not_escalate(world, make_visit, make_problem):
    visit = make_visit()
    make_problem(visit, due_on=datetime.date(2026, 12, 31))
    make_problem(visit, solved_on_site=True)
    assert services.problems_escalate_overdue(today=TODAY) == []


def test_rectified_overdue_problem_is_brought_to_the_office_only(world, make_visit, make_problem):
    problem = make_problem(make_visit(), due_on=datetime.date(2026, 8, 10))
    services.problem_rectify(
        files=evidence_photo(), actor=world.users.officer, problem=problem, note="已整改", on=datetime.date(2026, 8, 9)
    )
    services.problems_escalate_overdue(today=datetime.date(2026, 8, 20))
    assert _recipients("problem_overdue") == {"office-coord"}


def test_the_daily_task_escalates_through_the_service_and_twice_is_harmless(world, make_visit, make_problem):
    from inspections.tasks import escalate_overdue_problems

    make_problem(make_visit(), due_on=datetime.date(2026, 8, 5))
    # National Day week and a Saturday are not working days: nobody is escalated to then.
    assert escalate_overdue_problems.apply(args=["2026-08-08"]).get() == 0
    assert escalate_overdue_problems.apply(args=["2026-10-02"]).get() == 0
    assert escalate_overdue_problems.apply(args=["2026-08-11"]).get() == 1
    assert escalate_overdue_problems.apply(args=["2026-08-11"]).get() == 0
