"""API v1 for targets and assessment runs (API.md): paths, fields, scope, 404/403, query counts."""

import datetime

from assessments.models import RunKind, Target
from conftest import built_once_per_class
from coordination.models import SharedKind, TownStatus
from coordination.tests.factories import more_towns
from tests.queries import queries_of_get

from .factories import accepted_report, make_run, make_scheme, months, set_targets

TARGETS = "/api/v1/targets/"
RUNS = "/api/v1/assessments/"
YEAR = 2026
TODAY = datetime.date(2026, 11, 26)


def _rows(response) -> list:
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


# --- Targets ----------------------------------------------------------------------------------------------


def test_assessment_group_sets_a_target_and_sets_it_again(api, world):
    client = api(world.users.office_assess)
    body = {"town": world.town.pk, "year": YEAR, "indicator": "tax_revenue", "value": 150.5}
    created = client.post(TARGETS, body, format="json")
    assert created.status_code == 201, created.content
    assert (
        created.json().items()
        >= {"town": world.town.pk, "year": YEAR, "indicator": "tax_revenue", "value": 150.5}.items()
    )
    again = client.post(TARGETS, body | {"value": 180}, format="json")
    assert again.status_code == 200
    assert Target.objects.get().value == 180


def test_setting_targets_is_refused_to_others(api, world):
    body = {"town": world.town.pk, "year": YEAR, "indicator": "tax_revenue", "value": 150}
    assert api(world.users.officer).post(TARGETS, body, format="json").status_code == 403
    assert api(world.users.office_policy).post(TARGETS, body, format="json").status_code == 403
    unseen = api(world.users.outsider).post(TARGETS, body, format="json")
    assert unseen.status_code == 400 and "town" in unseen.json()
    assert not Target.objects.exists()


def test_invalid_target_figures_answer_400_per_field(api, world):
    client = api(world.users.office_assess)
    zero = client.post(
        TARGETS, {"town": world.town.pk, "year": YEAR, "indicator": "tax_revenue", "value": 0}, format="json"
    )
    assert zero.status_code == 400 and "必须大于 0" in str(zero.json())
    unknown = client.post(
        TARGETS, {"town": world.town.pk, "year": YEAR, "indicator": "nope", "value": 5}, format="json"
    )
    assert unknown.status_code == 400 and "indicator" in unknown.json()


def test_targets_are_scoped_to_what_the_caller_reaches(api, world):
    set_targets(world, world.town, YEAR, fixed_asset_investment="1200")
    set_targets(world, world.outsider_town, YEAR, fixed_asset_investment="800")
    assert {r["town"] for r in _rows(api(world.users.officer).get(TARGETS, {"year": YEAR}))} == {world.town.pk}
    assert {r["town"] for r in _rows(api(world.users.leader).get(TARGETS))} == {world.town.pk, world.outsider_town.pk}
    assert _rows(api(world.users.liaison).get(TARGETS)) == []
    mine = Target.objects.get(town=world.town)
    assert api(world.users.outsider).get(f"{TARGETS}{mine.pk}/").status_code == 404
    assert api(world.users.officer).get(f"{TARGETS}{mine.pk}/").json()["value"] == 1200


def test_target_completion_endpoint(api, world, on_day):
    on_day(datetime.date(2026, 11, 20))  # ten of twelve months elapsed; October the last ended month
    set_targets(world, world.town, YEAR, fixed_asset_investment="1200")
    accepted_report(world, world.town, datetime.date(YEAR, 1, 1), fixed_asset_investment=600)
    rows = api(world.users.reviewer).get(f"{TARGETS}completion/", {"year": YEAR}).json()
    assert rows == [
        {
            "town": world.town.pk,
            "town_name": "华明智能制造小镇",
            "district": world.dongli.pk,
            "indicator": "fixed_asset_investment",
            "target": 1200.0,
            "actual": 600.0,
            "completion": 50.0,
            "elapsed": 83.3,
            "expected": 83.3,
            "lagging": True,
        }
    ]


