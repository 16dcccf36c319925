"""The working-day calendar (R-3.4): the State Council's holidays and make-up days, the administrator's
entries winning over them, and a year nobody entered falling back to weekends with a warning."""

import datetime
import logging

import pytest
from django.urls import reverse

from coordination.models import CalendarDay, Notification
from coordination.reminders import calendar_warn_unknown_years, day_label
from tianjin_towns.lib import dates

D = datetime.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 9, 30), True),
        (D(2026, 10, 1), False),  # National Day
        (D(2026, 10, 7), False),
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Saturday worked in exchange (调休上班)
        (D(2026, 10, 11), False),  # an ordinary Sunday
        (D(2026, 9, 20), True),  # Sunday worked in exchange
        (D(2026, 2, 16), False),  # Spring Festival, a Monday
    ],
)
def test_working_days_follow_the_state_council_calendar(db, day, working):
    assert dates.is_working_day(day) is working


def test_next_working_day_and_working_day_arithmetic_skip_the_holiday(db):
    assert dates.next_working_day(D(2026, 10, 1)) == D(2026, 10, 8)
    assert dates.next_working_day(D(2026, 10, 8)) == D(2026, 10, 8)  # a working day stays
    assert dates.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert dates.add_working_days(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert dates.add_working_days(D(2026, 10, 12), -1) == D(2026, 10, 10)  # back onto the make-up Saturday
    assert dates.first_working_day_of_month(D(2026, 10, 1)) == D(2026, 10, 8)


def test_due_and_close_dates_move_to_the_next_working_day(db, settings):
    september = D(2026, 9, 1)
    assert dates.report_due_date(september) == D(2026, 10, 10)  # the make-up Saturday is a working day
    assert dates.report_close_date(september) == D(2026, 10, 26)  # the 25th is a Sunday
    settings.REPORT_DUE_DAY = 5
    assert dates.report_due_date(september) == D(2026, 10, 8)  # inside the holiday
    settings.REPORT_DUE_DAY = 31
    assert dates.report_due_date(D(2026, 1, 1)) == D(2026, 2, 28)  # no 31 February: its last day (worked: 调休)


def test_an_unannounced_year_falls_back_to_weekends_without_crashing(db, caplog):
    caplog.set_level(logging.WARNING, logger="tianjin_towns.lib.dates")
    assert dates.calendar_source(2027) == "weekends"
    assert dates.is_working_day(D(2027, 1, 1)) is True  # New Year's Day is unknown until entered
    assert dates.is_working_day(D(2027, 1, 2)) is False  # a Saturday
    assert dates.report_due_date(D(2026, 12, 1)) == D(2027, 1, 11)  # 2027-01-10 is a Sunday
    assert "no holiday calendar for 2027" in caplog.text


def test_the_administrators_entries_win_over_the_package_and_define_a_new_year(db):
    CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, note="元旦")
    CalendarDay.objects.create(date=D(2027, 1, 10), is_working_day=True, note="调休上班")
    CalendarDay.objects.create(date=D(2026, 10, 9), is_working_day=False, note="本市调整")
    dates.clear_calendar_cache()
    assert dates.calendar_source(2027) == "admin"
    assert dates.is_working_day(D(2027, 1, 1)) is False
    assert dates.report_due_date(D(2026, 12, 1)) == D(2027, 1, 10)  # the entered make-up Sunday
    assert dates.is_working_day(D(2026, 10, 9)) is False  # an entry beats the State Council's calendar
    assert dates.is_working_day(D(2026, 10, 10)) is True  # days not entered still follow it


def test_administrators_are_warned_once_about_a_year_without_holidays(world):
    created = calendar_warn_unknown_years(today=D(2026, 11, 26))  # 60 days ahead reaches 2027
    assert created == 2  # the superuser and the system administrator, who keeps the calendar
    warnings = Notification.objects.filter(kind="calendar_missing").order_by("recipient__username")
    assert [warning.recipient for warning in warnings] == [world.users.admin, world.users.sysadmin]
    for warning in warnings:
        assert "2027" in warning.subject
        assert warning.link == reverse("admin:coordination_calendarday_changelist")
    assert calendar_warn_unknown_years(today=D(2026, 11, 27)) == 0


def test_no_warning_while_the_coming_years_are_known(world):
    assert calendar_warn_unknown_years(today=D(2026, 6, 1)) == 0
    CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, note="元旦")
    assert calendar_warn_unknown_years(today=D(2026, 12, 20)) == 0


def test_deadlines_name_make_up_working_days(db):
    assert day_label(D(2026, 10, 10)) == "10月10日（星期六，调休上班）"
    assert day_label(D(2026, 10, 12), with_year=True) == "2026年10月12日（星期一）"


def test_an_administrator_enters_a_holiday_in_the_admin_and_due_dates_move_at_once(client, world):
    client.force_login(world.users.admin)
    assert dates.report_due_date(D(2026, 12, 1)) == D(2027, 1, 11)
    response = client.post(
        reverse("admin:coordination_calendarday_add"), {"date": "2027-01-11", "is_working_day": "", "note": "假日"}
    )
    assert response.status_code == 302
    assert dates.report_due_date(D(2026, 12, 1)) == D(2027, 1, 12)
    page = client.get(reverse("admin:coordination_calendarday_changelist")).content.decode()
    assert "假日" in page and "星期一" in page


def test_the_calendar_admin_is_closed_to_non_staff(client, world):
    client.force_login(world.users.officer)
    response = client.get(reverse("admin:coordination_calendarday_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url
