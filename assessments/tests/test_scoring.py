"""Scores against hand-computed figures (R-5.2, R-5.3): a town that met its targets, a town with late
reports and no tax target, a town with no reports at all.

The scheme (factories.standard_items): investment completion 40 points (floor 30%), tax completion 20,
report timeliness 20 (late = half credit), the assessment group's score 20. The semi-annual window is
January–June 2026, so a flow target is due half: expected = target × 6/12.
"""

import datetime
from decimal import Decimal

from assessments import scoring, selectors
from assessments.models import Band, Grade, ItemKind, RunKind, Sanction
from conftest import built_once_per_class
from coordination.models import TownStatus
from ledgers.models import Timeliness

from .factories import accepted_report, item, make_run, make_scheme, months, set_targets

YEAR = 2026
H1 = months(YEAR, 1, 6)


def _build_semiannual(world):
    """Town A (华明): targets met on time. Town B (东丽湖): late Jan–Mar, no tax target. Town C (精武): no reports."""
    a, b, c = world.town, world.town2, world.outsider_town
    set_targets(world, a, YEAR, fixed_asset_investment="1200", tax_revenue="100")
    set_targets(world, b, YEAR, fixed_asset_investment="2400")
    set_targets(world, c, YEAR, fixed_asset_investment="1000", tax_revenue="50")
    for period in H1:
        accepted_report(world, a, period, fixed_asset_investment=100, tax_revenue=10)
        late = Timeliness.LATE if period.month <= 3 else Timeliness.ON_TIME
        accepted_report(world, b, period, timeliness=late, fixed_asset_investment=150, tax_revenue=7)
    return make_run(world, make_scheme(world, YEAR), points=(15, 10, 5))  # A's, B's and C's manual scores


semiannual, _semiannual_per_class = built_once_per_class(_build_semiannual)


def _by_town(run):
    return {row.town_id: row for row in selectors.run_results(run)}


def _items(row) -> dict[str, dict]:
    return {i["name"]: i for i in row.items}


def _scored(run, town):
    """The town's result row in the run, and its items by name."""
    row = _by_town(run)[town.pk]
    return row, _items(row)


def _outcome(row) -> tuple:
    """What a town's result comes to: its score, whether it met its plan, its band."""
    return row.score, row.plan_met, row.band


class TestSemiannualRun:
    """A semi-annual run of three towns, scored by hand (the data is built once for the class)."""

    def test_town_that_met_its_targets_scores_as_computed_by_hand(self, world, semiannual):
        row, items = _scored(semiannual, world.town)
        # Investment: 6 × 100 = 600 of 1200 × 6/12 = 600 → 100% → 40 points.
        assert items["固定资产投资完成率"]["rate"] == "100.0"
        assert items["固定资产投资完成率"]["earned"] == "40.00"
        # Tax: 6 × 10 = 60 of 50 → 120%, capped at 100% → 20 points.
        assert items["税收收入完成率"]["rate"] == "120.0"
        assert items["税收收入完成率"]["earned"] == "20.00"
        assert "超过封顶线" in items["税收收入完成率"]["note"]
        # Six reports on time → 20; the group's 15.
        assert items["月报及时率"]["earned"] == "20.00"
        assert items["考核组评分"]["earned"] == "15.00"
        assert _outcome(row) == (Decimal("95.00"), True, Band.PRAISE)

    def test_town_with_late_reports_and_no_tax_target_is_scaled_over_the_items_that_apply(self, world, semiannual):
        row, items = _scored(semiannual, world.town2)
        # Investment: 6 × 150 = 900 of 2400 × 6/12 = 1200 → 75% → 30 points.
        assert items["固定资产投资完成率"]["earned"] == "30.00"
        # No tax target: the item does not apply (its figures are not counted either way).
        assert items["税收收入完成率"]["applicable"] is False
        assert "没有“税收收入”的年度计划" in items["税收收入完成率"]["note"]
        # Timeliness: (3 on time + 3 late × 50%) / 6 = 75% → 15 points.
        assert items["月报及时率"]["rate"] == "75.0"
        assert items["月报及时率"]["earned"] == "15.00"
        # (30 + 15 + 10) / (40 + 20 + 20) × 100 = 68.75
        assert _outcome(row) == (Decimal("68.75"), False, Band.WARNING)

    def test_town_with_no_reports_scores_nothing_but_the_groups_points(self, world, semiannual):
        row, items = _scored(semiannual, world.outsider_town)
        # Nothing accepted: investment 0% is below the 30% floor, tax 0%, six months missing.
        assert items["固定资产投资完成率"]["earned"] == "0.00"
        assert "没有已验收的数据" in items["固定资产投资完成率"]["note"]
        assert items["税收收入完成率"]["earned"] == "0.00"
        timeliness = dict(items["月报及时率"]["figures"])
        assert timeliness["漏报"] == "6"
        assert items["月报及时率"]["earned"] == "0.00"
        assert row.score == Decimal("5.00")
        assert row.band == Band.WARNING

    def test_ranks_are_citywide_and_within_each_district(self, world, semiannual):
        rows = _by_town(semiannual)
        assert [rows[t.pk].rank for t in (world.town, world.town2, world.outsider_town)] == [1, 2, 3]
        assert [rows[t.pk].district_rank for t in (world.town, world.town2, world.outsider_town)] == [1, 2, 1]

    def test_semiannual_run_proposes_no_sanction_nor_grade_nor_reward(self, world, semiannual):
        for row in selectors.run_results(semiannual):
            assert row.sanction_proposed == ""
            assert row.grade == ""
            assert row.reward is False

    def test_breakdown_names_the_reports_the_figures_came_from(self, world, semiannual):
        _row, items = _scored(semiannual, world.town)
        investment = items["固定资产投资完成率"]
        assert len(investment["sources"]) == 6
        assert {s["type"] for s in investment["sources"]} == {"report"}
        assert investment["sources"][0]["label"] == "2026-01 月报"
        assert ["年度目标", "1200 万元"] in investment["figures"]


