"""A person's phone number and e-mail address as the signed-in user may read them (coordination.contact_permissions):
in full or masked. `person` is a user, their profile, or None for a contact who is no user.

    {% contact_phone profile profile.phone as phone %}{{ phone|default:"—" }}
    {% contact_email person person.email %}
    {% contact_changes event person as changes %}   (a UserRoleEvent's changes, phone and e-mail masked)
"""

from django import template

from coordination import contact_permissions
from coordination.models.people import STATE_LABELS
from tianjin_towns.lib.masking import mask_email, mask_phone

register = template.Library()


def _viewer(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def contact_phone(context, person, phone) -> str:
    return contact_permissions.contact_phone(_viewer(context), person, phone)


@register.simple_tag(takes_context=True)
def contact_email(context, person, email) -> str:
    return contact_permissions.contact_email(_viewer(context), person, email)


@register.simple_tag(takes_context=True)
def contact_changes(context, event, person) -> list[tuple[str, str, str]]:
    """The rows of `event.changes()` (what, from, to), the phone and e-mail masked unless the viewer reads
    `person`'s contact details in full ("—", nothing, stays)."""
    rows = event.changes()
    if contact_permissions.sees_contact_details(_viewer(context), person):
        return rows
    masks = {str(STATE_LABELS["phone"]): mask_phone, str(STATE_LABELS["email"]): mask_email}

    def shown(mask, value: str) -> str:
        return value if value == "—" else mask(value)

    return [
        (label, shown(masks[label], old), shown(masks[label], new)) if label in masks else (label, old, new)
        for label, old, new in rows
    ]
