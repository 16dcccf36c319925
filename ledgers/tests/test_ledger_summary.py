"""The ledger of a province (issue 21): past LEDGER_TOWN_ROWS towns the page shows one line per district, summed in
the database, each line opening its district's towns. It says what the full table says of the same towns."""

import datetime

import pytest
from django.urls import reverse

from ledgers.models import ReportStatus
from tests import clients

login = clients.login
SEPT, OCT = datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)


@pytest.fixture
def figures(world, make_report):
    """Dongli: 华明 accepted in September and October, 东丽湖 accepted in September and still waiting in October;
    Xiqing: 精武 accepted in September only (October missing)."""

    def values(investment: str, employment: str) -> dict:
        from conftest import FULL_VALUES

        return {**FULL_VALUES, "fixed_asset_investment": investment, "employment": employment}

    make_report(ReportStatus.ACCEPTED, town=world.town, period=SEPT, values=values("1200.25", "2000"))
    make_report(ReportStatus.ACCEPTED, town=world.town, period=OCT, values=values("1300.50", "2100"))
    make_report(ReportStatus.ACCEPTED, town=world.town2, period=SEPT, values=values("1250", "900"))
    make_report(ReportStatus.SUBMITTED, town=world.town2, period=OCT, values=values("1270", "950"))
    make_report(ReportStatus.ACCEPTED, town=world.outsider_town, period=SEPT, values=values("1230.10", "400"))


@pytest.mark.parametrize("indicator", ["fixed_asset_investment", "employment"])  # a flow and a stock
def test_the_district_lines_are_the_full_tables_subtotals(world, figures, login, settings, indicator):
    client = login(world.users.leader)
    query = {"year": 2026, "indicator": indicator}
    settings.LEDGER_TOWN_ROWS = 100
    full = client.get(reverse("ledger"), query).context
    settings.LEDGER_TOWN_ROWS = 2  # three towns: by district
    page = client.get(reverse("ledger"), query)
    summary = page.context["summary"]
    assert page.context["ledger"] is None
    blocks = {block["district"].name: block for block in full["blocks"]}
    assert [line.district.name for line in summary.districts] == ["东丽区", "西青区"]
    for line in summary.districts:
        block = blocks[line.district.name]
        assert line.month_totals == block["month_totals"] and line.total == block["total"]
        assert line.towns == len(block["rows"])
    assert summary.month_totals == full["ledger"].month_totals and summary.total == full["ledger"].total
    assert summary.gaps == full["gaps"]
    dongli = summary.districts[0]
    assert dongli.pending == 1  # 东丽湖's October
    html = page.content.decode()
    assert f"district={world.dongli.pk}" in html and "按 2 个区汇总" in html


def test_a_district_opened_from_its_line_lists_its_towns(world, figures, login, settings):
    settings.LEDGER_TOWN_ROWS = 2
    page = login(world.users.leader).get(
        reverse("ledger"), {"year": 2026, "indicator": "fixed_asset_investment", "district": world.dongli.pk}
    )
    rows = page.context["ledger"].rows
    assert [row.town.unit.name for row in rows] == ["华明智能制造小镇", "东丽湖温泉小镇"]
    html = page.content.decode()
    assert '<td class="num">1,200.25</td>' in html and '<span class="gap-badge gap-pending">待验收</span>' in html


def test_the_summary_takes_a_fixed_number_of_queries(world, figures, login, settings, django_assert_max_num_queries):
    settings.LEDGER_TOWN_ROWS = 0
    client = login(world.users.leader)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("ledger"), {"year": 2026, "indicator": "employment"})
    assert response.context["summary"].towns == 3
