"""Celery tasks of the ledgers app: ids (or a day) in, one service call, safe to run twice (STYLE.md).

Their schedules live in tianjin_towns/celery.py (BEAT_SCHEDULE).
"""

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from coordination import services as org
from tianjin_towns.celery import RETRYING, SAFE_TO_RUN_TWICE, task_day

from . import reminders, services


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def remind_reports_due(today: str | None = None) -> int:
    return reminders.report_reminders_due(today=task_day(today))


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def remind_reports_late(today: str | None = None) -> int:
    return reminders.report_reminders_late(today=task_day(today))


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def close_missing_reports(today: str | None = None) -> int:
    return reminders.reports_close_missing(today=task_day(today))


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def remind_figure_checks(today: str | None = None) -> int:
    return reminders.check_reminders(today=task_day(today))


# Safe to run twice: a run restarts its job from the first row, and a finished job is left alone. A run
# lost with its worker is sent again in 5 s (at most max_retries times); the export stops itself at the
# time limit, and coordination's sweep (fail_stuck_exports) fails a job that no run will finish.
@shared_task(
    bind=True,
    max_retries=3,
    default_retry_delay=5,
    soft_time_limit=settings.EXPORT_TIME_LIMIT_SECONDS,
    time_limit=settings.EXPORT_TIME_LIMIT_SECONDS + 30,
    **SAFE_TO_RUN_TWICE,
)
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
