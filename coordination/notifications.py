"""Notifications (R-6.2): every app tells people through `notify`, and their e-mails go out from here.

`notify` stores one notification per recipient and occasion, and queues their e-mails once the change
commits; `notifications_email` sends them, each once. The two e-mail tasks live here, beside what queues
and what runs them, and keep the names they have always been registered by (coordination.tasks.*, in the
beat schedule and in messages already queued). This module imports no other service, task or reminder of
the app: all of them import it.
"""

import datetime
import logging
from collections.abc import Iterable
from functools import partial

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from tianjin_towns.celery import RETRYING, enqueue_from_request

from .models import Notification

logger = logging.getLogger(__name__)


@transaction.atomic
def notify(
    *,
    recipients: Iterable[AbstractBaseUser],
    kind: str,
    subject: str,
    occasion: str,
    body: str = "",
    link: str = "",
    about: models.Model | None = None,
) -> list[Notification]:
    """Store one notification per recipient for `occasion`; recipients already told are skipped.

    Returns the notifications created now (empty when every recipient had it already). Their e-mails
    are queued after the commit; when the broker is down they wait for the sweep (below).
    """
    occasion = occasion[:200]
    content_type = ContentType.objects.get_for_model(about) if about is not None else None
    wanted = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not wanted:
        return []
    already = set(
        Notification.objects.filter(recipient__in=list(wanted), occasion=occasion).values_list("recipient", flat=True)
    )
    rows = [
        Notification(
            recipient_id=user_id,
            kind=kind,
            subject=subject[:200],
            body=body,
            link=link,
            content_type=content_type,
            object_id=about.pk if about is not None else None,
            occasion=occasion,
        )
        for user_id in wanted
        if user_id not in already
    ]
    # ignore_conflicts: two concurrent runs for the same occasion still leave one row each.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(Notification.objects.filter(recipient__in=[r.recipient_id for r in rows], occasion=occasion))
    to_email = [n.pk for n in created if wanted[n.recipient_id].email and n.emailed_at is None]
    if to_email:
        transaction.on_commit(partial(queue_notification_emails, to_email), robust=True)
    return created


def queue_notification_emails(notification_ids: list[int]) -> None:
    """Called by `notify` after its transaction commits. Never fails nor holds the request that caused it:
    when the broker is down the notifications stay stored and un-e-mailed, and the sweep sends them later."""
    if not enqueue_from_request(email_notifications, notification_ids):
        logger.warning("%d notification e-mail(s) left to the sweep", len(notification_ids))


@transaction.atomic
def notification_mark_read(*, user: AbstractBaseUser, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None); returns how many."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# --- Notification e-mails: queued by notify, retried by the sweep -----------------------------------

# How far back the sweep looks for notifications that were stored but never e-mailed (broker down).
NOTIFICATION_EMAIL_MAX_AGE = datetime.timedelta(days=3)


def notifications_email(*, ids: Iterable[int] | None = None, limit: int = 200) -> int:
    """E-mail notifications not e-mailed yet: these `ids`, or (the sweep) any of the last days. Each goes once.

    The rows stay locked while their mail goes out, so the delivery queued by `notify` and the sweep
    never both send one. A failure stops the batch after recording what went out, then re-raises so
    that the task retries later. Returns how many were sent.
    """
    with transaction.atomic():
        pending = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(emailed_at__isnull=True, recipient__is_active=True)
            .exclude(recipient__email="")
            .select_related("recipient")
            .order_by("pk")
        )
        if ids is None:
            pending = pending.filter(created_at__gte=timezone.now() - NOTIFICATION_EMAIL_MAX_AGE)
        else:
            pending = pending.filter(pk__in=list(ids))
        batch = list(pending[:limit])
        if not batch:
            return 0
        sent: list[int] = []
        failure: Exception | None = None
        with mail.get_connection() as connection:
            for notification in batch:
                try:
                    _notification_email(notification).send_with_connection(connection)
                except Exception as error:  # SMTP refused, server gone: stop here, retry the rest later
                    failure = error
                    break
                sent.append(notification.pk)
        Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    if failure is not None:
        raise failure
    return len(sent)


class _Message(mail.EmailMessage):
    def send_with_connection(self, connection) -> None:
        self.connection = connection
        self.send(fail_silently=False)


def _notification_email(notification: Notification) -> mail.EmailMessage:
    site = _("天津市特色小镇规划建设协同平台")
    link = settings.SITE_URL.rstrip("/") + notification.link if notification.link.startswith("/") else notification.link
    body = render_to_string(
        "emails/notification.txt",
        {"notification": notification, "recipient": notification.recipient, "link": link, "site": site},
    )
    return _Message(subject=f"[{site}] {notification.subject}", body=body, to=[notification.recipient.email])


# The two e-mail tasks are not given SAFE_TO_RUN_TWICE: a batch cut short by a lost worker may have sent
# some of its mails, and the sweep (every 5 minutes) resends whatever is still unsent anyway.
@shared_task(name="coordination.tasks.email_notifications", **RETRYING)
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail notifications that `notify` just stored."""
    return notifications_email(ids=notification_ids)


@shared_task(name="coordination.tasks.email_pending_notifications", **RETRYING)
def email_pending_notifications() -> int:
    """The sweep: e-mail what was stored while the broker was down (or whose e-mail failed)."""
    return notifications_email()
