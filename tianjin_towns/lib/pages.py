"""Small helpers every app's pages share."""

from django.core.exceptions import ValidationError


def query_without_page(request) -> str:
    """The list's filters, for the links to its other pages."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def error_text(error: ValidationError) -> str:
    """A service's refusal as one line for a message: its messages joined with full-width semicolons."""
    return "；".join(error.messages)
