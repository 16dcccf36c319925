"""The archive workbook (R-3.7): read back with openpyxl and compared with the database."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination import services as org
from coordination.models import Town
from coordination.permissions import towns_for_user
from coordination.tests.factories import more_towns
from ledgers import services as ledger
from ledgers.exports import ledger_export_filename, write_ledger_workbook
from ledgers.models import Indicator, MonthlyReport, Project, ProjectProgress, ReportStatus, ReportValue
from ledgers.tests.factories import make_project
from ledgers.tests.quality import let_file

S = ReportStatus
YEAR = 2026
AUG, SEPT, OCT = datetime.date(2026, 8, 1), datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)
HEADER_ROW = 3


def export(towns, year=YEAR) -> openpyxl.Workbook:
    output = io.BytesIO()
    write_ledger_workbook(output, towns=towns, year=year)
    return openpyxl.load_workbook(io.BytesIO(output.getvalue()))


def table(ws):
    """(header, body rows, totals row) of a ledger sheet."""
    rows = list(ws.iter_rows(values_only=True))
    header = rows[HEADER_ROW - 1]
    body = []
    for row in rows[HEADER_ROW:]:
        if row[0] == "合计":
            return header, body, row
        body.append(row)
    raise AssertionError("no totals row")


def monthly_rows(workbook) -> tuple[list[str], dict[tuple[str, str], dict], tuple]:
    header, body, totals = table(workbook["月度指标台账"])
    return header, {(row[1], row[3]): dict(zip(header, row, strict=True)) for row in body}, totals


def column(indicator: Indicator) -> str:
    return f"{indicator.name}（{indicator.unit}）"


def as_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def dongli_towns(world):
    return Town.objects.filter(district=world.dongli)


def test_monthly_sheet_has_chinese_headers_with_units_for_every_active_indicator(world):
    header, _rows, _totals = monthly_rows(export(dongli_towns(world)))
    indicators = list(Indicator.objects.filter(active=True).order_by("order"))
    assert list(header) == ["区", "小镇编码", "小镇名称", "月份", "状态"] + [column(i) for i in indicators]
    assert "固定资产投资（万元）" in header and "就业人数（人）" in header


def test_accepted_figures_are_written_exactly_as_stored(world, make_report):
    report = make_report(S.ACCEPTED, period=SEPT)
    _header, rows, _totals = monthly_rows(export(dongli_towns(world)))
    row = rows[(world.town.code, "2026-09")]
    assert row["状态"] == "已验收"
    assert row["区"] == "东丽区" and row["小镇名称"] == "华明智能制造小镇"
    stored = ReportValue.objects.filter(report=report).select_related("indicator")
    assert stored.count() == 12
    for value in stored:
        assert as_decimal(row[column(value.indicator)]) == value.value


def test_months_without_accepted_report_show_status_and_no_figures(world, make_report):
    make_report(S.ACCEPTED, period=SEPT)
    make_report(S.SUBMITTED, period=OCT)
    make_report(S.RETURNED, period=AUG)
    make_report(S.DRAFT, town=world.town2, period=SEPT)
    make_report(S.DISTRICT_APPROVED, town=world.town2, period=OCT)
    _header, rows, _totals = monthly_rows(export(dongli_towns(world)))

    expected = {
        (world.town.code, "2026-10"): "已报送",
        (world.town.code, "2026-08"): "退回",
        (world.town.code, "2026-07"): "未报送",
        (world.town2.code, "2026-09"): "草稿",
        (world.town2.code, "2026-10"): "区级审核通过",
        (world.town2.code, "2026-01"): "未报送",
    }
    for key, status in expected.items():
        row = rows[key]
        assert row["状态"] == status
        assert all(row[name] is None for name in list(row)[5:]), key


def test_a_row_for_every_ended_month_the_town_must_report_and_none_other(world, on_day):
    on_day(datetime.date(2026, 11, 20))
    late_joiner = org.town_create(
        district=world.dongli,
        code="T0103",
        name="军粮城文化创意小镇",
        reporting_from=datetime.date(2026, 6, 1),
        host_township="军粮城街道",
        lead_industry="文化创意",
        order=3,
    )
    _header, rows, _totals = monthly_rows(export(dongli_towns(world)))
    ended = [f"2026-{m:02d}" for m in range(1, 11)]  # October is the last month ended
    by_town = {}
    for code, month in rows:
        by_town.setdefault(code, []).append(month)
    assert by_town[world.town.code] == ended
    assert by_town[late_joiner.code] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert world.outsider_town.code not in by_town


def test_totals_row_sums_flows_and_takes_each_towns_latest_stock(world, make_report, full_values):
    make_report(S.ACCEPTED, period=AUG, values=full_values | {"employment": "2000", "fixed_asset_investment": "900"})
    make_report(S.ACCEPTED, period=SEPT, values=full_values | {"employment": "2100"})
    make_report(S.ACCEPTED, town=world.town2, period=AUG, values=full_values | {"employment": "500"})
    make_report(S.SUBMITTED, town=world.town2, period=SEPT, values=full_values | {"employment": "9999"})
    header, _rows, totals = monthly_rows(export(dongli_towns(world)))
    totals = dict(zip(header, totals, strict=True))

    accepted = ReportValue.objects.filter(report__status=S.ACCEPTED, report__town__district=world.dongli)
    for indicator in Indicator.objects.filter(active=True, kind=Indicator.Kind.FLOW):
        expected = sum(v.value for v in accepted.filter(indicator=indicator))
        assert as_decimal(totals[column(indicator)]) == expected, indicator.code
    employment = Indicator.objects.get(code="employment")
    assert as_decimal(totals[column(employment)]) == Decimal("2100") + Decimal("500")  # not 2000 + 2100 + 500


def test_stock_total_is_explained_in_a_note_under_the_table(world):
    ws = export(dongli_towns(world))["月度指标台账"]
    notes = [row[0] for row in ws.iter_rows(values_only=True) if row[0] and str(row[0]).startswith(("注", "3."))]
    assert any("就业人数" in note and "最近一次已验收数之和" in note for note in notes)


def test_number_formats_follow_each_indicators_decimal_places(world, make_report):
    make_report(S.ACCEPTED, period=SEPT)
    ws = export(dongli_towns(world))["月度指标台账"]
    header = [cell.value for cell in ws[HEADER_ROW]]
    data_row = next(r for r in ws.iter_rows(min_row=HEADER_ROW + 1) if r[3].value == "2026-09")
    for indicator in Indicator.objects.filter(active=True):
        cell = data_row[header.index(column(indicator))]
        assert cell.number_format == ("#,##0" if indicator.decimal_places == 0 else "#,##0.00"), indicator.code


def test_header_is_frozen_and_printed_on_every_page_in_landscape(world):
    workbook = export(dongli_towns(world))
    for ws in workbook.worksheets:
        assert ws.freeze_panes.endswith(str(HEADER_ROW + 1))
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert ws.page_setup.orientation == "landscape"
        # One page wide: 1 is fitToWidth's default, which XlsxWriter leaves out.
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (1, None)
        assert ws.column_dimensions["C"].width > 8
    assert [ws.title for ws in workbook.worksheets] == ["月度指标台账", "项目台账"]
    assert workbook["月度指标台账"].freeze_panes == "D4"
    title = workbook["月度指标台账"]["A1"].value
    assert title == "天津市特色小镇统计台账（2026年）"
    assert "东丽区" in workbook["月度指标台账"]["A2"].value


def test_the_subtitle_names_the_scope_the_workbook_covers(world):
    def scope(towns) -> str:
        return export(towns)["月度指标台账"]["A2"].value.split("　")[0]

    assert scope(dongli_towns(world)) == "范围：东丽区"
    assert scope(Town.objects.filter(pk=world.town.pk)) == "范围：东丽区 华明智能制造小镇"
    assert scope(Town.objects.all()) == "范围：天津市"


def _styles(ws) -> list[tuple]:
    return [
        (c.value, c.font.b, c.font.color.rgb if c.font.color else None, c.fill.fgColor.rgb, c.alignment.horizontal)
        for row in ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW + 4)
        for c in row
    ]


def test_each_workbook_gets_its_own_styles_and_they_are_the_house_styles(world, make_report):
    """Styles are resolved once per workbook and copied to each cell: a second workbook written in the same
    process (the indices are the workbook's own) looks exactly like the first."""
    make_report(S.RETURNED, period=AUG)
    make_report(S.ACCEPTED, period=SEPT)
    first, second = export(dongli_towns(world)), export(dongli_towns(world))
    ws = first["月度指标台账"]
    assert _styles(ws) == _styles(second["月度指标台账"])
    assert _styles(first["项目台账"]) == _styles(second["项目台账"])
    header = ws.cell(HEADER_ROW, 1)
    # Colours compared without their alpha byte: "00DDEBF7" as openpyxl wrote it, "FFDDEBF7" as XlsxWriter does.
    assert header.font.b and header.fill.fgColor.rgb[-6:] == "DDEBF7" and header.alignment.horizontal == "center"
    rows = {r[3].value: r for r in ws.iter_rows(min_row=HEADER_ROW + 1) if r[1].value == world.town.code}
    assert rows["2026-08"][4].font.color.rgb[-6:] == "C00000"  # not accepted: the status in red (查漏补缺)
    accepted = rows["2026-09"][4].font.color
    assert accepted is None or accepted.type != "rgb" or accepted.rgb[-6:] != "C00000"
    assert rows["2026-09"][5].alignment.horizontal == "right" and rows["2026-09"][5].border.left.style == "thin"


def _file_with_progress(world, values, period, progress, status=S.ACCEPTED):
    u = world.users
    # The town's investment equals its projects' (a hard rule at submission, issue 3); parts stay within it.
    invested = sum(Decimal(row["investment_month"]) for row in progress)
    parts = ("industry_investment", "private_investment")
    values = values | {"fixed_asset_investment": invested} | {p: min(Decimal(values[p]), invested) for p in parts}
    values |= {"projects_started": "0", "projects_completed": "0"}  # as the project ledger's dates say
    let_file(world, world.town, period)
    report = ledger.monthly_report_create(actor=u.officer, town=world.town, period=period)
    ledger.monthly_report_save(actor=u.officer, report=report, values=values, progress=progress)
    ledger.monthly_report_submit(actor=u.officer, report=report)
    if status == S.ACCEPTED:
        ledger.monthly_report_approve(actor=u.reviewer, report=report)
        ledger.monthly_report_accept(actor=u.office_policy, report=report)
    return report


def test_project_sheet_lists_accepted_progress_with_a_total(world, full_values):
    def project(code, name, **fields):
        return make_project(world, code, name=name, **{"status": Project.Status.CONTINUING} | fields)

    park = project("XM-01", "智能制造产业园（一期）")
    road = project("XM-02", "华明大道管网工程", category=Project.Category.INFRASTRUCTURE)
    project("XM-03", "社区服务中心", category=Project.Category.PUBLIC_SERVICE, status=Project.Status.PREPARING)
    _file_with_progress(
        world,
        full_values,
        AUG,
        [
            {"project": park.pk, "investment_month": "300.5", "physical_progress": "主体施工"},
            {"project": road.pk, "investment_month": "120"},
        ],
    )
    _file_with_progress(
        world, full_values, SEPT, [{"project": park.pk, "investment_month": "200", "problems": "融资到位较慢"}]
    )
    _file_with_progress(world, full_values, OCT, [{"project": park.pk, "investment_month": "999"}], status=S.SUBMITTED)

    header, body, totals = table(export(dongli_towns(world))["项目台账"])
    rows = [dict(zip(header, row, strict=True)) for row in body]
    progress_rows = [r for r in rows if r["月份"]]
    assert [(r["项目编号"], r["月份"]) for r in progress_rows] == [
        ("XM-01", "2026-08"),
        ("XM-01", "2026-09"),
        ("XM-02", "2026-08"),
    ]
    sept = progress_rows[1]
    stored = ProjectProgress.objects.get(project=park, report__period=SEPT)
    assert (sept["项目名称"], sept["项目类别"], sept["项目状态"]) == ("智能制造产业园（一期）", "产业", "在建（续建）")
    assert as_decimal(sept["本月完成投资（万元）"]) == stored.investment_month == Decimal("200")
    assert as_decimal(sept["本年累计完成投资（万元）"]) == stored.investment_year == Decimal("500.5")
    assert as_decimal(sept["开工累计完成投资（万元）"]) == stored.investment_total
    assert as_decimal(sept["计划总投资（万元）"]) == Decimal("50000")
    assert sept["占年度计划（%）"] == pytest.approx(4.2)  # 500.5 / 12000
    assert sept["存在问题"] == "融资到位较慢"
    # The project without progress is listed with its identity and no figures.
    idle = next(r for r in rows if r["项目编号"] == "XM-03")
    assert idle["项目状态"] == "前期（预备）" and idle["月份"] is None and idle["本月完成投资（万元）"] is None
    # Total of investment this month: accepted reports only (the submitted October's 999 is left out).
    accepted_sum = sum(
        ProjectProgress.objects.filter(report__status=S.ACCEPTED, report__period__year=YEAR).values_list(
            "investment_month", flat=True
        )
    )
    assert (
        as_decimal(dict(zip(header, totals, strict=True))["本月完成投资（万元）"]) == accepted_sum == Decimal("620.5")
    )


def test_export_covers_only_the_towns_given(world, make_report):
    make_report(S.ACCEPTED, town=world.outsider_town, period=SEPT)
    _header, rows, _totals = monthly_rows(export(towns_for_user(world.users.officer)))
    assert {code for code, _month in rows} == {world.town.code, world.town2.code}


def test_query_count_does_not_grow_with_the_number_of_towns(world, make_report):
    for town in more_towns(world.dongli, range(3, 21), code="T01"):
        make_report(S.ACCEPTED, town=town, period=SEPT)
        ledger.project_create(
            actor=None,
            town=town,
            code="XM-01",
            name="产业园",
            category=Project.Category.INDUSTRY,
            total_investment=Decimal(1000),
            annual_investment=Decimal(500),
        )
    make_report(S.ACCEPTED, period=SEPT)
    two = Town.objects.filter(pk__in=[world.town.pk, world.town2.pk])
    many = dongli_towns(world)
    assert many.count() == 20

    with CaptureQueriesContext(connection) as few_queries:
        export(two)
    with CaptureQueriesContext(connection) as many_queries:
        workbook = export(many)
    assert len(many_queries) == len(few_queries) <= 9  # 9: the check sheet's (数据核对) one query
    _header, rows, _totals = monthly_rows(workbook)
    assert len({code for code, _month in rows}) == 20
    assert MonthlyReport.objects.filter(status=S.ACCEPTED).count() == 19


def test_filename_names_year_and_scope():
    assert ledger_export_filename(year=2025, scope="东丽区") == "特色小镇统计台账_2025_东丽区.xlsx"
    assert ledger_export_filename(year=2025, scope="东丽区 华明/小镇") == "特色小镇统计台账_2025_东丽区_华明_小镇.xlsx"
