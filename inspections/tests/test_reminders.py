"""Problems due within three days (R-6.1, R-2.3): the responsible unit is reminded on a working day, once.

The days are 2026's real calendar: 08-08/09 a weekend; 10-01…10-07 the National Day holiday.
"""

import datetime

from coordination.models import MemberUnit, Notification
from inspections import reminders, services
from inspections.tasks import remind_problems_due_soon

from .conftest import evidence_photo

D = datetime.date
LABEL = "华明智能制造小镇：项目用地指标尚未落实，影响二期开工"  # the town and the problem, as in every problem notice


def received(user, kind: str = "problem_due_soon") -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


def test_a_problem_due_in_three_days_reminds_the_responsible_unit_once(world, make_visit, make_problem):
    problem = make_problem(make_visit(), due_on=D(2026, 8, 10))  # a Monday
    assert reminders.problem_reminders_send(today=D(2026, 8, 6)) == 0  # four days ahead
    assert reminders.problem_reminders_send(today=D(2026, 8, 7)) == 2
    for user in (world.users.officer, world.users.reviewer):  # as when the problem was assigned
        (notice,) = received(user)
        assert notice.subject == f"督办问题将于8月10日（星期一）到期：{LABEL}"
        assert "责任单位：东丽区" in notice.body
        assert notice.about == problem and notice.link == f"/problems/{problem.pk}/"
    for user in (world.users.outsider, world.users.office_coord, world.users.leader):
        assert received(user) == []
    assert reminders.problem_reminders_send(today=D(2026, 8, 7)) == 0  # a second run
    assert reminders.problem_reminders_send(today=D(2026, 8, 10)) == 0  # later days of the window


def test_no_problem_reminder_on_a_weekend_or_a_holiday_but_on_the_next_working_day(world, make_visit, make_problem):
    make_problem(make_visit(), due_on=D(2026, 10, 8))  # the first working day after National Day
    for today in (D(2026, 10, 5), D(2026, 10, 6), D(2026, 10, 7)):  # inside the window, but a holiday
        assert reminders.problem_reminders_send(today=today) == 0
    assert reminders.problem_reminders_send(today=D(2026, 10, 8)) == 2
    subjects = Notification.objects.filter(kind="problem_due_soon").values_list("subject", flat=True)
    assert all(subject.startswith("督办问题将于10月8日（星期四）到期") for subject in subjects)


def test_a_member_units_problem_reminds_its_liaisons(world, make_visit, make_problem):
    statistics = MemberUnit.objects.get(code="statistics")
    make_problem(make_visit(), responsible_member_unit=statistics, due_on=D(2026, 8, 10))
    reminders.problem_reminders_send(today=D(2026, 8, 7))
    assert set(Notification.objects.filter(kind="problem_due_soon").values_list("recipient", flat=True)) == {
        world.users.liaison.pk
    }


def test_rectified_and_closed_problems_are_not_reminded(world, make_visit, make_problem):
    visit = make_visit()
    rectified = make_problem(visit, due_on=D(2026, 8, 10))
    services.problem_rectify(
        files=evidence_photo(), actor=world.users.officer, problem=rectified, note="已整改", on=D(2026, 8, 5)
    )
    make_problem(visit, due_on=D(2026, 8, 10), solved_on_site=True)
    assert reminders.problem_reminders_send(today=D(2026, 8, 7)) == 0


def test_a_new_deadline_is_reminded_again(world, make_visit, make_problem):
    problem = make_problem(make_visit(), due_on=D(2026, 8, 10))
    reminders.problem_reminders_send(today=D(2026, 8, 7))
    services.problem_update(actor=world.users.office_coord, problem=problem, due_on=D(2026, 8, 14))
    assert reminders.problem_reminders_send(today=D(2026, 8, 11)) == 2
    assert len(received(world.users.officer)) == 2


def test_the_daily_task_reminds_through_the_calendar_and_twice_is_harmless(world, make_visit, make_problem):
    make_problem(make_visit(), due_on=D(2026, 8, 10))
    assert remind_problems_due_soon.apply(args=["2026-08-08"]).get() == 0  # Saturday
    assert remind_problems_due_soon.apply(args=["2026-08-07"]).get() == 2
    assert remind_problems_due_soon.apply(args=["2026-08-07"]).get() == 0


def test_the_reminder_reads_a_fixed_number_of_queries_per_problem(
    world, make_visit, make_problem, django_assert_max_num_queries
):
    visit = make_visit()
    for _index in range(3):
        make_problem(visit, due_on=D(2026, 8, 10))
    reminders.problem_reminders_send(today=D(2026, 8, 7))  # told: the usual case on the next days
    with django_assert_max_num_queries(3 + 3 * 8):
        assert reminders.problem_reminders_send(today=D(2026, 8, 7)) == 0
