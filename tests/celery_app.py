"""The project's Celery app as test workers run it: `celery -A tests.celery_app worker` (and beat).

It is tianjin_towns.celery's app, with two things test processes need: the queue the test named
(TEST_CELERY_QUEUE, see tests/workers.py `private_queue`), and, since pytest-django empties the test
database between tests and Django then recreates the content types under new ids, a worker serving many
tests forgets its cached ones (and the holiday calendar) before each task.
"""

import datetime
import os

import time_machine
from celery.signals import task_prerun

from tianjin_towns.celery import app

__all__ = ["app"]

if os.environ.get("TEST_NOW"):
    # The test that started this worker pinned the clock (conftest.pinned_clock): run on the same day.
    time_machine.travel(datetime.datetime.fromisoformat(os.environ["TEST_NOW"]), tick=True).start()

if os.environ.get("TEST_CELERY_QUEUE"):
    app.conf.task_default_queue = os.environ["TEST_CELERY_QUEUE"]


@task_prerun.connect
def forget_cached_rows(**kwargs) -> None:
    from django.contrib.contenttypes.models import ContentType

    from tianjin_towns.lib import dates

    ContentType.objects.clear_cache()
    dates.clear_calendar_cache()
