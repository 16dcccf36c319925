"""How a run scores a town (R-5.2–R-5.4): one rule function per item kind, then total, rank, grade,
band, reward and the proposed sanction.

Everything a rule needs is loaded once per run into a ScoringContext (a fixed number of queries,
whatever the number of towns), so the rules themselves are pure functions of (item, town, context)
and the hand-computed tests can check them figure by figure. Each rule returns an ItemScore that
carries the figures it used and the records they came from: the breakdown shown to users and
frozen into a published run.

Scoring rules, in the words the breakdown shows:
- completion: accepted figures from January to the end of the period against the annual target,
  prorated to the period for flows (half the target at mid-year), in full for stocks; the ratio is
  capped (no extra credit beyond the cap) and below the floor earns nothing;
- timeliness: reports on time count fully, late ones at `late_credit`, missing ones nothing;
- cadence: the share of the district's ended cadence periods that were met (coordination);
- problems: the share of problems found in the period that were solved on time (inspections);
- manual: the assessment group's points, with a written justification.
An item that does not apply to a town (no target for the indicator, no problem found, no cadence
rule, no report expected) is left out and the town's total is scaled up to 100 over the items
that apply, so a missing target neither helps nor hurts.
"""

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from coordination.models import Town, TownStatus
from coordination.services import TOWN_TRANSITIONS
from ledgers.models import Indicator
from ledgers.selectors import MonthTimeliness, YearToDate
from tianjin_towns.lib import dates

