"""The one door for org-unit scope. Pages, API and other apps ask here what a user reaches.

Grants are guardian object permissions on org units (a district, or the municipality); a grant
covers the unit and every unit below it, so years of reports never need per-row grants.

Within a request the user's grants are read once (one small query for every permission) and remembered
until the request ends (coordination.grants; `remembered_unit_grants`, `forget_unit_grants` and
`holds_on_towns_only` are asked through this module).
"""

import functools

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from guardian.shortcuts import get_objects_for_user
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from tianjin_towns.lib.doors import door

from .grants import forget_unit_grants as forget_unit_grants  # the grants' door is asked through this module
from .grants import grant_rows, unit_grants
from .grants import holds_on_towns_only as holds_on_towns_only
from .grants import remembered_unit_grants as remembered_unit_grants
from .models import (
    ActionItem,
    ActionItemEvent,
    ApiClient,
    Decision,
    ExportJob,
    Meeting,
    MeetingAttachment,
    MemberUnit,
    Notification,
    OrgUnit,
    Plan,
    PlanAttachment,
    PlanOpinion,
    PlanStatus,
    Role,
    SharedKind,
    SupportPolicy,
    Town,
    UnitPerm,
)

# Short names for the permissions of models.UnitPerm, the one list of them.
VIEW = UnitPerm.VIEW_UNIT_DATA.value
VIEW_SHARED = UnitPerm.VIEW_SHARED_DATA.value  # accepted records only (数据共享): the member units' liaisons
FILL = UnitPerm.FILL_REPORT.value
APPROVE = UnitPerm.APPROVE_REPORT.value
ACCEPT = UnitPerm.ACCEPT_REPORT.value
MANAGE_MEETINGS = UnitPerm.MANAGE_MEETINGS.value  # create and record meetings hosted by the unit
APPROVE_MINUTES = UnitPerm.APPROVE_MINUTES.value
HANDLE_ACTION_ITEMS = UnitPerm.HANDLE_ACTION_ITEMS.value  # report progress on the unit's items
VERIFY_ACTION_ITEMS = UnitPerm.VERIFY_ACTION_ITEMS.value  # the office only
SUBMIT_PLANS = UnitPerm.SUBMIT_PLANS.value
REVIEW_PLANS = UnitPerm.REVIEW_PLANS.value
MANAGE_POLICIES = UnitPerm.MANAGE_POLICIES.value
MANAGE_INSPECTIONS = UnitPerm.MANAGE_INSPECTIONS.value
MANAGE_ASSESSMENTS = UnitPerm.MANAGE_ASSESSMENTS.value
MANAGE_TOWNS = UnitPerm.MANAGE_TOWNS.value
MANAGE_PROJECTS = UnitPerm.MANAGE_PROJECTS.value
MANAGE_USERS = UnitPerm.MANAGE_USERS.value
MANAGE_ORGANISATION = UnitPerm.MANAGE_ORGANISATION.value
MANAGE_CATALOGUE = UnitPerm.MANAGE_CATALOGUE.value
MANAGE_SECURITY = UnitPerm.MANAGE_SECURITY.value  # the security administrator (三员分立)
READ_SECURITY_AUDIT = UnitPerm.READ_SECURITY_AUDIT.value  # the audit administrator


def org_units_for_user(user: AbstractBaseUser, perm: str = VIEW) -> QuerySet[OrgUnit]:
    """Org units on which `user` holds `perm`, directly or through an ancestor."""
    if not user.is_authenticated or not user.is_active:
        return OrgUnit.objects.none()
    if user.is_superuser:
        return OrgUnit.objects.all()
    grants = unit_grants(user)
    if grants is not None:
        ids = sorted(grants.get(perm, ()))
        if not ids:
            return OrgUnit.objects.none()  # and the queries built on it are not sent at all
        return OrgUnit.objects.filter(Q(pk__in=ids) | Q(parent__in=ids) | Q(parent__parent__in=ids))
    granted = get_objects_for_user(
        user, f"coordination.{perm}", klass=OrgUnit, accept_global_perms=False, with_superuser=False
    ).values("pk")
    return OrgUnit.objects.filter(Q(pk__in=granted) | Q(parent__in=granted) | Q(parent__parent__in=granted))


