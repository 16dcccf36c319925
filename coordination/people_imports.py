"""The user import sheet (系统管理 → 用户与角色): its downloadable template and reading it back. Pure: bytes in,
rows out; `services.users_import` checks the rows against the database and creates all of them or none.

As the report import (ledgers/imports.py) does: the file is checked as a file first (a plain .xlsx of
bounded size, no old .xls, no password, no zip bomb, no XML DTD), then as the template's sheet (title,
note, header on row 3, one person per row from row 4); every problem names its row and column in Chinese.
"""

import io
import re
from dataclasses import asdict, dataclass, field

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from tianjin_towns.lib import excel, xlsx
from tianjin_towns.lib.xlsx import ImportRejected
from tianjin_towns.lib.xlsx import cell_text as _text

from .models import PERSON_ROLES

SHEET_NAME = "用户名单"
HEADER_ROW = 3
FIRST_DATA_ROW = HEADER_ROW + 1
# (column letter, header, field): one person per row.
COLUMNS = (
    ("A", "姓名", "full_name"),
    ("B", "用户名", "username"),
    ("C", "手机", "phone"),
    ("D", "电子邮箱", "email"),
    ("E", "角色", "role"),
    ("F", "所属区/小镇", "org_unit"),
    ("G", "工作组", "working_group"),
    ("H", "成员单位", "member_unit"),
)
COLUMN_OF = {name: letter for letter, _header, name in COLUMNS}
MAX_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_ROWS = 1000
PHONE = re.compile(r"[0-9+\- ]{5,30}")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (row, column letter) and what, in Chinese."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def problem(row: int | None, column: str, message: str) -> Problem:
    return Problem(row=row, column=column, message=message)


@dataclass
class PersonRow:
    row: int
    cells: dict[str, str] = field(default_factory=dict)  # field name → the cell's text


@dataclass
class UsersSheet:
    rows: list[PersonRow]
    problems: list[Problem] = field(default_factory=list)


def _refuse(message: str, row: int | None = None, column: str = "") -> ImportRejected:
    return ImportRejected([problem(row, column, message)])


def check_file(data: bytes) -> None:
    """Refuse what is not a plain, small .xlsx before any parser sees it."""
    if not data:
        raise _refuse(_("文件是空的，请选择填好的用户导入模板（.xlsx）。"))
    if len(data) > MAX_BYTES:
        raise _refuse(_("文件超过 %(limit)s，请只保留需要导入的人员。") % {"limit": filesizeformat(MAX_BYTES)})
    if data.startswith(xlsx.OLE2_MAGIC):
        raise _refuse(_("这是旧版 Excel（.xls）文件或设有打开密码。请另存为 .xlsx 格式、取消密码后重新导入。"))
    if not data.startswith(xlsx.ZIP_MAGIC):
        raise _refuse(_("文件不是 Excel 工作簿（.xlsx）。请使用下载的用户导入模板。"))
    try:
        archive, parts = xlsx.opened(data)
        if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES or any(p.flag_bits & 0x1 for p in parts):
            raise _refuse(_("文件结构异常（过大或已加密），已拒绝。"))
        entities = xlsx.declares_entities(archive, parts, suffixes=(".xml", ".rels"), limit=MAX_UNPACKED_BYTES)
    except ImportRejected:
        raise
    except Exception:  # zipfile, zlib and the OS raise many kinds on a damaged archive
        raise _refuse(_("文件已损坏，无法作为 .xlsx 工作簿打开。")) from None
    if entities:
        raise _refuse(_("文件包含不允许的 XML 定义（DTD/实体），已拒绝。"))


def read_users_sheet(data: bytes) -> UsersSheet:
    """The people of the template's sheet, or ImportRejected when the sheet itself cannot be read."""
    check_file(data)
    damaged = _refuse(_("文件已损坏或格式不正确，无法读取。请使用下载的用户导入模板。"))
    with xlsx.opened_workbook(data, damaged) as workbook:
        return _read(workbook)


