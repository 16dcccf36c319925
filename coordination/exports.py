"""Meeting minutes as a Word document (.docx) in the usual government layout (python-docx).

A pure builder: the meeting and its related rows in, bytes out. Layout after GB/T 9704 habits:
A4 with 3.7/3.5/2.8/2.6 cm margins, the title in 小标宋 二号 centred, body text in 仿宋 三号 with a
two-character first-line indent, section headings in 黑体 (一、二、三、), and the issuing unit and
date at the bottom right.
"""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .models import Decision, Meeting, MemberUnit, OrgUnit

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SIZE_TITLE = Pt(22)  # 二号
SIZE_BODY = Pt(16)  # 三号
SIZE_TABLE = Pt(12)  # 小四
CHINESE_NUMERALS = "一二三四五六七八九十"


def _font(run, name: str, size: Pt, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    # Word picks the East Asian font from w:eastAsia; without it Chinese text falls back to the theme font.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(document, text: str = "", *, font=BODY_FONT, size=SIZE_BODY, bold=False, indent=True, align=None):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.line_spacing = Pt(28)
    paragraph.paragraph_format.space_after = Pt(0)
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size.pt * 2)
    if align is not None:
        paragraph.alignment = align
    if text:
        _font(paragraph.add_run(text), font, size, bold)
    return paragraph


def _heading(document, number: int, text: str) -> None:
    _paragraph(document, f"{CHINESE_NUMERALS[number - 1]}、{text}", font=HEADING_FONT)


def official_document(*, title: str, author: str):
    """An empty A4 document with the margins of official documents (GB/T 9704) and its properties set."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    document.core_properties.title = title
    document.core_properties.author = author
    return document


def _cell(cell, text: str, bold: bool = False) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    _font(paragraph.add_run(text), BODY_FONT, SIZE_TABLE, bold)


def minutes_docx(
    meeting: Meeting,
    *,
    decisions: list[Decision],
    attendee_units: list[OrgUnit],
    attendee_member_units: list[MemberUnit],
) -> bytes:
    """The minutes of `meeting`; `decisions` come with their action items prefetched."""
    document = official_document(title=f"{meeting.title}{_('会议纪要')}", author=meeting.org_unit.name)

    title = _paragraph(document, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _font(title.add_run(f"{meeting.title}"), TITLE_FONT, SIZE_TITLE)
    title.add_run().add_break()
    _font(title.add_run(_("会议纪要")), TITLE_FONT, SIZE_TITLE)
    _paragraph(document, indent=False)

    table = document.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = [
        (_("会议名称"), meeting.title, None, None),
        (_("会议类别"), meeting.get_kind_display(), _("主办单位"), meeting.org_unit.name),
        (_("会议时间"), f"{meeting.held_on:%Y年%m月%d日}", _("会议地点"), meeting.place or "—"),
        (_("召集人"), meeting.convener or "—", _("纪要状态"), meeting.get_state_display()),
    ]
    for label, value, label2, value2 in rows:
        cells = table.add_row().cells
        _cell(cells[0], label, bold=True)
        if label2 is None:
            merged = cells[1].merge(cells[3])
            _cell(merged, value)
        else:
            _cell(cells[1], value)
            _cell(cells[2], label2, bold=True)
            _cell(cells[3], value2)
    units = [u.name for u in attendee_units] + [m.name for m in attendee_member_units]
    cells = table.add_row().cells
    _cell(cells[0], _("参会单位"), bold=True)
    _cell(cells[1].merge(cells[3]), "、".join(units) or "—")
    for row in table.rows:
        row.cells[0].width = Cm(2.6)
    _paragraph(document, indent=False)

    number = 1
    if meeting.attendee_lines:
        _heading(document, number, _("参会人员"))
        _paragraph(document, "；".join(meeting.attendee_lines) + "。")
        number += 1
    _heading(document, number, _("会议议程"))
    for index, line in enumerate(meeting.agenda_lines, start=1):
        _paragraph(document, f"（{CHINESE_NUMERALS[index - 1] if index <= 10 else index}）{line}")
    if not meeting.agenda_lines:
        _paragraph(document, _("（未填写）"))
    number += 1
    _heading(document, number, _("会议纪要"))
    paragraphs = [line.strip() for line in meeting.minutes.splitlines() if line.strip()]
    for text in paragraphs or [_("（未填写）")]:
        _paragraph(document, text)
    number += 1
    _heading(document, number, _("议定事项"))
    if not decisions:
        _paragraph(document, _("（无）"))
    for index, decision in enumerate(decisions, start=1):
        _paragraph(document, f"{index}. {decision.text}")
        for item in decision.action_items.all():
            _paragraph(
                document,
                _("责任单位：%(unit)s；责任人：%(owner)s；办结时限：%(due)s。")
                % {"unit": item.responsible_name, "owner": item.owner, "due": f"{item.due_on:%Y年%m月%d日}"},
                size=Pt(14),
            )

    _paragraph(document, indent=False)
    _paragraph(document, indent=False)
    _paragraph(document, meeting.org_unit.name, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    day = timezone.localdate(meeting.minutes_approved_at) if meeting.minutes_approved_at else meeting.held_on
    _paragraph(document, f"{day:%Y年%m月%d日}", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)

    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def minutes_filename(meeting: Meeting) -> str:
    return f"{meeting.held_on:%Y%m%d}-{meeting.title}-{_('会议纪要')}.docx"
