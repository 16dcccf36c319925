"""Celery tasks of the coordination app: ids in, one service call, safe to run twice (STYLE.md).

Their schedules live in tianjin_towns/celery.py (BEAT_SCHEDULE).
"""

import logging

from celery import shared_task

from tianjin_towns.celery import RETRYING, SAFE_TO_RUN_TWICE, enqueue_from_request, task_day

from . import reminders, services

logger = logging.getLogger(__name__)


# The two e-mail tasks are not given SAFE_TO_RUN_TWICE: a batch cut short by a lost worker may have sent
# some of its mails, and the sweep (every 5 minutes) resends whatever is still unsent anyway.
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


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def remind_meetings(today: str | None = None) -> int:
    """District meetings not held by the reminder day; quarterly conference and visits in the quarter's last month."""
    return reminders.meeting_reminders_send(today=task_day(today))


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def remind_action_items(today: str | None = None) -> int:
    """Action items due within three days, and overdue ones (escalated to leaders and the office)."""
    return reminders.action_item_reminders_send(today=task_day(today))


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def check_holiday_calendar(today: str | None = None) -> int:
    """Warn the administrators (once per year) when an upcoming year has no holiday calendar."""
    return reminders.calendar_warn_unknown_years(today=task_day(today))


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def purge_old_exports() -> int:
    return services.export_jobs_purge()


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def fail_stuck_exports() -> int:
    """The sweep: exports whose worker was lost, still "running" past their time limit, become failed."""
    return services.export_jobs_fail_stuck()
