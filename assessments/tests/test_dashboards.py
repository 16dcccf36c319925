"""The leaders' dashboards and the timeliness API: figures against hand-computed ones, lag as the
assessments compute it, query bounds that do not grow with the data, who sees which drill-down."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from assessments import dashboards
from assessments.models import Run, RunResult, Scheme
from assessments.selectors import target_completion
from assessments.templatetags.dashboard_tags import figure
from assessments.tests.factories import ZEROS, accepted_report, set_targets
from coordination import services as org
from coordination.models import MemberUnit, Role, SharedKind, TownStatus
from ledgers import selectors as ledger_selectors
from ledgers import services as ledger
from ledgers.models import Indicator, ReportStatus, Timeliness

YEAR = 2025
D = Decimal
JAN, FEB, MAR = (datetime.date(YEAR, m, 1) for m in (1, 2, 3))
TODAY = datetime.date(2026, 11, 26)  # every month of 2025 has closed


@pytest.fixture
def figures(world, make_report):
    """Accepted investment in 2025: 华明 100 (Jan) + 50.5 (Feb), 东丽湖 30 (Jan), 精武 7 (Jan); 华明's
    employment 2000 then 2100; 华明's March (999) submitted but not accepted; 华明 80 in January 2024."""
    accepted_report(world, world.town, JAN, fixed_asset_investment=100, employment=2000)
    accepted_report(world, world.town, FEB, timeliness=Timeliness.LATE, fixed_asset_investment="50.5", employment=2100)
    accepted_report(world, world.town2, JAN, fixed_asset_investment=30)
    accepted_report(world, world.outsider_town, JAN, fixed_asset_investment=7)
    accepted_report(world, world.town, datetime.date(YEAR - 1, 1, 1), fixed_asset_investment=80)
    make_report(ReportStatus.SUBMITTED, town=world.town, period=MAR, values={**ZEROS, "fixed_asset_investment": "999"})
    return world


def board(scope, month=None):
    return dashboards.build_dashboard(scope, year=YEAR, month=month, today=TODAY)


def city(world):
    return dashboards.get_dashboard_scope_for_user(world.users.leader, dashboards.CITY)


# --- Figures against hand-computed ones ------------------------------------------------------------


def test_city_totals_sum_accepted_flows_and_take_each_towns_latest_stock(figures):
    result = board(city(figures))
    investment = result.figures["fixed_asset_investment"]
    assert investment.actual == D("187.50")  # 100 + 50.5 + 30 + 7; March's 999 is not accepted
    assert investment.last_year == D("80")
    assert investment.growth == D("134.4")  # (187.5 − 80) / 80
    assert result.figures["employment"].actual == D("2100")  # 华明's latest month, not 2000 + 2100
    children = {child.name: child.figures["fixed_asset_investment"].actual for child in result.children}
    assert children == {"东丽区": D("180.50"), "西青区": D("7")}


def test_district_and_town_scopes_count_only_their_towns(figures):
    leader = figures.users.leader
    district = board(dashboards.get_dashboard_scope_for_user(leader, dashboards.DISTRICT, figures.dongli.pk))
    assert district.figures["fixed_asset_investment"].actual == D("180.50")
    assert [c.name for c in district.children] == ["华明智能制造小镇", "东丽湖温泉小镇"]
    town = board(dashboards.get_dashboard_scope_for_user(leader, dashboards.TOWN, figures.town.pk))
    assert town.figures["fixed_asset_investment"].actual == D("150.50")
    assert town.children == []


def test_month_limits_the_figures_and_the_trend(figures):
    result = board(city(figures), month=1)
    assert result.figures["fixed_asset_investment"].actual == D("137")  # January only: 100 + 30 + 7
    assert result.figures["fixed_asset_investment"].last_year == D("80")
    trend = result.trend["fixed_asset_investment"]
    assert trend["this_year"][:2] == [D("137"), None]
    assert trend["last_year"][0] == D("80")


def test_completion_counts_only_towns_with_targets_and_marks_the_lag(figures):
    set_targets(figures, figures.town, YEAR, fixed_asset_investment="200")
    set_targets(figures, figures.town2, YEAR, fixed_asset_investment="100")
    year_end = board(city(figures)).figures["fixed_asset_investment"]
    assert (year_end.target, year_end.actual_on_target) == (D("300"), D("180.50"))  # 精武 has no target
    assert year_end.completion == D("60.2")
    assert year_end.lagging and year_end.towns_lagging == 2 and year_end.towns_with_target == 2
    january = board(city(figures), month=1).figures["fixed_asset_investment"]
    assert january.completion == D("43.3")  # 130 / 300, against 8.3 % of the year gone
    assert not january.lagging and january.towns_lagging == 0


