"""Reads of the departmental cross-checks (数据核对, issue 18): a member unit's sheet for one indicator and
month, the discrepancies a user sees, and the check state of each figure for the ledger and the export."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Count, Q, QuerySet

from coordination.models import MemberUnit, Town
from tianjin_towns.lib import dates
from tianjin_towns.lib.queries import count_rows, narrowed

from .. import deadlines
from .. import permissions as report_perms
from ..models import CheckState, FigureCheck, Indicator, IndicatorSource, MonthlyReport, ReportStatus, ReportValue

OPEN_STATUSES = (FigureCheck.Status.OPEN, FigureCheck.Status.ANSWERED)


@dataclass
class CheckRow:
    """One town on a member unit's check sheet."""

    town: Town
    report: MonthlyReport | None
    accepted: Decimal | None  # the accepted figure; None until the month is accepted
    check: FigureCheck | None

    @property
    def checkable(self) -> bool:
        return self.accepted is not None and (
            self.check is None or self.check.status in (FigureCheck.Status.AGREED, FigureCheck.Status.OPEN)
        )


def check_sources(member_unit: MemberUnit) -> list[IndicatorSource]:
    """The indicators `member_unit` checks, in the catalogue's order."""
    return list(
        IndicatorSource.objects.filter(member_unit=member_unit, indicator__active=True)
        .select_related("indicator")
        .order_by("indicator__order", "indicator__code")
    )


def check_periods(today: datetime.date | None = None, *, count: int = 12) -> list[datetime.date]:
    """The months a check may be for: the last `count` ended months, newest first."""
    latest = dates.last_ended_period(today)
    return [dates.add_months(latest, -back) for back in range(count)]


def check_sheet(member_unit: MemberUnit, indicator: Indicator, period: datetime.date) -> list[CheckRow]:
    """Every town that files `period`, with its report, accepted figure and `member_unit`'s check; four queries."""
    towns = [
        town
        for town in Town.objects.select_related("unit", "district").order_by(
            "district__order", "unit__order", "unit__code"
        )
        if deadlines.expects_report(town, period)
    ]
    reports = {r.town_id: r for r in MonthlyReport.objects.filter(town__in=towns, period=period)}
    accepted = dict(
        ReportValue.objects.filter(
            report__in=[r for r in reports.values() if r.status == ReportStatus.ACCEPTED], indicator=indicator
        ).values_list("report_id", "value")
    )
    checks = {
        c.report_id: c
        for c in FigureCheck.objects.filter(
            report__in=list(reports.values()), indicator=indicator, member_unit=member_unit
        )
    }
    rows = []
    for town in towns:
        report = reports.get(town.pk)
        rows.append(
            CheckRow(
                town=town,
                report=report,
                accepted=accepted.get(report.pk) if report else None,
                check=checks.get(report.pk) if report else None,
            )
        )
    return rows


def figure_check_list(
    user: AbstractBaseUser,
    *,
    status: str | None = None,
    open_only: bool = False,
    district_id: int | None = None,
    member_unit_id: int | None = None,
) -> QuerySet[FigureCheck]:
    """The checks the user sees that are not plain agreements (the discrepancies), newest month first; one
    query for a page."""
    checks = report_perms.figure_checks_for_user(user).exclude(status=FigureCheck.Status.AGREED)
    if open_only:
        checks = checks.filter(status__in=OPEN_STATUSES)
    checks = narrowed(checks, status=status, report__town__district_id=district_id, member_unit_id=member_unit_id)
    return checks.select_related("report__town__unit", "report__town__district", "indicator", "member_unit").order_by(
        "-report__period", "report__town__district__order", "report__town__unit__order", "indicator__order"
    )


def ledger_check_states(
    town_ids: list[int], *, year: int, indicator: Indicator
) -> dict[tuple[int, datetime.date], str] | None:
    """{(town id, month): CheckState} of an indicator's checked figures in `year`; None when no member unit
    checks the indicator (the ledger then shows no check state). An accepted figure without a check is
    未核对 (the caller's default)."""
    if not IndicatorSource.objects.filter(indicator=indicator).exists():
        return None
    return {
        (check.report.town_id, check.report.period): check.state
        for check in FigureCheck.objects.filter(
            report__town__in=town_ids, report__period__year=year, indicator=indicator
        ).select_related("report")
    }


def check_state_counts(states: list[str | None]) -> dict[str, int]:
    """How many figures are in each check state, for the ledger's legend."""
    return {state: states.count(state) for state in CheckState.values}


