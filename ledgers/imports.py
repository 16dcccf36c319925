"""Reading a month's figures from the ledger export's own template (R-3.7). Pure: bytes in, rows out.

The whole file is checked before anything is written. First as a file: its size, that it is an
.xlsx and not an old .xls or a password-protected workbook (both OLE2 files), that it unpacks to a
bounded size (no zip bomb) and carries no XML DTD (no entity expansion). Then as the export's
sheet: header on row 3 with the identity columns A–E and indicators named "名称（单位）", data from
row 4, numbers (not formulas) in the indicator cells, one row per town for the month. Every problem
names the sheet, row and column in Chinese; `monthly_reports_import` (services) then checks the rows
against the database and saves all of them or none.
"""

import datetime
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

from tianjin_towns.lib import dates, xlsx
from tianjin_towns.lib.xlsx import ImportRejected
from tianjin_towns.lib.xlsx import cell_text as _text

from .exports import HEADER_ROW
from .models import Indicator

SHEET_NAME = "月度指标台账"  # the export's first sheet
IDENTITY = ("区", "小镇编码", "小镇名称", "月份", "状态")  # columns A–E
FIRST_DATA_ROW = HEADER_ROW + 1
TOTALS_LABEL = "合计"

MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # all parts together, uncompressed
MAX_PARTS = 300
MAX_RATIO = 150  # uncompressed : compressed, for a part above a megabyte
MAX_ROWS = 5000
MAX_COLUMNS = 120
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?)"')


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (sheet, row, column letter) and what, in Chinese."""

    sheet: str
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Cell:
    column: str
    value: Decimal


@dataclass
class MonthRow:
    row: int
    district: str
    town_code: str
    town_name: str
    figures: dict[str, Cell] = field(default_factory=dict)  # indicator code → the typed number
    unreadable: set[str] = field(default_factory=set)  # indicator codes whose cell is not a number (a problem each)


@dataclass
class MonthSheet:
    sheet: str
    columns: dict[str, str]  # indicator code → column letter
    rows: list[MonthRow]  # the rows of the month whose town and month read, with the figures that read
    problems: list[Problem] = field(default_factory=list)  # cells that did not read


def indicator_label(indicator: Indicator) -> str:
    """The header the export writes for an indicator."""
    return f"{indicator.name}（{indicator.unit}）"


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).replace("(", "（").replace(")", "）").replace("：", ":")


def _refuse(message: str, *, sheet: str = "", row: int | None = None, column: str = "") -> ImportRejected:
    return ImportRejected([Problem(sheet=sheet, row=row, column=column, message=message)])


def check_size(size: int) -> None:
    """Refuse an upload above the limit before reading it."""
    limit = settings.LEDGER_IMPORT_MAX_BYTES
    if size > limit:
        raise _refuse(
            _("文件大小为 %(size)s，超过上限 %(limit)s。")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def check_file(data: bytes) -> None:
    """Refuse what is not a plain, reasonably sized .xlsx, before any parser sees it."""
    if not data:
        raise _refuse(_("文件是空的，请选择系统导出的台账模板（.xlsx）。"))
    check_size(len(data))
    if data.startswith(xlsx.OLE2_MAGIC):
        if ENCRYPTION_STREAM in data:
            raise _refuse(_("文件设有打开密码（已加密），无法读取。请在 Excel 中取消密码、另存后重新导入。"))
        raise _refuse(_("这是旧版 Excel（.xls）文件。请在 Excel 中另存为 .xlsx 格式后重新导入。"))
    if not data.startswith(xlsx.ZIP_MAGIC):
        raise _refuse(_("文件不是 Excel 工作簿（.xlsx）。请使用系统导出的台账模板。"))
    try:
        archive, parts = xlsx.opened(data)
    except Exception:  # a damaged central directory raises BadZipFile, NotImplementedError, ValueError…
        raise _refuse(_("文件已损坏，无法作为 .xlsx 工作簿打开。")) from None
    names = {part.filename for part in parts}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _refuse(_("文件不是有效的 Excel 工作簿（.xlsx）。请使用系统导出的台账模板。"))
    if len(parts) > MAX_PARTS:
        raise _refuse(_("文件结构异常（包含 %(n)s 个部件），已拒绝。") % {"n": len(parts)})
    if any(part.flag_bits & 0x1 for part in parts):
        raise _refuse(_("文件设有密码（已加密），无法读取。请取消密码后重新导入。"))
    unpacked = sum(part.file_size for part in parts)
    swollen = any(
        part.file_size > 1024 * 1024 and part.file_size > MAX_RATIO * max(part.compress_size, 1) for part in parts
    )
    if unpacked > MAX_UNPACKED_BYTES or swollen:
        raise _refuse(_("文件解压后过大（疑似压缩炸弹），已拒绝。请导入系统导出的台账模板。"))
    try:
        entities = xlsx.declares_entities(archive, parts, suffixes=(".xml", ".rels", ".vml"), limit=MAX_UNPACKED_BYTES)
    except Exception:  # zipfile, zlib and the OS raise many kinds on a damaged archive
        raise _refuse(_("文件已损坏，无法作为 .xlsx 工作簿打开。")) from None
    if entities:
        raise _refuse(_("文件包含不允许的 XML 定义（DTD/实体），已拒绝。"))


def _merged_ranges(workbook, worksheet) -> list[str]:
    path = getattr(worksheet, "_worksheet_path", None)
    archive = getattr(workbook, "_archive", None)
    if not path or archive is None:
        return []
    with archive.open(path) as stream:
        return [match.decode() for match in MERGE.findall(stream.read(MAX_UNPACKED_BYTES + 1))]


def _period(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime | datetime.date):
        return datetime.date(value.year, value.month, 1)
    try:
        return dates.parse_period(_text(value))
    except ValueError:
        return None


def _number(value) -> Decimal | None:
    """A cell as a Decimal; None when it is not a number. Excel floats keep their shortest repr."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    return None