def test_lag_of_each_town_is_the_assessments_lag(figures):
    set_targets(figures, figures.town, YEAR, fixed_asset_investment="200", tax_revenue="10")
    set_targets(figures, figures.town2, YEAR, fixed_asset_investment="40")
    scope = dashboards.get_dashboard_scope_for_user(figures.users.leader, dashboards.DISTRICT, figures.dongli.pk)
    for month in (2, 6, 12):
        mine = {
            (child.id, code): (figure.completion, figure.lagging)
            for child in board(scope, month=month).children
            for code, figure in child.figures.items()
            if figure.target is not None
        }
        theirs = {
            (row.town_id, row.indicator): (row.completion, row.lagging)
            for row in target_completion(
                YEAR, town_ids=[figures.town.pk, figures.town2.pk], month=datetime.date(YEAR, month, 1)
            )
        }
        assert mine == theirs


def test_the_pages_children_get_the_same_completion_and_lag_as_the_apis(figures):
    """The page asks for its children's completion of the key indicators only (children_completion_only): each
    must equal what the full build (the API's) gives them, at the city and in a district."""
    set_targets(figures, figures.town, YEAR, fixed_asset_investment="200", tax_revenue="10")
    set_targets(figures, figures.town2, YEAR, fixed_asset_investment="40")
    leader = figures.users.leader
    for scope in (
        city(figures),
        dashboards.get_dashboard_scope_for_user(leader, dashboards.DISTRICT, figures.dongli.pk),
    ):
        full = board(scope, month=2)
        page = dashboards.build_dashboard(scope, year=YEAR, month=2, today=TODAY, children_completion_only=True)
        codes = [i.code for i in full.key_indicators]
        assert [c.id for c in page.children] == [c.id for c in full.children]
        for mine, theirs in zip(page.children, full.children, strict=True):
            assert list(mine.figures) == codes
            for code in codes:
                assert (mine.figures[code].completion, mine.figures[code].lagging) == (
                    theirs.figures[code].completion,
                    theirs.figures[code].lagging,
                )
        assert any(c.figures["fixed_asset_investment"].completion for c in page.children)
        assert page.figures == full.figures  # the scope's own figures are whole


def test_an_accepted_report_changes_the_dashboard_on_the_next_request(figures, make_report, api):
    client = api(figures.users.leader)
    url = f"/api/v1/dashboard/?level=city&year={YEAR}"
    assert client.get(url).json()["totals"]["fixed_asset_investment"] == 187.5
    report = make_report(
        ReportStatus.DISTRICT_APPROVED,
        town=figures.town2,
        period=FEB,
        values={**ZEROS, "fixed_asset_investment": "12.5"},
    )
    assert client.get(url).json()["totals"]["fixed_asset_investment"] == 187.5  # not accepted yet
    ledger.monthly_report_accept(actor=figures.users.office_policy, report=report)
    assert client.get(url).json()["totals"]["fixed_asset_investment"] == 200


def test_the_dashboards_door_loads_the_town_and_its_units_as_the_orm_does(figures):
    """The town dashboard's door reads the town with its unit and district in one plain statement (joined_row):
    every field must be what select_related gives; a district's door finds districts only."""
    from django.http import Http404

    from assessments.permissions import _town_with_units
    from coordination.models import Town

    Town.objects.filter(pk=figures.town.pk).update(exited_on=datetime.date(YEAR, 7, 15), planning_area_km2=D("3.25"))
    mine = _town_with_units(figures.town.pk)
    theirs = Town.objects.select_related("unit", "district").get(pk=figures.town.pk)
    for got, expected in ((mine, theirs), (mine.unit, theirs.unit), (mine.district, theirs.district)):
        for field in type(expected)._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(expected, field.attname), field.name
        assert got._state.adding is False and got._state.db == "default"
    assert _town_with_units(figures.dongli.pk) is None  # a district is not a town
    leader = figures.users.leader
    scope = dashboards.get_dashboard_scope_for_user(leader, dashboards.DISTRICT, figures.dongli.pk)
    assert scope.district == figures.dongli and scope.district.name == "东丽区"
    with pytest.raises(Http404):
        dashboards.get_dashboard_scope_for_user(leader, dashboards.DISTRICT, figures.town.pk)


# --- Timeliness --------------------------------------------------------------------------------------


