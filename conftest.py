"""Shared personas for every test: built once per test through the same services the app uses."""

import contextlib
import copy
import datetime
import inspect
import io
import os
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from rest_framework.test import APIClient

from coordination import services as org
from coordination.models import MemberUnit, OrgUnit, Role, TownStatus, WorkingGroup
from coordination.reference import WORKING_GROUPS
from tests import databases

PASSWORD = "test-pass-123"

# The one clock of the test suite. Every test runs on this day (10:00 in Tianjin, the clock ticking from
# there) unless it moves the clock itself with the `time_machine` fixture; nothing depends on the real
# date. CI runs the date-sensitive tests again with TEST_TODAY set to a month's 1st, its due day, the day
# after its close day, 31 December and a day of the next year (.ci/run).
TEST_TODAY = datetime.date.fromisoformat(os.environ.get("TEST_TODAY") or "2026-11-20")
TIANJIN = ZoneInfo("Asia/Shanghai")


def tianjin_time(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TIANJIN)


@pytest.fixture(scope="session", autouse=True)
def pinned_clock():
    """Pin "today" for the whole run, session- and module-scoped fixtures included (see TEST_TODAY).

    The clock ticks on from 10:00, so times still move forward; a test that needs another day calls `on_day`.
    """
    with time_machine.travel(tianjin_time(TEST_TODAY), tick=True):
        yield TEST_TODAY


@pytest.fixture
def on_day(time_machine):
    """on_day(date[, hour]): move the clock to that day in Tianjin, for a test that needs a given "today"."""

    def move(day: datetime.date, hour: int = 10) -> datetime.date:
        time_machine.move_to(tianjin_time(day, hour), tick=True)
        return day

    return move


def _make_user(username: str, role: str, unit: OrgUnit, **kwargs):
    return org.user_create(username=username, password=PASSWORD, role=role, org_unit=unit, **kwargs)


def build_world() -> SimpleNamespace:
    """A municipality, two districts with towns, and one user per persona.

    dongli: officer, leader (reviewer) and two towns; xiqing: officer (the outsider) and one town;
    office members of every working group (policy accepts statistics); a read-only leader; an admin (a
    superuser); the three administrators of 三员分立: system, security and audit.
    """
    city = OrgUnit.objects.create(code="120000", name="天津市", level=OrgUnit.Level.MUNICIPAL)
    dongli = OrgUnit.objects.create(code="120110", name="东丽区", slug="dongli", level="district", parent=city, order=1)
    xiqing = OrgUnit.objects.create(code="120111", name="西青区", slug="xiqing", level="district", parent=city, order=2)
    since = datetime.date(2024, 1, 1)
    common = {"host_township": "华明街", "lead_industry": "智能制造", "status": TownStatus.CREATING}
    huaming = org.town_create(district=dongli, code="T0101", name="华明智能制造小镇", reporting_from=since, **common)
    dongli2 = org.town_create(
        district=dongli, code="T0102", name="东丽湖温泉小镇", reporting_from=since, order=2, **common
    )
    xiqing_town = org.town_create(district=xiqing, code="T0201", name="精武文化小镇", reporting_from=since, **common)
    groups = {
        code: WorkingGroup.objects.create(code=code, name=name, duties=duties, order=i)
        for i, (code, name, duties) in enumerate(WORKING_GROUPS)
    }
    stats = MemberUnit.objects.create(code="statistics", name="市统计局")
    users = SimpleNamespace(
        officer=_make_user("dongli-officer", Role.OFFICER, dongli, full_name="东丽信息员"),
        reviewer=_make_user("dongli-leader", Role.REVIEWER, dongli, full_name="东丽主管领导"),
        outsider=_make_user("xiqing-officer", Role.OFFICER, xiqing, full_name="西青信息员"),
        outsider_reviewer=_make_user("xiqing-leader", Role.REVIEWER, xiqing),
        office_policy=_make_user("office-policy", Role.OFFICE, city, working_group=groups["policy"]),
        office_assess=_make_user("office-assess", Role.OFFICE, city, working_group=groups["assess"]),
        office_planning=_make_user("office-planning", Role.OFFICE, city, working_group=groups["planning"]),
        office_coord=_make_user("office-coord", Role.OFFICE, city, working_group=groups["coord"]),
        leader=_make_user("leader", Role.LEADER, city, full_name="召集人"),
        liaison=_make_user("liaison-stats", Role.LIAISON, city, member_unit=stats),
        admin=get_user_model().objects.create_superuser("admin", "admin@example.com", PASSWORD),
        # 三员分立 (issue 22): the three administrators, none a superuser.
        sysadmin=_make_user("sysadmin", Role.ADMIN, city, full_name="系统管理员"),
        security=_make_user("secadmin", Role.SECURITY, city, full_name="安全管理员"),
        auditor=_make_user("auditor", Role.AUDITOR, city, full_name="安全审计员"),
    )
    return SimpleNamespace(
        city=city,
        dongli=dongli,
        xiqing=xiqing,
        town=huaming,
        town2=dongli2,
        outsider_town=xiqing_town,
        groups=groups,
        users=users,
    )


