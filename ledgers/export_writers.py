"""Where the ledger workbook's cells go (R-3.7): one small writer seam, three implementations.

`ledgers.exports` builds the sheets as rows of values, each cell with a `Style` (the house style of
tianjin_towns.lib.excel); a writer puts them in a file. Every writer streams, keeping only the current row,
and the bench measures each on the same rows (bench/exports.py, docs/performance.md):

- `OpenpyxlWriter`: openpyxl write-only, each distinct style resolved once (excel.styled_cell). The
  workbook as it was written before issue 21, kept as the reference the equivalence test compares with.
- `XlsxWriterWriter`: XlsxWriter in constant-memory mode, each style made into a Format once, every cell
  through XlsxWriter's typed writers.
- `XlsxWriterRowsWriter`: the same, with the body rows serialised here in one write each (see below):
  the one production uses, the only one past the issue's 150,000 cells per second.

All hold user text as text, never a formula (tianjin_towns/lib/excel.py explains why and how): a string
is always written as a string, and one starting with a formula trigger carries Excel's quote prefix.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO, Protocol

import xlsxwriter
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill
from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.xmlwriter import XMLwriter

from tianjin_towns.lib import excel


@dataclass(frozen=True, eq=False)  # known by identity: the writers cache what they make of each style
class Style:
    """How a cell looks, with excel's shared style objects; a number in a style without an alignment is
    right-aligned (excel.styled_cell). Make styles once (module constants, or once per export)."""

    font: Font = excel.BODY_FONT
    fill: PatternFill | None = None
    border: Border | None = excel.BORDER
    alignment: Alignment | None = None
    number_format: str | None = None


class SheetWriter(Protocol):
    def append(self, values: Sequence, styles: Sequence[Style]) -> None:
        """Write the next row: values (str, number or None for an empty, styled cell), one style each."""

    def append_merged(self, value: str, style: Style, columns: int) -> None:
        """Write the next row as one cell merged across the first `columns` columns."""

    def skip(self) -> None:
        """Leave the next row empty."""


class WorkbookWriter(Protocol):
    rows: int  # written so far, over all sheets
    cells: int

    def add_sheet(
        self, title: str, *, widths: Sequence[float], headers: Sequence[str], header_row: int, freeze_columns: int
    ) -> SheetWriter:
        """A new sheet laid out as excel.prepare_sheet does; its rows must be written before the next sheet's."""

    def close(self) -> None:
        """Finish the file."""


# --- openpyxl write-only (the reference) ------------------------------------------------------------


class OpenpyxlWriter:
    name = "openpyxl write-only, cached styles"

    def __init__(self, output: BinaryIO):
        self.output = output
        self.workbook = Workbook(write_only=True)
        self.rows = self.cells = 0

    def add_sheet(self, title, *, widths, headers, header_row, freeze_columns) -> "_OpenpyxlSheet":
        ws = self.workbook.create_sheet(title)
        excel.prepare_sheet(
            ws, widths=widths, headers=headers, header_row_number=header_row, freeze_columns=freeze_columns
        )
        return _OpenpyxlSheet(self, ws)

    def close(self) -> None:
        self.workbook.save(self.output)


class _OpenpyxlSheet:
    def __init__(self, book: OpenpyxlWriter, ws):
        self.book, self.ws, self.row = book, ws, 0

    def append(self, values, styles) -> None:
        ws = self.ws
        self.ws.append(
            [
                excel.styled_cell(
                    ws,
                    value,
                    font=style.font,
                    fill=style.fill,
                    border=style.border,
                    alignment=style.alignment,
                    number_format=style.number_format,
                )
                for value, style in zip(values, styles, strict=True)
            ]
        )
        self.row += 1
        self.book.rows += 1
        self.book.cells += len(values)

    def append_merged(self, value, style, columns) -> None:
        self.append([value], [style])
        excel.merge_across(self.ws, self.row, columns)

    def skip(self) -> None:
        self.ws.append([])
        self.row += 1


# --- XlsxWriter constant memory (production) --------------------------------------------------------

BORDER_STYLES = {"thin": 1, "medium": 2, "dashed": 3, "dotted": 4, "thick": 5, "double": 6, "hair": 7}
VERTICAL = {"center": "vcenter", "top": "top", "bottom": "bottom"}
PIXELS_PER_CHARACTER = 7  # the default font's digit: how XlsxWriter converts widths, so 7 × width is stored exactly


def _rgb(color) -> str:
    return "#" + color.rgb[-6:]  # openpyxl's "00595959" (alpha first) is XlsxWriter's "#595959"


