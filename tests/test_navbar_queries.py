"""The navigation bar on every page: its badges (待我处理, work information, problems, notifications) count what
waits for the user in a few queries that do not grow with the data, asked for apart from the page (GET /nav/counts/,
static/js/nav_counts.js) so that no page waits for them, and the user's grants are read once a request. The 待我处理
badge counts everything the home page lists (tianjin_towns.inbox), no more and no less."""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from assessments import inbox_selectors as assessment_inbox
from assessments.tests.factories import make_run, make_scheme
from coordination import grants
from coordination import permissions as perms
from coordination import services as org
from coordination.models import OrgUnit, Role, TownStatus
from coordination.templatetags.navigation_tags import nav_permissions
from coordination.tests.factories import make_item
from inspections.selectors import problem_inbox, problem_inbox_count
from ledgers import selectors as ledger_selectors
from ledgers import services as ledger
from ledgers.models import ReportStatus
from ledgers.permissions import can_import_reports
from tests import clients
from tests.personas import EVERY_PERSONA
from tianjin_towns.inbox import home_inbox, home_inbox_count, navigation_counts
from tianjin_towns.lib import dates

S = ReportStatus
TODAY = datetime.date(2026, 11, 26)
PERIOD = dates.last_ended_period(TODAY)  # the month the inbox asks to fill
# The world's personas but the admin and two of the office's working groups, which some tests add.
PERSONAS = tuple(p for p in EVERY_PERSONA if p not in {"office_assess", "office_planning", "admin"})


@pytest.fixture
def waiting(world, make_report):
    """Something in every state the inbox lists: 华明's month still a draft (东丽湖's not opened), 精武's
    submitted, older months returned and district-approved, an accepted one with a correction requested."""
    make_report(S.DRAFT, period=PERIOD)
    make_report(S.SUBMITTED, town=world.outsider_town, period=PERIOD)
    make_report(S.RETURNED, period=dates.add_months(PERIOD, -1))
    make_report(S.DISTRICT_APPROVED, town=world.town2, period=dates.add_months(PERIOD, -1))
    accepted = make_report(S.ACCEPTED, period=dates.add_months(PERIOD, -2))
    ledger.monthly_report_reopen_request(actor=world.users.officer, report=accepted, reason="税收收入填错")
    return world


def _more_data(world, make_report, n: int = 4):
    """More towns with reports in every state: the counts grow, their queries must not."""
    for i in range(n):
        town = org.town_create(
            district=world.dongli, code=f"T09{i}", name=f"新增小镇{i}", host_township="华明街",
            lead_industry="智能制造", status=TownStatus.CREATING, reporting_from=datetime.date(2024, 1, 1),
        )  # fmt: skip
        make_report(S.SUBMITTED, town=town, period=PERIOD)
        make_report(S.DISTRICT_APPROVED, town=town, period=dates.add_months(PERIOD, -1))
        make_report(S.RETURNED, town=town, period=dates.add_months(PERIOD, -2))


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_badge_counts_what_the_inbox_lists(waiting, persona):
    user = getattr(waiting.users, persona)
    expected = ledger_selectors.inbox_for_user(user, TODAY).total
    assert ledger_selectors.inbox_count(user, TODAY) == expected
    with perms.remembered_unit_grants():  # as inside a request, where the grants are read once
        assert ledger_selectors.inbox_count(user, TODAY) == expected
        assert problem_inbox_count(user) == problem_inbox(user).total


def test_the_officer_has_months_to_fill_and_a_returned_report_and_the_office_a_report_and_a_correction(waiting):
    assert ledger_selectors.inbox_count(waiting.users.officer, TODAY) == 3  # 华明 draft, 东丽湖 unopened, returned
    assert ledger_selectors.inbox_count(waiting.users.outsider_reviewer, TODAY) == 1
    assert ledger_selectors.inbox_count(waiting.users.office_policy, TODAY) == 2  # to accept, correction request
    assert ledger_selectors.inbox_count(waiting.users.leader, TODAY) == 0


# --- The 待我处理 badge and the home page ------------------------------------------------------------------

login = clients.login
BADGE = 'data-nav-count="waiting" title="首页列出的待办事项"'


