"""Gaps (查漏补缺, R-3.6): every expected report of a year that is missing, was late, is overdue, or was
accepted with flags still open, grouped per district and town. What each means is ledgers.deadlines'."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count

from coordination.models import Town
from tianjin_towns.lib import dates

from .. import deadlines
from ..models import DataFlag, MonthlyReport, ReportStatus, Timeliness
from .reports import towns_in_scope

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
    reports = _reports_of_year(towns, year)
    open_flags = _open_flags_of_accepted(towns, year)
    districts: dict[int, GapDistrict] = {}
    totals = dict.fromkeys(GAP_KINDS, 0)
    expected = 0
    for town in towns:
        district = districts.setdefault(
            town.district_id, GapDistrict(district=town.district, towns=[], counts=dict.fromkeys(GAP_KINDS, 0))
        )
        items = []
        for month in months:
            if not deadlines.expects_report(town, month):
                continue
            expected += 1
            item = _gap_item(town, month, reports.get((town.pk, month)), open_flags, today)
            if item is None:
                continue
            items.append(item)
            for kind in item.kinds:
                district.counts[kind] += 1
                totals[kind] += 1
        if items:
            district.towns.append(GapTown(town=town, items=items))
    return GapTable(year=year, districts=list(districts.values()), counts=totals, expected=expected)


def _reports_of_year(towns: list[Town], year: int) -> dict[tuple[int, datetime.date], tuple]:
    """(town id, month) → (pk, status, timeliness, submitted_at, due_on) of the towns' reports of `year`."""
    return {
        (town_id, period): (pk, status, timeliness, submitted_at, due_on)
        for pk, town_id, period, status, timeliness, submitted_at, due_on in MonthlyReport.objects.filter(
            town__in=[t.pk for t in towns], period__year=year
        ).values_list("pk", "town_id", "period", "status", "timeliness", "submitted_at", "due_on")
    }


def _open_flags_of_accepted(towns: list[Town], year: int) -> dict[int, int]:
    """report id → its open flags, for the towns' accepted reports of `year` that still have some."""
    return dict(
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


def _gap_item(
    town: Town, month: datetime.date, report: tuple | None, open_flags: dict[int, int], today: datetime.date
) -> GapItem | None:
    """The expected town-month as a gap, with every kind that applies; None when nothing is wrong with it."""
    pk, status, timeliness, submitted_at, due_on = report or (None, None, None, None, None)
    due_on = (
        due_on if timeliness else deadlines.due_date(month)
    )  # the rule's date until judged (MonthlyReport.deadline)
    kinds = []
    if deadlines.is_missing(month, timeliness=timeliness, submitted_at=submitted_at, today=today):
        kinds.append("missing")
    elif timeliness == Timeliness.LATE:
        kinds.append("late")
    elif deadlines.is_overdue(month, submitted_at=submitted_at, today=today):
        kinds.append("overdue")
    flags = open_flags.get(pk, 0) if status == ReportStatus.ACCEPTED else 0
    if flags:
        kinds.append("flagged")
    if not kinds:
        return None
    return GapItem(town, month, kinds, pk, status, flags, due_on, deadlines.close_date(month))
