"""Scheduling with a real Redis broker and a real Celery worker process (R-6.1, R-6.2, R-3.7): no eager mode.

One worker serves the whole module; the reminders run on frozen days passed as `today`, around 2026's
National Day (10-01…10-07 off, Saturday 10-10 worked in exchange).
"""

import datetime
import io
import time

import openpyxl
import pytest
from celery import group
from django.urls import reverse

from coordination.models import ExportJob, Notification
from ledgers import exports, selectors
from ledgers import tasks as ledger_tasks
from ledgers.models import ReportStatus
from tests.workers import (
    Worker,
    broker_url,
    private_queue,
    sent_mails,
    wait_until,
)

SEPT, AUG = datetime.date(2026, 9, 1), datetime.date(2026, 8, 1)
# Committed data: the worker is another process. (Not serialized_rollback: restoring the migrated rows
# runs into the append-only audit tables; conftest puts the migrated data back after each test.)
pytestmark = pytest.mark.django_db(transaction=True)
REMINDERS = (ledger_tasks.remind_reports_due, ledger_tasks.remind_reports_late, ledger_tasks.close_missing_reports)


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("celery")
    (tmp / "mail").mkdir()
    (tmp / "media").mkdir()
    with private_queue() as queue:
        process = Worker(broker_url(), queue, tmp / "mail", tmp / "media", tmp / "worker.log")
        try:
            process.wait_ready()
            yield process
        finally:
            process.stop()


def remind(day: str) -> int:
    """All monthly report reminders for one frozen day, run by the worker; how many notifications they created."""
    return sum(group(task.s(today=day) for task in REMINDERS)().get(timeout=30))


def mails_to(worker, address: str) -> int:
    return sum(f"To: {address}" in message for message in sent_mails(worker.mail_dir))


def test_a_reminder_run_by_the_worker_notifies_each_officer_once_and_a_second_run_nothing(world, worker):
    officer = world.users.officer
    officer.email = "dongli-officer@example.gov.cn"
    officer.save()
    assert ledger_tasks.remind_reports_due.delay(today="2026-10-08").get(timeout=30) == 2
    assert ledger_tasks.remind_reports_due.delay(today="2026-10-08").get(timeout=30) == 0
    (notice,) = Notification.objects.filter(recipient=officer, kind="report_opened")
    assert notice.subject == "请报送2026年9月月报，截止10月10日（星期六，调休上班）"
    # The worker's own notify queued the e-mail after its commit; the worker sent it, once.
    assert wait_until(lambda: mails_to(worker, officer.email) == 1)
    ledger_tasks.remind_reports_due.delay(today="2026-10-08").get(timeout=30)
    time.sleep(0.5)
    assert mails_to(worker, officer.email) == 1
    assert Notification.objects.get(pk=notice.pk).emailed_at is not None


def test_monthly_report_reminders_fire_on_the_right_working_days_around_a_holiday(world, worker):
    # Officers: dongli's and xiqing's; late and missing notices add both district leaders and the office.
    expected = {
        "2026-10-07": 0,  # still the National Day holiday: nothing, although the month has ended
        "2026-10-08": 2,  # first working day: the month is open, due Saturday 10-10
        "2026-10-09": 2,  # the working day before the due date: due soon
        "2026-10-10": 0,  # the make-up Saturday is the due date itself: nothing new
        "2026-10-11": 0,  # Sunday
        "2026-10-12": 5,  # first working day after the due date: late
        "2026-10-26": 0,  # the close date (the 25th was a Sunday)
        "2026-10-27": 5,  # the day after: missing
    }
    assert {day: remind(day) for day in expected} == expected
    assert remind("2026-10-27") == 0
    assert remind("2026-10-08") == 0


def workbook_values(content: bytes) -> dict[str, list[tuple]]:
    """Every sheet's cell values without the subtitle row, which carries the export time."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {ws.title: [row for index, row in enumerate(ws.iter_rows(values_only=True)) if index != 1] for ws in book}


def test_a_large_export_built_by_the_worker_reaches_100_percent_and_matches_the_direct_export(
    world, make_report, worker, client, settings
):
    settings.MEDIA_ROOT = worker.media_dir
    settings.EXPORT_BACKGROUND_ROWS = 10
    make_report(ReportStatus.ACCEPTED, period=SEPT)
    make_report(ReportStatus.ACCEPTED, town=world.town2, period=AUG)
    user = world.users.office_policy
    client.force_login(user)
    response = client.get(reverse("ledger-export") + "?year=2026")
    job = ExportJob.objects.get(owner=user)
    assert response.url == reverse("export-job-detail", args=[job.pk])
    assert wait_until(lambda: ExportJob.objects.get(pk=job.pk).is_finished, timeout=30)
    job.refresh_from_db()
    assert (job.status, job.percent) == (ExportJob.Status.DONE, 100)
    assert job.rows_done == job.rows_total > 10
    fragment = client.get(reverse("export-job-progress", args=[job.pk])).content.decode()
    assert "100%" in fragment and "hx-trigger" not in fragment
    download = client.get(reverse("export-job-download", args=[job.pk]))
    direct = io.BytesIO()
    exports.write_ledger_workbook(direct, towns=selectors.towns_in_scope(user), year=2026)
    assert workbook_values(b"".join(download.streaming_content)) == workbook_values(direct.getvalue())
    assert Notification.objects.filter(recipient=user, kind="export_ready").count() == 1


def test_a_documents_pdf_copy_is_made_by_the_worker_with_its_progress_and_downloaded(world, worker, client, settings):
    """Issue 20: the minutes' PDF, asked for on the meeting's page, made by LibreOffice in the worker."""
    from tests.test_documents import _need_libreoffice
    from tests.test_permission_matrix import TARGETS

    _need_libreoffice()
    settings.MEDIA_ROOT = worker.media_dir
    meeting = TARGETS["held_meeting"](world)
    client.force_login(world.users.officer)
    response = client.post(reverse("document-pdf"), {"path": reverse("meeting-minutes-docx", args=[meeting.pk])})
    job = ExportJob.objects.get(owner=world.users.officer, kind="document_pdf")
    assert response.url == reverse("export-job-detail", args=[job.pk])
    assert wait_until(lambda: ExportJob.objects.get(pk=job.pk).is_finished, timeout=90)
    job.refresh_from_db()
    assert (job.status, job.percent, job.rows_done) == (ExportJob.Status.DONE, 100, 2), job.error
    download = client.get(reverse("export-job-download", args=[job.pk]))
    assert "pdf" in download["Content-Disposition"] and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