@pytest.fixture
def beyond_reports(waiting):
    """Besides the reports: an action item for 华明, which its officer reports on (督办事项). The badge used to
    count the reports and the work information only, while the home page listed the action item too."""
    make_item(waiting)
    return waiting


@pytest.mark.parametrize("persona", EVERY_PERSONA)
def test_the_badge_counts_what_the_home_page_lists(beyond_reports, persona):
    user = getattr(beyond_reports.users, persona)
    listed = home_inbox(user, TODAY).total
    assert home_inbox_count(user, TODAY) == listed
    with perms.remembered_unit_grants():
        assert home_inbox_count(user, TODAY) == listed


def test_the_officers_badge_counts_the_action_item_and_self_evaluations_the_home_page_lists(beyond_reports):
    officer = beyond_reports.users.officer
    listed = home_inbox(officer, TODAY)
    assert listed.reports.total == 3 and listed.work_info_count == 0  # all the old badge counted
    assert listed.coordination.total == 1  # the action item
    # October's monthly and the third quarter's self-evaluations of 东丽区 and its two towns, overdue.
    assert len(listed.assessments["self_evaluations"]) == 6
    assert home_inbox_count(officer, TODAY) == 10


def test_the_office_counts_the_run_it_is_to_publish(world):
    run = make_run(world, make_scheme(world, 2026))
    for user in (world.users.office_assess, world.users.office_policy):
        listed = assessment_inbox.home_items(user, TODAY)
        assert listed["runs_to_publish"] == [run] and listed["total"] == 1
        assert assessment_inbox.home_items_count(user, TODAY) == 1 and home_inbox_count(user, TODAY) >= 1
    assert assessment_inbox.home_items_count(world.users.leader, TODAY) == 0  # publishes nothing, fills nothing


def test_the_badge_on_every_page_is_the_number_of_items_on_the_home_page(beyond_reports, login, on_day):
    on_day(TODAY)
    client = login(beyond_reports.users.officer)
    home = client.get(reverse("home")).content.decode()
    other = client.get(reverse("notification-list")).content.decode()
    items = home.count('class="list-group-item inbox-item"')
    assert items == 10
    assert BADGE in home and BADGE in other  # the badge nav_counts.js fills on every page
    assert clients.nav_counts(client)["waiting"] == items


def test_a_user_with_nothing_waiting_sees_no_badge_and_the_empty_home_page(world, login):
    client = login(world.users.leader)
    home = client.get(reverse("home")).content.decode()
    assert "暂无待办事项" in home
    assert clients.nav_counts(client) == {"waiting": 0, "info_waiting": 0, "problems_waiting": 0, "unread": 0}


def test_the_counts_are_for_a_signed_in_user_only_and_never_cached(client):
    """A page whose session ended while it was open asks for the counts without one: nothing to count."""
    response = client.get(reverse("nav-counts"))
    assert response.status_code == 204 and response.content == b"" and "no-store" in response["Cache-Control"]
    assert client.post(reverse("nav-counts")).status_code == 405


def _navbar_queries(user) -> tuple[int, int]:
    """The queries of the navigation bar a page renders, and those of its counts (GET /nav/counts/)."""
    request = RequestFactory().get("/")
    request.user, request.resolver_match = user, resolve(reverse("home"))
    with perms.remembered_unit_grants(), CaptureQueriesContext(connection) as bar:
        render_to_string("includes/navbar.html", {"user": user, "request": request}, request=request)
    with perms.remembered_unit_grants(), CaptureQueriesContext(connection) as counts:
        navigation_counts(user, TODAY)
    return len(bar.captured_queries), len(counts.captured_queries)


@pytest.mark.parametrize("persona", PERSONAS)
def test_navbar_queries_are_few_and_do_not_grow_with_the_data(waiting, make_report, persona):
    user = getattr(waiting.users, persona)
    User = type(user)
    before = _navbar_queries(User.objects.get(pk=user.pk))  # the user as a request loads it
    _more_data(waiting, make_report)
    assert _navbar_queries(User.objects.get(pk=user.pk)) == before
    bar, counts = before
    # The page's bar: the grants, the profile and its unit (the user menu), and whether the Excel import is
    # offered. Its counts: the grants, one per badge of its own (problems, notifications, work information), and
    # one for each of 待我处理's parts besides those (tianjin_towns.inbox: the reports, the cross-checks,
    # coordination, the self-evaluations; none for a part the user holds no grant on). An officer has them all.
    assert bar <= 4 and counts <= 8


