"""Reads of the assessments app: target completion, the scoring context of a run, results, self-evaluations.

Every list here is a fixed number of queries whatever the number of towns. Other apps' data comes
through their selectors only (ledgers, coordination, inspections).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from coordination import cadence
from coordination.models import OrgUnit, SharedKind, Town
from coordination.permissions import (  # noqa: F401 (districts_for_user: for the pages)
    districts_for_user,
    org_units_for_user,
    reading_towns_for_user,
    towns_for_user,
)
from coordination.selectors import cadence_matrix
from inspections.selectors import problem_measures_by_town
from ledgers import selectors as ledger_selectors
from ledgers.models import Indicator
from tianjin_towns.lib import dates
from tianjin_towns.lib.queries import narrowed

from . import permissions as perms
from . import scoring
from .models import (
    LagFlag,
    ManualScore,
    Run,
    RunKind,
    RunResult,
    RunStatus,
    Scheme,
    SchemeItem,
    SelfEvaluation,
    SelfEvaluationKind,
    Target,
)

DEFAULT_LAG_MARGIN = Decimal(10)  # percentage points, when the year has no scheme yet


def indicators_by_code() -> dict[str, Indicator]:
    return {i.code: i for i in ledger_selectors.active_indicators()}


def _town_list(towns: QuerySet[Town]) -> list[Town]:
    return list(towns.select_related("unit", "district").order_by("district__order", "unit__order", "unit__code"))


# --- Targets and their completion (R-5.1) ---------------------------------------------------------------


def targets_for_year(year: int, *, town_ids=None) -> dict[tuple[int, str], Decimal]:
    targets = Target.objects.filter(year=year)
    if town_ids is not None:
        targets = targets.filter(town__in=list(town_ids))
    return {
        (town_id, code): value for town_id, code, value in targets.values_list("town_id", "indicator__code", "value")
    }


def lag_margin(year: int) -> Decimal:
    margin = Scheme.objects.filter(year=year).values_list("lag_margin", flat=True).first()
    return DEFAULT_LAG_MARGIN if margin is None else margin


def completion_month(year: int, today: datetime.date | None = None) -> datetime.date | None:
    """The latest month of `year` whose figures can be in: December of a past year, the last ended month now."""
    last = dates.last_ended_period(today)
    if last.year > year:
        return datetime.date(year, 12, 1)
    if last.year < year:
        return None
    return last


@dataclass
class TargetProgress:
    """A town's progress on one annual target: what the dashboards and the lag check show."""

    town_id: int
    town_name: str
    district_id: int
    district_name: str
    indicator: str  # code
    indicator_name: str
    unit: str
    kind: str
    target: Decimal
    actual: Decimal  # accepted figures from January through `month`
    completion: Decimal  # actual / target, percent
    elapsed: Decimal  # share of the year gone by `month`, percent
    expected: Decimal  # what the completion should be by now: the elapsed share (flows) or 100 (stocks)
    lagging: bool  # completion trails the expectation by more than the margin
    report_ids: list[int] = field(default_factory=list)


