"""The check sheet as an Excel workbook (数据核对, issue 18): a member unit downloads the towns' accepted
figures of one indicator and month, fills in its own figures (and 一致 / 不一致 where it wants to say so)
and uploads the sheet back; the upload is read here and saved by figure_checks_record, all or nothing."""

from decimal import Decimal
from typing import BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from tianjin_towns.lib import excel, xlsx

from .imports import Problem, check_file
from .services import CheckEntry

SHEET = "数据核对"
HEADER_ROW = 3
COLUMNS = ("区", "小镇编码", "小镇名称", "已验收数", "本单位的数", "核对意见（一致/不一致）")
WIDTHS = (10, 14, 24, 14, 14, 20)
MARKS = {"一致": True, "不一致": False, "": None}


def write_check_template(output: BinaryIO, *, member_unit, source, period, rows) -> None:
    """The sheet of `rows` (selectors.check_sheet) for `source`'s indicator and `period`: accepted towns only."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(SHEET)
    excel.prepare_sheet(ws, widths=WIDTHS, headers=COLUMNS, header_row_number=HEADER_ROW, freeze_columns=3)
    indicator = source.indicator
    ws.append([excel.title_cell(ws, _("%(unit)s数据核对表") % {"unit": member_unit.name})])
    note = _("%(month)s %(name)s（单位：%(unit)s）。请在“本单位的数”一列填写本单位掌握的数，可在最后一列填写一致或不一致；"
             "相差超过 %(tolerance)s%% 的转所在区说明。请勿修改前四列。")  # fmt: skip
    ws.append([excel.note_cell(ws, note % {
        "month": f"{period:%Y年%-m月}", "name": indicator.name, "unit": indicator.unit,
        "tolerance": f"{source.tolerance.normalize():f}",
    })])  # fmt: skip
    excel.merge_across(ws, 1, len(COLUMNS))
    excel.merge_across(ws, 2, len(COLUMNS))
    ws.append(excel.header_row(ws, COLUMNS))
    money = excel.number_format(indicator.decimal_places)
    for row in rows:
        if row.accepted is None:
            continue
        mine = row.check.source_value if row.check else None
        ws.append(
            [
                excel.styled_cell(ws, row.town.district.name),
                excel.text_cell(excel.styled_cell(ws, row.town.unit.code)),
                excel.styled_cell(ws, row.town.unit.name),
                excel.styled_cell(ws, row.accepted, number_format=money),
                excel.styled_cell(ws, mine, number_format=money),
                excel.styled_cell(ws, ""),
            ]
        )
    workbook.save(output)


def read_check_sheet(data: bytes) -> tuple[dict[str, CheckEntry], list[Problem]]:
    """Town code → CheckEntry of every filled row of an uploaded sheet, and the problems found (by row and
    column); xlsx.ImportRejected when the file itself is refused."""
    check_file(data)
    damaged = xlsx.ImportRejected([Problem(sheet="", row=None, column="", message=_("文件已损坏，无法读取。"))])
    with xlsx.opened_workbook(data, damaged) as workbook:
        if SHEET not in workbook.sheetnames:
            message = _("找不到工作表「%(name)s」。请使用下载的核对表。") % {"name": SHEET}
            raise xlsx.ImportRejected([Problem(sheet="", row=None, column="", message=message)])
        entries, problems = {}, []
        for number, cells in enumerate(workbook[SHEET].iter_rows(min_row=HEADER_ROW + 1, max_col=6, values_only=True)):
            row = HEADER_ROW + 1 + number
            _district, code, _name, _accepted, mine, mark = (list(cells) + [None] * 6)[:6]
            code, mark_text = xlsx.cell_text(code), xlsx.cell_text(mark)
            if not code or (mine is None and not mark_text):
                continue
            if mark_text not in MARKS:
                problems.append(Problem(sheet=SHEET, row=row, column="F", message=_("核对意见应为“一致”或“不一致”。")))
                continue
            if isinstance(mine, str) and mine.startswith("="):
                problems.append(Problem(sheet=SHEET, row=row, column="E", message=_("请填写数值，不要填写公式。")))
                continue
            value = None if mine is None else (mine if isinstance(mine, Decimal | str) else Decimal(str(mine)))
            entries[code] = CheckEntry(value, MARKS[mark_text])
        return entries, problems
