"""`python manage.py seed_demo`: a demo world for trying the platform and for screenshots.

What it builds, and how, is in assessments/demo/ (its __init__ lists the steps). Idempotent: a
second run changes nothing. Its users sign in with a published demo password, so it refuses to run outside
development (DJANGO_DEBUG=1, as `make run` sets it) and the tests unless told `--i-know-this-is-production`.
"""

import time

import pghistory
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments import demo

PRODUCTION_FLAG = "--i-know-this-is-production"


class Command(BaseCommand):
    help = "创建演示数据：天津市、十个区、特色小镇、用户、项目和24个月的月报（可重复运行）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            PRODUCTION_FLAG,
            action="store_true",
            dest="production",
            help="在生产环境（未设置 DJANGO_DEBUG=1）中仍然写入演示数据。演示账号的密码是公开的，切勿用于正式数据库。",
        )

    def handle(self, *args, **options) -> None:
        if not (settings.DEVELOPMENT or settings.TESTING or options["production"]):
            raise CommandError(
                "当前不是开发环境（未设置 DJANGO_DEBUG=1），已拒绝写入演示数据：演示账号使用公开的演示密码，"
                f"不得进入正式数据库。确需在此数据库中创建演示数据，请加参数 {PRODUCTION_FLAG}。"
            )
        started = time.monotonic()
        span = demo.DemoSpan.current()
        # The audit trail (django-pghistory) records the demo's bulk writes as the seed's own, not as direct changes.
        with transaction.atomic(), pghistory.context(service="seed_demo", reason="演示数据"):
            created = demo.seed_platform(span)
        for line in demo.summary_lines(span, created, time.monotonic() - started):
            self.stdout.write(line)
