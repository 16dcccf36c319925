"""The exported workbooks' headers (issue 19): each column is as wide as its header on one line, so that no header
wraps and no closing ）, such as the one of "计划总投资（万元）", is left alone on a line of its own."""

import io

import openpyxl
from openpyxl.cell import WriteOnlyCell

from coordination.models import MemberUnit, Town
from ledgers import services as ledger
from ledgers.exports import write_ledger_workbook
from ledgers.models import Indicator
from tianjin_towns.lib import excel

HEADER_ROW = 3


def test_a_chinese_character_or_full_width_sign_takes_two_columns_anything_else_one():
    assert excel.text_width("计划总投资（万元）") == 18
    assert excel.text_width("占年度计划（%）") == 15
    assert excel.text_width("GDP 2026") == 8


def test_a_column_is_widened_to_its_header_and_never_narrowed():
    assert excel.fitted_widths([14, 30], ["计划总投资（万元）", "区"]) == [18 + excel.HEADER_PADDING, 30]


def test_prepare_sheet_fits_the_columns_to_the_headers_of_a_write_only_sheet():
    workbook = openpyxl.Workbook(write_only=True)
    ws = workbook.create_sheet("台账")
    headers = ["区", "本年累计完成投资（万元）"]
    excel.prepare_sheet(ws, widths=[10, 14], headers=headers, header_row_number=1)
    ws.append([WriteOnlyCell(ws, header) for header in headers])
    output = io.BytesIO()
    workbook.save(output)
    sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue()))["台账"]
    assert sheet.column_dimensions["A"].width == 10
    assert sheet.column_dimensions["B"].width == excel.text_width("本年累计完成投资（万元）") + excel.HEADER_PADDING
    assert sheet.row_dimensions[1].height == excel.HEADER_HEIGHT


def test_every_header_of_the_ledger_export_fits_its_column_on_one_line(world):
    stats = MemberUnit.objects.create(code="tax", name="市税务局")
    checked = Indicator.objects.filter(active=True).first()
    ledger.indicator_sources_set(actor=None, assignments={checked: (stats, None)})  # and so the 数据核对 sheet
    output = io.BytesIO()
    write_ledger_workbook(output, towns=Town.objects.filter(district=world.dongli), year=2026)
    workbook = openpyxl.load_workbook(io.BytesIO(output.getvalue()))
    assert [ws.title for ws in workbook.worksheets] == ["月度指标台账", "项目台账", "数据核对"]
    assert "计划总投资（万元）" in [cell.value for cell in workbook["项目台账"][HEADER_ROW]]  # as in the issue
    for ws in workbook.worksheets:
        headers = [cell.value for cell in ws[HEADER_ROW]]
        for index, header in enumerate(headers, start=1):
            # A writer may give adjacent columns of one width one entry (min..max), as XlsxWriter does.
            (width,) = [d.width for d in list(ws.column_dimensions.values()) if d.min <= index <= d.max]
            assert width >= excel.text_width(header) + excel.HEADER_PADDING, (ws.title, header, width)
        assert ws.row_dimensions[HEADER_ROW].height == excel.HEADER_HEIGHT
