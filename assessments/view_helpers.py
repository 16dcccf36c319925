"""Small helpers the assessment pages share."""

from django.http import HttpResponse

from tianjin_towns.lib import dates, downloads
from tianjin_towns.lib.pages import error_text  # noqa: F401 (the assessment pages import it from here)


def int_param(request, name: str) -> int | None:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


def year_param(request, default: int | None = None) -> int:
    year = int_param(request, "year")
    if year is None or not 2000 <= year <= 2100:
        return default or dates.today().year
    return year


def file_response(content: bytes, *, content_type: str, filename: str, target: str) -> HttpResponse:
    """A workbook or document as an attachment; `target` names it in the security audit (tianjin_towns.lib.downloads)."""
    return downloads.attachment(content, content_type=content_type, filename=filename, target=target)
