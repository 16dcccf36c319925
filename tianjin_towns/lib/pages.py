"""Small helpers every app's pages share."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect

from tianjin_towns.errors import ConflictError


def query_without_page(request) -> str:
    """The list's filters, for the links to its other pages."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def page_of(request, items, per_page: int) -> Page:
    """The page of a list the request asks for (`?page=`; the last one when past the end)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def list_page(request, form, items, per_page: int) -> dict:
    """What a filtered list page shows: its filter form, the page of `items` the request asks for, and the
    filters without the page (`query`) for the links to its other pages."""
    return {"form": form, "page": page_of(request, items, per_page), "query": query_without_page(request)}


def list_filters(form) -> dict:
    """The valid values of a list's filter form: an invalid field shows its error, the valid ones still filter."""
    form.is_valid()
    return getattr(form, "cleaned_data", {})


def chosen_pk(filters: dict, name: str) -> int | None:
    """The primary key of the object chosen in the filter `name`, or None when none is chosen."""
    chosen = filters.get(name)
    return chosen.pk if chosen else None


def error_text(error: ValidationError) -> str:
    """A service's refusal as one line for a message: its messages joined with full-width semicolons."""
    return "；".join(error.messages)


def run_step(request, service, success: str, **kwargs) -> bool:
    """Call a state-changing service as `service(actor=request.user, **kwargs)`: done, the `success` message;
    refused (the object moved on, or the input is wrong), the refusal as an error message. True when done."""
    try:
        service(actor=request.user, **kwargs)
    except ConflictError as error:
        messages.error(request, error.message)
        return False
    except ValidationError as error:
        messages.error(request, error_text(error))
        return False
    messages.success(request, success)
    return True


def reason_step(request, form, service, success: str, done: str, **kwargs) -> HttpResponse | None:
    """A step that needs a written reason (returning, refusing, asking for a correction), posted with `form`.

    Valid: `service(actor=request.user, reason=…, **kwargs)`, then back to `done` with the `success` message,
    or with the refusal when the object moved on meanwhile. None when the form is to be shown (again): not
    posted, or the form or the service found the reason wanting (the error stands under the reason).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        service(actor=request.user, reason=form.cleaned_data["reason"], **kwargs)
    except ConflictError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        form.add_error("reason", error_text(error))
        return None
    else:
        messages.success(request, success)
    return redirect(done)


def once_per_request(context, name: str, count) -> int:
    """A count the navigation bar shows (`count(user)`), computed once per request and kept on it as `name`;
    0 for an anonymous visitor or a template rendered outside a request."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    if not hasattr(request, name):
        setattr(request, name, count(request.user))
    return getattr(request, name)
