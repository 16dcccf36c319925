"""What the pages of meetings, action items, plans and policies share: a form saved through its service and
an uploaded file going back out."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect

from tianjin_towns.errors import ConflictError

from .forms import add_service_errors

PER_PAGE = 20


def form_errors(form) -> str:
    """Every error of a form posted from another page, as one message."""
    return "；".join(e for errors in form.errors.values() for e in errors)


def save_form(
    request,
    form,
    service,
    fields: dict,
    *,
    success: str | Callable[[object], str],
    then: str | Callable[[object], str],
    conflict: str | None = None,
    aliases: dict[str, str] | None = None,
    invalid: Callable[[ValidationError], None] | None = None,
) -> HttpResponse | None:
    """Call `service(actor=request.user, **fields)` with a valid form's data.

    Done: the `success` message and a redirect to `then` (either may be a function of what the service
    returned). Refused because the object moved on meanwhile (ConflictError): its message and a redirect to
    `conflict` (not caught without one). Invalid (ValidationError): the errors on the form's fields (keys
    renamed by `aliases`; `invalid` for what else shows them) and None, for the page to show the form again.
    """
    try:
        result = service(actor=request.user, **fields)
    except ConflictError as error:
        if conflict is None:
            raise
        messages.error(request, error.message)
        return redirect(conflict)
    except ValidationError as error:
        add_service_errors(form, error, aliases=aliases)
        if invalid is not None:
            invalid(error)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return redirect(then(result) if callable(then) else then)


def download(file_field, name: str) -> FileResponse:
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=name or file_field.name.rsplit("/", 1)[-1])