def target_completion(
    year: int, *, town_ids=None, month: datetime.date | None = None, today: datetime.date | None = None
) -> list[TargetProgress]:
    """Per town and indicator with a target: target, actual year to date, completion, elapsed share, lagging.

    `month` is the last month counted (default: the last ended month of `year`, December for a past year).
    Four queries whatever the number of towns.
    """
    month = dates.month_start(month) if month else completion_month(year, today)
    towns = Town.objects.all() if town_ids is None else Town.objects.filter(pk__in=list(town_ids))
    town_map = {t.pk: t for t in _town_list(towns)}
    targets = targets_for_year(year, town_ids=list(town_map))
    if not targets:
        return []
    indicators = indicators_by_code()
    figures = (
        ledger_selectors.accepted_year_to_date(list(town_map), year=year, through=month) if month is not None else {}
    )
    margin = lag_margin(year)
    months_gone = month.month if month is not None else 0
    rows = []
    for (town_id, code), target in targets.items():
        indicator, town = indicators.get(code), town_map[town_id]
        if indicator is None:
            continue
        figure = figures.get((town_id, code))
        actual = figure.value if figure else Decimal(0)
        completion = scoring.q1(actual / target * scoring.HUNDRED)
        elapsed = scoring.q1(Decimal(months_gone) / Decimal(12) * scoring.HUNDRED)
        expected = scoring.q1(scoring.expected_share(indicator.kind, months_gone) * scoring.HUNDRED)
        if months_gone == 0:
            expected = Decimal(0)
        rows.append(
            TargetProgress(
                town_id=town_id,
                town_name=town.name,
                district_id=town.district_id,
                district_name=town.district.name,
                indicator=code,
                indicator_name=indicator.name,
                unit=indicator.unit,
                kind=indicator.kind,
                target=target,
                actual=actual,
                completion=completion,
                elapsed=elapsed,
                expected=expected,
                lagging=months_gone > 0 and completion < expected - margin,
                report_ids=figure.report_ids if figure else [],
            )
        )
    order = {town_id: index for index, town_id in enumerate(town_map)}
    rows.sort(key=lambda r: (order[r.town_id], indicators[r.indicator].order, r.indicator))
    return rows


def visible_town_ids(user: AbstractBaseUser) -> list[int]:
    return list(towns_for_user(user).values_list("pk", flat=True))


def target_table(user: AbstractBaseUser, year: int, *, district_id: int | None = None) -> dict:
    """The targets page: towns in the user's scope × indicators with targets, with progress and lag flags."""
    towns = towns_for_user(user)
    if district_id:
        towns = towns.filter(district_id=district_id)
    town_list = _town_list(towns)
    progress = {(p.town_id, p.indicator): p for p in target_completion(year, town_ids=[t.pk for t in town_list])}
    indicators = [i for i in ledger_selectors.active_indicators()]
    used = {code for _town, code in progress}
    columns = [i for i in indicators if i.code in used] or indicators[:4]
    rows = [{"town": town, "cells": [progress.get((town.pk, i.code)) for i in columns]} for town in town_list]
    return {
        "columns": columns,
        "rows": rows,
        "month": completion_month(year),
        "lagging": sum(1 for p in progress.values() if p.lagging),
        "targets": len(progress),
    }


def lag_flags_for_user(user: AbstractBaseUser, *, year: int, district_id: int | None = None) -> QuerySet[LagFlag]:
    flags = LagFlag.objects.filter(town__in=towns_for_user(user).values("pk"), period__year=year)
    if district_id:
        flags = flags.filter(town__district_id=district_id)
    return flags.select_related("town__unit", "town__district", "indicator").order_by(
        "-period", "town__district__order", "town__unit__order", "indicator__order"
    )


def target_list(
    user: AbstractBaseUser,
    *,
    year: int | None = None,
    district_id: int | None = None,
    town_id: int | None = None,
    indicator: str | None = None,
) -> QuerySet[Target]:
    """The targets of the towns the user sees (the API's list), newest year first, then in the towns' order."""
    targets = perms.targets_qs_for_user(user).select_related("town__unit", "indicator")
    targets = narrowed(targets, year=year, town__district_id=district_id, town_id=town_id, indicator__code=indicator)
    return targets.order_by("-year", "town__district__order", "town__unit__order", "indicator__order")


def target_with_related(pk: int) -> Target:
    return Target.objects.select_related("town__unit", "indicator").get(pk=pk)


def template_towns(user: AbstractBaseUser, *, district_id: int | None = None) -> list[Town]:
    """The rows of the targets' Excel template: the active towns the user sees (of one district)."""
    towns = towns_for_user(user).filter(exited_on__isnull=True)
    if district_id:
        towns = towns.filter(district_id=district_id)
    return _town_list(towns)


def import_towns(user: AbstractBaseUser) -> QuerySet[Town]:
    """The towns a targets import may name: those the user sees (the service refuses the rest)."""
    return towns_for_user(user).select_related("unit")


# --- Schemes ------------------------------------------------------------------------------------------


def scheme_items(scheme: Scheme) -> list[SchemeItem]:
    return list(scheme.items.select_related("indicator").order_by("order", "pk"))