def test_timeliness_adds_up_from_towns_to_districts_to_the_city(figures):
    from coordination.models import Town

    table = ledger_selectors.timeliness_table(Town.objects.all(), year=YEAR, today=TODAY)
    assert len(table.months) == 12
    # MAR was filed now, long after its close day (under an exception): missing (漏报), as never filed.
    huaming = table.year_sum(table.towns[figures.town.pk])
    assert (huaming.expected, huaming.on_time, huaming.late, huaming.missing) == (12, 1, 1, 10)
    dongli = table.year_sum(table.districts[figures.dongli.pk])
    assert (dongli.expected, dongli.on_time, dongli.late, dongli.missing) == (24, 2, 1, 21)
    for district_id, by_month in table.districts.items():
        towns = [t for t in Town.objects.filter(district_id=district_id)]
        for month, count in by_month.items():
            assert count == sum((table.towns[t.pk][month] for t in towns), ledger_selectors.TimelinessCount())
    total = table.year_sum(table.total)
    assert (total.expected, total.received, total.missing) == (36, 4, 32)
    assert total.received_rate == 11.1 and total.on_time_rate == 8.3


@pytest.mark.parametrize("today", [TODAY, datetime.date(YEAR, 3, 20), datetime.date(YEAR, 4, 2)])
def test_the_citys_timeliness_without_towns_counts_as_the_towns_summed(figures, make_report, today):
    """The city's dashboard asks for districts only, which are counted another way (ledgers.selectors.
    timeliness._by_district): every state must come out as the towns' rows summed, with months still open."""
    from coordination.models import Town

    make_report(ReportStatus.DRAFT, town=figures.town2, period=FEB, values=ZEROS)  # never submitted
    make_report(ReportStatus.SUBMITTED, town=figures.outsider_town, period=FEB, values=ZEROS)
    ledger_selectors.timeliness_table(Town.objects.all(), year=YEAR, today=today)
    from ledgers.models import MonthlyReport

    MonthlyReport.objects.filter(town=figures.outsider_town, period=FEB).update(timeliness=Timeliness.MISSING)
    Town.objects.filter(pk=figures.town2.pk).update(exited_on=datetime.date(YEAR, 2, 15), status=TownStatus.EXITED)
    towns = ledger_selectors.timeliness_table(Town.objects.all(), year=YEAR, today=today)
    districts = ledger_selectors.timeliness_table(Town.objects.all(), year=YEAR, today=today, by_town=False)
    assert districts.districts == towns.districts and districts.total == towns.total
    assert districts.towns == {}
    assert any(count.missing for by_month in towns.districts.values() for count in by_month.values())
    one = ledger_selectors.timeliness_table(Town.objects.filter(district=figures.dongli), year=YEAR, today=today)
    assert (
        ledger_selectors.timeliness_table(
            Town.objects.filter(district=figures.dongli), year=YEAR, today=today, by_town=False
        ).districts
        == one.districts
    )


@pytest.mark.parametrize("today", [TODAY, datetime.date(YEAR, 3, 20), datetime.date(YEAR, 4, 2)])
def test_a_districts_towns_read_as_states_count_as_the_towns_rows(figures, make_report, today):
    """A district's and a town's dashboard read each town's months as a string of states (town_months): every
    town-month must show the state of timeliness_table's count, and the months' totals its totals."""
    from coordination.models import Town
    from ledgers.models import MonthlyReport

    make_report(ReportStatus.DRAFT, town=figures.town2, period=FEB, values=ZEROS)  # never submitted
    make_report(ReportStatus.SUBMITTED, town=figures.town2, period=MAR, values=ZEROS)
    MonthlyReport.objects.filter(town=figures.town2, period=MAR).update(timeliness=Timeliness.MISSING)
    Town.objects.filter(pk=figures.town2.pk).update(exited_on=datetime.date(YEAR, 7, 15), status=TownStatus.EXITED)
    table = ledger_selectors.timeliness_table(Town.objects.filter(district=figures.dongli), year=YEAR, today=today)
    towns = ledger_selectors.town_months(year=YEAR, today=today, district_id=figures.dongli.pk)
    assert towns.months == table.months and set(towns.states) == {figures.town.pk, figures.town2.pk}
    names = {"not_expected": ledger_selectors.NOT_EXPECTED, **{v: k for k, v in ledger_selectors.STATE_CHARS.items()}}
    for town_id, states in towns.states.items():
        by_month = table.towns.get(town_id, {})
        expected = [names[by_month.get(m, ledger_selectors.TimelinessCount()).state] for m in table.months]
        assert list(states) == expected
        assert ledger_selectors.TimelinessCount.of_states(states) == table.year_sum(by_month)
    assert towns.totals() == table.total
    seen = set("".join(towns.states.values()))
    assert {"o", "l"} <= seen and seen & {"m", "p"}  # on time, late, and missing or still pending
    assert (ledger_selectors.NOT_EXPECTED in seen) == (today == TODAY)  # 东丽湖 exited in July
    one = ledger_selectors.town_months(year=YEAR, today=today, town_id=figures.town.pk)
    assert one.states == {figures.town.pk: towns.states[figures.town.pk]}