@dataclass
class CheckWork:
    """What waits for the user among the cross-checks (its home page)."""

    to_check: list[tuple[Indicator, datetime.date, int]]  # a liaison's: indicator, month, accepted figures unchecked
    to_explain: list[FigureCheck]  # a district's open discrepancies
    to_close: list[FigureCheck]  # the office's discrepancies the district has answered

    @property
    def total(self) -> int:
        return sum(count for _i, _p, count in self.to_check) + len(self.to_explain) + len(self.to_close)


CHECK_WORK_LISTED = 20  # the home page lists the longest-waiting discrepancies of each kind, and counts those


@dataclass(frozen=True)
class CheckWorkQueries:
    """The discrepancies waiting for a user, as querysets not yet run (empty without a query when the user has no
    part in them, inside a request)."""

    to_explain: QuerySet[FigureCheck]  # open, in the towns whose discrepancies the user explains
    to_close: QuerySet[FigureCheck]  # answered by the district, in the towns whose discrepancies the user closes


def check_work_queries(user: AbstractBaseUser) -> CheckWorkQueries:
    """The one definition of the discrepancies that wait for `user`, oldest first."""
    explains = report_perms.check_towns_for_user(user, report_perms.EXPLAIN)
    closes = report_perms.check_towns_for_user(user, report_perms.CLOSE)
    return CheckWorkQueries(
        to_explain=FigureCheck.objects.filter(
            status=FigureCheck.Status.OPEN, report__town__in=explains.values("pk")
        ).order_by("checked_at")[:CHECK_WORK_LISTED],
        to_close=FigureCheck.objects.filter(
            status=FigureCheck.Status.ANSWERED, report__town__in=closes.values("pk")
        ).order_by("answered_at")[:CHECK_WORK_LISTED],
    )


def checks_owed(
    user: AbstractBaseUser, today: datetime.date | None = None, *, months: int = 3
) -> list[tuple[Indicator, datetime.date, int]]:
    """The checks the user's member unit still owes for the last `months` ended months: per indicator it checks
    and month, how many accepted figures it has not checked; none (and no query beyond one) for whoever checks
    nothing."""
    member_unit = report_perms.checking_member_unit(user)
    if member_unit is None:
        return []
    periods = check_periods(today, count=months)
    accepted = dict(
        MonthlyReport.objects.filter(period__in=periods, status=ReportStatus.ACCEPTED)
        .values("period")
        .annotate(n=Count("pk"))
        .values_list("period", "n")
    )
    done = {
        (row["indicator_id"], row["report__period"]): row["n"]
        for row in FigureCheck.objects.filter(member_unit=member_unit, report__period__in=periods)
        .values("indicator_id", "report__period")
        .annotate(n=Count("pk"))
    }
    owed = []
    for source in check_sources(member_unit):
        for period in periods:
            left = accepted.get(period, 0) - done.get((source.indicator_id, period), 0)
            if left > 0:
                owed.append((source.indicator, period, left))
    return owed


def check_work(user: AbstractBaseUser, today: datetime.date | None = None, *, months: int = 3) -> CheckWork:
    """The checks the user's member unit still owes for the last `months` ended months, and the discrepancies
    waiting for the user's district (to explain) or office (to close); a few queries, none for what the user
    has no part in."""
    queries = check_work_queries(user)
    related = ("report__town__unit", "indicator", "member_unit")
    return CheckWork(
        to_check=checks_owed(user, today, months=months),
        to_explain=list(queries.to_explain.select_related(*related)),
        to_close=list(queries.to_close.select_related(*related)),
    )


def check_work_count(user: AbstractBaseUser, today: datetime.date | None = None, *, months: int = 3) -> int:
    """`check_work(user, today).total` without listing the discrepancies, for the navigation badge: one count of
    them (none for whoever has no part in them), and for a checking member unit's liaison what it owes."""
    queries = check_work_queries(user)
    owed = sum(left for _indicator, _period, left in checks_owed(user, today, months=months))
    return owed + count_rows(queries.to_explain, queries.to_close)


@dataclass
class ProgressCell:
    accepted: int  # the month's accepted reports
    checked: int  # of them, checked by the unit
    open: int  # discrepancies not closed
    explained: int  # discrepancies closed

    @property
    def done(self) -> bool:
        return self.accepted > 0 and self.checked >= self.accepted and not self.open


@dataclass
class ProgressRow:
    source: IndicatorSource
    cells: list[ProgressCell]


