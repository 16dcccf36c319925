"""Excel workbooks for the archives (R-3.7): pure builders, rows in, workbook out."""

from typing import BinaryIO

from django.db.models import QuerySet

from coordination.models import Town


def write_ledger_workbook(output: BinaryIO, *, towns: QuerySet[Town], year: int) -> None:
    """Write the year's ledger workbook (monthly indicators sheet, project ledger sheet) for `towns` to `output`."""
    raise NotImplementedError


def ledger_export_filename(*, year: int, scope: str) -> str:
    """e.g. '特色小镇统计台账_2025_东丽区.xlsx'."""
    raise NotImplementedError
