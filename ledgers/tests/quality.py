"""Helpers shared by the data-quality tests (issue 3): accepted history, uploads, the export template."""

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from conftest import let_file  # noqa: F401 (re-exported for the ledgers tests)
from coordination.models import Town
from ledgers import exports
from ledgers.models import Indicator, MonthlyReport, ReportStatus, ReportValue
from tianjin_towns.lib import dates

SEPT = datetime.date(2026, 9, 1)
AUG = datetime.date(2026, 8, 1)


def accepted_history(town: Town, series: dict[datetime.date, dict[str, object]]) -> list[MonthlyReport]:
    """Accepted months written directly (test set-up for the rules that compare with a town's history)."""
    indicators = {i.code: i for i in Indicator.objects.all()}
    reports = []
    for period, values in series.items():
        report = MonthlyReport.objects.create(
            town=town, period=period, due_on=dates.report_due_date(period), status=ReportStatus.ACCEPTED
        )
        ReportValue.objects.bulk_create(
            [
                ReportValue(report=report, indicator=indicators[code], value=Decimal(str(v)))
                for code, v in values.items()
            ]
        )
        reports.append(report)
    return reports


def months_before(period: datetime.date, count: int) -> list[datetime.date]:
    return [dates.add_months(period, -offset) for offset in range(count, 0, -1)]


def pdf(name: str = "原始台账.pdf", size: int = 0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n% test scan\n" + b"0" * size + b"\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def template(towns, year: int = 2026) -> bytes:
    """The ledger export of `towns` for `year`: the import's own template."""
    output = io.BytesIO()
    exports.write_ledger_workbook(output, towns=towns, year=year)
    return output.getvalue()


def fill(data: bytes, rows: dict[tuple[str, str], dict[str, object]], *, sheet: str = "月度指标台账") -> bytes:
    """Type figures into the template: {(town code, "YYYY-MM"): {header text or column letter: value}}."""
    workbook = load_workbook(io.BytesIO(data))
    ws = workbook[sheet]
    headers = {cell.value: cell.column_letter for cell in ws[exports.HEADER_ROW] if cell.value}
    for row in ws.iter_rows(min_row=exports.HEADER_ROW + 1):
        key = (row[1].value, row[3].value)
        if key in rows:
            for column, value in rows[key].items():
                ws[f"{headers.get(column, column)}{row[0].row}"] = value
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def row_number(data: bytes, town_code: str, period: str) -> int:
    ws = load_workbook(io.BytesIO(data), read_only=True)["月度指标台账"]
    for index, row in enumerate(ws.iter_rows(min_row=exports.HEADER_ROW + 1, values_only=True), exports.HEADER_ROW + 1):
        if row[1] == town_code and row[3] == period:
            return index
    raise LookupError((town_code, period))
