"""Reads of a report's data quality (R-3.5): its flags and evidence, the flags still unexplained, its
correction requests with the accepted version beside the current one, and the office's exceptions."""

import functools
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import QuerySet

from coordination.models import UserProfile
from coordination.permissions import towns_for_user
from tianjin_towns.lib.queries import attach, columns, joined_rows

from ..models import DataFlag, EntryException, Evidence, Indicator, MonthlyReport, ReopenRequest, ValidationRule
from .reports import report_progress_rows, report_values


@functools.lru_cache(maxsize=1)
def _flags_statement() -> str:
    user, quote = get_user_model(), connection.ops.quote_name
    rule, resolver = (DataFlag._meta.get_field(name).column for name in ("rule", "resolved_by"))
    order = quote(Indicator._meta.get_field("order").column)
    return f"""SELECT {columns(DataFlag, "f")}, {columns(Indicator, "i")}, {columns(ValidationRule, "r")},
                      {columns(user, "u")}, {columns(UserProfile, "p")}
               FROM {DataFlag._meta.db_table} f JOIN {Indicator._meta.db_table} i ON i.id = f.indicator_id
               LEFT JOIN {ValidationRule._meta.db_table} r ON r.id = f.{rule}
               LEFT JOIN {user._meta.db_table} u ON u.id = f.{resolver}
               LEFT JOIN {UserProfile._meta.db_table} p ON p.user_id = u.id
               WHERE f.report_id = %s ORDER BY i.{order}, i.code, f.id"""


def report_flags(report: MonthlyReport) -> list[DataFlag]:
    """The report's flags in catalogue order (then as raised), each with its indicator, rule and the profile of
    whoever resolved it: as select_related would load them, by one plain statement (the entry form and the
    report page show them at every visit)."""
    rows = joined_rows(
        _flags_statement(), [report.pk], DataFlag, Indicator, ValidationRule, get_user_model(), UserProfile
    )
    for flag, indicator, rule, resolver, profile in rows:
        attach(flag, "indicator", indicator)
        attach(flag, "rule", rule)
        attach(flag, "resolved_by", attach(resolver, "profile", profile))
    return [row[0] for row in rows]


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


def reopen_comparison(
    report: MonthlyReport, indicators: list[Indicator], requests: list[ReopenRequest] | None = None
) -> Comparison | None:
    """The latest approved correction's accepted version against the report's figures now. `requests`:
    reopen_requests(report) when the caller has read them already (no query then for a report never corrected)."""
    if requests is None:
        request = (
            report.reopen_requests.filter(status=ReopenRequest.Status.APPROVED)
            .select_related("requested_by__profile", "decided_by__profile")
            .order_by("-decided_at")
            .first()
        )
    else:
        approved = [r for r in requests if r.status == ReopenRequest.Status.APPROVED and r.decided_at is not None]
        request = max(approved, key=lambda r: r.decided_at, default=None)
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


def entry_exceptions_for_user(user: AbstractBaseUser) -> QuerySet[EntryException]:
    return (
        EntryException.objects.filter(town__in=towns_for_user(user).values("pk"))
        .select_related("town__unit", "town__district", "granted_by__profile", "revoked_by__profile")
        .order_by("-granted_at", "-pk")
    )