def test_a_town_that_exited_is_not_expected_after_its_exit(figures):
    from coordination.models import Town

    Town.objects.filter(pk=figures.town2.pk).update(exited_on=datetime.date(YEAR, 7, 15), status=TownStatus.EXITED)
    table = ledger_selectors.timeliness_table(Town.objects.filter(pk=figures.town2.pk), year=YEAR, today=TODAY)
    assert sorted(m.month for m in table.towns[figures.town2.pk]) == [1, 2, 3, 4, 5, 6]


def test_timeliness_api_gives_rates_per_unit_and_month(figures, api):
    response = api(figures.users.leader).get(f"/api/v1/timeliness/?year={YEAR}")
    assert response.status_code == 200
    rows = response.json()["results"]
    city_jan = next(r for r in rows if r["level"] == "municipal" and r["period"] == "2025-01")
    assert (city_jan["expected"], city_jan["on_time"], city_jan["received"], city_jan["missing"]) == (3, 3, 3, 0)
    assert city_jan["on_time_rate"] == 100.0
    assert {r["org_unit"] for r in rows if r["level"] == "district"} == {figures.dongli.pk, figures.xiqing.pk}


def test_timeliness_api_shows_a_district_only_its_own_units(figures, api):
    client = api(figures.users.officer)
    rows = client.get(f"/api/v1/timeliness/?year={YEAR}").json()["results"]
    assert {r["org_unit"] for r in rows} == {figures.dongli.pk, figures.town.pk, figures.town2.pk}
    assert client.get(f"/api/v1/timeliness/?year={YEAR}&district={figures.xiqing.pk}").status_code == 404
    assert client.get(f"/api/v1/timeliness/?year={YEAR}&district={figures.dongli.pk}").status_code == 200
    assert client.post(f"/api/v1/timeliness/?year={YEAR}").status_code == 405  # read-only: no action to allow


# --- Who sees what -------------------------------------------------------------------------------------


def test_leader_sees_the_city_and_every_drill_down(figures, api):
    client = api(figures.users.leader)
    for query in (
        "level=city",
        f"level=district&id={figures.xiqing.pk}",
        f"level=town&id={figures.outsider_town.pk}",
    ):
        assert client.get(f"/api/v1/dashboard/?{query}&year={YEAR}").status_code == 200, query


def test_a_district_dashboard_opens_only_for_a_district(figures, api):
    """The door looks the id up as a district: a town's unit, the municipality or no unit at all is a 404,
    even for the leader who reaches everything."""
    client = api(figures.users.leader)
    municipality = figures.dongli.parent_id
    for pk in (figures.town.pk, municipality, 999_999):
        assert client.get(f"/api/v1/dashboard/?level=district&id={pk}&year={YEAR}").status_code == 404, pk
    assert client.get(f"/api/v1/dashboard/?level=district&id={figures.dongli.pk}&year={YEAR}").status_code == 200


def test_district_staff_see_only_their_own_drill_down(figures, api):
    client = api(figures.users.officer)
    own = client.get(f"/api/v1/dashboard/?level=district&id={figures.dongli.pk}&year={YEAR}")
    assert own.status_code == 200
    assert own.json()["totals"]["fixed_asset_investment"] == 180.5
    assert client.get(f"/api/v1/dashboard/?level=town&id={figures.town.pk}&year={YEAR}").status_code == 200
    for query in ("level=city", f"level=district&id={figures.xiqing.pk}", f"level=town&id={figures.outsider_town.pk}"):
        assert client.get(f"/api/v1/dashboard/?{query}&year={YEAR}").status_code == 404, query
    assert client.post(f"/api/v1/dashboard/?level=district&id={figures.dongli.pk}&year={YEAR}").status_code == 405


def test_dashboard_api_names_a_missing_id(figures, api):
    response = api(figures.users.leader).get(f"/api/v1/dashboard/?level=district&year={YEAR}")
    assert response.status_code == 400
    assert "id" in response.json()


