"""The one door for visits, problems and their files: what a user sees, and what it may do to what it sees.

Built on coordination's grants on org units; no per-row grants:
- seeing: whoever sees the visit's district (VIEW: the district's own people, the office, the city's
  leaders) sees its visits and problems; a town's people see the problems assigned to their town; a
  member unit's liaison sees the problems assigned to its unit and the visits it joined or owes work to.
- recording visits and problems, correcting them, verifying or rejecting rectifications: holders of
  `manage_inspections` on the district — the office's working group that owns inspections
  (协调推动组 by default, R-1.5; coordination.services routes it), granted on the municipality.
- reporting progress and rectification: the responsible unit only — for a district or town, its
  information officer or leader (FILL or APPROVE on that unit); for a member unit, its liaisons.
  So a district updates only the problems assigned to its own units, and only the office verifies.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from coordination import permissions as unit_perms
from coordination.models import OrgUnit
from coordination.permissions import liaison_member_unit_id
from tianjin_towns.lib.doors import door

from .models import Attachment, Problem, ProblemStatus, Visit

VIEW = "view"
RECORD = "record"  # create and correct visits and problems, upload to visits
RECTIFY = "rectify"  # report progress or rectification of a problem
VERIFY = "verify"  # verify or reject a rectification

MANAGE = unit_perms.MANAGE_INSPECTIONS


def districts_managed_by(user: AbstractBaseUser) -> QuerySet[OrgUnit]:
    """Districts where `user` records inspections and verifies rectifications."""
    return unit_perms.org_units_for_user(user, MANAGE).filter(level=OrgUnit.Level.DISTRICT)


def manages(user: AbstractBaseUser, district_id: int) -> bool:
    return unit_perms.user_has_unit_perm(user, district_id, MANAGE)


def manages_any(user: AbstractBaseUser) -> bool:
    """Whether to offer the user "new visit" at all; remembered on the user object for the request."""
    cached = getattr(user, "_manages_inspections", None)
    if cached is None:
        cached = districts_managed_by(user).exists()
        if user.is_authenticated:
            user._manages_inspections = cached
    return cached


def can_issue_circular(user: AbstractBaseUser) -> bool:
    """The circular of overdue problems goes out in the office's name: its inspection group issues it (the
    permission held on the municipality, not only on a district)."""
    return unit_perms.holds_on_municipality(user, MANAGE)


def check_issue_circular(user: AbstractBaseUser) -> None:
    if not can_issue_circular(user):
        raise PermissionDenied


def can_record_visits(user: AbstractBaseUser, district_id: int | None = None) -> bool:
    """Whether `user` records visits in the district, or (without one: the "new visit" button and page, which
    offer a choice of districts) in at least one."""
    return manages_any(user) if district_id is None else manages(user, district_id)


def check_record_visits(user: AbstractBaseUser, district_id: int | None = None) -> None:
    """The door of recording a visit (the page and the API): PermissionDenied, with the reason, unless
    `can_record_visits`."""
    if not can_record_visits(user, district_id):
        raise PermissionDenied(_("只有市特镇办协调推动组可以登记督办检查。"))


def get_district_for_user(user: AbstractBaseUser, pk) -> OrgUnit:
    """A district's inspection page: Http404 when the user does not see the unit or it is not a district."""
    district = unit_perms.get_org_unit_for_user(user, pk)
    if district.level != OrgUnit.Level.DISTRICT:
        raise Http404
    return district


def visits_qs_for_user(user: AbstractBaseUser) -> QuerySet[Visit]:
    units = unit_perms.org_units_for_user(user, unit_perms.VIEW).values("pk")
    scope = Q(district__in=units)
    member_unit = liaison_member_unit_id(user)
    if member_unit is not None:
        joined = Visit.member_units.through.objects.filter(memberunit_id=member_unit).values("visit_id")
        owed = Problem.objects.filter(responsible_member_unit_id=member_unit).values("visit_id")
        scope |= Q(pk__in=joined) | Q(pk__in=owed)
    return Visit.objects.filter(scope)


