"""Issuing official documents (issue 20): the next number of the register, the file made with it and kept.

The apps that write documents (the minutes here, the work briefing in ledgers, the circular in inspections, the
briefing and the results circular in assessments) check who may issue on their own pages and call
`document_issue` with a `build` that writes their .docx for a number and a date. The numbers of a series are
given one at a time: the register's row for the series, unit and year is locked until the issue commits, so two
issues at once get two numbers; an issue that fails gives its number back with everything else.
"""

import datetime
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from ..models import DocumentKind, DocumentSequence, IssuedDocument, Meeting, MeetingState, OrgUnit
from ..models.documents import SERIES, document_number
from ..people_selectors import municipality

# build(number, issued_on) → the .docx with that number and date in it
Build = Callable[[str, datetime.date], bytes]


def _next_serial(*, series: str, issuer: OrgUnit, year: int) -> int:
    """The next number of the series, taken under the lock of its register row (created the first time; ON
    CONFLICT DO NOTHING waits for a concurrent creation instead of failing)."""
    DocumentSequence.objects.bulk_create(
        [DocumentSequence(series=series, issuer=issuer, year=year)], ignore_conflicts=True
    )
    sequence = DocumentSequence.objects.select_for_update().get(series=series, issuer=issuer, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def document_issue(
    *,
    actor: AbstractBaseUser,
    kind: str,
    source: str,
    title: str,
    build: Build,
    filename: str,
    source_url: str = "",
    corrects: IssuedDocument | None = None,
    reason: str = "",
    issued_on: datetime.date | None = None,
    issuer: OrgUnit | None = None,
) -> IssuedDocument:
    """Issue the document of `source`: its number in `issuer`'s register (the office's, the municipality, unless
    given), its file made by `build` with that number, kept as issued under `filename` after its number.

    A source has one current document: issuing it again is refused; a correction (`corrects`, with its `reason`)
    is a new document with a new number that replaces the current one, which stays on record."""
    reason = reason.strip()
    if corrects is not None and not reason:
        raise ValidationError({"reason": _("请说明更正原因。")})
    series = SERIES[kind]
    issued_on = issued_on or dates.today()
    issuer = issuer or municipality()  # the office's documents are numbered in the municipality's register
    with transaction.atomic():
        serial = _next_serial(series=series, issuer=issuer, year=issued_on.year)
        current = IssuedDocument.objects.select_for_update().filter(kind=kind, source=source, current=True).first()
        if corrects is None and current is not None:
            raise ConflictError(
                _("该文件已于%(date)s印发（%(number)s），不能重复印发；如需修改，请更正重发。")
                % {"date": dates.chinese_date(current.issued_on), "number": current.number}
            )
        if corrects is not None and (current is None or current.pk != corrects.pk):
            raise ConflictError(_("只能更正现行有效的印发件，该文件已被更正或不属于此处。"))
        number = document_number(series, issued_on.year, serial)
        # A correction says, under its own number, which document it corrects.
        shown = number if corrects is None else f"{number}\n" + _("（更正%(number)s）") % {"number": corrects.number}
        content = build(shown, issued_on)
        filename = f"{number}_{filename}"  # the number first, as the office files them
        if corrects is not None:
            IssuedDocument.objects.filter(pk=corrects.pk).update(current=False)
        document = IssuedDocument(
            kind=kind,
            series=series,
            issuer=issuer,
            year=issued_on.year,
            serial=serial,
            number=number,
            title=title[:200],
            issued_on=issued_on,
            issued_by=actor,
            source=source,
            source_url=source_url,
            filename=filename,
            corrects=corrects,
            correction_reason=reason,
        )
        document.file.save(filename, ContentFile(content), save=False)
        try:
            with transaction.atomic():
                document.save()
        except IntegrityError as clash:  # issued meanwhile under another year's register (around New Year)
            document.file.delete(save=False)
            raise ConflictError(_("该文件刚刚已由他人印发，请刷新页面查看。")) from clash
    return document


# --- The coordination app's own document: the minutes ------------------------------------------------------


def minutes_source(meeting: Meeting) -> str:
    return f"meeting:{meeting.pk}"


def minutes_not_issuable(meeting: Meeting) -> str:
    """Why the minutes cannot be issued now, '' when they can (the page says it beside the disabled 印发)."""
    return "" if meeting.state == MeetingState.MINUTES_APPROVED else _("纪要审定后才能印发。")


def meeting_minutes_issue(
    *, actor: AbstractBaseUser, meeting: Meeting, corrects: IssuedDocument | None = None, reason: str = ""
) -> IssuedDocument:
    """印发 approved minutes, numbered in the host unit's register of minutes (2026年第3期)."""
    from .. import exports, selectors  # the builder and its reads; they do not import the services

    if refusal := minutes_not_issuable(meeting):
        raise ConflictError(refusal)
    units, member_units = selectors.meeting_attendee_units(meeting)

    def build(number: str, issued_on: datetime.date) -> bytes:
        return exports.minutes_docx(
            meeting,
            decisions=selectors.meeting_decisions(meeting),
            attendee_units=units,
            attendee_member_units=member_units,
            number=number,
            issued_on=issued_on,
        )

    return document_issue(
        actor=actor,
        kind=DocumentKind.MINUTES,
        source=minutes_source(meeting),
        issuer=meeting.org_unit,
        title=f"{meeting.title}{_('会议纪要')}",
        build=build,
        filename=exports.minutes_filename(meeting),
        source_url=reverse("meeting-detail", args=[meeting.pk]),
        corrects=corrects,
        reason=reason,
    )
