"""What may be uploaded to a visit or a problem: photos and office documents, each within the size limit.

A file is recognised by its first bytes, not by its name alone: the extension must name the type the
content really is, so a renamed executable is refused as surely as an unknown extension.
"""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}

# extension → (kind, content type)
ALLOWED = {
    ".jpg": ("photo", "image/jpeg"),
    ".jpeg": ("photo", "image/jpeg"),
    ".png": ("photo", "image/png"),
    ".webp": ("photo", "image/webp"),
    ".heic": ("photo", "image/heic"),
    ".heif": ("photo", "image/heic"),
    ".pdf": ("document", "application/pdf"),
    ".docx": ("document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("document", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
MAX_FILES = 20  # per upload
PHOTO_ACCEPT = "image/*"
DOCUMENT_ACCEPT = ".pdf,.docx,.xlsx"


@dataclass(frozen=True)
class CheckedFile:
    file: UploadedFile
    name: str
    extension: str
    kind: str
    content_type: str
    size: int


def max_upload_bytes() -> int:
    return settings.INSPECTIONS_UPLOAD_MAX_BYTES


def allowed_types_text() -> str:
    return _("图片（JPEG、PNG、WebP、HEIC）或文档（PDF、Word .docx、Excel .xlsx）")


def _sniff(head: bytes, file: UploadedFile) -> str | None:
    """The content type the bytes are, among those allowed; None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            file.seek(0)
            names = set(zipfile.ZipFile(file).namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "word/document.xml" in names:
            return ALLOWED[".docx"][1]
        if "xl/workbook.xml" in names:
            return ALLOWED[".xlsx"][1]
    return None


def check_upload(file: UploadedFile) -> CheckedFile:
    """The file's kind and type, or a ValidationError in Chinese naming the file and what is wrong."""
    name = (getattr(file, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200] or _("未命名文件")
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    size = file.size or 0
    if size == 0:
        raise ValidationError(_("文件“%(name)s”是空文件，请重新选择。") % {"name": name}, code="empty")
    limit = max_upload_bytes()
    if size > limit:
        raise ValidationError(
            _("文件“%(name)s”大小为 %(size)s，超过上限 %(limit)s。")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    refused = _("文件“%(name)s”的类型不允许上传：只能上传%(allowed)s。") % {
        "name": name,
        "allowed": allowed_types_text(),
    }
    if extension not in ALLOWED:
        raise ValidationError(refused, code="type")
    file.seek(0)
    head = file.read(16)
    content_type = _sniff(head, file)
    file.seek(0)
    kind, expected = ALLOWED[extension]
    if content_type != expected:
        raise ValidationError(refused, code="type")
    return CheckedFile(file=file, name=name, extension=extension, kind=kind, content_type=content_type, size=size)


def check_uploads(files) -> list[CheckedFile]:
    """Every file checked; all errors at once, so the user fixes them in one go."""
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise ValidationError(_("一次最多上传 %(n)s 个文件。") % {"n": MAX_FILES}, code="too_many")
    checked, errors = [], []
    for file in files:
        try:
            checked.append(check_upload(file))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked
