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
    assert body.paragraph_format.line_spacing.pt == 28.95  # 22 lines on the 225 mm text block


def test_headings_are_numbered_in_chinese_in_the_heading_font():
    document = _work_briefing()
    heading = next(p for p in document.paragraphs if p.text == "一、会议情况")
    assert _east_asian_font(heading.runs[0]) == documents.HEADING_FONT


def test_chinese_numbers_and_dates():
    assert [documents.chinese_number(n) for n in (1, 10, 11, 20, 21)] == ["一", "十", "十一", "二十", "二十一"]
    assert documents.chinese_date(datetime.date(2026, 3, 5)) == "2026年3月5日"
    assert documents.chinese_date(datetime.date(2026, 12, 6)) == "2026年12月6日"  # no leading zeros, ever


# --- Every document the platform writes, read back (issue 20: GB/T 9704-2012) -----------------------------

import re  # noqa: E402

import pytest  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from docx.enum.section import WD_SECTION  # noqa: E402
from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402

from tests.test_permission_matrix import TARGETS  # noqa: E402


def _downloaded(world, persona: str, url: str) -> Document:
    client = Client()
    client.force_login(getattr(world.users, persona))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == documents.DOCX
    return Document(io.BytesIO(response.content))


def _circular(world) -> Document:
    """The circular of a year with dongli's problem overdue since 2026年8月10日."""
    TARGETS["problem"](world)
    return _downloaded(world, "office_coord", reverse("inspection-circular-docx"))


def _results_circular(world) -> Document:
    """The circular of the published 2025 annual run, 东丽湖's proposed warning confirmed by the office."""
    from assessments import services as assess

    run = TARGETS["annual_run"](world)
    assess.run_decide_sanction(
        actor=world.users.office_policy,
        run=run,
        town=world.town2,
        decision="warning",
        reason="未完成年度计划",
        decided_on=datetime.date(2026, 1, 20),
    )
    return _downloaded(world, "office_policy", reverse("assessment-run-circular-docx", args=[run.pk]))


DOCUMENTS = {
    "会议纪要": lambda w: _downloaded(
        w, "officer", reverse("meeting-minutes-docx", args=[TARGETS["held_meeting"](w).pk])
    ),
    "督办通报": _circular,
    "考核简报": lambda w: _downloaded(
        w, "office_assess", reverse("assessment-run-briefing-docx", args=[TARGETS["published_run"](w).pk])
    ),
    "工作简报": lambda w: _work_briefing(),
    "年度考核结果通报": _results_circular,
}
DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


@pytest.fixture(params=sorted(DOCUMENTS))
def official(request, world):
    return request.param, DOCUMENTS[request.param](world)


def test_every_page_is_a4_with_the_text_block_of_gb_t_9704(official):
    _kind, document = official
    for section in document.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
        assert [round(m.mm) for m in margins] == [37, 35, 28, 26]  # a 156 × 225 mm text block


def test_title_body_and_headings_are_in_their_fonts_and_sizes(official):
    kind, document = official
    normal = document.styles["Normal"]
    assert normal.font.size.pt == 16 and normal.element.rPr.rFonts.get(qn("w:eastAsia")) == documents.BODY_FONT
    titles = [run for p in document.paragraphs for run in p.runs if run.font.size and run.font.size.pt >= 22]
    assert titles and all(_east_asian_font(run) == documents.TITLE_FONT for run in titles)  # 二号 小标宋 and up
    if kind.endswith("简报"):  # the red masthead
        assert titles[0].text == "特色小镇建设工作简报" and titles[0].font.color.rgb == documents.RED
    headings = [p for p in document.paragraphs if re.match(r"^[一二三四五六七八九十]+、", p.text)]
    assert headings and all(_east_asian_font(p.runs[0]) == documents.HEADING_FONT for p in headings)
    assert all(p.runs[0].font.size.pt == 16 for p in headings)


class _Footer:
    """A footer of one paragraph, as _page_field reads one."""

    def __init__(self, paragraph):
        self.paragraphs = [paragraph]


def _page_field(footer) -> tuple:
    paragraph = footer.paragraphs[0]
    xml = paragraph._p.xml
    return paragraph.alignment, paragraph.text, "w:fldChar" in xml and " PAGE " in xml


