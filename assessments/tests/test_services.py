"""Services of the assessments app: targets, the lag check, schemes, runs, publication, sanctions,
self-evaluations (R-5.1–R-5.5, R-1.2)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments import document_selectors, selectors, services
from assessments.models import (
    AssessmentEvent,
    ItemKind,
    LagFlag,
    RunKind,
    RunResult,
    RunStatus,
    Sanction,
    Scheme,
    SelfEvaluation,
    Target,
)
from conftest import built_once_per_class
from coordination.models import Notification, Town, TownStatus, TownStatusChange
from coordination.tests.factories import town_step
from ledgers import selectors as ledger_selectors
from tests.assessing import annual_2025_run, investing
from tianjin_towns.errors import ConflictError

from .factories import accepted_report, item, make_run, make_scheme, months, publish, set_targets, standard_items

YEAR = 2026
TODAY = datetime.date(2026, 11, 26)


# --- Targets --------------------------------------------------------------------------------------------


def test_targets_are_set_changed_and_removed_with_an_audit_row(world):
    set_targets(world, world.town, YEAR, fixed_asset_investment="1200", tax_revenue="100")
    set_targets(world, world.town, YEAR, fixed_asset_investment="1500", tax_revenue="")
    assert dict(Target.objects.filter(town=world.town).values_list("indicator__code", "value")) == {
        "fixed_asset_investment": Decimal("1500.00")
    }
    last = AssessmentEvent.objects.filter(action="targets_set").last()
    assert last.actor == world.users.office_assess
    assert last.changes["values"] == {"fixed_asset_investment": ["1200", "1500"], "tax_revenue": ["100", None]}


def test_an_invalid_target_saves_none_of_the_figures(world):
    with pytest.raises(ValidationError) as error:
        set_targets(world, world.town, YEAR, fixed_asset_investment="1200", tax_revenue="-5", tourists="abc")
    assert "必须大于 0" in str(error.value.message_dict["tax_revenue"])
    assert "必须是数字" in str(error.value.message_dict["tourists"])
    assert not Target.objects.exists()


def test_target_completion_prorates_flows_and_flags_lagging_towns(world):
    set_targets(world, world.town, YEAR, fixed_asset_investment="1200", employment="2000")
    for period in months(YEAR, 1, 6):
        accepted_report(world, world.town, period, fixed_asset_investment=50, employment=1900)
    rows = {r.indicator: r for r in selectors.target_completion(YEAR, month=datetime.date(YEAR, 6, 1))}
    investment, jobs = rows["fixed_asset_investment"], rows["employment"]
    # 300 of 1200 = 25% against half the year gone: 25 points behind, beyond the 10-point margin.
    assert (investment.actual, investment.completion, investment.elapsed) == (
        Decimal(300),
        Decimal("25.0"),
        Decimal("50.0"),
    )
    assert investment.lagging is True
    # A stock is measured against the whole target: 1900 of 2000 is 95%, within the margin of 100%.
    assert (jobs.actual, jobs.completion, jobs.expected, jobs.lagging) == (
        Decimal(1900),
        Decimal("95.0"),
        Decimal("100.0"),
        False,
    )


def test_lag_check_flags_once_per_month_and_tells_the_district(world):
    investing(world, YEAR, months(YEAR, 1, 3), {world.town: ("12000", 100), world.town2: ("100", 100)})
    today = datetime.date(YEAR, 4, 20)  # March has ended: a quarter of the year
    assert services.targets_check_lag(today=today) == 1
    flag = LagFlag.objects.get()
    assert (flag.town, flag.period, flag.completion, flag.expected) == (
        world.town,
        datetime.date(YEAR, 3, 1),
        Decimal("2.5"),
        Decimal("25.0"),
    )
    told = Notification.objects.filter(kind="target_lag")
    assert {n.recipient for n in told} == {world.users.officer, world.users.reviewer}
    assert "固定资产投资" in told.first().body
    # A second run the same month flags and tells nobody again.
    assert services.targets_check_lag(today=today) == 0
    assert LagFlag.objects.count() == 1
    assert Notification.objects.filter(kind="target_lag").count() == 2


def test_lag_margin_comes_from_the_years_scheme(world):
    set_targets(world, world.town, YEAR, fixed_asset_investment="1200")
    for period in months(YEAR, 1, 6):
        accepted_report(world, world.town, period, fixed_asset_investment=80)  # 480 / 1200 = 40% at 50%
    make_scheme(world, YEAR, lag_margin=Decimal(15))
    assert services.targets_check_lag(today=datetime.date(YEAR, 7, 15)) == 0
    Scheme.objects.filter(year=YEAR).update(lag_margin=Decimal(5))
    assert services.targets_check_lag(today=datetime.date(YEAR, 7, 15)) == 1


# --- Schemes --------------------------------------------------------------------------------------------


def test_a_scheme_whose_weights_do_not_total_100_is_refused_with_a_clear_message(world):
    indicators = selectors.indicators_by_code()
    items = standard_items(indicators)
    items[0]["weight"] = Decimal(35)
    with pytest.raises(ValidationError) as error:
        make_scheme(world, YEAR, items=items)
    assert "各考核项权重合计为 95 分，应为 100 分" in " ".join(error.value.messages)
    assert not Scheme.objects.exists()


def test_a_completion_item_needs_an_indicator(world):
    items = [item("完成率", ItemKind.COMPLETION, 60), item("评分", ItemKind.MANUAL, 40)]
    with pytest.raises(ValidationError) as error:
        make_scheme(world, YEAR, items=items)
    assert "须选择指标" in " ".join(error.value.messages)


def test_editing_a_scheme_keeps_items_by_id_and_removes_the_rest(world):
    scheme = make_scheme(world, YEAR)
    kept = list(scheme.items.order_by("order"))
    items = [
        {
            **services._item_defaults({"name": i.name, "kind": i.kind, "weight": i.weight, "indicator": i.indicator}),
            "id": i.pk,
        }
        for i in kept
    ]
    items[0]["weight"] = Decimal(60)  # investment 60, drop tax (20)
    del items[1]
    services.scheme_save(
        actor=world.users.office_assess, scheme=scheme, year=YEAR, fields={"name": scheme.name}, items=items
    )
    assert [i.pk for i in scheme.items.order_by("order")] == [kept[0].pk, kept[2].pk, kept[3].pk]
    event = AssessmentEvent.objects.filter(action="scheme_update").get()
    assert event.changes["before"]["items"][0]["weight"] == "40"
    assert event.changes["after"]["items"][0]["weight"] == "60"


# --- Runs: freeze, publication, weights -------------------------------------------------------------------


H1_POINTS = (15, 10, 5)  # the manual scores of the town, town2 and the outsider's town


def _build_h1(world):
    """Two towns with half a year of accepted reports and targets, a scheme and a draft semi-annual run."""
    set_targets(world, world.town, YEAR, fixed_asset_investment="1200", tax_revenue="100")
    set_targets(world, world.town2, YEAR, fixed_asset_investment="2400")
    for period in months(YEAR, 1, 6):
        accepted_report(world, world.town, period, fixed_asset_investment=100, tax_revenue=10)
        accepted_report(world, world.town2, period, fixed_asset_investment=150, tax_revenue=7)
    return make_run(world, make_scheme(world, YEAR), points=H1_POINTS)


h1, _h1_per_class = built_once_per_class(_build_h1)


def _scores(run) -> dict[int, Decimal]:
    return {row.town_id: row.score for row in selectors.run_results(run)}


def _reweight(world, scheme, weights: dict[str, int]):
    items = [
        {
            **services._item_defaults({n: getattr(i, n) for n in services.ITEM_FIELDS}),
            "id": i.pk,
            "weight": Decimal(weights.get(i.name, i.weight)),
        }
        for i in scheme.items.order_by("order")
    ]
    return services.scheme_save(
        actor=world.users.office_assess, scheme=scheme, year=scheme.year, fields={"name": scheme.name}, items=items
    )


class TestHalfYearRun:
    """Two towns' half year and a draft semi-annual run, built once for the class."""

    def test_changing_a_weight_changes_the_draft_and_not_the_published_run(self, world, h1):
        published = make_run(world, h1.scheme, points=H1_POINTS)
        publish(world, published)
        before = _scores(published)
        assert before == _scores(h1)
        assert before[world.town2.pk] == Decimal("75.00")  # (30 + 20 + 10) / 80

        _reweight(world, h1.scheme, {"固定资产投资完成率": 30, "月报及时率": 30})
        # Town B: investment 75% of 30 = 22.5; timeliness (all on time) 30; manual 10 → 62.5 / 80 weight applicable.
        assert _scores(h1)[world.town2.pk] == Decimal("78.13")
        published.refresh_from_db()
        assert _scores(published) == before

    def test_later_corrections_to_the_data_do_not_change_a_published_run(self, world, h1):
        h1 = publish(world, h1)
        frozen = _scores(h1)
        set_targets(world, world.outsider_town, YEAR, fixed_asset_investment="10")
        accepted_report(world, world.outsider_town, datetime.date(YEAR, 2, 1), fixed_asset_investment=500)
        assert _scores(h1) == frozen
        row = next(r for r in selectors.run_results(h1) if r.town_id == world.town.pk)
        assert row.items[0]["figures"][2] == ["累计完成", "600 万元（已验收 6 个月）"]

    def test_publishing_stores_every_town_and_tells_the_districts(self, world, h1):
        services.run_publish(actor=world.users.office_policy, run=h1, today=TODAY)
        h1.refresh_from_db()
        assert h1.status == RunStatus.PUBLISHED and h1.published_by == world.users.office_policy
        assert RunResult.objects.filter(run=h1).count() == 3
        told = set(
            Notification.objects.filter(kind="assessment_published").values_list("recipient__username", flat=True)
        )
        assert {"dongli-officer", "dongli-leader", "xiqing-officer", "xiqing-leader"} <= told
        with pytest.raises(ConflictError):
            services.run_publish(actor=world.users.office_policy, run=h1, today=TODAY)

    def test_a_run_is_not_published_with_manual_scores_missing(self, world, h1):
        manual = h1.scheme.items.get(kind=ItemKind.MANUAL)
        services.manual_scores_save(
            actor=world.users.office_assess,
            run=h1,
            entries=[services.ManualInput(item=manual, town=world.town, score="", justification="")],
        )
        with pytest.raises(ValidationError) as error:
            services.run_publish(actor=world.users.office_policy, run=h1, today=TODAY)
        assert "还有 1 项考核组评分未完成" in error.value.messages[0]
        assert not RunResult.objects.exists()

    def test_a_draft_read_during_the_half_year_ranks_the_towns_but_neither_praises_nor_warns_any(self, world, h1):
        """Issue 19: in April no town has yet reached the half-year's target (华明: 300 of 600 accepted), so a
        band read then would warn every town. A draft bands none until the half-year has ended; then its bands
        are those that publication freezes."""
        towns = (world.town, world.town2, world.outsider_town)
        during = {row.town_id: row for row in selectors.run_results(h1, today=datetime.date(YEAR, 4, 15))}
        assert [during[t.pk].rank for t in towns] == [1, 2, 3]
        assert [during[t.pk].band for t in towns] == ["", "", ""]
        assert (during[world.town.pk].plan_met, during[world.town.pk].plan_pending) == (False, True)
        assert during[world.outsider_town.pk].plan_pending is False  # no target: never banded

        briefing = document_selectors.briefing(h1, today=datetime.date(YEAR, 4, 15))
        assert (briefing["provisional"], briefing["bands_pending"]) == (True, True)
        assert (briefing["praise"], briefing["warning"]) == ([], [])
        assert [row.town_id for row in briefing["unbanded"]] == [world.outsider_town.pk]

        after = {row.town_id: row for row in selectors.run_results(h1, today=datetime.date(YEAR, 7, 20))}
        assert [after[t.pk].band for t in towns] == ["praise", "warning", ""]
        assert not any(row.plan_pending for row in after.values())
        h1 = publish(world, h1)
        frozen = {r.town_id: r for r in RunResult.objects.filter(run=h1)}
        assert [frozen[t.pk].band for t in towns] == ["praise", "warning", ""]
        assert document_selectors.briefing(h1)["provisional"] is False

    def test_a_run_is_not_published_before_its_period_ends(self, world, h1):
        with pytest.raises(ValidationError) as error:
            services.run_publish(actor=world.users.office_policy, run=h1, today=datetime.date(YEAR, 6, 30))
        assert "考核期（截至 2026年6月30日）尚未结束" in error.value.messages[0]

    def test_manual_scores_need_a_justification_and_stay_within_the_weight(self, world, h1):
        manual = h1.scheme.items.get(kind=ItemKind.MANUAL)
        entries = [
            services.ManualInput(item=manual, town=world.town, score="25", justification="很好"),
            services.ManualInput(item=manual, town=world.town2, score="12", justification=" "),
        ]
        with pytest.raises(ValidationError) as error:
            services.manual_scores_save(actor=world.users.office_assess, run=h1, entries=entries)
        messages = error.value.message_dict
        assert "不能超过该项权重 20 分" in messages[f"{manual.pk}-{world.town.pk}"][0]
        assert "请写明评分依据" in messages[f"{manual.pk}-{world.town2.pk}"][0]
        # nothing was stored: the earlier scores stand
        assert _scores(h1)[world.town.pk] == Decimal("95.00")

    def test_a_run_on_a_scheme_that_does_not_add_up_is_refused(self, world, h1):
        h1.scheme.items.filter(kind=ItemKind.MANUAL).update(weight=Decimal(10))
        with pytest.raises(ValidationError) as error:
            services.run_create(actor=world.users.office_assess, scheme=h1.scheme, kind=RunKind.ANNUAL)
        assert "权重合计为 90 分" in error.value.messages[0]


