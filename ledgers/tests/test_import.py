"""Excel import of a month's figures (R-3.7) from the export's own template: the whole file is checked
first, then every row is saved or none; each error names the sheet, row and column, in Chinese."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from coordination.models import Town
from ledgers import services
from ledgers.imports import ImportRejected
from ledgers.models import MonthlyReport, ReportStatus, ReportValue
from ledgers.tests.quality import fill, row_number, template
from tests import clients
from tianjin_towns.lib import dates

S = ReportStatus
SEPT = datetime.date(2026, 9, 1)
TAX, TOURISTS, FIXED, INDUSTRY = (
    "税收收入（万元）",
    "接待游客（万人次）",
    "固定资产投资（万元）",
    "其中：特色产业投资（万元）",
)
FULL_ROW = {
    "固定资产投资（万元）": 1200.5,
    "其中：特色产业投资（万元）": 800,
    "其中：民间投资（万元）": 300,
    "税收收入（万元）": 150.25,
    "主营业务收入（万元）": 5600,
    "新增建设用地指标（亩）": 12,
    "供地面积（亩）": 8.5,
    "新入驻企业（家）": 3,
    "就业人数（人）": 2100,
    "接待游客（万人次）": 4.2,
    "新开工项目（个）": 2,
    "竣工项目（个）": 1,
}


@pytest.fixture(autouse=True)
def _september_open(on_day):
    """The tests import September while it is open: after its due day, before its close day (26 October)."""
    on_day(datetime.date(2026, 10, 20))


@pytest.fixture
def dongli_template(world):
    return template(Town.objects.filter(district=world.dongli))


def run(world, data: bytes, period=SEPT, district=None, filename="台账.xlsx"):
    return services.monthly_reports_import(
        actor=world.users.officer, district=district or world.dongli, period=period, data=data, filename=filename
    )


def problems_of(world, data: bytes, **kwargs) -> list:
    with pytest.raises(ImportRejected) as rejected:
        run(world, data, **kwargs)
    return rejected.value.problems


def figures(town, period=SEPT) -> dict:
    return dict(
        ReportValue.objects.filter(report__town=town, report__period=period).values_list("indicator__code", "value")
    )


def test_a_months_figures_import_into_new_draft_reports(world, dongli_template):
    data = fill(dongli_template, {("T0101", "2026-09"): FULL_ROW, ("T0102", "2026-09"): {TAX: 88, TOURISTS: 0.5}})
    summary = run(world, data)
    assert (len(summary.reports), summary.created, summary.figures) == (2, 2, 14)
    assert figures(world.town)["fixed_asset_investment"] == Decimal("1200.5")
    assert figures(world.town2) == {"tax_revenue": Decimal("88"), "tourists": Decimal("0.5")}
    report = MonthlyReport.objects.get(town=world.town, period=SEPT)
    assert report.status == S.DRAFT
    save = report.events.get(action="save")
    assert (save.actor, save.reason) == (world.users.officer, "Excel导入：台账.xlsx")
    # Rows of other months in the same workbook are left alone.
    assert not MonthlyReport.objects.exclude(period=SEPT).exists()


def test_blank_cells_leave_stored_figures_alone(world, make_report, dongli_template):
    report = make_report(S.DRAFT)
    run(world, fill(dongli_template, {("T0101", "2026-09"): {TAX: 170}}))
    stored = figures(world.town)
    assert stored["tax_revenue"] == Decimal("170") and stored["tourists"] == Decimal("4.2")
    assert report.events.last().changes == {"values": {"tax_revenue": ["150.25", "170"]}}


def test_one_bad_cell_rejects_the_whole_file_and_names_where_it_is(world, dongli_template):
    data = fill(dongli_template, {("T0101", "2026-09"): FULL_ROW, ("T0102", "2026-09"): {TAX: "一百"}})
    [problem] = problems_of(world, data)
    assert (problem.sheet, problem.row, problem.column) == ("月度指标台账", row_number(data, "T0102", "2026-09"), "I")
    assert problem.message == "应填写数字，实际为「一百」。"
    assert not MonthlyReport.objects.exists() and not ReportValue.objects.exists()


def test_every_problem_of_the_file_is_listed_at_once(world, dongli_template):
    data = fill(
        dongli_template,
        {
            ("T0101", "2026-09"): {FIXED: 100, INDUSTRY: 500, TOURISTS: -1},
            ("T0102", "2026-09"): {"新入驻企业（家）": 2.5, TAX: 1e20},
        },
    )
    found = {(p.row, p.column, p.message) for p in problems_of(world, data)}
    first, second = row_number(data, "T0101", "2026-09"), row_number(data, "T0102", "2026-09")
    assert found == {
        (first, "G", "「其中：特色产业投资」不能大于「固定资产投资」。"),
        (first, "O", "「接待游客」不能为负数。"),
        (second, "M", "「新入驻企业」必须是整数。"),
        (second, "I", "「税收收入」数值过大。"),
    }


def test_unknown_towns_other_districts_and_wrong_names_are_refused(world, dongli_template):
    workbook = load_workbook(io.BytesIO(fill(dongli_template, {("T0101", "2026-09"): {TAX: 1}})))
    ws = workbook["月度指标台账"]
    row = row_number(dongli_template, "T0101", "2026-09")
    ws[f"B{row}"] = "T9999"
    other = row_number(dongli_template, "T0102", "2026-09")
    ws[f"C{other}"], ws[f"I{other}"] = "别的小镇", 5
    output = io.BytesIO()
    workbook.save(output)
    messages = {(p.row, p.column): p.message for p in problems_of(world, output.getvalue())}
    assert messages == {
        (row, "B"): "未知的小镇编码「T9999」（东丽区没有该小镇）。",
        (other, "C"): "小镇名称「别的小镇」与编码 T0102 的「东丽湖温泉小镇」不符。",
    }
    outside = template(Town.objects.filter(pk=world.outsider_town.pk))
    [problem] = problems_of(world, fill(outside, {("T0201", "2026-09"): {TAX: 1}}))
    assert problem.column == "A" and "与所选的「东丽区」不符" in problem.message


def test_accepted_submitted_and_locked_reports_are_not_changed_by_an_import(world, make_report, dongli_template):
    make_report(S.ACCEPTED)
    make_report(S.SUBMITTED, town=world.town2)
    data = fill(dongli_template, {("T0101", "2026-09"): {TAX: 1}, ("T0102", "2026-09"): {TAX: 2}})
    messages = sorted(p.message for p in problems_of(world, data))
    assert "月报已验收，不能通过导入修改；如需更正，请在月报页面申请更正。" in messages[1]
    assert "月报正在审核中（已报送），不能导入修改。" in messages[0]
    # The same figures as stored are no change: nothing to import.
    same = fill(dongli_template, {("T0101", "2026-09"): {TAX: 150.25}, ("T0102", "2026-09"): {TAX: 150.25}})
    [problem] = problems_of(world, same)
    assert "没有需要导入的数据" in problem.message


def test_a_month_locked_as_missing_is_refused_until_an_exception(world, dongli_template, on_day):
    on_day(datetime.date(2026, 10, 27))  # September closed yesterday; the nightly run need not have recorded it
    data = fill(dongli_template, {("T0101", "2026-09"): {TAX: 1}})
    [problem] = problems_of(world, data)
    assert problem.column == "D" and "计为漏报，填报已锁定" in problem.message
    services.entry_exception_grant(
        actor=world.users.office_policy,
        town=world.town,
        period=SEPT,
        reason="系统故障",
        expires_on=dates.today() + datetime.timedelta(days=3),
    )
    assert run(world, data).figures == 1


def test_a_month_not_yet_ended_and_a_file_without_its_rows(world, dongli_template):
    [problem] = problems_of(world, dongli_template, period=dates.month_start(dates.today()))
    assert "尚未结束" in problem.message
    [problem] = problems_of(world, dongli_template, period=datetime.date(2025, 9, 1))
    assert problem.message == "文件中没有 2025-09 的数据行，请检查所选月份。"
    [problem] = problems_of(world, dongli_template)
    assert "没有需要导入的数据" in problem.message


# --- Page ---------------------------------------------------------------------------------------------


login = clients.login


def upload(data: bytes, name="台账.xlsx"):
    return SimpleUploadedFile(
        name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_import_page_saves_a_good_file_and_lists_the_problems_of_a_bad_one(login, world, dongli_template):
    client = login(world.users.officer)
    url = reverse("ledger-import")
    assert client.get(url).status_code == 200
    bad = fill(dongli_template, {("T0101", "2026-09"): {TAX: "abc"}})
    page = client.post(url, {"district": world.dongli.pk, "month": "2026-09", "file": upload(bad)}).content.decode()
    assert "文件未导入：发现 1 处问题" in page and "月度指标台账" in page and "应填写数字" in page
    assert not MonthlyReport.objects.exists()
    good = fill(dongli_template, {("T0101", "2026-09"): {TAX: 160}})
    page = client.post(url, {"district": world.dongli.pk, "month": "2026-09", "file": upload(good)}).content.decode()
    assert "导入成功" in page and "华明智能制造小镇" in page
    assert figures(world.town) == {"tax_revenue": Decimal("160")}


def test_import_page_is_for_the_district_officer(login, world, dongli_template):
    url = reverse("ledger-import")
    data = {"district": world.dongli.pk, "month": "2026-09", "file": upload(dongli_template)}
    assert login(world.users.reviewer).post(url, data).status_code == 403
    assert "您没有填报权限" in login(world.users.leader).get(url).content.decode()
    # The outsider may import only for 西青区: 东丽区 is not a choice.
    page = login(world.users.outsider).post(url, data)
    assert page.status_code == 200 and "选择一个有效的选项" in page.content.decode()


# --- API ----------------------------------------------------------------------------------------------


def test_api_import_answers_the_summary_or_every_error(world, api, dongli_template):
    url = "/api/v1/ledgers/import/"
    good = fill(dongli_template, {("T0101", "2026-09"): {TAX: 160}})
    body = {"file": upload(good), "period": "2026-09", "district": world.dongli.pk}
    response = api(world.users.officer).post(url, body, format="multipart")
    assert response.status_code == 200, response.content
    assert (response.json()["imported"], response.json()["figures"]) == (1, 1)

    bad = fill(dongli_template, {("T0101", "2026-09"): {TAX: -5}, ("T0102", "2026-09"): {TAX: "x"}})
    body = {"file": upload(bad), "period": "2026-09", "district": world.dongli.pk}
    response = api(world.users.officer).post(url, body, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [set(e) for e in errors] == [{"sheet", "row", "column", "message"}] * 2
    assert {e["column"] for e in errors} == {"I"} and all(e["sheet"] == "月度指标台账" for e in errors)
    assert figures(world.town) == {"tax_revenue": Decimal("160")}  # nothing of the bad file was saved


def test_api_import_refuses_outsiders_and_viewers(world, api, dongli_template):
    url = "/api/v1/ledgers/import/"

    def body():
        return {"file": upload(dongli_template), "period": "2026-09", "district": world.dongli.pk}

    assert api(world.users.outsider).post(url, body(), format="multipart").status_code == 404
    assert api(world.users.reviewer).post(url, body(), format="multipart").status_code == 403
    assert api(world.users.officer).post(url, {"period": "2026-09"}, format="multipart").status_code == 400
