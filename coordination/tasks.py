"""Celery tasks of the coordination app: ids in, one service call, safe to run twice (STYLE.md).

Their schedules live in tianjin_towns/celery.py (BEAT_SCHEDULE). The notification e-mail tasks are defined
beside `notify`, which queues them (coordination.notifications), and registered under this module's name.
"""

import datetime

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from tianjin_towns.celery import RETRYING, SAFE_TO_RUN_TWICE, task_day

from . import document_pdfs, reminders, security_anomalies, security_audit
from .notifications import (  # noqa: F401 (registered as coordination.tasks.*; queued by notify)
    email_notifications,
    email_pending_notifications,
    queue_notification_emails,
)
from .services import jobs


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
    return jobs.export_jobs_purge()


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def fail_stuck_exports() -> int:
    """The sweep: exports whose worker was lost, still "running" past their time limit, become failed."""
    return jobs.export_jobs_fail_stuck()


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def summarise_security_anomalies(today: str | None = None) -> int:
    """Yesterday's anomalies in the security audit, to the audit administrators (once)."""
    return security_anomalies.anomalies_summary_send(day=task_day(today) - datetime.timedelta(days=1))


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def archive_security_audit() -> str:
    """The security audit's rows past their retention into a file, then out of the table (never dropped unseen)."""
    path = security_audit.archive_old_events()
    return str(path or "")


@shared_task(
    bind=True,
    max_retries=2,
    default_retry_delay=5,
    soft_time_limit=settings.EXPORT_TIME_LIMIT_SECONDS,
    time_limit=settings.EXPORT_TIME_LIMIT_SECONDS + 30,
    **SAFE_TO_RUN_TWICE,
)
def export_document_pdf(self, job_id: int) -> None:
    """A Word document's PDF copy by LibreOffice (issue 20); the job row carries the progress. A run starts the
    job afresh, so running it twice is safe; a conversion that fails ends the job failed, its owner told."""
    try:
        document_pdfs.pdf_build(job_id=job_id)
    except (DatabaseError, OSError) as error:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=error, countdown=5 * 2**self.request.retries) from error
        jobs.export_job_fail(job_id=job_id, error=str(error))
        raise
    except Exception as error:
        jobs.export_job_fail(job_id=job_id, error=str(error))
        raise