# --- Annual run: grades, proposals, sanctions -------------------------------------------------------------


def _build_annual(world):
    return annual_2025_run(world)


annual, _annual_per_class = built_once_per_class(_build_annual)


def _decide(world, run, town, decision, reason, **when):
    """The policy group's decision on a town's proposed sanction."""
    return services.run_decide_sanction(
        actor=world.users.office_policy, run=run, town=town, decision=decision, reason=reason, **when
    )


class TestAnnualRun:
    """The 2025 annual run (one town met its plan, one missed it, one filed nothing), built once for the class."""

    def test_annual_run_grades_every_town_and_proposes_sanctions_for_missed_plans(self, world, annual):
        rows = {row.town_id: row for row in selectors.run_results(publish(world, annual))}
        # Town: 100% → 60; 12 on time → 30; 8 → 98: excellent, rewarded, no proposal.
        assert (rows[world.town.pk].score, rows[world.town.pk].grade) == (Decimal("98.00"), "excellent")
        assert rows[world.town.pk].reward is True
        assert rows[world.town.pk].sanction_proposed == ""
        # Town 2: 1800 / 2400 = 75% → 45; all late at half credit → 15; 8 → 68: pass, missed the plan → warning.
        assert (rows[world.town2.pk].score, rows[world.town2.pk].grade) == (Decimal("68.00"), "pass")
        assert rows[world.town2.pk].sanction_proposed == Sanction.WARNING
        # Outsider's town: nothing → 8: fail, missed the plan, first failed year → warning.
        assert rows[world.outsider_town.pk].grade == "fail"
        assert rows[world.outsider_town.pk].sanction_proposed == Sanction.WARNING

    def test_office_confirms_a_downgrade_and_the_towns_status_and_history_change(self, world, annual):
        town_step(
            world.town2, TownStatus.WARNED, "2024年度考核警告", datetime.date(2025, 2, 1), actor=world.users.admin
        )
        world.town2.refresh_from_db()
        row = next(r for r in selectors.run_results(publish(world, annual)) if r.town_id == world.town2.pk)
        assert row.sanction_proposed == Sanction.DOWNGRADE  # already warned: a second warning downgrades
        decided_on = datetime.date(2026, 1, 20)
        result = _decide(
            world, annual, world.town2, Sanction.DOWNGRADE, "连续两年未完成年度计划", decided_on=decided_on
        )
        world.town2.refresh_from_db()
        assert world.town2.status == TownStatus.DOWNGRADED
        change = TownStatusChange.objects.filter(town=world.town2).last()
        assert (change.from_status, change.to_status, change.decided_on) == (
            TownStatus.WARNED,
            TownStatus.DOWNGRADED,
            decided_on,
        )
        assert "连续两年未完成年度计划" in change.reason and annual.title in change.reason
        assert result.sanction_decided == Sanction.DOWNGRADE
        assert AssessmentEvent.objects.filter(action="sanction_confirm", town=world.town2).exists()
        with pytest.raises(ConflictError):
            _decide(world, annual, world.town2, Sanction.EXIT, "再次")

    def test_a_draft_shows_provisional_scores_and_grades_without_rewards_or_sanctions(self, world, annual):
        rows = {row.town_id: row for row in selectors.run_results(annual)}
        # The same scores and grades as the published run's (above), none of its consequences.
        assert (rows[world.town.pk].score, rows[world.town.pk].rank, rows[world.town.pk].grade) == (
            Decimal("98.00"),
            1,
            "excellent",
        )
        assert rows[world.town2.pk].grade == "pass" and rows[world.town2.pk].plan_met is False
        assert [(row.reward, row.sanction_proposed, row.proposal_reason) for row in rows.values()] == [
            (False, "", "")
        ] * 3
        publish(world, annual)
        frozen = {r.town_id: r for r in RunResult.objects.filter(run=annual)}
        assert frozen[world.town.pk].reward is True
        assert frozen[world.town2.pk].sanction_proposed == Sanction.WARNING

    def test_office_overrides_a_proposal_with_a_reason_and_the_status_stays(self, world, annual):
        publish(world, annual)
        result = _decide(world, annual, world.outsider_town, Sanction.NONE, "受疫情影响，酌情不予处理")
        world.outsider_town.refresh_from_db()
        assert world.outsider_town.status == TownStatus.CREATING
        assert (result.sanction_proposed, result.sanction_decided) == (Sanction.WARNING, Sanction.NONE)
        assert AssessmentEvent.objects.filter(action="sanction_override").exists()

    def test_annual_history_feeds_the_next_years_proposal(self, world, annual):
        publish(world, annual)
        _decide(world, annual, world.town2, Sanction.WARNING, "未完成年度计划")
        history = selectors._history([world.town2.pk], 2026)
        assert [(h.year, h.sanction) for h in history[world.town2.pk]] == [(2025, Sanction.WARNING)]