def scheme_weight_total(items) -> Decimal:
    return sum((item.weight for item in items), Decimal(0))


def schemes_with_totals(user: AbstractBaseUser) -> list[Scheme]:
    """The schemes the user sees, newest year first, each with its items' `weight_total`."""
    schemes = list(perms.schemes_qs_for_user(user).prefetch_related("items").order_by("-year"))
    for scheme in schemes:
        scheme.weight_total = scheme_weight_total(scheme.items.all())
    return schemes


def scheme_choices(user: AbstractBaseUser) -> QuerySet[Scheme]:
    """The schemes a new run may follow, newest year first."""
    return perms.schemes_qs_for_user(user).order_by("-year")


def year_scheme_with_items(user: AbstractBaseUser, year: int) -> Scheme | None:
    """The year's scheme, if the user sees it, with its items read in the same go."""
    return perms.schemes_qs_for_user(user).filter(year=year).prefetch_related("items").first()


def scheme_of_year(year: int) -> Scheme | None:
    return Scheme.objects.filter(year=year).first()


def scheme_years() -> set[int]:
    """The years that have a scheme (one each at most)."""
    return set(Scheme.objects.values_list("year", flat=True))


# --- Runs ---------------------------------------------------------------------------------------------


def run_period_ended(run: Run, today: datetime.date | None = None) -> bool:
    """Whether the run's period is over: only then may it be published, and only then is a plan met or missed."""
    return run.end < (today or dates.today())


def run_towns(run: Run) -> list[Town]:
    """The towns a run assesses: in the list before the period ends and not exited before it."""
    window = scoring.Window.of(run)
    towns = Town.objects.filter(reporting_from__lte=window.end).filter(
        Q(exited_on__isnull=True) | Q(exited_on__gt=window.end)
    )
    return _town_list(towns)


def _cadence_shares(window: scoring.Window, district_ids: list[int], today: datetime.date) -> dict:
    """Each district's cadence compliance over the periods of the window that have ended (R-2.4)."""
    after_window = window.end + datetime.timedelta(days=1)
    shares: dict[int, scoring.CadenceShare] = {}
    for cell in cadence_matrix(window.year, unit_ids=district_ids, today=today):
        # period_end is exclusive: the period has ended once today reaches it.
        if cell.period_end > after_window or cell.period_end > today or cell.state == "pending":
            continue
        share = shares.setdefault(cell.org_unit.pk, scoring.CadenceShare())
        setattr(share, cell.state, getattr(share, cell.state) + 1)
        kind = cadence.activity_kind(cell.rule.kind)
        share.cells.append(
            {
                "label": f"{kind.label if kind else cell.rule.kind} {cell.period_label}："
                f"{cell.held}/{cell.required_min}",
                "state": cell.state,
                "url": cell.link,
            }
        )
    return shares


def _problem_shares(window: scoring.Window, today: datetime.date) -> dict:
    """Each town's problems found on visits held in the window, and how many were closed on time (R-2.3)."""
    after_window = window.end + datetime.timedelta(days=1)
    return {
        town_id: scoring.ProblemShare(
            found=measures.found, closed_on_time=measures.closed_on_time, overdue=measures.overdue
        )
        for town_id, measures in problem_measures_by_town(start=window.start, end=after_window, today=today).items()
    }


def _history(town_ids: list[int], year: int) -> dict[int, list[scoring.PriorResult]]:
    """Earlier published annual results per town, latest first (the latest run of each year counts)."""
    rows = (
        RunResult.objects.filter(
            town__in=town_ids, run__kind=RunKind.ANNUAL, run__status=RunStatus.PUBLISHED, run__scheme__year__lt=year
        )
        .order_by("-run__scheme__year", "-run__published_at")
        .values_list("town_id", "run__scheme__year", "grade", "sanction_decided")
    )
    history: dict[int, list[scoring.PriorResult]] = {}
    for town_id, prior_year, grade, decided in rows:
        years = history.setdefault(town_id, [])
        if years and years[-1].year == prior_year:
            continue
        years.append(scoring.PriorResult(year=prior_year, grade=grade, sanction=decided))
    return history


