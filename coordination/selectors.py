"""Reads of the coordination app that cross relations."""

import collections
import datetime
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet
from guardian.models import UserObjectPermission

from tianjin_towns.lib import dates
from tianjin_towns.lib.queries import narrowed

from . import cadence, search_selectors
from . import permissions as perms
from .action_item_selectors import overdue_action_item_count  # noqa: F401 (re-exported: the office's figure)
from .inbox_selectors import (  # noqa: F401 (re-exported: what waits for a user, 待我处理)
    CoordinationInbox,
    CoordinationInboxQueries,
    coordination_inbox,
    coordination_inbox_count,
    coordination_inbox_queries,
)
from .models import (
    ActionItem,
    CadenceRule,
    CalendarDay,
    Decision,
    JointConference,
    Meeting,
    MeetingAttachment,
    MeetingEvent,
    MeetingState,
    MemberUnit,
    Notification,
    OrgUnit,
    Plan,
    PlanOpinion,
    PlanVersion,
    Role,
    SharedKind,
    SupportPolicy,
    UserProfile,
    WorkingGroup,
)
from .models.meetings import OPEN_STATUSES


def notifications_for_user(user: AbstractBaseUser, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first, with the type of what each is about (the API names it)."""
    notifications = Notification.objects.filter(recipient=user).select_related("content_type")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-pk")


def unread_count(user: AbstractBaseUser) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def users_with_unit_perm(unit: OrgUnit, perm: str) -> QuerySet:
    """Active users holding `perm` on `unit` or on a unit above it (whom to tell about the unit's work)."""
    ancestors = [unit.pk]
    if unit.parent_id:
        ancestors.append(unit.parent_id)
        parent = OrgUnit.objects.only("parent_id").get(pk=unit.parent_id)
        if parent.parent_id:
            ancestors.append(parent.parent_id)
    holders = UserObjectPermission.objects.filter(
        permission__codename=perm,
        content_type=ContentType.objects.get_for_model(OrgUnit),
        object_pk__in=[str(pk) for pk in ancestors],
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=holders, is_active=True).order_by("pk")


# ==================================================================================================
# Issue 4: cadence matrix, meetings, action items, plans, the organisation
# ==================================================================================================

# --- Cadence compliance (R-2.4) -------------------------------------------------------------------


@dataclass
class CadenceCell:
    """One org unit × rule × period of the matrix. `period_end` is exclusive: the first day after the
    period, as the activity counters take it."""

    org_unit: OrgUnit
    rule: CadenceRule
    period_start: datetime.date
    period_end: datetime.date
    required_min: int
    required_max: int | None
    held: int
    state: str  # ok | short | over | pending

    @property
    def period_label(self) -> str:
        return period_label(self.rule.period, self.period_start)

    @property
    def link(self) -> str:
        """Where the activities behind the cell are listed ('' when the kind has no list page)."""
        item = cadence.activity_kind(self.rule.kind)
        if item is None or item.link is None:
            return ""
        return item.link(self.org_unit.pk, self.period_start, self.period_end)


def periods_of_year(period: str, year: int) -> list[tuple[datetime.date, datetime.date]]:
    """[start, end) of each month, quarter or the year itself."""
    step = {CadenceRule.Period.MONTH: 1, CadenceRule.Period.QUARTER: 3, CadenceRule.Period.YEAR: 12}[period]
    starts = [datetime.date(year, month, 1) for month in range(1, 13, step)]
    return [(start, dates.add_months(start, step)) for start in starts]


def period_label(period: str, start: datetime.date) -> str:
    if period == CadenceRule.Period.MONTH:
        return f"{start:%Y-%m}"
    if period == CadenceRule.Period.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def cadence_state(held: int, required_min: int, required_max: int | None, end: datetime.date, today) -> str:
    """over: more than allowed; ok: the minimum is met; pending: not yet, but the period has not ended; short."""
    if required_max is not None and held > required_max:
        return "over"
    if held >= required_min:
        return "ok"
    return "pending" if today < end else "short"


def cadence_matrix(
    year: int, *, unit_ids: list[int] | None = None, today: datetime.date | None = None
) -> list[CadenceCell]:
    """Every active rule × org unit of its level × period of `year`, ordered that way.

    Queries: the rules, the org units, and one count per activity kind and level for the whole year
    (every period of its rules at once) whatever the number of units, periods or activities. Rules whose
    kind nobody registered (an app not installed) are left out.
    """
    today = today or dates.today()
    rules = [
        r for r in CadenceRule.objects.filter(active=True).order_by("order", "pk") if cadence.activity_kind(r.kind)
    ]
    if not rules:
        return []
    units = OrgUnit.objects.filter(level__in={r.level for r in rules}).order_by("order", "code")
    if unit_ids is not None:
        units = units.filter(pk__in=list(unit_ids))
    by_level: dict[str, list[OrgUnit]] = {}
    for unit in units:
        by_level.setdefault(unit.level, []).append(unit)
    # The periods each kind is counted over, per level: those of all its rules, counted together.
    periods_by_kind: dict[tuple[str, str], list[tuple[datetime.date, datetime.date]]] = {}
    for rule in rules:
        if rule.level in by_level:
            wanted = periods_by_kind.setdefault((rule.kind, rule.level), [])
            wanted += [p for p in periods_of_year(rule.period, year) if p not in wanted]
    counted: dict[tuple[str, str], tuple[dict, dict[int, list[int]]]] = {}
    for (kind, level), periods in periods_by_kind.items():
        ids = [unit.pk for unit in by_level[level]]
        position = {period: index for index, period in enumerate(periods)}
        counted[(kind, level)] = (position, cadence.count_activities_by_period(kind, ids, periods))
    cells: list[CadenceCell] = []
    for rule in rules:
        level_units = by_level.get(rule.level, [])
        if not level_units:
            continue
        periods = periods_of_year(rule.period, year)
        position, counts = counted[(rule.kind, rule.level)]
        for unit in level_units:
            unit_counts = counts.get(unit.pk)
            for start, end in periods:
                held = unit_counts[position[(start, end)]] if unit_counts else 0
                cells.append(
                    CadenceCell(
                        org_unit=unit,
                        rule=rule,
                        period_start=start,
                        period_end=end,
                        required_min=rule.required_min,
                        required_max=rule.required_max,
                        held=held,
                        state=cadence_state(held, rule.required_min, rule.required_max, end, today),
                    )
                )
    return cells


def cadence_matrix_for_user(user: AbstractBaseUser, year: int) -> list[CadenceCell]:
    """The matrix of the municipality and the districts the user sees (the page's and the API's)."""
    unit_ids = list(
        perms.org_units_for_user(user)
        .filter(level__in=[OrgUnit.Level.MUNICIPAL, OrgUnit.Level.DISTRICT])
        .values_list("pk", flat=True)
    )
    return cadence_matrix(year, unit_ids=unit_ids)


# --- Meetings (R-2.1, R-4.1) ----------------------------------------------------------------------


def meeting_list(
    user: AbstractBaseUser,
    *,
    kind: str | None = None,
    org_unit_id: int | None = None,
    state: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    year: int | None = None,
    keyword: str | None = None,
) -> QuerySet[Meeting]:
    """The meetings the user sees, newest first, with their decision and action-item counts."""
    meetings = search_selectors.meetings_matching(perms.meetings_for_user(user), keyword)
    meetings = narrowed(
        meetings,
        kind=kind,
        org_unit_id=org_unit_id,
        state=state,
        held_on__gte=date_from,
        held_on__lte=date_to,
        held_on__year=year,
    )
    return (
        meetings.select_related("org_unit")
        .annotate(
            decision_count=Count("decisions", distinct=True),
            item_count=Count("action_items", distinct=True),
            open_item_count=Count("action_items", filter=Q(action_items__status__in=OPEN_STATUSES), distinct=True),
        )
        .order_by("-held_on", "-pk")
    )


def meeting_decisions(meeting: Meeting) -> list[Decision]:
    """The decisions in order, each with its action items and their responsible units."""
    items = ActionItem.objects.select_related("responsible_unit", "responsible_member_unit").order_by("due_on", "pk")
    return list(meeting.decisions.prefetch_related(Prefetch("action_items", queryset=items)).order_by("order", "pk"))


def meeting_events(meeting: Meeting) -> list[MeetingEvent]:
    return list(meeting.events.select_related("actor__profile").order_by("at", "pk"))


def meeting_attendee_units(meeting: Meeting) -> tuple[list[OrgUnit], list[MemberUnit]]:
    return (
        list(meeting.attendee_units.order_by("level", "order", "code")),
        list(meeting.attendee_member_units.order_by("order")),
    )


def meeting_attendee_ids(meeting: Meeting) -> tuple[list[int], list[int]]:
    """The ids of the attending units and member units (what the edit form starts from)."""
    return (
        list(meeting.attendee_units.values_list("pk", flat=True)),
        list(meeting.attendee_member_units.values_list("pk", flat=True)),
    )


def meeting_attachments(meeting: Meeting) -> list[MeetingAttachment]:
    return list(meeting.attachments.all())


def meetings_with_decisions(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """With what the API shows of each: the decisions in order with their action items' ids, the attendees' ids."""
    items = ActionItem.objects.only("pk", "decision_id")
    decisions = Decision.objects.order_by("order", "pk").prefetch_related(Prefetch("action_items", queryset=items))
    return meetings.prefetch_related(
        Prefetch("decisions", queryset=decisions),
        Prefetch("attendee_units", queryset=OrgUnit.objects.only("pk")),
        Prefetch("attendee_member_units", queryset=MemberUnit.objects.only("pk")),
    )


def meeting_with_decisions(pk: int) -> Meeting:
    return meetings_with_decisions(Meeting.objects.select_related("org_unit").filter(pk=pk)).get()


# --- Plans (R-1.6) --------------------------------------------------------------------------------


def plan_list(
    user: AbstractBaseUser,
    *,
    kind: str | None = None,
    status: str | None = None,
    org_unit_id: int | None = None,
    keyword: str | None = None,
) -> QuerySet[Plan]:
    plans = search_selectors.plans_matching(perms.plans_for_user(user), keyword)
    plans = narrowed(plans, kind=kind, status=status)
    if org_unit_id:
        plans = plans.filter(Q(org_unit_id=org_unit_id) | Q(org_unit__parent_id=org_unit_id))
    return plans.select_related("org_unit__parent", "created_by__profile").order_by("-updated_at", "-pk")


def plan_versions(plan: Plan) -> list[PlanVersion]:
    """Every version, newest first, with its sub-items, attachments and the people involved."""
    return list(
        plan.versions.select_related("submitted_by__profile", "reviewed_by__profile")
        .prefetch_related("sub_items", "attachments")
        .order_by("-number")
    )


def plan_current_version(plan: Plan) -> PlanVersion:
    """The version last submitted, with its sub-items (what a resubmission starts from)."""
    return plan.versions.prefetch_related("sub_items").get(number=plan.current_version)


def plans_with_versions(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """With every version in order, its sub-items, attachments and the people involved (what the API shows)."""
    versions = PlanVersion.objects.select_related("submitted_by", "reviewed_by").prefetch_related(
        "sub_items", "attachments"
    )
    return plans.prefetch_related(Prefetch("versions", queryset=versions.order_by("number")))


def plan_with_versions(pk: int) -> Plan:
    return plans_with_versions(Plan.objects.select_related("org_unit").filter(pk=pk)).get()


def plan_opinions(plan: Plan) -> list[PlanOpinion]:
    """The opinions asked of member units (会签) on every version of the plan, in the units' order."""
    opinions = PlanOpinion.objects.filter(version__plan=plan).select_related(
        "version", "member_unit", "requested_by__profile", "given_by__profile"
    )
    return list(opinions.order_by("-version__number", "member_unit__order", "pk"))


# --- A member unit's own work (部门协同, issue 18) -------------------------------------------------


@dataclass
class MemberUnitWork:
    """What a liaison's home page shows of its member unit besides its action items: what the office
    shares with it and the meetings it is to attend."""

    member_unit: MemberUnit
    shared: list[SharedKind]  # in SharedKind's order
    meetings: list[Meeting]  # planned meetings it attends, from today, soonest first


def member_unit_work(user: AbstractBaseUser, today: datetime.date | None = None, *, limit: int = 5):
    """The liaison's member unit and its work (None for everybody else); two queries."""
    member_unit_id = perms.liaison_member_unit_id(user)
    if member_unit_id is None:
        return None
    today = today or dates.today()
    shared = perms.shared_kinds_for_user(user)
    attended = Meeting.attendee_member_units.through.objects.filter(memberunit_id=member_unit_id)
    meetings = (
        Meeting.objects.filter(pk__in=attended.values("meeting_id"), state=MeetingState.PLANNED, held_on__gte=today)
        .select_related("org_unit")
        .order_by("held_on", "pk")[:limit]
    )
    return MemberUnitWork(
        member_unit=user.profile.member_unit,
        shared=[kind for kind in SharedKind if kind in shared],
        meetings=list(meetings),
    )


# --- The organisation (R-1.3 –) ------------------------------------------------------


@dataclass
class OfficerEntry:
    org_unit: OrgUnit
    officers: list = field(default_factory=list)
    reviewers: list = field(default_factory=list)


def information_officer_registry() -> list[OfficerEntry]:
    """Each district's and town's information officers and reviewing leaders (R-3.1), from their roles."""
    profiles = (
        UserProfile.objects.filter(role__in=[Role.OFFICER, Role.REVIEWER], user__is_active=True)
        .select_related("org_unit", "user")
        .order_by("org_unit__level", "org_unit__order", "org_unit__code", "pk")
    )
    entries: dict[int, OfficerEntry] = {}
    for profile in profiles:
        entry = entries.setdefault(profile.org_unit_id, OfficerEntry(org_unit=profile.org_unit))
        (entry.officers if profile.role == Role.OFFICER else entry.reviewers).append(profile)
    return list(entries.values())


def conferences() -> list[JointConference]:
    return list(
        JointConference.objects.select_related("org_unit")
        .prefetch_related(Prefetch("member_units", queryset=MemberUnit.objects.order_by("order")))
        .order_by("org_unit__level", "org_unit__order")
    )


def member_units_with_liaisons() -> list[MemberUnit]:
    liaisons = UserProfile.objects.filter(role=Role.LIAISON, user__is_active=True).select_related("user")
    return list(
        MemberUnit.objects.prefetch_related(Prefetch("liaisons", queryset=liaisons))
        .annotate(policy_count=Count("policies"))
        .order_by("order", "pk")
    )


def working_groups_with_members() -> list[WorkingGroup]:
    members = UserProfile.objects.filter(role=Role.OFFICE, user__is_active=True).select_related("user")
    return list(WorkingGroup.objects.prefetch_related(Prefetch("members", queryset=members)).order_by("order"))


def policy_list(*, member_unit_id: int | None = None, query: str = "") -> QuerySet[SupportPolicy]:
    policies = SupportPolicy.objects.select_related("member_unit")
    if member_unit_id:
        policies = policies.filter(member_unit_id=member_unit_id)
    policies = search_selectors.policies_matching(policies, query)
    return policies.order_by("-issued_on", "-pk")


def member_units_in_order() -> QuerySet[MemberUnit]:
    """Every member unit, retired ones too (the lists' filters: old records name them)."""
    return MemberUnit.objects.order_by("order")


def org_units_as_tree(units: QuerySet[OrgUnit]) -> list[OrgUnit]:
    """Districts each followed by their towns (the order of the selects and checkbox grids)."""
    units = list(units.select_related("parent").order_by("level", "order", "code"))
    districts = [u for u in units if u.level == OrgUnit.Level.DISTRICT]
    towns: dict[int, list[OrgUnit]] = {}
    for unit in units:
        if unit.level == OrgUnit.Level.TOWN:
            towns.setdefault(unit.parent_id, []).append(unit)
    ordered = []
    for district in districts:
        ordered += [district, *towns.pop(district.pk, [])]
    return ordered + [t for group in towns.values() for t in group]


def member_units_offered(keep=()) -> QuerySet[MemberUnit]:
    """Member units offered in forms for new meetings, action items, policies and liaisons: the active
    ones, plus those in `keep` (ids already chosen on the object edited), so a retired unit's history
    stays as it was (R-1.4)."""
    return MemberUnit.objects.filter(Q(active=True) | Q(pk__in=keep)).order_by("order", "pk")


# --- The working-day calendar (R-3.4) -------------------------------------------------------------


def calendar_entries(year: int) -> dict[datetime.date, bool]:
    """The administrator's entries of `year`: date → whether offices work (tianjin_towns.lib.dates reads them)."""
    return dict(CalendarDay.objects.filter(date__year=year).values_list("date", "is_working_day"))


# --- The cadence matrix as tables: the cadence page and the leaders' dashboard ----------------------------


@dataclass
class CadenceRow:
    unit: OrgUnit
    cells: list[CadenceCell]  # one per period of the rule, in order


@dataclass
class CadenceTable:
    """One rule of the matrix: a row per org unit of its level, a column per period."""

    rule: CadenceRule
    label: str  # the activity kind's
    rows: list[CadenceRow]
    states: collections.Counter  # cells per state: ok, short, over, pending (`Counter` here is a kind's counter)

    @property
    def periods(self) -> list[str]:
        return [cell.period_label for cell in self.rows[0].cells]

    @property
    def short_periods(self) -> list[str]:
        return [cadence.short_period_label(cell.rule.period, cell.period_start) for cell in self.rows[0].cells]


def cadence_tables(cells: Iterable[CadenceCell]) -> list[CadenceTable]:
    """The cells of selectors.cadence_matrix (ordered rule, org unit, period) as one table per rule."""
    tables = []
    for _rule_id, group in itertools.groupby(cells, key=lambda cell: cell.rule.pk):
        rule_cells = list(group)
        rows = [
            CadenceRow(unit=unit_cells[0].org_unit, cells=unit_cells)
            for unit_cells in (list(g) for _unit_id, g in itertools.groupby(rule_cells, key=lambda c: c.org_unit.pk))
        ]
        rule = rule_cells[0].rule
        kind = cadence.activity_kind(rule.kind)
        tables.append(
            CadenceTable(
                rule=rule,
                label=kind.label if kind else rule.kind,
                rows=rows,
                states=collections.Counter(cell.state for cell in rule_cells),
            )
        )
    return tables
