"""The circular (通报) of overdue problems as a Word document, ready for the office to send (R-5.6).

A pure builder: the selector's Circular in, a .docx out. Chinese official-document look: a centred
title in 小标宋-style bold, body in 仿宋, a table per district, the issuing office and date at the end.
"""

import datetime

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .selectors import Circular

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
QUARTERS = {1: "一", 2: "二", 3: "三", 4: "四"}


def circular_title(year: int, quarter: int | None) -> str:
    if quarter is None:
        return _("关于%(year)s年现场督办问题逾期未整改情况的通报") % {"year": year}
    return _("关于%(year)s年第%(q)s季度现场督办问题逾期未整改情况的通报") % {"year": year, "q": QUARTERS[quarter]}


def circular_filename(year: int, quarter: int | None) -> str:
    period = f"{year}年" if quarter is None else f"{year}年第{QUARTERS[quarter]}季度"
    return _("%(period)s督办问题逾期情况通报.docx") % {"period": period}


def _chinese_date(day: datetime.date) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    # Word picks the East Asian font from w:eastAsia; without it Chinese text falls back to the Latin font.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(document, text: str, *, font=BODY_FONT, size=16.0, bold=False, align=None, indent=True):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    paragraph.paragraph_format.line_spacing = Pt(28)
    _font(paragraph.add_run(text), font, size, bold)
    return paragraph


def _cell(cell, text: str, *, bold: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    _font(paragraph.add_run(text), BODY_FONT if not bold else HEADING_FONT, 10.5, False)


def write_circular_docx(output, *, circular: Circular, title: str, issued_on: datetime.date | None = None) -> None:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.5))
    section.top_margin = section.bottom_margin = Cm(2.2)

    _paragraph(document, title, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(document, _("各有关区特色小镇工作领导小组办公室、市有关部门："), indent=False)
    counts = {"date": _chinese_date(circular.as_of), "total": circular.total, "districts": len(circular.districts)}
    if circular.total:
        intro = (
            _(
                "按照“能今天解决的绝不拖到明天，能现场解决的决不带回办公室”的要求，市特镇办对现场督办服务和专项检查"
                "发现问题的整改情况进行了跟踪督办。截至%(date)s，共有%(total)s个问题超过整改期限仍未整改销号，"
                "涉及%(districts)s个区。现将有关情况通报如下："
            )
            % counts
        )
    else:
        intro = (
            _("截至%(date)s，现场督办服务和专项检查发现的问题均在整改期限内或已整改销号，没有逾期未整改的问题。")
            % counts
        )
    _paragraph(document, intro)

    for number, block in enumerate(circular.districts, start=1):
        heading = _("%(n)s、%(district)s（%(count)s个）") % {
            "n": _chinese_number(number),
            "district": block.district.name,
            "count": len(block.entries),
        }
        _paragraph(document, heading, font=HEADING_FONT, size=16)
        headers = [
            _("序号"),
            _("小镇"),
            _("问题描述"),
            _("类别"),
            _("责任单位"),
            _("整改期限"),
            _("逾期天数"),
            _("当前状态"),
        ]
        widths = [Cm(1.3), Cm(3.6), Cm(8.6), Cm(1.6), Cm(3.4), Cm(2.4), Cm(1.8), Cm(2.3)]
        table = document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text, width in zip(table.rows[0].cells, headers, widths, strict=True):
            _cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
            cell.width = width
        for index, entry in enumerate(block.entries, start=1):
            problem = entry.problem
            values = [
                str(index),
                problem.town.unit.name if problem.town_id else _("全区"),
                problem.description,
                problem.get_category_display(),
                problem.responsible_name,
                problem.due_on.isoformat(),
                str(entry.days_overdue),
                problem.get_status_display(),
            ]
            row = table.add_row()
            for position, (cell, text, width) in enumerate(zip(row.cells, values, widths, strict=True)):
                centred = position in (0, 3, 5, 6, 7)
                _cell(cell, text, align=WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT)
                cell.width = width

    if circular.total:
        _paragraph(
            document,
            _(
                "请有关区和责任单位高度重视，逐项落实整改责任，于通报印发之日起10个工作日内完成整改，"
                "并将整改情况通过平台报送市特镇办核验。逾期仍未整改的，将纳入督查考核。"
            ),
        )
    for text in (_("天津市特色小镇规划建设工作联席会议办公室"), _chinese_date(issued_on or circular.as_of)):
        _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    document.save(output)


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
