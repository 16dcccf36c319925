"""Reads of the help pages (使用帮助, issue 19): the meeting cadence in force and whom to ask, taken from the
rules and the routing an administrator keeps, so that the help says what the platform does today."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from . import cadence, selectors
from . import permissions as perms
from .models import CadenceRule, SubmissionKind, UserProfile
from .models.meetings import DISTRICT_KINDS
from .services.grants import submission_routes


@dataclass(frozen=True)
class CadenceRequirement:
    """One active cadence rule: the activity's label, whether it is counted per district, whether the districts
    hold it themselves (their meetings; the office holds the rest, its visits to each district too), its period's
    label (每月) and the number required."""

    label: str
    per_district: bool
    held_by_districts: bool
    monthly: bool
    period: str
    required_min: int
    required_max: int | None

    @property
    def sentence(self) -> str:
        """The rule as the help says it: 区例会每月至少1次, 市联席会议每季度1至2次."""
        if self.required_max is None:
            times = _("至少%(min)s次") % {"min": self.required_min}
        elif self.required_max == self.required_min:
            times = _("%(min)s次") % {"min": self.required_min}
        else:
            times = _("%(min)s至%(max)s次") % {"min": self.required_min, "max": self.required_max}
        sentence = _("%(label)s%(period)s%(times)s") % {"label": self.label, "period": self.period, "times": times}
        return sentence + _("（每个区）") if self.per_district and not self.held_by_districts else sentence


def cadence_requirements() -> list[CadenceRequirement]:
    """The active cadence rules whose activity kind is registered, in their order (one query)."""
    requirements = []
    for rule in CadenceRule.objects.filter(active=True).order_by("order", "pk"):
        kind = cadence.activity_kind(rule.kind)
        if kind is None:
            continue
        requirements.append(
            CadenceRequirement(
                label=kind.label,
                per_district=rule.level == CadenceRule.Level.DISTRICT,
                held_by_districts=rule.level == CadenceRule.Level.DISTRICT and rule.kind in DISTRICT_KINDS,
                monthly=rule.period == CadenceRule.Period.MONTH,
                period=rule.get_period_display(),
                required_min=rule.required_min,
                required_max=rule.required_max,
            )
        )
    return requirements


@dataclass(frozen=True)
class Contact:
    """A kind of work, the working group of the office that owns it and the group's members."""

    kind: str
    group: str
    members: list[UserProfile]


def contacts_by_kind() -> list[Contact]:
    """Each kind of work (SubmissionKind) with the working group it is routed to and its active members."""
    groups = {group.code: group for group in selectors.working_groups_with_members()}
    contacts = []
    for kind, code in submission_routes().items():
        group = groups.get(code)
        if group is not None:
            contacts.append(
                Contact(kind=SubmissionKind(kind).label, group=group.name, members=list(group.members.all()))
            )
    return contacts


def reviewers_for_user(user: AbstractBaseUser) -> list[UserProfile]:
    """The reviewing leaders (主管领导) of the user's own unit and the district above it: whom an information
    officer asks about a review or a return."""
    profile = getattr(user, "profile", None)
    if profile is None:
        return []
    holders = selectors.users_with_unit_perm(profile.org_unit, perms.APPROVE)
    return list(
        UserProfile.objects.filter(user__in=holders).select_related("org_unit").order_by("org_unit__level", "pk")
    )
