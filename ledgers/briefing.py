"""The monthly work briefing (工作简报) built from adopted work information (R-3.2), as a Word document.

A pure builder in the official document style (tianjin_towns.lib.documents): the items in, a .docx out.
"""

import datetime
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from tianjin_towns.lib import documents as doc

from .models import WorkInfo

DOCX = doc.DOCX  # the view's content type
ISSUER = gettext_lazy("天津市特色小镇规划建设工作联席会议办公室")


def _source(info: WorkInfo) -> str:
    unit = info.org_unit
    return f"{unit.parent.name}{unit.name}" if unit.level == "town" and unit.parent else unit.name


def write_work_briefing(
    output: BinaryIO, *, period: datetime.date, grouped: dict[str, list[WorkInfo]], issued_on: datetime.date
) -> None:
    """Masthead in red, the issue line, then one numbered section per category with its items."""
    document = doc.official_document(
        title=_("特色小镇建设工作简报（%(year)s年%(month)s月）") % {"year": period.year, "month": period.month},
        author=str(ISSUER),
    )

    masthead = doc.paragraph(document, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    run = masthead.add_run(_("特色小镇建设工作简报"))
    doc.set_font(run, doc.TITLE_FONT, Pt(30))
    run.font.color.rgb = doc.RED
    doc.paragraph(
        document,
        _("%(year)s年第%(month)s期") % {"year": period.year, "month": period.month},
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    line = doc.paragraph(document, indent=False)
    doc.set_font(line.add_run(str(ISSUER)), doc.BODY_FONT, doc.SIZE_SMALL)
    doc.set_font(line.add_run(f"　　{doc.chinese_date(issued_on)}"), doc.BODY_FONT, doc.SIZE_SMALL)
    rule = doc.paragraph(document, "━" * 26, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    rule.runs[0].font.color.rgb = doc.RED

    for number, (category, items) in enumerate(grouped.items(), start=1):
        doc.heading(document, number, WorkInfo.Category(category).label)
        for info in items:
            title = doc.paragraph(document)
            doc.set_font(title.add_run(f"【{_source(info)}】{info.title}"), doc.HEADING_FONT, doc.SIZE_BODY, bold=True)
            for text in [p.strip() for p in info.body.splitlines() if p.strip()]:
                doc.paragraph(document, text)
    doc.paragraph(document, indent=False)
    doc.paragraph(
        document,
        _("报：市联席会议召集人、副召集人；送：市联席会议各成员单位，各涉农区特色小镇工作领导小组。"),
        size=doc.SIZE_SMALL,
        indent=False,
    )
    document.save(output)


def briefing_filename(period: datetime.date) -> str:
    return _("特色小镇建设工作简报%(year)s年%(month)s月.docx") % {"year": period.year, "month": period.month}