def test_a_decision_needs_a_reason_and_a_published_annual_run(world, annual, h1):
    with pytest.raises(ConflictError):
        _decide(world, annual, world.town2, "warning", "x")
    publish(world, annual)
    with pytest.raises(ValidationError):
        _decide(world, annual, world.town2, "warning", " ")
    publish(world, h1)
    with pytest.raises(ConflictError) as error:
        _decide(world, h1, world.town2, "warning", "x")
    assert "不与奖惩挂钩" in error.value.message


def test_an_exited_town_is_not_expected_to_report_after_its_exit(world, annual, make_report):
    """No false "missing": neither the inbox nor the ledger's gaps ask an exited town for later months."""
    publish(world, annual)
    _decide(
        world, annual, world.outsider_town, Sanction.EXIT, "连续不报送，建设停滞", decided_on=datetime.date(2026, 3, 15)
    )
    town = world.outsider_town
    town.refresh_from_db()
    assert (town.status, town.exited_on) == (TownStatus.EXITED, datetime.date(2026, 3, 15))
    # The outsider is the exited town's district officer: nothing of the town left to fill.
    inbox = ledger_selectors.inbox_for_user(world.users.outsider)
    assert [t for t, _period, _report in inbox.to_fill if t.pk == town.pk] == []
    ledger = ledger_selectors.ledger_for_indicator(
        Town.objects.filter(pk=town.pk), year=2026, indicator=selectors.indicators_by_code()["fixed_asset_investment"]
    )
    gaps = [cell.gap for cell in ledger.rows[0].cells]
    assert gaps[:2] == ["missing", "missing"]  # January and February were still expected
    assert set(gaps[2:]) == {None}  # from March, the month of the exit, nothing is
    # Nor is it assessed in later runs.
    assert town.pk not in {t.pk for t in selectors.run_towns(make_run(world, make_scheme(world, YEAR)))}


