"""Celery tasks of the inspections app: a day in, one service call, safe to run twice (STYLE.md).

Their schedules live in tianjin_towns/celery.py (BEAT_SCHEDULE).
"""

from celery import shared_task

from tianjin_towns.celery import RETRYING, SAFE_TO_RUN_TWICE, task_day
from tianjin_towns.lib import dates

from . import reminders, services


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def remind_problems_due_soon(today: str | None = None) -> int:
    """Problems due within three days to the responsible unit, on working days, once per problem and deadline."""
    return reminders.problem_reminders_send(today=task_day(today))


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def escalate_overdue_problems(today: str | None = None) -> int:
    """Overdue problems to the responsible unit's leader and the office, on working days, once per problem and level."""
    day = task_day(today)
    if not dates.is_working_day(day):
        return 0
    return len(services.problems_escalate_overdue(today=day))
