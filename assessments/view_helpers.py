"""Small helpers the assessment pages share."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from coordination.models import OrgUnit
from coordination.permissions import org_units_for_user
from tianjin_towns.lib import dates
from tianjin_towns.lib.pages import error_text  # noqa: F401 (the assessment pages import it from here)


def districts_for(user):
    return org_units_for_user(user).filter(level=OrgUnit.Level.DISTRICT).order_by("order", "code")


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


def file_response(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
