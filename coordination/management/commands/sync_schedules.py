"""Copy the ONE beat schedule (tianjin_towns/celery.py) into django-celery-beat's tables.

Run before beat starts (`make run` does). A periodic task missing from the database is created with
the code's default time; one that exists keeps the time, the on/off switch and the arguments an
administrator gave it in the admin (周期任务), and only follows the code for which task it runs and
its description. A periodic task whose task no longer exists in the code is switched off.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from tianjin_towns.celery import BEAT_SCHEDULE, app


def _crontab(schedule) -> CrontabSchedule:
    """A crontab row of its own per periodic task, so that changing one task's time moves no other."""
    return CrontabSchedule.objects.create(
        minute=schedule._orig_minute,
        hour=schedule._orig_hour,
        day_of_week=schedule._orig_day_of_week,
        day_of_month=schedule._orig_day_of_month,
        month_of_year=schedule._orig_month_of_year,
        timezone=settings.TIME_ZONE,
    )


@transaction.atomic
def sync_schedules() -> list[str]:
    """Returns one line per change made."""
    changes = []
    app.loader.import_default_modules()
    known = set(app.tasks)
    for name, entry in BEAT_SCHEDULE.items():
        options = entry.get("options", {})
        task = PeriodicTask.objects.filter(name=name).first()
        if entry["task"] not in known:
            changes.append(f"skipped, no such task: {name} ({entry['task']})")
        elif task is None:
            PeriodicTask.objects.create(
                name=name,
                task=entry["task"],
                crontab=_crontab(entry["schedule"]),
                kwargs=json.dumps(entry.get("kwargs", {})),
                description=entry.get("description", ""),
                expire_seconds=options.get("expire_seconds"),
            )
            changes.append(f"added: {name} ({entry['task']})")
        elif (task.task, task.description) != (entry["task"], entry.get("description", "")):
            task.task, task.description = entry["task"], entry.get("description", "")
            task.save(update_fields=["task", "description"])
            changes.append(f"updated: {name} ({entry['task']})")
    for task in PeriodicTask.objects.filter(enabled=True).exclude(task__in=known):
        task.enabled = False
        task.save(update_fields=["enabled"])
        changes.append(f"switched off, its task no longer exists: {task.name} ({task.task})")
    return changes


class Command(BaseCommand):
    help = (
        "Copy the beat schedule of tianjin_towns/celery.py into the database scheduler (keeps administrators' times)."
    )

    def handle(self, *args, **options):
        changes = sync_schedules()
        for line in changes:
            self.stdout.write(line)
        self.stdout.write(f"beat schedule in sync: {len(BEAT_SCHEDULE)} periodic tasks, {len(changes)} change(s)")
