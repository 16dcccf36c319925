"""Celery tasks of the inspections app: a day in, one service call, safe to run twice (STYLE.md).

Their schedules live in tianjin_towns/celery.py (BEAT_SCHEDULE).
"""

from celery import shared_task

from tianjin_towns.celery import RETRYING, task_day

from . import services


@shared_task(**RETRYING)
def escalate_overdue_problems(today: str | None = None) -> int:
    """Overdue problems to the responsible unit's leader and the office, once per problem and level."""
    return len(services.problems_escalate_overdue(today=task_day(today)))
