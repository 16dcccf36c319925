"""Fixtures of the inspection tests: uploaded files of each kind, a visit with problems, a private media root."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coordination.models import MemberUnit
from inspections import services

VISIT_DAY = datetime.date(2026, 7, 10)  # in the third quarter of 2026; the tests' "today" is later
TODAY = datetime.date(2026, 11, 20)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


DOCX = _zip("word/document.xml")
XLSX = _zip("xl/workbook.xml")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def evidence_photo() -> list[SimpleUploadedFile]:
    """The photo a rectification is reported with (reporting one needs evidence, EVIDENCE_REQUIRED)."""
    return [upload("整改.jpg", JPEG)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test stores its files in its own directory, so "nothing stored" can be checked on disk."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def land_bureau(db):
    return MemberUnit.objects.create(code="land", name="市国土房管局", order=11)


@pytest.fixture
def make_visit(world):
    def make(*, district=None, held_on=VISIT_DAY, kind="onsite_supervision", towns=None, **fields):
        district = district or world.dongli
        if towns is None:
            towns = [world.town] if district == world.dongli else [world.outsider_town]
        return services.visit_create(
            actor=world.users.office_coord,
            kind=kind,
            district=district,
            held_on=held_on,
            title=fields.pop("title", "第三季度现场督办服务"),
            towns=towns,
            **fields,
        )

    return make


@pytest.fixture
def make_problem(world):
    """make_problem(visit, …): an open problem assigned to the visit's district unless told otherwise."""

    def make(visit, **fields):
        defaults = {
            "category": "land",
            "description": "项目用地指标尚未落实，影响二期开工",
            "town": world.town if visit.district_id == world.dongli.pk else world.outsider_town,
            "due_on": visit.held_on + datetime.timedelta(days=30),
        }
        if "responsible_member_unit" not in fields:
            defaults["responsible_unit"] = visit.district
        return services.problem_create(actor=world.users.office_coord, visit=visit, **(defaults | fields))

    return make