# --- Self-evaluations ---------------------------------------------------------------------------------------


HANDED_IN = {"problems_found": "无", "corrections": "无", "submit": True}


def _self_evaluate(world, unit, kind: str, period: datetime.date, self_score="90", **fields):
    """The officer saves (with submit=True, hands in) the unit's self-evaluation on TODAY."""
    return services.self_evaluation_save(
        actor=world.users.officer, unit=unit, kind=kind, period=period, self_score=self_score, today=TODAY, **fields
    )


def test_self_evaluation_is_saved_then_submitted_and_locked(world):
    period = datetime.date(YEAR, 9, 1)
    draft = _self_evaluate(world, world.dongli, "monthly", period, "88")
    assert draft.status == SelfEvaluation.Status.DRAFT and draft.due_on == datetime.date(YEAR, 10, 10)
    with pytest.raises(ValidationError) as error:
        _self_evaluate(world, world.dongli, "monthly", period, "88", submit=True)
    assert set(error.value.message_dict) == {"problems_found", "corrections"}
    submitted = _self_evaluate(
        world,
        world.dongli,
        "monthly",
        period,
        "88",
        problems_found="华明小镇项目进度滞后",
        corrections="倒排工期",
        submit=True,
    )
    assert submitted.pk == draft.pk and submitted.status == SelfEvaluation.Status.SUBMITTED
    assert submitted.is_late  # submitted in November for a form due on 10 October
    with pytest.raises(ConflictError):
        _self_evaluate(world, world.dongli, "monthly", period, "90")


