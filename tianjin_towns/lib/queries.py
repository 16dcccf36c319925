"""Query helpers every app's selectors share."""

from django.db.models import QuerySet


def narrowed(queryset: QuerySet, **lookups) -> QuerySet:
    """`queryset` filtered by each of `lookups` that is given: a filter left empty (None, "", 0) does not narrow
    the list, as on every list page and API."""
    given = {lookup: value for lookup, value in lookups.items() if value}
    return queryset.filter(**given) if given else queryset


def count_rows(*querysets: QuerySet) -> int:
    """How many rows `querysets` hold together, as the lists made of them add up (a row in two of them counts
    twice; a sliced one up to its slice): one query for all of them (UNION ALL), none when each is known to be
    empty. The count-only twin of listing what waits for a user, for the navigation bar's badges."""
    parts = [qs if qs.query.is_sliced else qs.order_by() for qs in querysets if not qs.query.is_empty()]
    if not parts:
        return 0
    first, *others = [qs.values("pk") for qs in parts]
    return first.union(*others, all=True).count() if others else first.count()
