"""Reads of monthly reports: the catalogue a month carries, lists in a user's scope, one report's figures,
project rows and history, and the home page's counters of a month."""

import datetime
import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from pghistory.models import Context

from coordination.models import OrgUnit, Town, UserProfile
from coordination.permissions import reading_towns_for_user, towns_for_user
from coordination.search_selectors import matching, text_match
from tianjin_towns.lib import dates
from tianjin_towns.lib.queries import attach, columns, joined_rows, narrowed

from .. import deadlines
from .. import permissions as report_perms
from ..models import (
    DataFlag,
    Evidence,
    Indicator,
    MonthlyReport,
    MonthlyReportAudit,
    Project,
    ProjectProgress,
    ProjectProgressAudit,
    ReopenRequest,
    ReportEvent,
    ReportStatus,
    ReportValue,
    ReportValueAudit,
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
    q: str | None = None,
) -> QuerySet[MonthlyReport]:
    """The reports the user sees, newest month first, narrowed by the filters given (`q`: a keyword,
    reports_matching)."""
    qs = report_perms.monthly_reports_for_user(user).select_related("town__unit", "town__district", "submitted_by")
    qs = narrowed(qs, period=period, period__year=year, town__district_id=district_id, town_id=town_id, status=status)
    return reports_matching(qs, q).order_by("-period", "town__district__order", "town__unit__order", "town__unit__code")


# --- The keyword (关键词) of the report list and of the search across the platform (tianjin_towns.search) ------

_MONTH = re.compile(r"^(?P<year>\d{4})(?:[-/.年]?(?P<month>\d{1,2})月?)?年?$")
_MONTH_ONLY = re.compile(r"^(?P<month>\d{1,2})月$")
# The status a town owing a month's report has before it opens one (the list's 未填报 lines).
UNFILED_LABEL = _("未填报")


def _month_named(term: str) -> dict[str, int] | None:
    """The month a term names, as lookups on a period: 2026-10, 2026年10月 or 202610 a month, 2026 or 2026年 a
    year, 10月 that month of every year; None for a term that names no month."""
    whole = _MONTH.match(term)
    if whole:
        year, month = int(whole["year"]), whole["month"]
        if month is None:
            return {"year": year}
        return {"year": year, "month": int(month)} if 1 <= int(month) <= 12 and year >= 1 else None
    only = _MONTH_ONLY.match(term)
    if only and 1 <= int(only["month"]) <= 12:
        return {"month": int(only["month"])}
    return None


def _report_term(term: str) -> Q:
    """A report matches a term by its town's or district's name, its status as shown, or the month it names."""
    match = text_match(term, ("town__unit__name", "town__district__name"))
    match |= Q(status__in=[value for value, label in ReportStatus.choices if term in str(label)])
    month = _month_named(term)
    if month is not None:
        match |= Q(**{f"period__{part}": number for part, number in month.items()})
    return match


def reports_matching(reports: QuerySet[MonthlyReport], keyword: str | None) -> QuerySet[MonthlyReport]:
    """`reports` narrowed to those every term of `keyword` matches (_report_term): the report list's 关键词 and
    the search across the platform, so that the search's 查看全部 lists what it counted."""
    return matching(reports, keyword, _report_term)


def _unfiled_towns_matching(towns: QuerySet[Town], keyword: str | None, period: datetime.date) -> QuerySet[Town]:
    """The towns owing `period` without a report that `keyword` matches as it would their 未填报 line: by the
    town's or district's name, the month, or the status 未填报."""

    def term_match(term: str) -> Q:
        month = _month_named(term)
        names_period = month is not None and all(getattr(period, part) == n for part, n in month.items())
        if names_period or term in str(UNFILED_LABEL):
            return Q()  # every line of the month
        return text_match(term, ("unit__name", "district__name"))

    return matching(towns, keyword, term_match)


# The report list's status filter for the towns that owe a month's report and have none yet (未填报).
UNFILED = "unfiled"


@dataclass
class ReportRow:
    """A line of the report list (月报管理): a town's report of a month or, with a month chosen, a town that owes
    that month's report and has none (`report` None). What the deadlines say of a month not filed yet is
    ledgers.deadlines': overdue (逾期未报), missing (漏报), locked for entry."""

    town: Town
    period: datetime.date
    report: MonthlyReport | None
    due_on: datetime.date
    close_on: datetime.date | None = None
    overdue: bool = False
    missing: bool = False
    locked: bool = False

    @classmethod
    def of(cls, report: MonthlyReport, today: datetime.date | None = None) -> "ReportRow":
        """The line of a report; one not filed yet says whether it is overdue or missing on `today`."""
        period, submitted_at = report.period, report.submitted_at
        return cls(
            town=report.town,
            period=period,
            report=report,
            due_on=report.deadline,
            close_on=deadlines.close_date(period) if submitted_at is None else None,
            overdue=deadlines.is_overdue(period, submitted_at=submitted_at, today=today),
            missing=deadlines.is_missing(period, timeliness=report.timeliness, submitted_at=submitted_at, today=today),
        )


