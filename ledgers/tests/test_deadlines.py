"""ledgers.deadlines states which town-months expect a report in three forms, for Python, querysets and SQL
(the inbox badge, the timeliness rates): they agree on every month around joining and exit."""

import datetime

import pytest
from django.db import connection

from assessments import reminders as assessment_reminders
from coordination.models import Town
from ledgers import deadlines
from tianjin_towns.lib import dates

JOINED = datetime.date(2026, 3, 1)
MONTHS = [dates.add_months(datetime.date(2026, 1, 1), n) for n in range(14)]


@pytest.fixture
def towns(world):
    """Three towns: reporting from March; from March and exited mid-July; from March and exited on 1 September."""
    Town.objects.filter(pk=world.town.pk).update(reporting_from=JOINED, exited_on=None)
    Town.objects.filter(pk=world.town2.pk).update(reporting_from=JOINED, exited_on=datetime.date(2026, 7, 15))
    Town.objects.filter(pk=world.outsider_town.pk).update(reporting_from=JOINED, exited_on=datetime.date(2026, 9, 1))
    return {name: Town.objects.get(pk=getattr(world, name).pk) for name in ("town", "town2", "outsider_town")}


def _expected_in_sql(period: datetime.date) -> set[int]:
    condition = deadlines.expects_report_sql("t", "%s::date")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t.unit_id FROM {Town._meta.db_table} t WHERE {condition}", [period, period])
        return {row[0] for row in cursor.fetchall()}


def test_the_python_queryset_and_sql_forms_of_expects_report_agree(towns):
    ids = {town.pk for town in towns.values()}
    for period in MONTHS:
        in_python = {town.pk for town in towns.values() if deadlines.expects_report(town, period)}
        in_queryset = set(Town.objects.filter(deadlines.expects_report_q(period)).values_list("pk", flat=True))
        assert in_queryset & ids == in_python, period
        assert _expected_in_sql(period) & ids == in_python, period


def test_a_town_reports_from_its_first_month_to_the_month_before_its_exit(towns):
    staying, exited_july, exited_september = towns["town"], towns["town2"], towns["outsider_town"]
    assert not deadlines.expects_report(staying, datetime.date(2026, 2, 1))
    assert deadlines.expects_report(staying, JOINED)
    assert deadlines.expects_report(exited_july, datetime.date(2026, 6, 1))
    assert not deadlines.expects_report(exited_july, datetime.date(2026, 7, 1))  # the month it exits in
    assert deadlines.expects_report(exited_september, datetime.date(2026, 8, 1))
    assert not deadlines.expects_report(exited_september, datetime.date(2026, 9, 1))


def test_a_report_is_overdue_after_its_due_date_until_it_is_filed(db):
    period = datetime.date(2026, 10, 1)
    due = deadlines.due_date(period)
    assert not deadlines.is_overdue(period, submitted_at=None, today=due)
    assert deadlines.is_overdue(period, submitted_at=None, today=due + datetime.timedelta(days=1))
    filed = datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC)
    assert not deadlines.is_overdue(period, submitted_at=filed, today=due + datetime.timedelta(days=1))


def test_the_lag_check_comes_two_days_after_the_configured_close_day(settings):
    settings.REPORT_CLOSE_DAY = 20
    assert assessment_reminders.lag_check_nominal_day(datetime.date(2026, 6, 1)) == datetime.date(2026, 6, 22)
    settings.REPORT_CLOSE_DAY = 28  # two days later is past February's end: its last day
    assert assessment_reminders.lag_check_nominal_day(datetime.date(2027, 2, 1)) == datetime.date(2027, 2, 28)
