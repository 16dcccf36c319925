"""Meeting minutes as a Word document (.docx) in the usual government layout (python-docx).

A pure builder: the meeting and its related rows in, bytes out. The page, fonts, title, headings and
table cells are the official document style of tianjin_towns.lib.documents; this module lays out the
minutes: the title, a table of the meeting's facts, the sections (参会人员, 会议议程, 会议纪要, 议定事项),
the issuing unit and date at the bottom right, then the 版记 (抄送 the attending units).
"""

import datetime
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx.shared import Cm

from tianjin_towns.lib import documents as doc

from .models import Decision, Meeting, MemberUnit, OrgUnit


def minutes_docx(
    meeting: Meeting,
    *,
    decisions: list[Decision],
    attendee_units: list[OrgUnit],
    attendee_member_units: list[MemberUnit],
    number: str | None = None,
    issued_on: datetime.date | None = None,
) -> bytes:
    """The minutes of `meeting`; `decisions` come with their action items prefetched. Issued, they carry their
    `number` (2026年第3期) under the title and the date of issue; a preview says where the number will stand."""
    document = doc.official_document(title=f"{meeting.title}{_('会议纪要')}", author=meeting.org_unit.name)
    doc.title(document, meeting.title, _("会议纪要"))
    doc.number_line(document, number)
    doc.paragraph(document, indent=False)
    _facts_table(document, meeting, [u.name for u in attendee_units] + [m.name for m in attendee_member_units])
    doc.paragraph(document, indent=False)

    number = 1
    if meeting.attendee_lines:
        doc.heading(document, number, _("参会人员"))
        doc.paragraph(document, "；".join(meeting.attendee_lines) + "。")
        number += 1
    doc.heading(document, number, _("会议议程"))
    for index, line in enumerate(meeting.agenda_lines, start=1):
        doc.paragraph(document, f"（{doc.chinese_number(index) if index <= 10 else index}）{line}")
    if not meeting.agenda_lines:
        doc.paragraph(document, _("（未填写）"))
    number += 1
    doc.heading(document, number, _("会议纪要"))
    paragraphs = [line.strip() for line in meeting.minutes.splitlines() if line.strip()]
    for text in paragraphs or [_("（未填写）")]:
        doc.paragraph(document, text)
    number += 1
    doc.heading(document, number, _("议定事项"))
    if not decisions:
        doc.paragraph(document, _("（无）"))
    for index, decision in enumerate(decisions, start=1):
        doc.paragraph(document, f"{index}. {decision.text}")
        for item in decision.action_items.all():
            due = doc.chinese_date(item.due_on)
            doc.paragraph(
                document,
                _("责任单位：%(unit)s；责任人：%(owner)s；办结时限：%(due)s。")
                % {"unit": item.responsible_name, "owner": item.owner, "due": due},
                size=doc.SIZE_SMALL,
            )

    doc.paragraph(document, indent=False)
    doc.paragraph(document, indent=False)
    day = issued_on or (
        timezone.localdate(meeting.minutes_approved_at) if meeting.minutes_approved_at else meeting.held_on
    )
    doc.signature(document, meeting.org_unit.name, doc.chinese_date(day))
    attending = [u.name for u in attendee_units] + [m.name for m in attendee_member_units]
    doc.colophon(document, copied_to="，".join(attending), issuer=meeting.org_unit.name, printed_on=day)

    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _facts_table(document, meeting: Meeting, units: list[str]) -> None:
    """Name, kind, host, date, place, convener, state and attending units, two facts a row."""
    table = doc.table(document, rows=0, cols=4)
    rows = [
        (_("会议名称"), meeting.title, None, None),
        (_("会议类别"), meeting.get_kind_display(), _("主办单位"), meeting.org_unit.name),
        (_("会议时间"), doc.chinese_date(meeting.held_on), _("会议地点"), meeting.place or "—"),
        (_("召集人"), meeting.convener or "—", _("纪要状态"), meeting.get_state_display()),
    ]
    for label, value, label2, value2 in rows:
        cells = table.add_row().cells
        doc.cell(cells[0], label, bold=True)
        if label2 is None:
            doc.cell(cells[1].merge(cells[3]), value)
        else:
            doc.cell(cells[1], value)
            doc.cell(cells[2], label2, bold=True)
            doc.cell(cells[3], value2)
    cells = table.add_row().cells
    doc.cell(cells[0], _("参会单位"), bold=True)
    doc.cell(cells[1].merge(cells[3]), "、".join(units) or "—")
    for row in table.rows:
        row.cells[0].width = Cm(2.6)


def minutes_filename(meeting: Meeting) -> str:
    return f"{meeting.held_on:%Y%m%d}-{meeting.title}-{_('会议纪要')}.docx"
