"""The monthly work briefing (工作简报) built from adopted work information (R-3.2), as a Word document.

A pure builder in the layout of the meeting minutes (coordination.exports): the items in, bytes out.
"""

import datetime
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from coordination.exports import (
    BODY_FONT,
    HEADING_FONT,
    SIZE_BODY,
    TITLE_FONT,
    _font,
    _heading,
    _paragraph,
    official_document,
)

from .models import WorkInfo

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ISSUER = gettext_lazy("天津市特色小镇规划建设工作联席会议办公室")


def _source(info: WorkInfo) -> str:
    unit = info.org_unit
    return f"{unit.parent.name}{unit.name}" if unit.level == "town" and unit.parent else unit.name


def write_work_briefing(
    output: BinaryIO, *, period: datetime.date, grouped: dict[str, list[WorkInfo]], issued_on: datetime.date
) -> None:
    """Masthead in red, the issue line, then one numbered section per category with its items."""
    document = official_document(
        title=_("特色小镇建设工作简报（%(year)s年%(month)s月）") % {"year": period.year, "month": period.month},
        author=str(ISSUER),
    )

    masthead = _paragraph(document, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    run = masthead.add_run(_("特色小镇建设工作简报"))
    _font(run, TITLE_FONT, Pt(30))
    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    _paragraph(
        document,
        _("%(year)s年第%(month)s期") % {"year": period.year, "month": period.month},
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    line = _paragraph(document, indent=False)
    _font(line.add_run(str(ISSUER)), BODY_FONT, Pt(14))
    _font(line.add_run(f"　　{issued_on:%Y年%m月%d日}"), BODY_FONT, Pt(14))
    _paragraph(document, "━" * 26, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER).runs[0].font.color.rgb = RGBColor(
        0xC0, 0x00, 0x00
    )

    for number, (category, items) in enumerate(grouped.items(), start=1):
        _heading(document, number, WorkInfo.Category(category).label)
        for info in items:
            title = _paragraph(document)
            _font(title.add_run(f"【{_source(info)}】{info.title}"), HEADING_FONT, SIZE_BODY, bold=True)
            for text in [p.strip() for p in info.body.splitlines() if p.strip()]:
                _paragraph(document, text)
    _paragraph(document, indent=False)
    _paragraph(
        document,
        _("报：市联席会议召集人、副召集人；送：市联席会议各成员单位，各涉农区特色小镇工作领导小组。"),
        size=Pt(14),
        indent=False,
    )
    document.save(output)


def briefing_filename(period: datetime.date) -> str:
    return _("特色小镇建设工作简报%(year)s年%(month)s月.docx") % {"year": period.year, "month": period.month}
