"""The official document style (tianjin_towns.lib.documents), read back from the files Word opens."""

import datetime
import io

from docx import Document
from docx.oxml.ns import qn

from coordination.models import OrgUnit
from ledgers.briefing import write_work_briefing
from ledgers.models import WorkInfo
from tianjin_towns.lib import documents

BODY = "会议听取了各小镇工作进展汇报。"


def _east_asian_font(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def _work_briefing():
    """A work briefing built from unsaved rows (the builder is pure), opened again."""
    info = WorkInfo(
        org_unit=OrgUnit(name="东丽区", level="district"),
        category=WorkInfo.Category.MEETING,
        title="东丽区召开特色小镇现场推动会",
        body=BODY,
    )
    output = io.BytesIO()
    write_work_briefing(
        output,
        period=datetime.date(2026, 10, 1),
        grouped={WorkInfo.Category.MEETING: [info]},
        issued_on=datetime.date(2026, 11, 5),
    )
    return Document(io.BytesIO(output.getvalue()))


def test_a_briefing_is_an_a4_page_with_the_official_margins():
    section = _work_briefing().sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.cm, 1) for m in margins] == [3.7, 3.5, 2.8, 2.6]


def test_body_paragraphs_use_the_body_font_for_chinese_text_in_size_three():
    document = _work_briefing()
    body = next(p for p in document.paragraphs if p.text == BODY)
    run = body.runs[0]
    # Without w:eastAsia Word shows Chinese text in the theme font, whatever font.name says.
    assert run.font.name == _east_asian_font(run) == documents.BODY_FONT
    assert run.font.size.pt == 16  # 三号
    assert body.paragraph_format.first_line_indent.pt == 32  # two characters
    assert body.paragraph_format.line_spacing.pt == 28


def test_headings_are_numbered_in_chinese_in_the_heading_font():
    document = _work_briefing()
    heading = next(p for p in document.paragraphs if p.text == "一、会议情况")
    assert _east_asian_font(heading.runs[0]) == documents.HEADING_FONT


def test_chinese_numbers_and_dates():
    assert [documents.chinese_number(n) for n in (1, 10, 11, 20, 21)] == ["一", "十", "十一", "二十", "二十一"]
    assert documents.chinese_date(datetime.date(2026, 3, 5)) == "2026年3月5日"
    assert documents.chinese_date(datetime.date(2026, 12, 6)) == "2026年12月6日"  # no leading zeros, ever