def reaches_along(user: AbstractBaseUser, chain: list[int], perm: str = VIEW) -> list[bool]:
    """For org units from the top down (the municipality, one of its districts, one of its towns):
    whether the user holds `perm` on each, directly or through a unit above it. In a request the
    remembered grants answer without a query; outside one, one query."""
    if not user.is_authenticated or not user.is_active:
        return [False] * len(chain)
    if user.is_superuser:
        return [True] * len(chain)
    grants = unit_grants(user)
    if grants is None:
        reached = set(org_units_for_user(user, perm).filter(pk__in=chain).values_list("pk", flat=True))
        return [pk in reached for pk in chain]
    granted, above, result = grants.get(perm, frozenset()), False, []
    for pk in chain:
        above = above or pk in granted
        result.append(above)
    return result


def towns_for_user(user: AbstractBaseUser, perm: str = VIEW) -> QuerySet[Town]:
    return Town.objects.filter(unit__in=org_units_for_user(user, perm).values("pk"))


# --- Data sharing (数据共享, issue 18) ------------------------------------------------------------------
#
# A member unit's liaison holds VIEW_SHARED on the municipality: it reads, across every district, what the
# office has accepted (the ledgers and accepted figures, the dashboards, published assessment results,
# approved plans, the project ledger), never a report still in its workflow nor an audit trail. The office
# narrows it per member unit: kinds of record (MemberUnit.withheld_kinds) and indicators
# (ledgers' Indicator.withheld_from). Each reading selector asks `reading_units_for_user(user, kind)`: the
# user's own scope (VIEW, where it sees everything) and what is shared with it.


def shared_kinds_for_user(user: AbstractBaseUser) -> frozenset[str]:
    """The kinds of accepted records (SharedKind) shared with the user: none without VIEW_SHARED; for a
    liaison, those the office has not withheld from its member unit. No query in a request beyond the
    liaison's profile and member unit, which the user object keeps."""
    if VIEW_SHARED not in unit_perms_held(user):
        return frozenset()
    member_unit = sharing_member_unit(user)
    withheld = member_unit.withheld_kinds if member_unit is not None else ()
    return frozenset(SharedKind.values) - set(withheld or ())


def sharing_member_unit(user: AbstractBaseUser) -> MemberUnit | None:
    """The member unit whose sharing settings apply to the user: a liaison's, or an API client's (接口客户端
    of a member unit); None for everybody else (an API client of another system is shared everything)."""
    profile = getattr(user, "profile", None) if user.is_authenticated and user.is_active else None
    if profile is None or profile.role not in (Role.LIAISON, Role.CLIENT):
        return None
    return profile.member_unit


def is_api_client(user: AbstractBaseUser) -> bool:
    """Whether the user is an API client's service account: read-only everywhere (tianjin_towns.lib.api)."""
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    return profile is not None and profile.role == Role.CLIENT


def shared_units_for_user(user: AbstractBaseUser, kind: str) -> QuerySet[OrgUnit]:
    """The units whose accepted records of `kind` are shared with the user (none when withheld)."""
    if kind not in shared_kinds_for_user(user):
        return OrgUnit.objects.none()
    return org_units_for_user(user, VIEW_SHARED)


def reading_units_for_user(user: AbstractBaseUser, kind: str) -> QuerySet[OrgUnit]:
    """The units whose accepted records of `kind` the user reads: its own scope and what is shared with it."""
    return org_units_for_user(user, VIEW) | shared_units_for_user(user, kind)


def reading_towns_for_user(user: AbstractBaseUser, kind: str) -> QuerySet[Town]:
    return Town.objects.filter(unit__in=reading_units_for_user(user, kind).values("pk"))


def reading_districts_for_user(user: AbstractBaseUser, kind: str) -> QuerySet[OrgUnit]:
    """The districts whose accepted records of `kind` the user reads, in their order (the pages' filters)."""
    return reading_units_for_user(user, kind).filter(level=OrgUnit.Level.DISTRICT).order_by("order", "code")


def reads_shared_only(user: AbstractBaseUser) -> bool:
    """Whether the user reads data through sharing alone (a liaison): the pages then leave out what is not
    shared (reports in their workflow, audit trails, the office's working lists)."""
    # The shared kinds first: in a request they cost no query, and most users have none.
    return bool(shared_kinds_for_user(user)) and not org_units_for_user(user, VIEW).exists()