def test_dashboard_page_opens_at_the_widest_scope_the_user_has(figures, client):
    client.force_login(figures.users.leader)
    page = client.get(f"/dashboard/?year={YEAR}")
    assert page.status_code == 200
    assert page.context["scope"].level == dashboards.CITY
    assert "各区目标完成率" in page.content.decode()
    client.force_login(figures.users.officer)
    page = client.get(f"/dashboard/?year={YEAR}")
    assert page.context["scope"].unit == figures.dongli
    assert page.context["crumbs"] == []  # no way up to the city
    assert client.get(f"/dashboard/?level=district&id={figures.xiqing.pk}&year={YEAR}").status_code == 404
    assert client.get(f"/dashboard/cadence/?level=district&id={figures.xiqing.pk}&year={YEAR}").status_code == 404


def test_a_liaison_reads_the_city_dashboard_the_office_shares_with_its_unit(figures, client):
    client.force_login(figures.users.liaison)
    page = client.get(f"/dashboard/?year={YEAR}")
    assert page.status_code == 200 and page.context["scope"].level == "city"
    assert client.get(f"/dashboard/?level=district&id={figures.xiqing.pk}&year={YEAR}").status_code == 200
    MemberUnit.objects.filter(pk=figures.users.liaison.profile.member_unit_id).update(
        withheld_kinds=[SharedKind.DASHBOARDS]
    )
    assert client.get("/dashboard/").status_code == 404


def test_town_page_links_up_the_drill_down_for_a_leader(figures, client):
    client.force_login(figures.users.leader)
    page = client.get(f"/dashboard/?level=town&id={figures.town.pk}&year={YEAR}")
    assert page.status_code == 200
    assert [crumb["name"] for crumb in page.context["crumbs"]] == ["全市", "东丽区"]
    assert "/reports/?month=2025-01" in page.content.decode()  # a heatmap cell links to its reports


def test_heatmap_rows_show_a_towns_name_as_text_and_link_each_month_to_its_reports(figures, client):
    """The heatmap's rows are built in Python: a name is text, never markup, and each cell of a town
    links to that town's reports of the month."""
    unit = figures.town.unit
    unit.name = "华明<script>x</script>镇"
    unit.save()
    client.force_login(figures.users.leader)
    html = client.get(f"/dashboard/?level=district&id={figures.dongli.pk}&year={YEAR}").content.decode()
    assert "华明&lt;script&gt;x&lt;/script&gt;镇" in html and "<script>x</script>" not in html
    assert f"/reports/?month=2025-02&amp;district={figures.dongli.pk}&amp;town={figures.town.pk}" in html


def test_key_figure_cards_show_the_year_against_last_year_and_the_target_with_names_as_text(figures, client):
    """The key figures' cards are written in Python (dashboard_views._kpi_cards): each shows the year to date, the
    growth, last year's and the completion against the target and the completion due; a name is text, never
    markup."""
    Indicator.objects.filter(code="fixed_asset_investment").update(name="固定资产投资<b>全口径</b>")
    set_targets(figures, figures.town, YEAR, fixed_asset_investment="200")
    set_targets(figures, figures.town2, YEAR, fixed_asset_investment="100")
    client.force_login(figures.users.leader)
    html = client.get(f"/dashboard/?level=district&id={figures.dongli.pk}&year={YEAR}&month=12").content.decode()
    assert "<b>全口径</b>" not in html
    card = lxml_html.fromstring(html).xpath("//article[contains(@class, 'kpi-card')]")[0]
    parts = [
        " ".join(part.text_content().split())
        for part in card.xpath("h3 | a | div/span | div/div/span | div/div[@class='kpi-foot']")
    ]
    assert "is-lagging" in card.get("class")  # 60.2 % done in December
    assert parts == [
        "固定资产投资<b>全口径</b>",
        "180.50万元",  # 华明 150.5 + 东丽湖 30
        "同比 +125.6%",  # against 80 a year before
        "滞后",
        "完成 60.2%",
        "目标 300.00",  # the towns' targets 200 + 100
        "2 个小镇有目标，2 个滞后",
    ]
    assert card.xpath(".//svg")[0].get("aria-label") == "完成 60.2%，应达 100.0%"
    assert card.xpath(".//a[@class='kpi-value']")[0].get("href").endswith("&indicator=fixed_asset_investment")


