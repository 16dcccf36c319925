"""Status vocabularies that more than one app's tables share: the values (the database's and the API's)
are defined once here, and each table names them in its own words."""

from django.db import models

FOLLOW_UP_VALUES = ("open", "in_progress", "done", "verified")


def follow_up_statuses(name: str, module: str, labels: tuple) -> type[models.TextChoices]:
    """The statuses of a task followed up until the office verifies it (an action item, a problem found on
    a visit): open → in_progress → done (reported done, awaiting verification) → verified; a `done` the
    office rejects goes back. `labels` name the four in that order; the members are OPEN … VERIFIED.

    `ActionItemStatus = follow_up_statuses("ActionItemStatus", __name__, (_("未开始"), …))`
    """
    members = [(value.upper(), (value, label)) for value, label in zip(FOLLOW_UP_VALUES, labels, strict=True)]
    return models.TextChoices(name, members, module=module)
