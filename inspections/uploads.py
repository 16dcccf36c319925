"""What may be uploaded to a visit or a problem: photos and office documents, each within the size limit.

A file is recognised by its first bytes, not by its name alone: the extension must name the type the
content really is, so a renamed executable is refused as surely as an unknown extension.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tianjin_towns.lib import uploads
from tianjin_towns.lib.uploads import DOCX, HEIC, JPEG, PDF, PNG, WEBP, XLSX

# extension → (kind, content type)
ALLOWED = {
    ".jpg": ("photo", JPEG),
    ".jpeg": ("photo", JPEG),
    ".png": ("photo", PNG),
    ".webp": ("photo", WEBP),
    ".heic": ("photo", HEIC),
    ".heif": ("photo", HEIC),
    ".pdf": ("document", PDF),
    ".docx": ("document", DOCX),
    ".xlsx": ("document", XLSX),
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


def check_upload(file: UploadedFile) -> CheckedFile:
    """The file's kind and type, or a ValidationError in Chinese naming the file and what is wrong."""
    name = uploads.base_name(file)[:200] or _("未命名文件")
    extension = uploads.extension_of(name)
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
    content_type = uploads.sniffed_type(file)
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
