"""Celery tasks of the assessments app: a day in, one service call, safe to run twice (STYLE.md).

Their schedules live in tianjin_towns/celery.py (BEAT_SCHEDULE): the lag check once a month after the
report close day, the self-evaluation reminders daily.
"""

from celery import shared_task

from tianjin_towns.celery import RETRYING, task_day

from . import services


@shared_task(**RETRYING)
def check_target_lag(today: str | None = None) -> int:
    """ "时间过半、任务过半": flag and tell each lagging town once per month (R-5.1)."""
    return services.targets_check_lag(today=task_day(today))


@shared_task(**RETRYING)
def remind_self_evaluations(today: str | None = None) -> int:
    """Tell each unit's officers of the self-evaluations due soon or overdue, once per unit and period (R-5.5)."""
    return services.self_evaluations_remind(today=task_day(today))
