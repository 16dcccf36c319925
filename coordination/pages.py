"""What the pages of meetings, action items, plans and policies share: their page size and an uploaded file going
back out."""

from django.http import FileResponse, Http404

PER_PAGE = 20


def download(file_field, name: str) -> FileResponse:
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=name or file_field.name.rsplit("/", 1)[-1])