def problems_qs_for_user(user: AbstractBaseUser) -> QuerySet[Problem]:
    units = unit_perms.org_units_for_user(user, unit_perms.VIEW).values("pk")
    # The visit's district, or the unit the problem is assigned to (a town's people reach only the town).
    scope = Q(visit__district__in=units) | Q(responsible_unit__in=units)
    member_unit = liaison_member_unit_id(user)
    if member_unit is not None:
        scope |= Q(responsible_member_unit_id=member_unit)
    return Problem.objects.filter(scope)


def can_rectify(user: AbstractBaseUser, problem: Problem) -> bool:
    """Whether `user` speaks for the problem's responsible unit."""
    if problem.responsible_member_unit_id is not None:
        return liaison_member_unit_id(user) == problem.responsible_member_unit_id
    return any(
        unit_perms.user_has_unit_perm(user, problem.responsible_unit_id, perm)
        for perm in (unit_perms.FILL, unit_perms.APPROVE)
    )


def can(user: AbstractBaseUser, problem: Problem, perm: str) -> bool:
    if perm == VIEW:
        return True
    if perm in (RECORD, VERIFY):
        return manages(user, problem.visit.district_id)
    if perm == RECTIFY:
        return can_rectify(user, problem)
    raise ValueError(perm)


def get_visit_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> Visit:
    """The visit if `user` sees it (Http404 otherwise) and may do `perm` (PermissionDenied otherwise)."""
    visit = visits_qs_for_user(user).select_related("district", "created_by__profile").filter(pk=pk).first()
    return door(visit, lambda found: perm == VIEW or (perm == RECORD and manages(user, found.district_id)))


def get_problem_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> Problem:
    problem = (
        problems_qs_for_user(user)
        .select_related(
            "visit__district", "town__unit", "responsible_unit", "responsible_member_unit", "created_by__profile"
        )
        .filter(pk=pk)
        .first()
    )
    return door(problem, lambda found: can(user, found, perm))


FOLLOW_UP_ACTIONS = ("progress", "rectify")  # what the responsible unit reports: progress, or the rectification done


def get_problem_to_follow_up(user: AbstractBaseUser, pk, action: str) -> Problem:
    """The door of the follow-up pages: Http404 for an action that is not a follow-up, else the problem as
    `get_problem_for_user` gives it to the responsible unit (RECTIFY)."""
    if action not in FOLLOW_UP_ACTIONS:
        raise Http404
    return get_problem_for_user(user, pk, RECTIFY)


def get_attachment_for_user(user: AbstractBaseUser, pk) -> Attachment:
    """A file is seen by whoever sees its problem (evidence) or else its visit."""
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    if attachment.problem_id is not None:
        seen = problems_qs_for_user(user).filter(pk=attachment.problem_id).exists()
    else:
        seen = visits_qs_for_user(user).filter(pk=attachment.visit_id).exists()
    if not seen:
        raise Http404
    return attachment


def get_attachment_file_for_user(user: AbstractBaseUser, pk) -> Attachment:
    """The door of a download (the page and the API): the attachment as `get_attachment_for_user` gives it,
    and Http404 as well when its file is no longer in storage."""
    attachment = get_attachment_for_user(user, pk)
    if not attachment.file.storage.exists(attachment.file.name):
        raise Http404
    return attachment


def problem_actions_for_user(user: AbstractBaseUser, problem: Problem) -> set[str]:
    """Which buttons to show: what the user may do that the problem's state allows."""
    actions = set()
    if problem.status in (ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS) and can_rectify(user, problem):
        actions |= {"progress", "rectify"}
    if manages(user, problem.visit.district_id):
        if problem.status == ProblemStatus.DONE:
            actions |= {"verify", "reject"}
        if problem.status != ProblemStatus.VERIFIED:
            actions.add("edit")
    return actions
