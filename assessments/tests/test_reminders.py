"""Assessment reminders (R-6.1, R-5.1, R-5.3 – R-5.5): the right people, on the right working day, once.

The days are 2026's real calendar: 01-01…01-03 off and Sunday 01-04 worked in exchange (调休上班);
06-27/28 and 11-07/08 weekends; 10-01…10-07 the National Day holiday, Saturday 10-10 worked.
"""

import datetime

from assessments import reminders, services
from assessments.models import LagFlag, RunKind, RunStatus
from assessments.tasks import check_target_lag, remind_assessment_windows, remind_self_evaluations
from coordination.models import CalendarDay, Notification
from tianjin_towns.lib import dates

from .factories import make_scheme, set_targets

D = datetime.date


def received(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


def recipients(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


# --- The lag check --------------------------------------------------------------------------------------


def test_lag_check_on_a_weekend_27th_runs_on_the_next_working_day_once(world):
    set_targets(world, world.town, 2026, fixed_asset_investment="12000")  # nothing accepted: 0% at 5/12
    assert reminders.lag_check_on(D(2026, 6, 1)) == D(2026, 6, 29)
    for today in (D(2026, 6, 26), D(2026, 6, 27), D(2026, 6, 28)):  # before the 27th; Saturday; Sunday
        assert reminders.target_lag_check(today=today) == 0
    assert reminders.target_lag_check(today=D(2026, 6, 29)) == 1
    flag = LagFlag.objects.get()
    assert (flag.town, flag.period) == (world.town, D(2026, 5, 1))
    assert recipients("target_lag") == {"dongli-officer", "dongli-leader"}
    assert reminders.target_lag_check(today=D(2026, 6, 29)) == 0  # a second run
    assert reminders.target_lag_check(today=D(2026, 6, 30)) == 0  # a later day of the month
    assert Notification.objects.filter(kind="target_lag").count() == 2


def test_lag_check_waits_until_the_previous_months_reports_have_closed(world, settings):
    settings.REPORT_CLOSE_DAY = 28  # May's reports close on Sunday 06-28, moved to Monday 06-29
    set_targets(world, world.town, 2026, fixed_asset_investment="12000")
    assert reminders.target_lag_check(today=D(2026, 6, 1)) == 1  # May's check (day 30, a Saturday) on April
    assert reminders.target_lag_check(today=D(2026, 6, 29)) == 0
    assert reminders.target_lag_check(today=D(2026, 6, 30)) == 1


def test_lag_check_moved_into_the_next_month_still_checks_the_month_before_the_27th(world):
    # 09-25 is the Mid-Autumn Festival, so August's reports close on Monday 09-28 and the check is on 09-29.
    assert reminders.lag_check_on(D(2026, 9, 1)) == D(2026, 9, 29)
    # An administrator makes 09-28…09-30 holidays: with National Day the close date moves to 10-08.
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=D(2026, 9, day), is_working_day=False, note="测试假日") for day in (28, 29, 30)]
    )
    dates.clear_calendar_cache()
    set_targets(world, world.town, 2026, fixed_asset_investment="12000")
    assert reminders.lag_check_on(D(2026, 9, 1)) == D(2026, 10, 9)
    for today in (D(2026, 9, 29), D(2026, 10, 8)):  # a holiday now; the close date itself
        assert reminders.target_lag_check(today=today) == 0
    assert reminders.target_lag_check(today=D(2026, 10, 9)) == 1
    assert LagFlag.objects.get().period == D(2026, 8, 1)  # August's figures, not September's


def test_the_daily_lag_task_decides_by_the_calendar_and_twice_is_harmless(world):
    set_targets(world, world.town, 2026, fixed_asset_investment="12000")
    assert check_target_lag.apply(args=["2026-06-27"]).get() == 0
    assert check_target_lag.apply(args=["2026-06-29"]).get() == 1
    assert check_target_lag.apply(args=["2026-06-29"]).get() == 0


# --- Self-evaluations -----------------------------------------------------------------------------------


def test_self_evaluation_reminders_skip_the_holiday_and_go_on_the_next_working_day_once(world):
    # September's monthly forms are due on Saturday 10-10 (a make-up working day); "soon" starts on 10-07.
    assert reminders.self_evaluation_reminders_send(today=D(2026, 10, 7)) == 0
    assert not Notification.objects.filter(kind="self_evaluation_due").exists()
    assert reminders.self_evaluation_reminders_send(today=D(2026, 10, 8)) == 5  # 2 districts, 3 towns
    subjects = {n.subject for n in received(world.users.officer, "self_evaluation_due")}
    assert subjects == {
        "东丽区 月度自评将于 2026-10-10 截止",
        "华明智能制造小镇 月度自评将于 2026-10-10 截止",
        "东丽湖温泉小镇 月度自评将于 2026-10-10 截止",
    }
    assert {n.subject for n in received(world.users.outsider, "self_evaluation_due")} == {
        "西青区 月度自评将于 2026-10-10 截止",
        "精武文化小镇 月度自评将于 2026-10-10 截止",
    }
    assert reminders.self_evaluation_reminders_send(today=D(2026, 10, 8)) == 0
    assert reminders.self_evaluation_reminders_send(today=D(2026, 10, 9)) == 0


