"""The official document style (公文格式) of every Word document the platform writes (python-docx).

The meeting minutes (coordination), the work briefing (ledgers), the circular of overdue problems
(inspections) and the assessment briefing (assessments) take their page set-up, fonts, title, headings,
body paragraphs, table cells and dates from here, so a change of the house style is made in this one
module. Builders stay in their apps and pass text in; this module imports no app.

Today's look, after GB/T 9704 habits: A4 with 3.7/3.5/2.8/2.6 cm margins, the title in 小标宋 二号
centred, body text in 仿宋 三号 with a two-character first-line indent and a fixed 28 pt line, section
headings in 黑体 (一、二、三、), the issuing unit and date at the bottom right. The circular is landscape
with narrower margins for its wide tables; the assessment briefing still uses Word's own paragraph
spacing with 仿宋 四号 as the Normal style. Those differences are kept as they were (parameters below)
until the documents are brought to the full standard.
"""

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt, RGBColor

from .dates import chinese_date  # noqa: F401 (documents write dates as every page does: 2026年3月5日)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
PLAIN_FONT = "仿宋"  # the Normal style of the assessment briefing

SIZE_TITLE = Pt(22)  # 二号
SIZE_BODY = Pt(16)  # 三号
SIZE_SMALL = Pt(14)  # 四号: action items, the issue line, the distribution line
SIZE_TABLE = Pt(12)  # 小四
SIZE_TABLE_SMALL = Pt(10.5)  # 五号: the circular's wide tables
LINE_SPACING = Pt(28)
RED = RGBColor(0xC0, 0x00, 0x00)  # the masthead of a briefing (红头)

_NUMERALS = "零一二三四五六七八九"


# --- Pages ------------------------------------------------------------------------------------------------


def official_document(*, title: str, author: str):
    """An empty A4 portrait document with the margins of official documents and its properties set."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    document.core_properties.title = title
    document.core_properties.author = author
    return document


def landscape_document():
    """An empty A4 landscape document with narrow margins, for tables too wide for a portrait page."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.2)
    return document


def plain_document(*, font: str = PLAIN_FONT, size: Length = SIZE_SMALL):
    """An empty document of Word's default page whose Normal style is `font` at `size`."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = font
    style.font.size = size
    style.element.rPr.rFonts.set(qn("w:eastAsia"), font)
    return document


# --- Text -------------------------------------------------------------------------------------------------


def set_font(run, name: str, size: Length, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    # Word picks the East Asian font from w:eastAsia; without it Chinese text falls back to the theme font.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def paragraph(
    document,
    text: str = "",
    *,
    font: str = BODY_FONT,
    size: Length = SIZE_BODY,
    bold: bool = False,
    indent: bool = True,
    align=None,
    space_after: Length | None = Pt(0),
):
    """A body paragraph: fixed line spacing, a two-character first-line indent unless `indent` is False.

    `space_after=None` leaves Word's default spacing after the paragraph (the circular's look).
    """
    result = document.add_paragraph()
    result.paragraph_format.line_spacing = LINE_SPACING
    if space_after is not None:
        result.paragraph_format.space_after = space_after
    if indent:
        result.paragraph_format.first_line_indent = Pt(size.pt * 2)
    if align is not None:
        result.alignment = align
    if text:
        set_font(result.add_run(text), font, size, bold)
    return result


def title(document, *lines: str, space_after: Length | None = Pt(0)):
    """The document's title, centred in the title font; each of `lines` on a line of its own."""
    result = paragraph(document, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=space_after)
    for number, line in enumerate(lines):
        if number:
            result.add_run().add_break()
        set_font(result.add_run(line), TITLE_FONT, SIZE_TITLE)
    return result


def heading(document, number: int, text: str, *, space_after: Length | None = Pt(0)):
    """A first-level heading in the heading font: 一、text."""
    return paragraph(document, f"{chinese_number(number)}、{text}", font=HEADING_FONT, space_after=space_after)


def plain_heading(document, text: str, *, size: Length = SIZE_BODY, colour: RGBColor | None = None, center=False):
    """A bold heading in the heading font on a paragraph of the Normal style (the assessment briefing)."""
    result = document.add_paragraph()
    run = result.add_run(text)
    set_font(run, HEADING_FONT, size, bold=True)
    if colour is not None:
        run.font.color.rgb = colour
    if center:
        result.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return result


def signature(document, *lines: str, space_after: Length | None = Pt(0)) -> None:
    """The issuing unit and the date, each on a line at the bottom right."""
    for line in lines:
        paragraph(document, line, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=space_after)


# --- Tables -----------------------------------------------------------------------------------------------


def table(document, *, rows: int, cols: int, align=WD_TABLE_ALIGNMENT.CENTER):
    """A table with ruled cells ("Table Grid"), centred on the page unless `align` is None."""
    result = document.add_table(rows=rows, cols=cols)
    result.style = "Table Grid"
    if align is not None:
        result.alignment = align
    return result


def cell(cell_, text: str, *, font: str = BODY_FONT, size: Length = SIZE_TABLE, bold: bool = False, align=None):
    """Replace the text of a table cell with `text` in the table font."""
    cell_.text = ""
    first = cell_.paragraphs[0]
    if align is not None:
        first.alignment = align
    set_font(first.add_run(text), font, size, bold)


# --- Numbers and dates ------------------------------------------------------------------------------------


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (1 to 99), as headings and list items count."""
    if n < 10:
        return _NUMERALS[n]
    if n < 20:
        return "十" + (_NUMERALS[n % 10] if n % 10 else "")
    return _NUMERALS[n // 10] + "十" + (_NUMERALS[n % 10] if n % 10 else "")
