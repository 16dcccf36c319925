"""Celery tasks of the ledgers app: ids (or a day) in, one service call, safe to run twice (STYLE.md).

Their schedules live in tianjin_towns/celery.py (BEAT_SCHEDULE).
"""

from celery import shared_task
from django.db import DatabaseError

from coordination import services as org
from tianjin_towns.celery import RETRYING, task_day

from . import reminders, services


@shared_task(**RETRYING)
def remind_reports_due(today: str | None = None) -> int:
    return reminders.report_reminders_due(today=task_day(today))


@shared_task(**RETRYING)
def remind_reports_late(today: str | None = None) -> int:
    return reminders.report_reminders_late(today=task_day(today))


@shared_task(**RETRYING)
def close_missing_reports(today: str | None = None) -> int:
    return reminders.reports_close_missing(today=task_day(today))


@shared_task(bind=True, max_retries=3)
def export_ledger(self, job_id: int) -> None:
    """Build a large ledger workbook in the background (R-3.7); the job row carries the progress."""
    try:
        services.ledger_export_run(job_id=job_id)
    except (DatabaseError, OSError) as error:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=error, countdown=5 * 2**self.request.retries) from error
        org.export_job_fail(job_id=job_id, error=str(error))
        raise
    except Exception as error:
        org.export_job_fail(job_id=job_id, error=str(error))
        raise