def test_no_self_evaluation_reminder_on_a_weekend(world):
    # October's forms are due on Tuesday 11-10: the window opens on Saturday 11-07, the first reminder is Monday's.
    assert remind_self_evaluations.apply(args=["2026-11-07"]).get() == 0
    assert remind_self_evaluations.apply(args=["2026-11-08"]).get() == 0
    # Each unit: October's monthly form due soon, and the third quarter's form overdue since 10-15.
    assert remind_self_evaluations.apply(args=["2026-11-09"]).get() == 10
    assert remind_self_evaluations.apply(args=["2026-11-09"]).get() == 0


# --- Assessment windows opening -------------------------------------------------------------------------


def test_the_annual_window_opens_on_the_first_working_day_of_the_new_year_once(world):
    window = reminders.AssessmentWindow(2025, RunKind.ANNUAL)
    assert window.opens_on == D(2026, 1, 4)  # 01-01…01-03 off, Sunday 01-04 worked in exchange
    for today in (D(2025, 12, 31), D(2026, 1, 2), D(2026, 1, 3)):
        assert reminders.assessment_window_reminders_send(today=today) == 0
    assert reminders.assessment_window_reminders_send(today=D(2026, 1, 4)) == 5
    assert recipients("assessment_window_opened") == {
        "office-assess",
        "dongli-officer",
        "dongli-leader",
        "xiqing-officer",
        "xiqing-leader",
    }
    (office,) = received(world.users.office_assess, "assessment_window_opened")
    assert office.subject == "2025年度特色小镇考核：考核期已结束，请开展考核"
    assert "参加考核的小镇3个" in office.body
    assert "2025年考核方案尚未制定" in office.body and office.link == "/assessments/schemes/new/"
    (dongli,) = received(world.users.officer, "assessment_window_opened")
    assert dongli.subject == "2025年度特色小镇考核：考核期已结束，2个小镇参加考核"
    assert "一年一大考" in dongli.body and "2025年12月月报" in dongli.body
    assert "东丽区 华明智能制造小镇" in dongli.body and "东丽区 东丽湖温泉小镇" in dongli.body
    assert "精武文化小镇" not in dongli.body
    (xiqing,) = received(world.users.outsider, "assessment_window_opened")
    assert "西青区 精武文化小镇" in xiqing.body and "东丽" not in xiqing.body.split("：", 1)[1]
    assert reminders.assessment_window_reminders_send(today=D(2026, 1, 4)) == 0  # a second run
    assert reminders.assessment_window_reminders_send(today=D(2026, 1, 5)) == 0  # the days after


def test_the_semi_annual_window_points_the_assessment_group_at_its_draft_run(world):
    scheme = make_scheme(world, 2026)
    run = services.run_create(actor=world.users.office_assess, scheme=scheme, kind=RunKind.SEMIANNUAL)
    assert remind_assessment_windows.apply(args=["2026-06-30"]).get() == 0  # the half year has not ended
    assert remind_assessment_windows.apply(args=["2026-07-01"]).get() == 5
    (office,) = received(world.users.office_assess, "assessment_window_opened")
    assert "已新建考核“2026年上半年特色小镇考核”（草稿）" in office.body
    assert office.link == f"/assessments/runs/{run.pk}/"
    (dongli,) = received(world.users.reviewer, "assessment_window_opened")
    assert "半年一小考" in dongli.body and "2026年6月月报" in dongli.body and "7月10日" in dongli.body
    assert remind_assessment_windows.apply(args=["2026-07-01"]).get() == 0


def test_a_window_already_published_or_without_towns_is_not_announced(world):
    scheme = make_scheme(world, 2026)
    run = services.run_create(actor=world.users.office_assess, scheme=scheme, kind=RunKind.SEMIANNUAL)
    type(run).objects.filter(pk=run.pk).update(status=RunStatus.PUBLISHED)
    assert reminders.assessment_window_reminders_send(today=D(2026, 7, 2)) == 0
    # Towns listed only after 2023 ended are not in 2023's annual assessment.
    assert reminders.AssessmentWindow(2023, RunKind.ANNUAL).opens_on == D(2024, 1, 2)
    assert reminders.assessment_window_reminders_send(today=D(2024, 1, 2)) == 0
    assert not Notification.objects.filter(kind="assessment_window_opened").exists()


def test_self_evaluation_due_days_move_off_weekends_and_holidays_but_keep_make_up_days(db):
    from assessments.models import SelfEvaluationKind
    from assessments.selectors import self_evaluation_due

    assert self_evaluation_due(SelfEvaluationKind.MONTHLY, datetime.date(2026, 4, 1)) == datetime.date(
        2026, 5, 11
    )  # 10th a Sunday
    assert self_evaluation_due(SelfEvaluationKind.MONTHLY, datetime.date(2026, 9, 1)) == datetime.date(
        2026, 10, 10
    )  # make-up Saturday
    assert self_evaluation_due(SelfEvaluationKind.MONTHLY, datetime.date(2026, 7, 1)) == datetime.date(2026, 8, 10)
    assert self_evaluation_due(SelfEvaluationKind.QUARTERLY, datetime.date(2026, 7, 1)) == datetime.date(2026, 10, 15)
