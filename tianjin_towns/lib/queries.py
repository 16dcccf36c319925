"""Query helpers every app's selectors share."""

from django.db import connection
from django.db.models import Model, QuerySet


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


def columns(model: type[Model], alias: str) -> str:
    """The model's concrete columns, in the order `joined_row` reads them, from a table aliased `alias`."""
    return ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields)


def _instances(row, models: tuple[type[Model], ...]) -> tuple[Model | None, ...]:
    """One instance of each of `models` from `row` (each's `columns` in turn), loaded as the ORM loads them; None
    for a model that an outer join found no row of (its primary key NULL)."""
    instances, start = [], 0
    for model in models:
        fields = model._meta.concrete_fields
        values = list(row[start : start + len(fields)])
        for index, field in enumerate(fields):  # a field's own reading of the column (from_db_value), as the ORM's
            for converter in field.get_db_converters(connection):
                values[index] = converter(values[index], field, connection)
        instance = model.from_db(connection.alias, [f.attname for f in fields], values)
        instances.append(instance if instance.pk is not None else None)
        start += len(fields)
    return tuple(instances)


def joined_row(sql: str, params, *models: type[Model]) -> tuple[Model | None, ...] | None:
    """One row of a plain statement that joins `models` (each's `columns` in turn), as one instance of each, loaded
    as the ORM loads them (Model.from_db), None for an outer join's missing side; None when there is no row. For a
    door that every request to a page passes, where the ORM took longer to build a select_related query than the
    database to answer it."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else _instances(row, models)


def joined_rows(sql: str, params, *models: type[Model]) -> list[tuple[Model | None, ...]]:
    """Every row of a plain statement that joins `models`, as joined_row reads one. For a list on a page that
    people reload to follow their work."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_instances(row, models) for row in cursor.fetchall()]


def attach(instance: Model | None, name: str, related: Model | None) -> Model | None:
    """`instance` with `related` handed to it as its relation `name` (a foreign key, or the reverse side of a
    one-to-one), as select_related hands it over: reading it asks nothing more. None (an outer join's missing side)
    stays None."""
    if instance is not None:
        instance._meta.get_field(name).set_cached_value(instance, related)
    return instance
