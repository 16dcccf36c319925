"""`manage.py seed_demo`: a complete, consistent demo world, and a second run changes nothing.

The command takes a few seconds, so it runs once for the module (twice, to prove idempotency) inside
a transaction that is rolled back at the end; each test runs in a savepoint within it.
"""

import datetime
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import rolled_back
from coordination import permissions as perms
from coordination.models import MemberUnit, OrgUnit, Role, Town, UserProfile, WorkingGroup
from coordination.reference import DISTRICTS, MEMBER_UNITS
from ledgers import deadlines
from ledgers.models import (
    Indicator,
    MonthlyReport,
    Project,
    ProjectProgress,
    ReportEvent,
    ReportStatus,
    ReportValue,
    Timeliness,
    WorkInfo,
    WorkInfoEvent,
)
from ledgers.selectors import inbox_count, inbox_for_user
from tests import clients
from tianjin_towns.inbox import home_inbox, home_inbox_count
from tianjin_towns.lib import dates

S = ReportStatus
COUNTED = (
    OrgUnit, Town, WorkingGroup, MemberUnit, UserProfile, Project, MonthlyReport, ReportValue, ReportEvent,
    WorkInfo, WorkInfoEvent,
)  # fmt: skip


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    counts["ProjectProgress"] = ProjectProgress.objects.count()
    counts["User"] = get_user_model().objects.count()
    return counts


@pytest.fixture(scope="module")
def seeded_twice(demo, django_db_blocker):
    """The demo (seeded once by conftest's `demo`), then seed_demo a second time, inside a transaction rolled back
    at the module's end."""
    with rolled_back(django_db_blocker):
        with django_db_blocker.unblock():
            after_first = _counts()
            second_output = io.StringIO()
            call_command("seed_demo", stdout=second_output)
            seeded = {
                "after_first": after_first,
                "after_second": _counts(),
                "first_output": demo.output,
                "second_output": second_output.getvalue(),
            }
        yield seeded


@pytest.fixture
def seeded(seeded_twice, db):
    return seeded_twice


def test_running_seed_demo_twice_changes_nothing(seeded):
    assert seeded["after_first"] == seeded["after_second"]
    assert seeded["after_first"]["MonthlyReport"] > 500
    assert "本次新建" in seeded["first_output"]
    assert "无（数据已存在）" in seeded["second_output"]


def test_ten_districts_with_two_to_four_towns_each(seeded):
    city = OrgUnit.objects.get(code="120000", level=OrgUnit.Level.MUNICIPAL)
    districts = OrgUnit.objects.filter(level=OrgUnit.Level.DISTRICT, parent=city)
    assert sorted(d.slug for d in districts) == sorted(slug for _code, _name, slug in DISTRICTS)
    for district in districts:
        towns = Town.objects.filter(district=district)
        assert 2 <= towns.count() <= 4, district.name
    names = set(Town.objects.values_list("unit__name", flat=True))
    assert {"华明智能制造小镇", "崔黄口电商小镇", "中塘汽车橡塑小镇", "葛沽民俗文化小镇"} <= names
    assert Town.objects.get(unit__name="华明智能制造小镇").district.slug == "dongli"
    for town in Town.objects.all():
        assert 1 <= town.planning_area_km2 <= 5
        assert town.host_township and town.lead_industry and town.creation_subject and town.chief_leader
    assert WorkingGroup.objects.count() == 4 and MemberUnit.objects.count() == 18  # the 17 of 2016 and 市税务局


