"""Reads across relations for monthly reports and ledgers; every list here is a fixed number of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, Q, QuerySet

from coordination.models import Town
from coordination.permissions import towns_for_user
from tianjin_towns.lib import dates

from . import permissions as report_perms
from .models import Indicator, MonthlyReport, Project, ProjectProgress, ReportEvent, ReportStatus, ReportValue


def active_indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(active=True).select_related("part_of"))


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
    return list(report.project_progress.select_related("project").order_by("project__code"))


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

    @property
    def total(self) -> int:
        return len(self.to_fill) + len(self.returned) + len(self.to_approve) + len(self.to_accept)


def inbox_for_user(user: AbstractBaseUser, today: datetime.date | None = None) -> Inbox:
    inbox = Inbox()
    period = dates.last_ended_period(today)
    fill_towns = list(towns_for_user(user, report_perms.EDIT).select_related("unit", "district"))
    if fill_towns:
        reports = {
            r.town_id: r
            for r in MonthlyReport.objects.filter(town__in=fill_towns, period=period).select_related("town__unit")
        }
        for town in fill_towns:
            report = reports.get(town.pk)
            if town.expects_report(period) and (report is None or report.status == ReportStatus.DRAFT):
                inbox.to_fill.append((town, period, report))
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
    return inbox


@dataclass
class LedgerCell:
    status: str | None  # report status, or None when no report exists
    expected: bool
    value: Decimal | None  # accepted figure only

    @property
    def gap(self) -> str | None:
        """Why the cell has no accepted figure: 'missing' (no report), 'pending' (not yet accepted), None."""
        if not self.expected or self.status == ReportStatus.ACCEPTED:
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
                value=values.get((town.pk, m)),
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
    """A project's monthly rows with their report (for the period), oldest month first."""
    return Prefetch("progress", queryset=ProjectProgress.objects.select_related("report").order_by("report__period"))


def project_list(
    user: AbstractBaseUser, *, district_id: int | None = None, town_id: int | None = None
) -> QuerySet[Project]:
    projects = report_perms.projects_for_user(user).select_related("town__unit")
    if district_id:
        projects = projects.filter(town__district_id=district_id)
    if town_id:
        projects = projects.filter(town_id=town_id)
    return projects.prefetch_related(project_progress_prefetch()).order_by(
        "town__district__order", "town__unit__order", "town__unit__code", "code"
    )


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
        .order_by("code")
    )
    return [(project, progress.get(project.pk)) for project in projects]


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