def test_self_evaluation_periods_must_have_ended(world):
    with pytest.raises(ValidationError):
        _self_evaluate(world, world.town.unit, "quarterly", datetime.date(YEAR, 10, 1))
    with pytest.raises(ValidationError):
        _self_evaluate(world, world.town.unit, "quarterly", datetime.date(YEAR, 2, 1))


def test_self_evaluation_slots_show_due_dates_and_late_ones(world):
    _self_evaluate(world, world.town.unit, "quarterly", datetime.date(YEAR, 7, 1), **HANDED_IN)
    SelfEvaluation.objects.update(submitted_at=timezone.make_aware(datetime.datetime(YEAR, 10, 12, 9)))
    slots = selectors.self_evaluation_slots(world.users.officer, year=YEAR, kind="quarterly", today=TODAY)
    states = {(s.unit.name, s.period_label): (s.state, s.due_on) for s in slots}
    assert states[("华明智能制造小镇", "2026年第3季度")] == ("submitted", datetime.date(YEAR, 10, 15))
    assert states[("东丽区", "2026年第3季度")] == ("overdue", datetime.date(YEAR, 10, 15))
    assert ("精武文化小镇", "2026年第3季度") not in states  # another district's town
    assert all(slot.can_fill for slot in slots)


def test_self_evaluation_reminders_go_once_to_the_units_that_have_not_submitted(world):
    _self_evaluate(world, world.town.unit, "monthly", datetime.date(YEAR, 10, 1), **HANDED_IN)
    soon = datetime.date(YEAR, 11, 8)  # October's forms are due on 10 November
    sent = services.self_evaluations_remind(today=soon)
    subjects = list(Notification.objects.filter(kind="self_evaluation_due").values_list("subject", flat=True))
    assert sent == len(subjects) > 0
    assert any("东丽区 月度自评将于 2026-11-10 截止" == s for s in subjects)
    assert not any(s.startswith("华明智能制造小镇 月度自评") for s in subjects)  # handed in
    assert services.self_evaluations_remind(today=soon) == 0
    assert services.self_evaluations_remind(today=datetime.date(YEAR, 11, 12)) > 0  # now overdue: told again