def test_a_page_of_a_reader_without_work_spends_few_queries_on_its_bar_and_its_counts(
    waiting, client, django_assert_max_num_queries
):
    client.force_login(waiting.users.leader)
    client.get(reverse("notification-list"))
    # The session, the user, the profile; the list's counts (all, unread); the grants and the unit (the bar).
    with django_assert_max_num_queries(7):
        assert client.get(reverse("notification-list")).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("nav-counts")).status_code == 200


# --- Grants remembered for one request ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS + ("admin",))
def test_remembered_grants_reach_what_guardian_grants(world, persona):
    user = getattr(world.users, persona)
    for perm in (perms.VIEW, perms.FILL, perms.APPROVE, perms.ACCEPT, perms.MANAGE_INSPECTIONS, perms.MANAGE_MEETINGS):
        asked = set(perms.org_units_for_user(user, perm))
        with perms.remembered_unit_grants():
            assert set(perms.org_units_for_user(user, perm)) == asked, perm


def test_grants_are_read_once_within_a_request(world, django_assert_num_queries):
    officer = world.users.officer
    with perms.remembered_unit_grants():
        perms.org_units_for_user(officer, perms.VIEW).count()  # the grants, then the count
        with django_assert_num_queries(2):
            perms.towns_for_user(officer, perms.FILL).count()
            perms.org_units_for_user(officer, perms.APPROVE).exists()  # none held: no query at all
            perms.towns_for_user(officer, perms.VIEW).count()


def test_a_role_changed_within_the_request_is_seen_at_once(world):
    officer = world.users.officer
    with perms.remembered_unit_grants():
        assert perms.towns_for_user(officer, perms.FILL).exists()
        org.user_assign_role(user=officer, role=Role.REVIEWER, org_unit=world.xiqing)
        assert not perms.towns_for_user(officer, perms.FILL).exists()
        assert set(perms.towns_for_user(officer, perms.APPROVE)) == {world.outsider_town}


def test_nothing_is_remembered_from_one_request_to_the_next(world, client):
    """The test client sends the request signals as a server does: after the request, grants are asked afresh."""
    client.force_login(world.users.officer)
    assert client.get(reverse("notification-list")).status_code == 200
    OrgUnit.objects.filter(pk=world.dongli.pk)  # between requests: not inside one
    assert grants._remembered.get() is None


def test_the_account_menu_has_a_name_when_only_its_icon_shows(world, client):
    """From 1200 to 1399 px the account menu is an icon alone: a screen reader still names it and whose it is."""
    client.force_login(world.users.officer)
    page = client.get(reverse("home")).content.decode()
    assert 'aria-label="账户菜单：东丽信息员"' in page


def test_the_import_entry_is_offered_as_the_import_page_decides(world, django_assert_num_queries):
    """The bar offers the Excel import to whoever fills for a district (ledgers.permissions.can_import_reports);
    a town's officer fills in towns only, which the remembered grants tell without asking about districts."""
    town_officer = org.user_create(
        username="huaming-officer", password="Xx-2026-pass", role=Role.OFFICER, org_unit=world.town.unit
    )
    people = [*vars(world.users).values(), town_officer]
    for person in people:
        with perms.remembered_unit_grants():
            offered = nav_permissions(person)["imports_reports"]
        assert offered == can_import_reports(person), person.username
    assert can_import_reports(world.users.officer) and not can_import_reports(town_officer)
    with perms.remembered_unit_grants():
        perms.unit_perms_held(town_officer)  # the grants, read once in a request
        with django_assert_num_queries(0):
            assert perms.holds_on_towns_only(town_officer, perms.FILL)
            assert not perms.holds_on_towns_only(town_officer, perms.APPROVE)  # held nowhere
        perms.unit_perms_held(world.users.officer)
        assert not perms.holds_on_towns_only(world.users.officer, perms.FILL)  # the district's officer
