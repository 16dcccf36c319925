"""Locking, exceptions and gaps (R-3.4, R-3.6): reports not received by the close day are recorded
missing and locked unless the office grants an exception; the gaps page lists every expected report
that is missing, late, overdue, or accepted with open flags, per district and town."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.models import Notification, Town
from coordination.tests.factories import more_towns
from ledgers import selectors, services
from ledgers.models import DataFlag, EntryException, Indicator, MonthlyReport, ReportStatus, Timeliness
from tests import clients
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

S = ReportStatus
AUG, SEPT, OCT = datetime.date(2026, 8, 1), datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)
CLOSED_OCTOBER = datetime.date(2026, 11, 26)  # the day after October's close day (25 November)
SEPT_OPEN = datetime.date(2026, 10, 20)  # after September's due day (10 October), before its close day (26 October)


login = clients.login


@pytest.fixture
def since_august(world, on_day):
    """The world's towns report from August 2026 on, so on 20 November 2026 a year has three expected months each."""
    on_day(datetime.date(2026, 11, 20))
    Town.objects.update(reporting_from=AUG)
    for town in (world.town, world.town2, world.outsider_town):
        town.refresh_from_db()
    return world


def grant(world, report_or_town, period=SEPT, days=10):
    town = getattr(report_or_town, "town", report_or_town)
    return services.entry_exception_grant(
        actor=world.users.office_policy,
        town=town,
        period=period,
        reason="系统故障未能按时报送",
        expires_on=dates.today() + datetime.timedelta(days=days),
    )


# --- Recording missing reports (the close-day job) --------------------------------------------------------


def test_reports_not_received_by_the_close_day_are_recorded_missing(since_august, make_report, on_day):
    world = since_august
    on_day(SEPT_OPEN)
    submitted = make_report(S.SUBMITTED)  # September, received
    draft = make_report(S.DRAFT, town=world.town2)  # September, never submitted
    on_day(CLOSED_OCTOBER)
    marked = services.monthly_reports_mark_missing(today=CLOSED_OCTOBER)
    # Aug–Oct for three towns, less the received September report.
    assert marked == 8
    draft.refresh_from_db()
    submitted.refresh_from_db()
    assert (draft.timeliness, draft.status) == (Timeliness.MISSING, S.DRAFT)
    assert submitted.timeliness != Timeliness.MISSING
    created = MonthlyReport.objects.get(town=world.town, period=OCT)
    assert (created.timeliness, created.status) == (Timeliness.MISSING, S.DRAFT)
    assert created.events.get().action == "mark_missing"
    assert services.monthly_reports_mark_missing(today=CLOSED_OCTOBER) == 0  # a second run changes nothing


def test_no_false_missing_for_towns_not_expected_to_report(world):
    Town.objects.filter(pk=world.town.pk).update(reporting_from=OCT)
    Town.objects.filter(pk=world.town2.pk).update(reporting_from=AUG, exited_on=datetime.date(2026, 9, 15))
    Town.objects.filter(pk=world.outsider_town.pk).update(reporting_from=datetime.date(2026, 12, 1))
    services.monthly_reports_mark_missing(today=CLOSED_OCTOBER)
    periods = {
        town: sorted(MonthlyReport.objects.filter(town_id=town).values_list("period", flat=True))
        for town in (world.town.pk, world.town2.pk, world.outsider_town.pk)
    }
    assert periods == {world.town.pk: [OCT], world.town2.pk: [AUG], world.outsider_town.pk: []}


def test_a_month_before_its_close_day_is_not_missing(since_august):
    assert services.monthly_reports_mark_missing(today=datetime.date(2026, 11, 25)) == 6  # Aug, Sep × 3
    assert not MonthlyReport.objects.filter(period=OCT).exists()


# --- Locking and exceptions ---------------------------------------------------------------------------


def test_a_missing_report_is_locked_until_the_office_grants_an_exception(since_august, make_report, login, on_day):
    world = since_august
    on_day(SEPT_OPEN)
    report = make_report(S.DRAFT)
    on_day(CLOSED_OCTOBER)
    services.monthly_reports_mark_missing(today=CLOSED_OCTOBER)
    with pytest.raises(ConflictError, match="计为漏报，填报已锁定"):
        services.monthly_report_save(actor=world.users.officer, report=report, values={"tax_revenue": "1"})
    with pytest.raises(ConflictError):
        services.monthly_report_submit(actor=world.users.officer, report=report)
    response = login(world.users.officer).get(reverse("report-edit", args=[report.pk]))
    assert response.status_code == 302 and response.url == reverse("report-detail", args=[report.pk])
    assert "填报已锁定" in login(world.users.officer).get(response.url).content.decode()

    exception = grant(world, report)
    assert Notification.objects.filter(recipient=world.users.officer, kind="entry_exception").exists()
    services.monthly_report_save(actor=world.users.officer, report=report, values={"tax_revenue": "1"})
    report = services.monthly_report_submit(actor=world.users.officer, report=report)
    assert (report.status, report.timeliness) == (S.SUBMITTED, Timeliness.MISSING)  # filed late, still 漏报
    assert report.events.filter(action="exception").exists()
    services.entry_exception_revoke(actor=world.users.office_policy, exception=exception)
    with pytest.raises(ConflictError):
        services.entry_exception_revoke(actor=world.users.office_policy, exception=exception)