def _manual(run: Run) -> dict[tuple[int, int], scoring.ManualEntry]:
    return {
        (m.item_id, m.town_id): scoring.ManualEntry(
            score=m.score,
            justification=m.justification,
            scored_by=(getattr(m.scored_by, "profile", None) and m.scored_by.profile.full_name)
            or (m.scored_by.username if m.scored_by else ""),
        )
        for m in ManualScore.objects.filter(run=run).select_related("scored_by__profile")
    }


def scoring_context(run: Run, *, today: datetime.date | None = None, final: bool = False) -> scoring.ScoringContext:
    """Everything the rules need for `run`, in a fixed number of queries (the earlier years' results, which
    only the sanction rules read, for a final computation of an annual run)."""
    today = today or dates.today()
    window = scoring.Window.of(run)
    towns = run_towns(run)
    town_ids = [t.pk for t in towns]
    items = scheme_items(run.scheme)
    kinds = {item.kind for item in items}
    through = min(window.last_month, dates.last_ended_period(today))
    return scoring.ScoringContext(
        window=window,
        scheme=run.scheme,
        items=items,
        towns=towns,
        indicators=indicators_by_code(),
        targets=targets_for_year(window.year, town_ids=town_ids),
        year_to_date=ledger_selectors.accepted_year_to_date(town_ids, year=window.year, through=through)
        if through.year == window.year
        else {},
        timeliness=ledger_selectors.report_timeliness_by_town(
            Town.objects.filter(pk__in=town_ids), start=window.start, end=window.last_month, today=today
        )
        if "timeliness" in kinds
        else {},
        cadence=_cadence_shares(window, sorted({t.district_id for t in towns}), today) if "cadence" in kinds else {},
        problems=_problem_shares(window, today) if "problems" in kinds else {},
        manual=_manual(run) if "manual" in kinds else {},
        history=_history(town_ids, window.year) if final and run.kind == RunKind.ANNUAL else {},
        discrepancies=ledger_selectors.discrepancy_counts(town_ids, start=window.start, end=window.last_month)
        if "checks" in kinds
        else {},
        period_ended=run_period_ended(run, today),
    )


def compute_run(run: Run, *, today: datetime.date | None = None, final: bool = False) -> list[scoring.TownScore]:
    """The run's results computed now from the data as it stands: a draft's provisional ones (预估: score, rank
    and grade, or band once the half-year has ended; no reward and no proposed sanction), or with `final` the
    ones publication freezes."""
    return scoring.score_run(scoring_context(run, today=today, final=final), final=final)


@dataclass
class ResultRow:
    """One town's result as pages and the API show it, from a live draft computation or a frozen result."""

    town_id: int
    town_name: str
    district_id: int
    district_name: str
    score: Decimal
    rank: int
    district_rank: int
    grade: str
    band: str
    plan_met: bool | None
    reward: bool
    sanction_proposed: str
    proposal_reason: str
    sanction_decided: str = ""
    decision_reason: str = ""
    decided_on: datetime.date | None = None
    items: list[dict] = field(default_factory=list)
    plan: list[dict] = field(default_factory=list)
    result_id: int | None = None
    plan_pending: bool = False  # a draft's period has not ended: whether the plan is met is not yet known

    @property
    def unscored_manual(self) -> int:
        return sum(1 for i in self.items if i["kind"] == "manual" and i["rate"] is None)

    @property
    def awaiting_decision(self) -> bool:
        return bool(self.sanction_proposed) and not self.sanction_decided

    @property
    def breakdown(self) -> dict:
        return {"items": self.items, "plan": self.plan}


def _row_from_score(result: scoring.TownScore) -> ResultRow:
    return ResultRow(
        town_id=result.town.pk,
        district_id=result.town.district_id,
        items=result.breakdown(),
        plan=result.plan_lines,
        plan_pending=result.plan_pending,
        **result.result_fields(),
    )


