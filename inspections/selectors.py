"""Reads across relations for visits and problems: lists in a fixed number of queries, the inbox, the
quarterly measures (R-2.3, scored by assessments, R-5.2), the cadence counter (R-2.4) and the circular (R-5.6)."""

import datetime
import functools
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Case, Count, F, Model, Prefetch, Q, QuerySet, When, prefetch_related_objects
from django.urls import reverse

from coordination import permissions as unit_perms
from coordination.cadence import period_counts, single_period, sum_period_counts
from coordination.models import MemberUnit, OrgUnit, Town
from coordination.permissions import liaison_member_unit_id
from coordination.search_selectors import matching, text_match
from tianjin_towns.lib import dates
from tianjin_towns.lib.events import said_since_sent_back
from tianjin_towns.lib.queries import count_rows, narrowed

from .models import Attachment, Escalation, InspectionEvent, Problem, ProblemCategory, ProblemStatus, Visit
from .permissions import districts_managed_by, problems_qs_for_user, visits_qs_for_user

S = ProblemStatus
OPEN_STATUSES = (S.OPEN, S.IN_PROGRESS, S.DONE)


# --- Periods -----------------------------------------------------------------------------------------


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """[start, end) of a quarter: quarter_bounds(2026, 3) → (2026-07-01, 2026-10-01)."""
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    return start, dates.add_months(start, 3)


def period_bounds(year: int, quarter: int | None) -> tuple[datetime.date, datetime.date]:
    """A quarter, or the whole year when `quarter` is None."""
    if quarter is None:
        return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    return quarter_bounds(year, quarter)


# --- Lists -------------------------------------------------------------------------------------------


def _problem_related(qs: QuerySet[Problem]) -> QuerySet[Problem]:
    return qs.select_related("visit__district", "town__unit", "responsible_unit", "responsible_member_unit")


def visit_list(
    user: AbstractBaseUser,
    *,
    district_id: int | None = None,
    town_id: int | None = None,
    kind: str | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    today: datetime.date | None = None,
    with_attachments: bool = False,
) -> QuerySet[Visit]:
    """Visits the user sees, newest first, with their towns, member units and problem counts (and their files,
    `with_attachments`: the API shows them)."""
    today = today or dates.today()
    qs = visits_qs_for_user(user)
    if district_id:
        qs = qs.filter(district_id=district_id)
    if town_id:
        qs = qs.filter(pk__in=Visit.towns.through.objects.filter(town_id=town_id).values("visit_id"))
    qs = narrowed(qs, kind=kind, held_on__gte=start, held_on__lt=end)
    if with_attachments:
        qs = qs.prefetch_related("attachments")
    return (
        qs.select_related("district")
        .prefetch_related(
            Prefetch("towns", queryset=Town.objects.select_related("unit").order_by("unit__order", "unit__code")),
            "member_units",
        )
        .annotate(
            problem_count=Count("problems", distinct=True),
            open_count=Count("problems", filter=~Q(problems__status=S.VERIFIED), distinct=True),
            overdue_count=Count(
                "problems", filter=~Q(problems__status=S.VERIFIED) & Q(problems__due_on__lt=today), distinct=True
            ),
            solved_count=Count("problems", filter=Q(problems__solved_same_day=True), distinct=True),
        )
        .order_by("-held_on", "-pk")
    )


def visit_with_related(visit: Visit) -> Visit:
    """The visit with what its API answer shows (no access check: callers went through the door)."""
    prefetch_related_objects([visit], "towns", "member_units", "attachments")
    return visit


def visit_towns(visit: Visit) -> list[Town]:
    return list(visit.towns.select_related("unit").order_by("unit__order", "unit__code"))


def visit_only_town(visit: Visit) -> Town | None:
    """The town visited when the visit went to exactly one (most problems then concern it)."""
    visited = list(visit.towns.all()[:2])
    return visited[0] if len(visited) == 1 else None


def visit_member_units(visit: Visit) -> list[MemberUnit]:
    return list(visit.member_units.order_by("order"))


def visit_district_choices(visit: Visit) -> QuerySet[OrgUnit]:
    """The visit's district as the one choice of its edit form: the district of a visit stays."""
    return OrgUnit.objects.filter(pk=visit.district_id)


def visit_problems(visit: Visit, user: AbstractBaseUser) -> list[Problem]:
    """The visit's problems the user sees (a liaison sees only its unit's), with their evidence files."""
    qs = problems_qs_for_user(user).filter(visit=visit)
    return list(
        _problem_related(qs).prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk"))
        )
    )


