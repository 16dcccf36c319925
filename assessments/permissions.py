"""The doors of the assessments app: who sees and who may change targets, schemes, runs and self-evaluations.

Routing is the one source of these rights (R-1.5): no role or working-group code is read here.
- The working group the kind of work "创建考核" is routed to (创建考核组 by default) holds
  MANAGE_ASSESSMENTS: it sets targets, edits schemes, creates runs and enters manual scores.
- Any office member (one acting for the office through a kind of work routed to its group) publishes
  a run and confirms or overrides a proposed sanction: the notice gives those decisions to the office
  (市特镇办) as a whole, and the group that computed a run should not be the only one able to make it final.
- Drafts are internal to the office; everybody else sees published runs only.
- Results are scoped like every other list: a district's officer and leader see their own towns'
  results and breakdowns, a leader of the municipality sees all, a user who reaches no town (a
  member-unit liaison, a stranger) sees nothing here (404).
- Self-evaluations are filled by whoever fills the unit's monthly reports (the information officer)
  and seen by everybody who sees the unit.
- The leaders' dashboards: the city for users who reach the municipality, a district or a town they
  reach; a district's staff never see another district or the city (404).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from coordination import permissions as unit_perms
from coordination.models import OrgUnit, SharedKind, Town
from coordination.permissions import org_units_for_user, towns_for_user
from tianjin_towns.lib import dates
from tianjin_towns.lib.doors import door
from tianjin_towns.lib.queries import columns, joined_row

from .models import Run, RunKind, RunStatus, Scheme, SelfEvaluationKind, Target

VIEW = "view"
EDIT = "edit"  # MANAGE_ASSESSMENTS: targets, schemes, runs, manual scores
PUBLISH = "publish"  # the office: publish a run, decide on sanctions
FILL = "fill"  # self-evaluations: the unit's information officer


def is_office(user: AbstractBaseUser) -> bool:
    return unit_perms.works_for_office(user)


def is_assessment_group(user: AbstractBaseUser) -> bool:
    """The holders of MANAGE_ASSESSMENTS: the group "创建考核" is routed to (and superusers)."""
    return unit_perms.holds_unit_perm(user, unit_perms.MANAGE_ASSESSMENTS)


def can_edit(user: AbstractBaseUser) -> bool:
    return is_assessment_group(user)


def can_publish(user: AbstractBaseUser) -> bool:
    return is_office(user)


def reaches_any_town(user: AbstractBaseUser) -> bool:
    return towns_for_user(user).exists()


def reads_results(user: AbstractBaseUser) -> bool:
    """Whether the user reads some town's published results: its own towns, or those whose results are shared
    with its member unit (数据共享: the schemes and published runs, never targets or self-evaluations)."""
    return unit_perms.reading_towns_for_user(user, SharedKind.ASSESSMENTS).exists()


def _can(user: AbstractBaseUser, perm: str) -> bool:
    if perm == EDIT:
        return can_edit(user)
    if perm == PUBLISH:
        return can_publish(user)
    return True


def check_access(user: AbstractBaseUser, perm: str = VIEW, *, results: bool = False) -> None:
    """The door of pages that are not about one object (lists, imports, new schemes and runs):
    404 for a user who has nothing to see here, 403 for one who sees but may not `perm`. `results`: the page
    shows schemes and published results, which are also shared with the member units."""
    if not (is_office(user) or (reads_results(user) if results else reaches_any_town(user))):
        raise Http404
    if not _can(user, perm):
        raise PermissionDenied


# --- Schemes ------------------------------------------------------------------------------------------


def schemes_qs_for_user(user: AbstractBaseUser) -> QuerySet[Scheme]:
    """The rules are open to everybody assessed by them and to the office."""
    if is_office(user) or reads_results(user):
        return Scheme.objects.all()
    return Scheme.objects.none()


def get_scheme_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> Scheme:
    scheme = schemes_qs_for_user(user).filter(pk=pk).first()
    return door(scheme, _can(user, perm))


# --- Runs ---------------------------------------------------------------------------------------------


def runs_qs_for_user(user: AbstractBaseUser) -> QuerySet[Run]:
    if is_office(user):
        return Run.objects.all()
    if reads_results(user):
        return Run.objects.filter(status=RunStatus.PUBLISHED)
    return Run.objects.none()


def get_run_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> Run:
    """The run if the user sees it (404 otherwise) and may do `perm` on it (403 otherwise)."""
    run = runs_qs_for_user(user).select_related("scheme").filter(pk=pk).first()
    return door(run, _can(user, perm))


def get_briefing_run_for_user(user: AbstractBaseUser, pk) -> Run:
    """A semi-annual run whose briefing (简报) the user may read: 404 for an annual run or one unseen."""
    run = get_run_for_user(user, pk, VIEW)
    if run.kind != RunKind.SEMIANNUAL:
        raise Http404
    return run


def get_results_circular_run_for_user(user: AbstractBaseUser, pk) -> Run:
    """An annual run whose results circular (年度考核结果通报) the user may read: 404 for a semi-annual run or one
    unseen."""
    run = get_run_for_user(user, pk, VIEW)
    if run.kind != RunKind.ANNUAL:
        raise Http404
    return run


def can_decide_sanction(user: AbstractBaseUser, run: Run, awaiting_decision: bool) -> bool:
    """Whether a town's page offers the office the decision on its proposed sanction: a published annual
    run whose proposal awaits one (the service refuses the rest)."""
    return run.is_published and run.kind == RunKind.ANNUAL and awaiting_decision and can_publish(user)


def get_run_town_for_user(user: AbstractBaseUser, run: Run, town_id: int, perm: str = VIEW):
    """A town's place in a run: 404 unless the user sees the town, 403 without `perm`."""
    town = (
        unit_perms.reading_towns_for_user(user, SharedKind.ASSESSMENTS)
        .select_related("unit", "district")
        .filter(pk=town_id)
        .first()
    )
    return door(town, _can(user, perm))