def test_a_districts_ranking_rows_show_rank_score_grade_and_band_with_names_as_text(figures, client):
    """The ranking panel's rows are written in Python (dashboard_views._district_ranking_html): a town's rank in
    its district and in the city, its score, its grade in an annual run and its praise; its name is text."""
    scheme = Scheme.objects.create(year=YEAR, name="2025年度考核")
    run = Run.objects.create(scheme=scheme, kind="annual", title="2025年度考核", status="published")
    for town, name, score, rank, district_rank, grade, band in (
        (figures.town, "华明<script>x</script>镇", "91.50", 1, 1, "excellent", "praise"),
        (figures.town2, "东丽湖温泉小镇", "70.25", 3, 2, "pass", ""),
    ):
        RunResult.objects.create(
            run=run, town=town, town_name=name, district_name="东丽区", score=D(score), rank=rank,
            district_rank=district_rank, grade=grade, band=band,
        )  # fmt: skip
    client.force_login(figures.users.leader)
    html = client.get(f"/dashboard/?level=district&id={figures.dongli.pk}&year={YEAR}").content.decode()
    assert "<script>x</script>" not in html
    panel = lxml_html.fromstring(html).xpath("//section[@aria-labelledby='ranking-title']")[0]
    rows = [[" ".join(cell.text_content().split()) for cell in row] for row in panel.xpath(".//tbody/tr")]
    assert rows == [
        ["1", "华明<script>x</script>镇 表扬", "91.50", "1", "优秀"],
        ["2", "东丽湖温泉小镇", "70.25", "3", "合格"],
    ]
    assert panel.xpath(".//tbody/tr[1]//span[contains(@class, 'rank-badge')]")[0].get("class") == "rank-badge rank-top"
    link = panel.xpath(".//tbody/tr[1]//a")[0].get("href")
    assert link == f"/dashboard/?level=town&id={figures.town.pk}&year={YEAR}"


# --- Ranking -----------------------------------------------------------------------------------------


def test_ranking_uses_the_latest_published_assessment(figures):
    scheme = Scheme.objects.create(year=YEAR, name="2025年度考核")
    run = Run.objects.create(scheme=scheme, kind="annual", title="2025年度考核", status="published")
    for town, score, rank, district_rank in (
        (figures.town, "90", 1, 1),
        (figures.outsider_town, "84", 2, 1),
        (figures.town2, "70", 3, 2),
    ):
        RunResult.objects.create(
            run=run, town=town, town_name=town.name, district_name=town.district.name,
            score=D(score), rank=rank, district_rank=district_rank,
        )  # fmt: skip
    Run.objects.create(scheme=scheme, kind="semiannual", title="草稿", status="draft")
    result = board(city(figures))
    assert result.run.pk == run.pk and result.run.year == run.year
    assert [(row["unit"].name, row["score"], row["rank"]) for row in result.district_ranking] == [
        ("西青区", D("84.00"), 1),
        ("东丽区", D("80.00"), 2),  # (90 + 70) / 2
    ]
    assert [row["town_name"] for row in result.town_ranking] == ["华明智能制造小镇", "精武文化小镇", "东丽湖温泉小镇"]
    district = board(
        dashboards.get_dashboard_scope_for_user(figures.users.leader, dashboards.DISTRICT, figures.dongli.pk)
    )
    assert [(c.name, c.score, c.rank) for c in district.children] == [
        ("华明智能制造小镇", D("90"), 1),
        ("东丽湖温泉小镇", D("70"), 2),
    ]


# --- Query bounds --------------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_dashboard_queries_do_not_grow_with_the_data(figures, client, api):
    client.force_login(figures.users.leader)
    rest = api(figures.users.leader)
    urls = [f"/dashboard/?year={YEAR}", f"/dashboard/?level=district&id={figures.dongli.pk}&year={YEAR}"]
    api_urls = [f"/api/v1/dashboard/?level=city&year={YEAR}", f"/api/v1/timeliness/?year={YEAR}"]
    _queries(client, urls[0])  # the working-day calendar is read once a minute, not per request
    before = [_queries(client, url) for url in urls] + [_queries(rest, url) for url in api_urls]
    for n in range(3, 9):  # six more towns, each with a year of accepted reports
        town = org.town_create(
            district=figures.dongli, code=f"T01{n:02d}", name=f"新增小镇{n}", host_township="华明街",
            lead_industry="智能制造", status=TownStatus.CREATING, reporting_from=datetime.date(2024, 1, 1), order=n,
        )  # fmt: skip
        for month in range(4, 10):
            accepted_report(figures, town, datetime.date(YEAR, month, 1), fixed_asset_investment=n)
    after = [_queries(client, url) for url in urls] + [_queries(rest, url) for url in api_urls]
    assert after == before
    assert max(before[2:]) <= 20  # the JSON figures; the pages add the navigation bar's counters


def _dashboard_urls(world) -> list[str]:
    return [
        f"level=city&year={YEAR}",
        f"level=district&id={world.dongli.pk}&year={YEAR}",
        f"level=town&id={world.town.pk}&year={YEAR}",
    ]


