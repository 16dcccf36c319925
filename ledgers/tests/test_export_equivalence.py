"""The ledger workbook written through XlsxWriter (production, issue 21) is the one openpyxl wrote before: on
the demo data, each writer's file are read back with openpyxl and compared cell by cell (values, types, number
formats, fonts, fills, borders, alignment, quote prefix) and sheet by sheet (merged ranges, frozen panes,
print titles, column widths, header height, page setup).

seed_demo runs once per test worker (conftest `demo`); each test rolls back in it.
"""

import io
from types import SimpleNamespace

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.cell import MergedCell

from coordination.models import Town
from ledgers import exports
from ledgers.export_writers import (
    DEFAULT_WRITER,
    OpenpyxlWriter,
    Style,
    XlsxWriterRowsWriter,
    XlsxWriterWriter,
)
from ledgers.models import Indicator
from tianjin_towns.lib import dates


@pytest.fixture
def seeded(demo, db):
    return None


@pytest.fixture(autouse=True)
def export_time(monkeypatch):
    """Both files of a comparison give the same export time: its minute could turn between the two."""
    moment = timezone.now()
    monkeypatch.setattr(exports, "timezone", SimpleNamespace(now=lambda: moment))


def written(writer, **arguments):
    output = io.BytesIO()
    exports.write_ledger_workbook(output, writer=writer, **arguments)
    return load_workbook(io.BytesIO(output.getvalue()))


def _rgb(color) -> str | None:
    """ "595959" of "00595959" and "FF595959" (alpha aside); None for no colour or a theme's (the default text
    colour, which XlsxWriter names and openpyxl leaves out)."""
    return color.rgb[-6:] if color is not None and color.type == "rgb" else None


def look(cell) -> tuple:
    """What a reader sees of a cell."""
    font, fill, border, alignment = cell.font, cell.fill, cell.border, cell.alignment
    return (
        cell.value,
        cell.data_type if cell.value is not None else None,  # an empty text is an empty cell either way
        cell.number_format,
        (font.name, font.sz, bool(font.b), bool(font.i), _rgb(font.color)),
        (fill.fill_type, _rgb(fill.fgColor) if fill.fill_type else None),
        tuple(
            (side.style, _rgb(side.color) if side.style else None)
            for side in (border.left, border.right, border.top, border.bottom)
        ),
        (alignment.horizontal, alignment.vertical, bool(alignment.wrap_text)),
        bool(cell.quotePrefix),
    )


def widths(ws) -> list[float | None]:
    """Each column's width: a writer may give adjacent columns of one width a single entry (min..max)."""
    found = {}
    for dimension in list(ws.column_dimensions.values()):
        for index in range(dimension.min, dimension.max + 1):
            found[index] = dimension.width
    return [found.get(index) for index in range(1, ws.max_column + 1)]


def layout(ws) -> dict:
    """What a reader sees of a sheet beyond its cells."""
    return {
        "size": (ws.max_row, ws.max_column),
        "merged": sorted(str(cells) for cells in ws.merged_cells.ranges),
        "freeze_panes": ws.freeze_panes,
        "print_title_rows": ws.print_title_rows,
        "widths": widths(ws),
        "header_height": ws.row_dimensions[exports.HEADER_ROW].height,
        "page": (
            ws.page_setup.orientation,
            str(ws.page_setup.paperSize),
            ws.page_setup.fitToWidth in (1, "1", None),  # 1 is the default, which a writer may leave out
            str(ws.page_setup.fitToHeight),
            ws.sheet_properties.pageSetUpPr.fitToPage,
            ws.print_options.horizontalCentered,
        ),
    }