def _row_from_result(result: RunResult) -> ResultRow:
    return ResultRow(
        town_id=result.town_id,
        town_name=result.town_name,
        district_id=result.town.district_id,
        district_name=result.district_name,
        score=result.score,
        rank=result.rank,
        district_rank=result.district_rank,
        grade=result.grade,
        band=result.band,
        plan_met=result.plan_met,
        reward=result.reward,
        sanction_proposed=result.sanction_proposed,
        proposal_reason=result.proposal_reason,
        sanction_decided=result.sanction_decided,
        decision_reason=result.decision_reason,
        decided_on=result.decided_on,
        items=result.breakdown.get("items", []),
        plan=result.breakdown.get("plan", []),
        result_id=result.pk,
    )


def run_results(run: Run, user: AbstractBaseUser | None = None, *, today=None) -> list[ResultRow]:
    """The run's results in rank order, limited to the towns `user` sees (all when no user is given).

    A published run reads its frozen rows; a draft is computed now (ranks are always city-wide).
    """
    visible = None
    if user is not None:
        visible = set(reading_towns_for_user(user, SharedKind.ASSESSMENTS).values_list("pk", flat=True))
    if run.is_published:
        rows = [
            _row_from_result(r)
            for r in RunResult.objects.filter(run=run)
            .select_related("town__district", "town__unit")
            .order_by("rank", "town__district__order", "town__unit__order")
        ]
    else:
        rows = [_row_from_score(r) for r in compute_run(run, today=today)]
    return [row for row in rows if visible is None or row.town_id in visible]


def run_result_for_town(run: Run, user: AbstractBaseUser, town_id: int) -> ResultRow | None:
    return next((row for row in run_results(run, user) if row.town_id == town_id), None)


def run_with_scheme(pk: int) -> Run:
    return Run.objects.select_related("scheme").get(pk=pk)


def manual_scores(run: Run) -> dict[tuple[int, int], ManualScore]:
    """The run's manual scores by (item id, town id), as the entry form reads them."""
    return {(m.item_id, m.town_id): m for m in ManualScore.objects.filter(run=run)}


def run_list(user: AbstractBaseUser, *, year: int | None = None, kind: str | None = None) -> QuerySet[Run]:
    runs = perms.runs_qs_for_user(user).select_related("scheme", "published_by__profile", "created_by__profile")
    runs = narrowed(runs, scheme__year=year, kind=kind)
    return runs.order_by("-scheme__year", "-kind", "-created_at")


def grade_history(town: Town) -> list[RunResult]:
    """The town's grades of published annual runs, one per year (the latest run of each year), newest first."""
    results = (
        RunResult.objects.filter(town=town, run__kind=RunKind.ANNUAL, run__status=RunStatus.PUBLISHED)
        .select_related("run__scheme")
        .order_by("-run__scheme__year", "-run__published_at")
    )
    seen, history = set(), []
    for result in results:
        if result.run.scheme.year not in seen:
            seen.add(result.run.scheme.year)
            history.append(result)
    return history


# --- Self-evaluations (R-5.5) --------------------------------------------------------------------------

MONTHLY_DUE_DAY = 10  # of the following month
QUARTERLY_DUE_DAY = 15  # of the month after the quarter


def self_evaluation_due(kind: str, period: datetime.date) -> datetime.date:
    """The due day after the period, moved to the next working day like the monthly reports' (R-3.4)."""
    if kind == SelfEvaluationKind.QUARTERLY:
        return dates.next_working_day(dates.add_months(period, 3).replace(day=QUARTERLY_DUE_DAY))
    return dates.next_working_day(dates.add_months(period, 1).replace(day=MONTHLY_DUE_DAY))


def self_evaluation_periods(kind: str, year: int, today: datetime.date) -> list[datetime.date]:
    """The ended periods of `year` (months or quarters) for which a self-evaluation is expected, newest first."""
    kind = SelfEvaluationKind(kind)
    periods = [datetime.date(year, month, 1) for month in range(1, 13, kind.months)]
    return [p for p in reversed(periods) if kind.period_ended(p, today)]


