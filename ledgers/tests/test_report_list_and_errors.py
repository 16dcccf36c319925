"""Issue 19: 月报管理 lists, for a chosen month, every town that owes the report (未填报 ones with their deadlines
and the 填报 button), searches by town name; the entry form, the import and the API name every error of every
field in one round; the entry form explains each indicator from the catalogue."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from coordination import services as org
from coordination.models import Town
from ledgers import services as ledger
from ledgers.exports import HEADER_ROW
from ledgers.imports import ImportRejected
from ledgers.models import EntryException, MonthlyReport, ReportStatus, ReportValue
from ledgers.tests.factories import make_project
from ledgers.tests.quality import fill, row_number, template
from tests import clients

login = clients.login
S = ReportStatus
SEPT, OCT = datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)
LIST = reverse("report-list")
FILL = reverse("report-fill")
# The round: a word in a sub-item, a negative whole, and the other sub-item larger than the whole.
TYPED = {"private_investment": "abc", "fixed_asset_investment": "-300", "industry_investment": "500"}
EXPECTED = {
    "private_investment": ["「其中：民间投资」必须是数字。"],
    "fixed_asset_investment": ["「固定资产投资」不能为负数。"],
    "industry_investment": ["「其中：特色产业投资」不能大于「固定资产投资」。"],
}


def rows(response) -> list[tuple[str, str | None]]:
    """(town name, report status or None when 未填报) of the listed page."""
    return [(row.town.unit.name, row.report.status if row.report else None) for row in response.context["page"]]


def fill_form(town: Town, month: str) -> str:
    """The markup's 填报 form of a town and month (the inbox's: POST town and period to report-fill)."""
    return f'name="town" value="{town.pk}">\n              <input type="hidden" name="period" value="{month}">'


def new_town(world, code: str, name: str, *, reporting_from=datetime.date(2024, 1, 1), order: int = 10) -> Town:
    return org.town_create(
        district=world.dongli,
        code=code,
        name=name,
        reporting_from=reporting_from,
        order=order,
        host_township="某街",
        lead_industry="某产业",
    )


# --- 月报管理 with a month chosen -------------------------------------------------------------------------


def test_a_chosen_month_lists_every_town_that_owes_it_with_the_unfiled_ones(login, world, make_report):
    make_report(S.DRAFT, town=world.town2, period=OCT)
    new_town(world, "T0103", "新晋小镇", reporting_from=datetime.date(2026, 11, 1))  # owes nothing for October
    response = login(world.users.officer).get(LIST, {"month": "2026-10"})
    assert rows(response) == [("华明智能制造小镇", None), ("东丽湖温泉小镇", S.DRAFT)]
    page = response.content.decode()
    assert "未填报" in page and "逾期未报" in page  # due 10 November, today 20 November
    assert "2026-11-10" in page and "2026-11-25" in page  # its due date and its close day
    assert fill_form(world.town, "2026-10") in page and f'action="{FILL}"' in page
    assert "共 2 个小镇，其中未填报 1 个" in page


def test_the_fill_button_opens_the_unfiled_month(login, world):
    client = login(world.users.officer)
    assert fill_form(world.town, "2026-10") in client.get(LIST, {"month": "2026-10"}).content.decode()
    response = client.post(FILL, {"town": world.town.pk, "period": "2026-10"})
    report = MonthlyReport.objects.get(town=world.town, period=OCT)
    assert response.url == reverse("report-edit", args=[report.pk])


def test_who_may_not_file_sees_the_unfiled_towns_without_the_fill_button(login, world):
    response = login(world.users.reviewer).get(LIST, {"month": "2026-10"})
    assert rows(response) == [("华明智能制造小镇", None), ("东丽湖温泉小镇", None)]
    assert FILL not in response.content.decode()


def test_other_districts_unfiled_towns_are_not_listed(login, world):
    response = login(world.users.officer).get(LIST, {"month": "2026-10"})
    assert "精武文化小镇" not in response.content.decode()
    assert ("精武文化小镇", None) in rows(login(world.users.office_policy).get(LIST, {"month": "2026-10"}))


def test_a_locked_month_shows_locked_instead_of_fill_until_the_office_excepts_it(login, world):
    client = login(world.users.officer)  # September closed on 26 October: never filed is missing and locked
    page = client.get(LIST, {"month": "2026-09"}).content.decode()
    assert "已锁定" in page and "漏报" in page and FILL not in page
    EntryException.objects.create(
        town=world.town,
        period=SEPT,
        reason="系统故障",
        expires_on=datetime.date(2026, 12, 31),
        granted_by=world.users.office_policy,
    )
    page = client.get(LIST, {"month": "2026-09"}).content.decode()
    assert fill_form(world.town, "2026-09") in page and fill_form(world.town2, "2026-09") not in page


def test_status_unfiled_keeps_the_towns_without_a_report_and_asks_for_a_month_without_one(login, world, make_report):
    make_report(S.SUBMITTED, town=world.town2, period=OCT)
    client = login(world.users.officer)
    assert rows(client.get(LIST, {"month": "2026-10", "status": "unfiled"})) == [("华明智能制造小镇", None)]
    assert rows(client.get(LIST, {"month": "2026-10", "status": "submitted"})) == [("东丽湖温泉小镇", S.SUBMITTED)]
    response = client.get(LIST, {"status": "unfiled"})
    page = response.content.decode()
    assert rows(response) == [] and "请先选择月份" in page
    assert 'href="?status=unfiled&amp;month=2026-10"' in page  # the latest month, the filter kept


def test_a_month_not_ended_lists_no_unfiled_towns(login, world):
    assert rows(login(world.users.officer).get(LIST, {"month": "2026-11"})) == []


def test_the_month_list_makes_no_query_per_town(login, world, make_report, django_assert_max_num_queries):
    client = login(world.users.office_policy)
    make_report(S.SUBMITTED, period=OCT)
    client.get(LIST, {"month": "2026-10"})
    with django_assert_max_num_queries(30) as few:  # the same as the list without a month (the menus' counts)
        client.get(LIST, {"month": "2026-10"})
    for index in range(12):
        town = new_town(world, f"T09{index:02d}", f"测试小镇{index:02d}", order=10 + index)
        if index % 2:
            make_report(S.DRAFT, town=town, period=OCT)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST, {"month": "2026-10"})
    # 华明 submitted, 东丽湖 and 精武 unfiled, the new towns half drafts and half unfiled
    assert len(rows(response)) == 15 and sum(1 for _name, status in rows(response) if status is None) == 8


# --- Without a month, and the keyword ---------------------------------------------------------------------


def test_without_a_month_the_list_is_the_reports_and_offers_the_latest_month(login, world, make_report):
    make_report(S.SUBMITTED, period=SEPT)
    response = login(world.users.officer).get(LIST)
    assert rows(response) == [("华明智能制造小镇", S.SUBMITTED)]  # no 未填报 lines without a month
    page = response.content.decode()
    assert 'href="?month=2026-10"' in page and "查看2026年10月的报送情况" in page


@pytest.mark.parametrize("month", ["", "2026-10"])
def test_the_keyword_finds_towns_by_name(login, world, make_report, month):
    make_report(S.DRAFT, period=OCT)
    make_report(S.DRAFT, town=world.town2, period=OCT)
    response = login(world.users.officer).get(LIST, {"q": "温泉", "month": month})
    assert rows(response) == [("东丽湖温泉小镇", S.DRAFT)]
    assert 'name="q" value="温泉"' in response.content.decode()


# --- Every error in one round -----------------------------------------------------------------------------


def test_the_service_names_every_error_of_every_field_at_once(world, make_report):
    report = make_report(S.DRAFT, period=SEPT)
    before = dict(report.values.values_list("indicator__code", "value"))
    with pytest.raises(ValidationError) as refused:
        ledger.monthly_report_save(actor=world.users.officer, report=report, values=TYPED | {"tax_revenue": "1"})
    assert refused.value.message_dict == EXPECTED
    assert dict(report.values.values_list("indicator__code", "value")) == before


def test_a_refused_submission_also_names_the_empty_figures_and_the_project_rows(world):
    report = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=OCT)
    project = make_project(world)
    progress = [{"project": project.pk, "investment_month": "很多"}]
    with pytest.raises(ValidationError) as refused:
        ledger.monthly_report_save(
            actor=world.users.officer, report=report, values=TYPED, progress=progress, submit=True
        )
    messages = refused.value.message_dict
    assert {code: messages[code] for code in EXPECTED} == EXPECTED
    assert messages["tourists"] == ["请填写「接待游客」（没有发生请填0）。"]
    assert "必须是数字" in messages["progress[0].investment_month"][0]
    assert not ReportValue.objects.exists() and not report.project_progress.exists()
    assert MonthlyReport.objects.get(pk=report.pk).status == S.DRAFT


def test_a_refused_upload_is_named_with_the_figures(world):
    report = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=OCT)
    empty = SimpleUploadedFile("空白.pdf", b"", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        ledger.monthly_report_save(actor=world.users.officer, report=report, values=TYPED, evidence=[(None, empty)])
    messages = refused.value.message_dict
    assert messages["evidence-report"] == ["「空白.pdf」是空文件。"]
    assert {code: messages[code] for code in EXPECTED} == EXPECTED


def test_the_entry_form_shows_every_error_at_once_and_keeps_what_was_typed(login, world, make_report):
    report = make_report(S.DRAFT, period=OCT)
    response = login(world.users.officer).post(reverse("report-edit", args=[report.pk]), {**TYPED, "action": "save"})
    page = response.content.decode()
    assert response.status_code == 200
    for [message] in EXPECTED.values():
        assert message in page
    assert 'value="abc"' in page and 'value="-300"' in page and 'value="500"' in page
    assert 'aria-describedby="id_industry_investment-error id_industry_investment-help"' in page


def test_the_api_answers_400_naming_every_field_at_once(world, api, make_report):
    report = make_report(S.DRAFT, period=OCT)
    values = {"private_investment": "abc", "fixed_asset_investment": -300, "industry_investment": 500}
    response = api(world.users.officer).patch(
        f"/api/v1/monthly-reports/{report.pk}/", {"values": values}, format="json"
    )
    assert response.status_code == 400
    assert {code: response.json()[code] for code in EXPECTED} == EXPECTED


def test_the_import_names_every_problem_of_a_row_at_once(world, on_day):
    on_day(datetime.date(2026, 10, 20))  # September open: after its due day, before its close day
    data = fill(
        template(Town.objects.filter(district=world.dongli)),
        {
            ("T0101", "2026-09"): {
                "其中：民间投资（万元）": "abc",
                "固定资产投资（万元）": -300,
                "其中：特色产业投资（万元）": 500,
            }
        },
    )
    with pytest.raises(ImportRejected) as rejected:
        ledger.monthly_reports_import(actor=world.users.officer, district=world.dongli, period=SEPT, data=data)
    row = row_number(data, "T0101", "2026-09")
    assert {(p.sheet, p.row, p.column, p.message) for p in rejected.value.problems} == {
        ("月度指标台账", row, "H", "应填写数字，实际为「abc」。"),
        ("月度指标台账", row, "F", "「固定资产投资」不能为负数。"),
        ("月度指标台账", row, "G", "「其中：特色产业投资」不能大于「固定资产投资」。"),
    }
    assert not MonthlyReport.objects.exists()


# --- The entry form explains each indicator --------------------------------------------------------------


def test_each_figure_is_described_by_its_catalogue_definition(login, world, make_report):
    report = make_report(S.DRAFT, period=OCT)
    page = login(world.users.officer).get(reverse("report-edit", args=[report.pk])).content.decode()
    help_of = dict(re.findall(r'<div class="form-text" id="id_([a-z_]+)-help">([^<]+)</div>', page))
    assert help_of["industry_investment"] == (
        "流量指标，填本月发生数，各月相加为全年数，单位：万元，最多保留2位小数。"
        "是「固定资产投资」的其中项，不能大于「固定资产投资」。"
    )
    assert help_of["employment"] == "存量指标，填本月末的数，单位：人，填整数。"
    assert 'aria-describedby="id_employment-help"' in page
    assert "其中：特色产业投资" in page and "其中:" not in page


def test_ascii_colon_headers_of_older_templates_still_import(world, on_day):
    on_day(datetime.date(2026, 10, 20))
    workbook = load_workbook(io.BytesIO(template(Town.objects.filter(district=world.dongli))))
    for cell in workbook["月度指标台账"][HEADER_ROW]:
        if cell.value and "其中：" in cell.value:
            cell.value = cell.value.replace("其中：", "其中:")  # the header as templates exported before wrote it
    output = io.BytesIO()
    workbook.save(output)
    data = fill(output.getvalue(), {("T0101", "2026-09"): {"G": 80}})
    summary = ledger.monthly_reports_import(actor=world.users.officer, district=world.dongli, period=SEPT, data=data)
    assert summary.figures == 1 and ReportValue.objects.get().value == Decimal("80")
