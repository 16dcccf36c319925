"""The reports a reviewer takes one step on at once (批量审核, issue 19), in two queries however many there are:
the reports with their towns, and their open flags (a report with one is refused in bulk: services.bulk)."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet

from ..models import DataFlag, MonthlyReport
from ..permissions import monthly_reports_for_user
from .inbox import inbox_queries

LISTED = ("town__unit", "town__district", "submitted_by__profile", "approved_by__profile")
ORDER = ("period", "town__district__order", "town__unit__order", "town__unit__code")


def _open_flags() -> Prefetch:
    """A report's open flags, as `report.open_flags`, in the catalogue's order."""
    flags = (
        DataFlag.objects.filter(status=DataFlag.Status.OPEN)
        .select_related("indicator")
        .order_by("indicator__order", "indicator__code", "pk")
    )
    return Prefetch("flags", queryset=flags, to_attr="open_flags")


def bulk_review_list(user: AbstractBaseUser, step: str) -> list[MonthlyReport]:
    """The reports waiting for `user` at `step` ("approve": submitted; "accept": approved by the district), as
    the inbox (待我处理) defines them, oldest month first, each with its town and `open_flags`."""
    queries = inbox_queries(user)
    waiting: QuerySet[MonthlyReport] = queries.to_approve if step == "approve" else queries.to_accept
    return list(waiting.select_related(*LISTED).prefetch_related(_open_flags()).order_by(*ORDER))


def bulk_review_outcomes(user: AbstractBaseUser, outcomes: Iterable[dict]) -> list[dict]:
    """The outcomes of a bulk step kept for the page that follows (report id, done, reason), each with its
    report as it stands now (`report`; left out when the user no longer sees it), in the list's order."""
    outcomes = list(outcomes)
    reports = monthly_reports_for_user(user).select_related(*LISTED).order_by(*ORDER)
    by_id = {report.pk: report for report in reports.filter(pk__in=[o["report"] for o in outcomes])}
    position = {pk: index for index, pk in enumerate(by_id)}
    shown = [{**outcome, "report": by_id[outcome["report"]]} for outcome in outcomes if outcome["report"] in by_id]
    return sorted(shown, key=lambda outcome: position[outcome["report"].pk])