def test_only_accepted_figures_count(world, semiannual, make_report):
    """A report still under review adds nothing to the completion."""
    make_report("district_approved", town=world.outsider_town, period=datetime.date(YEAR, 1, 1))
    _row, items = _scored(semiannual, world.outsider_town)
    assert items["固定资产投资完成率"]["earned"] == "0.00"


# --- Pure rules on a hand-built context ------------------------------------------------------------------


class FakeTown:
    def __init__(self, pk, district_id=1, status=TownStatus.CREATING):
        self.pk = pk
        self.district_id = district_id
        self.status = status


def _context(scheme, *, kind=RunKind.ANNUAL, history=None):
    return scoring.ScoringContext(
        window=scoring.Window(year=YEAR, kind=kind, months=12 if kind == RunKind.ANNUAL else 6),
        scheme=scheme,
        items=[],
        towns=[],
        indicators={},
        targets={},
        year_to_date={},
        timeliness={},
        cadence={},
        problems={},
        manual={},
        history=history or {},
    )


def _result(town, *, score, plan_met, grade):
    result = scoring.TownScore(town=town, score=Decimal(score), items=[], plan_met=plan_met, plan_lines=[])
    result.grade = grade
    return result


def test_missing_the_plan_proposes_a_warning(world):
    scheme = make_scheme(world, YEAR)
    town = FakeTown(1)
    proposal, reason = scoring.propose_sanction(
        _result(town, score=75, plan_met=False, grade=Grade.PASS), _context(scheme)
    )
    assert proposal == Sanction.WARNING
    assert "未完成年度计划" in reason


def test_second_consecutive_warning_proposes_a_downgrade(world):
    scheme = make_scheme(world, YEAR)
    town = FakeTown(1, status=TownStatus.WARNED)
    history = {1: [scoring.PriorResult(year=YEAR - 1, grade=Grade.PASS, sanction=Sanction.WARNING)]}
    proposal, reason = scoring.propose_sanction(
        _result(town, score=70, plan_met=False, grade=Grade.PASS), _context(scheme, history=history)
    )
    assert proposal == Sanction.DOWNGRADE
    assert "连续第 2 次警告" in reason


def test_a_warning_two_years_ago_is_not_consecutive(world):
    scheme = make_scheme(world, YEAR)
    history = {1: [scoring.PriorResult(year=YEAR - 2, grade=Grade.PASS, sanction=Sanction.WARNING)]}
    proposal, _reason = scoring.propose_sanction(
        _result(FakeTown(1), score=70, plan_met=False, grade=Grade.PASS), _context(scheme, history=history)
    )
    assert proposal == Sanction.WARNING


