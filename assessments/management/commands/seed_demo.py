"""`python manage.py seed_demo`: a demo world for trying the platform and for screenshots.

What it builds, and how, is in assessments/demo/ (its __init__ lists the steps). Idempotent: a
second run changes nothing.
"""

import time

import pghistory
from django.core.management.base import BaseCommand
from django.db import transaction

from assessments import demo


class Command(BaseCommand):
    help = "创建演示数据：天津市、十个区、特色小镇、用户、项目和24个月的月报（可重复运行）。"

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        span = demo.DemoSpan.current()
        # The audit trail (django-pghistory) records the demo's bulk writes as the seed's own, not as direct changes.
        with transaction.atomic(), pghistory.context(service="seed_demo", reason="演示数据"):
            created = demo.seed_platform(span)
        for line in demo.summary_lines(span, created, time.monotonic() - started):
            self.stdout.write(line)
