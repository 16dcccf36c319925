"""Celery tasks of the coordination app: ids in, one service call, safe to run twice (STYLE.md).

Their schedules live in tianjin_towns/celery.py (BEAT_SCHEDULE).
"""

import logging

from celery import shared_task

from tianjin_towns.celery import RETRYING, enqueue_from_request, task_day

from . import reminders, services

logger = logging.getLogger(__name__)


@shared_task(**RETRYING)
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail notifications that `notify` just stored."""
    return services.notifications_email(ids=notification_ids)


@shared_task(**RETRYING)
def email_pending_notifications() -> int:
    """The sweep: e-mail what was stored while the broker was down (or whose e-mail failed)."""
    return services.notifications_email()


def queue_notification_emails(notification_ids: list[int]) -> None:
    """Called by `notify` after its transaction commits. Never fails nor holds the request that caused it:
    when the broker is down the notifications stay stored and un-e-mailed, and the sweep sends them later."""
    if not enqueue_from_request(email_notifications, notification_ids):
        logger.warning("%d notification e-mail(s) left to the sweep", len(notification_ids))


@shared_task(**RETRYING)
def remind_meetings(today: str | None = None) -> int:
    """District meetings not held by the reminder day; quarterly conference and visits in the quarter's last month."""
    return reminders.meeting_reminders_send(today=task_day(today))


@shared_task(**RETRYING)
def remind_action_items(today: str | None = None) -> int:
    """Action items due within three days, and overdue ones (escalated to leaders and the office)."""
    return reminders.action_item_reminders_send(today=task_day(today))


@shared_task(**RETRYING)
def check_holiday_calendar(today: str | None = None) -> int:
    """Warn the administrators (once per year) when an upcoming year has no holiday calendar."""
    return reminders.calendar_warn_unknown_years(today=task_day(today))


@shared_task(**RETRYING)
def purge_old_exports() -> int:
    return services.export_jobs_purge()