@pytest.mark.parametrize(
    ("username", "role", "unit", "group"),
    [
        ("admin", Role.ADMIN, "120000", None),
        ("sysadmin", Role.ADMIN, "120000", None),
        ("secadmin", Role.SECURITY, "120000", None),
        ("auditor", Role.AUDITOR, "120000", None),
        ("leader", Role.LEADER, "120000", None),
        ("office-assess", Role.OFFICE, "120000", "assess"),
        ("office-planning", Role.OFFICE, "120000", "planning"),
        ("office-coord", Role.OFFICE, "120000", "coord"),
        ("office-policy", Role.OFFICE, "120000", "policy"),
        ("dongli-officer", Role.OFFICER, "120110", None),
        ("dongli-leader", Role.REVIEWER, "120110", None),
        ("jizhou-officer", Role.OFFICER, "120119", None),
        ("binhai-leader", Role.REVIEWER, "120116", None),
        ("liaison-statistics", Role.LIAISON, "120000", None),
        ("liaison-tax", Role.LIAISON, "120000", None),
    ],
)
def test_demo_users_have_their_role_and_log_in_with_the_demo_password(seeded, username, role, unit, group):
    profile = UserProfile.objects.select_related("user", "org_unit", "working_group").get(user__username=username)
    assert profile.role == role and profile.org_unit.code == unit
    assert (profile.working_group.code if profile.working_group else None) == group
    assert profile.full_name
    assert Client().login(username=username, password=settings.DEMO_PASSWORD)
    assert profile.user.is_superuser == (username == "admin")


def test_every_district_has_an_officer_and_a_reviewing_leader(seeded):
    for _code, name, slug in DISTRICTS:
        assert UserProfile.objects.get(user__username=f"{slug}-officer").full_name == f"{name}信息员"
        assert UserProfile.objects.get(user__username=f"{slug}-leader").role == Role.REVIEWER


def test_every_member_unit_has_one_liaison_named_after_its_code_and_a_second_seed_adds_none(seeded):
    """Issue 18: `liaison-<code>` for each active member unit, 市税务局 (added beyond the 2016 list) included."""
    units = list(MemberUnit.objects.filter(active=True))
    assert {unit.code for unit in units} == {code for code, _name in MEMBER_UNITS} | {"tax"}
    tax = MemberUnit.objects.get(code="tax")
    assert (tax.name, tax.short_name) == ("市税务局", "税务局")
    assert tax.order > max(unit.order for unit in units if unit.code != "tax")
    assert tax.events.filter(action="created").exists()  # added through member_unit_create
    for unit in units:
        liaisons = UserProfile.objects.filter(role=Role.LIAISON, member_unit=unit, user__is_active=True)
        assert list(liaisons.values_list("user__username", "full_name")) == [
            (f"liaison-{unit.code}", f"{unit.name}联络员")
        ], unit.code
    assert seeded["after_second"]["User"] == seeded["after_first"]["User"]
    assert seeded["after_second"]["MemberUnit"] == seeded["after_first"]["MemberUnit"]


def test_towns_report_24_months_and_the_older_23_are_all_accepted(seeded):
    last = dates.last_ended_period()
    first = dates.add_months(last, -23)
    periods = sorted(set(MonthlyReport.objects.values_list("period", flat=True)))
    assert len(periods) == 24 and periods[0] == first and periods[-1] == last
    older = MonthlyReport.objects.filter(period__lt=last)
    assert set(older.values_list("status", flat=True)) == {S.ACCEPTED}
    assert older.count() == Town.objects.count() * 23  # no gaps in the history


def test_history_has_realistic_dates_timeliness_and_a_full_audit_trail(seeded):
    last = dates.last_ended_period()
    older = MonthlyReport.objects.filter(period__lt=last)
    timeliness = Counter(older.values_list("timeliness", flat=True))
    assert set(timeliness) == {Timeliness.ON_TIME, Timeliness.LATE}
    assert timeliness[Timeliness.ON_TIME] > timeliness[Timeliness.LATE]
    office_policy = get_user_model().objects.get(username="office-policy")
    for report in older.prefetch_related("events"):
        submitted_on = timezone.localdate(report.submitted_at)
        assert dates.month_start(submitted_on) == dates.add_months(report.period, 1)
        assert (report.timeliness == Timeliness.ON_TIME) == (submitted_on <= report.due_on)
        assert report.created_at <= report.submitted_at <= report.approved_at <= report.accepted_at
        events = sorted(report.events.all(), key=lambda e: (e.at, e.pk))
        assert [e.action for e in events] == ["create", "save", "submit", "approve", "accept"]
        assert events[2].at == report.submitted_at and events[-1].at == report.accepted_at
        assert events[-1].actor_id == office_policy.pk


