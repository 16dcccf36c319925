"""The registry of activity kinds the cadence matrix (R-2.4) counts.

Each kind registers a counter: `counter(unit_ids, start, end) -> {unit_id: count}`, how many
activities of that kind each org unit held in [start, end) (units with none may be left out), and
preferably a period counter, `period_counter(unit_ids, periods) -> {unit_id: [count per period]}`,
which counts a whole year of months or quarters in one query (`period_counts` builds that query), so
the matrix costs one query per kind rather than one per kind and period. This module registers the
meeting kinds (counted by host org unit, held meetings only); later apps register theirs in their
AppConfig.ready(), e.g. the inspections app:

    register_activity_counter("onsite_supervision", "现场督办服务", count_visits, period_counter=count_visits_by_period)

A registry rather than an import keeps the dependencies one way: coordination never imports the
apps after it, yet its cadence rules can name their kinds. The meeting kinds are registered from
MeetingKind, so a new kind is counted (and labelled) without a line here.

The selectors count against these definitions (selectors.cadence_matrix) and lay the matrix out as the tables
that the cadence page and the leaders' dashboard show (selectors.cadence_tables).
"""

import datetime
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db.models import Aggregate, F, IntegerField, QuerySet
from django.utils.translation import gettext as _

from .models import CadenceRule, Meeting, MeetingKind, MeetingState

Period = tuple[datetime.date, datetime.date]  # [start, end)
Counter = Callable[[list[int], datetime.date, datetime.date], dict[int, int]]
PeriodCounter = Callable[[list[int], list[Period]], dict[int, list[int]]]
# Optional: where the activities behind a cell are listed, given (unit_id, start, end).
Linker = Callable[[int, datetime.date, datetime.date], str]


@dataclass(frozen=True)
class ActivityKind:
    kind: str
    label: str
    counter: Counter
    link: Linker | None = None
    period_counter: PeriodCounter | None = None


_REGISTRY: dict[str, ActivityKind] = {}


def register_activity_counter(
    kind: str, label: str, counter: Counter, *, link: Linker | None = None, period_counter: PeriodCounter | None = None
) -> None:
    """Register (or replace) how activities of `kind` are counted. Safe to call twice."""
    _REGISTRY[kind] = ActivityKind(kind=kind, label=label, counter=counter, link=link, period_counter=period_counter)


def activity_kind(kind: str) -> ActivityKind | None:
    return _REGISTRY.get(kind)


def activity_choices() -> list[tuple[str, str]]:
    return [(item.kind, item.label) for item in _REGISTRY.values()]


def count_activities(kind: str, unit_ids: list[int], start: datetime.date, end: datetime.date) -> dict[int, int]:
    """Activities of `kind` per unit in [start, end); an unregistered kind counts nothing."""
    item = _REGISTRY.get(kind)
    if item is None or not unit_ids:
        return {}
    return item.counter(list(unit_ids), start, end)


def count_activities_by_period(kind: str, unit_ids: list[int], periods: Sequence[Period]) -> dict[int, list[int]]:
    """Activities of `kind` per unit and period: {unit_id: [count in periods[0], count in periods[1], …]}
    (units with none may be left out). One call of the kind's period counter, or, for a kind registered
    with a plain counter only, one call per period."""
    item = _REGISTRY.get(kind)
    periods = list(periods)
    if item is None or not unit_ids or not periods:
        return {}
    if item.period_counter is not None:
        return item.period_counter(list(unit_ids), periods)
    result: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(periods):
        for unit_id, count in item.counter(list(unit_ids), start, end).items():
            result.setdefault(unit_id, [0] * len(periods))[index] = count
    return result