def month_report_rows(
    user: AbstractBaseUser,
    *,
    period: datetime.date,
    district_id: int | None = None,
    town_id: int | None = None,
    status: str | None = None,
    q: str | None = None,
    today: datetime.date | None = None,
) -> list[ReportRow]:
    """Every town in the user's scope that owes the report of `period` (deadlines.expects_report), with its
    report or without one (未填报, once the month has ended), and the reports of other towns of that month; in
    the list's order. `status` UNFILED keeps only the towns without a report. Three queries at most."""
    today = today or dates.today()
    reports: list[MonthlyReport] = []
    if status != UNFILED:
        reports = list(
            monthly_report_list(user, period=period, district_id=district_id, town_id=town_id, status=status, q=q)
        )
    rows = [ReportRow.of(report, today) for report in reports]
    if (not status or status == UNFILED) and dates.period_has_ended(period, today):
        towns = _unfiled_towns_matching(towns_in_scope(user, district_id=district_id, town_id=town_id), q, period)
        unfiled = (
            towns.filter(deadlines.expects_report_q(period))
            .exclude(Exists(MonthlyReport.objects.filter(town=OuterRef("pk"), period=period)))
            .select_related("unit", "district")
        )
        rows += [_unfiled_row(town, period, today) for town in unfiled]
    _mark_locked(rows, period, today)
    return sorted(rows, key=lambda row: (row.town.district.order, row.town.unit.order, row.town.unit.code))


def _unfiled_row(town: Town, period: datetime.date, today: datetime.date) -> ReportRow:
    return ReportRow(
        town=town,
        period=period,
        report=None,
        due_on=deadlines.due_date(period),
        close_on=deadlines.close_date(period),
        overdue=deadlines.is_overdue(period, submitted_at=None, today=today),
        missing=deadlines.is_missing(period, timeliness=None, submitted_at=None, today=today),
    )


def _mark_locked(rows: list[ReportRow], period: datetime.date, today: datetime.date) -> None:
    """Mark the rows of `period` never filed whose entry is locked (R-3.4): one query for the exceptions."""
    if not deadlines.is_closed(period, today):
        return
    open_rows = [row for row in rows if row.report is None or row.report.is_editable]
    excepted = deadlines.excepted_town_ids([row.town.pk for row in open_rows], period, today) if open_rows else set()
    for row in open_rows:
        submitted_at = row.report.submitted_at if row.report else None
        row.locked = deadlines.entry_locked(
            row.town.pk, period, submitted_at=submitted_at, today=today, excepted=row.town.pk in excepted
        )