def _needs_committed_data(item: pytest.Item) -> bool:
    """A test whose data another process or thread must see (a live server, a Celery worker) commits it."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@contextlib.contextmanager
def rolled_back(django_db_blocker):
    """A transaction (a savepoint when one is open already) begun now and rolled back on leaving: what a module-
    or class-scoped fixture builds in it once, its tests (each in a savepoint inside) all start from. The database
    stays blocked in between, as pytest-django wants outside tests."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def _module_world(request, django_db_setup, django_db_blocker):
    """The world built once for a test module, inside a transaction rolled back at the module's end; each test's
    own transaction (the `db` fixture) is a savepoint inside it, so every test starts from the same world.

    A module with a test that commits its data (a browser or Celery test) gets None: those tests build their
    own world, since an open transaction would hide it from the server and the worker.
    """
    items = [item for item in request.session.items if item.getparent(pytest.Module) is request.node]
    if any(_needs_committed_data(item) for item in items):
        yield None
        return
    with rolled_back(django_db_blocker):
        with django_db_blocker.unblock():
            built = build_world()
        yield built


@pytest.fixture
def world(_module_world, db):
    """The personas' world (`build_world`): the module's copy, fresh for each test.

    The database rolls back after each test; the objects are deep copies, so a test that changes one in memory
    (or a service that refreshes it) leaves the next test's untouched. Tests that commit their data build it anew.
    """
    if _module_world is None:
        return build_world()
    return copy.deepcopy(_module_world)


