"""The Celery app and the ONE beat schedule of the project."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tianjin_towns.settings")

app = Celery("tianjin_towns")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic tasks are added here as the scheduling issue lands; django-celery-beat's database
# scheduler reads them so an administrator can change a time without a deploy.
BEAT_SCHEDULE: dict = {}
app.conf.beat_schedule = BEAT_SCHEDULE