def test_pages_are_numbered_with_dashes_odd_on_the_right_even_on_the_left(official):
    _kind, document = official
    assert document.settings.odd_and_even_pages_header_footer
    first = document.sections[0]
    assert _page_field(first.footer) == (WD_ALIGN_PARAGRAPH.RIGHT, "— 1 —", True)
    assert _page_field(first.even_page_footer) == (WD_ALIGN_PARAGRAPH.LEFT, "— 1 —", True)
    number = first.footer.paragraphs[0].runs[0]
    assert _east_asian_font(number) == documents.PAGE_NUMBER_FONT and number.font.size.pt == 14  # 四号 宋体


def test_the_colophon_sits_at_the_foot_of_the_last_even_page(official):
    kind, document = official
    last = document.sections[-1]
    assert last.start_type == WD_SECTION.EVEN_PAGE  # the last page is an even one
    assert not last.even_page_footer.is_linked_to_previous
    assert [p.text for p in document.paragraphs if p._p.getparent() is not None][-1] == ""  # no text of its own
    footer = last.even_page_footer.paragraphs
    assert _page_field(_Footer(footer[-1])) == (
        WD_ALIGN_PARAGRAPH.LEFT,
        "— 1 —",
        True,
    )  # the page number under it
    lines = footer[:-1]  # the 版记, above the page number
    assert 'w:bottom w:val="single" w:sz="8"' in lines[-1]._p.xml  # the thick rule under the last line
    issuer, printed = lines[-1].text.split("\t")
    if not issuer:  # the office's full name and the date did not fit on one line: the date has its own
        issuer, lines = lines[-2].text, lines[:-1]
    assert issuer in ("天津市特色小镇规划建设工作联席会议办公室", "东丽区")
    assert DATE.fullmatch(printed.removesuffix("印发"))
    assert all(line.text.startswith(("抄送：", "报：")) for line in lines[:-1])
    if kind.endswith("简报"):  # a briefing names whom it reports to and whom it is sent to
        assert [line.text[:3] for line in lines[:-1]] == ["报：市", "抄送："]
    assert 'w:top w:val="single" w:sz="8"' in lines[0]._p.xml


def test_dates_are_written_in_chinese_without_leading_zeros(official):
    _kind, document = official
    text = "\n".join(p.text for p in document.paragraphs)
    found = DATE.findall(text)
    assert found, "a document carries its date"
    assert all(not month.startswith("0") and not day.startswith("0") for _year, month, day in found)


# --- PDF copies (LibreOffice) ------------------------------------------------------------------------------

import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402

from tianjin_towns.lib import pdf  # noqa: E402


def _need_libreoffice() -> None:
    """CI installs LibreOffice and poppler (.ci/run): there the test fails without them; elsewhere it is skipped."""
    if pdf.available() and shutil.which("pdftotext"):
        return
    if os.environ.get("CI"):
        pytest.fail(
            "LibreOffice (soffice) and pdftotext are needed: apt-get install libreoffice-writer-nogui poppler-utils"
        )
    pytest.skip("LibreOffice or pdftotext not installed")


def _pdf_pages(content: bytes, tmp_path) -> list[str]:
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True).stdout.decode()
    return text.split("\f")


def test_each_document_prints_to_a4_pdf_with_its_page_numbers(official, tmp_path):
    _need_libreoffice()
    kind, document = official
    output = io.BytesIO()
    document.save(output)
    content = pdf.docx_to_pdf(output.getvalue())
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True).stdout.decode()
    assert "595.3" in info and "841.89" in info, info  # A4: 595 × 842 pt
    pages = [page for page in _pdf_pages(content, tmp_path) if page.strip()]
    assert len(pages) >= 2, kind
    number = re.compile(r"—\s*(\d+)\s*—")  # pdftotext may close the spaces up
    assert number.findall(pages[0]) == ["1"]
    last = number.findall(pages[-1])
    assert last and int(last[-1]) % 2 == 0  # the 版记's page is an even one
    assert number.findall(pages[1]) == ["2"] or last == ["4"]  # page 2, or a blank page 3 left out before page 4
    assert "印发" in pages[-1]
    # The blank page before the 版记 is printed too (unnumbered): the PDF's last page is its even page, so the 版记
    # prints on the back of the last sheet.
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == int(last[-1]), info