def assert_same_workbook(reference, candidate) -> int:
    """Compares every cell and every sheet's layout; returns the number of cells compared."""
    assert candidate.sheetnames == reference.sheetnames
    compared = 0
    for name in reference.sheetnames:
        old, new = reference[name], candidate[name]
        assert layout(new) == layout(old), name
        for old_row, new_row in zip(old.iter_rows(), new.iter_rows(), strict=True):
            for old_cell, new_cell in zip(old_row, new_row, strict=True):
                where = f"{name}!{old_cell.coordinate}"
                if isinstance(old_cell, MergedCell):  # covered by the merge: no cell of its own in the old file
                    assert isinstance(new_cell, MergedCell) and new_cell.value is None, where
                    continue
                assert look(new_cell) == look(old_cell), where
                compared += 1
    return compared


CANDIDATES = [XlsxWriterWriter, XlsxWriterRowsWriter]


def test_production_writes_through_xlsxwriter():
    assert DEFAULT_WRITER is XlsxWriterRowsWriter


@pytest.mark.parametrize("writer", CANDIDATES, ids=lambda writer: writer.__name__)
@pytest.mark.parametrize("year_back", [0, 1], ids=["this-year", "last-full-year"])
def test_xlsxwriter_workbook_equals_the_openpyxl_one_cell_by_cell(seeded, year_back, writer):
    """The city's workbook of the demo's current year (months still open, drafts and gaps) and of its last
    full year."""
    year = dates.last_ended_period().year - year_back
    towns = Town.objects.all()
    compared = assert_same_workbook(
        written(OpenpyxlWriter, towns=towns, year=year), written(writer, towns=towns, year=year)
    )
    assert compared > 1000


@pytest.mark.parametrize("writer", CANDIDATES, ids=lambda writer: writer.__name__)
def test_member_unit_share_without_projects_is_the_same_workbook(seeded, writer):
    """What a member unit is shared (some indicators, no project sheet) comes out the same too."""
    year = dates.last_ended_period().year
    towns = Town.objects.filter(pk__in=Town.objects.order_by("pk").values("pk")[:3])
    indicators = Indicator.objects.filter(
        pk__in=list(Indicator.objects.filter(active=True).values_list("pk", flat=True)[:3])
    )
    arguments = {"towns": towns, "year": year, "indicators": indicators, "projects": False}
    reference = written(OpenpyxlWriter, **arguments)
    assert "项目台账" not in reference.sheetnames
    assert assert_same_workbook(reference, written(writer, **arguments)) > 0


ODD_TEXTS = ['A&B <c> "d"', "  leading and trailing  ", "line\nbreak", "bell\x07", "_x0041_ literal", "=1+1", "-2", ""]


def test_body_rows_serialised_for_xlsxwriter_read_back_as_xlsxwriter_writes_them():
    """Texts that need escaping (XML, control characters, Excel's own _xHHHH_ escape, edge whitespace): the
    rows serialised here read back as XlsxWriter's own rows do, texts unchanged and formula triggers quoted."""
    books = []
    for writer in CANDIDATES:
        output = io.BytesIO()
        book = writer(output)
        sheet = book.add_sheet("表", widths=[10] * len(ODD_TEXTS), headers=[], header_row=1, freeze_columns=0)
        sheet.append(ODD_TEXTS, [Style()] * len(ODD_TEXTS))
        sheet.append([1, 2.5, None], [Style(number_format="0.0")] * 3)
        book.close()
        books.append(load_workbook(io.BytesIO(output.getvalue())))
    typed, serialised = ([look(cell) for row in book["表"].iter_rows() for cell in row] for book in books)
    assert serialised == typed
    # Excel reads _xHHHH_ back as the character (openpyxl leaves it as written): a control character and a
    # literal "_x0041_" are escaped as Excel wants them.
    escaped = {"bell\x07": "bell_x0007_", "_x0041_ literal": "_x005F_x0041_ literal", "": None}
    assert [cell[0] for cell in serialised[: len(ODD_TEXTS)]] == [escaped.get(text, text) for text in ODD_TEXTS]
    assert [cell[-1] for cell in serialised[: len(ODD_TEXTS)]] == [False] * 5 + [True, True, False]
