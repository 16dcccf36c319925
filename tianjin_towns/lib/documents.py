"""The official document style (公文格式) of every Word document the platform writes (python-docx).

The meeting minutes (coordination), the work briefing (ledgers), the circular of overdue problems
(inspections) and the assessment briefing (assessments) take their page set-up, fonts, title, headings,
body paragraphs, table cells and dates from here, so a change of the house style is made in this one
module. Builders stay in their apps and pass text in; this module imports no app.

GB/T 9704-2012《党政机关公文格式》 (issue 20): A4 with the margins of a 156 × 225 mm text block (top 37 mm,
left 28 mm), 22 lines of 28 characters: body text in 仿宋_GB2312 三号 on a fixed line of 28.95 pt with a
two-character first-line indent; the title in 小标宋 二号 centred; first-level headings in 黑体 (一、), second-level
in 楷体 (（一）); page numbers in 四号 宋体 with a dash each side (— 1 —), odd pages right, even pages left, one
character in from the edge; the 版记 (报、抄送, the issuing office and the date of printing between rules) at the
foot of the last page, which is an even one; dates written 2026年12月6日. Briefings (简报) open with their red
masthead (报头), 期号 and 编发单位 (`briefing_masthead`).
"""

import datetime

from django.utils.translation import gettext_lazy as _
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor

from .dates import chinese_date  # documents write dates as every page does: 2026年3月5日

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The office that issues the platform's documents (市特镇办), and whom its briefings (简报) report to and are sent to.
OFFICE = _("天津市特色小镇规划建设工作联席会议办公室")
BRIEFING_REPORTED_TO = _("市特色小镇规划建设工作联席会议召集人、副召集人")
BRIEFING_COPIED_TO = _("联席会议各成员单位，各涉农区人民政府和特色小镇工作领导小组")

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"

SIZE_TITLE = Pt(22)  # 二号
SIZE_BODY = Pt(16)  # 三号
SIZE_SMALL = Pt(14)  # 四号: action items, the issue line, the distribution line
SIZE_TABLE = Pt(12)  # 小四
SIZE_TABLE_SMALL = Pt(10.5)  # 五号: the circular's wide tables
SIZE_PAGE_NUMBER = Pt(14)  # 四号
LINE_SPACING = Pt(28.95)  # 225 mm / 22 lines
TEXT_WIDTH = Mm(156)
# The text block of GB/T 9704: 156 × 225 mm on A4, 37 mm from the top and 28 mm from the left.
MARGINS = {"top_margin": Mm(37), "bottom_margin": Mm(35), "left_margin": Mm(28), "right_margin": Mm(26)}
RED = RGBColor(0xC0, 0x00, 0x00)  # the masthead of a briefing (红头)
# Where a document's number (发文字号, 期号) stands in a preview: numbers are assigned when it is issued.
PREVIEW_NUMBER = _("（印发时编号）")

_NUMERALS = "零一二三四五六七八九"


# --- Pages ------------------------------------------------------------------------------------------------


def official_document(*, title: str, author: str):
    """An empty A4 portrait document of GB/T 9704: its text block, the body font as the Normal style, page
    numbers in its footers, its properties set."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for name, value in MARGINS.items():
        setattr(section, name, value)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, SIZE_BODY
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), BODY_FONT)
    page_numbers(document)
    document.core_properties.title = title
    document.core_properties.author = author
    return document


def _field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (e.g. PAGE) in `paragraph`, showing `shown` until Word updates it."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", shown), ("end", None)):
        run = paragraph.add_run()
        set_font(run, PAGE_NUMBER_FONT, SIZE_PAGE_NUMBER)
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
            run._element.append(element)
        elif kind == "text":
            run.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._element.append(element)


def _page_number(footer, align, paragraph_=None) -> None:
    paragraph = paragraph_ if paragraph_ is not None else footer.paragraphs[0]
    paragraph.alignment = align
    inset = SIZE_PAGE_NUMBER  # one character in from the edge of the text block
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = inset
    else:
        paragraph.paragraph_format.left_indent = inset
    set_font(paragraph.add_run("— "), PAGE_NUMBER_FONT, SIZE_PAGE_NUMBER)
    _field(paragraph, " PAGE ", "1")
    set_font(paragraph.add_run(" —"), PAGE_NUMBER_FONT, SIZE_PAGE_NUMBER)


def page_numbers(document) -> None:
    """ "— 1 —" at the foot of every page: odd pages on the right, even pages on the left."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


