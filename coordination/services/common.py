"""What the services of every app share when they tell people about one object."""

from django.urls import reverse

from ..notifications import notify


def notify_about(obj, page: str, *, recipients, kind: str, subject: str, occasion: str, body: str = "") -> list:
    """`notify` about `obj`, linking to its page: `page` is the URL name that takes the object's pk."""
    return notify(
        recipients=recipients,
        kind=kind,
        subject=subject,
        body=body,
        link=reverse(page, args=[obj.pk]),
        about=obj,
        occasion=occasion,
    )