def check_progress(periods: list[datetime.date]) -> list[ProgressRow]:
    """The office's matrix of check progress: each assigned indicator (its unit) × month; three queries."""
    accepted = dict(
        MonthlyReport.objects.filter(period__in=periods, status=ReportStatus.ACCEPTED)
        .values("period")
        .annotate(n=Count("pk"))
        .values_list("period", "n")
    )
    counts: dict[tuple, dict[str, int]] = {}
    for row in (
        FigureCheck.objects.filter(report__period__in=periods, report__status=ReportStatus.ACCEPTED)
        .values("member_unit_id", "indicator_id", "report__period", "status")
        .annotate(n=Count("pk"))
    ):
        key = (row["member_unit_id"], row["indicator_id"], row["report__period"])
        counts.setdefault(key, {})[row["status"]] = row["n"]
    rows = []
    for source in IndicatorSource.objects.select_related("indicator", "member_unit").order_by(
        "member_unit__order", "indicator__order"
    ):
        cells = []
        for period in periods:
            by_status = counts.get((source.member_unit_id, source.indicator_id, period), {})
            cells.append(
                ProgressCell(
                    accepted=accepted.get(period, 0),
                    checked=sum(by_status.values()),
                    open=sum(by_status.get(s, 0) for s in OPEN_STATUSES),
                    explained=by_status.get(FigureCheck.Status.CLOSED, 0),
                )
            )
        rows.append(ProgressRow(source=source, cells=cells))
    return rows


@dataclass(slots=True)
class CheckTotals:
    """One checked indicator's figures of a scope and year by check state (the dashboards' 数据核对 line)."""

    indicator: str  # the indicator's name
    member_unit: str  # the checking unit's short name, else its name
    agreed: int
    differs: int
    explained: int
    unchecked: int


def check_state_totals(*, year: int, district_id: int | None = None, town_id: int | None = None) -> list[CheckTotals]:
    """Per indicator a member unit checks: how many of the accepted figures of `year` of the towns (of a district,
    one town, else all of them) agree, differ, are explained or are not checked yet; one plain statement (read on
    every request to a dashboard, where the ORM took longer to build three queries than the database to answer)."""
    if town_id is not None:
        towns = "r.town_id = %(unit)s"
    elif district_id is not None:
        towns = f"r.town_id = ANY(ARRAY(SELECT unit_id FROM {Town._meta.db_table} WHERE district_id = %(unit)s))"
    else:
        towns = "TRUE"
    sql = f"""
        WITH accepted AS (
            SELECT r.id FROM {MonthlyReport._meta.db_table} r
            WHERE r.status = %(accepted)s AND r.period BETWEEN %(start)s AND %(end)s AND {towns}
        )
        SELECT i.name, COALESCE(NULLIF(u.short_name, ''), u.name),
               COUNT(c.id) FILTER (WHERE c.status = %(agreed)s),
               COUNT(c.id) FILTER (WHERE c.status = ANY(%(open)s)),
               COUNT(c.id) FILTER (WHERE c.status = %(closed)s),
               (SELECT COUNT(*) FROM accepted)
        FROM {IndicatorSource._meta.db_table} s
        JOIN {Indicator._meta.db_table} i ON i.id = s.indicator_id
        JOIN {MemberUnit._meta.db_table} u ON u.id = s.member_unit_id
        LEFT JOIN {FigureCheck._meta.db_table} c ON c.indicator_id = s.indicator_id AND c.report_id IN (SELECT id FROM accepted)
        GROUP BY i.id, u.id ORDER BY i."order", i.code
    """
    params = {
        "unit": town_id if town_id is not None else district_id,
        "accepted": ReportStatus.ACCEPTED.value,
        "start": datetime.date(year, 1, 1),
        "end": datetime.date(year, 12, 1),
        "agreed": FigureCheck.Status.AGREED.value,
        "open": [status.value for status in OPEN_STATUSES],
        "closed": FigureCheck.Status.CLOSED.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        CheckTotals(indicator, unit, agreed, differs, explained, max(accepted - agreed - differs - explained, 0))
        for indicator, unit, agreed, differs, explained, accepted in rows
    ]


def discrepancy_counts(town_ids: list[int], *, start: datetime.date, end: datetime.date) -> dict[int, tuple[int, int]]:
    """Town id → (discrepancies the member units' checks found in the months start..end, of them closed):
    the assessment item 核对差异说明率; one query."""
    rows = (
        FigureCheck.objects.filter(report__town__in=town_ids, report__period__gte=start, report__period__lte=end)
        .exclude(status=FigureCheck.Status.AGREED)
        .values("report__town_id")
        .annotate(found=Count("pk"), closed=Count("pk", filter=Q(status=FigureCheck.Status.CLOSED)))
    )
    return {row["report__town_id"]: (row["found"], row["closed"]) for row in rows}
