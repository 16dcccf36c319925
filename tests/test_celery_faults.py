"""Faults of the worker and of the broker (issue 16, points 7 and 8), with real processes: no eager mode.

A worker killed in the middle of an export: the export runs again and finishes (the sweep that fails a job
no run will finish is tested in coordination/tests/test_export_jobs.py). A Redis that accepts connections but
never answers (stopped with SIGSTOP): a page or API call gives up queueing within half a second and the
notification waits, stored, for the e-mail sweep.

Redis here is a private redis-server on a port of its own, stopped and resumed by the test; the machine's
Redis is never stopped.
"""

import contextlib
import datetime
import os
import signal
import time

import psutil
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from coordination import services as org
from coordination import tasks as coordination_tasks
from coordination.models import ExportJob, Notification
from ledgers.models import MonthlyReport, ReportStatus
from tests.workers import (
    RedisServer,
    Worker,
    broker_url,
    celery_broker,
    private_queue,
    wait_until,
)
from tianjin_towns.celery import BEAT_SCHEDULE, app, enqueue_from_request

SAFE_TO_RUN_TWICE = {
    "ledgers.tasks.remind_reports_due",
    "ledgers.tasks.remind_reports_late",
    "ledgers.tasks.close_missing_reports",
    "ledgers.tasks.remind_figure_checks",
    "ledgers.tasks.export_ledger",
    "coordination.tasks.remind_meetings",
    "coordination.tasks.remind_action_items",
    "coordination.tasks.check_holiday_calendar",
    "coordination.tasks.purge_old_exports",
    "coordination.tasks.fail_stuck_exports",
    "coordination.tasks.archive_security_audit",
    "coordination.tasks.summarise_security_anomalies",
    "coordination.tasks.export_document_pdf",
    "inspections.tasks.remind_problems_due_soon",
    "inspections.tasks.escalate_overdue_problems",
    "assessments.tasks.check_target_lag",
    "assessments.tasks.remind_self_evaluations",
    "assessments.tasks.remind_assessment_windows",
}
OCT = datetime.date(2026, 10, 1)  # open for filing on the suite's "today" (2026-11-20)


# --- A worker lost mid-task (point 7) ---------------------------------------------------------------------


def test_tasks_safe_to_run_twice_run_again_when_their_worker_is_lost_and_the_mail_tasks_are_left_to_the_sweep():
    app.loader.import_default_modules()
    project = {name: task for name, task in app.tasks.items() if name.split(".")[0] in settings.INSTALLED_APPS}
    again = {name for name, task in project.items() if task.reject_on_worker_lost and task.retry_on_worker_lost}
    assert again == SAFE_TO_RUN_TWICE
    assert all(project[name].acks_late for name in again)
    # A batch of e-mails cut short may have gone out in part; the sweep resends what is unsent anyway.
    for name in ("coordination.tasks.email_notifications", "coordination.tasks.email_pending_notifications"):
        assert not project[name].reject_on_worker_lost and not project[name].retry_on_worker_lost
    export = project["ledgers.tasks.export_ledger"]
    assert export.soft_time_limit == settings.EXPORT_TIME_LIMIT_SECONDS < export.time_limit
    # Beyond which the sweep, every five minutes, fails a job no worker finished.
    (sweep,) = [entry for entry in BEAT_SCHEDULE.values() if entry["task"] == "coordination.tasks.fail_stuck_exports"]
    assert sweep["schedule"]._orig_minute == "*/5"
    assert (
        settings.EXPORT_STUCK_MARGIN_SECONDS > export.time_limit - export.soft_time_limit + export.default_retry_delay
    )


@pytest.fixture
def prefork_worker(django_db_setup, django_db_blocker, tmp_path):
    """A worker with one pool process, which the test may kill; exports hold while `hold` exists."""
    (tmp_path / "mail").mkdir()
    (tmp_path / "media").mkdir()
    hold = tmp_path / "hold-exports"
    with private_queue() as queue:
        worker = Worker(
            broker_url(), queue, tmp_path / "mail", tmp_path / "media", tmp_path / "worker.log",
            pool="prefork", app="tests.celery_fault_app", env={"TEST_EXPORT_HOLD": str(hold)},
        )  # fmt: skip
        worker.hold = hold
        try:
            worker.wait_ready()
            yield worker
        finally:
            hold.unlink(missing_ok=True)
            worker.stop()


def pool_processes(worker) -> list[psutil.Process]:
    return psutil.Process(worker.process.pid).children()