def problem_tally(problems: list[Problem], today: datetime.date) -> dict[str, int]:
    """A visit's problems counted for the strip above its list."""
    return {
        "found": len(problems),
        "on_site": sum(p.solved_on_site for p in problems),
        "same_day": sum(p.solved_same_day for p in problems),
        "open": sum(not p.is_closed for p in problems),
        "overdue": sum(p.is_overdue(today) for p in problems),
    }


def visit_attachments(visit: Visit) -> list[Attachment]:
    """Files of the visit itself (evidence of problems is shown with each problem)."""
    return list(visit.attachments.filter(problem__isnull=True).order_by("uploaded_at", "pk"))


def visit_history(visit: Visit) -> list[InspectionEvent]:
    return list(visit.events.filter(problem__isnull=True).select_related("actor__profile").order_by("at", "pk"))


def problem_list(
    user: AbstractBaseUser,
    *,
    district_id: int | None = None,
    visit_id: int | None = None,
    status: str | None = None,
    category: str | None = None,
    overdue: bool = False,
    mine: bool = False,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    keyword: str | None = None,
    urgent_first: bool = False,
    today: datetime.date | None = None,
    with_attachments: bool = False,
) -> QuerySet[Problem]:
    """Problems the user sees, newest first (with their files, `with_attachments`: the API shows them); the
    list page's order, `urgent_first`: the open ones past their deadline, then the other open ones, both by
    deadline, then the closed ones newest first."""
    today = today or dates.today()
    qs = problems_matching(problems_qs_for_user(user), keyword)
    qs = narrowed(qs, visit__district_id=district_id, visit_id=visit_id, status=status, category=category)
    if overdue:
        qs = qs.exclude(status=S.VERIFIED).filter(due_on__lt=today)
    if mine:
        qs = qs.filter(_assigned_to(user))
    qs = narrowed(qs, found_on__gte=start, found_on__lt=end)
    if with_attachments:
        qs = qs.prefetch_related("attachments")
    newest_first = ("-found_on", "-visit_id", "pk")
    if not urgent_first:
        return _problem_related(qs).order_by(*newest_first)
    is_open = ~Q(status=S.VERIFIED)
    urgency = Case(When(is_open & Q(due_on__lt=today), then=0), When(is_open, then=1), default=2)
    deadline = Case(When(is_open, then=F("due_on")))  # none for the closed ones: newest first among them
    return _problem_related(qs).order_by(urgency, deadline.asc(nulls_last=True), *newest_first)


# A problem matches a keyword's term by its description, its town, district, visit or responsible unit, or its
# category's name (the platform's search, tianjin_towns.search, looks problems up the same way).
PROBLEM_SEARCH_FIELDS = (
    "description",
    "town__unit__name",
    "visit__district__name",
    "visit__title",
    "responsible_unit__name",
    "responsible_member_unit__name",
    "responsible_member_unit__short_name",
)


def problems_matching(problems: QuerySet[Problem], keyword: str | None) -> QuerySet[Problem]:
    def term_match(term: str) -> Q:
        categories = [value for value, label in ProblemCategory.choices if term in str(label)]
        return text_match(term, PROBLEM_SEARCH_FIELDS) | Q(category__in=categories)

    return matching(problems, keyword, term_match)


def rows_by_pk(model: type[Model], ids: Iterable[int]) -> list:
    """The towns, org units or member units an API body names by id (towns with their unit), found or not:
    the caller says which ids are missing."""
    qs = model.objects.filter(pk__in=list(ids))
    if model is Town:
        qs = qs.select_related("unit")
    return list(qs)


def problem_with_related(pk: int) -> Problem:
    """One problem with what its API answer shows (no access check: callers went through the door)."""
    return _problem_related(Problem.objects.filter(pk=pk)).prefetch_related("attachments").get()


def problem_timeline(problem: Problem) -> list[InspectionEvent]:
    return list(
        problem.events.select_related("actor__profile")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk")))
        .order_by("at", "pk")
    )


def problem_escalations(problem: Problem) -> list[Escalation]:
    return list(problem.escalations.order_by("level"))


def evidence_required() -> bool:
    """Whether reporting a rectification needs evidence (settings.EVIDENCE_REQUIRED holds the rule per kind)."""
    return settings.EVIDENCE_REQUIRED.get("problem", True)