def read_month_sheet(data: bytes, *, period: datetime.date, indicators: list[Indicator]) -> MonthSheet:
    """The rows of `period` in the template's indicator sheet, or ImportRejected listing every problem."""
    check_file(data)
    damaged = _refuse(_("文件已损坏或格式不正确，无法读取。请使用系统导出的台账模板。"))
    with xlsx.opened_workbook(data, damaged) as workbook:
        try:
            return _read(workbook, period=period, indicators=indicators)
        except ImportRejected:
            raise
        except Exception:
            raise _refuse(_("文件内容无法解析，请使用系统导出的台账模板重新填写。")) from None


def _read(workbook, *, period: datetime.date, indicators: list[Indicator]) -> MonthSheet:
    if SHEET_NAME not in workbook.sheetnames:
        raise _refuse(_("找不到工作表「%(name)s」。请使用系统导出的台账模板。") % {"name": SHEET_NAME})
    sheet = workbook[SHEET_NAME]
    problems: list[Problem] = []

    def problem(row, column, message):
        problems.append(Problem(sheet=SHEET_NAME, row=row, column=column, message=message))

    for ref in _merged_ranges(workbook, sheet):
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if max_row >= HEADER_ROW:
            problem(
                min_row,
                get_column_letter(min_col),
                _("第%(row)s行起不能有合并单元格（%(ref)s），请取消合并后重新导入。") % {"row": HEADER_ROW, "ref": ref},
            )
    if problems:
        raise ImportRejected(problems)

    rows = sheet.iter_rows(min_row=HEADER_ROW, max_col=MAX_COLUMNS)
    header = next(rows, None)
    if header is None:
        raise _refuse(_("工作表是空的，没有表头。"), sheet=SHEET_NAME, row=HEADER_ROW)
    columns = _read_header(header, indicators, problem)
    if problems:
        raise ImportRejected(problems)

    wanted: list[MonthRow] = []
    seen: dict[str, int] = {}
    for count, cells in enumerate(rows, start=1):
        if count > MAX_ROWS:
            problem(None, "", _("数据超过 %(n)s 行，请只保留需要导入的月份。") % {"n": MAX_ROWS})
            break
        cells = list(cells)
        number = FIRST_DATA_ROW + count - 1
        first = _text(cells[0].value) if cells else ""
        if first == TOTALS_LABEL or all(getattr(c, "value", None) in (None, "") for c in cells):
            break  # the totals row, or the blank row before the notes: the data ends here
        row = _read_row(number, cells, columns, period, problem)
        if row is None:
            continue
        if row.town_code in seen:
            problem(
                number,
                "B",
                _("小镇编码 %(code)s 在第%(first)s行已出现，同一月份每个小镇只能有一行。")
                % {"code": row.town_code, "first": seen[row.town_code]},
            )
            continue
        seen[row.town_code] = number
        wanted.append(row)
    if not problems and not wanted:
        problem(
            None, "D", _("文件中没有 %(period)s 的数据行，请检查所选月份。") % {"period": dates.format_period(period)}
        )
    if problems and not wanted:
        raise ImportRejected(problems)
    # A row whose town and month read is kept with the figures that read, its unreadable cells reported: the
    # caller checks the rules on those figures and the other rows too, so that one upload lists every problem
    # of the file (the problems refuse it all the same).
    return MonthSheet(
        sheet=SHEET_NAME, columns={code: letter for letter, code in columns.items()}, rows=wanted, problems=problems
    )


