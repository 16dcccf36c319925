"""What waits for a user among the monthly reports: the reports' part of 待我处理, the home page's lists and the
navigation badge (the whole of both, every app's part, is tianjin_towns.inbox).

One definition, `inbox_queries`, says what waits: the months to fill, the reports returned, to approve and
to accept, the correction requests to decide. The home page lists those querysets (inbox_for_user), the
badge on every page counts them (inbox_count), so the two cannot disagree.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, QuerySet

from coordination import permissions as unit_perms
from coordination.models import OrgUnit, Town
from tianjin_towns.lib import dates
from tianjin_towns.lib.queries import count_rows

from .. import deadlines
from .. import permissions as report_perms
from ..models import MonthlyReport, ReopenRequest, ReportStatus


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


@dataclass(frozen=True)
class InboxQueries:
    """What waits for a user, as querysets not yet run (each empty without a query when the user holds no
    grant for that work)."""

    period: datetime.date  # the month to fill: the last one that has ended
    to_fill: QuerySet[Town]  # towns the user files for that expect the month's report and have none, or a draft
    returned: QuerySet[MonthlyReport]  # returned to the towns the user files for, any month
    to_approve: QuerySet[MonthlyReport]  # submitted, in the user's approving scope
    to_accept: QuerySet[MonthlyReport]  # approved by the district, in the user's accepting scope
    to_reopen: QuerySet[ReopenRequest]  # pending correction requests on reports the user may accept


def _in_units(queryset: QuerySet, units: QuerySet[OrgUnit], path: str) -> QuerySet:
    """`queryset` narrowed to rows whose org unit (reached through `path`) is among `units`; empty without a
    query when `units` is known to be empty (no grant, known inside a request without a query either)."""
    if units.query.is_empty():
        return queryset.none()
    return queryset.filter(**{f"{path}__in": units.values("pk")})


def inbox_queries(user: AbstractBaseUser, today: datetime.date | None = None) -> InboxQueries:
    """The one definition of what waits for `user` among the monthly reports on `today`."""
    period = dates.last_ended_period(today)
    edit, approve, accept = (
        unit_perms.org_units_for_user(user, perm)
        for perm in (report_perms.EDIT, report_perms.APPROVE, report_perms.ACCEPT)
    )
    filed = MonthlyReport.objects.filter(town=OuterRef("pk"), period=period).exclude(status=ReportStatus.DRAFT)
    to_fill = Town.objects.filter(deadlines.expects_report_q(period)).exclude(Exists(filed))
    reports = MonthlyReport.objects.all()
    return InboxQueries(
        period=period,
        to_fill=_in_units(to_fill, edit, "unit"),
        returned=_in_units(reports.filter(status=ReportStatus.RETURNED), edit, "town__unit"),
        to_approve=_in_units(reports.filter(status=ReportStatus.SUBMITTED), approve, "town__unit"),
        to_accept=_in_units(reports.filter(status=ReportStatus.DISTRICT_APPROVED), accept, "town__unit"),
        to_reopen=_in_units(
            ReopenRequest.objects.filter(status=ReopenRequest.Status.PENDING), accept, "report__town__unit"
        ),
    )


def inbox_for_user(user: AbstractBaseUser, today: datetime.date | None = None) -> Inbox:
    """The inbox_queries listed, for the home page: each report with its town, oldest month first."""
    today = today or dates.today()
    queries = inbox_queries(user, today)
    inbox = Inbox()
    _list_months_to_fill(inbox, queries, today)
    listed = ("town__unit", "town__district")
    inbox.returned = list(queries.returned.select_related(*listed).order_by("period"))
    inbox.to_approve = list(queries.to_approve.select_related(*listed).order_by("period", "town__unit__code"))
    inbox.to_accept = list(queries.to_accept.select_related(*listed).order_by("period", "town__unit__code"))
    inbox.to_reopen = list(
        queries.to_reopen.select_related(
            "report__town__unit", "report__town__district", "requested_by__profile"
        ).order_by("requested_at")
    )
    return inbox


def _list_months_to_fill(inbox: Inbox, queries: InboxQueries, today: datetime.date) -> None:
    """The towns to fill, each with its draft (or None), and which of them are locked as missing."""
    period = queries.period
    towns = list(queries.to_fill.select_related("unit", "district"))
    if not towns:
        return
    drafts = {
        r.town_id: r for r in MonthlyReport.objects.filter(town__in=towns, period=period).select_related("town__unit")
    }
    # After the close day the month is missing and locked, recorded yet or not, unless excepted.
    closed = deadlines.is_closed(period, today)
    excepted = deadlines.excepted_town_ids(towns, period, today) if closed else set()
    for town in towns:
        report = drafts.get(town.pk)
        inbox.to_fill.append((town, period, report))
        # Listed all the same, so that the officer knows to ask the office for an exception.
        submitted_at = report.submitted_at if report else None
        if deadlines.entry_locked(
            town.pk, period, submitted_at=submitted_at, today=today, excepted=town.pk in excepted
        ):
            inbox.locked_town_ids.add(town.pk)


def inbox_count(user: AbstractBaseUser, today: datetime.date | None = None) -> int:
    """`inbox_for_user(user, today).total` without building the lists, for the navigation badge on every
    page: the same querysets (inbox_queries) counted in the database in one query, and none for what the user
    holds no grant on."""
    queries = inbox_queries(user, today)
    return count_rows(queries.to_fill, queries.returned, queries.to_approve, queries.to_accept, queries.to_reopen)
