"""The missing-report lock follows from the date and the calendar alone (issue 16, R-3.4): from the day after
a month's close day the town-month is missing (漏报) and its entry locked, whether or not the nightly
`monthly_reports_mark_missing` has run yet; the run only records it. The inbox, the gaps, the timeliness
rates (Python and SQL) and the lag check read the one rule in ledgers/deadlines.py."""

import datetime

import pytest
from django.urls import reverse

from assessments import reminders as assessment_reminders
from conftest import FIXTURE_EXPLANATIONS, FULL_VALUES
from coordination.models import Town
from ledgers import deadlines, selectors, services
from ledgers.models import EntryException, MonthlyReport, ReportStatus, Timeliness
from tests import clients
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

S = ReportStatus
OCT = datetime.date(2026, 10, 1)
DUE = datetime.date(2026, 11, 10)  # October's due day (a Tuesday)
CLOSE = datetime.date(2026, 11, 25)  # October's close day (a Wednesday)
AFTER_CLOSE = datetime.date(2026, 11, 26)  # closed; the nightly run has not recorded anything yet
LOCKED = "计为漏报，填报已锁定"


login = clients.login


@pytest.fixture
def since_october(world):
    """The world's towns report from October 2026 on: one expected month each, October."""
    Town.objects.update(reporting_from=OCT)
    return world


def test_the_close_day_is_still_open_and_the_next_day_is_missing(world):
    assert deadlines.close_date(OCT) == CLOSE
    assert not deadlines.entry_locked(world.town.pk, OCT, submitted_at=None, today=CLOSE)
    assert deadlines.entry_locked(world.town.pk, OCT, submitted_at=None, today=AFTER_CLOSE)
    assert deadlines.missing_from(OCT) == AFTER_CLOSE
    assert [deadlines.timeliness_on(OCT, day) for day in (DUE, CLOSE, AFTER_CLOSE)] == [
        Timeliness.ON_TIME,
        Timeliness.LATE,
        Timeliness.MISSING,
    ]


# --- Opening and filing the month after its close day, before the nightly run --------------------------------


def test_after_the_close_day_the_month_cannot_be_opened_before_the_nightly_run(since_october, on_day):
    world = since_october
    on_day(AFTER_CLOSE)
    with pytest.raises(ConflictError, match=LOCKED) as error:
        services.monthly_report_create(actor=world.users.officer, town=world.town, period=OCT)
    assert "2026年11月25日" in error.value.message and "补报例外" in error.value.message
    assert not MonthlyReport.objects.exists()


def test_the_api_refuses_to_open_the_closed_month_with_a_409(since_october, on_day, api):
    world = since_october
    on_day(AFTER_CLOSE)
    body = {"town": world.town.pk, "period": "2026-10", "values": {"tax_revenue": 1}}
    response = api(world.users.officer).post("/api/v1/monthly-reports/", body, format="json")
    assert response.status_code == 409
    assert LOCKED in response.json()["detail"]
    assert not MonthlyReport.objects.exists()