def get_run_and_town_for_user(user: AbstractBaseUser, pk, town_id: int, perm: str = VIEW) -> tuple[Run, Town]:
    """The pages of a town in a run: the run the user sees (404 otherwise), then the town, 404 unless seen and
    403 without `perm` (so an unseen town is a 404 before any 403)."""
    run = get_run_for_user(user, pk, VIEW)
    return run, get_run_town_for_user(user, run, town_id, perm)


ResultT = TypeVar("ResultT")


def get_run_town_result_for_user(
    user: AbstractBaseUser, pk, town_id: int, *, result_for_town: Callable[[Run, AbstractBaseUser, int], ResultT | None]
) -> tuple[Run, Town, ResultT]:
    """A town's result in a run: the run and the town as `get_run_and_town_for_user` gives them, and 404 as well
    when the run has no result for the town (it was not assessed). The result is read by `result_for_town`
    (selectors.run_result_for_town, handed in: the selectors import this module)."""
    run, town = get_run_and_town_for_user(user, pk, town_id, VIEW)
    result = result_for_town(run, user, town.pk)
    if result is None:
        raise Http404
    return run, town, result


# --- Targets ------------------------------------------------------------------------------------------


def targets_qs_for_user(user: AbstractBaseUser) -> QuerySet[Target]:
    return Target.objects.filter(town__in=towns_for_user(user).values("pk"))


def get_target_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> Target:
    target = targets_qs_for_user(user).select_related("town__unit", "indicator").filter(pk=pk).first()
    return door(target, _can(user, perm))


def get_target_town_for_user(user: AbstractBaseUser, town_id: int, perm: str = VIEW):
    """The town whose targets are read or set: 404 unless seen, 403 when setting without being 创建考核组."""
    town = unit_perms.get_town_for_user(user, town_id)
    if not _can(user, perm):
        raise PermissionDenied
    return town


# --- Self-evaluations ------------------------------------------------------------------------------------

_UNIT_PERM = {VIEW: unit_perms.VIEW, FILL: unit_perms.FILL}


def self_evaluation_units_qs(user: AbstractBaseUser, perm: str = VIEW) -> QuerySet[OrgUnit]:
    """Districts and towns that fill self-evaluations, among those the user reaches with `perm`."""
    return org_units_for_user(user, _UNIT_PERM[perm]).filter(level__in=[OrgUnit.Level.DISTRICT, OrgUnit.Level.TOWN])


def get_self_evaluation_unit_for_user(user: AbstractBaseUser, unit_id: int, perm: str = VIEW) -> OrgUnit:
    unit = self_evaluation_units_qs(user).select_related("parent").filter(pk=unit_id).first()
    return door(unit, perm == VIEW or self_evaluation_units_qs(user, perm).filter(pk=unit_id).exists())


def get_self_evaluation_slot_for_user(
    user: AbstractBaseUser,
    unit_id: int,
    kind: str,
    period: str,
    perm: str = VIEW,
    *,
    today: datetime.date | None = None,
) -> tuple[OrgUnit, datetime.date]:
    """The unit and period of a self-evaluation form, from its address: 404 for an unknown kind, a unit the user
    does not see (403 when seen without `perm`), a period that is not one of the kind's ('2026-04': a month, or
    a quarter's first) or has not ended by `today`."""
    if kind not in SelfEvaluationKind.values:
        raise Http404
    unit = get_self_evaluation_unit_for_user(user, unit_id, perm)
    try:
        start = dates.parse_period(period)
    except ValueError:
        raise Http404 from None
    kind = SelfEvaluationKind(kind)
    if not kind.starts_period(start) or not kind.period_ended(start, today or dates.today()):
        raise Http404  # not a period of the kind, or not an ended one
    return unit, start