class _CountsByPeriod(Aggregate):
    """ARRAY[count(*) FILTER (WHERE day >= start AND day < end), …] over `periods`: a year of counts as one
    expression, which the ORM compiles once, rather than one Count(filter=Q(…)) per period (twelve filters and
    twenty-four lookups to resolve on every panel)."""

    function = "ARRAY"
    output_field = ArrayField(IntegerField())

    def __init__(self, day: str, periods: Sequence[Period]):
        self.periods = list(periods)
        super().__init__(F(day))

    def as_sql(self, compiler, connection, **extra_context):
        day, day_params = compiler.compile(self.get_source_expressions()[0])
        parts, params = [], []
        for start, end in self.periods:
            parts.append(f"count(*) FILTER (WHERE {day} >= %s AND {day} < %s)")
            params += [*day_params, start, *day_params, end]
        return f"ARRAY[{', '.join(parts)}]", params


def period_counts(queryset: QuerySet, *, unit: str, day: str, periods: Sequence[Period]) -> QuerySet:
    """Rows (unit id, [count in periods[0], count in periods[1], …]) of `queryset` grouped by the field `unit`, a
    row counted in each period its date field `day` falls in: a year of months in one query. The rows of two such
    querysets with the same periods may be combined with `.union(…, all=True)`."""
    first, last = min(start for start, _end in periods), max(end for _start, end in periods)
    return (
        queryset.filter(**{f"{day}__gte": first, f"{day}__lt": last})
        .values_list(unit)
        .annotate(in_periods=_CountsByPeriod(day, periods))
        .order_by()
    )


def sum_period_counts(rows: Iterable[tuple], periods: int) -> dict[int, list[int]]:
    """{unit_id: [count per period]} from `period_counts` rows (a unit in several rows is summed)."""
    result: dict[int, list[int]] = {}
    for unit_id, counts in rows:
        total = result.setdefault(unit_id, [0] * periods)
        for index, count in enumerate(counts):
            total[index] += count
    return result


def single_period(period_counter: PeriodCounter) -> Counter:
    """The plain counter of a kind, from its period counter (one period)."""

    def count(unit_ids: list[int], start: datetime.date, end: datetime.date) -> dict[int, int]:
        return {unit_id: counts[0] for unit_id, counts in period_counter(unit_ids, [(start, end)]).items()}

    return count


# --- Meeting kinds ------------------------------------------------------------------------------


def _meeting_period_counter(kind: str) -> PeriodCounter:
    def count(unit_ids: list[int], periods: list[Period]) -> dict[int, list[int]]:
        held = Meeting.objects.filter(
            kind=kind, org_unit_id__in=unit_ids, state__in=[MeetingState.HELD, MeetingState.MINUTES_APPROVED]
        )
        return sum_period_counts(period_counts(held, unit="org_unit_id", day="held_on", periods=periods), len(periods))

    return count


@functools.cache
def _meeting_list_url() -> str:
    from django.urls import reverse

    return reverse("meeting-list")  # once: a panel links a thousand cells to it


def _meeting_link(kind: str) -> Linker:
    def link(unit_id: int, start: datetime.date, end: datetime.date) -> str:
        # Every part is URL-safe as it stands (a kind's code, an id, ISO dates): no encoding per cell.
        last_day = end - datetime.timedelta(days=1)
        return f"{_meeting_list_url()}?kind={kind}&org_unit={unit_id}&date_from={start}&date_to={last_day}"

    return link


def _register_meeting_kinds() -> None:
    for kind in MeetingKind:
        per_period = _meeting_period_counter(kind.value)
        register_activity_counter(
            kind.value, kind.label, single_period(per_period), link=_meeting_link(kind.value), period_counter=per_period
        )


_register_meeting_kinds()


# --- The matrix as tables: the cadence page and the leaders' dashboard -----------------------------


def short_period_label(period: str, start: datetime.date) -> str:
    """1月, 1季度 or 全年: a column of a year's table."""
    if period == CadenceRule.Period.MONTH:
        return _("%(month)s月") % {"month": start.month}
    if period == CadenceRule.Period.QUARTER:
        return _("%(quarter)s季度") % {"quarter": (start.month - 1) // 3 + 1}
    return _("全年")
