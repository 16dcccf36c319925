"""What the pages of meetings, action items, plans and policies share: their page size and an uploaded file going
back out."""

from django.http import FileResponse, Http404

from tianjin_towns.lib import downloads

PER_PAGE = 20


def download(file_field, name: str, *, target: str) -> FileResponse:
    """The file as an attachment; `target` names it and what it belongs to in the security audit."""
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=name or file_field.name.rsplit("/", 1)[-1])
    return downloads.audited(response, target, exported=False)