def test_target_list_is_a_fixed_number_of_queries(api, world):
    set_targets(world, world.town, YEAR, fixed_asset_investment="1200")
    client = api(world.users.leader)
    small = queries_of_get(client, TARGETS)
    for town in more_towns(world.dongli, range(3, 8), code="T05", name="测试"):
        set_targets(world, town, YEAR, fixed_asset_investment="100", tax_revenue="9")
    assert queries_of_get(client, TARGETS) == small


# --- Runs ------------------------------------------------------------------------------------------------------


def _build_annual(world):
    year = 2025
    set_targets(world, world.town, year, fixed_asset_investment="1200")
    set_targets(world, world.town2, year, fixed_asset_investment="2400")
    for period in months(year, 1, 12):
        accepted_report(world, world.town, period, fixed_asset_investment=100)
        accepted_report(world, world.town2, period, fixed_asset_investment=100)
    return make_run(world, make_scheme(world, year), RunKind.ANNUAL, points=18)


annual, _annual_per_class = built_once_per_class(_build_annual)


class TestAnnualRun:
    """Two towns' 2025 and a draft annual run, built once for the class."""

    def test_drafts_are_listed_for_the_office_only(self, api, world, annual):
        assert [r["id"] for r in _rows(api(world.users.office_planning).get(RUNS))] == [annual.pk]
        assert _rows(api(world.users.leader).get(RUNS)) == []
        assert api(world.users.leader).get(f"{RUNS}{annual.pk}/results/").status_code == 404

    def test_results_carry_score_rank_grade_band_sanction_and_breakdown(self, api, world, annual):
        office = api(world.users.office_policy)
        published = office.post(f"{RUNS}{annual.pk}/publish/")
        assert published.status_code == 200 and published.json()["status"] == "published"
        assert office.post(f"{RUNS}{annual.pk}/publish/").status_code == 409
        run = api(world.users.leader).get(f"{RUNS}{annual.pk}/").json()
        assert (
            run.items()
            >= {"kind": "annual", "year": 2025, "period_start": "2025-01-01", "period_end": "2025-12-31"}.items()
        )
        rows = {r["town"]: r for r in api(world.users.leader).get(f"{RUNS}{annual.pk}/results/").json()}
        town = rows[world.town.pk]
        assert set(town) >= {"score", "rank", "grade", "band", "sanction", "breakdown"}
        # 100% investment → 40, no tax target, 12 on time → 20 (the reports are on time), 18 → 78 / 80 applicable.
        assert (town["score"], town["rank"], town["grade"], town["band"], town["sanction"]) == (
            97.5,
            1,
            "excellent",
            None,
            None,
        )
        assert [i["name"] for i in town["breakdown"]] == [
            "固定资产投资完成率",
            "税收收入完成率",
            "月报及时率",
            "考核组评分",
        ]
        assert rows[world.town2.pk]["sanction"] == {
            "proposed": "warning",
            "reason": "未完成年度计划",
            "decided": None,
            "decision_reason": "",
            "decided_on": None,
        }

    def test_a_drafts_results_are_provisional_without_rewards_or_sanctions(self, api, world, annual):
        rows = api(world.users.office_policy).get(f"{RUNS}{annual.pk}/results/").json()
        assert {(r["town"], r["grade"]) for r in rows} >= {(world.town.pk, "excellent")}
        # Town 2 missed its plan: a warning once the run is published (below), none in the draft.
        assert [(r["reward"], r["sanction"]) for r in rows] == [(False, None)] * 3

    def test_district_reads_results_of_its_own_towns_only(self, api, world, annual):
        api(world.users.office_policy).post(f"{RUNS}{annual.pk}/publish/")
        towns = {r["town"] for r in api(world.users.outsider).get(f"{RUNS}{annual.pk}/results/").json()}
        assert towns == {world.outsider_town.pk}

    def test_a_liaison_reads_every_districts_published_results_unless_withheld(self, api, world, annual):
        results = f"{RUNS}{annual.pk}/results/"
        assert api(world.users.liaison).get(results).status_code == 404  # a draft is the office's
        api(world.users.office_policy).post(f"{RUNS}{annual.pk}/publish/")
        towns = {r["town"] for r in api(world.users.liaison).get(results).json()}
        assert towns == {world.town.pk, world.town2.pk, world.outsider_town.pk}
        member_unit = world.users.liaison.profile.member_unit
        member_unit.withheld_kinds = [SharedKind.ASSESSMENTS]
        member_unit.save()
        assert api(world.users.liaison).get(results).status_code == 404

    def test_office_decides_a_sanction_over_the_api(self, api, world, annual):
        api(world.users.office_policy).post(f"{RUNS}{annual.pk}/publish/")
        body = {"town": world.town2.pk, "decision": "warning", "reason": "未完成年度计划", "decided_on": "2026-01-10"}
        assert api(world.users.leader).post(f"{RUNS}{annual.pk}/decide/", body, format="json").status_code == 403
        assert api(world.users.liaison).post(f"{RUNS}{annual.pk}/decide/", body, format="json").status_code == 403
        no_reason = api(world.users.office_policy).post(
            f"{RUNS}{annual.pk}/decide/", body | {"reason": ""}, format="json"
        )
        assert no_reason.status_code == 400
        decided = api(world.users.office_policy).post(f"{RUNS}{annual.pk}/decide/", body, format="json")
        assert decided.status_code == 200, decided.content
        assert decided.json()["sanction"]["decided"] == "warning"
        world.town2.refresh_from_db()
        assert world.town2.status == TownStatus.WARNED
        again = api(world.users.office_policy).post(f"{RUNS}{annual.pk}/decide/", body, format="json")
        assert again.status_code == 409

    def test_only_the_assessment_group_creates_runs_over_the_api(self, api, world, annual):
        body = {"scheme": annual.scheme_id, "kind": "semiannual"}
        assert api(world.users.office_policy).post(RUNS, body, format="json").status_code == 403
        assert api(world.users.liaison).post(RUNS, body, format="json").status_code == 403
        created = api(world.users.office_assess).post(RUNS, body, format="json")
        assert created.status_code == 201 and created.json()["title"] == "2025年上半年特色小镇考核"

    def test_results_are_a_fixed_number_of_queries(self, api, world, annual):
        client = api(world.users.office_policy)
        client.post(f"{RUNS}{annual.pk}/publish/")
        published = queries_of_get(client, f"{RUNS}{annual.pk}/results/")
        draft_results = f"{RUNS}{make_run(world, annual.scheme, RunKind.ANNUAL).pk}/results/"
        small = queries_of_get(client, draft_results)
        for town in more_towns(world.xiqing, range(3, 7), code="T06", name="测试"):
            set_targets(world, town, 2025, fixed_asset_investment="100")
        assert queries_of_get(client, draft_results) == small
        assert published < small  # a frozen run reads its stored rows only


def test_a_semiannual_drafts_results_band_no_town_during_the_half_year(api, world, on_day):
    """Issue 19: read in April, 华明 (on track) has 300 of the half-year's 600 accepted, so a band would warn it.
    A draft's results carry no band until the half-year has ended."""
    set_targets(world, world.town, YEAR, fixed_asset_investment="1200")
    for period in months(YEAR, 1, 6):
        accepted_report(world, world.town, period, fixed_asset_investment=100)
    run = make_run(world, make_scheme(world, YEAR), points=10)
    results = f"{RUNS}{run.pk}/results/"
    on_day(datetime.date(YEAR, 4, 15))
    rows = api(world.users.office_policy).get(results).json()
    assert rows[0]["town"] == world.town.pk and rows[0]["rank"] == 1
    assert [r["band"] for r in rows] == [None] * 3
    on_day(datetime.date(YEAR, 7, 20))
    bands = {r["town"]: r["band"] for r in api(world.users.office_policy).get(results).json()}
    assert bands == {world.town.pk: "praise", world.town2.pk: None, world.outsider_town.pk: None}