def test_an_expired_exception_locks_the_report_again(since_august, make_report, on_day):
    world = since_august
    on_day(SEPT_OPEN)
    report = make_report(S.DRAFT)
    on_day(CLOSED_OCTOBER)
    services.monthly_reports_mark_missing(today=CLOSED_OCTOBER)
    grant(world, report)
    report.refresh_from_db()
    assert not services.entry_locked(report)
    EntryException.objects.update(expires_on=dates.today() - datetime.timedelta(days=1))
    assert services.entry_locked(report)


@pytest.mark.parametrize(
    ("field", "kwargs", "fragment"),
    [
        ("reason", {"reason": " "}, "必须填写原因"),
        ("period", {"period": datetime.date(2027, 1, 1)}, "不需要开通例外"),
        ("expires_on", {"expires_on": datetime.date(2020, 1, 1)}, "不能早于今天"),
        ("expires_on", {"expires_on": datetime.date(2099, 1, 1)}, "最长 90 天"),
    ],
)
def test_an_exception_needs_a_reason_a_closed_month_and_a_sensible_expiry(world, on_day, field, kwargs, fragment):
    on_day(datetime.date(2026, 11, 20))  # September closed, January 2027 not yet
    arguments = {
        "actor": world.users.office_policy,
        "town": world.town,
        "period": SEPT,
        "reason": "系统故障",
        "expires_on": dates.today() + datetime.timedelta(days=7),
    } | kwargs
    with pytest.raises(ValidationError) as error:
        services.entry_exception_grant(**arguments)
    assert fragment in error.value.message_dict[field][0]
    assert not EntryException.objects.exists()


def test_one_exception_at_a_time_and_none_for_a_received_report(world, make_report, on_day):
    on_day(SEPT_OPEN)
    make_report(S.SUBMITTED, town=world.town2)  # received before the close day
    on_day(datetime.date(2026, 11, 20))
    grant(world, world.town)
    with pytest.raises(ConflictError, match="已有有效的补报例外"):
        grant(world, world.town)
    with pytest.raises(ConflictError, match="已经报送过"):
        grant(world, world.town2)


def test_exceptions_page_lets_the_office_grant_and_revoke(world, login, on_day):
    on_day(datetime.date(2026, 11, 20))  # September closed, January 2027 not yet
    url = reverse("entry-exceptions")
    data = {
        "town": world.town.pk,
        "month": "2026-09",
        "expires_on": (dates.today() + datetime.timedelta(days=5)).isoformat(),
        "reason": "系统故障",
    }
    assert login(world.users.officer).post(url, data).status_code == 403
    assert login(world.users.officer).get(url).status_code == 200
    response = login(world.users.office_policy).post(url, data)
    assert response.status_code == 302
    exception = EntryException.objects.get()
    assert login(world.users.office_policy).get(url).content.decode().count("系统故障") >= 1
    revoke = reverse("entry-exception-revoke", args=[exception.pk])
    assert login(world.users.outsider).post(revoke).status_code == 404
    assert login(world.users.officer).post(revoke).status_code == 403
    assert login(world.users.office_policy).post(revoke).status_code == 302
    exception.refresh_from_db()
    assert exception.revoked_at is not None
    refused = login(world.users.office_policy).post(url, data | {"month": "2027-01"})
    assert refused.status_code == 200 and "不需要开通例外" in refused.content.decode()


# --- Gaps (查漏补缺) ----------------------------------------------------------------------------------------


def _gap_world(world, make_report):
    """Three months × three towns: accepted with an open flag, late, overdue, missing, on time."""
    flagged = make_report(S.ACCEPTED)  # 华明, September
    DataFlag.objects.create(
        report=flagged, indicator=Indicator.objects.get(code="tax_revenue"), value=Decimal("900"), message="异常"
    )
    on_time = make_report(S.ACCEPTED, town=world.town2, period=AUG)
    late = make_report(S.SUBMITTED, town=world.town2)
    make_report(S.DRAFT, town=world.town2, period=OCT)  # not submitted: overdue before the close day
    MonthlyReport.objects.filter(pk__in=[flagged.pk, on_time.pk]).update(timeliness=Timeliness.ON_TIME)
    MonthlyReport.objects.filter(pk=late.pk).update(timeliness=Timeliness.LATE)


