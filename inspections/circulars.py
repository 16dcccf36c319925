"""Issuing the circular of overdue problems (督办通报, R-5.6; issue 20): a service kept beside services.py, which is
near the size at which it would be split, so that every write still has one named function.

The circular goes out in the office's name with the office's next document number (津特镇办〔2026〕N号); its
content is every district's overdue problems of the period as the issuing user reads them (the office reads
them all)."""

import datetime
import io

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse

from coordination import services as org
from coordination.models import DocumentKind, IssuedDocument
from tianjin_towns.lib import dates

from . import exports, selectors


def circular_source(year: int, quarter: int | None) -> str:
    return f"circular:{year}" if quarter is None else f"circular:{year}-Q{quarter}"


def circular_url(year: int, quarter: int | None) -> str:
    """The circular's page for the period."""
    return reverse("inspection-circular") + f"?year={year}" + (f"&quarter={quarter}" if quarter else "")


def circular_docx(circular: selectors.Circular, year: int, quarter: int | None, **numbering) -> bytes:
    """The circular of the period (`numbering`: its number and date of issue; without, a preview dated today)."""
    output = io.BytesIO()
    numbering.setdefault("issued_on", dates.today())
    exports.write_circular_docx(output, circular=circular, title=exports.circular_title(year, quarter), **numbering)
    return output.getvalue()


def circular_issue(
    *,
    actor: AbstractBaseUser,
    year: int,
    quarter: int | None,
    corrects: IssuedDocument | None = None,
    reason: str = "",
) -> IssuedDocument:
    """印发 the period's circular (or 更正重发 it)."""
    start, end = selectors.period_bounds(year, quarter)
    circular = selectors.overdue_circular(districts=selectors.districts_for_user(actor), start=start, end=end)

    def build(number: str, issued_on: datetime.date) -> bytes:
        return circular_docx(circular, year, quarter, number=number, issued_on=issued_on)

    return org.document_issue(
        actor=actor,
        kind=DocumentKind.CIRCULAR,
        source=circular_source(year, quarter),
        title=exports.circular_title(year, quarter),
        build=build,
        filename=exports.circular_filename(year, quarter),
        source_url=circular_url(year, quarter),
        corrects=corrects,
        reason=reason,
    )
