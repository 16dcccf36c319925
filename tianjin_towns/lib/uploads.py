"""What every check of an uploaded file shares (visit and problem files, report evidence, project attachments):
the file's own name and extension, and the type its first bytes say it is. A file is recognised by its
content, not by its name alone: a check compares the two, so a renamed executable is refused as surely as
an unknown extension."""

import zipfile

JPEG, PNG, WEBP, HEIC, PDF = "image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def base_name(file) -> str:
    """The uploaded file's name without the folders a browser may send with it (C:\\照片\\现场.jpg → 现场.jpg)."""
    return (getattr(file, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]


def extension_of(name: str) -> str:
    """ ".pdf" for "批复.PDF"; "" for a name without a dot."""
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def sniffed_type(file) -> str | None:
    """The content type the file's bytes are (JPEG, PNG, WebP, HEIC, PDF, Word .docx, Excel .xlsx); None for
    anything else. The file is read from its start and left at its start."""
    file.seek(0)
    head = file.read(16)
    content_type = _sniff(head, file)
    file.seek(0)
    return content_type


def _sniff(head: bytes, file) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return HEIC
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            file.seek(0)
            names = set(zipfile.ZipFile(file).namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None
