"""The deadline day's steps (issue 21, `make load`: an officer logs in, opens the inbox, opens the month's report,
saves a draft, submits, then checks the report now and then) each take a fixed number of queries, whatever the town
has filed before. The bounds are today's counts: a step that asks more is a step that costs more on that day."""

import datetime

import pytest
from django.urls import reverse

from conftest import FIXTURE_EXPLANATIONS, FULL_VALUES, PASSWORD
from ledgers.models import MonthlyReport, ReportStatus
from tests import clients

login = clients.login
SEPT = datetime.date(2026, 9, 1)
FORM = {**FULL_VALUES, **{f"note-{code}": text for code, text in FIXTURE_EXPLANATIONS.items()}}


@pytest.fixture
def officer_on_deadline_day(world, make_report, on_day):
    """The officer on 5 October, the day September's report is due, with September saved as a draft."""
    on_day(datetime.date(2026, 10, 5))
    return make_report(ReportStatus.DRAFT, period=SEPT)


def test_logging_in_takes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(17):
        response = client.post(reverse("login"), {"username": world.users.officer.username, "password": PASSWORD})
    assert response.status_code == 302


def test_each_step_of_the_officer_takes_a_fixed_number_of_queries(
    login, world, officer_on_deadline_day, django_assert_max_num_queries
):
    report = officer_on_deadline_day
    client = login(world.users.officer)
    edit, detail = reverse("report-edit", args=[report.pk]), reverse("report-detail", args=[report.pk])
    client.get(reverse("home"))  # what a request reads once and keeps (content types, the calendar)
    with django_assert_max_num_queries(21):
        assert client.get(reverse("home")).status_code == 200
    with django_assert_max_num_queries(7):
        response = client.post(reverse("report-fill"), {"town": world.town.pk, "period": "2026-09"})
    assert response.status_code == 302 and response.url == edit
    with django_assert_max_num_queries(17):
        assert client.get(edit).status_code == 200
    with django_assert_max_num_queries(23):
        assert client.post(edit, {**FORM, "action": "save"}).status_code == 302
    with django_assert_max_num_queries(57):
        assert client.post(edit, {**FORM, "action": "submit"}).status_code == 302
    assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    with django_assert_max_num_queries(12):
        assert client.get(detail).status_code == 200
