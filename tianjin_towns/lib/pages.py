"""Small helpers every app's pages share."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tianjin_towns.errors import ConflictError


def query_without_page(request, *names: str) -> str:
    """The list's filters (without `names` too, when given), for the links to its other pages."""
    query = request.GET.copy()
    for name in ("page", *names):
        query.pop(name, None)
    return query.urlencode()


def page_of(request, items, per_page: int) -> Page:
    """The page of a list the request asks for (`?page=`; the last one when past the end)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def list_page(request, form, items, per_page: int) -> dict:
    """What a filtered list page shows: its filter form, the page of `items` the request asks for, and the
    filters without the page (`query`) for the links to its other pages."""
    return {"form": form, "page": page_of(request, items, per_page), "query": query_without_page(request)}


def render_list_page(request, template: str, form, items, per_page: int, **context) -> HttpResponse:
    """A filtered list page: `template` with what `list_page` gives and `context`."""
    return render(request, template, {**list_page(request, form, items, per_page), **context})


def render_page_of(request, template: str, items, per_page: int, **context) -> HttpResponse:
    """A list page without a filter form: `template` with the `page` of `items` the request asks for."""
    return render(request, template, {"page": page_of(request, items, per_page), **context})


def list_filters(form) -> dict:
    """The valid values of a list's filter form: an invalid field shows its error, the valid ones still filter."""
    form.is_valid()
    return getattr(form, "cleaned_data", {})


def chosen_pk(filters: dict, name: str) -> int | None:
    """The primary key of the object chosen in the filter `name`, or None when none is chosen."""
    chosen = filters.get(name)
    return chosen.pk if chosen else None


def filter_arguments(form) -> dict:
    """A list's filter form as its selector's keyword arguments: each field by its name, a chosen object as
    `<name>_id` (its primary key); an empty or invalid field None (not narrowing)."""
    filters = list_filters(form)
    arguments = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField):
            arguments[f"{name}_id"] = chosen_pk(filters, name)
        else:
            arguments[name] = filters.get(name) or None
    return arguments


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


def posted_step(request, form, service, success: str, *, invalid: str = "", **kwargs) -> bool:
    """A step posted with a small `form` from another page: valid, `service(actor=request.user, **kwargs,
    **form.cleaned_data)` as `run_step` calls it; invalid, `invalid` (or else the form's errors) as an error
    message. True when done."""
    if not form.is_valid():
        messages.error(request, invalid or form_errors(form))
        return False
    return run_step(request, service, success, **kwargs, **form.cleaned_data)


def object_page(door, template: str, name: str, context: Callable[..., dict]):
    """The view of one object's page: `door(user, pk)` finds the object (404/403), `template` shows it as `name`
    with `context(request, object)`."""

    @login_required
    def view(request, pk: int):
        found = door(request.user, pk)
        return render(request, template, {name: found, **context(request, found)})

    return view


def step_view(door, perm, service, success: str, *, key: str, back: str, then: str = "", posted: tuple = ()):
    """The view of a confirmed POST that changes one object's state: `door(user, pk, perm)` finds the object
    (404/403), `run_step` calls `service(<key>=object, …)` with the `posted` fields too, then back to the object's
    page `back` (or to `then` once done). `success` is a lazy message: the view is built when its module loads."""

    @login_required
    @require_POST
    def view(request, pk: int):
        found = door(request.user, pk, perm)
        fields = {name: request.POST.get(name, "") for name in posted}
        if run_step(request, service, success, **{key: found}, **fields) and then:
            return redirect(then)
        return redirect(back, pk=found.pk)

    return view


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


def form_errors(form) -> str:
    """Every error of a form posted from another page, as one message."""
    return "；".join(e for errors in form.errors.values() for e in errors)


def add_service_errors(form: forms.Form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Attach a service's ValidationError to the form's fields (unknown keys become non-field errors)."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for key, messages_ in error.message_dict.items():
        name = aliases.get(key, key)
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)


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


def form_page(request, form, template: str, context, service, fields=None, **saving) -> HttpResponse:
    """The page of a form saved through its service: `template` with the form and `context` (a dict, or a function
    giving it when it reads what only the page shown needs), shown again with the errors when the form or the
    service finds the input wanting. Posted and valid, `save_form` (with `saving`'s options) calls the service
    with `fields(form)` when `fields` is a function, else with the cleaned data (the form's fields are the
    service's arguments) and `fields`, the arguments the form does not hold."""
    if request.method == "POST" and form.is_valid():
        arguments = fields(form) if callable(fields) else {**(fields or {}), **form.cleaned_data}
        response = save_form(request, form, service, arguments, **saving)
        if response is not None:
            return response
    return render(request, template, {"form": form, **(context() if callable(context) else context)})