def evidence_since_rejection(timeline: Iterable[InspectionEvent]) -> bool:
    """Whether the unit's reports among a problem's `timeline` (in time order, with their attachments) since the
    office last sent it back carry a photo or document: the rectification's own, or an earlier progress report's."""
    backed = False
    for event in timeline:
        if event.action == InspectionEvent.Action.REJECT:
            backed = False
        elif event.action in (InspectionEvent.Action.PROGRESS, InspectionEvent.Action.RECTIFY):
            backed = backed or bool(event.attachments.all())
    return backed


def problem_has_evidence(problem: Problem) -> bool:
    return evidence_since_rejection(problem.events.prefetch_related("attachments").order_by("at", "pk"))


def no_evidence_reason(timeline: Iterable[InspectionEvent]) -> str:
    """Why the unit's latest rectification (since the office last sent the problem back) has no evidence, as it
    said; "" when it gave none."""
    Action = InspectionEvent.Action
    return said_since_sent_back(timeline, reported=Action.RECTIFY, sent_back=Action.REJECT, field="no_evidence_reason")


def evidence_waiver(timeline: Iterable[InspectionEvent]) -> InspectionEvent | None:
    """The office's waiver of the evidence in a problem's `timeline`: who, when and why."""
    waivers = [event for event in timeline if event.action == InspectionEvent.Action.WAIVE_EVIDENCE]
    return waivers[-1] if waivers else None


# --- What waits for the user (待我处理) ---------------------------------------------------------------


def _assigned_to(user: AbstractBaseUser) -> Q:
    """Problems the user answers for: its units' (as officer or leader) or its member unit's."""
    units = unit_perms.org_units_for_user(user, unit_perms.FILL) | unit_perms.org_units_for_user(
        user, unit_perms.APPROVE
    )
    scope = Q(responsible_unit__in=units.values("pk"))
    member_unit = liaison_member_unit_id(user)
    if member_unit is not None:
        scope |= Q(responsible_member_unit_id=member_unit)
    return scope


@dataclass
class ProblemInbox:
    today: datetime.date
    to_rectify: list[Problem] = field(default_factory=list)  # open or in progress, assigned to the user's unit
    to_verify: list[Problem] = field(default_factory=list)  # rectified, awaiting the office
    to_rectify_count: int = 0
    to_verify_count: int = 0
    overdue_count: int = 0

    @property
    def total(self) -> int:
        return self.to_rectify_count + self.to_verify_count


def _problems_waiting(user: AbstractBaseUser) -> tuple[QuerySet[Problem], QuerySet[Problem]]:
    """The one definition of the problems that wait for the user: to rectify (open or in progress, assigned to
    its units or its member unit) and to verify (rectified, in the districts it manages). Each is counted
    without a query when the user holds no grant for it, inside a request."""
    to_rectify = problems_qs_for_user(user).filter(_assigned_to(user), status__in=(S.OPEN, S.IN_PROGRESS))
    to_verify = Problem.objects.filter(visit__district__in=districts_managed_by(user).values("pk"), status=S.DONE)
    return to_rectify, to_verify


def problem_inbox(user: AbstractBaseUser, *, today: datetime.date | None = None, limit: int = 8) -> ProblemInbox:
    """Problems waiting for the user: the most urgent first (overdue, then by deadline)."""
    today = today or dates.today()
    inbox = ProblemInbox(today=today)
    to_rectify, to_verify = _problems_waiting(user)
    counts = to_rectify.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    inbox.to_rectify_count, inbox.overdue_count = counts["total"], counts["overdue"]
    if inbox.to_rectify_count:
        inbox.to_rectify = list(_problem_related(to_rectify).order_by("due_on", "pk")[:limit])
    inbox.to_verify_count = to_verify.count()
    if inbox.to_verify_count:
        inbox.to_verify = list(_problem_related(to_verify).order_by("rectified_on", "pk")[:limit])
    return inbox


def problem_inbox_count(user: AbstractBaseUser) -> int:
    """`problem_inbox(user).total` for the navigation badge: the same querysets counted in one query, none for
    what the user holds no grant on when that is known without one (inside a request)."""
    if not user.is_authenticated:
        return 0
    return count_rows(*_problems_waiting(user))


# --- Measures ----------------------------------------------------------------------------------------