def _read(workbook) -> UsersSheet:
    if SHEET_NAME not in workbook.sheetnames:
        raise _refuse(_("找不到工作表「%(name)s」。请使用下载的用户导入模板。") % {"name": SHEET_NAME})
    sheet = workbook[SHEET_NAME]
    rows = sheet.iter_rows(min_row=HEADER_ROW, max_col=len(COLUMNS))
    header = [_text(cell.value) for cell in next(rows, ())]
    problems = [
        problem(HEADER_ROW, letter, _("表头应为「%(expected)s」，实际为「%(actual)s」。请使用下载的模板。")
                % {"expected": expected, "actual": (header[i] if i < len(header) else "") or _("空")})
        for i, (letter, expected, _name) in enumerate(COLUMNS)
        if (header[i] if i < len(header) else "") != expected
    ]  # fmt: skip
    if problems:
        raise ImportRejected(problems)
    people: list[PersonRow] = []
    for number, cells in enumerate(rows, start=FIRST_DATA_ROW):
        cells = list(cells)
        if all(_text(getattr(c, "value", None)) == "" for c in cells):
            continue  # blank rows are skipped
        if len(people) >= MAX_ROWS:
            problems.append(problem(None, "", _("人员超过 %(n)s 行，请分批导入。") % {"n": MAX_ROWS}))
            break
        person = PersonRow(row=number)
        for index, (letter, _header, name) in enumerate(COLUMNS):
            cell = cells[index] if index < len(cells) else None
            if cell is not None and getattr(cell, "data_type", None) == "f":
                problems.append(problem(number, letter, _("单元格是公式，请填写文字。")))
                continue
            person.cells[name] = _text(getattr(cell, "value", None))[:200]
        people.append(person)
    if not people and not problems:
        raise _refuse(_("模板中没有人员，请从第 %(row)s 行起每行填写一人。") % {"row": FIRST_DATA_ROW})
    return UsersSheet(rows=people, problems=problems)


def template_workbook(*, units: list[str], groups: list[str], member_units: list[str]) -> bytes:
    """The downloadable template: a title, a note, the header and drop-down lists for the role and units."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = SHEET_NAME
    widths = (12, 18, 16, 24, 16, 20, 16, 20)
    for (letter, _header, _name), width in zip(COLUMNS, widths, strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    ws.append([_("用户导入模板")])
    ws["A1"].font = excel.TITLE_FONT
    ws.append([_("每行一人。角色填写：%(roles)s。信息员、主管领导填写所属区或小镇；工作组成员填写工作组；成员单位联络员填写成员单位；"
                 "其他角色属于市级，所属单位可不填。导入后系统为每人生成一次性密码，首次登录须修改。")
               % {"roles": "、".join(str(role.label) for role in PERSON_ROLES)}])  # fmt: skip
    ws["A2"].font = excel.NOTE_FONT
    ws.merge_cells("A1:H1")
    ws.merge_cells("A2:H2")
    ws.row_dimensions[2].height = 42
    ws["A2"].alignment = excel.WRAP
    ws.append([header for _letter, header, _name in COLUMNS])
    for cell in ws[HEADER_ROW]:
        cell.font, cell.fill, cell.border, cell.alignment = (
            excel.HEADER_FONT,
            excel.HEADER_FILL,
            excel.BORDER,
            excel.CENTER,
        )
    # The lists of the drop-downs live on a second, hidden sheet (a list in the rule itself is limited to 255 characters).
    lists = workbook.create_sheet("选项")
    lists.sheet_state = "hidden"
    role_labels = [str(role.label) for role in PERSON_ROLES]
    for column, values in enumerate((role_labels, units, groups, member_units), start=1):
        for row, value in enumerate(values, start=1):
            excel.text_cell(lists.cell(row=row, column=column, value=value))  # names are user text
    for source, (letter, values) in enumerate(
        (("E", role_labels), ("F", units), ("G", groups), ("H", member_units)), start=1
    ):
        if not values:
            continue
        source_letter = "ABCD"[source - 1]
        rule = DataValidation(type="list", formula1=f"'选项'!${source_letter}$1:${source_letter}${len(values)}",
                              allow_blank=True, showErrorMessage=False)  # fmt: skip
        rule.add(f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + MAX_ROWS}")
        ws.add_data_validation(rule)
    for letter in ("B", "C"):  # user names and phone numbers are text: no leading zeros or digits lost
        for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 200):
            ws[f"{letter}{row}"].number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
