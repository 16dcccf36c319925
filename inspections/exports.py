"""The circular (通报) of overdue problems as a Word document, ready for the office to send (R-5.6).

A pure builder: the selector's Circular in, a .docx out, in the official document style of
tianjin_towns.lib.documents (GB/T 9704, A4 portrait): the title, the salutation and summary, a heading
and a table per district, the issuing office and date, then the 版记.
"""

import datetime

from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from tianjin_towns.lib import documents as doc

from .selectors import Circular, CircularDistrict

DOCX = doc.DOCX  # the views' content type
QUARTERS = {1: "一", 2: "二", 3: "三", 4: "四"}

# The columns across the 156 mm text block.
WIDTHS = [Cm(1.0), Cm(2.2), Cm(4.3), Cm(1.3), Cm(2.2), Cm(2.0), Cm(1.2), Cm(1.4)]
CENTRED = (0, 3, 5, 6, 7)


def circular_title(year: int, quarter: int | None) -> str:
    if quarter is None:
        return _("关于%(year)s年现场督办问题逾期未整改情况的通报") % {"year": year}
    return _("关于%(year)s年第%(q)s季度现场督办问题逾期未整改情况的通报") % {"year": year, "q": QUARTERS[quarter]}


def circular_filename(year: int, quarter: int | None) -> str:
    period = f"{year}年" if quarter is None else f"{year}年第{QUARTERS[quarter]}季度"
    return _("%(period)s督办问题逾期情况通报.docx") % {"period": period}


def write_circular_docx(
    output, *, circular: Circular, title: str, issued_on: datetime.date | None = None, number: str | None = None
) -> None:
    """The circular under the office's red 版头 with its `number` (发文字号; a preview's says where it will stand)."""
    document = doc.official_document(title=title, author=str(doc.OFFICE))
    doc.document_header(document, number=number)
    doc.title(document, title)
    doc.paragraph(document, indent=False)
    doc.paragraph(document, _("各有关区特色小镇工作领导小组办公室、市有关部门："), indent=False)
    counts = {"date": doc.chinese_date(circular.as_of), "total": circular.total, "districts": len(circular.districts)}
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
    doc.paragraph(document, intro)

    for number, block in enumerate(circular.districts, start=1):
        text = _("%(district)s（%(count)s个）") % {"district": block.district.name, "count": len(block.entries)}
        doc.heading(document, number, text)
        _district_table(document, block)

    if circular.total:
        doc.paragraph(
            document,
            _(
                "请有关区和责任单位高度重视，逐项落实整改责任，于通报印发之日起10个工作日内完成整改，"
                "并将整改情况通过平台报送市特镇办核验。逾期仍未整改的，将纳入督查考核。"
            ),
        )
    day = issued_on or circular.as_of
    doc.paragraph(document, indent=False)
    doc.signature(document, str(doc.OFFICE), doc.chinese_date(day))
    doc.colophon(
        document, copied_to=_("市特色小镇规划建设工作联席会议各成员单位"), issuer=str(doc.OFFICE), printed_on=day
    )
    document.save(output)


def _district_table(document, block: CircularDistrict) -> None:
    """One row per overdue problem of the district; headers in the heading font, all in 五号."""
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
    table = doc.table(document, rows=1, cols=len(headers))
    for cell, text, width in zip(table.rows[0].cells, headers, WIDTHS, strict=True):
        _cell(cell, text, font=doc.HEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
        cell.width = width
    for index, entry in enumerate(block.entries, start=1):
        problem = entry.problem
        values = [
            str(index),
            problem.town.unit.name if problem.town_id else _("全区"),
            problem.description,
            problem.get_category_display(),
            problem.responsible_name,
            doc.chinese_date(problem.due_on),
            str(entry.days_overdue),
            problem.get_status_display(),
        ]
        row = table.add_row()
        for position, (cell, text, width) in enumerate(zip(row.cells, values, WIDTHS, strict=True)):
            _cell(cell, text, align=WD_ALIGN_PARAGRAPH.CENTER if position in CENTRED else WD_ALIGN_PARAGRAPH.LEFT)
            cell.width = width


def _cell(cell, text: str, *, font: str = doc.BODY_FONT, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    doc.cell(cell, text, font=font, size=doc.SIZE_TABLE_SMALL, align=align)
