"""Files going out of the system: an uploaded file (only through a view that checked the permission, never by URL
alone) or a workbook or document built for the request, always as an attachment, and always recorded.

    return downloads.file_download(attachment.file, filename=attachment.name, target=f"附件 {attachment.name}（…）")
    return downloads.attachment(content, content_type=XLSX, filename=filename, target="统计台账 2026年 东丽区")

In production (DJANGO_MEDIA_ACCEL_REDIRECT=1) Django answers with X-Accel-Redirect and nginx sends the
bytes from its internal /protected-media/ location (deploy/nginx.conf); elsewhere Django streams the
file itself. Either way the file is an attachment that the browser may not sniff, render or script:
tianjin_towns.middleware.DownloadHeadersMiddleware adds those headers to every download.

The same middleware writes the security audit's row of every download (issue 22: who took which ledger, document or
file out of the system), from `taken`: the `target` the view named here (`audited`), else the file's name, so that
an export nobody labelled is still recorded. A refusal (403, 404) is no attachment and records nothing.
"""

import logging
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils.http import content_disposition_header, parse_header_parameters

logger = logging.getLogger(__name__)
ACCEL_PREFIX = "/protected-media/"
# How the audit names the format of an exported file, after what it holds: 统计台账 2026年 东丽区（Excel）.
FORMATS = {"xlsx": "Excel", "docx": "Word", "csv": "CSV", "pdf": "PDF"}


@dataclass(frozen=True)
class Taken:
    """What a download takes out: `exported` data (built from the database for this request) or a stored file
    (downloaded); `target` names it for the security audit, in Chinese."""

    target: str
    exported: bool


def file_download(
    field_file: FieldFile, *, filename: str, content_type: str = "application/octet-stream", target: str = ""
):
    """A stored file; `target` names it and what it belongs to (附件 签到表.pdf（会议 …）), else its file name."""
    if settings.MEDIA_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = ACCEL_PREFIX + quote(field_file.name)
    else:
        try:
            handle = field_file.open("rb")
        except FileNotFoundError as lost:
            # A record whose file is gone from storage (restored without its media, say): a clear refusal and an
            # error in the log for the administrator, not a server error.
            logger.error("stored file missing: %s", field_file.name)
            raise Http404 from lost
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return audited(response, target, exported=False) if target else response


def attachment(content: bytes, *, content_type: str, filename: str, target: str) -> HttpResponse:
    """A workbook or document built for this request; `target` names what it holds (统计台账 2026年 东丽区), the
    audit adds its format. A builder that writes into a file object may write into the response."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return audited(response, target, exported=True)


def audited(response: HttpResponseBase, target: str, *, exported: bool) -> HttpResponseBase:
    """Name what an attachment built otherwise (a stream, a finished background export) takes out."""
    response.taken = Taken(target, exported)
    return response


def taken(request: HttpRequest, response: HttpResponseBase) -> Taken | None:
    """What the response takes out of the system; None for anything but a successful attachment.

    A photo that a page shows as a thumbnail (<img>, Sec-Fetch-Dest: image) is part of the page, as the page's figures
    are, and is not recorded on every view of the page; opening or saving it is.
    """
    if response.status_code != 200 or request.method == "HEAD":
        return None
    disposition, params = parse_header_parameters(response.get("Content-Disposition", ""))
    if disposition != "attachment":
        return None
    if request.headers.get("Sec-Fetch-Dest") == "image" and response.get("Content-Type", "").startswith("image/"):
        return None
    filename = params.get("filename", "")
    stem, dot, extension = filename.rpartition(".")
    label = getattr(response, "taken", None)
    if label is None:  # a view that named nothing: the file's name says what it is
        stored = isinstance(response, FileResponse) or response.has_header("X-Accel-Redirect")
        label = Taken(filename if stored or not dot else stem, exported=not stored)
    file_format = FORMATS.get(extension.lower()) if dot else None
    if label.exported and file_format:
        return Taken(f"{label.target}（{file_format}）", exported=True)
    return label