def _rule(paragraph_, edge: str, size: int, color: str = "000000") -> None:
    """A line of `size` eighths of a point along the paragraph's `edge` (top or bottom)."""
    p_pr = paragraph_._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        p_pr.append(borders)
    line = OxmlElement(f"w:{edge}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), color)
    borders.append(line)


def _width_in_characters(text: str) -> float:
    """How many characters of the font's size `text` takes, a digit or Latin letter counted as 0.6 (half-width in
    仿宋_GB2312, wider in the fonts a machine without it falls back on)."""
    return sum(1 if ord(char) > 0x2E80 else 0.6 for char in text)


def colophon(document, *, issuer: str, printed_on: datetime.date, reported_to: str = "", copied_to: str = "") -> None:
    """The 版记 at the foot of the document's last page, an even one: a section of its own that starts on an even
    page and has no text, whose even-page footer holds the 版记 above the page number (so Word and LibreOffice
    both set it at the foot): 报 and 抄送 if given, then the issuing office one character from the left and the date
    of printing one character from the right (on a line of its own when both do not fit on one), between a thick
    rule above and below and thin ones in between (paragraph borders, not a table)."""
    section = document.add_section(WD_SECTION.EVEN_PAGE)
    document.add_paragraph()  # a section holds a paragraph, if only an empty one
    footer = section.even_page_footer
    footer.is_linked_to_previous = False
    printed = f"{chinese_date(printed_on)}印发"
    lines = [text for text in (reported_to and f"报：{reported_to}", copied_to and f"抄送：{copied_to}") if text]
    per_line = TEXT_WIDTH.pt / SIZE_SMALL.pt - 2  # less one character at each end
    if _width_in_characters(issuer + printed) + 1 <= per_line:
        lines.append((issuer, printed))
    else:
        lines += [issuer, (None, printed)]
    for index, text in enumerate(lines):
        line = footer.paragraphs[0] if index == 0 else footer.add_paragraph()
        line.style = None  # not the Footer style, whose centre tab would catch the date
        line.paragraph_format.line_spacing = LINE_SPACING
        line.paragraph_format.left_indent = SIZE_SMALL
        line.paragraph_format.right_indent = SIZE_SMALL
        if isinstance(text, tuple):
            left, right = text
            line.paragraph_format.right_indent = 0  # the right tab below is one character from the edge
            line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH - SIZE_SMALL, WD_TAB_ALIGNMENT.RIGHT)
            text = f"{left}\t{right}" if left else f"\t{right}"
        set_font(line.add_run(text), BODY_FONT, SIZE_SMALL)
        if index == 0:
            _rule(line, "top", 8)
        # A thin rule under each element, a thick one under the last; a date on its own line belongs with the
        # office above it. (Each line carries the rule below it: consecutive paragraphs with the same borders are
        # drawn as one box, which would swallow the rules between them.)
        date_follows = index + 1 < len(lines) and isinstance(lines[index + 1], tuple) and lines[index + 1][0] is None
        if index == len(lines) - 1:
            _rule(line, "bottom", 8)
        elif not date_follows:
            _rule(line, "bottom", 4)
    _page_number(footer, WD_ALIGN_PARAGRAPH.LEFT, paragraph_=footer.add_paragraph())


def briefing_colophon(document, *, printed_on: datetime.date) -> None:
    """The 版记 of the office's briefings: reported to the conference's conveners, sent to its members and the
    districts."""
    colophon(
        document,
        reported_to=str(BRIEFING_REPORTED_TO),
        copied_to=str(BRIEFING_COPIED_TO),
        issuer=str(OFFICE),
        printed_on=printed_on,
    )


def briefing_masthead(document, *, name: str, issue: str | None, issuer: str, issued_on: datetime.date) -> None:
    """The red masthead of a briefing (简报): its name, the issue (第12期; a preview's says it is numbered when
    issued), then the editing office and the date on a line over a red rule."""
    masthead = paragraph(document, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    run = masthead.add_run(name)
    set_font(run, TITLE_FONT, Pt(30))
    run.font.color.rgb = RED
    number_line(document, issue)
    line = paragraph(document, indent=False)
    line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    set_font(line.add_run(f"{issuer}\t{chinese_date(issued_on)}"), BODY_FONT, SIZE_SMALL)
    rule = paragraph(document, "━" * 26, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    rule.runs[0].font.color.rgb = RED


def document_header(document, *, number: str | None, issuer: str | None = None) -> None:
    """The 版头 of a document the office issues (GB/T 9704, 7.2): the issuing organ's mark (发文机关标志, its name
    and 文件) in red 小标宋 across the text block, the document number (发文字号, e.g. 津特镇办〔2026〕3号) centred
    two lines below it, then a red rule. A preview, which has no number yet, says where it will stand."""
    mark_text = f"{issuer or OFFICE}{_('文件')}"
    size = Pt(min(26, TEXT_WIDTH.pt / _width_in_characters(mark_text)))  # shrunk to one line when long
    mark = paragraph(document, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    run = mark.add_run(mark_text)
    set_font(run, TITLE_FONT, size)
    run.font.color.rgb = RED
    paragraph(document, indent=False)
    line = number_line(document, number)
    _rule(line, "bottom", 12, color=str(RED))
    paragraph(document, indent=False)


def number_line(document, number: str | None):
    """The document's number centred on a line (a preview's says it is numbered when issued); a correction's
    number comes with a second line naming the one it corrects ("津特镇办〔2026〕5号\n（更正…）")."""
    line = paragraph(document, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    for index, text in enumerate(str(number or PREVIEW_NUMBER).split("\n")):
        if index:
            line.add_run().add_break()
        set_font(line.add_run(text), BODY_FONT, SIZE_SMALL if index else SIZE_BODY)
    return line


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


def subheading(document, number: int, text: str):
    """A second-level heading in 楷体: （一）text."""
    return paragraph(document, f"（{chinese_number(number)}）{text}", font=SUBHEADING_FONT)


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