@dataclass
class Measures:
    """How a district (or town) handled the problems found on visits held in a period.

    `found` counts problems found on visits held in [start, end); the other counts describe those
    problems as of `today`: `closed` verified, `closed_on_time` verified by their deadline, `open`
    not verified yet, `overdue` not verified and past the deadline. Shares are of `found` (None when
    nothing was found); solved the same day includes solved on the spot.
    """

    visits: int = 0  # on-site supervision services held
    special_inspections: int = 0
    found: int = 0
    solved_on_site: int = 0
    solved_same_day: int = 0
    closed: int = 0
    closed_on_time: int = 0
    open: int = 0
    overdue: int = 0
    days_to_close: list[int] = field(default_factory=list, repr=False)

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    @property
    def visits_held(self) -> int:
        return self.visits + self.special_inspections

    @property
    def share_solved_on_site(self) -> float | None:
        return self._share(self.solved_on_site, self.found)

    @property
    def share_solved_same_day(self) -> float | None:
        return self._share(self.solved_same_day, self.found)

    @property
    def share_closed_on_time(self) -> float | None:
        return self._share(self.closed_on_time, self.found)

    @property
    def median_days_to_close(self) -> float | None:
        """Median of (closed on − found on) over the verified problems; None when none is closed yet."""
        return float(statistics.median(self.days_to_close)) if self.days_to_close else None

    def add_problem(
        self, *, status: str, solved_on_site: bool, solved_same_day: bool, found_on, due_on, closed_on, today
    ) -> None:
        self.found += 1
        self.solved_on_site += solved_on_site
        self.solved_same_day += solved_same_day
        if status == S.VERIFIED:
            self.closed += 1
            self.closed_on_time += closed_on <= due_on
            self.days_to_close.append((closed_on - found_on).days)
        else:
            self.open += 1
            self.overdue += due_on < today

    def as_dict(self) -> dict:
        return {
            "visits": self.visits,
            "special_inspections": self.special_inspections,
            "visits_held": self.visits_held,
            "found": self.found,
            "solved_on_site": self.solved_on_site,
            "solved_same_day": self.solved_same_day,
            "share_solved_on_site": self.share_solved_on_site,
            "share_solved_same_day": self.share_solved_same_day,
            "closed": self.closed,
            "closed_on_time": self.closed_on_time,
            "share_closed_on_time": self.share_closed_on_time,
            "median_days_to_close": self.median_days_to_close,
            "open": self.open,
            "overdue": self.overdue,
        }


PROBLEM_MEASURE_FIELDS = ("status", "solved_on_site", "solved_same_day", "found_on", "due_on", "closed_on")


def _count_visits(result: dict[int, Measures], rows: Iterable[tuple[int, str, int]]) -> None:
    for key, kind, count in rows:
        if key not in result:
            continue
        if kind == Visit.Kind.ONSITE_SUPERVISION:
            result[key].visits += count
        else:
            result[key].special_inspections += count


def _read_measures(
    result: dict[int, Measures], visits_sql: str, problems_sql: str, params: dict, today: datetime.date
) -> None:
    """Fill `result` from two statements: (key, visit kind, count) and (key, *PROBLEM_MEASURE_FIELDS).
    Plain SQL: the leaders' dashboards read these on every request, and building the querysets cost more
    than running them."""
    with connection.cursor() as cursor:
        cursor.execute(visits_sql, params)
        _count_visits(result, cursor.fetchall())
        cursor.execute(problems_sql, params)
        problems = cursor.fetchall()
    for key, *values in problems:
        if key in result:
            result[key].add_problem(**dict(zip(PROBLEM_MEASURE_FIELDS, values, strict=True)), today=today)


def problem_measures(
    *,
    district_ids: list[int] | None = None,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
) -> dict[int, Measures]:
    """Measures per district (every district when `district_ids` is None) for visits held in [start, end).

    Not scoped to a user: callers pass the districts the user sees. Two queries whatever the size.
    """
    today = today or dates.today()
    if district_ids is None:
        district_ids = list(OrgUnit.objects.filter(level=OrgUnit.Level.DISTRICT).values_list("pk", flat=True))
    result = {pk: Measures() for pk in district_ids}
    visits, problems = Visit._meta.db_table, Problem._meta.db_table
    held = "v.held_on >= %(start)s AND v.held_on < %(end)s AND v.district_id = ANY(%(districts)s)"
    _read_measures(
        result,
        f"SELECT v.district_id, v.kind, COUNT(*) FROM {visits} v WHERE {held} GROUP BY v.district_id, v.kind",
        f"""SELECT v.district_id, {", ".join(f"p.{name}" for name in PROBLEM_MEASURE_FIELDS)}
            FROM {problems} p JOIN {visits} v ON v.id = p.visit_id WHERE {held}""",
        {"districts": list(district_ids), "start": start, "end": end},
        today,
    )
    return result


