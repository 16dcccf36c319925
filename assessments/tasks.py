"""Celery tasks of the assessments app: a day in, one call, safe to run twice (STYLE.md).

Their schedules live in tianjin_towns/celery.py (BEAT_SCHEDULE), all daily: assessments.reminders decides
whether today is a working day on which something is due (the lag check from the 27th, self-evaluations
due soon or overdue, an assessment window that has opened).
"""

from celery import shared_task

from tianjin_towns.celery import RETRYING, SAFE_TO_RUN_TWICE, task_day

from . import reminders


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def check_target_lag(today: str | None = None) -> int:
    """ "时间过半、任务过半": flag and tell each lagging town once per month (R-5.1)."""
    return reminders.target_lag_check(today=task_day(today))


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def remind_self_evaluations(today: str | None = None) -> int:
    """Tell each unit's officers of the self-evaluations due soon or overdue, once per unit and period (R-5.5)."""
    return reminders.self_evaluation_reminders_send(today=task_day(today))


@shared_task(**RETRYING, **SAFE_TO_RUN_TWICE)
def remind_assessment_windows(today: str | None = None) -> int:
    """A semi-annual or annual assessment has opened: tell 创建考核组 and the assessed towns, once (R-5.3, R-5.4)."""
    return reminders.assessment_window_reminders_send(today=task_day(today))