def built_once_per_class(build):
    """Two fixtures for test data that takes long to build: `name, _name_per_class = built_once_per_class(_build_name)`
    in a test module, `build(world)` returning the data (a run, a report…).

    In a test class, the data is built once, on the module's world, inside a savepoint rolled back at the class's
    end, and each test gets a deep copy of what `build` returned (as `world` hands out copies); every test of the
    class must ask for it, since it stays until the class ends. Outside a class, or in a module whose tests commit,
    each test builds its own.
    """
    name = build.__name__.removeprefix("_build_")
    hidden = f"_{name}_per_class"

    def per_class(request, _module_world, django_db_blocker):
        if request.cls is None or _module_world is None:
            yield None
            return
        items = [item for item in request.session.items if item.getparent(pytest.Class) is request.node]
        strays = [item.name for item in items if hidden not in item.fixturenames]
        if strays:
            raise pytest.UsageError(f"{request.node.name}: {', '.join(strays)} would see the data of `{name}`")
        with rolled_back(django_db_blocker):
            with django_db_blocker.unblock():
                built = build(copy.deepcopy(_module_world))
            yield built

    def per_test(world, **shared):
        built = shared[hidden]
        return build(world) if built is None else copy.deepcopy(built)

    per_test.__signature__ = inspect.Signature(
        [
            inspect.Parameter("world", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter(hidden, inspect.Parameter.KEYWORD_ONLY),
        ]
    )
    per_test.__doc__ = build.__doc__
    return pytest.fixture(per_test, name=name), pytest.fixture(per_class, scope="class", name=hidden)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    """Each worker's test database is a copy of the kept migrated template when there is one (tests.databases)."""
    from django.conf import settings

    if not databases.enabled():
        return
    with django_db_blocker.unblock():
        name = databases.migrated_name()
        if databases.exists(name):
            settings.DATABASES["default"]["TEST"]["TEMPLATE"] = name


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """pytest-django's test databases; a database just migrated is kept as the template of the next run.

    When a test of the run commits its data, the migrated database is taken as a snapshot (tests.databases.Snapshot)
    that each such test starts from and leaves behind (`_from_the_snapshot`).
    """
    from django.conf import settings
    from django.db import connection

    name = databases.migrated_name()
    fresh = settings.DATABASES["default"]["TEST"].get("TEMPLATE") != name
    if databases.enabled() and fresh and not request.config.getvalue("reuse_db"):
        with django_db_blocker.unblock():
            databases.keep(connection.settings_dict["NAME"], name)
    if not any(_needs_committed_data(item) for item in request.session.items):
        yield
        return
    with django_db_blocker.unblock():
        snapshot = databases.Snapshot(connection)
    with _from_the_snapshot(snapshot):
        yield


@contextlib.contextmanager
def _from_the_snapshot(snapshot):
    """A test that commits its data (pytest-django runs it as a TransactionTestCase) starts from the migrated
    database and leaves it behind: its set-up and its teardown put back what differs from the snapshot. This
    replaces Django's own steps, a flush of every table after the test, and for `serialized_rollback` the serialized
    copy of the migrated database loaded on top of it before: the snapshot already is that database.
    """
    from django.test import TransactionTestCase

    setup, teardown = TransactionTestCase._fixture_setup, TransactionTestCase._fixture_teardown

    def fixture_setup(cls):
        if snapshot.covers(cls._databases_names(include_mirrors=False)):
            snapshot.reset()
            cls.serialized_rollback = False  # nothing to load: the database is the migrated one
        setup.__func__(cls)

    def fixture_teardown(self):
        if snapshot.covers(self._databases_names(include_mirrors=False)):
            snapshot.reset()
        else:
            teardown(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_setup", classmethod(fixture_setup))
        patch.setattr(TransactionTestCase, "_fixture_teardown", fixture_teardown)
        yield


def _use_database(name: str) -> None:
    """Point the default connection at database `name` (it reconnects on its next query)."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def _copy_database(source: str, target: str) -> None:
    """CREATE DATABASE target as a copy of source, which PostgreSQL allows only while nobody is connected to it:
    a live server's or a Celery worker's connection left from an earlier test is ended first."""
    from django.db import OperationalError, connection

    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        try:
            cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
        except OperationalError:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [source],
            )
            cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


@pytest.fixture(scope="session")
def _demo_database(django_db_setup, django_db_blocker):
    """This worker's demo database: a copy of the migrated test database with the demo world (`seed_demo`)
    committed in it, made the first time a module asks for `demo` and dropped at the end of the run. seed_demo
    takes a while; this way it runs once per worker instead of once per module (and per worker), and not at all
    when a template of the same files is kept (tests.databases).

    The notifications' e-mails that seed_demo queues when it commits are dropped (as they were when the demo was
    built in a transaction rolled back at the module's end): a Celery test must not find them in its broker.
    """
    from django.db import connection

    test_database = connection.settings_dict["NAME"]
    name = f"{test_database}_demo"
    kept = databases.demo_name(TEST_TODAY.isoformat()) if databases.enabled() else None
    with django_db_blocker.unblock():
        if kept and databases.exists(kept):
            _copy_database(kept, name)
            output = databases.note(kept)
        else:
            output = _seed_demo_into(test_database, name)
            if kept:
                databases.keep(name, kept, output)
    yield SimpleNamespace(name=name, test_database=test_database, output=output)
    with django_db_blocker.unblock():
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _seed_demo_into(test_database: str, name: str) -> str:
    """Database `name`: a copy of `test_database` with seed_demo run and committed in it; its output."""
    from django.db import connection

    output = io.StringIO()
    _copy_database(test_database, name)
    _use_database(name)
    try:
        with transaction.atomic():
            call_command("seed_demo", stdout=output)
            connection.run_on_commit.clear()
        # Statistics for the planner, as autovacuum would gather them on a live database before long: without
        # them a query over two years of audit rows may pick nested loops and take minutes instead of a second.
        # The kept template and its copies carry them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    finally:
        _use_database(test_database)
    return output.getvalue()


@pytest.fixture(scope="module")
def demo(_demo_database, django_db_blocker):
    """The demo world (`seed_demo`): for the module, the connection goes to this worker's demo database; a test
    asks for it through a fixture that also takes `db`, so that its changes roll back and every test starts from
    the same demo. Such a module does not use `world` (whose districts the demo has too)."""
    from django.db import connection

    if connection.in_atomic_block:
        raise RuntimeError("`demo` must be set up before any module-wide transaction (`world`) of its module.")
    with django_db_blocker.unblock():
        _use_database(_demo_database.name)
    try:
        yield _demo_database
    finally:
        with django_db_blocker.unblock():
            _use_database(_demo_database.test_database)


@pytest.fixture
def api():
    """An API client factory: api(user) is authenticated as that user."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


FULL_VALUES = {
    "fixed_asset_investment": "1200.50",
    "industry_investment": "800",
    "private_investment": "300",
    "tax_revenue": "150.25",
    "main_business_revenue": "5600",
    "land_quota_granted": "12",
    "land_supplied": "8.5",
    "new_enterprises": "3",
    "employment": "2100",
    "tourists": "4.2",
    "projects_started": "2",
    "projects_completed": "1",
}


# FULL_VALUES report investment without project progress, which the rules flag for an explanation.
FIXTURE_EXPLANATIONS = {"fixed_asset_investment": "本月投资为企业设备更新，未纳入项目台账。"}


def let_file(world, town, period: datetime.date) -> None:
    """Set-up for filing a month past its close day, which is locked (R-3.4): the office's exception for the
    town (written directly, without the notification the service sends). Nothing for a month still open."""
    from ledgers import deadlines
    from ledgers.models import EntryException

    if deadlines.is_closed(period):
        EntryException.objects.get_or_create(
            town=town,
            period=period,
            defaults={
                "reason": "补报",
                "expires_on": datetime.date(2099, 12, 31),
                "granted_by": world.users.office_policy,
            },
        )


@pytest.fixture
def full_values():
    return dict(FULL_VALUES)


@pytest.fixture
def make_report(world):
    """make_report(status, town=…, period=…) carries a report through the real services to `status`."""
    return report_maker(world)


def report_maker(world):
    """What `make_report` gives, for a `world` of one's choice (a module-wide one, say)."""
    from ledgers import services as ledger
    from ledgers.models import ReportStatus

    def make(status=ReportStatus.DRAFT, *, town=None, period=datetime.date(2026, 9, 1), values=None):
        u = world.users
        town = town or world.town
        let_file(world, town, period)
        report = ledger.monthly_report_create(actor=u.officer, town=town, period=period)
        report = ledger.monthly_report_save(
            actor=u.officer, report=report, values=values or FULL_VALUES, explanations=FIXTURE_EXPLANATIONS
        )
        if status == ReportStatus.DRAFT:
            return report
        report = ledger.monthly_report_submit(actor=u.officer, report=report)
        if status == ReportStatus.RETURNED:
            return ledger.monthly_report_return(actor=u.reviewer, report=report, reason="数据有误")
        if status == ReportStatus.SUBMITTED:
            return report
        report = ledger.monthly_report_approve(actor=u.reviewer, report=report)
        if status == ReportStatus.DISTRICT_APPROVED:
            return report
        return ledger.monthly_report_accept(actor=u.office_policy, report=report)

    return make


@pytest.fixture(autouse=True)
def _fresh_holiday_calendar():
    """The working-day calendar caches the administrator's entries per process; each test starts afresh."""
    from tianjin_towns.lib import dates

    dates.clear_calendar_cache()
    yield
    dates.clear_calendar_cache()