def problem_measures_by_town(
    *,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
    town_ids: list[int] | None = None,
) -> dict[int, Measures]:
    """Measures per town (every town, or those of `town_ids`) for visits held in [start, end): visits that
    went to the town and the problems recorded against it. Problems recorded for a district as a whole
    count only there."""
    today = today or dates.today()
    ids = Town.objects.values_list("pk", flat=True) if town_ids is None else town_ids  # callers pass towns
    result = {pk: Measures() for pk in ids}
    visits, problems, visited = Visit._meta.db_table, Problem._meta.db_table, Visit.towns.through._meta.db_table
    held = "v.held_on >= %(start)s AND v.held_on < %(end)s"
    towns = "" if town_ids is None else " AND {}.town_id = ANY(%(towns)s)"
    _read_measures(
        result,
        f"""SELECT vt.town_id, v.kind, COUNT(*) FROM {visited} vt JOIN {visits} v ON v.id = vt.visit_id
            WHERE {held}{towns.format("vt")} GROUP BY vt.town_id, v.kind""",
        f"""SELECT p.town_id, {", ".join(f"p.{name}" for name in PROBLEM_MEASURE_FIELDS)}
            FROM {problems} p JOIN {visits} v ON v.id = p.visit_id
            WHERE p.town_id IS NOT NULL AND {held}{towns.format("p")}""",
        {"towns": list(town_ids or []), "start": start, "end": end},
        today,
    )
    return result


def measures_total(measures: Iterable[Measures]) -> Measures:
    """The sum of several districts' (or quarters') measures; the median is over all their closed problems."""
    total = Measures()
    counted = ("visits", "special_inspections", "found", "solved_on_site", "solved_same_day", "closed")
    counted += ("closed_on_time", "open", "overdue")
    for item in measures:
        for name in counted:
            setattr(total, name, getattr(total, name) + getattr(item, name))
        total.days_to_close.extend(item.days_to_close)
    return total


def district_measures(
    districts: Iterable[OrgUnit], *, start: datetime.date, end: datetime.date
) -> list[tuple[OrgUnit, Measures]]:
    """Each district with its measures for visits held in [start, end), in the order given."""
    districts = list(districts)
    figures = problem_measures(district_ids=[d.pk for d in districts], start=start, end=end)
    return [(d, figures[d.pk]) for d in districts]


@dataclass
class DistrictOverview:
    """A district's inspection page for a year: its quarters so far, their total, visits and open problems."""

    quarters: list[dict]  # {"quarter", "start", "m": Measures}, up to the current quarter
    year_total: Measures
    visits: list[Visit]
    open_problems: list[Problem]


def district_overview(
    user: AbstractBaseUser, district: OrgUnit, *, year: int, today: datetime.date, visits: int = 20, problems: int = 30
) -> DistrictOverview:
    quarters = []
    for quarter in range(1, 5):
        start, end = quarter_bounds(year, quarter)
        if start > today:
            break
        figures = problem_measures(district_ids=[district.pk], start=start, end=end, today=today)
        quarters.append({"quarter": quarter, "start": start, "m": figures[district.pk]})
    start, end = period_bounds(year, None)
    open_problems = problem_list(user, district_id=district.pk, today=today).exclude(status=S.VERIFIED)
    return DistrictOverview(
        quarters=quarters,
        year_total=measures_total(q["m"] for q in quarters),
        visits=list(visit_list(user, district_id=district.pk, start=start, end=end)[:visits]),
        open_problems=list(open_problems[:problems]),
    )


def districts_for_user(user: AbstractBaseUser, *, only: int | None = None) -> QuerySet[OrgUnit]:
    """The districts the user sees (`only` that one, when given), in their order."""
    districts = unit_perms.districts_for_user(user)
    return districts if only is None else districts.filter(pk=only)


def districts_to_record(user: AbstractBaseUser) -> QuerySet[OrgUnit]:
    """The districts the "new visit" form offers: those where the user records visits."""
    return districts_managed_by(user).order_by("order", "code")


def towns_for_filter(user: AbstractBaseUser) -> QuerySet[Town]:
    """The towns the user sees, with their names: the visit list filters by one of them."""
    return unit_perms.towns_for_user(user).select_related("unit")


