"""Monthly report reminders (R-6.1, R-3.4): the right people, on the right working days, once.

The days are those of 2026's real calendar around National Day: 10-01…10-07 off, Sunday 09-20 and
Saturday 10-10 worked in exchange (调休上班). September's report is due on the 10th (a make-up
Saturday, so it stays), closes on the 25th (a Sunday, so the 26th).
"""

import datetime

import pytest

from coordination.models import Notification
from ledgers import reminders
from ledgers.models import MonthlyReport, ReportStatus, Timeliness

SEPT = datetime.date(2026, 9, 1)


def day(month: int, number: int) -> datetime.date:
    return datetime.date(2026, month, number)


def run_all(today: datetime.date) -> int:
    return (
        reminders.report_reminders_due(today=today)
        + reminders.report_reminders_late(today=today)
        + reminders.reports_close_missing(today=today)
    )


def first_days(start: datetime.date, end: datetime.date, period: str = "2026-09") -> dict[str, datetime.date]:
    """Run every report reminder on each day from start to end; the first day each kind reached someone."""
    seen: dict[str, datetime.date] = {}
    today = start
    while today <= end:
        run_all(today)
        for kind in Notification.objects.filter(occasion__endswith=period).values_list("kind", flat=True):
            seen.setdefault(kind, today)
        today += datetime.timedelta(days=1)
    return seen


def filed_on(report: MonthlyReport, when: datetime.date) -> MonthlyReport:
    """Back-date a submission: the services stamp the real clock, the reminders run on a frozen day."""
    at = datetime.datetime.combine(when, datetime.time(10), tzinfo=datetime.UTC)
    MonthlyReport.objects.filter(pk=report.pk).update(submitted_at=at)
    return report


def received(user, kind: str, period: str = "2026-09") -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind, occasion__endswith=period))


def test_report_window_follows_the_2026_national_day_calendar(world):
    window = reminders.ReportWindow.of(SEPT)
    assert window.opens_on == day(10, 8)  # 10-01…10-07 are the National Day holiday
    assert window.due_on == day(10, 10)  # a Saturday, but a make-up working day: not moved
    assert window.due_soon_on == day(10, 9)
    assert window.closes_on == day(10, 26)  # the 25th is a Sunday


def test_monthly_report_reminders_fire_on_the_right_working_days_around_national_day(world):
    assert first_days(day(9, 30), day(10, 28)) == {
        "report_opened": day(10, 8),
        "report_due_soon": day(10, 9),
        "report_late": day(10, 12),  # the first working day after the due date (10-11 is a Sunday)
        "report_missing": day(10, 27),  # the first working day after the close date
    }


def test_a_due_day_inside_the_holiday_moves_to_the_next_working_day(world, settings):
    settings.REPORT_DUE_DAY = 5
    assert reminders.ReportWindow.of(SEPT).due_on == day(10, 8)
    seen = first_days(day(10, 1), day(10, 13))
    # Opened and due on the same day: the opening notice names the due date, no separate due-soon one.
    assert seen == {"report_opened": day(10, 8), "report_late": day(10, 9)}


def test_no_reminder_goes_out_on_a_holiday_or_a_weekend(world):
    for today in (day(10, 1), day(10, 5), day(10, 11), day(10, 25)):
        assert run_all(today) == 0
    assert not Notification.objects.filter(occasion__endswith="2026-09").exists()


def test_a_second_run_sends_nothing(world):
    first = reminders.report_reminders_due(today=day(10, 8))
    assert first == 2  # one notification per officer: dongli (two towns) and xiqing (one)
    assert reminders.report_reminders_due(today=day(10, 8)) == 0
    assert reminders.report_reminders_due(today=day(10, 9)) == 2  # now the due-soon notices, once
    assert reminders.report_reminders_due(today=day(10, 9)) == 0
    assert reminders.report_reminders_due(today=day(10, 10)) == 0  # later days in the window send nothing
    assert Notification.objects.filter(kind="report_opened").count() == 2


