"""PDF copies of the Word documents (issue 20), converted by LibreOffice where it is installed:
`soffice --headless --convert-to pdf`, in a profile and folder of its own for each conversion (two conversions at
once would otherwise share LibreOffice's profile and one of them fail). Without LibreOffice `available()` is False
and the pages offer the .docx alone."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

TIMEOUT_SECONDS = 120


def soffice() -> str | None:
    """LibreOffice's command: settings.LIBREOFFICE (a path), else `soffice` on the PATH; None without it."""
    configured = settings.LIBREOFFICE
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("soffice")


def available() -> bool:
    return soffice() is not None


class ConversionFailed(RuntimeError):
    """LibreOffice did not make the PDF (not installed, timed out, or refused the file)."""


# The blank page Writer inserts before a section that starts on an even page (the 版记's, when the text ends on an
# even page) is kept, unnumbered as GB/T 9704 wants it: without it the 版记 would print on the front of a sheet.
PDF_FILTER = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'


def docx_to_pdf(content: bytes) -> bytes:
    """The PDF of a .docx, as LibreOffice prints it."""
    command = soffice()
    if command is None:
        raise ConversionFailed("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="towns-pdf-") as folder:
        work = Path(folder)
        source = work / "document.docx"
        source.write_bytes(content)
        profile = (work / "profile").as_uri()
        try:
            subprocess.run(
                [command, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", PDF_FILTER,
                 "--outdir", str(work), str(source)],
                check=True, capture_output=True, timeout=TIMEOUT_SECONDS,
            )  # fmt: skip
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
            raise ConversionFailed(f"LibreOffice could not convert the document: {error}") from error
        result = work / "document.pdf"
        if not result.exists():
            raise ConversionFailed("LibreOffice made no PDF")
        return result.read_bytes()
