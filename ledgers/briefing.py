"""The monthly work briefing (工作简报) built from adopted work information (R-3.2), as a Word document.

A pure builder in the official document style (tianjin_towns.lib.documents): the items in, a .docx out.
"""

import datetime
import io
from typing import BinaryIO

from django.utils.translation import gettext as _

from tianjin_towns.lib import documents as doc

from .models import WorkInfo

DOCX = doc.DOCX  # the view's content type


def _source(info: WorkInfo) -> str:
    unit = info.org_unit
    return f"{unit.parent.name}{unit.name}" if unit.level == "town" and unit.parent else unit.name


def write_work_briefing(
    output: BinaryIO,
    *,
    period: datetime.date,
    grouped: dict[str, list[WorkInfo]],
    issued_on: datetime.date,
    number: str | None = None,
) -> None:
    """Masthead in red, the issue line (`number`, 2026年第12期; a preview says it is numbered when issued), then
    one numbered section per category with its items."""
    document = doc.official_document(
        title=briefing_title(period),
        author=str(doc.OFFICE),
    )

    doc.briefing_masthead(
        document,
        name=_("特色小镇建设工作简报"),
        issue=number,
        issuer=str(doc.OFFICE),
        issued_on=issued_on,
    )
    # The month it covers: the issue number counts issues, not months.
    doc.title(document, _("%(year)s年%(month)s月特色小镇建设工作动态") % {"year": period.year, "month": period.month})

    for number, (category, items) in enumerate(grouped.items(), start=1):
        doc.heading(document, number, WorkInfo.Category(category).label)
        for info in items:
            title = doc.paragraph(document)
            doc.set_font(title.add_run(f"【{_source(info)}】{info.title}"), doc.HEADING_FONT, doc.SIZE_BODY, bold=True)
            for text in [p.strip() for p in info.body.splitlines() if p.strip()]:
                doc.paragraph(document, text)
    doc.briefing_colophon(document, printed_on=issued_on)
    document.save(output)


def work_briefing_docx(
    period: datetime.date, grouped: dict[str, list[WorkInfo]], *, issued_on: datetime.date, number: str | None = None
) -> bytes:
    output = io.BytesIO()
    write_work_briefing(output, period=period, grouped=grouped, issued_on=issued_on, number=number)
    return output.getvalue()


def briefing_title(period: datetime.date) -> str:
    return _("特色小镇建设工作简报（%(year)s年%(month)s月）") % {"year": period.year, "month": period.month}


def briefing_filename(period: datetime.date) -> str:
    return _("特色小镇建设工作简报%(year)s年%(month)s月.docx") % {"year": period.year, "month": period.month}