def test_every_dashboard_page_and_api_stays_within_twenty_queries_as_the_data_grows(figures, client, api):
    """Session, user, grants, the figures, the navigation bar's badges: at most 20, the same with more data."""
    client.force_login(figures.users.leader)
    rest = api(figures.users.leader)
    _queries(client, f"/dashboard/?{_dashboard_urls(figures)[0]}")  # the working-day calendar, once a minute
    pages = [f"/dashboard/?{query}" for query in _dashboard_urls(figures)]
    apis = [f"/api/v1/dashboard/?{query}" for query in _dashboard_urls(figures)]
    before = [_queries(client, url) for url in pages] + [_queries(rest, url) for url in apis]
    assert max(before) <= 20
    for n in range(3, 6):
        town = org.town_create(
            district=figures.dongli, code=f"T01{n:02d}", name=f"新增小镇{n}", host_township="华明街",
            lead_industry="智能制造", status=TownStatus.CREATING, reporting_from=datetime.date(2024, 1, 1), order=n,
        )  # fmt: skip
        accepted_report(figures, town, JAN, fixed_asset_investment=n)
    assert [_queries(client, url) for url in pages] + [_queries(rest, url) for url in apis] == before


def test_town_officer_of_another_role_is_scoped_to_the_town(figures, api):
    town_officer = org.user_create(
        username="huaming-officer", password="x-pass-123", role=Role.OFFICER, org_unit=figures.town.unit
    )
    client = api(town_officer)
    assert client.get(f"/api/v1/dashboard/?level=town&id={figures.town.pk}&year={YEAR}").status_code == 200
    assert client.get(f"/api/v1/dashboard/?level=district&id={figures.dongli.pk}&year={YEAR}").status_code == 404
    assert client.get(f"/api/v1/dashboard/?level=town&id={figures.town2.pk}&year={YEAR}").status_code == 404


# --- The summary of accepted figures behind the dashboards (ledgers/summaries.py) ----------------------


def test_a_reopened_report_leaves_the_dashboard_until_it_is_accepted_again(figures, api):
    from ledgers.models import MonthlyReport

    client = api(figures.users.leader)
    url = f"/api/v1/dashboard/?level=town&id={figures.town2.pk}&year={YEAR}"
    assert client.get(url).json()["totals"]["fixed_asset_investment"] == 30
    report = MonthlyReport.objects.get(town=figures.town2, period=JAN)
    ledger.monthly_report_reopen_request(actor=figures.users.officer, report=report, reason="投资额录入有误")
    ledger.monthly_report_reopen_approve(actor=figures.users.office_policy, report=report)
    assert client.get(url).json()["totals"]["fixed_asset_investment"] is None


def test_rebuilding_the_summary_gives_what_the_services_kept(figures):
    from ledgers.summaries import AcceptedFigures, accepted_figures_rebuild

    kept = {row.report_id: (row.period, row.figures) for row in AcceptedFigures.objects.all()}
    assert len(kept) == 5  # the five accepted reports; the submitted one is not there
    assert accepted_figures_rebuild() == 5
    assert {row.report_id: (row.period, row.figures) for row in AcceptedFigures.objects.all()} == kept


def test_a_large_districts_ranking_panel_lists_the_best_and_the_weakest_few():
    """Like the city's town list: a district of a hundred towns shows the top ten, a gap and the last
    five in its ranking panel (the run's own page has them all); a small district shows every town."""
    from types import SimpleNamespace

    from assessments.dashboard_views import _district_ranking_rows

    rows = [{"town_name": f"镇{n}", "district_rank": n} for n in range(1, 21)]
    shown = _district_ranking_rows(SimpleNamespace(town_ranking=rows))
    assert [row["district_rank"] for row in shown] == [*range(1, 11), *range(16, 21)]
    assert [row["district_rank"] for row in shown if row.get("gap_before")] == [16]
    assert "gap_before" not in rows[15]  # the board's own rows (and the API's) stay whole
    small = rows[:15]
    assert _district_ranking_rows(SimpleNamespace(town_ranking=small)) == small