def self_evaluation_of(unit: OrgUnit, kind: str, period: datetime.date) -> SelfEvaluation | None:
    """The unit's form for the period, if one was saved."""
    return SelfEvaluation.objects.filter(org_unit=unit, kind=kind, period=period).first()


@dataclass
class SelfEvaluationSlot:
    """One expected self-evaluation: a unit, a kind and a period, with its form if one exists."""

    unit: OrgUnit
    kind: str
    period: datetime.date
    due_on: datetime.date
    evaluation: SelfEvaluation | None
    can_fill: bool

    @property
    def state(self) -> str:
        """submitted, late (submitted after the due date), overdue (not submitted, past due), open."""
        if self.evaluation and self.evaluation.status == SelfEvaluation.Status.SUBMITTED:
            return "late" if self.evaluation.is_late else "submitted"
        return "overdue" if dates.today() > self.due_on else "open"

    @property
    def period_label(self) -> str:
        if self.kind == SelfEvaluationKind.QUARTERLY:
            return f"{self.period.year}年第{(self.period.month - 1) // 3 + 1}季度"
        return f"{self.period.year}年{self.period.month}月"


def units_filling_self_evaluations(user: AbstractBaseUser) -> QuerySet[OrgUnit]:
    """Districts and active towns in the user's scope: the units that fill self-evaluations."""
    active_towns = Town.objects.filter(exited_on__isnull=True).values("pk")
    return perms.self_evaluation_units_qs(user).filter(Q(level=OrgUnit.Level.DISTRICT) | Q(pk__in=active_towns))


def units_in_district_order(units: QuerySet[OrgUnit]) -> list[OrgUnit]:
    """Districts first with their towns after them."""
    units = list(units.select_related("parent"))
    district_order = {u.pk: u.order for u in units if u.level == OrgUnit.Level.DISTRICT}

    def key(unit: OrgUnit):
        if unit.level == OrgUnit.Level.DISTRICT:
            return (unit.order, 0, 0, unit.code)
        return (district_order.get(unit.parent_id, unit.parent.order if unit.parent else 0), 1, unit.order, unit.code)

    return sorted(units, key=key)


def self_evaluation_units(user: AbstractBaseUser) -> list[OrgUnit]:
    """Districts and active towns in the user's scope, districts first with their towns after them."""
    return units_in_district_order(units_filling_self_evaluations(user))


def self_evaluation_slots(
    user: AbstractBaseUser,
    *,
    year: int,
    kind: str,
    unit_id: int | None = None,
    period: datetime.date | None = None,
    today: datetime.date | None = None,
) -> list[SelfEvaluationSlot]:
    """Every expected self-evaluation of `year` and `kind` (of its `period` only, when given) in the user's
    scope, with its state; three queries."""
    today = today or dates.today()
    units = self_evaluation_units(user)
    if unit_id:
        units = [u for u in units if u.pk == unit_id]
    periods = [p for p in self_evaluation_periods(kind, year, today) if period in (None, p)]
    due_on = {p: self_evaluation_due(kind, p) for p in periods}
    existing = {
        (e.org_unit_id, e.period): e
        for e in SelfEvaluation.objects.filter(org_unit__in=[u.pk for u in units], kind=kind, period__in=periods)
    }
    fillable = set(perms.self_evaluation_units_qs(user, perms.FILL).values_list("pk", flat=True))
    return [
        SelfEvaluationSlot(
            unit=unit,
            kind=kind,
            period=p,
            due_on=due_on[p],
            evaluation=existing.get((unit.pk, p)),
            can_fill=unit.pk in fillable,
        )
        for p in periods
        for unit in units
    ]


def self_evaluation_targets(unit: OrgUnit, period: datetime.date, kind: str) -> list[TargetProgress]:
    """The unit's targets and progress to the end of the evaluated period (a district: its towns' targets)."""
    last_month = dates.add_months(period, 2 if kind == SelfEvaluationKind.QUARTERLY else 0)
    if unit.level == OrgUnit.Level.DISTRICT:
        town_ids = list(Town.objects.filter(district=unit).values_list("pk", flat=True))
    else:
        town_ids = [unit.pk]
    return target_completion(period.year, town_ids=town_ids, month=last_month)