def test_figures_are_consistent(seeded):
    values: dict[int, dict[str, Decimal]] = {}
    for report_id, code, value in ReportValue.objects.values_list("report_id", "indicator__code", "value"):
        values.setdefault(report_id, {})[code] = value
    integers = set(Indicator.objects.filter(decimal_places=0).values_list("code", flat=True))
    for figures in values.values():
        if "fixed_asset_investment" in figures:
            assert figures["industry_investment"] <= figures["fixed_asset_investment"]
            assert figures["private_investment"] <= figures["fixed_asset_investment"]
        for code in integers & set(figures):
            assert figures[code] == figures[code].to_integral_value()
    project = Project.objects.filter(progress__isnull=False).distinct().first()
    rows = list(ProjectProgress.objects.filter(project=project).order_by("report__period"))
    running = Decimal(0)
    for row in rows:
        running += row.investment_month
        assert row.investment_total == running
    assert 2 <= Project.objects.filter(town=project.town).count() <= 5


def test_projects_have_a_plan_per_year_and_accepted_months_keep_theirs(seeded):
    project = Project.objects.filter(progress__isnull=False).prefetch_related("year_plans").first()
    years = {plan.year for plan in project.year_plans.all()}
    accepted = ProjectProgress.objects.filter(project=project, report__status=ReportStatus.ACCEPTED)
    assert {row.report.period.year for row in accepted.select_related("report")} <= years
    for row in accepted.select_related("report"):
        assert row.annual_plan_at == project.plan_for_year(row.report.period.year)
        assert row.total_investment_at == project.total_investment


def test_last_month_is_left_in_every_workflow_state(seeded):
    last = dates.last_ended_period()
    statuses = Counter(MonthlyReport.objects.filter(period=last).values_list("status", flat=True))
    for status in (S.DRAFT, S.SUBMITTED, S.RETURNED, S.DISTRICT_APPROVED):
        assert statuses[status] >= 1, status
    filed = set(MonthlyReport.objects.filter(period=last).values_list("town_id", flat=True))
    assert any(town.expects_report(last) and town.pk not in filed for town in Town.objects.all())
    assert all(MonthlyReport.objects.filter(period=last, status=S.RETURNED).values_list("return_reason", flat=True))


def test_each_inbox_has_work(seeded):
    users = get_user_model().objects
    officer = inbox_for_user(users.get(username="dongli-officer"))
    assert officer.to_fill and officer.returned
    assert inbox_for_user(users.get(username="dongli-leader")).to_approve
    assert inbox_for_user(users.get(username="office-policy")).to_accept
    districts_with_work = {r.town.district.slug for r in inbox_for_user(users.get(username="admin")).to_approve}
    assert len(districts_with_work) >= 3


def test_a_year_of_work_information_in_every_state(seeded):
    """R-3.2: each district reports every month; last month's items wait for each reviewer, older ones are adopted."""
    this_month = dates.month_start(dates.today())
    last_month = dates.add_months(this_month, -1)
    infos = WorkInfo.objects.select_related("org_unit")
    assert {i.org_unit.parent_id if i.org_unit.level == "town" else i.org_unit_id for i in infos} == set(
        OrgUnit.objects.filter(level=OrgUnit.Level.DISTRICT).values_list("pk", flat=True)
    )
    older = infos.filter(happened_on__lt=last_month)
    assert older.exists() and set(older.values_list("status", flat=True)) == {WorkInfo.Status.ACCEPTED}
    recent = set(infos.filter(happened_on__gte=last_month).values_list("status", flat=True))
    assert {"submitted", "approved", "returned", "draft"} <= recent
    for info in infos.filter(status=WorkInfo.Status.ACCEPTED)[:50]:
        trail = list(info.events.values_list("action", "at"))
        assert trail[0][0] == "create" and trail[-1][0] == "accept"
        assert [at for _action, at in trail] == sorted(at for _action, at in trail)
        assert timezone.localdate(trail[0][1]) == info.happened_on
    assert (
        WorkInfo.objects.filter(status="returned").exclude(return_reason="").count()
        == WorkInfo.objects.filter(status="returned").count()
    )