def test_opening_notice_lists_the_officers_own_towns_and_the_due_date(world):
    reminders.report_reminders_due(today=day(10, 8))
    (notice,) = received(world.users.officer, "report_opened")
    assert notice.subject == "请报送2026年9月月报，截止10月10日（星期六，调休上班）"
    assert "东丽区 华明智能制造小镇" in notice.body and "东丽区 东丽湖温泉小镇" in notice.body
    assert "精武文化小镇" not in notice.body
    assert notice.link == "/"  # the officer's inbox, where the 填报 buttons are
    assert received(world.users.reviewer, "report_opened") == []
    assert received(world.users.office_policy, "report_opened") == []


def test_due_soon_reminder_skips_towns_that_submitted(world, make_report):
    filed_on(make_report(ReportStatus.SUBMITTED, town=world.town, period=SEPT), day(10, 8))
    reminders.report_reminders_due(today=day(10, 9))
    (notice,) = received(world.users.officer, "report_due_soon")
    assert "东丽湖温泉小镇" in notice.body
    assert "华明智能制造小镇" not in notice.body
    assert "1个小镇尚未报送" in notice.subject


def test_late_notice_reaches_officer_leader_and_the_statistics_office_but_no_one_else(world, make_report):
    filed_on(make_report(ReportStatus.SUBMITTED, town=world.town2, period=SEPT), day(10, 10))
    reminders.report_reminders_late(today=day(10, 12))
    u = world.users
    for user in (u.officer, u.reviewer, u.office_policy):
        (notice,) = received(user, "report_late")
        assert "华明智能制造小镇" in notice.body
        assert "东丽湖温泉小镇" not in notice.body
    (office_notice,) = received(u.office_policy, "report_late")
    assert "精武文化小镇" in office_notice.body  # the office hears about every district
    assert "2026-09" in office_notice.link
    (outsider_notice,) = received(u.outsider, "report_late")
    assert "华明智能制造小镇" not in outsider_notice.body
    for user in (u.office_assess, u.office_planning, u.leader, u.liaison, u.admin):
        assert received(user, "report_late") == []


def test_towns_that_do_not_owe_a_report_are_not_reminded(world):
    world.town2.exited_on = datetime.date(2026, 8, 15)
    world.town2.save()
    reminders.report_reminders_due(today=day(10, 8))
    (notice,) = received(world.users.officer, "report_opened")
    assert "东丽湖温泉小镇" not in notice.body


def test_nobody_is_reminded_when_every_town_has_submitted(world, make_report):
    for town in (world.town, world.town2, world.outsider_town):
        filed_on(make_report(ReportStatus.SUBMITTED, town=town, period=SEPT), day(10, 8))
    assert reminders.report_reminders_due(today=day(10, 9)) + reminders.report_reminders_late(today=day(10, 12)) == 0
    assert not Notification.objects.filter(kind__in=["report_late", "report_opened"]).exists()


def test_after_the_close_date_reports_never_filed_are_marked_missing_and_people_told(world, make_report):
    draft = make_report(ReportStatus.DRAFT, town=world.town, period=SEPT)
    reminders.reports_close_missing(today=day(10, 27))
    assert MonthlyReport.objects.get(pk=draft.pk).timeliness == Timeliness.MISSING
    (notice,) = received(world.users.reviewer, "report_missing")
    assert "华明智能制造小镇" in notice.body and "东丽湖温泉小镇" in notice.body
    assert "10月26日" in notice.body


def test_a_report_filed_late_is_not_called_missing(world, make_report):
    make_report(ReportStatus.DRAFT, town=world.town, period=SEPT)
    filed_on(make_report(ReportStatus.SUBMITTED, town=world.town2, period=SEPT), day(10, 20))
    reminders.reports_close_missing(today=day(10, 27))
    (notice,) = received(world.users.officer, "report_missing")
    assert "华明智能制造小镇" in notice.body
    assert "东丽湖温泉小镇" not in notice.body


@pytest.mark.parametrize("recipient", ["officer", "reviewer"])
def test_reminders_of_a_month_are_told_once_even_across_days(world, recipient):
    for today in (day(10, 12), day(10, 13), day(10, 14)):
        reminders.report_reminders_late(today=today)
    assert len(received(getattr(world.users, recipient), "report_late")) == 1
