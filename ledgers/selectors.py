"""Reads across relations for monthly reports and ledgers; every list here is a fixed number of queries."""

import datetime
import functools
import operator
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import EmptyResultSet
from django.db.models import (
    CharField,
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from coordination import permissions as unit_perms
from coordination.models import Town
from coordination.permissions import towns_for_user
from tianjin_towns.lib import dates

from . import deadlines
from . import permissions as report_perms
from .models import (
    DataFlag,
    EntryException,
    Evidence,
    Indicator,
    MonthlyReport,
    MonthlyReportAudit,
    Project,
    ProjectAudit,
    ProjectProgress,
    ProjectProgressAudit,
    ProjectYearPlan,
    ReopenRequest,
    ReportEvent,
    ReportStatus,
    ReportValue,
    ReportValueAudit,
    Timeliness,
    WorkInfo,
)


def active_indicators(period: datetime.date | None = None) -> list[Indicator]:
    """The catalogue in its order; with `period`, only the indicators a report of that month carries
    (their active_from/active_to months, R-1.7). A raw query: every dashboard request reads it, and the ORM
    took longer to build the statement than the database took to answer it. `part_of` is not joined:
    callers that need the whole an indicator is part of look it up among these by `part_of_id`."""
    indicators = list(
        Indicator.objects.raw(f'SELECT * FROM {Indicator._meta.db_table} WHERE active ORDER BY "order", code')
    )
    if period is None:
        return indicators
    return [indicator for indicator in indicators if indicator.applies_in(period)]


def indicators_of_year(year: int) -> list[Indicator]:
    """The indicators that apply in at least one month of `year` (the columns of that year's ledger)."""
    months = dates.months_of_year(year)
    return [i for i in active_indicators() if any(i.applies_in(month) for month in months)]


def indicators_by_code(period: datetime.date) -> dict[str, Indicator]:
    """code → indicator (with the whole it is part of) for a report of `period`: what it requires and accepts."""
    indicators = Indicator.objects.filter(active=True).select_related("part_of").order_by("order", "code")
    return {i.code: i for i in indicators if i.applies_in(period)}


def monthly_report_list(
    user: AbstractBaseUser,
    *,
    period: datetime.date | None = None,
    district_id: int | None = None,
    town_id: int | None = None,
    status: str | None = None,
    year: int | None = None,
) -> QuerySet[MonthlyReport]:
    qs = report_perms.monthly_reports_for_user(user).select_related("town__unit", "town__district", "submitted_by")
    if period:
        qs = qs.filter(period=period)
    if year:
        qs = qs.filter(period__year=year)
    if district_id:
        qs = qs.filter(town__district_id=district_id)
    if town_id:
        qs = qs.filter(town_id=town_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-period", "town__district__order", "town__unit__order", "town__unit__code")


def report_values(report: MonthlyReport) -> dict[str, Decimal]:
    return {code: value for code, value in report.values.values_list("indicator__code", "value")}


def report_progress_rows(report: MonthlyReport) -> list[ProjectProgress]:
    """The report's project rows; each reads its plan as frozen at acceptance or, while open, the current one."""
    return list(
        report.project_progress.select_related("project", "report")
        .prefetch_related("project__year_plans")
        .order_by("project__code")
    )


def report_history(report: MonthlyReport) -> list[ReportEvent]:
    return list(report.events.select_related("actor").order_by("at", "pk"))


def changes_since_last_return(report: MonthlyReport) -> dict[str, list]:
    """For a resubmitted report: each figure changed after the last return, as [value at return, value now]."""
    events = report_history(report)
    last_return = max((i for i, e in enumerate(events) if e.action == ReportEvent.Action.RETURN), default=None)
    if last_return is None:
        return {}
    merged: dict[str, list] = {}
    for event in events[last_return + 1 :]:
        for code, (old, new) in event.changes.get("values", {}).items():
            merged.setdefault(code, [old, new])[1] = new
    return {code: pair for code, pair in merged.items() if pair[0] != pair[1]}


@dataclass
class Inbox:
    """What waits for the user (待我处理)."""

    to_fill: list = field(default_factory=list)  # (town, period, report-or-None) still to be filed
    returned: list = field(default_factory=list)
    to_approve: list = field(default_factory=list)
    to_accept: list = field(default_factory=list)
    to_reopen: list = field(default_factory=list)  # correction requests for the office to decide (issue 3)
    # In to_fill: the towns whose month is missing and locked, with a report row or without one.
    locked_town_ids: set = field(default_factory=set)

    @property
    def total(self) -> int:
        return len(self.to_fill) + len(self.returned) + len(self.to_approve) + len(self.to_accept) + len(self.to_reopen)


def inbox_for_user(user: AbstractBaseUser, today: datetime.date | None = None) -> Inbox:
    inbox = Inbox()
    today = today or dates.today()
    period = dates.last_ended_period(today)
    fill_towns = list(towns_for_user(user, report_perms.EDIT).select_related("unit", "district"))
    if fill_towns:
        reports = {
            r.town_id: r
            for r in MonthlyReport.objects.filter(town__in=fill_towns, period=period).select_related("town__unit")
        }
        # After the close day the month is missing and locked, recorded yet or not, unless excepted.
        closed = deadlines.is_closed(period, today)
        excepted = deadlines.excepted_town_ids(fill_towns, period, today) if closed else set()
        for town in fill_towns:
            report = reports.get(town.pk)
            if town.expects_report(period) and (report is None or report.status == ReportStatus.DRAFT):
                inbox.to_fill.append((town, period, report))
                # Listed all the same, so that the officer knows to ask the office for an exception.
                submitted_at = report.submitted_at if report else None
                if deadlines.entry_locked(
                    town.pk, period, submitted_at=submitted_at, today=today, excepted=town.pk in excepted
                ):
                    inbox.locked_town_ids.add(town.pk)
        inbox.returned = list(
            report_perms.monthly_reports_for_user(user, report_perms.EDIT)
            .filter(status=ReportStatus.RETURNED)
            .select_related("town__unit", "town__district")
            .order_by("period")
        )
    base = MonthlyReport.objects.select_related("town__unit", "town__district").order_by("period", "town__unit__code")
    inbox.to_approve = list(
        base.filter(
            status=ReportStatus.SUBMITTED,
            pk__in=report_perms.monthly_reports_for_user(user, report_perms.APPROVE).values("pk"),
        )
    )
    inbox.to_accept = list(
        base.filter(
            status=ReportStatus.DISTRICT_APPROVED,
            pk__in=report_perms.monthly_reports_for_user(user, report_perms.ACCEPT).values("pk"),
        )
    )
    inbox.to_reopen = reopen_requests_to_decide(user)
    return inbox


def inbox_count(user: AbstractBaseUser, today: datetime.date | None = None) -> int:
    """`inbox_for_user(user, today).total` without building the lists, for the navigation badge on every
    page: the same rules (a test holds the two together), counted in the database in at most three queries,
    and none for what the user holds no grant on (known without a query inside a request)."""
    period = dates.last_ended_period(today)
    edit, approve, accept = (
        unit_perms.org_units_for_user(user, perm)
        for perm in (report_perms.EDIT, report_perms.APPROVE, report_perms.ACCEPT)
    )
    total = 0
    if not edit.query.is_empty():
        # To fill: towns the user files for that expect the month's report and have none yet, or a draft.
        month_report = MonthlyReport.objects.filter(town=OuterRef("pk"), period=period).order_by().values("status")
        fill_towns = (
            Town.objects.filter(unit__in=edit.values("pk"))
            .only("unit", "reporting_from", "exited_on")
            .annotate(report_status=Subquery(month_report))
        )
        total += sum(
            1 for town in fill_towns if town.expects_report(period) and town.report_status in (None, ReportStatus.DRAFT)
        )
    # Returned to the user, waiting for the user's approval, waiting for the user's acceptance: one count.
    # (The scopes as org units rather than report ids, so the database hashes a few units, not every report.)
    waiting = [
        Q(status=status, town__unit__in=units.values("pk"))
        for status, units in (
            (ReportStatus.RETURNED, edit),
            (ReportStatus.SUBMITTED, approve),
            (ReportStatus.DISTRICT_APPROVED, accept),
        )
        if not units.query.is_empty()
    ]
    if waiting:
        statuses = (ReportStatus.RETURNED, ReportStatus.SUBMITTED, ReportStatus.DISTRICT_APPROVED)
        total += MonthlyReport.objects.filter(functools.reduce(operator.or_, waiting), status__in=statuses).count()
    if not accept.query.is_empty():
        total += ReopenRequest.objects.filter(
            status=ReopenRequest.Status.PENDING, report__town__unit__in=accept.values("pk")
        ).count()
    return total


@dataclass
class LedgerCell:
    status: str | None  # report status, or None when no report exists
    expected: bool
    value: Decimal | None  # accepted figure only
    applies: bool = True  # the indicator applies in this month (its active_from/active_to, R-1.7)

    @property
    def gap(self) -> str | None:
        """Why the cell has no accepted figure: 'missing' (no report), 'pending' (not yet accepted), None."""
        if not self.applies or not self.expected or self.status == ReportStatus.ACCEPTED:
            return None
        return "missing" if self.status is None else "pending"


@dataclass
class LedgerRow:
    town: Town
    cells: list[LedgerCell]
    total: Decimal | None


@dataclass
class Ledger:
    """One indicator's town × month matrix for a year, with totals; only accepted figures count."""

    year: int
    indicator: Indicator
    months: list[datetime.date]
    rows: list[LedgerRow]
    month_totals: list[Decimal | None]
    total: Decimal | None


def _year_total(indicator: Indicator, values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    if indicator.kind == Indicator.Kind.STOCK:
        return present[-1]  # a stock is read at its latest month
    return sum(present, Decimal(0))


def ledger_for_indicator(towns: QuerySet[Town], *, year: int, indicator: Indicator) -> Ledger:
    months = dates.months_of_year(year)
    town_list = list(towns.select_related("unit", "district").order_by("district__order", "unit__order", "unit__code"))
    statuses = {
        (town_id, period): status
        for town_id, period, status in MonthlyReport.objects.filter(
            town__in=[t.pk for t in town_list], period__year=year
        ).values_list("town_id", "period", "status")
    }
    values = {
        (town_id, period): value
        for town_id, period, value in ReportValue.objects.filter(
            report__town__in=[t.pk for t in town_list],
            report__period__year=year,
            report__status=ReportStatus.ACCEPTED,
            indicator=indicator,
        ).values_list("report__town_id", "report__period", "value")
    }
    rows = []
    for town in town_list:
        cells = [
            LedgerCell(
                status=statuses.get((town.pk, m)),
                expected=town.expects_report(m) and dates.period_has_ended(m),
                value=values.get((town.pk, m)) if indicator.applies_in(m) else None,
                applies=indicator.applies_in(m),
            )
            for m in months
        ]
        rows.append(LedgerRow(town=town, cells=cells, total=_year_total(indicator, [c.value for c in cells])))
    month_totals = []
    for index in range(12):
        present = [row.cells[index].value for row in rows if row.cells[index].value is not None]
        month_totals.append(sum(present, Decimal(0)) if present else None)
    town_totals = [row.total for row in rows if row.total is not None]
    total = sum(town_totals, Decimal(0)) if town_totals else None
    return Ledger(year=year, indicator=indicator, months=months, rows=rows, month_totals=month_totals, total=total)


def accepted_values_by_town_month(
    towns: QuerySet[Town], year: int
) -> dict[tuple[int, datetime.date], dict[str, Decimal]]:
    """All accepted figures of a year for the given towns: {(town_id, period): {code: value}}."""
    result: dict[tuple[int, datetime.date], dict[str, Decimal]] = defaultdict(dict)
    rows = ReportValue.objects.filter(
        report__town__in=towns.values("pk"), report__period__year=year, report__status=ReportStatus.ACCEPTED
    ).values_list("report__town_id", "report__period", "indicator__code", "value")
    for town_id, period, code, value in rows.iterator(chunk_size=5000):
        result[(town_id, period)][code] = value
    return result


def towns_in_scope(user: AbstractBaseUser, *, district_id: int | None = None, town_id: int | None = None):
    towns = towns_for_user(user)
    if district_id:
        towns = towns.filter(district_id=district_id)
    if town_id:
        towns = towns.filter(pk=town_id)
    return towns


# --- REST API (issue 2): prefetches so API lists and details are a fixed number of queries ----


def report_values_prefetch() -> Prefetch:
    """A report's figures with their indicators, in catalogue order: `.prefetch_related(...)` on lists."""
    return Prefetch(
        "values",
        queryset=ReportValue.objects.select_related("indicator").order_by("indicator__order", "indicator__code"),
    )


def report_events_with_actors(report: MonthlyReport) -> list[ReportEvent]:
    """The audit trail with each actor's profile (for the display name), oldest first."""
    return list(report.events.select_related("actor__profile").order_by("at", "pk"))


def project_progress_prefetch() -> Prefetch:
    """A project's monthly rows with their report (for the period and status), oldest month first; the rows read
    their plan from the project's `year_plans`, prefetched beside this one (see `project_prefetches`)."""
    return Prefetch("progress", queryset=ProjectProgress.objects.select_related("report").order_by("report__period"))


def project_prefetches() -> list:
    """What a project's page or API answer reads: its year plans and its monthly rows."""
    return [Prefetch("year_plans", queryset=ProjectYearPlan.objects.order_by("year")), project_progress_prefetch()]


def project_list(
    user: AbstractBaseUser,
    *,
    district_id: int | None = None,
    town_id: int | None = None,
    status: str | None = None,
    category: str | None = None,
    year: int | None = None,
    search: str = "",
    with_progress: bool = True,
) -> QuerySet[Project]:
    """The projects `user` sees, filtered; `year` keeps those under way in that year (started by its end and
    not finished before it, or planned so). The API lists them with their monthly rows; the page without."""
    projects = report_perms.projects_for_user(user).select_related("town__unit", "town__district")
    if district_id:
        projects = projects.filter(town__district_id=district_id)
    if town_id:
        projects = projects.filter(town_id=town_id)
    if status:
        projects = projects.filter(status=status)
    if category:
        projects = projects.filter(category=category)
    if year:
        year_start, year_end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        started = Q(actual_start__lte=year_end) | Q(actual_start__isnull=True, planned_start__lte=year_end)
        not_started = Q(actual_start__isnull=True, planned_start__isnull=True)
        unfinished = Q(actual_finish__isnull=True) | Q(actual_finish__gte=year_start)
        projects = projects.filter((started | not_started) & unfinished)
    search = (search or "").strip()
    if search:
        projects = projects.filter(Q(code__icontains=search) | Q(name__icontains=search) | Q(owner__icontains=search))
    prefetches = (
        project_prefetches()
        if with_progress
        else [Prefetch("year_plans", queryset=ProjectYearPlan.objects.order_by("year"))]
    )
    return projects.prefetch_related(*prefetches).order_by(
        "town__district__order", "town__unit__order", "town__unit__code", "code"
    )


def project_detail_parts(project: Project) -> dict:
    """What the project page shows beside its identity: plans by year, monthly rows, attachments, history."""
    prefetch_related_objects([project], *project_prefetches())
    return {
        "year_plans": list(project.year_plans.all()),
        "progress": list(project.progress.all()),
        "attachments": list(project.attachments.select_related("uploaded_by__profile").order_by("uploaded_at", "pk")),
        "events": [_readable_event(e) for e in project.events.select_related("actor__profile").order_by("-at", "-pk")],
    }


def _readable_event(event):
    """A project event with `readable`: [{"label", "old", "new"}], labels and choices as the user reads them."""
    labels = {f.name: str(f.verbose_name) for f in Project._meta.fields}
    choices = {"status": dict(Project.Status.choices), "category": dict(Project.Category.choices)}
    readable = []
    for name, pair in event.changes.items():
        if name == "year_plans":
            for year, (old, new) in sorted(pair.items()):
                readable.append({"label": _("%(year)s年计划投资") % {"year": year}, "old": old, "new": new})
            continue
        if name not in labels or not isinstance(pair, list):
            continue
        old, new = pair
        if name in choices:
            old, new = (str(choices[name].get(v, v)) if v else v for v in (old, new))
        readable.append({"label": labels[name], "old": old, "new": new})
    event.readable = readable
    return event


# --- Browser pages (issue 2): reads behind the report entry form and the home page -----------------


def report_project_rows(report: MonthlyReport) -> list[tuple[Project, ProjectProgress | None]]:
    """The town's projects for the report's entry form, each with its progress row in this report (or None).

    Projects completed before the report's month are left out unless the report already has a row for them.
    """
    progress = {row.project_id: row for row in report.project_progress.all()}
    projects = (
        Project.objects.filter(town_id=report.town_id)
        .filter(
            ~Q(status=Project.Status.COMPLETED)
            | Q(actual_finish__isnull=True)
            | Q(actual_finish__gte=report.period)
            | Q(pk__in=list(progress))
        )
        .prefetch_related("year_plans")
        .order_by("code")
    )
    rows = []
    for project in projects:
        project.report_year_plan = project.plan_for_year(report.period.year)  # the plan the month is filled against
        rows.append((project, progress.get(project.pk)))
    return rows


@dataclass
class PeriodOverview:
    """How far the reports of one month have come in the user's scope (the home page's counters)."""

    period: datetime.date
    expected: int
    received: int  # submitted or further
    accepted: int


def period_overview(user: AbstractBaseUser, period: datetime.date) -> PeriodOverview:
    towns = list(towns_for_user(user).only("reporting_from", "exited_on"))
    expected_ids = {t.pk for t in towns if t.expects_report(period)}
    counts = dict(
        MonthlyReport.objects.filter(town__in=expected_ids, period=period)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    received = sum(n for status, n in counts.items() if status not in (ReportStatus.DRAFT, ReportStatus.RETURNED))
    return PeriodOverview(
        period=period, expected=len(expected_ids), received=received, accepted=counts.get(ReportStatus.ACCEPTED, 0)
    )


# --- Assessments (issue 7): year-to-date accepted figures and per-month timeliness, for scoring ---


@dataclass
class YearToDate:
    """A town's accepted figure for one indicator from January to a month: flows summed, stocks latest."""

    value: Decimal
    months: int  # accepted months that contributed
    report_ids: list[int]  # the accepted reports the figure came from (a stock: the latest only)
    periods: list[datetime.date]  # their months, in the same order
    through: datetime.date  # the latest month with an accepted figure


def accepted_year_to_date(town_ids, *, year: int, through: datetime.date) -> dict[tuple[int, str], YearToDate]:
    """{(town_id, indicator code): YearToDate} over accepted reports of `year` up to `through` (a month); one query."""
    rows = (
        ReportValue.objects.filter(
            report__town__in=list(town_ids),
            report__period__gte=datetime.date(year, 1, 1),
            report__period__lte=dates.month_start(through),
            report__status=ReportStatus.ACCEPTED,
        )
        .order_by("report__period")
        .values_list("report__town_id", "report__period", "report_id", "indicator__code", "indicator__kind", "value")
    )
    result: dict[tuple[int, str], YearToDate] = {}
    for town_id, period, report_id, code, kind, value in rows.iterator(chunk_size=5000):
        figure = result.get((town_id, code))
        if figure is None:
            result[(town_id, code)] = YearToDate(
                value=value, months=1, report_ids=[report_id], periods=[period], through=period
            )
        elif kind == Indicator.Kind.STOCK:
            figure.value, figure.report_ids, figure.periods, figure.through = value, [report_id], [period], period
            figure.months += 1
        else:
            figure.value += value
            figure.report_ids.append(report_id)
            figure.periods.append(period)
            figure.months += 1
            figure.through = period
    return result


@dataclass
class MonthTimeliness:
    period: datetime.date
    report_id: int | None
    timeliness: str | None  # on_time, late, missing; None while the month is still open (not counted)


def report_timeliness_by_town(
    towns: QuerySet[Town], *, start: datetime.date, end: datetime.date, today: datetime.date | None = None
) -> dict[int, list[MonthTimeliness]]:
    """Each expected month from `start` to `end` per town with the report's timeliness (R-3.4); two queries.

    A month the town was not expected to report (before joining, after exit) is absent. A report never
    submitted counts as missing once the month's close day has passed.
    """
    today = today or dates.today()
    town_list = list(towns.only("unit_id", "reporting_from", "exited_on"))
    months = []
    period = dates.month_start(start)
    while period <= end:
        months.append(period)
        period = dates.add_months(period, 1)
    reports = {
        (town_id, period): (pk, timeliness, submitted_at)
        for pk, town_id, period, timeliness, submitted_at in MonthlyReport.objects.filter(
            town__in=[t.pk for t in town_list], period__gte=dates.month_start(start), period__lte=end
        ).values_list("pk", "town_id", "period", "timeliness", "submitted_at")
    }
    result: dict[int, list[MonthTimeliness]] = {}
    for town in town_list:
        entries = []
        for month in months:
            if not town.expects_report(month):
                continue
            pk, timeliness, submitted_at = reports.get((town.pk, month), (None, None, None))
            if deadlines.is_missing(month, timeliness=timeliness, submitted_at=submitted_at, today=today):
                timeliness = Timeliness.MISSING
            entries.append(MonthTimeliness(period=month, report_id=pk, timeliness=timeliness))
        result[town.pk] = entries
    return result


# --- Timeliness rates up the hierarchy (issue 8, R-3.4): the dashboards and GET /api/v1/timeliness/ ---


@dataclass
class TimelinessCount:
    """Expected reports of one org unit and month and how they arrived. `received` = on time + late;
    `pending` = expected reports whose close day has not passed yet and that have not arrived."""

    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0

    @property
    def received(self) -> int:
        return self.on_time + self.late

    @property
    def pending(self) -> int:
        return self.expected - self.received - self.missing

    @property
    def received_rate(self) -> float | None:
        return round(self.received * 100 / self.expected, 1) if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time * 100 / self.expected, 1) if self.expected else None

    @property
    def state(self) -> str:
        """One town-month as a heatmap cell: not_expected, on_time, late, missing or pending."""
        if not self.expected:
            return "not_expected"
        if self.on_time:
            return Timeliness.ON_TIME
        if self.late:
            return Timeliness.LATE
        return Timeliness.MISSING if self.missing else "pending"

    def __add__(self, other: "TimelinessCount") -> "TimelinessCount":
        return TimelinessCount(
            self.expected + other.expected,
            self.on_time + other.on_time,
            self.late + other.late,
            self.missing + other.missing,
        )

    def as_dict(self) -> dict:
        return {
            "expected": self.expected,
            "received": self.received,
            "on_time": self.on_time,
            "late": self.late,
            "missing": self.missing,
            "pending": self.pending,
            "received_rate": self.received_rate,
            "on_time_rate": self.on_time_rate,
        }


@dataclass
class TimelinessTable:
    """Counts per month of `year` (ended months only) for the towns, their districts and all of them together."""

    year: int
    months: list[datetime.date]
    towns: dict[int, dict[datetime.date, TimelinessCount]] = field(default_factory=dict)
    districts: dict[int, dict[datetime.date, TimelinessCount]] = field(default_factory=dict)
    total: dict[datetime.date, TimelinessCount] = field(default_factory=dict)

    @staticmethod
    def year_sum(by_month: dict[datetime.date, TimelinessCount]) -> TimelinessCount:
        return sum(by_month.values(), TimelinessCount())


def timeliness_table(
    towns: QuerySet[Town], *, year: int, today: datetime.date | None = None, by_town: bool = True
) -> TimelinessTable:
    """Timeliness of the towns' reports per month of `year`, summed up to districts and the whole scope
    in the database (one query whatever the number of towns and reports).

    A month counts once it has ended, for the towns expected to report it (Town.expects_report).
    Missing is ledgers.deadlines' rule in SQL (deadlines.missing_sql): recorded so, or never submitted
    and the close day passed, recorded yet or not; before the close day it is pending. Rates add up
    because every level counts the same town-months.
    """
    from django.db import connection

    today = today or dates.today()
    months = [m for m in dates.months_of_year(year) if dates.period_has_ended(m, today)]
    table = TimelinessTable(year=year, months=months)
    if not months:
        return table
    closed = deadlines.closed_flags(months, today)
    missing, missing_params = deadlines.missing_sql("r", "m.closed")
    try:
        scope_sql, scope_params = towns.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a scope known to be empty (no grant) has no SQL: nothing is expected of it
        return table
    sets = "(m.period), (t.district_id, m.period)" + (", (t.district_id, t.unit_id, m.period)" if by_town else "")
    town_column = "t.unit_id" if by_town else "NULL::bigint"
    sql = f"""
        SELECT t.district_id, {town_column}, m.period, GROUPING(t.district_id),
               COUNT(*),
               COUNT(*) FILTER (WHERE r.timeliness = %s),
               COUNT(*) FILTER (WHERE r.timeliness = %s),
               COUNT(*) FILTER (WHERE {missing})
        FROM unnest(%s::date[], %s::boolean[]) AS m(period, closed)
        JOIN {Town._meta.db_table} t
          ON t.reporting_from <= m.period
         AND (t.exited_on IS NULL OR m.period < date_trunc('month', t.exited_on)::date)
        LEFT JOIN (
            SELECT town_id, period, timeliness, submitted_at FROM {MonthlyReport._meta.db_table}
            WHERE period BETWEEN %s AND %s  -- only the year's reports, not ten years of them
        ) r ON r.town_id = t.unit_id AND r.period = m.period
        WHERE t.unit_id IN ({scope_sql})
        GROUP BY GROUPING SETS ({sets})
    """
    params = [Timeliness.ON_TIME, Timeliness.LATE, *missing_params, months, closed, months[0], months[-1]]
    params += scope_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for district_id, town_id, period, grouping, expected, on_time, late, missing in cursor.fetchall():
            count = TimelinessCount(expected, on_time, late, missing)
            if grouping:
                table.total[period] = count
            elif town_id is None:
                table.districts.setdefault(district_id, {})[period] = count
            else:
                table.towns.setdefault(town_id, {})[period] = count
    return table


# --- Data quality and the audit trail (issue 3) ---------------------------------


def report_flags(report: MonthlyReport) -> list[DataFlag]:
    return list(
        report.flags.select_related("indicator", "rule", "resolved_by__profile").order_by(
            "indicator__order", "indicator__code"
        )
    )


def report_evidence(report: MonthlyReport) -> list[Evidence]:
    return list(report.evidence.select_related("indicator", "uploaded_by__profile").order_by("uploaded_at", "pk"))


def unexplained_flags(report: MonthlyReport) -> list[DataFlag]:
    """Open flags whose figure has neither an explanation (on any of its flags) nor an evidence file."""
    flags = report_flags(report)
    explained = {flag.indicator_id for flag in flags if flag.explanation.strip()}
    explained |= set(report.evidence.filter(indicator__isnull=False).values_list("indicator_id", flat=True))
    return [f for f in flags if f.status == DataFlag.Status.OPEN and f.indicator_id not in explained]


def reopen_requests(report: MonthlyReport) -> list[ReopenRequest]:
    return list(report.reopen_requests.select_related("requested_by__profile", "decided_by__profile"))


@dataclass
class ComparisonRow:
    label: str
    unit: str
    accepted: Decimal | None  # the accepted version (snapshot)
    current: Decimal | None
    places: int = 2

    @property
    def changed(self) -> bool:
        return self.accepted != self.current


@dataclass
class Comparison:
    """An accepted report under correction (or corrected): the accepted version next to the current one."""

    request: ReopenRequest
    figures: list[ComparisonRow]
    projects: list[ComparisonRow]

    @property
    def changed_count(self) -> int:
        return sum(row.changed for row in self.figures + self.projects)


def _decimal(text) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))


def reopen_comparison(report: MonthlyReport, indicators: list[Indicator]) -> Comparison | None:
    """The latest approved correction's accepted version against the report's figures now."""
    request = (
        report.reopen_requests.filter(status=ReopenRequest.Status.APPROVED)
        .select_related("requested_by__profile", "decided_by__profile")
        .order_by("-decided_at")
        .first()
    )
    if request is None:
        return None
    snapshot = request.snapshot or {}
    accepted_values = snapshot.get("values", {})
    current = report_values(report)
    figures = [
        ComparisonRow(i.name, i.unit, _decimal(accepted_values.get(i.code)), current.get(i.code), i.decimal_places)
        for i in indicators
    ]
    progress = {row.project.code: row for row in report_progress_rows(report)}
    accepted_projects = snapshot.get("projects", {})
    projects = []
    for code in sorted(set(progress) | set(accepted_projects)):
        row = progress.get(code)
        name = row.project.name if row else accepted_projects[code].get("name", code)
        projects.append(
            ComparisonRow(
                f"{code} {name}",
                "万元",
                _decimal(accepted_projects.get(code, {}).get("investment_month")),
                row.investment_month if row else None,
            )
        )
    return Comparison(request=request, figures=figures, projects=projects)


# The trail (修改记录): workflow events and every change the database triggers recorded -----------------


@dataclass
class TrailEntry:
    """One line of a report's trail, in the shape of the history API (at, user, action, changes…)."""

    at: datetime.datetime
    actor: object  # a user or None
    action: str
    label: str
    from_status: str = ""
    to_status: str = ""
    reason: str = ""
    changes: dict = field(default_factory=dict)
    direct: bool = False  # made around the services (admin, bulk update, SQL)


DIRECT_CHANGE = "direct_change"
PROGRESS_FIELDS = ("investment_month", "investment_year", "investment_total", "physical_progress", "problems")


def _text_of(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _direct_source(metadata: dict | None) -> str:
    url = (metadata or {}).get("url") or ""
    if url.startswith("/admin/"):
        return _("在管理后台修改（%(url)s）") % {"url": url}
    if url:
        return _("在页面请求中绕过业务流程修改（%(url)s）") % {"url": url}
    return _("绕过业务流程直接修改数据库（批量更新、脚本或 SQL）")


def _walk(events, fields: tuple[str, ...]):
    """(event, {field: [old, new]}) for each audit event, diffed against the object's previous event."""
    previous: dict = {}
    for event in events:
        before = previous.get(event.pgh_obj_id)
        if event.pgh_label == "delete":
            diff = {name: [_text_of(getattr(event, name)), None] for name in fields}
            previous.pop(event.pgh_obj_id, None)
        else:
            diff = {
                name: [_text_of(getattr(before, name)) if before else None, _text_of(getattr(event, name))]
                for name in fields
            }
            previous[event.pgh_obj_id] = event
        yield event, {name: pair for name, pair in diff.items() if pair[0] != pair[1]}


def _direct_entries(report: MonthlyReport) -> list[TrailEntry]:
    """Changes of the report's figures, project rows and status that no service made, grouped per operation."""
    codes = dict(Indicator.objects.values_list("pk", "code"))
    grouped: dict = {}

    def add(event, section: str, key, diff) -> None:
        metadata = event.pgh_context.metadata if event.pgh_context_id else None
        if not diff or (metadata and metadata.get("service")):
            return
        group_key = event.pgh_context_id or event.pgh_created_at
        entry = grouped.get(group_key)
        if entry is None:
            entry = grouped[group_key] = TrailEntry(
                at=event.pgh_created_at,
                actor=(metadata or {}).get("user"),
                action=DIRECT_CHANGE,
                label=_("绕过业务流程的修改"),
                reason=(metadata or {}).get("reason") or _direct_source(metadata),
                direct=True,
            )
        if section == "report":
            entry.changes.setdefault("report", {}).update(diff)
            if "status" in diff:
                entry.from_status, entry.to_status = diff["status"][0] or "", diff["status"][1] or ""
        elif section == "values":
            entry.changes.setdefault("values", {})[key] = diff["value"]
        else:
            entry.changes.setdefault("projects", {}).setdefault(key, {}).update(diff)

    values = ReportValueAudit.objects.filter(report_id=report.pk).select_related("pgh_context").order_by("pgh_id")
    for event, diff in _walk(values, ("value",)):
        add(event, "values", codes.get(event.indicator_id, str(event.indicator_id)), diff)
    progress = list(
        ProjectProgressAudit.objects.filter(report_id=report.pk).select_related("pgh_context").order_by("pgh_id")
    )
    project_codes = dict(Project.objects.filter(pk__in={e.project_id for e in progress}).values_list("pk", "code"))
    for event, diff in _walk(progress, PROGRESS_FIELDS):
        add(event, "projects", project_codes.get(event.project_id, str(event.project_id)), diff)
    statuses = MonthlyReportAudit.objects.filter(pgh_obj_id=report.pk).select_related("pgh_context").order_by("pgh_id")
    for event, diff in _walk(statuses, ("status", "timeliness")):
        if event.pgh_label != "insert":
            add(event, "report", None, diff)
    entries = list(grouped.values())
    users = _users({entry.actor for entry in entries if entry.actor})
    for entry in entries:
        entry.actor = users.get(entry.actor)
    return entries


def _users(ids) -> dict:
    ids = {int(pk) for pk in ids if str(pk).isdigit()}
    if not ids:
        return {}
    return {user.pk: user for user in get_user_model().objects.filter(pk__in=ids).select_related("profile")}


def report_trail(report: MonthlyReport) -> list[TrailEntry]:
    """The report's whole trail, oldest first: workflow events, then changes made around the services."""
    entries = [
        TrailEntry(
            at=event.at,
            actor=event.actor,
            action=event.action,
            label=event.get_action_display(),
            from_status=event.from_status,
            to_status=event.to_status,
            reason=event.reason,
            changes=event.changes,
        )
        for event in report_events_with_actors(report)
    ]
    entries += _direct_entries(report)
    return sorted(entries, key=lambda entry: entry.at)


# Gaps (查漏补缺, R-3.6) -------------------------------------------------------------------------------

GAP_KINDS = ("missing", "late", "overdue", "flagged")


@dataclass
class GapItem:
    town: Town
    period: datetime.date
    kinds: list[str]
    report_id: int | None
    status: str | None
    open_flags: int
    due_on: datetime.date
    close_on: datetime.date


@dataclass
class GapTown:
    town: Town
    items: list[GapItem]


@dataclass
class GapDistrict:
    district: object
    towns: list[GapTown]
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(len(t.items) for t in self.towns)


@dataclass
class GapTable:
    year: int
    districts: list[GapDistrict]
    counts: dict[str, int]
    expected: int

    @property
    def items(self) -> list[GapItem]:
        return [item for d in self.districts for t in d.towns for item in t.items]


def gaps_for_year(
    user: AbstractBaseUser, *, year: int, district_id: int | None = None, today: datetime.date | None = None
) -> GapTable:
    """Every expected report of `year` that is missing (漏报), was late (迟报), is overdue and not yet
    in (逾期未报), or was accepted with flags still open; grouped per district and town. 3 queries.

    Missing is ledgers.deadlines' rule (recorded or not). Acceptance closes every flag (confirmed with the
    district's explanation, or waived with a reason), so "flagged" lists what was accepted before that
    rule, or flags opened since."""
    today = today or dates.today()
    towns = list(
        towns_in_scope(user, district_id=district_id)
        .select_related("unit", "district")
        .order_by("district__order", "unit__order", "unit__code")
    )
    months = [m for m in dates.months_of_year(year) if dates.period_has_ended(m, today)]
    reports = {
        (town_id, period): (pk, status, timeliness, submitted_at, due_on)
        for pk, town_id, period, status, timeliness, submitted_at, due_on in MonthlyReport.objects.filter(
            town__in=[t.pk for t in towns], period__year=year
        ).values_list("pk", "town_id", "period", "status", "timeliness", "submitted_at", "due_on")
    }
    open_flags = dict(
        DataFlag.objects.filter(
            report__town__in=[t.pk for t in towns],
            report__period__year=year,
            report__status=ReportStatus.ACCEPTED,
            status=DataFlag.Status.OPEN,
        )
        .values("report")
        .annotate(n=Count("pk"))
        .values_list("report", "n")
    )
    close_dates = {m: deadlines.close_date(m) for m in months}
    due_dates = {m: deadlines.due_date(m) for m in months}
    districts: dict[int, GapDistrict] = {}
    totals = dict.fromkeys(GAP_KINDS, 0)
    expected = 0
    for town in towns:
        district = districts.setdefault(
            town.district_id, GapDistrict(district=town.district, towns=[], counts=dict.fromkeys(GAP_KINDS, 0))
        )
        items = []
        for month in months:
            if not town.expects_report(month):
                continue
            expected += 1
            pk, status, timeliness, submitted_at, due_on = reports.get((town.pk, month), (None, None, None, None, None))
            due_on = due_on if timeliness else due_dates[month]  # the rule's date until judged (MonthlyReport.deadline)
            kinds = []
            if deadlines.is_missing(month, timeliness=timeliness, submitted_at=submitted_at, today=today):
                kinds.append("missing")
            elif timeliness == Timeliness.LATE:
                kinds.append("late")
            elif submitted_at is None and due_on < today:
                kinds.append("overdue")
            flags = open_flags.get(pk, 0) if status == ReportStatus.ACCEPTED else 0
            if flags:
                kinds.append("flagged")
            if not kinds:
                continue
            items.append(GapItem(town, month, kinds, pk, status, flags, due_on, close_dates[month]))
            for kind in kinds:
                district.counts[kind] += 1
                totals[kind] += 1
        if items:
            district.towns.append(GapTown(town=town, items=items))
    return GapTable(year=year, districts=list(districts.values()), counts=totals, expected=expected)


# Office-wide audit search (R-3.5) -----------------------------------------------------------------

AUDIT_MODELS = {
    "value": ReportValueAudit,
    "progress": ProjectProgressAudit,
    "report": MonthlyReportAudit,
    "project": ProjectAudit,
}
AUDIT_TOWN_FIELD = {"value": "report__town", "progress": "report__town", "report": "town", "project": "town"}
PROJECT_AUDIT_FIELDS = (
    "name",
    "category",
    "owner",
    "status",
    "total_investment",
    "planned_start",
    "planned_finish",
    "actual_start",
    "actual_finish",
    "land_mu",
    "content",
)


def audit_keys(
    user: AbstractBaseUser,
    *,
    user_id: int | None = None,
    town_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet:
    """(kind, pgh_id, at) of every recorded change of statistics in the caller's scope, newest first.

    A union over the audit tables, so a Paginator counts and slices it in the database.
    """
    visible = towns_for_user(user).values("pk")
    parts = []
    for kind, model in AUDIT_MODELS.items():
        town_field = AUDIT_TOWN_FIELD[kind]
        qs = model.objects.filter(**{f"{town_field}__in": visible})
        if town_id:
            qs = qs.filter(**{town_field: town_id})
        if user_id is not None:
            qs = qs.filter(pgh_context__metadata__user=user_id)
        if date_from:
            qs = qs.filter(pgh_created_at__date__gte=date_from)
        if date_to:
            qs = qs.filter(pgh_created_at__date__lte=date_to)
        parts.append(
            qs.annotate(kind=Value(kind, output_field=CharField())).values_list("kind", "pgh_id", "pgh_created_at")
        )
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-pgh_created_at", "-pgh_id")


def audit_user_id(text: str | None) -> int | None:
    """The audit search's `user`: an id or a username; an unknown username matches nobody (0)."""
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    return get_user_model().objects.filter(username=text).values_list("pk", flat=True).first() or 0


@dataclass
class AuditRow:
    at: datetime.datetime
    user: object
    object: str
    action: str
    changes: list[dict]  # [{"field", "old", "new"}]
    reason: str
    source: str
    report_id: int | None
    town_id: int | None
    direct: bool = False  # made around the services


ACTION_LABELS = {"insert": _lazy("新增"), "update": _lazy("修改"), "delete": _lazy("删除")}


def audit_rows(keys: list[tuple[str, int, datetime.datetime]]) -> list[AuditRow]:
    """The page of `audit_keys` as readable rows: object, old → new per field, who, why. Fixed queries."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, pgh_id, _at in keys:
        by_kind[kind].append(pgh_id)
    events: dict[tuple[str, int], object] = {}
    previous: dict[tuple[str, int], object] = {}
    for kind, ids in by_kind.items():
        model = AUDIT_MODELS[kind]
        page = list(model.objects.filter(pgh_id__in=ids).select_related("pgh_context"))
        for event in page:
            events[(kind, event.pgh_id)] = event
        # Each object's earlier events, to find the value before each change (few per object).
        earlier = model.objects.filter(pgh_obj_id__in={e.pgh_obj_id for e in page}, pgh_id__lt=max(ids)).order_by(
            "pgh_id"
        )
        history: dict[int, list] = defaultdict(list)
        for event in earlier:
            history[event.pgh_obj_id].append(event)
        for event in page:
            before = [e for e in history.get(event.pgh_obj_id, []) if e.pgh_id < event.pgh_id]
            previous[(kind, event.pgh_id)] = before[-1] if before else None

    report_ids = {e.report_id for (k, _id), e in events.items() if k in ("value", "progress")}
    report_ids |= {e.pgh_obj_id for (k, _id), e in events.items() if k == "report"}
    reports = {
        r.pk: r for r in MonthlyReport.objects.filter(pk__in=report_ids).select_related("town__unit", "town__district")
    }
    town_ids = {e.town_id for (k, _id), e in events.items() if k == "project"}
    towns = {t.pk: t for t in Town.objects.filter(pk__in=town_ids).select_related("unit")}
    indicators = {i.pk: i for i in Indicator.objects.all()}
    project_ids = {e.project_id for (k, _id), e in events.items() if k == "progress"}
    projects = {p.pk: p for p in Project.objects.filter(pk__in=project_ids)}
    users = _users({(e.pgh_context.metadata or {}).get("user") for e in events.values() if e.pgh_context_id})
    labels = {f.name: str(f.verbose_name) for f in ProjectProgress._meta.fields + Project._meta.fields}
    labels.update(status=str(_lazy("状态")), timeliness=str(_lazy("及时性")))

    rows = []
    for kind, pgh_id, _at in keys:
        event = events.get((kind, pgh_id))
        if event is None:
            continue
        before = previous.get((kind, pgh_id))
        metadata = event.pgh_context.metadata if event.pgh_context_id else {}
        report = reports.get(getattr(event, "report_id", None) or (event.pgh_obj_id if kind == "report" else None))
        where = f"{report.town.unit.name} {report.period:%Y-%m}" if report else ""
        if kind == "value":
            indicator = indicators.get(event.indicator_id)
            name = f"{indicator.name}（{indicator.unit}）" if indicator else str(event.indicator_id)
            obj, fields = f"{where} · {name}", {"value": name}
        elif kind == "progress":
            project = projects.get(event.project_id)
            obj = f"{where} · {_('项目')} {project.code if project else event.project_id}"
            fields = {name: labels.get(name, name) for name in PROGRESS_FIELDS}
        elif kind == "report":
            obj, fields = f"{where} {_('月报')}", {"status": labels["status"], "timeliness": labels["timeliness"]}
        else:
            town = towns.get(event.town_id)
            obj = f"{town.unit.name if town else ''} · {_('项目')} {event.code} {event.name}"
            fields = {name: labels.get(name, name) for name in PROJECT_AUDIT_FIELDS}
        changes = []
        for name, label in fields.items():
            new = _choice_label(kind, name, _text_of(getattr(event, name)))
            old = _choice_label(kind, name, _text_of(getattr(before, name))) if before is not None else None
            if event.pgh_label == "delete":
                old, new = new, None
            if old != new:
                changes.append({"field": label, "old": old, "new": new})
        service = metadata.get("service") or ""
        rows.append(
            AuditRow(
                at=event.pgh_created_at,
                user=users.get(int(metadata["user"])) if str(metadata.get("user", "")).isdigit() else None,
                object=obj,
                action=str(ACTION_LABELS.get(event.pgh_label, event.pgh_label)),
                changes=changes,
                reason=metadata.get("reason") or "",
                source=_audit_source(service, metadata),
                report_id=report.pk if report else None,
                town_id=report.town_id if report else getattr(event, "town_id", None),
                direct=not service,
            )
        )
    return rows


CHOICE_LABELS = {
    ("report", "status"): dict(ReportStatus.choices),
    ("report", "timeliness"): dict(Timeliness.choices),
    ("project", "status"): dict(Project.Status.choices),
    ("project", "category"): dict(Project.Category.choices),
}


def _choice_label(kind: str, name: str, value: str | None) -> str | None:
    """A stored choice as the user reads it: accepted → 已验收."""
    labels = CHOICE_LABELS.get((kind, name))
    return str(labels.get(value, value)) if labels and value is not None else value


SERVICE_LABELS = {
    "monthly_report_create": _lazy("新建月报"),
    "monthly_report_save": _lazy("填报保存"),
    "monthly_report_submit": _lazy("报送"),
    "monthly_report_approve": _lazy("区级审核"),
    "monthly_report_accept": _lazy("验收"),
    "monthly_report_return": _lazy("退回"),
    "monthly_reports_import": _lazy("Excel导入"),
    "monthly_reports_mark_missing": _lazy("记为漏报"),
    "monthly_report_reopen_approve": _lazy("批准更正"),
    "project_create": _lazy("新建项目"),
    "project_update": _lazy("修改项目"),
    "project_attachment_add": _lazy("上传项目附件"),
    "indicator_create": _lazy("新增统计指标"),
    "indicator_update": _lazy("修改统计指标"),
    "project_cumulatives_recompute": _lazy("重算累计数"),
    "report_evidence_add": _lazy("上传原始记录"),
    "seed_demo": _lazy("演示数据"),
}


def _audit_source(service: str, metadata: dict) -> str:
    if service:
        return str(SERVICE_LABELS.get(service, service))
    return _direct_source(metadata)


# Exceptions and corrections waiting for the office -------------------------------------------------


def entry_exceptions_for_user(user: AbstractBaseUser) -> QuerySet[EntryException]:
    return (
        EntryException.objects.filter(town__in=towns_for_user(user).values("pk"))
        .select_related("town__unit", "town__district", "granted_by__profile", "revoked_by__profile")
        .order_by("-granted_at", "-pk")
    )


def reopen_requests_to_decide(user: AbstractBaseUser) -> list[ReopenRequest]:
    """Pending correction requests on reports the user may accept (the office's inbox)."""
    return list(
        ReopenRequest.objects.filter(
            status=ReopenRequest.Status.PENDING,
            report__in=report_perms.monthly_reports_for_user(user, report_perms.ACCEPT).values("pk"),
        )
        .select_related("report__town__unit", "report__town__district", "requested_by__profile")
        .order_by("requested_at")
    )


# --- Work information (信息报送, R-3.2) ----------------------------------------------------------------


def work_info_list(
    user: AbstractBaseUser,
    *,
    status: str | None = None,
    category: str | None = None,
    org_unit_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    text: str | None = None,
) -> QuerySet:
    """The items the user sees, filtered; one query for the page whatever its length."""
    infos = report_perms.work_info_for_user(user).select_related("org_unit__parent", "created_by__profile")
    if status:
        infos = infos.filter(status=status)
    if category:
        infos = infos.filter(category=category)
    if org_unit_id:
        infos = infos.filter(Q(org_unit_id=org_unit_id) | Q(org_unit__parent_id=org_unit_id))
    if date_from:
        infos = infos.filter(happened_on__gte=date_from)
    if date_to:
        infos = infos.filter(happened_on__lte=date_to)
    if text:
        infos = infos.filter(Q(title__icontains=text) | Q(body__icontains=text))
    return infos


def work_info_waiting(user: AbstractBaseUser) -> QuerySet:
    """Items waiting for this user: returned to the writer, submitted to the leader, approved to the office."""
    Status = WorkInfo.Status
    waiting = (
        Q(status=Status.RETURNED, pk__in=report_perms.work_info_for_user(user, report_perms.EDIT).values("pk"))
        | Q(status=Status.SUBMITTED, pk__in=report_perms.work_info_for_user(user, report_perms.APPROVE).values("pk"))
        | Q(status=Status.APPROVED, pk__in=report_perms.work_info_for_user(user, report_perms.ACCEPT).values("pk"))
    )
    return WorkInfo.objects.filter(waiting).select_related("org_unit__parent").order_by("happened_on", "pk")


def work_info_events(info) -> list:
    return list(info.events.select_related("actor__profile").order_by("at", "pk"))


def work_info_briefing(user: AbstractBaseUser, period: datetime.date) -> dict:
    """The adopted items of `period`'s month, by category in the catalogue's order (the briefing's material)."""
    start = dates.month_start(period)
    items = (
        report_perms.work_info_for_user(user)
        .filter(status=WorkInfo.Status.ACCEPTED, happened_on__gte=start, happened_on__lt=dates.add_months(start, 1))
        .select_related("org_unit__parent")
        .order_by("org_unit__level", "org_unit__order", "happened_on", "pk")
    )
    grouped = {category: [] for category in WorkInfo.Category}
    for info in items:
        grouped[WorkInfo.Category(info.category)].append(info)
    return {category: rows for category, rows in grouped.items() if rows}