def check_manage_sharing(user: AbstractBaseUser) -> None:
    """The door of the data-sharing settings: the office decides what each member unit is shared (403)."""
    if not works_for_office(user):
        raise PermissionDenied


def get_member_unit_to_share(user: AbstractBaseUser, pk) -> MemberUnit:
    """A member unit whose sharing the office sets: 404 for an unknown one, 403 outside the office."""
    return door(MemberUnit.objects.filter(pk=pk).first() if user.is_authenticated else None, works_for_office(user))


def check_manage_api_clients(user: AbstractBaseUser) -> None:
    """The door of the API clients' pages (系统管理 → 接口客户端): the office (403)."""
    if not works_for_office(user):
        raise PermissionDenied


def get_api_client_for_user(user: AbstractBaseUser, pk) -> ApiClient:
    """An API client the office manages: 404 for an unknown one, 403 outside the office."""
    found = ApiClient.objects.select_related("user", "member_unit").filter(pk=pk).first()
    return door(found if user.is_authenticated else None, works_for_office(user))


def reaches_along_reading(user: AbstractBaseUser, chain: list[int], kind: str) -> list[bool]:
    """`reaches_along` for reading the accepted records of `kind`: through the user's own grants or sharing."""
    own = reaches_along(user, chain, VIEW)
    if kind not in shared_kinds_for_user(user):
        return own
    return [a or b for a, b in zip(own, reaches_along(user, chain, VIEW_SHARED), strict=True)]


def user_has_unit_perm(user: AbstractBaseUser, unit_id: int, perm: str) -> bool:
    # In a request the remembered grants answer the common cases without a query: no grant at all, or one on the
    # unit itself (an officer's on the town). Only a grant that may come through an ancestor needs the query.
    grants = unit_grants(user) if user.is_authenticated and user.is_active and not user.is_superuser else None
    if grants is not None:
        granted = grants.get(perm, frozenset())
        if not granted or unit_id in granted:
            return bool(granted)
    return org_units_for_user(user, perm).filter(pk=unit_id).exists()


def get_town_for_user(user: AbstractBaseUser, pk: int, perm: str = VIEW) -> Town:
    """The town if the user sees it (404 otherwise) and holds `perm` on it (403 otherwise)."""
    town = towns_for_user(user, VIEW).select_related("unit", "district").filter(pk=pk).first()
    return door(town, lambda found: perm == VIEW or user_has_unit_perm(user, found.pk, perm))


def get_org_unit_for_user(user: AbstractBaseUser, pk: int, perm: str = VIEW) -> OrgUnit:
    unit = org_units_for_user(user, VIEW).filter(pk=pk).first()
    return door(unit, lambda found: perm == VIEW or user_has_unit_perm(user, found.pk, perm))


# --- What a user may do somewhere: the navigation bar, the office, master data (R-1.5, R-1.7) ---------