# --- Cadence (R-2.4) ---------------------------------------------------------------------------------


def visits_held_period_counter(kind: str) -> Callable[[list[int], list[tuple]], dict[int, list[int]]]:
    """The period counter coordination's cadence registry calls: visits of `kind` held per org unit and
    period, {unit_id: [count per period]}, for a whole year in one query.

    A district counts the visits to it; a town counts the visits that went to the town.
    """

    def count(unit_ids: list[int], periods: list[tuple]) -> dict[int, list[int]]:
        to_districts = period_counts(
            Visit.objects.filter(district_id__in=unit_ids, kind=kind),
            unit="district_id",
            day="held_on",
            periods=periods,
        )
        to_towns = period_counts(
            Visit.towns.through.objects.filter(town_id__in=unit_ids, visit__kind=kind),
            unit="town_id",
            day="visit__held_on",
            periods=periods,
        )
        result = {unit_id: [0] * len(periods) for unit_id in unit_ids}
        result.update(sum_period_counts(to_districts.union(to_towns, all=True), len(periods)))
        return result

    return count


def visits_held_counter(kind: str) -> Callable[[list[int], datetime.date, datetime.date], dict[int, int]]:
    """The counter of one period (coordination's `count_activities`): visits of `kind` held per org unit in
    [start, end), every unit asked for included."""
    return single_period(visits_held_period_counter(kind))


def visit_list_link(kind: str) -> Callable[[int, datetime.date, datetime.date], str]:
    """Where the cadence matrix links a cell: the visit list filtered to the district, kind and period.

    Visit rules are per district (1–2 a quarter), so the unit is a district; no query per cell.
    """

    def link(unit_id: int, start: datetime.date, end: datetime.date) -> str:
        # Every part is URL-safe as it stands (an id, a kind's code, ISO dates): no encoding per cell.
        last_day = end - datetime.timedelta(days=1)
        return f"{_visit_list_url()}?district={unit_id}&kind={kind}&date_from={start}&date_to={last_day}"

    return link


@functools.cache
def _visit_list_url() -> str:
    return reverse("inspection-list")  # once: the city's cadence panel links eighty cells to it


# --- Circular (通报, R-5.6) --------------------------------------------------------------------------


@dataclass
class CircularEntry:
    problem: Problem
    days_overdue: int


@dataclass
class CircularDistrict:
    district: OrgUnit
    entries: list[CircularEntry]


@dataclass
class Circular:
    start: datetime.date
    end: datetime.date
    as_of: datetime.date
    districts: list[CircularDistrict]
    district_count: int  # districts covered, with or without overdue problems

    @property
    def total(self) -> int:
        return sum(len(d.entries) for d in self.districts)

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)


def overdue_circular(
    *,
    districts: Iterable[OrgUnit],
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
) -> Circular:
    """Problems overdue at the end of [start, end) — or today, for a period still running — per district.

    A problem is overdue on a day when its deadline has passed and it was not verified closed by then;
    problems found before the period and still overdue are listed too.
    """
    today = today or dates.today()
    as_of = min(end - datetime.timedelta(days=1), today)
    districts = list(districts)
    problems = _problem_related(
        Problem.objects.filter(
            visit__district__in=[d.pk for d in districts], found_on__lte=as_of, due_on__lt=as_of
        ).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
    ).order_by("due_on", "pk")
    by_district: dict[int, list[CircularEntry]] = defaultdict(list)
    for problem in problems:
        by_district[problem.visit.district_id].append(CircularEntry(problem, (as_of - problem.due_on).days))
    blocks = [CircularDistrict(d, by_district[d.pk]) for d in districts if by_district.get(d.pk)]
    blocks.sort(key=lambda block: (-len(block.entries), block.district.order))
    return Circular(start=start, end=end, as_of=as_of, districts=blocks, district_count=len(districts))


def visits_joined(user: AbstractBaseUser, today: datetime.date | None = None, *, days: int = 30, limit: int = 5):
    """The visits the liaison's member unit joins, from `days` ago on, soonest first (its home page)."""
    member_unit = liaison_member_unit_id(user)
    if member_unit is None:
        return []
    since = (today or dates.today()) - datetime.timedelta(days=days)
    joined = Visit.member_units.through.objects.filter(memberunit_id=member_unit).values("visit_id")
    visits = Visit.objects.filter(pk__in=joined, held_on__gte=since).select_related("district")
    return list(visits.order_by("held_on", "pk")[:limit])
