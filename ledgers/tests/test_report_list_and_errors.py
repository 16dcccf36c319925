"""Issue 19: 月报管理 lists, for a chosen month, every town that owes the report (未填报 ones with their deadlines
and the 填报 button), searches by town, district, month and state; the entry form, the import and the API name every error of every
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

from conftest import FULL_VALUES
from coordination import services as org
from coordination.models import Town
from ledgers import services as ledger
from ledgers.exports import HEADER_ROW
from ledgers.imports import ImportRejected
from ledgers.models import EntryException, Indicator, MonthlyReport, ReportStatus, ReportValue
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


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("东丽区", [("华明智能制造小镇", S.DRAFT), ("东丽湖温泉小镇", S.SUBMITTED)]),
        ("2026年10月", [("华明智能制造小镇", S.DRAFT)]),
        ("草稿", [("华明智能制造小镇", S.DRAFT)]),
        ("9月 已报送", [("东丽湖温泉小镇", S.SUBMITTED)]),
        ("东丽湖 2026-10", []),
    ],
)
def test_the_keyword_finds_reports_by_district_month_and_state(login, world, make_report, q, expected):
    make_report(S.DRAFT, period=OCT)
    make_report(S.SUBMITTED, town=world.town2, period=SEPT)
    assert rows(login(world.users.officer).get(LIST, {"q": q})) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("未填报", [("东丽湖温泉小镇", None)]),
        ("草稿", [("华明智能制造小镇", S.DRAFT)]),
        ("东丽区 2026年10月", [("华明智能制造小镇", S.DRAFT), ("东丽湖温泉小镇", None)]),
        ("温泉 10月", [("东丽湖温泉小镇", None)]),
        ("2026年9月", []),
    ],
)
def test_with_a_month_the_keyword_matches_the_unfiled_lines_as_shown(login, world, make_report, q, expected):
    make_report(S.DRAFT, period=OCT)
    assert rows(login(world.users.officer).get(LIST, {"month": "2026-10", "q": q})) == expected


def test_the_keyword_box_says_what_it_matches_and_takes_the_searchs_length(login, world, make_report):
    make_report(S.DRAFT, period=OCT)
    client = login(world.users.officer)
    page = client.get(LIST).content.decode()
    assert 'placeholder="小镇、区、月份或状态"' in page and 'maxlength="100"' in page
    long = "东丽区 " + "温" * 80  # as long as the search takes: it narrows (to nothing), no error
    response = client.get(LIST, {"q": long})
    assert response.context["form"].is_valid() and rows(response) == []


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


# What submitting FULL_VALUES without project progress asks of the unexplained investment figure.
UNEXPLAINED = "请在该指标下填写说明或上传原始记录后再报送。"
EMPTY_PDF = "「空白.pdf」是空文件。"


def empty_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("空白.pdf", b"", content_type="application/pdf")


def nothing_stored(report) -> bool:
    """The report as monthly_report_create left it: no figure, row, file, flag or event but its opening."""
    report = MonthlyReport.objects.get(pk=report.pk)
    return (
        report.status == S.DRAFT
        and not report.values.exists()
        and not report.project_progress.exists()
        and not report.evidence.exists()
        and not report.flags.exists()
        and list(report.events.values_list("action", flat=True)) == ["create"]
    )


def test_a_refused_upload_and_a_submission_with_empty_figures_are_named_in_one_round(world):
    report = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=OCT)
    with pytest.raises(ValidationError) as refused:
        ledger.monthly_report_save(
            actor=world.users.officer,
            report=report,
            values={"tax_revenue": "10"},
            evidence=[(None, empty_pdf())],
            submit=True,
        )
    messages = refused.value.message_dict
    assert messages["evidence-report"] == [EMPTY_PDF]
    assert messages["tourists"] == ["请填写「接待游客」（没有发生请填0）。"]
    assert len([code for code in messages if code != "evidence-report"]) == 11  # every figure but tax_revenue
    assert nothing_stored(report)


def test_an_empty_figure_and_an_unexplained_flag_are_named_in_one_round(world):
    report = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=OCT)
    values = FULL_VALUES | {"tourists": ""}
    with pytest.raises(ValidationError) as refused:
        ledger.monthly_report_save(actor=world.users.officer, report=report, values=values, submit=True)
    messages = refused.value.message_dict
    assert set(messages) == {"tourists", "fixed_asset_investment"}
    assert messages["tourists"] == ["请填写「接待游客」（没有发生请填0）。"]
    [flag] = messages["fixed_asset_investment"]
    assert "没有任何项目的本月进展" in flag and flag.endswith(UNEXPLAINED)
    assert nothing_stored(report)


def test_submitting_a_saved_draft_names_the_empty_figure_and_the_unexplained_flag_at_once(world):
    report = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=OCT)
    ledger.monthly_report_save(actor=world.users.officer, report=report, values=FULL_VALUES | {"tourists": ""})
    with pytest.raises(ValidationError) as refused:
        ledger.monthly_report_submit(actor=world.users.officer, report=report)
    assert set(refused.value.message_dict) == {"tourists", "fixed_asset_investment"}
    assert MonthlyReport.objects.get(pk=report.pk).status == S.DRAFT


def test_every_kind_of_refusal_comes_in_one_round(world):
    """A refused file, a figure not a number, an empty one, a hard rule of submission (the projects' sum) and an
    unexplained flag (projects started that the project ledger does not date in the month)."""
    report = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=OCT)
    project = make_project(world)
    values = FULL_VALUES | {"private_investment": "abc", "tourists": ""}
    with pytest.raises(ValidationError) as refused:
        ledger.monthly_report_save(
            actor=world.users.officer,
            report=report,
            values=values,
            progress=[{"project": project.pk, "investment_month": "100"}],
            evidence=[(None, empty_pdf())],
            submit=True,
        )
    messages = refused.value.message_dict
    assert messages["evidence-report"] == [EMPTY_PDF]
    assert messages["private_investment"] == ["「其中：民间投资」必须是数字。"]
    assert messages["tourists"] == ["请填写「接待游客」（没有发生请填0）。"]
    assert messages["fixed_asset_investment"] == [
        "「固定资产投资」（1,200.5）与项目本月完成投资合计（100）不一致，相差超过 5%。"
    ]
    assert any(message.endswith(UNEXPLAINED) for message in messages["projects_started"])
    assert nothing_stored(report)


def test_an_upload_for_a_flagged_figure_explains_it_and_its_refusal_is_named_instead(world):
    report = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=OCT)
    indicator = Indicator.objects.get(code="fixed_asset_investment")
    with pytest.raises(ValidationError) as refused:
        ledger.monthly_report_save(
            actor=world.users.officer,
            report=report,
            values=FULL_VALUES,
            evidence=[(indicator, empty_pdf())],
            submit=True,
        )
    assert refused.value.message_dict == {"evidence-fixed_asset_investment": [EMPTY_PDF]}
    assert nothing_stored(report)
    record = SimpleUploadedFile("记录.pdf", b"%PDF-1.4 original record", content_type="application/pdf")
    ledger.monthly_report_save(
        actor=world.users.officer, report=report, values=FULL_VALUES, evidence=[(indicator, record)], submit=True
    )
    assert MonthlyReport.objects.get(pk=report.pk).status == S.SUBMITTED


def test_the_entry_form_names_the_empty_figure_and_the_unexplained_flag_at_once(login, world, make_report):
    report = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=OCT)
    form = {**FULL_VALUES, "tourists": "", "action": "submit"}
    page = login(world.users.officer).post(reverse("report-edit", args=[report.pk]), form).content.decode()
    assert "请填写「接待游客」（没有发生请填0）。" in page and UNEXPLAINED in page
    assert nothing_stored(report)


def test_the_api_submit_answers_one_400_naming_every_field(world, api):
    report = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=OCT)
    client = api(world.users.officer)
    values = FULL_VALUES | {"tourists": None}
    assert client.patch(f"/api/v1/monthly-reports/{report.pk}/", {"values": values}, format="json").status_code == 200
    response = client.post(f"/api/v1/monthly-reports/{report.pk}/submit/")
    assert response.status_code == 400
    body = response.json()
    assert body["tourists"] == ["请填写「接待游客」（没有发生请填0）。"]
    assert body["fixed_asset_investment"][0].endswith(UNEXPLAINED)
    assert MonthlyReport.objects.get(pk=report.pk).status == S.DRAFT


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