def unit_perms_held(user: AbstractBaseUser) -> frozenset[str]:
    """The permissions the user holds on at least one org unit (all of them for a superuser). In a
    request the remembered grants answer without a query: the navigation bar asks on every page."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(UnitPerm.values)
    grants = unit_grants(user)
    if grants is not None:
        return frozenset(perm for perm, ids in grants.items() if ids)
    user_model, group_model = get_user_obj_perms_model(OrgUnit), get_group_obj_perms_model(OrgUnit)
    if user_model.objects.is_generic() and group_model.objects.is_generic():
        return frozenset(row[0] for row in grant_rows(user, user_model, group_model))  # one query
    return frozenset(perm for perm in UnitPerm.values if org_units_for_user(user, perm).exists())


def holds_on_municipality(user: AbstractBaseUser, perm: str) -> bool:
    """Whether `perm` is granted to the user on the municipality itself (the city-wide administrative work), not
    only on a district or town below it."""
    return org_units_for_user(user, perm).filter(level=OrgUnit.Level.MUNICIPAL).exists()


def holds_unit_perm(user: AbstractBaseUser, perm: str) -> bool:
    """Whether the user holds `perm` on some org unit: the door of pages about no one unit (master data)."""
    return perm in unit_perms_held(user)


@functools.cache
def office_perms() -> frozenset[str]:
    """The permissions held only through the routing of work to a working group (services.ROUTE_PERMS less
    what any role grants by itself, services.ROLE_UNIT_PERMS): every kind of work has at least one."""
    from .services.grants import ROLE_UNIT_PERMS, ROUTE_PERMS  # the grant tables live beside the services that grant

    routed = {perm for granted in ROUTE_PERMS.values() for perm in granted}
    by_role = {perm for granted in ROLE_UNIT_PERMS.values() for perm in granted}
    return frozenset(routed - by_role)


def works_for_office(user: AbstractBaseUser) -> bool:
    """A member of the office (市特镇办) acting for it: some kind of work is routed to the user's working
    group. Routing is the one source: no role or group code is read here, and the members of a group
    that has been given no kind of work do not act for the office. No query in a request."""
    return bool(unit_perms_held(user) & office_perms())


def can_audit(user: AbstractBaseUser) -> bool:
    """The office-wide audit search (ledgers) is the office's and the administrators' (superusers')."""
    return works_for_office(user) or can_manage_organisation(user)


def can_manage_organisation(user: AbstractBaseUser) -> bool:
    """Member units, org unit names and the routing of work to groups (R-1.4, R-1.5): the administrators."""
    return holds_unit_perm(user, MANAGE_ORGANISATION)


def check_manage_organisation(user: AbstractBaseUser) -> None:
    """The door of the master-data pages that are about no one object (lists, routing): 403 without the
    permission (the data itself is public within the platform: the organisation page shows it)."""
    if not can_manage_organisation(user):
        raise PermissionDenied


def check_manage_member_units(user: AbstractBaseUser) -> None:
    """The door of adding a member unit through the API: 403, with the reason, without MANAGE_ORGANISATION."""
    if not can_manage_organisation(user):
        raise PermissionDenied(_("只有系统管理员可以维护成员单位。"))


def get_member_unit_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> MemberUnit:
    """Member units are the conference's public list: every signed-in user reads them; changing one
    needs MANAGE_ORGANISATION (403)."""
    unit = MemberUnit.objects.filter(pk=pk).first() if user.is_authenticated and user.is_active else None
    return door(unit, perm == VIEW or holds_unit_perm(user, perm))


def get_org_unit_to_rename(user: AbstractBaseUser, pk) -> OrgUnit:
    """An org unit to rename: 404 unless seen, 403 without MANAGE_ORGANISATION (held on the municipality)."""
    return get_org_unit_for_user(user, pk, MANAGE_ORGANISATION)


# --- Meetings, action items, plans and policies (R-1.4, R-1.6, R-2.1, R-2.2) ----------------------
#
# The same grants on org units scope them, with two additions: a meeting is also seen by the units
# and member units that attend it, and an action item by its responsible unit; a member-unit liaison
# (no org-unit grants) reaches what concerns its member unit.

CREATE_ACTION_ITEMS = "create_action_items"  # resolved to MANAGE_MEETINGS on the meeting's host


def liaison_member_unit_id(user: AbstractBaseUser) -> int | None:
    """The member unit a liaison speaks for; None for everybody else."""
    profile = getattr(user, "profile", None) if user.is_authenticated and user.is_active else None
    if profile is None or profile.role != Role.LIAISON:
        return None
    return profile.member_unit_id


def meetings_for_user(user: AbstractBaseUser, perm: str = VIEW):
    units = org_units_for_user(user, perm).values("pk")
    if perm != VIEW:
        return Meeting.objects.filter(org_unit__in=units)
    seen = Q(org_unit__in=units) | Q(
        pk__in=Meeting.attendee_units.through.objects.filter(orgunit__in=units).values("meeting_id")
    )
    member_unit = liaison_member_unit_id(user)
    if member_unit is not None:
        seen |= Q(
            pk__in=Meeting.attendee_member_units.through.objects.filter(memberunit_id=member_unit).values("meeting_id")
        )
    return Meeting.objects.filter(seen)


def can_on_meeting(user: AbstractBaseUser, meeting: Meeting, perm: str) -> bool:
    """Whether the user holds `perm` (MANAGE_MEETINGS, APPROVE_MINUTES) on the meeting's host."""
    return user_has_unit_perm(user, meeting.org_unit_id, perm)


def get_meeting_for_user(user: AbstractBaseUser, pk, perm: str = VIEW):
    """The meeting if the user sees it (404 otherwise) and holds `perm` on its host (403 otherwise)."""
    meeting = meetings_for_user(user).select_related("org_unit").filter(pk=pk).first()
    return door(meeting, lambda found: perm == VIEW or can_on_meeting(user, found, perm))


def meeting_hosts_for_user(user: AbstractBaseUser, perm: str = VIEW) -> QuerySet[OrgUnit]:
    """The municipality and the districts (towns host no meetings) on which the user holds `perm`, in the
    order of the selects."""
    return org_units_for_user(user, perm).exclude(level=OrgUnit.Level.TOWN).order_by("level", "order", "code")


def meeting_host_for_user(user: AbstractBaseUser, raw: str | None, *, or_first: bool = False) -> OrgUnit | None:
    """The host a query or form names (`?org_unit=`) among those the user records meetings for; None for
    anything else, or with `or_first` the first of them (the new-meeting page's default)."""
    hosts = meeting_hosts_for_user(user, MANAGE_MEETINGS)
    host = hosts.filter(pk=int(raw)).first() if (raw or "").isdigit() else None
    return host or (hosts.first() if or_first else None)


def can_create_meetings(user: AbstractBaseUser) -> bool:
    """Whether the user records meetings for some host (the list's button; the host chosen is checked again)."""
    return meeting_hosts_for_user(user, MANAGE_MEETINGS).exists()


def check_create_meetings(user: AbstractBaseUser) -> None:
    """The door of the new-meeting page: 403 unless the user may host a meeting somewhere."""
    if not can_create_meetings(user):
        raise PermissionDenied


def get_decision_for_user(user: AbstractBaseUser, pk, perm: str = VIEW, *, meeting_pk=None) -> Decision:
    """A meeting's decision, 404 unless the user sees its meeting, 403 without `perm` on the meeting's host.

    Through a page's address (`meeting_pk`) the meeting is the door, as for every page under it, and the
    decision must be one of its own (404 otherwise)."""
    if meeting_pk is not None:
        meeting = get_meeting_for_user(user, meeting_pk, perm)
        decision = Decision.objects.filter(pk=pk, meeting=meeting).first()
        if decision is None:
            raise Http404
        decision.meeting = meeting
        return decision
    decision = (
        Decision.objects.select_related("meeting__org_unit")
        .filter(pk=pk, meeting__in=meetings_for_user(user).values("pk"))
        .first()
    )
    return door(decision, lambda found: perm == VIEW or can_on_meeting(user, found.meeting, perm))


def get_meeting_attachment_for_user(user: AbstractBaseUser, meeting_pk, pk) -> MeetingAttachment:
    """A file of a meeting the user sees; 404 for anything else."""
    attachment = MeetingAttachment.objects.filter(pk=pk, meeting=get_meeting_for_user(user, meeting_pk)).first()
    return door(attachment)


def action_items_for_user(user: AbstractBaseUser, perm: str = VIEW):
    member_unit = liaison_member_unit_id(user)
    if perm == VIEW:
        seen = Q(meeting__in=meetings_for_user(user).values("pk")) | Q(
            responsible_unit__in=org_units_for_user(user).values("pk")
        )
    elif perm == HANDLE_ACTION_ITEMS:
        seen = Q(responsible_unit__in=org_units_for_user(user, perm).values("pk"))
    else:
        return ActionItem.objects.filter(meeting__org_unit__in=org_units_for_user(user, perm).values("pk"))
    if member_unit is not None:
        seen |= Q(responsible_member_unit_id=member_unit)
    return ActionItem.objects.filter(seen)


def can_on_action_item(user: AbstractBaseUser, item, perm: str) -> bool:
    if perm == HANDLE_ACTION_ITEMS:
        if item.responsible_member_unit_id is not None:
            return item.responsible_member_unit_id == liaison_member_unit_id(user)
        return user_has_unit_perm(user, item.responsible_unit_id, perm)
    if perm == CREATE_ACTION_ITEMS:
        return user_has_unit_perm(user, item.meeting.org_unit_id, MANAGE_MEETINGS)
    return user_has_unit_perm(user, item.meeting.org_unit_id, perm)


def get_action_item_for_user(user: AbstractBaseUser, pk, perm: str = VIEW):
    item = (
        action_items_for_user(user)
        .select_related("meeting__org_unit", "decision", "responsible_unit", "responsible_member_unit")
        .filter(pk=pk)
        .first()
    )
    return door(item, lambda found: perm == VIEW or can_on_action_item(user, found, perm))


def get_action_item_evidence_for_user(user: AbstractBaseUser, item_pk, event_pk) -> ActionItemEvent:
    """A step of an item the user sees that carries an evidence file; 404 for anything else."""
    event = ActionItemEvent.objects.filter(pk=event_pk, item=get_action_item_for_user(user, item_pk)).first()
    if event is None or not event.evidence:
        raise Http404
    return event


def plans_for_user(user: AbstractBaseUser, perm: str = VIEW):
    """Plans of the units the user holds `perm` on; for reading, also the approved plans shared with it."""
    plans = Q(org_unit__in=org_units_for_user(user, perm).values("pk"))
    shared = shared_units_for_user(user, SharedKind.PLANS) if perm == VIEW else OrgUnit.objects.none()
    if not shared.query.is_empty():
        plans |= Q(org_unit__in=shared.values("pk"), status=PlanStatus.APPROVED)
    member_unit = liaison_member_unit_id(user) if perm == VIEW else None
    if member_unit is not None:  # a member unit asked for its opinion (会签) reads the plan, whatever its status
        plans |= Q(pk__in=PlanOpinion.objects.filter(member_unit_id=member_unit).values("version__plan_id"))
    return Plan.objects.filter(plans)


def can_on_plan(user: AbstractBaseUser, plan: Plan, perm: str) -> bool:
    """Whether the user holds `perm` (SUBMIT_PLANS, REVIEW_PLANS) on the plan's unit."""
    return user_has_unit_perm(user, plan.org_unit_id, perm)


def get_plan_for_user(user: AbstractBaseUser, pk, perm: str = VIEW):
    plan = plans_for_user(user).select_related("org_unit__parent").filter(pk=pk).first()
    return door(plan, lambda found: perm == VIEW or can_on_plan(user, found, perm))


def get_plan_attachment_for_user(user: AbstractBaseUser, plan_pk, pk) -> PlanAttachment:
    """A file of any version of a plan the user sees; 404 for anything else."""
    attachment = PlanAttachment.objects.filter(pk=pk, version__plan=get_plan_for_user(user, plan_pk)).first()
    return door(attachment)


def districts_and_towns_for_user(user: AbstractBaseUser, perm: str = VIEW) -> QuerySet[OrgUnit]:
    """The districts and towns on which the user holds `perm` (the units that submit plans, attend meetings
    and answer for action items), in the order of the selects."""
    return org_units_for_user(user, perm).exclude(level=OrgUnit.Level.MUNICIPAL).order_by("level", "order", "code")


def districts_for_user(user: AbstractBaseUser, perm: str = VIEW) -> QuerySet[OrgUnit]:
    """The districts on which the user holds `perm` (sees, by default), in their order: every app's district
    filters and selects."""
    return org_units_for_user(user, perm).filter(level=OrgUnit.Level.DISTRICT).order_by("order", "code")


def can_submit_plans(user: AbstractBaseUser) -> bool:
    """Whether the user submits plans for some district or town (the list's button)."""
    return districts_and_towns_for_user(user, SUBMIT_PLANS).exists()


def check_submit_plans(user: AbstractBaseUser) -> None:
    """The door of the new-plan page: 403 unless the user submits plans somewhere."""
    if not can_submit_plans(user):
        raise PermissionDenied


def can_give_plan_opinion(user: AbstractBaseUser, opinion: PlanOpinion) -> bool:
    """Whether the user speaks for the member unit asked for the opinion (its liaison)."""
    return opinion.member_unit_id == liaison_member_unit_id(user)


def get_plan_opinion_for_user(user: AbstractBaseUser, plan_pk, pk, *, giving: bool = False) -> PlanOpinion:
    """An opinion asked on a version of a plan the user sees (404 otherwise); `giving`: 403 unless the user is
    the liaison of the member unit asked."""
    plan = get_plan_for_user(user, plan_pk)
    opinion = PlanOpinion.objects.select_related("version__plan", "member_unit").filter(pk=pk, version__plan=plan)
    return door(opinion.first(), lambda found: not giving or can_give_plan_opinion(user, found))


def get_plan_opinion_file_for_user(user: AbstractBaseUser, plan_pk, pk) -> PlanOpinion:
    """An opinion that carries a file, of a plan the user sees; 404 for anything else."""
    opinion = get_plan_opinion_for_user(user, plan_pk, pk)
    if not opinion.file:
        raise Http404
    return opinion


def can_edit_policies_of(user: AbstractBaseUser, member_unit_id: int) -> bool:
    """A liaison records its own member unit's policies; the group owning policies edits any."""
    if member_unit_id is not None and member_unit_id == liaison_member_unit_id(user):
        return True
    return org_units_for_user(user, MANAGE_POLICIES).exists()


def policy_member_units_for_user(user: AbstractBaseUser, *, active_only: bool = False) -> QuerySet[MemberUnit]:
    """Member units whose policies the user may record (only those still active: the new-policy page's)."""
    if org_units_for_user(user, MANAGE_POLICIES).exists():
        units = MemberUnit.objects.all()
    else:
        units = MemberUnit.objects.filter(pk=liaison_member_unit_id(user))
    return units.filter(active=True) if active_only else units


def check_record_policies(user: AbstractBaseUser) -> None:
    """The door of the new-policy page: 403 unless the user records the policies of an active member unit."""
    if not policy_member_units_for_user(user, active_only=True).exists():
        raise PermissionDenied


def get_policy_for_user(user: AbstractBaseUser, pk, perm: str = VIEW):
    """Support policies are public documents: every signed-in user reads them; editing is 403 unless allowed."""
    policy = SupportPolicy.objects.select_related("member_unit").filter(pk=pk).first()
    if policy is None or not user.is_authenticated:
        raise Http404
    if perm != VIEW and not can_edit_policies_of(user, policy.member_unit_id):
        raise PermissionDenied
    return policy


def get_policy_file_for_user(user: AbstractBaseUser, pk) -> SupportPolicy:
    """A policy the user reads that carries a file; 404 for anything else."""
    policy = get_policy_for_user(user, pk)
    if not policy.file:
        raise Http404
    return policy


# --- Notifications and export jobs: private to their user ------------------------------------------

DOWNLOAD = "download"


def get_notification_for_user(user: AbstractBaseUser, pk) -> Notification:
    """A notification belongs to its recipient alone: anyone else gets 404."""
    notification = Notification.objects.filter(pk=pk, recipient_id=user.pk).first() if user.is_authenticated else None
    return door(notification)


def get_export_job_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> ExportJob:
    """An export job is seen by the user who asked for it (404 for anyone else). Downloading also needs
    the scope it was made for still in reach: a user moved to another district gets 403."""
    job = ExportJob.objects.filter(pk=pk, owner_id=user.pk).first() if user.is_authenticated else None
    if job is None:
        raise Http404
    if perm == DOWNLOAD:
        scope_unit = job.params.get("district")
        reaches = reading_units_for_user(user, SharedKind.FIGURES)  # ledger exports: accepted figures only
        if not (reaches.filter(pk=scope_unit).exists() if scope_unit else reaches.exists()):
            raise PermissionDenied
    return job


# --- Towns and their lifecycle (R-1.1, R-1.2, R-1.7) ------------------------------------------------
#
# Everybody who sees a town reads it and its history; creating towns, editing them and recording their
# lifecycle decisions needs MANAGE_TOWNS, which routing gives the working group that owns the towns
# (SubmissionKind.TOWNS, by default the 创建考核组). Single towns go through get_town_for_user.


def town_districts_for_user(user: AbstractBaseUser) -> QuerySet[OrgUnit]:
    """The districts in which the user may create and manage towns."""
    return org_units_for_user(user, MANAGE_TOWNS).filter(level=OrgUnit.Level.DISTRICT)


def get_town_districts_for_user(user: AbstractBaseUser) -> QuerySet[OrgUnit]:
    """The door of the new-town page: the districts in which the user creates towns, in their order; 403
    when there are none."""
    districts = town_districts_for_user(user).order_by("order", "code")
    if not districts.exists():
        raise PermissionDenied
    return districts


def can_manage_towns(user: AbstractBaseUser) -> bool:
    """Whether the user manages towns anywhere (the pages' buttons; each town is checked again)."""
    return org_units_for_user(user, MANAGE_TOWNS).exists()


def check_manage_towns(user: AbstractBaseUser) -> None:
    """The door of the list-decision page: 403 unless the user manages towns somewhere."""
    if not can_manage_towns(user):
        raise PermissionDenied
