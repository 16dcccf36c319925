"""The shape every audit trail shares (meetings, action items, accounts, member units, reports, projects,
work information, inspections, assessments): who (`actor`) did what (`action`) and when (`at`), and the
fields several trails carry (`action_choice`, `changed_values`, `no_evidence_reason`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One act on a subject, written by the service beside the change; nothing edits it afterwards.

    A concrete trail adds its foreign key to the subject (its first foreign key), an `action` field with its
    own `Action` choices (`action_choice`), and what the act carries (statuses, a reason or note, the
    changes), and its Meta subclasses `Event.Meta` to keep the trail in time order. The tables are older
    than this base and keep their columns exactly: a trail whose `at` has no index, or whose services may
    set it, redefines the field.
    """

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    # Null for what the system does on its own (a scheduled task, a data load).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        """The subject's key, the action and the time: `42 submit 2026-12-06 16:32`."""
        subject = next(f for f in self._meta.concrete_fields if f.many_to_one and f.name != "actor")
        return f"{subject.value_from_object(self)} {self.action} {self.at:%Y-%m-%d %H:%M}"


def action_choice(choices, *, max_length: int) -> models.CharField:
    """`action = action_choice(Action.choices, max_length=16)`: what was done, one of the trail's actions."""
    return models.CharField(_("操作"), max_length=max_length, choices=choices)


def changed_values() -> models.JSONField:
    """`changes = changed_values()`: what an edit changed, as the trail records it (mostly `{field: [old, new]}`,
    values as strings); empty for an act that changes no value."""
    return models.JSONField(_("变更内容"), default=dict, blank=True)


def no_evidence_reason() -> models.TextField:
    """Why a task reported done (an action item, a problem's rectification) comes without evidence: the unit's
    word, on which the office verifies it with a waiver or sends it back."""
    return models.TextField(_("无佐证材料的说明"), blank=True)


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