def _read_header(header, indicators: list[Indicator], problem) -> dict[str, str]:
    """Check row 3 and return {column letter: indicator code} of the indicator columns."""
    labels = {_normalise(indicator_label(i)): i for i in indicators}
    cells = list(header)
    for index, expected in enumerate(IDENTITY):
        letter = get_column_letter(index + 1)
        actual = _text(cells[index].value) if index < len(cells) else ""
        if actual != expected:
            problem(
                HEADER_ROW,
                letter,
                _("表头应为「%(expected)s」，实际为「%(actual)s」。表头被移动或修改，请使用系统导出的模板。")
                % {"expected": expected, "actual": actual or _("空")},
            )
    columns: dict[str, str] = {}
    for index, cell in enumerate(cells[len(IDENTITY) :], start=len(IDENTITY) + 1):
        letter = get_column_letter(index)
        if getattr(cell, "data_type", None) == "f":
            problem(HEADER_ROW, letter, _("表头不能是公式。"))
            continue
        text = _text(cell.value)
        if not text:
            continue
        indicator = labels.get(_normalise(text))
        if indicator is None:
            problem(HEADER_ROW, letter, _("未知的指标列「%(label)s」，请使用系统导出的模板。") % {"label": text})
        elif indicator.code in columns.values():
            problem(HEADER_ROW, letter, _("指标列「%(label)s」重复。") % {"label": text})
        else:
            columns[letter] = indicator.code
    if not columns:
        problem(HEADER_ROW, "F", _("表头中没有可识别的指标列（应为“名称（单位）”，如“固定资产投资（万元）”）。"))
    return columns


def _read_row(number: int, cells, columns: dict[str, str], period, problem) -> MonthRow | None:
    """A data row of `period` with its typed numbers (a cell that is not one is a problem, and listed in the
    row's `unreadable`); None for other months and rows whose town or month does not read."""

    def cell_at(letter: str):
        index = column_index_from_string(letter) - 1
        return cells[index] if index < len(cells) else None

    month_cell = cells[3] if len(cells) > 3 else None
    row_period = _period(month_cell.value if month_cell is not None else None)
    if row_period is None:
        problem(number, "D", _("月份应为“年-月”格式，例如 %(example)s。") % {"example": dates.format_period(period)})
        return None
    if row_period != period:
        return None
    broken = False
    for index in range(len(IDENTITY)):
        if index < len(cells) and getattr(cells[index], "data_type", None) == "f":
            problem(number, get_column_letter(index + 1), _("单元格是公式，请填写文字。"))
            broken = True
    row = MonthRow(
        row=number,
        district=_text(cells[0].value) if cells else "",
        town_code=_text(cells[1].value) if len(cells) > 1 else "",
        town_name=_text(cells[2].value) if len(cells) > 2 else "",
    )
    if not row.town_code:
        problem(number, "B", _("小镇编码不能为空。"))
        broken = True
    for letter, code in columns.items():
        cell = cell_at(letter)
        if cell is None or cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
            continue
        message = _cell_problem(cell)
        if message:
            problem(number, letter, message)
            row.unreadable.add(code)
            continue
        row.figures[code] = Cell(column=letter, value=_number(cell.value))
    return None if broken else row


def _cell_problem(cell) -> str:
    """Why an indicator cell does not hold a number (a formula, an error value, text), or ""."""
    kind = getattr(cell, "data_type", None)
    if kind == "f":
        return _("单元格是公式，请复制后“选择性粘贴为数值”再导入。")
    if kind == "e":
        return _("单元格是错误值（%(value)s），请填写数字。") % {"value": _text(cell.value)}
    if _number(cell.value) is None:
        return _("应填写数字，实际为「%(value)s」。") % {"value": _text(cell.value)[:40]}
    return ""
