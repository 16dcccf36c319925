"""Query helpers every app's selectors share."""

from django.db.models import QuerySet


def narrowed(queryset: QuerySet, **lookups) -> QuerySet:
    """`queryset` filtered by each of `lookups` that is given: a filter left empty (None, "", 0) does not narrow
    the list, as on every list page and API."""
    given = {lookup: value for lookup, value in lookups.items() if value}
    return queryset.filter(**given) if given else queryset