def test_the_inbox_button_refuses_to_open_the_closed_month_and_says_why(since_october, on_day, login):
    world = since_october
    on_day(AFTER_CLOSE)
    client = login(world.users.officer)
    response = client.post(reverse("report-fill"), {"town": world.town.pk, "period": "2026-10"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert LOCKED in response.content.decode()
    assert not MonthlyReport.objects.exists()


def test_a_draft_opened_in_time_cannot_be_filed_after_the_close_day(since_october, on_day, make_report, api, login):
    world = since_october
    on_day(datetime.date(2026, 11, 20))
    draft = make_report(S.DRAFT, period=OCT)
    on_day(AFTER_CLOSE)
    with pytest.raises(ConflictError, match=LOCKED):
        services.monthly_report_save(actor=world.users.officer, report=draft, values={"tax_revenue": "1"})
    with pytest.raises(ConflictError, match=LOCKED):
        services.monthly_report_submit(actor=world.users.officer, report=draft)
    response = api(world.users.officer).post(f"/api/v1/monthly-reports/{draft.pk}/submit/")
    assert response.status_code == 409 and LOCKED in response.json()["detail"]
    edit = login(world.users.officer).get(reverse("report-edit", args=[draft.pk]))
    assert edit.status_code == 302 and edit.url == reverse("report-detail", args=[draft.pk])
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_at, draft.timeliness) == (S.DRAFT, None, None)  # nothing recorded yet


def test_an_exception_opens_the_month_and_the_report_still_counts_missing(since_october, on_day):
    world = since_october
    on_day(AFTER_CLOSE)
    services.entry_exception_grant(
        actor=world.users.office_policy,
        town=world.town,
        period=OCT,
        reason="系统故障未能按时报送",
        expires_on=AFTER_CLOSE + datetime.timedelta(days=5),
    )
    report = services.monthly_report_create(actor=world.users.officer, town=world.town, period=OCT)
    services.monthly_report_save(
        actor=world.users.officer, report=report, values=FULL_VALUES, explanations=FIXTURE_EXPLANATIONS
    )
    report = services.monthly_report_submit(actor=world.users.officer, report=report)
    # Not received by the close day: 漏报, the same as the nightly run would have recorded.
    assert report.timeliness == Timeliness.MISSING


# --- One rule read everywhere, on a day between the close day and the nightly run ------------------------------


def _missing_everywhere(world) -> dict:
    town_qs = Town.objects.filter(pk=world.town.pk)
    inbox = selectors.inbox_for_user(world.users.officer)
    gaps = selectors.gaps_for_year(world.users.office_policy, year=2026)
    gap_kinds = {item.period: item.kinds for item in gaps.items if item.town.pk == world.town.pk}
    table = selectors.timeliness_table(town_qs, year=2026)
    by_town = selectors.report_timeliness_by_town(town_qs, start=OCT, end=OCT)
    return {
        "inbox locked": world.town.pk in inbox.locked_town_ids,
        "gaps": gap_kinds.get(OCT),
        "timeliness table": table.towns[world.town.pk][OCT].missing,
        "timeliness by town": by_town[world.town.pk][0].timeliness,
    }


EXPECTED = {"inbox locked": True, "gaps": ["missing"], "timeliness table": 1, "timeliness by town": "missing"}


def test_a_town_month_never_opened_counts_missing_everywhere_before_and_after_the_nightly_run(since_october, on_day):
    world = since_october
    on_day(AFTER_CLOSE)
    assert _missing_everywhere(world) == EXPECTED
    services.monthly_reports_mark_missing()  # the nightly run records what the date already says
    assert MonthlyReport.objects.get(town=world.town, period=OCT).timeliness == Timeliness.MISSING
    assert _missing_everywhere(world) == EXPECTED


def test_a_draft_never_filed_counts_missing_everywhere_before_the_nightly_run(since_october, on_day, make_report):
    world = since_october
    on_day(datetime.date(2026, 11, 20))
    make_report(S.DRAFT, period=OCT)
    on_day(AFTER_CLOSE)
    assert _missing_everywhere(world) == EXPECTED


def test_on_the_close_day_nothing_is_missing_yet(since_october, on_day):
    world = since_october
    on_day(CLOSE)
    assert _missing_everywhere(world) == {
        "inbox locked": False,
        "gaps": ["overdue"],
        "timeliness table": 0,
        "timeliness by town": None,
    }


def test_the_home_page_shows_the_closed_month_locked_without_a_fill_button(since_october, on_day, login):
    world = since_october
    on_day(AFTER_CLOSE)
    page = login(world.users.officer).get(reverse("home")).content.decode()
    assert "已锁定" in page
    assert reverse("report-fill") not in page
    EntryException.objects.create(
        town=world.town, period=OCT, reason="补报", expires_on=AFTER_CLOSE, granted_by=world.users.office_policy
    )
    page = login(world.users.officer).get(reverse("home")).content.decode()
    assert reverse("report-fill") in page  # the exception opens it for 华明 (东丽湖 stays locked)


def test_the_lag_check_waits_for_the_same_close_day(world, settings):
    settings.REPORT_CLOSE_DAY = 27  # October closes on Friday 27 November: missing from Saturday the 28th
    assert deadlines.missing_from(OCT) == datetime.date(2026, 11, 28)
    assert assessment_reminders.lag_check_on(datetime.date(2026, 11, 1)) == dates.next_working_day(
        deadlines.missing_from(OCT)
    )


# --- due_on: the month's current rule until the timeliness is recorded -----------------------------------------


def test_a_drafts_due_date_follows_the_current_rule_and_is_recorded_at_submission(world, make_report, on_day, settings):
    on_day(datetime.date(2026, 11, 2))
    draft = make_report(S.DRAFT, period=OCT)
    assert draft.deadline == DUE
    settings.REPORT_DUE_DAY = 5  # the office moves the day: Thursday 5 November
    draft.refresh_from_db()
    assert draft.deadline == datetime.date(2026, 11, 5)  # not frozen when the draft was opened
    report = services.monthly_report_submit(actor=world.users.officer, report=draft)
    assert (report.due_on, report.timeliness) == (datetime.date(2026, 11, 5), Timeliness.ON_TIME)
    settings.REPORT_DUE_DAY = 3
    report.refresh_from_db()
    assert report.deadline == datetime.date(2026, 11, 5)  # judged: kept as recorded
