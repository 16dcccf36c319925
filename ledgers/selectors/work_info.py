"""Reads of work information (信息报送, R-3.2): lists, what waits for a user, an item's trail, a month's briefing."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.db.models.functions import TruncMonth

from tianjin_towns.lib import dates
from tianjin_towns.lib.queries import narrowed

from .. import permissions as report_perms
from ..models import WorkInfo


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
    infos = narrowed(infos, status=status, category=category)
    if org_unit_id:
        infos = infos.filter(Q(org_unit_id=org_unit_id) | Q(org_unit__parent_id=org_unit_id))
    infos = narrowed(infos, happened_on__gte=date_from, happened_on__lte=date_to)
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


def work_info_briefing_months(user: AbstractBaseUser) -> list[datetime.date]:
    """The months (their first days) with adopted items the user reads, the latest first: the briefings there are
    to make (a month's items are those that happened in it, as in work_info_briefing); one query."""
    adopted = report_perms.work_info_for_user(user).filter(status=WorkInfo.Status.ACCEPTED)
    months = adopted.annotate(month=TruncMonth("happened_on")).values_list("month", flat=True)
    return list(months.distinct().order_by("-month"))


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
