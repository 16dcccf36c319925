"""An administrator changes the time of a reminder in the admin, and a running beat uses the new time (R-6.3).

A real `celery beat` process with the database scheduler, checking its schedule every second; its log
says which task it sends when. No worker is needed: the messages go to a private queue, dropped afterwards.
"""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from tests.workers import Beat, broker_url, private_queue

pytestmark = pytest.mark.django_db(transaction=True)

LATE = "月报：迟报提醒"


def test_beat_uses_the_time_an_administrator_sets_in_the_admin(world, client, tmp_path):
    call_command("sync_schedules")
    task = PeriodicTask.objects.get(name=LATE)
    now = timezone.localtime()
    # The code's default time, 08:35, might be due right now; start from a time twelve hours away instead.
    far = now + datetime.timedelta(hours=12)
    CrontabSchedule.objects.filter(pk=task.crontab_id).update(hour=str(far.hour), minute=str(far.minute))
    PeriodicTask.objects.filter(pk=task.pk).update(last_run_at=now - datetime.timedelta(hours=1))
    PeriodicTask.objects.exclude(pk=task.pk).update(enabled=False)  # a quiet log: this reminder only

    with private_queue() as queue:
        beat = Beat(broker_url(), queue, tmp_path)
        try:
            assert beat.wait_for("beat: Starting"), beat.output()
            assert not beat.wait_for(f"Sending due task {LATE}", timeout=2)
            # The administrator moves the reminder to a minute ago: it is due at once.
            client.force_login(world.users.admin)
            response = client.post(
                reverse("admin:django_celery_beat_crontabschedule_change", args=[task.crontab_id]),
                crontab_form(now - datetime.timedelta(minutes=1)),
            )
            assert response.status_code == 302, response.context and list(response.context["errors"])
            sent = f"Sending due task {LATE} (ledgers.tasks.remind_reports_late)"
            assert beat.wait_for(sent, timeout=20), beat.output()
        finally:
            beat.stop()


def crontab_form(at: datetime.datetime) -> dict[str, str]:
    """The admin's crontab form, daily at `at` (Asia/Shanghai)."""
    return {
        "minute": str(at.minute),
        "hour": str(at.hour),
        "day_of_month": "*",
        "month_of_year": "*",
        "day_of_week": "*",
        "timezone": "Asia/Shanghai",
        # The form's inline of the periodic tasks that use this crontab, left as they are.
        "periodictask_set-TOTAL_FORMS": "0",
        "periodictask_set-INITIAL_FORMS": "0",
    }