def report_values(report: MonthlyReport) -> dict[str, Decimal]:
    """The report's figures by indicator code, as `report.values.values_list("indicator__code", "value")` reads
    them, by a plain statement (the entry form and the report page read them at every visit)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT i.code, v.value FROM {ReportValue._meta.db_table} v"
            f" JOIN {Indicator._meta.db_table} i ON i.id = v.indicator_id WHERE v.report_id = %s",
            [report.pk],
        )
        return dict(cursor.fetchall())


@dataclass(frozen=True)
class ReportParts:
    """Which of a report's dependent records exist. Most reports have no flags, evidence or correction requests
    (and a town without projects no project rows), and nothing changed around the services: the report page reads
    only the parts that exist, instead of a query each that comes back empty. Officers reload that page to see
    where their report stands."""

    flags: bool
    evidence: bool
    reopen_requests: bool
    progress: bool
    progress_trail: bool  # project rows recorded by the audit triggers, deleted ones included
    # An audit event that no service recorded (trail._direct_entries reads them all and shows those that changed
    # something); False: there is none, and the trail is the workflow's events alone.
    changed_around_services: bool


PART_MODELS = (DataFlag, Evidence, ReopenRequest, ProjectProgress, ProjectProgressAudit)  # ReportParts' order
# An audit event's context `c` names no service (trail._direct_entries: `metadata.get("service")` is falsy). Any
# value but a non-empty string counts as none here, and _direct_entries then decides.
NO_SERVICE = "(jsonb_typeof(c.metadata -> 'service') IS DISTINCT FROM 'string' OR c.metadata ->> 'service' = '')"


@functools.lru_cache(maxsize=1)
def _parts_statement() -> str:
    exists = [f"EXISTS (SELECT 1 FROM {model._meta.db_table} WHERE report_id = %(report)s)" for model in PART_MODELS]
    context = f"LEFT JOIN {Context._meta.db_table} c ON c.id = e.pgh_context_id"
    around = [
        f"EXISTS (SELECT 1 FROM {ReportValueAudit._meta.db_table} e {context} WHERE e.report_id = %(report)s"
        f" AND {NO_SERVICE})",
        f"EXISTS (SELECT 1 FROM {ProjectProgressAudit._meta.db_table} e {context} WHERE e.report_id = %(report)s"
        f" AND {NO_SERVICE})",
        f"EXISTS (SELECT 1 FROM {MonthlyReportAudit._meta.db_table} e {context} WHERE e.pgh_obj_id = %(report)s"
        f" AND e.pgh_label <> 'insert' AND {NO_SERVICE})",  # a report's creation is its workflow's first event
    ]
    return f"SELECT {', '.join(exists)}, {' OR '.join(around)}"


def report_parts(report: MonthlyReport) -> ReportParts:
    """One plain statement: whether each part of `report` (ReportParts) has a row."""
    with connection.cursor() as cursor:
        cursor.execute(_parts_statement(), {"report": report.pk})
        return ReportParts(*cursor.fetchone())


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


def towns_in_scope(
    user: AbstractBaseUser, *, district_id: int | None = None, town_id: int | None = None, kind: str | None = None
):
    """The towns the user sees (narrowed to a district or a town); with a kind of shared record (SharedKind),
    also those whose accepted records of that kind are shared with it (the ledger, its export)."""
    towns = reading_towns_for_user(user, kind) if kind else towns_for_user(user)
    towns = narrowed(towns, district_id=district_id, pk=town_id)
    return towns


def ledger_contents(user: AbstractBaseUser, *, district_id: int | None = None, town_id: int | None = None) -> dict:
    """What the user's ledger and its export hold, as write_ledger_workbook's arguments: the towns whose
    accepted figures the user reads (its own and those shared with it), the indicators not withheld from
    it, and whether the project ledger is in."""
    return {
        "towns": towns_in_scope(user, district_id=district_id, town_id=town_id, kind=report_perms.FIGURES),
        "indicators": report_perms.ledger_indicators_for_user(user),
        "projects": report_perms.ledger_includes_projects(user),
    }


def district_names_in_scope(user: AbstractBaseUser, *, limit: int) -> list[str]:
    """The names of (at most `limit` of) the districts whose accepted figures the user reads."""
    towns = towns_in_scope(user, kind=report_perms.FIGURES)
    return list(OrgUnit.objects.filter(pk__in=towns.values("district_id")).values_list("name", flat=True)[:limit])


def report_values_prefetch() -> Prefetch:
    """A report's figures with their indicators, in catalogue order: `.prefetch_related(...)` on lists."""
    return Prefetch(
        "values",
        queryset=ReportValue.objects.select_related("indicator").order_by("indicator__order", "indicator__code"),
    )


@functools.lru_cache(maxsize=1)
def _events_statement() -> str:
    user = get_user_model()
    actor = ReportEvent._meta.get_field("actor").column
    return f"""SELECT {columns(ReportEvent, "e")}, {columns(user, "u")}, {columns(UserProfile, "p")}
               FROM {ReportEvent._meta.db_table} e LEFT JOIN {user._meta.db_table} u ON u.id = e.{actor}
               LEFT JOIN {UserProfile._meta.db_table} p ON p.user_id = u.id
               WHERE e.report_id = %s ORDER BY e.at, e.id"""


def report_events_with_actors(report: MonthlyReport) -> list[ReportEvent]:
    """The audit trail with each actor's profile (for the display name), oldest first: as
    `report.events.select_related("actor__profile").order_by("at", "pk")` reads it, by one plain statement (the
    report page shows it at every look)."""
    rows = joined_rows(_events_statement(), [report.pk], ReportEvent, get_user_model(), UserProfile)
    return [attach(event, "actor", attach(user, "profile", profile)) for event, user, profile in rows]


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
    expected_towns = towns_for_user(user).filter(deadlines.expects_report_q(period))
    expected = expected_towns.count()
    counts = dict(
        MonthlyReport.objects.filter(town__in=expected_towns.values("pk"), period=period)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    received = sum(n for status, n in counts.items() if status not in (ReportStatus.DRAFT, ReportStatus.RETURNED))
    return PeriodOverview(
        period=period, expected=expected, received=received, accepted=counts.get(ReportStatus.ACCEPTED, 0)
    )