@pytest.mark.django_db(transaction=True)
def test_an_export_whose_pool_process_is_killed_runs_again_and_finishes(
    world, make_report, prefork_worker, client, settings
):
    settings.MEDIA_ROOT = prefork_worker.media_dir
    settings.EXPORT_BACKGROUND_ROWS = 10
    make_report(ReportStatus.ACCEPTED, period=OCT)
    user = world.users.office_policy
    client.force_login(user)
    prefork_worker.hold.touch()

    response = client.get(reverse("ledger-export") + "?year=2026")
    job = ExportJob.objects.get(owner=user)
    assert response.url == reverse("export-job-detail", args=[job.pk])
    # The export has started and reported 已写入 0 / 约 N 行; its process is killed there.
    assert wait_until(lambda: ExportJob.objects.filter(pk=job.pk, status="running", rows_total__gt=10).exists())
    assert "正在生成" in client.get(reverse("export-job-progress", args=[job.pk])).content.decode()
    (child,) = pool_processes(prefork_worker)
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    prefork_worker.hold.unlink()

    # Sent again five seconds later (a counted retry), restarted from the first row, finished once.
    assert wait_until(lambda: ExportJob.objects.get(pk=job.pk).is_finished, timeout=60), prefork_worker.log.read_text()
    job.refresh_from_db()
    assert (job.status, job.percent, job.rows_done) == (ExportJob.Status.DONE, 100, job.rows_total)
    assert "WorkerLostError" in prefork_worker.log.read_text()
    fragment = client.get(reverse("export-job-progress", args=[job.pk])).content.decode()
    assert "100%" in fragment and "hx-trigger" not in fragment
    assert Notification.objects.filter(recipient=user, kind="export_ready").count() == 1


# --- A hung Redis (point 8) ---------------------------------------------------------------------------------


@contextlib.contextmanager
def hung_redis(tmp_path):
    """A private redis-server that accepts connections and answers nothing (SIGSTOP), and this process's
    Celery app pointed at it; resumed and stopped at the end whatever happens."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        with celery_broker(server.url):
            # One publish while it answers (no worker listens there): Celery and kombu load what they load on
            # first use now, so what the test times is the hang alone.
            assert enqueue_from_request(coordination_tasks.email_pending_notifications)
            os.kill(server.process.pid, signal.SIGSTOP)
            try:
                yield server
            finally:
                os.kill(server.process.pid, signal.SIGCONT)
    finally:
        server.stop()


def with_email(user, address: str):
    user.email = address
    user.save(update_fields=["email"])
    return user


def test_queueing_an_email_gives_up_within_half_a_second_when_redis_hangs(world, tmp_path, caplog):
    reviewer = with_email(world.users.reviewer, "dongli-leader@example.gov.cn")
    (notification,) = org.notify(recipients=[reviewer], kind="test", subject="测试", occasion="hung-redis")
    with hung_redis(tmp_path):
        started = time.monotonic()
        coordination_tasks.queue_notification_emails([notification.pk])  # what the on-commit hook runs
        elapsed = time.monotonic() - started
    assert elapsed < 1.5  # a timeout (0.5 s), not a speed: 5 s (the worker's socket timeout) before the fix
    assert "left to the sweep" in caplog.text
    notification.refresh_from_db()
    assert notification.emailed_at is None


@pytest.mark.usefixtures("db")
def test_submit_and_approve_answer_at_once_when_redis_hangs_and_the_sweep_emails_afterwards(
    world, make_report, api, tmp_path, django_capture_on_commit_callbacks
):
    leader = with_email(world.users.reviewer, "dongli-leader@example.gov.cn")
    with_email(world.users.office_policy, "office-policy@example.gov.cn")
    report = make_report(ReportStatus.DRAFT, period=OCT)
    assert api(leader).get(f"/api/v1/monthly-reports/{report.pk}/").status_code == 200  # the API's first call
    timings = {}
    with hung_redis(tmp_path):
        for action, user in (("submit", world.users.officer), ("approve", leader)):
            started = time.monotonic()
            # The request, then what runs after its commit (queueing the e-mails).
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                response = api(user).post(f"/api/v1/monthly-reports/{report.pk}/{action}/")
            timings[action] = time.monotonic() - started
            assert response.status_code == 200, response.content
            assert callbacks
    assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.DISTRICT_APPROVED
    assert timings["submit"] < 2 and timings["approve"] < 2, timings  # 5.05 s and 5.6 s before the fix
    waiting = Notification.objects.filter(emailed_at__isnull=True).exclude(recipient__email="")
    assert set(waiting.values_list("kind", flat=True)) >= {"report_submitted"}
    # Redis back: the sweep (every five minutes) e-mails each waiting notification, once.
    count = waiting.count()
    assert org.notifications_email() == count
    assert org.notifications_email() == 0
    assert len(mail.outbox) == count