def format_properties(style: Style) -> dict:
    """The XlsxWriter format of a style (text cells), from excel's openpyxl style objects."""
    font = style.font
    properties: dict = {"font_name": font.name, "font_size": font.sz}
    if font.b:
        properties["bold"] = True
    if font.i:
        properties["italic"] = True
    if font.color is not None:
        properties["font_color"] = _rgb(font.color)
    if style.fill is not None and style.fill.fill_type == "solid":
        properties |= {"pattern": 1, "bg_color": _rgb(style.fill.fgColor)}  # XlsxWriter puts a solid colour in front
    if style.border is not None:
        side = style.border.left  # the house borders are the same on all four sides
        properties |= {"border": BORDER_STYLES[side.style], "border_color": _rgb(side.color)}
    alignment = style.alignment
    if alignment is not None:
        if alignment.horizontal:
            properties["align"] = alignment.horizontal
        if alignment.vertical:
            properties["valign"] = VERTICAL[alignment.vertical]
        if alignment.wrap_text:
            properties["text_wrap"] = True
    if style.number_format is not None:
        properties["num_format"] = style.number_format
    return properties


class XlsxWriterWriter:
    name = "XlsxWriter constant memory, formats made once"

    def __init__(self, output: BinaryIO):
        self.workbook = xlsxwriter.Workbook(
            output,
            {
                "constant_memory": True,  # each row is written out as the next one starts
                # Cells are written by type below; these keep any other path from reading text as something else.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.formats: dict[Style, tuple] = {}
        self.rows = self.cells = 0

    def formats_of(self, style: Style) -> tuple:
        """(text or empty, number, quoted text) formats of a style, made once per workbook."""
        formats = self.formats.get(style)
        if formats is None:
            text = format_properties(style)
            number = text if style.alignment is not None else format_properties(replace(style, alignment=excel.RIGHT))
            formats = self.formats[style] = (
                self.workbook.add_format(text),
                self.workbook.add_format(number),
                self.workbook.add_format(text | {"quote_prefix": True}),
            )
        return formats

    def add_sheet(self, title, *, widths, headers, header_row, freeze_columns) -> "_XlsxWriterSheet":
        ws = self.workbook.add_worksheet(title)
        if headers:
            widths = excel.fitted_widths(widths, headers)
            ws.set_row_pixels(header_row - 1, excel.HEADER_HEIGHT * 4 / 3)  # points to pixels, stored back as points
        for index, width in enumerate(widths):
            ws.set_column_pixels(index, index, round(width * PIXELS_PER_CHARACTER))
        ws.freeze_panes(header_row, freeze_columns)
        ws.repeat_rows(header_row - 1)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # one page wide, as many down as needed
        ws.center_horizontally()
        return _XlsxWriterSheet(self, ws)

    def close(self) -> None:
        self.workbook.close()


class _XlsxWriterSheet:
    def __init__(self, book: XlsxWriterWriter, ws):
        self.book, self.ws, self.row = book, ws, 0

    def append(self, values, styles) -> None:
        # The innermost loop of a city-wide export: each cell goes straight to the typed writer
        # (write()'s dispatch and argument conversion would cost a third of the time).
        ws, row, formats, formats_of = self.ws, self.row, self.book.formats, self.book.formats_of
        for column, value, style in zip(range(len(values)), values, styles, strict=True):
            text, number, quoted = formats.get(style) or formats_of(style)
            if value is None:
                ws._write_blank(row, column, None, text)
            elif value.__class__ is str:
                if not value:
                    ws._write_blank(row, column, None, text)
                else:
                    ws._write_string(row, column, value, quoted if value[0] in excel.FORMULA_TRIGGERS else text)
            else:
                ws._write_number(row, column, value, number)
        self.row += 1
        self.book.rows += 1
        self.book.cells += len(values)

    def append_merged(self, value, style, columns) -> None:
        if columns > 1:
            text, _number, _quoted = self.book.formats_of(style)
            self.ws.merge_range(self.row, 0, self.row, columns - 1, None, text)  # the area's blank, styled cells
        self.append([value], [style])  # then the value, written by type like any other

    def skip(self) -> None:
        self.row += 1


# --- XlsxWriter with the data rows serialised here ----------------------------------------------------
#
# XlsxWriter spends most of an export's time on each cell (a cell tuple stored, then attribute lists, regular
# expressions and a file write per cell when the row is flushed): three to four times what serialising a
# whole row here costs (bench/exports.py measures both). This writer leaves XlsxWriter everything but the body rows: the package, the styles, the
# titles and header, merges, panes, print titles and page setup. A body row is serialised here into the
# same XML XlsxWriter writes in constant-memory mode (inline strings, the same escaping) and written to the
# worksheet's row file in one call, where XlsxWriter would have flushed it.

_NEEDS_ESCAPING = re.compile(r"[&<>\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_|^\s|\s$")
# Short escaped texts kept: a town's or project's names and the labels repeat on each of its months, a few rows
# apart; long free text rarely repeats. Small and emptied when full, so peak memory stays flat as rows grow.
_TEXT_CACHE_SIZE = 256
_CACHED_TEXT = 64  # characters at most
MAX_TEXT = 32_767  # Excel's limit on a cell's text


def _inline_text(text: str) -> str:
    """`<t>…</t>` of a text as XlsxWriter writes it in constant-memory mode."""
    text = text[:MAX_TEXT]
    if not _NEEDS_ESCAPING.search(text):
        return f"<t>{text}</t>"
    text = XMLwriter._escape_control_characters(text)
    space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    return f"<t{space}>{text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</t>"


class XlsxWriterRowsWriter(XlsxWriterWriter):
    name = "XlsxWriter constant memory, body rows serialised in one write"

    def __init__(self, output: BinaryIO):
        super().__init__(output)
        self.indices: dict[Style, tuple[int, int, int]] = {}
        self.texts: dict[str, str] = {}

    def indices_of(self, style: Style) -> tuple[int, int, int]:
        """The style index (xf) of each of a style's formats: what a cell's s="…" names."""
        indices = self.indices.get(style)
        if indices is None:
            indices = self.indices[style] = tuple(f._get_xf_index() for f in self.formats_of(style))
        return indices

    def text(self, text: str) -> str:
        inline = self.texts.get(text)
        if inline is None:
            inline = _inline_text(text)
            if len(text) <= _CACHED_TEXT:
                if len(self.texts) >= _TEXT_CACHE_SIZE:
                    self.texts.clear()
                self.texts[text] = inline
        return inline

    def add_sheet(self, title, *, widths, headers, header_row, freeze_columns) -> "_XlsxWriterRowsSheet":
        sheet = super().add_sheet(
            title, widths=widths, headers=headers, header_row=header_row, freeze_columns=freeze_columns
        )
        return _XlsxWriterRowsSheet(self, sheet.ws)


class _XlsxWriterRowsSheet(_XlsxWriterSheet):
    letters = [xl_col_to_name(column) for column in range(16_384)]  # A … XFD, Excel's columns

    def append(self, values, styles) -> None:
        ws, row = self.ws, self.row
        if row in ws.row_info or not values:  # a row with a height of its own: XlsxWriter writes it
            super().append(values, styles)
            return
        ws._write_single_row(row)  # XlsxWriter's pending row (titles, header) first
        ws._check_dimensions(row, 0)
        ws._check_dimensions(row, len(values) - 1)
        book, letters, number = self.book, self.letters, row + 1
        indices, indices_of, texts, text_of = book.indices, book.indices_of, book.texts, book.text
        triggers = excel.FORMULA_TRIGGERS
        cells = []
        for column, value, style in zip(range(len(values)), values, styles, strict=True):
            text, numeric, quoted = indices.get(style) or indices_of(style)
            if value.__class__ is str and value:
                inline = texts.get(value) or text_of(value)
                index = quoted if value[0] in triggers else text
                cells.append(f'<c r="{letters[column]}{number}" s="{index}" t="inlineStr"><is>{inline}</is></c>')
            elif value is None or value.__class__ is str:  # nothing, or an empty text
                cells.append(f'<c r="{letters[column]}{number}" s="{text}"/>')
            else:
                cells.append(f'<c r="{letters[column]}{number}" s="{numeric}"><v>{value:.16G}</v></c>')
        ws.fh.write(f'<row r="{number}">{"".join(cells)}</row>')
        self.row += 1
        book.rows += 1
        book.cells += len(values)

    def append_merged(self, value, style, columns) -> None:
        text, _number, _quoted = self.book.formats_of(style)
        if columns > 1:
            self.ws.merge_range(self.row, 0, self.row, columns - 1, None, text)
        super().append([value], [style])  # XlsxWriter holds the merged row: written its way


WRITERS = {"openpyxl": OpenpyxlWriter, "xlsxwriter": XlsxWriterWriter, "xlsxwriter-rows": XlsxWriterRowsWriter}
DEFAULT_WRITER = XlsxWriterRowsWriter  # chosen by the bench's figures (issue 21, docs/performance.md)
