"""PDF copies of the Word documents (issue 20): asked for on the document's page, made in the background by
LibreOffice (tianjin_towns.lib.pdf) as an export job with its progress page, and downloaded from there.

The .docx is made by the document's own view, called as the job's owner (`_docx_as`), so the PDF holds what
the owner's .docx holds and the view's door decides, now and when the job runs, whether the owner may have it.
Where LibreOffice is not installed the pages offer no PDF (`available`) and this refuses one.
"""

from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.urls import Resolver404, resolve
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext as _

from tianjin_towns.lib import pdf
from tianjin_towns.lib.documents import DOCX

from .models import ExportJob
from .services import jobs

KIND = "document_pdf"
# The pages of Word documents that offer a PDF copy (URL names of their .docx views).
SOURCES = frozenset(
    {
        "meeting-minutes-docx",
        "inspection-circular-docx",
        "assessment-run-briefing-docx",
        "work-info-briefing",
        "assessment-run-circular-docx",
        "document-file",  # a document as issued (公文登记)
    }
)


def available() -> bool:
    return pdf.available()


def _docx_as(user: AbstractBaseUser, path: str) -> tuple[str, bytes]:
    """(file name, content) of the .docx that `path`'s view gives `user`; 404 for any other answer (a refusal, a
    page that is not a document, a redirect when the document is empty)."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404 as missing:
        raise Http404 from missing
    if match.url_name not in SOURCES:
        raise Http404
    request = RequestFactory().get(path)
    request.user = user
    request._messages = CookieStorage(request)  # a view that would warn instead answers a redirect: refused below
    response = match.func(request, *match.args, **match.kwargs)
    if response.status_code != 200 or not response.get("Content-Type", "").startswith(DOCX):
        raise Http404
    _disposition, params = parse_header_parameters(response["Content-Disposition"])
    content = b"".join(response.streaming_content) if response.streaming else response.content  # a kept file streams
    return params.get("filename", "document.docx"), content


def pdf_request(*, actor: AbstractBaseUser, path: str, back_link: str = "") -> ExportJob:
    """A PDF copy of the document at `path` (a .docx view's URL) for `actor`, queued as an export job."""
    if not available():
        raise Http404
    filename, _content = _docx_as(actor, path)
    title = _("%(name)s（PDF）") % {"name": filename.removesuffix(".docx")}
    return jobs.export_job_create(actor=actor, kind=KIND, title=title, params={"path": path}, back_link=back_link)


def pdf_build(*, job_id: int) -> None:
    """The job's work: the .docx as its owner may have it now, then LibreOffice's PDF of it."""
    job = jobs.export_job_start(job_id=job_id)
    if job is None:
        return
    jobs.export_job_progress(job_id=job_id, done=0, total=2)
    try:
        filename, content = _docx_as(job.owner, job.params["path"])
    except (Http404, PermissionDenied):
        jobs.export_job_fail(job_id=job_id, error=_("您已无权查看该文档，或文档已不存在。"))
        return
    jobs.export_job_progress(job_id=job_id, done=1, total=2)
    jobs.export_job_finish(
        job_id=job_id, filename=filename.removesuffix(".docx") + ".pdf", content=pdf.docx_to_pdf(content)
    )
