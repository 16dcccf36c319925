"""The test workers' Celery app (tests/celery_app.py) with one more thing for fault tests: an export holds
after its first progress report (已写入 0 / 约 N 行) while the file named by TEST_EXPORT_HOLD exists, so a
test can kill the worker process in the middle of an export.
"""

import os
import time

from celery.signals import task_prerun

from tests.celery_app import app

__all__ = ["app"]


@task_prerun.connect
def hold_exports_while_asked(**kwargs) -> None:
    from coordination import services as org

    if getattr(org.export_job_progress, "holds", False):
        return
    report_progress = org.export_job_progress

    def progress(*, job_id: int, done: int, total: int) -> None:
        report_progress(job_id=job_id, done=done, total=total)
        while os.path.exists(os.environ["TEST_EXPORT_HOLD"]):
            time.sleep(0.05)

    progress.holds = True
    org.export_job_progress = progress
