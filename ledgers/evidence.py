"""What may be attached to a report as evidence (原始记录, R-3.5): scans, photos and office documents.

A file is recognised by its first bytes, not by its name: the extension must name the type the
content really is, so a renamed executable or web page is refused as surely as an unknown extension.
"""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension → content type
ALLOWED = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
ACCEPT = ",".join(ALLOWED)  # for <input type="file" accept=…>


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int


def allowed_types_text() -> str:
    return _("PDF、JPG、PNG 图片或 Word（.docx）、Excel（.xlsx）文件")


def _sniff(head: bytes, file) -> str | None:
    if head.startswith(b"%PDF-"):
        return ALLOWED[".pdf"]
    if head.startswith(b"\xff\xd8\xff"):
        return ALLOWED[".jpg"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ALLOWED[".png"]
    if head.startswith(b"PK\x03\x04"):
        try:
            file.seek(0)
            names = set(zipfile.ZipFile(file).namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "word/document.xml" in names:
            return ALLOWED[".docx"]
        if "xl/workbook.xml" in names:
            return ALLOWED[".xlsx"]
    return None


def check_evidence_file(file: UploadedFile) -> CheckedFile:
    """The file's clean name, type and size, or a ValidationError on "file" in Chinese."""
    name = (getattr(file, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    size = getattr(file, "size", None) or 0
    limit = settings.EVIDENCE_UPLOAD_MAX_BYTES
    if not name:
        name = _("未命名文件")
    if size <= 0:
        raise ValidationError({"file": [_("「%(name)s」是空文件。") % {"name": name}]})
    if size > limit:
        raise ValidationError(
            {
                "file": [
                    _("「%(name)s」大小为 %(size)s，超过上限 %(limit)s。")
                    % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
                ]
            }
        )
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    expected = ALLOWED.get(extension)
    if expected is None:
        raise ValidationError(
            {"file": [_("「%(name)s」的类型不允许，请上传%(types)s。") % {"name": name, "types": allowed_types_text()}]}
        )
    file.seek(0)
    head = file.read(16)
    actual = _sniff(head, file)
    file.seek(0)
    if actual != expected:
        raise ValidationError(
            {"file": [_("「%(name)s」的内容与扩展名不符，可能已损坏或被改名，请上传原始文件。") % {"name": name}]}
        )
    return CheckedFile(name=name, content_type=expected, size=size)