def can_fill_self_evaluation(user: AbstractBaseUser, unit: OrgUnit) -> bool:
    return self_evaluation_units_qs(user, FILL).filter(pk=unit.pk).exists()


# --- The leaders' dashboards ------------------------------------------------------------------------

CITY, DISTRICT, TOWN = "city", "district", "town"
LEVELS = (CITY, DISTRICT, TOWN)


@dataclass
class Scope:
    """What one dashboard covers, as the door below let the user see it."""

    level: str
    unit: OrgUnit  # the municipality, the district, or the town's org unit
    district: OrgUnit | None = None
    town: Town | None = None
    reaches_city: bool = False  # whether the user may go up to the city's dashboard (the breadcrumb)
    reaches_district: bool = False  # … and to the town's district

    @property
    def child_level(self) -> str | None:
        return {CITY: DISTRICT, DISTRICT: TOWN}.get(self.level)

    @property
    def district_id(self) -> int | None:
        return self.district.pk if self.district else None

    @property
    def town_id(self) -> int | None:
        return self.town.pk if self.town else None

    def towns(self) -> QuerySet[Town]:
        # The door below has checked the unit: a grant on it covers every town beneath, so the figures
        # need no per-user subquery.
        if self.level == TOWN:
            return Town.objects.filter(pk=self.town.pk)
        if self.level == DISTRICT:
            return Town.objects.filter(district=self.district)
        return Town.objects.all()


def _reach(user: AbstractBaseUser) -> tuple[OrgUnit | None, dict[int, OrgUnit]]:
    """(the municipality if the user reaches it, {district id: district} reached as a whole); one query."""
    units = unit_perms.reading_units_for_user(user, SharedKind.DASHBOARDS).filter(
        level__in=[OrgUnit.Level.MUNICIPAL, OrgUnit.Level.DISTRICT]
    )
    city, districts = None, {}
    for unit in units.order_by("order", "code"):
        if unit.level == OrgUnit.Level.MUNICIPAL:
            city = unit
        else:
            districts[unit.pk] = unit
    return city, districts


def _town_with_units(pk: int) -> Town | None:
    """The town with its org unit and district loaded (Town.objects.select_related("unit", "district")), in one
    plain statement: the door of every town dashboard."""
    found = joined_row(
        f"""SELECT {columns(Town, "t")}, {columns(OrgUnit, "u")}, {columns(OrgUnit, "d")}
            FROM {Town._meta.db_table} t JOIN {OrgUnit._meta.db_table} u ON u.id = t.unit_id
            JOIN {OrgUnit._meta.db_table} d ON d.id = t.district_id WHERE t.unit_id = %s""",
        [pk],
        Town,
        OrgUnit,
        OrgUnit,
    )
    if found is None:
        return None
    town, town.unit, town.district = found
    return town


def get_dashboard_scope_for_user(user: AbstractBaseUser, level: str, pk: int | None = None) -> Scope:
    """The door of the dashboards: the city for users who reach the municipality, a district or a town
    they reach; Http404 for anything else (a district's staff never see another district or the city)."""
    if level == TOWN and pk is not None:
        town = _town_with_units(pk)
        if town is None:
            raise Http404
        chain = [town.district.parent_id, town.district_id, town.pk]
        city, district, own = unit_perms.reaches_along_reading(user, chain, SharedKind.DASHBOARDS)
        if not own:
            raise Http404
        return Scope(
            level=TOWN,
            unit=town.unit,
            district=town.district,
            town=town,
            reaches_city=city,
            reaches_district=district,
        )
    if level == DISTRICT and pk is not None:
        found = joined_row(
            f"SELECT {columns(OrgUnit, 'u')} FROM {OrgUnit._meta.db_table} u WHERE u.id = %s AND u.level = %s",
            [pk, OrgUnit.Level.DISTRICT.value],
            OrgUnit,
        )
        if found is None:
            raise Http404
        (district,) = found
        city, own = unit_perms.reaches_along_reading(user, [district.parent_id, district.pk], SharedKind.DASHBOARDS)
        if not own:
            raise Http404
        return Scope(level=DISTRICT, unit=district, district=district, reaches_city=city)
    city, _districts = _reach(user)
    if level == CITY and city is not None:
        return Scope(level=CITY, unit=city, reaches_city=True)
    raise Http404


def default_scope_for_user(user: AbstractBaseUser) -> Scope:
    """The widest view the user has: the city, else their district, else their town; Http404 if none."""
    city, districts = _reach(user)
    if city is not None:
        return Scope(level=CITY, unit=city, reaches_city=True)
    if districts:
        district = next(iter(districts.values()))
        return Scope(level=DISTRICT, unit=district, district=district)
    towns = unit_perms.reading_towns_for_user(user, SharedKind.DASHBOARDS)
    town = towns.select_related("unit", "district").order_by("unit__code").first()
    if town is None:
        raise Http404
    return Scope(level=TOWN, unit=town.unit, district=town.district, town=town)
