"""What an uploaded .xlsx (the user import, the report import) is checked for before any parser reads it:
an OLE2 file is an old .xls or a workbook with an opening password, a workbook is a zip archive, and no
XML part of it may declare a DTD or entities (entity expansion)."""

import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

from openpyxl import load_workbook

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class ImportRejected(Exception):
    """The file cannot be imported; nothing was saved. `problems` say where and what (each has a `message`)."""

    def __init__(self, problems: list):
        super().__init__("; ".join(p.message for p in problems[:3]))
        self.problems = problems


def opened(data: bytes) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The workbook as the zip archive it is, with its parts (zipfile raises on a damaged one)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    return archive, archive.infolist()


def loaded(data: bytes):
    """The workbook for reading what its cells hold: read-only, formulas as written (a formula is refused
    where a number is expected, never evaluated) and external links left out (openpyxl raises on a damaged file)."""
    return load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)


@contextmanager
def opened_workbook(data: bytes, damaged: Exception) -> Iterator:
    """The workbook of an uploaded .xlsx (`loaded`, after `check_file`), closed again after the block;
    `damaged` is raised when it cannot be opened."""
    try:
        workbook = loaded(data)
    except Exception:  # openpyxl raises anything from KeyError to XML errors on a damaged file
        raise damaged from None
    try:
        yield workbook
    finally:
        workbook.close()


def cell_text(value) -> str:
    """A cell's value as text: "" when empty, 12 rather than 12.0 for a whole number typed into a text column."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def declares_entities(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo], *, suffixes, limit: int) -> bool:
    """Whether a part of the archive named with one of `suffixes` declares a DTD or entities. Every such part
    is read to its end (at most `limit` bytes), so a damaged one raises here: zipfile checks each CRC, and a
    declared size that lies is caught as well."""
    found = False
    for part in parts:
        if part.filename.endswith(suffixes):
            with archive.open(part) as stream:
                found |= bool(_DTD.search(stream.read(limit + 1)))
    return found