def test_two_years_below_pass_propose_exit(world):
    scheme = make_scheme(world, YEAR)
    history = {1: [scoring.PriorResult(year=YEAR - 1, grade=Grade.FAIL, sanction="")]}
    proposal, reason = scoring.propose_sanction(
        _result(FakeTown(1), score=40, plan_met=False, grade=Grade.FAIL), _context(scheme, history=history)
    )
    assert proposal == Sanction.EXIT
    assert "连续 2 年考核不合格" in reason


def test_thresholds_are_configurable(world):
    scheme = make_scheme(world, YEAR, warnings_before_downgrade=1, fails_before_exit=3)
    history = {1: [scoring.PriorResult(year=YEAR - 1, grade=Grade.FAIL, sanction="")]}
    proposal, _reason = scoring.propose_sanction(
        _result(FakeTown(1), score=40, plan_met=False, grade=Grade.FAIL), _context(scheme, history=history)
    )
    assert proposal == Sanction.DOWNGRADE  # only two failed years of three; one warning already downgrades


def test_a_sanction_the_lifecycle_does_not_allow_is_softened(world):
    """A town already downgraded cannot be downgraded again (coordination.services.TOWN_TRANSITIONS): it is warned."""
    scheme = make_scheme(world, YEAR, warnings_before_downgrade=1)
    proposal, reason = scoring.propose_sanction(
        _result(FakeTown(1, status=TownStatus.DOWNGRADED), score=70, plan_met=False, grade=Grade.PASS),
        _context(scheme),
    )
    assert proposal == Sanction.WARNING
    assert "不能降级" in reason


def test_met_plan_and_passing_grade_propose_nothing(world):
    scheme = make_scheme(world, YEAR)
    proposal, reason = scoring.propose_sanction(
        _result(FakeTown(1), score=85, plan_met=True, grade=Grade.GOOD), _context(scheme)
    )
    assert (proposal, reason) == ("", "")


def test_grades_follow_the_schemes_thresholds(world):
    scheme = make_scheme(world, YEAR, excellent_min=Decimal(92), good_min=Decimal(85), pass_min=Decimal(70))
    assert scoring.grade_for(Decimal("92.00"), scheme) == Grade.EXCELLENT
    assert scoring.grade_for(Decimal("91.99"), scheme) == Grade.GOOD
    assert scoring.grade_for(Decimal("70"), scheme) == Grade.PASS
    assert scoring.grade_for(Decimal("69.99"), scheme) == Grade.FAIL


def test_ties_share_a_rank(world):
    towns = [FakeTown(n, district_id=1 if n < 3 else 2) for n in range(1, 5)]
    results = [
        scoring.TownScore(town=t, score=Decimal(s), items=[], plan_met=None, plan_lines=[])
        for t, s in zip(towns, [90, 90, 80, 95], strict=True)
    ]
    scoring.rank(results)
    assert [r.rank for r in results] == [2, 2, 4, 1]
    assert [r.district_rank for r in results] == [1, 1, 2, 1]


def test_completion_floor_and_cap_as_configured(world):
    indicators = selectors.indicators_by_code()
    scheme = make_scheme(
        world,
        YEAR,
        items=[
            item(
                "投资",
                ItemKind.COMPLETION,
                50,
                indicators["fixed_asset_investment"],
                cap=Decimal(120),
                floor=Decimal(60),
            ),
            item("评分", ItemKind.MANUAL, 50),
        ],
    )
    investment = scheme.items.get(kind=ItemKind.COMPLETION)
    town = FakeTown(1)
    ctx = _context(scheme, kind=RunKind.ANNUAL)
    ctx.indicators = indicators
    ctx.targets = {(1, "fixed_asset_investment"): Decimal(1000)}

    def score_with(actual):
        ctx.year_to_date = {
            (1, "fixed_asset_investment"): selectors.ledger_selectors.YearToDate(
                value=Decimal(actual), months=12, report_ids=[], periods=[], through=datetime.date(YEAR, 12, 1)
            )
        }
        return scoring.score_completion(investment, town, ctx).earned

    assert score_with(1500) == Decimal("60.00")  # 150% capped at 120% → 50 × 1.2
    assert score_with(800) == Decimal("40.00")  # 80% → 50 × 0.8
    assert score_with(590) == Decimal("0.00")  # 59% is below the 60% floor