def test_each_chart_has_its_figures_as_a_table_that_follows_the_chart(figures, client):
    """Issue 23: a canvas says nothing to a screen reader. Under each chart, 查看数据 holds a table per key
    indicator with the very numbers the chart draws (the page's dashboard-data), the first shown; the chart's
    label names the indicator."""
    client.force_login(figures.users.leader)
    tree = lxml_html.fromstring(client.get(f"/dashboard/?year={YEAR}").content)
    data = json.loads(tree.get_element_by_id("dashboard-data").text)
    trend = tree.xpath("//*[@data-chart-table='trend']")
    assert len(trend) == len(data["trend"]) > 1
    assert [t.get("hidden") is None for t in trend] == [True] + [False] * (len(trend) - 1)
    for table, item in zip(trend, data["trend"], strict=True):
        rows = table.xpath(".//tbody/tr")
        assert [r.xpath("th")[0].text for r in rows] == data["months"]
        assert [[td.text for td in r.xpath("td")] for r in rows] == [
            [figure(this, 2), figure(last, 2)] for this, last in zip(item["this_year"], item["last_year"], strict=True)
        ]
    january = trend[0].xpath(".//tbody/tr")[0]
    assert [td.text for td in january.xpath("td")] == ["137.00", "80.00"]  # 华明 100 + 东丽湖 30 + 精武 7; 2024: 80
    children = tree.xpath("//*[@data-chart-table='children']")
    assert [r.xpath("th")[0].text for r in children[0].xpath(".//tbody/tr")] == data["children"]["names"]
    timeliness = tree.xpath("//*[@data-chart-table='timeliness']//tbody/tr")
    assert len(timeliness) == len(data["timeliness"]["months"])
    chart = tree.get_element_by_id("chart-trend")
    assert chart.get("role") == "img" and chart.get("aria-label") == f"月度走势图：{data['trend'][0]['name']}"


@pytest.mark.parametrize("value", [0, 7, -3, 9999, 10000, -12345, 123456789])
@pytest.mark.parametrize("places", [0, 1, 2, None])
def test_a_whole_number_is_shown_as_the_decimal_rule_shows_it(value, places):
    """figure() writes a count without going through Decimal (a district's chart tables have hundreds): the
    text must be the Decimal rule's, thousands separators and decimals alike."""
    digits = 0 if abs(value) >= 10000 else int(places or 0)
    assert figure(value, places) == format(Decimal(value).quantize(Decimal(1).scaleb(-digits)), ",f")


@given(cents=st.integers(min_value=-(10**13), max_value=10**13), places=st.sampled_from([1, 2]))
@settings(max_examples=300, deadline=None)
def test_a_charts_number_in_its_table_reads_as_the_decimal_rule_writes_it(cents, places):
    """The chart tables format the charts' floats directly (_cell), not through Decimal: for every figure the
    charts carry (cents, or a completion rounded to one decimal) the text must be figure()'s of the Decimal,
    rounding of the large ones to whole numbers included."""
    from assessments.templatetags.dashboard_tags import _cell

    value = Decimal(cents).scaleb(-places)
    assert _cell(float(value), places, f",.{places}f") == f'<td class="text-end num">{figure(value, places)}</td>'
    assert _cell(value, places, f",.{places}f") == f'<td class="text-end num">{figure(value, places)}</td>'
    assert _cell(None, places, f",.{places}f") == '<td class="text-end num">—</td>'  # a month with no figure


@given(cents=st.integers(min_value=-(10**15), max_value=10**15))
@settings(max_examples=500, deadline=None)
def test_the_apis_sums_in_cents_read_as_their_decimals(cents):
    """The API writes a sum from its cents (_cents), not through the Decimal the page shows: the same JSON number
    (an int when whole, else the float) for every sum, negative ones included."""
    from assessments.dashboard_api import _cents, _number

    value = dashboards.Figure(actual_cents=cents).actual
    assert _cents(cents) == _number(value) and type(_cents(cents)) is type(_number(value))


@given(expected=st.integers(min_value=0, max_value=30000), data=st.data())
@settings(max_examples=300, deadline=None)
def test_a_heatmap_rate_reads_as_pct_writes_it(expected, data):
    """The heatmap writes its rates as the floats they are (_rate_text), not through pct()'s Decimal: for every
    rate a count gives (rounded to one decimal), the text must be pct()'s."""
    from assessments.dashboard_views import _rate_text
    from assessments.templatetags.dashboard_tags import pct

    on_time = data.draw(st.integers(min_value=0, max_value=expected))
    count = ledger_selectors.TimelinessCount(expected, on_time, 0, 0)
    assert _rate_text(count.on_time_rate) == pct(count.on_time_rate)


def test_the_chart_data_is_escaped_as_djangos_json_script_escapes_it():
    """The dashboard's data block is written by chart_json: a town named with markup must not end the script
    element early, exactly as Django's json_script would have it."""
    from django.utils.html import json_script

    from assessments.templatetags.dashboard_tags import chart_json

    data = {"names": ["</script><script>alert(1)</script>", "A&B 镇"], "n": [1, 2.5, None], "d": Decimal("1.20")}
    assert chart_json(data, "dashboard-data") == json_script(data, "dashboard-data")
    assert "</script><script>" not in chart_json(data, "dashboard-data")
