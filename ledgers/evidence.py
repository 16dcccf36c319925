"""What may be attached to a report as evidence (原始记录, R-3.5): scans, photos and office documents.

A file is recognised by its first bytes, not by its name: the extension must name the type the
content really is, so a renamed executable or web page is refused as surely as an unknown extension.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tianjin_towns.lib import uploads
from tianjin_towns.lib.uploads import DOCX, JPEG, PDF, PNG, XLSX

# extension → content type
ALLOWED = {".pdf": PDF, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG, ".xlsx": XLSX, ".docx": DOCX}
ACCEPT = ",".join(ALLOWED)  # for <input type="file" accept=…>


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int


def allowed_types_text() -> str:
    return _("PDF、JPG、PNG 图片或 Word（.docx）、Excel（.xlsx）文件")


def check_evidence_file(file: UploadedFile) -> CheckedFile:
    """The file's clean name, type and size, or a ValidationError on "file" in Chinese."""
    name = uploads.base_name(file).strip()[:200]
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
    expected = ALLOWED.get(uploads.extension_of(name))
    if expected is None:
        raise ValidationError(
            {"file": [_("「%(name)s」的类型不允许，请上传%(types)s。") % {"name": name, "types": allowed_types_text()}]}
        )
    if uploads.sniffed_type(file) != expected:
        raise ValidationError(
            {"file": [_("「%(name)s」的内容与扩展名不符，可能已损坏或被改名，请上传原始文件。") % {"name": name}]}
        )
    return CheckedFile(name=name, content_type=expected, size=size)
