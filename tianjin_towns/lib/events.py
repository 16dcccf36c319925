"""The shape every audit trail shares (meetings, action items, accounts, member units, reports, projects,
work information, inspections, assessments): who (`actor`) did what (`action`) and when (`at`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One act on a subject, written by the service beside the change; nothing edits it afterwards.

    A concrete trail adds its foreign key to the subject, an `action` field with its own `Action` choices,
    and what the act carries (statuses, a reason or note, the changes), and its Meta subclasses
    `Event.Meta` to keep the trail in time order. The tables are older than this base and keep their
    columns exactly: a trail whose `at` has no index, or whose services may set it, redefines the field.
    """

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    # Null for what the system does on its own (a scheduled task, a data load).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


def said_since_sent_back(events, *, reported: str, sent_back: str, field: str) -> str:
    """`field` of the latest `reported` event since the item was last `sent_back` (actions of an event table, in
    time order), "" when there is none: what a unit said with its report that still stands."""
    said = ""
    for event in events:
        if event.action == sent_back:
            said = ""
        elif event.action == reported:
            said = getattr(event, field)
    return said
