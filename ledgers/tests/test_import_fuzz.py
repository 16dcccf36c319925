"""The importer against hostile and malformed workbooks (R-3.7): at least 200 of them, generated in
memory, posted to the API. Each answers 400 with a Chinese message per problem (never a server error),
and the database is exactly as it was (never a partial import)."""

import datetime
import io
import random
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from coordination.models import Town
from ledgers import exports, services
from ledgers.models import MonthlyReport, ReportStatus, ReportValue
from ledgers.tests.quality import fill, template
from tianjin_towns.lib import dates

URL = "/api/v1/ledgers/import/"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
TAX, FIXED, INDUSTRY = "税收收入（万元）", "固定资产投资（万元）", "其中：特色产业投资（万元）"
HEADER = exports.HEADER_ROW


def _save(workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _edit(base: bytes, change) -> bytes:
    workbook = load_workbook(io.BytesIO(base))
    change(workbook["月度指标台账"], workbook)
    return _save(workbook)


def _rezip(base: bytes, change) -> bytes:
    """Rewrite the package part by part: change(name, bytes) → bytes, or None to drop the part."""
    source = zipfile.ZipFile(io.BytesIO(base))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = change(info.filename, source.read(info.filename))
            if content is not None:
                target.writestr(info.filename, content)
    return output.getvalue()


def _sheet_part(name: str) -> bool:
    return name.startswith("xl/worksheets/sheet1")


def _row(base: bytes, town: str = "T0101", period: str = "2026-09") -> int:
    ws = load_workbook(io.BytesIO(base), read_only=True)["月度指标台账"]
    for index, row in enumerate(ws.iter_rows(min_row=HEADER + 1, values_only=True), HEADER + 1):
        if row[1] == town and row[3] == period:
            return index
    raise LookupError(town)


def _cases(world) -> list[tuple[str, bytes]]:
    rng = random.Random(20261126)
    base = template(Town.objects.filter(district=world.dongli))
    valid = fill(base, {("T0101", "2026-09"): {TAX: 160}})  # a good file: the mutations below break it
    row = _row(base)
    # A file refused for its content whatever a corruption does to it (a corruption may leave it readable).
    refused = fill(base, {("T0101", "2026-09"): {TAX: "不是数字"}})
    return [
        *_not_xlsx_cases(rng, valid, refused),
        *_package_cases(valid, refused),
        *_layout_cases(valid, row),
        *_value_cases(valid, row),
        *_identity_cases(world, base, valid, row),
    ]


def _not_xlsx_cases(rng: random.Random, valid: bytes, refused: bytes) -> list[tuple[str, bytes]]:
    """Not an .xlsx at all: noise, other formats, zips that hold no workbook, cut or corrupted files."""
    cases: list[tuple[str, bytes]] = [("empty", b"")]
    for index in range(35):
        cases.append((f"random-{index}", rng.randbytes(rng.randint(1, 4000))))
    for index, text in enumerate(["区,小镇编码\n东丽区,T0101", "<html><body>台账</body></html>", "{}", "%PDF-1.7\n"]):
        cases.append((f"text-{index}", text.encode()))
    cases.append(("png", b"\x89PNG\r\n\x1a\n" + rng.randbytes(100)))
    cases.append(("xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(2000)))
    encrypted = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(500) + "EncryptionInfo".encode("utf-16-le")
    cases.append(("password-protected", encrypted + rng.randbytes(500)))
    cases.append(("zip-without-workbook", _zip({"readme.txt": b"hello"})))
    cases.append(("zip-with-junk-workbook", _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"junk"})))
    cases.append(("zip-encrypted-flag", _flag_encrypted(valid)))
    for index in range(30):
        cases.append((f"truncated-{index}", refused[: rng.randint(1, len(refused) - 1)]))
    for index in range(30):
        corrupted = bytearray(refused)
        for _flip in range(rng.randint(1, 20)):
            corrupted[rng.randrange(len(corrupted))] = rng.randrange(256)
        cases.append((f"bit-flips-{index}", bytes(corrupted)))
    return cases


def _package_cases(valid: bytes, refused: bytes) -> list[tuple[str, bytes]]:
    """Attacks on the package: sizes, zip bombs, XML entities, missing or broken parts."""
    cases: list[tuple[str, bytes]] = []
    # Size limits: too big to read, and a zip bomb that unpacks far beyond the limit.
    cases.append(("too-large", b"PK\x03\x04" + b"\x00" * (6 * 1024 * 1024)))
    bomb = _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>", "xl/bomb.xml": b"0" * (60 * 1024 * 1024)})
    cases.append(("zip-bomb", bomb))
    cases.append(
        ("zip-bomb-in-sheet", _rezip(refused, lambda n, c: c + b" " * (45 * 1024 * 1024) if _sheet_part(n) else c))
    )
    # XML that asks the parser to expand entities.
    entities = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    cases.append(
        ("dtd-in-sheet", _rezip(valid, lambda n, c: entities + c.split(b"?>", 1)[-1] if _sheet_part(n) else c))
    )
    cases.append(
        (
            "dtd-in-workbook",
            _rezip(valid, lambda n, c: entities + c.split(b"?>", 1)[-1] if n == "xl/workbook.xml" else c),
        )
    )
    cases.append(("no-sheets", _rezip(valid, lambda n, c: None if n.startswith("xl/worksheets/") else c)))
    cases.append(
        ("broken-shared-strings", _rezip(valid, lambda n, c: b"<sst><si>" if n == "xl/sharedStrings.xml" else c))
    )
    cases.append(("broken-styles", _rezip(valid, lambda n, c: b"<styleSheet" if n == "xl/styles.xml" else c)))
    return cases


def _layout_cases(valid: bytes, row: int) -> list[tuple[str, bytes]]:
    """The wrong workbook or sheet, and moved, changed or merged headers."""
    cases: list[tuple[str, bytes]] = []
    # The wrong workbook.
    other = Workbook()
    other.active.title = "Sheet1"
    other.active["A1"] = "不是台账"
    cases.append(("another-workbook", _save(other)))
    cases.append(("renamed-sheet", _edit(valid, lambda ws, wb: setattr(ws, "title", "台账"))))
    blank = Workbook()
    blank.active.title = "月度指标台账"
    cases.append(("blank-sheet", _save(blank)))
    cases.append(("header-only", _edit(valid, lambda ws, wb: ws.delete_rows(HEADER + 1, ws.max_row))))

    # Moved or changed headers.
    cases.append(("column-inserted", _edit(valid, lambda ws, wb: ws.insert_cols(1))))
    cases.append(("row-inserted-above-header", _edit(valid, lambda ws, wb: ws.insert_rows(1))))
    cases.append(("header-row-deleted", _edit(valid, lambda ws, wb: ws.delete_rows(HEADER))))
    for index, letter in enumerate("ABCDE"):
        cases.append(
            (
                f"identity-header-{letter}",
                _edit(valid, lambda ws, wb, letter=letter: ws.__setitem__(f"{letter}{HEADER}", "名称")),
            )
        )
        cases.append(
            (
                f"identity-header-empty-{index}",
                _edit(valid, lambda ws, wb, letter=letter: ws.__setitem__(f"{letter}{HEADER}", None)),
            )
        )
    cases.append(("swapped-identity", _edit(valid, _swap_columns("A", "B"))))
    cases.append(("unknown-indicator", _edit(valid, lambda ws, wb: ws.__setitem__(f"F{HEADER}", "GDP（亿元）"))))
    cases.append(("indicator-without-unit", _edit(valid, lambda ws, wb: ws.__setitem__(f"F{HEADER}", "固定资产投资"))))
    cases.append(("duplicate-indicator", _edit(valid, lambda ws, wb: ws.__setitem__(f"G{HEADER}", FIXED))))
    cases.append(
        ("formula-header", _edit(valid, lambda ws, wb: ws.__setitem__(f"F{HEADER}", '="固定资产投资（万元）"')))
    )
    for index, ref in enumerate(
        [f"A{HEADER}:B{HEADER}", f"F{HEADER}:G{HEADER}", f"A{row}:A{row + 1}", f"I{row}:J{row}"]
    ):
        cases.append((f"merged-{index}", _edit(valid, lambda ws, wb, ref=ref: ws.merge_cells(ref))))
    return cases


def _value_cases(valid: bytes, row: int) -> list[tuple[str, bytes]]:
    """Formulas instead of values, and hostile values in number cells."""
    cases: list[tuple[str, bytes]] = []
    for index, formula in enumerate(["=1+1", "=SUM(F4:F5)", "=F4*0.6", '=INDIRECT("A1")', "=1/0", "=NOW()"]):
        cases.append((f"formula-{index}", _edit(valid, lambda ws, wb, f=formula: ws.__setitem__(f"I{row}", f))))
    cases.append(
        ("array-formula", _edit(valid, lambda ws, wb: ws.__setitem__(f"I{row}", ArrayFormula(f"I{row}", "={1}"))))
    )
    cases.append(("formula-town-code", _edit(valid, lambda ws, wb: ws.__setitem__(f"B{row}", '="T0101"'))))

    hostile = [
        -1, -0.01, 1e20, 10**30, 99999999999999.5, 1.234, 0.001, "abc", "1,2,3", "十二", "1e5", "NaN", "inf", "-inf",
        "12%", "1 000", "--5", "0x1F", "１２", "=1", "'12", True, False, datetime.datetime(2026, 9, 1),
        datetime.time(12, 0), "#DIV/0!", "null", "1.2.3", "万元", " ", "\u200b", "<script>", "1;DROP TABLE", "9" * 400,
    ]  # fmt: skip
    for index, value in enumerate(hostile):
        cases.append((f"tax-{index}", _edit(valid, lambda ws, wb, v=value: ws.__setitem__(f"I{row}", v))))
    integers = [2.5, -3, "两家", 1e18]
    for index, value in enumerate(integers):
        cases.append((f"enterprises-{index}", _edit(valid, lambda ws, wb, v=value: ws.__setitem__(f"M{row}", v))))
    cases.append(("part-above-whole", fill(valid, {("T0101", "2026-09"): {FIXED: 10, INDUSTRY: 20}})))
    return cases


def _identity_cases(world, base: bytes, valid: bytes, row: int) -> list[tuple[str, bytes]]:
    """Identity problems: unknown towns, wrong names and districts, duplicates, bad months, too many rows."""
    cases: list[tuple[str, bytes]] = []
    identity = [
        ("B", "T9999"), ("B", "T0201"), ("B", None), ("B", 0), ("C", "另一个小镇"), ("A", "西青区"),
        ("A", None), ("D", "2026/09"), ("D", "九月"), ("D", 202609), ("D", "2026-13"), ("D", None),
    ]  # fmt: skip
    for index, (letter, value) in enumerate(identity):
        cases.append(
            (f"identity-{index}", _edit(valid, lambda ws, wb, col=letter, v=value: ws.__setitem__(f"{col}{row}", v)))
        )
    cases.append(("duplicate-town-row", _edit(valid, _duplicate_row(row))))
    outsider = template(Town.objects.filter(pk=world.outsider_town.pk))
    cases.append(("other-districts-template", fill(outsider, {("T0201", "2026-09"): {TAX: 1}})))
    cases.append(("nothing-filled", base))
    cases.append(("too-many-rows", _edit(valid, _many_rows(5100))))
    return cases


def _zip(parts: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return output.getvalue()


def _flag_encrypted(data: bytes) -> bytes:
    """Set the 'encrypted' bit on every local and central header, as a password-protected zip has."""
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := patched.find(signature, start)) != -1:
            patched[start + offset] |= 0x1
            start += 4
    return bytes(patched)


def _swap_columns(first: str, second: str):
    def change(ws, wb):
        for cells in ws.iter_rows(min_row=HEADER):
            a, b = cells[ord(first) - 65], cells[ord(second) - 65]
            a.value, b.value = b.value, a.value

    return change


def _duplicate_row(row: int):
    def change(ws, wb):
        ws.insert_rows(row + 1)
        for column in range(1, ws.max_column + 1):
            ws.cell(row + 1, column).value = ws.cell(row, column).value

    return change


def _many_rows(count: int):
    def change(ws, wb):
        ws.delete_rows(HEADER + 1, ws.max_row)
        for index in range(count):
            ws.append(["东丽区", f"X{index}", "小镇", "2026-08", "未报送", 1])

    return change


@pytest.fixture
def locked_and_accepted(world, make_report):
    """State the workbooks run into: an accepted report and a month locked as missing."""
    make_report(ReportStatus.ACCEPTED, town=world.town2)
    Town.objects.filter(pk=world.town.pk).update(reporting_from=datetime.date(2026, 9, 1))
    services.monthly_reports_mark_missing(today=datetime.date(2026, 10, 27))


def test_two_hundred_hostile_workbooks_are_refused_cleanly(world, api, settings, locked_and_accepted):
    settings.LEDGER_IMPORT_MAX_BYTES = 5 * 1024 * 1024
    cases = _cases(world)
    # And the state-dependent ones: the accepted report and the locked month, each with a valid figure.
    base = template(Town.objects.filter(district=world.dongli))
    cases.append(("accepted-report", fill(base, {("T0102", "2026-09"): {TAX: 1}})))
    cases.append(("locked-month", fill(base, {("T0101", "2026-09"): {TAX: 1}})))
    assert len(cases) >= 200
    client = api(world.users.officer)
    before = (
        list(MonthlyReport.objects.order_by("pk").values_list("pk", "status", "timeliness")),
        sorted(ReportValue.objects.values_list("report_id", "indicator_id", "value")),
    )
    for name, data in cases:
        body = {
            "file": SimpleUploadedFile("台账.xlsx", data),
            "period": dates.format_period(datetime.date(2026, 9, 1)),
            "district": world.dongli.pk,
        }
        response = client.post(URL, body, format="multipart")
        assert response.status_code == 400, (name, response.status_code, response.content[:300])
        errors = response.json()["errors"]
        assert errors, name
        for error in errors:
            assert set(error) == {"sheet", "row", "column", "message"}, name
            assert CHINESE.search(error["message"]), (name, error)
    after = (
        list(MonthlyReport.objects.order_by("pk").values_list("pk", "status", "timeliness")),
        sorted(ReportValue.objects.values_list("report_id", "indicator_id", "value")),
    )
    assert after == before  # no case imported anything, not even in part