def _kinds(table) -> dict:
    return {(item.town.name, item.period.month): item.kinds for item in table.items}


def test_gaps_list_missing_late_overdue_and_open_flags_per_district_and_town(since_august, make_report):
    world = since_august
    _gap_world(world, make_report)
    table = selectors.gaps_for_year(world.users.office_policy, year=2026, today=datetime.date(2026, 11, 12))
    assert _kinds(table) == {
        ("华明智能制造小镇", 8): ["missing"],
        ("华明智能制造小镇", 9): ["flagged"],
        ("华明智能制造小镇", 10): ["overdue"],
        ("东丽湖温泉小镇", 9): ["late"],
        ("东丽湖温泉小镇", 10): ["overdue"],
        ("精武文化小镇", 8): ["missing"],
        ("精武文化小镇", 9): ["missing"],
        ("精武文化小镇", 10): ["overdue"],
    }
    assert [d.district.name for d in table.districts] == ["东丽区", "西青区"]
    assert table.districts[0].counts == {"missing": 1, "late": 1, "overdue": 2, "flagged": 1}
    assert table.counts == {"missing": 3, "late": 1, "overdue": 3, "flagged": 1}
    assert table.expected == 9
    # After the close day the overdue ones are missing.
    later = selectors.gaps_for_year(world.users.office_policy, year=2026, today=CLOSED_OCTOBER)
    assert later.counts == {"missing": 6, "late": 1, "overdue": 0, "flagged": 1}
    # A reviewer's confirmation closes the flag.
    flag = DataFlag.objects.get(report__status=S.ACCEPTED, status=DataFlag.Status.OPEN)
    services.data_flag_resolve(actor=world.users.office_policy, flag=flag)
    assert selectors.gaps_for_year(world.users.office_policy, year=2026, today=CLOSED_OCTOBER).counts["flagged"] == 0


def test_gaps_page_shows_only_the_users_districts(since_august, make_report, login):
    world = since_august
    _gap_world(world, make_report)
    page = login(world.users.officer).get(reverse("gaps"), {"year": 2026}).content.decode()
    assert "东丽区" in page and "华明智能制造小镇" in page and "精武文化小镇" not in page
    assert "异常未核实" in page
    refused = login(world.users.officer).get(reverse("gaps"), {"year": 2026, "district": world.xiqing.pk})
    assert refused.status_code == 200 and "精武文化小镇" not in refused.content.decode()
    assert login(world.users.office_assess).get(reverse("gaps"), {"year": 2026}).status_code == 200


def test_gaps_api(since_august, make_report, api):
    world = since_august
    _gap_world(world, make_report)
    response = api(world.users.office_policy).get("/api/v1/gaps/", {"year": 2026, "district": world.dongli.pk})
    assert response.status_code == 200
    body = response.json()
    assert {d["name"] for d in body["districts"]} == {"东丽区"}
    flagged = [item for item in body["items"] if "flagged" in item["kinds"]]
    assert [(i["town_name"], i["period"], i["open_flags"]) for i in flagged] == [("华明智能制造小镇", "2026-09", 1)]
    assert api(world.users.officer).get("/api/v1/gaps/", {"year": 2026, "district": world.xiqing.pk}).status_code == 404
    assert api(world.users.officer).get("/api/v1/gaps/", {"year": "x"}).status_code == 400
    assert api(world.users.liaison).get("/api/v1/gaps/", {"year": 2026}).json()["items"] == []


def test_gaps_page_costs_the_same_queries_for_one_town_and_many(since_august, make_report, login):
    world = since_august
    client = login(world.users.office_policy)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("gaps"), {"year": 2026}).status_code == 200
        return len(queries.captured_queries)

    make_report(S.ACCEPTED, town=world.outsider_town)
    few = count()
    more_towns(world.xiqing, range(6), code="T09", name="新小镇", reporting_from=AUG)
    _gap_world(world, make_report)
    assert count() == few


def test_the_inbox_shows_a_locked_report_as_locked_until_an_exception(world, login, on_day):
    period = dates.last_ended_period()
    Town.objects.update(reporting_from=period)
    on_day(dates.report_close_date(period) + datetime.timedelta(days=1))
    services.monthly_reports_mark_missing()
    report = MonthlyReport.objects.get(town=world.town, period=period)
    page = login(world.users.officer).get(reverse("home")).content.decode()
    assert "已锁定" in page and reverse("report-edit", args=[report.pk]) not in page
    # (Written directly: before this month's close day the service would refuse an exception as needless.)
    EntryException.objects.create(
        town=world.town, period=period, reason="补报", expires_on=dates.today(), granted_by=world.users.office_policy
    )
    page = login(world.users.officer).get(reverse("home")).content.decode()
    assert reverse("report-edit", args=[report.pk]) in page
