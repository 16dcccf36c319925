"""The registry of activity kinds the cadence matrix (R-2.4) counts.

Each kind registers a counter: `counter(unit_ids, start, end) -> {unit_id: count}`, how many
activities of that kind each org unit held in [start, end) (units with none may be left out).
This module registers the meeting kinds (counted by host org unit, held meetings only); later apps
register theirs in their AppConfig.ready(), e.g. the inspections app:

    register_activity_counter("onsite_supervision", "现场督办服务", count_visits_per_district)

A registry rather than an import keeps the dependencies one way: coordination never imports the
apps after it, yet its cadence rules can name their kinds.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

Counter = Callable[[list[int], datetime.date, datetime.date], dict[int, int]]
# Optional: where the activities behind a cell are listed, given (unit_id, start, end).
Linker = Callable[[int, datetime.date, datetime.date], str]


@dataclass(frozen=True)
class ActivityKind:
    kind: str
    label: str
    counter: Counter
    link: Linker | None = None


_REGISTRY: dict[str, ActivityKind] = {}


def register_activity_counter(kind: str, label: str, counter: Counter, *, link: Linker | None = None) -> None:
    """Register (or replace) how activities of `kind` are counted. Safe to call twice."""
    _REGISTRY[kind] = ActivityKind(kind=kind, label=label, counter=counter, link=link)


def activity_kind(kind: str) -> ActivityKind | None:
    return _REGISTRY.get(kind)


def activity_kinds() -> list[ActivityKind]:
    return list(_REGISTRY.values())


def activity_choices() -> list[tuple[str, str]]:
    return [(item.kind, item.label) for item in _REGISTRY.values()]


def count_activities(kind: str, unit_ids: list[int], start: datetime.date, end: datetime.date) -> dict[int, int]:
    """Activities of `kind` per unit in [start, end); an unregistered kind counts nothing."""
    item = _REGISTRY.get(kind)
    if item is None or not unit_ids:
        return {}
    return item.counter(list(unit_ids), start, end)


# --- Meeting kinds ------------------------------------------------------------------------------


def _meeting_counter(kind: str) -> Counter:
    def count(unit_ids: list[int], start: datetime.date, end: datetime.date) -> dict[int, int]:
        from django.db.models import Count

        from .models import Meeting, MeetingState

        rows = (
            Meeting.objects.filter(
                kind=kind,
                org_unit_id__in=unit_ids,
                held_on__gte=start,
                held_on__lt=end,
                state__in=[MeetingState.HELD, MeetingState.MINUTES_APPROVED],
            )
            .values("org_unit_id")
            .annotate(n=Count("pk"))
        )
        return {row["org_unit_id"]: row["n"] for row in rows}

    return count


def _meeting_link(kind: str) -> Linker:
    def link(unit_id: int, start: datetime.date, end: datetime.date) -> str:
        from django.urls import reverse
        from django.utils.http import urlencode

        last_day = end - datetime.timedelta(days=1)
        query = {"kind": kind, "org_unit": unit_id, "date_from": start.isoformat(), "date_to": last_day.isoformat()}
        return f"{reverse('meeting-list')}?{urlencode(query)}"

    return link


def _register_meeting_kinds() -> None:
    # Labels as the cadence page shows them; the vocabulary is MeetingKind's (models import lazily).
    labels = {
        "joint_conference": _("市联席会议"),
        "district_regular": _("区例会"),
        "district_onsite": _("区现场推动会"),
        "training": _("专家培训（请进来）"),
        "study_tour": _("考察学习（走出去）"),
        "exchange": _("交流互动（串起来）"),
    }
    for kind, label in labels.items():
        register_activity_counter(kind, label, _meeting_counter(kind), link=_meeting_link(kind))


_register_meeting_kinds()
