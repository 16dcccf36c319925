"""The demo's official documents (issue 20): one document of each kind issued through the same services as the
pages, so that 公文登记 and /api/v1/documents/ have something to show. Each is issued where its source exists and
has no document yet, so a second run issues nothing."""

import datetime
from collections import Counter

from coordination import services as org
from coordination.models import DocumentKind, IssuedDocument, Meeting, MeetingState, OrgUnit
from inspections import circulars
from inspections import selectors as inspection_selectors
from ledgers import selectors as ledger_selectors
from ledgers import services as ledger
from tianjin_towns.lib import dates

from .. import services
from ..models import Run, RunKind, RunStatus


def _issued(kind: str, source: str) -> bool:
    return IssuedDocument.objects.filter(kind=kind, source=source).exists()


def seed_documents(*, users: dict, today: datetime.date | None = None) -> Counter:
    today = today or dates.today()
    created: Counter = Counter()
    # The minutes of the joint conference's latest approved meeting, issued by the office's coordination group.
    meeting = (
        Meeting.objects.filter(state=MeetingState.MINUTES_APPROVED, org_unit__level=OrgUnit.Level.MUNICIPAL)
        .order_by("-held_on", "-pk")
        .first()
    )
    if meeting is not None and not _issued(DocumentKind.MINUTES, org.minutes_source(meeting)):
        org.meeting_minutes_issue(actor=users["office-coord"], meeting=meeting)
        created["documents"] += 1
    # The work briefing of the latest month with adopted work information.
    office_policy = users["office-policy"]
    month = next(iter(ledger_selectors.work_info_briefing_months(office_policy)), None)
    if month is not None and not _issued(DocumentKind.WORK_BRIEFING, ledger.work_briefing_source(month)):
        ledger.work_briefing_issue(actor=office_policy, period=month)
        created["documents"] += 1
    # The circular of overdue problems of the last ended quarter.
    year, quarter = inspection_selectors.quarter_of(dates.add_months(dates.month_start(today), -3))
    if not _issued(DocumentKind.CIRCULAR, circulars.circular_source(year, quarter)):
        circulars.circular_issue(actor=users["office-coord"], year=year, quarter=quarter)
        created["documents"] += 1
    # The briefing of the latest published semi-annual run and the results circular of the latest annual one.
    assessor = users["office-assess"]
    for kind, issue, document_kind in (
        (RunKind.SEMIANNUAL, services.run_briefing_issue, DocumentKind.ASSESSMENT_BRIEFING),
        (RunKind.ANNUAL, services.run_circular_issue, DocumentKind.RESULTS_CIRCULAR),
    ):
        run = Run.objects.filter(kind=kind, status=RunStatus.PUBLISHED).order_by("-scheme__year").first()
        if run is not None and not _issued(document_kind, services.run_document_source(run)):
            issue(actor=assessor, run=run)
            created["documents"] += 1
    return created
