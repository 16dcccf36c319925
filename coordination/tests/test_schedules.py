"""The ONE beat schedule (R-6.3): defined in tianjin_towns/celery.py, copied into the database scheduler,
where an administrator's changes survive every later sync. (Beat itself: tests/test_beat_schedule.py.)"""

import json

import pytest
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from tianjin_towns.celery import BEAT_SCHEDULE, app

LATE = "月报：迟报提醒"


def sync() -> str:
    from io import StringIO

    out = StringIO()
    call_command("sync_schedules", stdout=out)
    return out.getvalue()


def test_every_scheduled_task_exists_and_beat_reads_only_the_database(db):
    app.loader.import_default_modules()
    assert {entry["task"] for entry in BEAT_SCHEDULE.values()} <= set(app.tasks)
    # Handing the dict to Celery would make the database scheduler overwrite administrators' times at start.
    assert not app.conf.beat_schedule
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


def test_sync_creates_each_periodic_task_with_its_default_time_once(db):
    sync()
    assert set(PeriodicTask.objects.values_list("name", flat=True)) >= set(BEAT_SCHEDULE)
    late = PeriodicTask.objects.select_related("crontab").get(name=LATE)
    assert (late.task, late.crontab.hour, late.crontab.minute) == ("ledgers.tasks.remind_reports_late", "8", "35")
    assert str(late.crontab.timezone) == "Asia/Shanghai"
    assert late.expire_seconds == 6 * 3600
    assert json.loads(late.kwargs) == {}
    # Each task has a crontab row of its own: moving one time moves no other task.
    crontabs = PeriodicTask.objects.filter(name__in=BEAT_SCHEDULE).values_list("crontab_id", flat=True)
    assert len(set(crontabs)) == len(BEAT_SCHEDULE)
    assert "0 change(s)" in sync()
    assert PeriodicTask.objects.filter(name__in=BEAT_SCHEDULE).count() == len(BEAT_SCHEDULE)


def test_sync_keeps_an_administrators_time_and_switch(db):
    sync()
    late = PeriodicTask.objects.get(name=LATE)
    CrontabSchedule.objects.filter(pk=late.crontab_id).update(hour="14", minute="30")
    PeriodicTask.objects.filter(pk=late.pk).update(enabled=False, task="ledgers.tasks.old_name")
    sync()
    late = PeriodicTask.objects.select_related("crontab").get(name=LATE)
    assert (late.crontab.hour, late.crontab.minute, late.enabled) == ("14", "30", False)
    assert late.task == "ledgers.tasks.remind_reports_late"  # which task runs follows the code


def test_sync_switches_off_a_periodic_task_whose_task_is_gone(db):
    crontab = CrontabSchedule.objects.create(minute="0", hour="6")
    PeriodicTask.objects.create(name="旧提醒", task="ledgers.tasks.removed_long_ago", crontab=crontab)
    assert "switched off" in sync()
    assert PeriodicTask.objects.get(name="旧提醒").enabled is False


@pytest.mark.parametrize("name", ["节假日与调休", "周期任务", "导出任务", "通知"])
def test_administrators_find_the_calendar_and_the_schedules_in_the_admin(admin_client, name):
    assert name in admin_client.get("/admin/").content.decode()