# --- The 待我处理 badge against the home page's report lists, for every persona of the demo -----------------
# The badge's count (home_inbox_count, on every page) is the total the home page lists (home_inbox: reports, work
# information, cross-checks, action items, plans, problems, self-evaluations), and the reports' part of each agrees
# too, on the demo's own day and on the days around the month's deadlines. (tests/test_navbar_queries.py checks the
# same on a small world, with the badge's query count.)


DEADLINE_DAYS = ("today", "before the due date", "after the due date", "the close day", "after the close day")


def _deadline_day(which: str) -> datetime.date:
    """Today, or a day around the deadlines of the month just ended (after its close day, it is locked)."""
    period = dates.last_ended_period()
    due, close = deadlines.due_date(period), deadlines.close_date(period)
    days = [
        dates.today(),
        due - datetime.timedelta(days=1),
        due + datetime.timedelta(days=1),
        close,
        close + datetime.timedelta(days=3),
    ]
    return dict(zip(DEADLINE_DAYS, days, strict=True))[which]


@pytest.mark.parametrize("which", DEADLINE_DAYS)
def test_the_badge_counts_what_the_home_page_lists_for_every_persona(seeded, which):
    users = list(get_user_model().objects.filter(is_active=True).order_by("username"))
    assert len(users) > 20  # every district's officer and leader, the office, the liaisons, the admin
    day = _deadline_day(which)
    for user in users:
        with perms.remembered_unit_grants():  # as inside a request (the home page, the bar on any page)
            home = home_inbox(user, day)
            badge = home_inbox_count(user, day)
        listed, reports = home.total, home.reports.total
        assert (badge, inbox_count(user, day)) == (listed, reports), (user.username, day)
        if which == "today":  # and outside one (a task, the shell)
            assert home_inbox_count(user, day) == listed, (user.username, day)


def test_the_demo_officer_sees_the_same_number_on_the_badge_and_the_home_page(seeded, client):
    """Issue 19: the badge said 2 (the reports) where the home page listed 10 things to do."""
    officer = get_user_model().objects.get(username="dongli-officer")
    client.force_login(officer)
    home = client.get(reverse("home")).context["home_inbox"]
    assert home.reports.total >= 2  # a month to fill and a returned report at least
    assert home.coordination.total and home.total > home.reports.total  # action items, …
    assert (
        'data-nav-count="waiting" title="首页列出的待办事项"'
        in client.get(reverse("notification-list")).content.decode()
    )
    assert clients.nav_counts(client)["waiting"] == home.total
    assert home_inbox_count(officer) == home.total


def test_the_demo_has_cross_checks_in_every_state_and_a_plan_waiting_for_two_opinions(seeded):
    """Issue 18: tax revenue checked by 市税务局 for the last accepted month, two thirds of it: agreements, one
    discrepancy waiting for its district and one explained; a plan's version 2 waits for two bureaus."""
    from coordination.models import PlanOpinion, PlanStatus
    from ledgers.models import FigureCheck, IndicatorSource

    sources = dict(IndicatorSource.objects.values_list("indicator__code", "member_unit__code"))
    assert sources == {"tax_revenue": "tax", "fixed_asset_investment": "statistics", "land_supplied": "land"}
    statuses = list(FigureCheck.objects.values_list("status", flat=True))
    assert statuses.count(FigureCheck.Status.OPEN) == 1 and statuses.count(FigureCheck.Status.ANSWERED) == 1
    assert statuses.count(FigureCheck.Status.AGREED) >= 10
    waiting = PlanOpinion.objects.filter(state=PlanOpinion.State.REQUESTED, version__plan__status=PlanStatus.SUBMITTED)
    by_plan = {}
    for opinion in waiting.select_related("member_unit"):
        by_plan.setdefault(opinion.version.plan_id, set()).add(opinion.member_unit.code)
    assert {"planning", "land"} in by_plan.values()