from .models import Band, Grade, ItemKind, Run, RunKind, Sanction, Scheme, SchemeItem

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def q1(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def plain(value: Decimal | int | None) -> str:
    """A figure as the breakdown shows it: 1200.5 rather than 1200.50, 3 rather than 3.00."""
    if value is None:
        return "—"
    value = Decimal(value)
    return format(value.quantize(CENT, rounding=ROUND_HALF_UP).normalize(), "f")


# --- What the rules work on --------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The assessed period: January to June (semi-annual) or the whole year (annual)."""

    year: int
    kind: str
    months: int  # 6 or 12

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def last_month(self) -> datetime.date:
        return datetime.date(self.year, self.months, 1)

    @property
    def end(self) -> datetime.date:
        return dates.add_months(self.last_month, 1) - datetime.timedelta(days=1)

    @classmethod
    def of(cls, run: Run) -> "Window":
        return cls(year=run.year, kind=run.kind, months=run.months)


def expected_share(kind: str, months: int) -> Decimal:
    """The share of an annual target due after `months` months: time-proportional for flows, all of it for stocks."""
    if kind == Indicator.Kind.STOCK:
        return Decimal(1)
    return Decimal(months) / Decimal(12)


@dataclass
class CadenceShare:
    """A district's cadence compliance over ended periods (coordination.selectors.cadence_matrix)."""

    ok: int = 0
    short: int = 0
    over: int = 0
    cells: list[dict] = field(default_factory=list)  # rule, period, required, held, state (for the breakdown)

    @property
    def counted(self) -> int:
        return self.ok + self.short + self.over


@dataclass
class ProblemShare:
    """A town's problems found in the period and how many were solved on time (inspections)."""

    found: int = 0
    closed_on_time: int = 0
    overdue: int = 0


@dataclass
class ManualEntry:
    score: Decimal
    justification: str
    scored_by: str


@dataclass
class PriorResult:
    """A town's published annual result of an earlier year (for the sanction rules)."""

    year: int
    grade: str
    sanction: str  # the office's decision, or "" when none was taken


@dataclass
class ScoringContext:
    window: Window
    scheme: Scheme
    items: list[SchemeItem]
    towns: list[Town]
    indicators: dict[str, Indicator]
    targets: dict[tuple[int, str], Decimal]  # (town_id, indicator code) → annual target
    year_to_date: dict[tuple[int, str], YearToDate]
    timeliness: dict[int, list[MonthTimeliness]]
    cadence: dict[int, CadenceShare]  # district id → share
    problems: dict[int, ProblemShare]  # town id → share
    manual: dict[tuple[int, int], ManualEntry]  # (item id, town id) → entry
    history: dict[int, list[PriorResult]]  # town id → earlier annual results, latest first
    # town id → (discrepancies found by the member units' checks in the window, of them explained and closed)
    discrepancies: dict[int, tuple[int, int]] = field(default_factory=dict)
    # Whether the window had ended on the day the figures were read. Before, the year-to-date figures cover
    # only part of it, so no plan can yet be judged met or missed.
    period_ended: bool = True


# --- What the rules return ---------------------------------------------------------------------------


@dataclass
class ItemScore:
    item_id: int
    name: str
    kind: str
    weight: Decimal
    rule: str
    applicable: bool
    earned: Decimal  # points (0 when not applicable)
    rate: Decimal | None  # the ratio behind the points, in percent
    figures: list[list[str]] = field(default_factory=list)  # [label, value] pairs, in reading order
    sources: list[dict] = field(default_factory=list)  # {"type": "report"|"town"|…, "id": …, "label": …}
    note: str = ""

    def as_json(self) -> dict:
        data = asdict(self)
        data["weight"] = str(self.weight)
        data["earned"] = str(self.earned)
        data["rate"] = None if self.rate is None else str(self.rate)
        return data


def _score(item: SchemeItem, rule: str, **result) -> ItemScore:
    """The item's score: its name, kind and weight from the scheme, the rest (`earned`, `rate`, …) as given."""
    return ItemScore(item_id=item.pk, name=item.name, kind=item.kind, weight=item.weight, rule=rule, **result)


def _not_applicable(item: SchemeItem, rule: str, note: str, figures=None) -> ItemScore:
    return _score(item, rule, applicable=False, earned=Decimal(0), rate=None, figures=figures or [], note=note)


def _rated(item: SchemeItem, rule: str, part, whole, *, counts: list, rate_label: str, sources: list, none: str):
    """An item scored as a share: `part` of `whole` is the rate, that per cent of its weight is earned. The
    breakdown shows the `counts` ([label, number] pairs) and then the rate under `rate_label`. With nothing to
    share (`whole` is 0) the item does not apply, for the reason `none`."""
    if not whole:
        return _not_applicable(item, rule, none)
    rate = Decimal(part) / Decimal(whole) * HUNDRED
    figures = [[label, str(number)] for label, number in counts] + [[rate_label, f"{plain(q1(rate))}%"]]
    return _score(
        item,
        rule,
        applicable=True,
        earned=q2(item.weight * rate / HUNDRED),
        rate=q1(rate),
        figures=figures,
        sources=sources,
    )


# --- The rules -------------------------------------------------------------------------------------


def completion_rule_text(item: SchemeItem) -> str:
    return _("累计完成（仅已验收数据）÷ 应完成 × 权重；完成率超过%(cap)s%%按%(cap)s%%计，低于%(floor)s%%不得分") % {
        "cap": plain(item.cap),
        "floor": plain(item.floor),
    }


def score_completion(item: SchemeItem, town: Town, ctx: ScoringContext) -> ItemScore:
    rule = completion_rule_text(item)
    indicator = ctx.indicators.get(item.indicator.code) if item.indicator_id else None
    if indicator is None:
        return _not_applicable(item, rule, _("考核项未指定指标。"))
    target = ctx.targets.get((town.pk, indicator.code))
    if target is None:
        return _not_applicable(
            item, rule, _("该小镇本年度没有“%(indicator)s”的年度计划，此项不计分。") % {"indicator": indicator.name}
        )
    share = expected_share(indicator.kind, ctx.window.months)
    expected = target * share
    figure = ctx.year_to_date.get((town.pk, indicator.code))
    actual = figure.value if figure else Decimal(0)
    ratio = actual / expected * HUNDRED
    counted = min(ratio, item.cap)
    earned = Decimal(0) if ratio < item.floor else item.weight * counted / HUNDRED
    unit = indicator.unit
    if indicator.kind == Indicator.Kind.STOCK:
        basis = _("存量指标按全年目标")
    else:
        basis = _("时序进度 %(share)s%%") % {"share": plain(q1(share * HUNDRED))}
    accepted = _("已验收 %(n)s 个月") % {"n": figure.months if figure else 0}
    figures = [
        [_("年度目标"), f"{plain(target)} {unit}"],
        [_("应完成"), f"{plain(q2(expected))} {unit}（{basis}）"],
        [_("累计完成"), f"{plain(actual)} {unit}（{accepted}）"],
        [_("完成率"), f"{plain(q1(ratio))}%"],
    ]
    note = ""
    if figure is None:
        note = _("期内没有已验收的数据，按 0 计。")
    elif ratio < item.floor:
        note = _("完成率低于保底线，不得分。")
    elif ratio > item.cap:
        note = _("完成率超过封顶线，按封顶计。")
    sources = [
        {"type": "report", "id": report_id, "label": _("%(month)s 月报") % {"month": dates.format_period(period)}}
        for report_id, period in (zip(figure.report_ids, figure.periods, strict=True) if figure else [])
    ]
    return _score(
        item,
        rule,
        applicable=True,
        earned=q2(earned),
        rate=q1(ratio),
        figures=figures,
        sources=sources,
        note=note,
    )


def timeliness_rule_text(item: SchemeItem) -> str:
    return _("（按时报送月数 + 迟报月数 × %(credit)s%%）÷ 应报月数 × 权重；漏报不得分") % {
        "credit": plain(item.late_credit)
    }


def score_timeliness(item: SchemeItem, town: Town, ctx: ScoringContext) -> ItemScore:
    rule = timeliness_rule_text(item)
    entries = [e for e in ctx.timeliness.get(town.pk, []) if e.timeliness is not None]
    on_time = sum(1 for e in entries if e.timeliness == "on_time")
    late = sum(1 for e in entries if e.timeliness == "late")
    missing = sum(1 for e in entries if e.timeliness == "missing")
    credit = Decimal(on_time) + Decimal(late) * item.late_credit / HUNDRED
    labels = {"on_time": _("按时"), "late": _("迟报"), "missing": _("漏报")}
    sources = [
        {
            "type": "report" if e.report_id else "town_month",
            "id": e.report_id or town.pk,
            "label": f"{dates.format_period(e.period)} {labels[e.timeliness]}",
        }
        for e in entries
    ]
    counts = [[_("应报月数"), len(entries)], [_("按时报送"), on_time], [_("迟报"), late], [_("漏报"), missing]]
    none = _("期内没有应报且已到期的月报，此项不计分。")
    return _rated(item, rule, credit, len(entries), counts=counts, rate_label=_("及时率"), sources=sources, none=none)


def cadence_rule_text(item: SchemeItem) -> str:
    return _("所在区已结束周期中达标的周期数 ÷（达标 + 不足 + 超出）× 权重（联席会议、例会、现场推动会等工作机制）")


def score_cadence(item: SchemeItem, town: Town, ctx: ScoringContext) -> ItemScore:
    share = ctx.cadence.get(town.district_id) or CadenceShare()
    counts = [
        [_("已结束周期"), share.counted],
        [_("达标"), share.ok],
        [_("次数不足"), share.short],
        [_("超出上限"), share.over],
    ]
    sources = [
        {"type": "cadence", "id": town.district_id, "label": cell["label"], "url": cell["url"]} for cell in share.cells
    ]
    none = _("所在区期内没有已结束的工作机制考核周期，此项不计分。")
    rule = cadence_rule_text(item)
    return _rated(
        item, rule, share.ok, share.counted, counts=counts, rate_label=_("达标率"), sources=sources, none=none
    )


def problems_rule_text(item: SchemeItem) -> str:
    return _("期内发现问题中按期解决的个数 ÷ 发现问题个数 × 权重（现场督办、专项检查）")


def score_problems(item: SchemeItem, town: Town, ctx: ScoringContext) -> ItemScore:
    share = ctx.problems.get(town.pk) or ProblemShare()
    counts = [[_("发现问题"), share.found], [_("按期解决"), share.closed_on_time], [_("逾期未解决"), share.overdue]]
    sources = [{"type": "problems", "id": town.pk, "label": _("问题清单")}]
    none = _("期内督办检查未发现该小镇的问题，此项不计分。")
    rule, solved = problems_rule_text(item), share.closed_on_time
    return _rated(
        item, rule, solved, share.found, counts=counts, rate_label=_("按期解决率"), sources=sources, none=none
    )


def checks_rule_text(item: SchemeItem) -> str:
    return _("期内成员单位核对发现的数据差异中已说明并关闭的个数 ÷ 发现差异个数 × 权重（未关闭的差异不得分）")


def score_checks(item: SchemeItem, town: Town, ctx: ScoringContext) -> ItemScore:
    found, closed = ctx.discrepancies.get(town.pk, (0, 0))
    counts = [[_("核对发现差异"), found], [_("已说明并关闭"), closed], [_("尚未关闭"), found - closed]]
    sources = [{"type": "discrepancies", "id": town.pk, "label": _("核对差异清单")}]
    none = _("期内成员单位核对未发现该小镇的数据差异，此项不计分。")
    return _rated(
        item, checks_rule_text(item), closed, found, counts=counts, rate_label=_("说明率"), sources=sources, none=none
    )


def manual_rule_text(item: SchemeItem) -> str:
    text = _("创建考核组评分（0–%(weight)s 分），须写明评分依据") % {"weight": plain(item.weight)}
    return f"{text}：{item.guidance}" if item.guidance else text


def score_manual(item: SchemeItem, town: Town, ctx: ScoringContext) -> ItemScore:
    rule = manual_rule_text(item)
    entry = ctx.manual.get((item.pk, town.pk))
    if entry is None:
        return _score(
            item,
            rule,
            applicable=True,
            earned=Decimal(0),
            rate=None,
            figures=[[_("考核组评分"), _("尚未评分")]],
            note=_("尚未评分，暂按 0 分计。"),
        )
    points = min(entry.score, item.weight)
    return _score(
        item,
        rule,
        applicable=True,
        earned=q2(points),
        rate=q1(points / item.weight * HUNDRED),
        figures=[[_("考核组评分"), f"{plain(points)} / {plain(item.weight)}"], [_("评分人"), entry.scored_by]],
        note=_("评分依据：%(text)s") % {"text": entry.justification},
    )


RULES: dict[str, Callable[[SchemeItem, Town, ScoringContext], ItemScore]] = {
    ItemKind.COMPLETION: score_completion,
    ItemKind.TIMELINESS: score_timeliness,
    ItemKind.CADENCE: score_cadence,
    ItemKind.PROBLEMS: score_problems,
    ItemKind.CHECKS: score_checks,
    ItemKind.MANUAL: score_manual,
}

RULE_TEXTS: dict[str, Callable[[SchemeItem], str]] = {
    ItemKind.COMPLETION: completion_rule_text,
    ItemKind.TIMELINESS: timeliness_rule_text,
    ItemKind.CADENCE: cadence_rule_text,
    ItemKind.PROBLEMS: problems_rule_text,
    ItemKind.CHECKS: checks_rule_text,
    ItemKind.MANUAL: manual_rule_text,
}


# --- A town's whole result ----------------------------------------------------------------------------


@dataclass
class TownScore:
    town: Town
    score: Decimal
    items: list[ItemScore]
    plan_met: bool | None  # None: the town has no target this year
    plan_lines: list[dict]  # each target: {"indicator", "completion" (%), "met"}
    plan_pending: bool = False  # the town has targets, but the period has not ended: plan_met is not yet a verdict
    rank: int = 0
    district_rank: int = 0
    grade: str = ""
    band: str = ""
    reward: bool = False
    sanction: str = ""
    proposal_reason: str = ""

    @property
    def unscored_manual(self) -> int:
        return sum(1 for i in self.items if i.kind == ItemKind.MANUAL and i.rate is None)

    def breakdown(self) -> list[dict]:
        return [item.as_json() for item in self.items]

    def result_fields(self) -> dict:
        """The result as a published run freezes it (RunResult's columns of the same names), without the breakdown."""
        return {
            "town_name": self.town.name,
            "district_name": self.town.district.name,
            "score": self.score,
            "rank": self.rank,
            "district_rank": self.district_rank,
            "grade": self.grade,
            "band": self.band,
            "plan_met": self.plan_met,
            "reward": self.reward,
            "sanction_proposed": self.sanction,
            "proposal_reason": self.proposal_reason,
        }


def total(items: list[ItemScore]) -> Decimal:
    """Points earned over the weight of the items that apply, scaled to 100."""
    weight = sum((i.weight for i in items if i.applicable), Decimal(0))
    if not weight:
        return Decimal(0)
    earned = sum((i.earned for i in items if i.applicable), Decimal(0))
    return q2(earned / weight * HUNDRED)


def plan_status(town: Town, ctx: ScoringContext) -> tuple[bool | None, list[dict]]:
    """Whether every target of the town reached `plan_met_share` of what the period asks for."""
    lines, met = [], True
    codes = [code for (town_id, code) in ctx.targets if town_id == town.pk]
    if not codes:
        return None, []
    for code in sorted(codes, key=lambda c: ctx.indicators[c].order if c in ctx.indicators else 0):
        indicator = ctx.indicators.get(code)
        if indicator is None:
            continue
        target = ctx.targets[(town.pk, code)]
        figure = ctx.year_to_date.get((town.pk, code))
        actual = figure.value if figure else Decimal(0)
        ratio = actual / (target * expected_share(indicator.kind, ctx.window.months)) * HUNDRED
        ok = ratio >= ctx.scheme.plan_met_share
        met = met and ok
        lines.append({"indicator": indicator.name, "completion": plain(q1(ratio)), "met": ok})
    return met, lines


def score_town(town: Town, ctx: ScoringContext) -> TownScore:
    items = [RULES[item.kind](item, town, ctx) for item in ctx.items]
    met, lines = plan_status(town, ctx)
    pending = met is not None and not ctx.period_ended
    return TownScore(town=town, score=total(items), items=items, plan_met=met, plan_lines=lines, plan_pending=pending)


def grade_for(score: Decimal, scheme: Scheme) -> str:
    if score >= scheme.excellent_min:
        return Grade.EXCELLENT
    if score >= scheme.good_min:
        return Grade.GOOD
    if score >= scheme.pass_min:
        return Grade.PASS
    return Grade.FAIL


SANCTION_STATUS = {
    Sanction.WARNING: TownStatus.WARNED,
    Sanction.DOWNGRADE: TownStatus.DOWNGRADED,
    Sanction.EXIT: TownStatus.EXITED,
}
_MILDER = {Sanction.EXIT: Sanction.DOWNGRADE, Sanction.DOWNGRADE: Sanction.WARNING, Sanction.WARNING: ""}


def _streak(history: list[PriorResult], year: int, test) -> int:
    """How many years right before `year` satisfy `test`, counting back without a gap."""
    count, expected = 0, year - 1
    for prior in history:
        if prior.year != expected or not test(prior):
            break
        count += 1
        expected -= 1
    return count


def propose_sanction(result: TownScore, ctx: ScoringContext) -> tuple[str, str]:
    """The rules' proposal for an annual result: (sanction or "", the reasons in words)."""
    scheme, town = ctx.scheme, result.town
    history = ctx.history.get(town.pk, [])
    year = ctx.window.year
    proposal, reasons = "", []
    if result.grade == Grade.FAIL:
        fails = 1 + _streak(history, year, lambda p: p.grade == Grade.FAIL)
        if fails >= scheme.fails_before_exit:
            proposal = Sanction.EXIT
            reasons.append(_("连续 %(n)s 年考核不合格") % {"n": fails})
    if not proposal and result.plan_met is False:
        warnings = 1 + _streak(history, year, lambda p: p.sanction in (Sanction.WARNING, Sanction.DOWNGRADE))
        if warnings == 1 and town.status == TownStatus.WARNED:
            warnings = 2  # already under a warning given outside an earlier run
        reasons.append(_("未完成年度计划"))
        if warnings >= scheme.warnings_before_downgrade:
            proposal = Sanction.DOWNGRADE
            reasons.append(_("连续第 %(n)s 次警告") % {"n": warnings})
        else:
            proposal = Sanction.WARNING
    # Propose only what the town's lifecycle allows (coordination.services.TOWN_TRANSITIONS).
    allowed = TOWN_TRANSITIONS.get(town.status, set())
    while proposal and SANCTION_STATUS[proposal] not in allowed:
        milder = _MILDER[proposal]
        reasons.append(
            _("小镇当前为“%(status)s”，不能%(sanction)s")
            % {"status": TownStatus(town.status).label, "sanction": Sanction(proposal).label}
        )
        proposal = milder
    return proposal, "；".join(reasons)


def rank(results: list[TownScore]) -> None:
    """Standard competition ranking (1, 2, 2, 4) in the city and within each district."""
    ordered = sorted(results, key=lambda r: -r.score)
    for index, result in enumerate(ordered):
        result.rank = index + 1 if index == 0 or result.score != ordered[index - 1].score else ordered[index - 1].rank
    by_district: dict[int, list[TownScore]] = {}
    for result in ordered:
        by_district.setdefault(result.town.district_id, []).append(result)
    for members in by_district.values():
        for index, result in enumerate(members):
            same = index > 0 and result.score == members[index - 1].score
            result.district_rank = members[index - 1].district_rank if same else index + 1


def score_run(ctx: ScoringContext, *, final: bool) -> list[TownScore]:
    """Every town's score, rank and, by the run's kind, band (semi-annual) or grade, reward and proposal (annual).

    Only a `final` computation (the one publication freezes) rewards and proposes sanctions. A draft's is
    provisional (预估): read before the period has ended, every plan looks unmet and every town would be
    proposed a warning, the best included; after it, the figures may still change until publication.

    A semi-annual band (表扬/警示) is told only once the half-year has ended, so a draft read during it bands
    no town. After it a draft's bands are shown, as provisional as its scores: a band carries no consequence
    (R-5.3) and the office reviews the draft's briefing, whose praise and warning lists these are, before
    publishing it; a sanction changes a town's status and waits for publication.
    """
    results = [score_town(town, ctx) for town in ctx.towns]
    rank(results)
    if ctx.window.kind == RunKind.SEMIANNUAL:
        # Semi-annual: praise or warning only, never a reward or a sanction.
        for result in results:
            if not result.plan_pending:
                result.band = {True: Band.PRAISE, False: Band.WARNING}.get(result.plan_met, "")
        return _in_rank_order(results)
    for result in results:
        result.grade = grade_for(result.score, ctx.scheme)
    if final:
        for result in results:
            result.sanction, result.proposal_reason = propose_sanction(result, ctx)
        # Reward the best (奖优): the top `reward_count` excellent towns, ties included.
        excellent = sorted((r for r in results if r.grade == Grade.EXCELLENT), key=lambda r: r.rank)
        if excellent and ctx.scheme.reward_count:
            cutoff = excellent[min(len(excellent), ctx.scheme.reward_count) - 1].rank
            for result in excellent:
                result.reward = result.rank <= cutoff
    return _in_rank_order(results)


def _in_rank_order(results: list[TownScore]) -> list[TownScore]:
    return sorted(results, key=lambda r: (r.rank, r.town.district.order, r.town.unit.order, r.town.code))
