"""Who reads the documents issued (issue 20), the list of them, and what a document's page says of its issue.

An issued document goes to everyone it is addressed to: what the office issues (the circulars, the briefings,
the joint conference's minutes) to every user who reads data somewhere, its own staff, the districts, the towns and
the member units' liaisons; a district's minutes to those who reach the district or a town of it. The three
administrators read no data and no documents.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from tianjin_towns.lib import downloads
from tianjin_towns.lib.documents import DOCX
from tianjin_towns.lib.queries import narrowed

from .models import IssuedDocument, OrgUnit, UnitPerm
from .permissions import org_units_for_user, unit_perms_held

READS = {UnitPerm.VIEW_UNIT_DATA, UnitPerm.VIEW_SHARED_DATA}


def reads_documents(user: AbstractBaseUser) -> bool:
    """Whether the user reads data somewhere, and so the documents addressed to it (公文登记 in the bar)."""
    return bool(READS & unit_perms_held(user))


def documents_for_user(user: AbstractBaseUser) -> QuerySet[IssuedDocument]:
    if not reads_documents(user):
        return IssuedDocument.objects.none()
    units = org_units_for_user(user, UnitPerm.VIEW_UNIT_DATA).values("pk")
    above = org_units_for_user(user, UnitPerm.VIEW_UNIT_DATA).values("parent")
    return IssuedDocument.objects.filter(
        Q(issuer__level=OrgUnit.Level.MUNICIPAL) | Q(issuer__in=units) | Q(issuer__in=above)
    )


def get_document_for_user(user: AbstractBaseUser, pk) -> IssuedDocument:
    """An issued document the user reads; 404 otherwise."""
    return get_object_or_404(documents_for_user(user), pk=pk)


def issued_documents(
    user: AbstractBaseUser,
    *,
    kind: str | None = None,
    year: int | None = None,
    q: str | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[IssuedDocument]:
    """The documents the user reads, newest first, with their issuer, issuer's person and correction."""
    documents = narrowed(
        documents_for_user(user), kind=kind, year=year, issued_on__gte=since, issued_on__lte=until
    ).select_related("issuer", "issued_by__profile", "corrects")
    if q:
        documents = documents.filter(Q(number__icontains=q) | Q(title__icontains=q))
    return documents.prefetch_related("corrections")


@dataclass
class IssuePanel:
    """What a document's page shows of its issue: the current document, the earlier ones it corrected, and
    whether the user may issue it (or correct it) at `issue_url`."""

    current: IssuedDocument | None
    earlier: list[IssuedDocument] = field(default_factory=list)
    can_issue: bool = False
    issue_url: str = ""
    blocked: str = ""  # why it cannot be issued yet (考核结果尚未发布…), shown to those who may issue

    @property
    def correct_url(self) -> str:
        """Where 更正重发 posts: the issue, naming the current document it replaces."""
        joiner = "&" if "?" in self.issue_url else "?"
        return f"{self.issue_url}{joiner}corrects={self.current.pk}" if self.current else ""


def issue_panel(*, kind: str, source: str, can_issue: bool, issue_url: str, blocked: str = "") -> IssuePanel:
    """The panel of `source`'s document of `kind` (one query)."""
    documents = list(
        IssuedDocument.objects.filter(kind=kind, source=source).select_related("issued_by__profile").order_by("-pk")
    )
    current = next((d for d in documents if d.current), None)
    return IssuePanel(
        current=current,
        earlier=[d for d in documents if not d.current],
        can_issue=can_issue,
        issue_url=issue_url,
        blocked=blocked,
    )


def issued_file(document: IssuedDocument):
    """The file as issued, named with its number; the download is audited."""
    target = _("印发件 %(number)s %(title)s") % {"number": document.number, "title": document.title}
    return downloads.file_download(document.file, filename=document.filename, content_type=DOCX, target=target)
