"""The data-sharing feed's rows (数据共享接口, issue 18): one accepted figure of one town's month each, in the
order of the change that brought it (acceptance) or withdrew it (a reopened report), then report and
indicator; a keyset (`after`) resumes the order exactly, however many rows share a change time."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, Q, QuerySet, Subquery

from coordination import permissions as unit_perms
from coordination.models import SharedKind
from tianjin_towns.lib.queries import narrowed

from ..models import CheckState, FigureCheck, Indicator, ReportStatus, ReportValue

COLUMNS = (
    "report__figures_changed_at",
    "report_id",
    "indicator_id",
    "report__town_id",
    "report__town__unit__code",
    "report__town__unit__name",
    "report__town__district_id",
    "report__town__district__name",
    "report__period",
    "indicator__code",
    "indicator__unit",
    "value",
    "report__status",
    "report__accepted_at",
    "check_status",
)
FIELDS = (
    "updated_at",
    "report",
    "town",
    "town_code",
    "town_name",
    "district",
    "district_name",
    "period",
    "indicator",
    "unit",
    "value",
    "state",
    "accepted_at",
    "check_state",
)


@dataclass(frozen=True)
class FeedKey:
    """Where a page of the feed ended: the change time, the report and the indicator of its last row."""

    changed_at: datetime.datetime
    report_id: int
    indicator_id: int


def feed_rows(
    user: AbstractBaseUser,
    *,
    town_id: int | None = None,
    district_id: int | None = None,
    period_from: datetime.date | None = None,
    period_to: datetime.date | None = None,
    indicator: str | None = None,
    updated_since: datetime.datetime | None = None,
    after: FeedKey | None = None,
) -> QuerySet:
    """The feed's rows the user reads, as value tuples (COLUMNS) in the feed's order: the accepted figures of
    the towns shared with it (or its own), of the indicators not withheld from it; a reopened report's
    figures once, as withdrawn. One query, run by the caller (a page of it, or all of it streamed)."""
    towns = unit_perms.reading_towns_for_user(user, SharedKind.FIGURES)
    member_unit = unit_perms.sharing_member_unit(user)
    indicators = (
        Indicator.objects.all() if member_unit is None else Indicator.objects.exclude(withheld_from=member_unit)
    )
    rows = ReportValue.objects.filter(
        report__town__in=towns.values("pk"),
        report__figures_changed_at__isnull=False,
        indicator__in=indicators.values("pk"),
    )
    rows = narrowed(
        rows,
        report__town_id=town_id,
        report__town__district_id=district_id,
        report__period__gte=period_from,
        report__period__lte=period_to,
        indicator__code=indicator,
        report__figures_changed_at__gt=updated_since,
    )
    if after is not None:
        at, report, ind = "report__figures_changed_at", "report_id", "indicator_id"
        rows = rows.filter(
            Q(**{f"{at}__gt": after.changed_at})
            | Q(**{at: after.changed_at, f"{report}__gt": after.report_id})
            | Q(**{at: after.changed_at, report: after.report_id, f"{ind}__gt": after.indicator_id})
        )
    checks = FigureCheck.objects.filter(report=OuterRef("report"), indicator=OuterRef("indicator"))
    rows = rows.annotate(check_status=Subquery(checks.values("status")[:1]))
    return rows.order_by("report__figures_changed_at", "report_id", "indicator_id").values_list(*COLUMNS)


def feed_record(row: tuple) -> dict:
    """One row of feed_rows as the feed shows it (FIELDS); a withdrawn figure has no value."""
    (changed_at, report, _indicator_id, town, code, name, district, district_name, period, ind, unit, value, status,
     accepted_at, check_status) = row  # fmt: skip
    accepted = status == ReportStatus.ACCEPTED
    return {
        "updated_at": changed_at.isoformat(),
        "report": report,
        "town": town,
        "town_code": code,
        "town_name": name,
        "district": district,
        "district_name": district_name,
        "period": f"{period:%Y-%m}",
        "indicator": ind,
        "unit": unit,
        "value": format(value, "f") if accepted else None,
        "state": "accepted" if accepted else "withdrawn",
        "accepted_at": accepted_at.isoformat() if accepted and accepted_at else None,
        "check_state": CHECK_STATES.get(check_status, CheckState.UNCHECKED).value if accepted else None,
    }


# A member unit's check of the figure (数据核对) as the feed names it: CheckState's values.
CHECK_STATES = {
    FigureCheck.Status.AGREED: CheckState.AGREED,
    FigureCheck.Status.OPEN: CheckState.DIFFERS,
    FigureCheck.Status.ANSWERED: CheckState.DIFFERS,
    FigureCheck.Status.CLOSED: CheckState.EXPLAINED,
}


def feed_key(row: tuple) -> FeedKey:
    return FeedKey(changed_at=row[0], report_id=row[1], indicator_id=row[2])


def feed_records(rows: QuerySet, chunk_size: int = 5000) -> Iterator[dict]:
    """Every row, read in chunks through a server-side cursor: the whole history without holding it."""
    for row in rows.iterator(chunk_size=chunk_size):
        yield feed_record(row)
