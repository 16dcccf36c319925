"""Large ledger exports run in the background (R-3.7): the threshold, the job with its progress, the page
that polls it, the download, and who may see it. (A real worker runs one in tests/test_celery_worker.py.)"""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from coordination import services as org
from coordination.models import ExportJob, Notification, Role
from ledgers import exports, selectors, services, tasks
from ledgers.models import ReportStatus
from tests import clients
from tianjin_towns.lib import dates

SEPT = datetime.date(2026, 9, 1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


login = clients.login


@pytest.fixture
def queued(monkeypatch):
    """Export tasks handed to the broker, instead of a broker."""
    sent = []
    monkeypatch.setattr(tasks.export_ledger, "apply_async", lambda args, **options: sent.append(args[0]))
    return sent


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def export_url(year=2026, district=None) -> str:
    return reverse("ledger-export") + f"?year={year}" + (f"&district={district.pk}" if district else "")


def workbook_values(content: bytes) -> dict[str, list[tuple]]:
    """Every sheet's cell values, without the subtitle row that carries the export time."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {ws.title: [row for index, row in enumerate(ws.iter_rows(values_only=True)) if index != 1] for ws in book}


def direct_export(user, year=2026, district_id=None) -> bytes:
    output = io.BytesIO()
    exports.write_ledger_workbook(output, towns=selectors.towns_in_scope(user, district_id=district_id), year=year)
    return output.getvalue()


def test_small_export_stays_a_direct_download(login, world, queued, settings):
    settings.EXPORT_BACKGROUND_ROWS = 10_000
    response = login(world.users.office_policy).get(export_url())
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert queued == []
    assert not ExportJob.objects.exists()


def test_large_export_becomes_a_job_and_the_page_shows_its_progress(login, world, queued, settings):
    settings.EXPORT_BACKGROUND_ROWS = 5
    client = login(world.users.reviewer)
    response = client.get(export_url(district=world.dongli))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("export-job-detail", args=[job.pk])
    assert queued == [job.pk]
    assert (job.owner, job.status, job.params["district"]) == (world.users.reviewer, "queued", world.dongli.pk)
    assert job.title == "2026年统计台账（东丽区）"
    page = client.get(response.url).content.decode()
    assert "排队中" in page
    assert f'hx-get="{reverse("export-job-progress", args=[job.pk])}"' in page  # polls until finished
    assert "vendor/htmx/htmx.min.js" in page
    assert "<script>" not in page  # no inline script (CSP)


def test_with_the_broker_down_a_large_export_is_still_delivered_directly(login, world, monkeypatch, settings):
    def refuse(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks.export_ledger, "apply_async", refuse)
    settings.EXPORT_BACKGROUND_ROWS = 5
    response = login(world.users.office_policy).get(export_url())
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert ExportJob.objects.get().status == ExportJob.Status.FAILED


def test_row_count_counts_town_months_and_project_rows(world, make_report):
    make_report(ReportStatus.ACCEPTED, period=SEPT)
    towns = selectors.towns_in_scope(world.users.reviewer, district_id=world.dongli.pk)
    ended = sum(1 for month in dates.months_of_year(2026) if dates.period_has_ended(month))
    assert exports.ledger_row_count(towns, 2026) == 2 * ended  # two towns × the ended months, no projects
    services.project_create(
        actor=world.users.officer, town=world.town, code="P-1", name="一期", category="industry",
        total_investment=100, annual_investment=50,
    )  # fmt: skip
    assert exports.ledger_row_count(towns, 2026) == 2 * ended + 1


def _job(user, *, district=None, year=2026) -> ExportJob:
    return org.export_job_create(
        actor=user,
        kind="ledger",
        title="2026年统计台账",
        params={"year": year, "district": district.pk if district else None, "filename": "台账.xlsx"},
    )


def test_the_job_writes_the_same_workbook_as_the_direct_export_and_reports_progress(
    world, make_report, media, monkeypatch
):
    make_report(ReportStatus.ACCEPTED, period=SEPT)
    make_report(ReportStatus.ACCEPTED, period=datetime.date(2026, 8, 1), town=world.town2)
    job = _job(world.users.office_policy)
    reported = []
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 5)
    monkeypatch.setattr(services.export_jobs, "EXPORT_PROGRESS_SECONDS", 0)  # where ledger_export_run reads it
    real_progress = org.export_job_progress

    def spy(*, job_id, done, total):
        reported.append((done, total))
        real_progress(job_id=job_id, done=done, total=total)

    monkeypatch.setattr(org, "export_job_progress", spy)
    services.ledger_export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.percent == 100
    assert job.file.name.startswith("exports/")
    assert (media / job.file.name).exists()
    done = [d for d, _total in reported]
    assert done[0] == 0 and done == sorted(done) and len(done) >= 4  # the bar moves forward
    assert workbook_values(job.file.read()) == workbook_values(direct_export(world.users.office_policy))
    (ready,) = Notification.objects.filter(kind="export_ready")
    assert ready.recipient == world.users.office_policy
    assert ready.link == reverse("export-job-detail", args=[job.pk])


def test_running_a_finished_job_again_changes_nothing(world, media):
    job = _job(world.users.office_policy)
    services.ledger_export_run(job_id=job.pk)
    first = ExportJob.objects.get(pk=job.pk)
    services.ledger_export_run(job_id=job.pk)
    again = ExportJob.objects.get(pk=job.pk)
    assert (again.file.name, again.finished_at) == (first.file.name, first.finished_at)
    assert Notification.objects.filter(kind="export_ready").count() == 1


def test_progress_fragment_stops_polling_when_done_and_offers_the_download(login, world, media):
    job = _job(world.users.office_policy)
    client = login(world.users.office_policy)
    running = client.get(reverse("export-job-progress", args=[job.pk])).content.decode()
    assert "hx-trigger" in running
    services.ledger_export_run(job_id=job.pk)
    done = client.get(reverse("export-job-progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in done
    assert "100%" in done
    assert reverse("export-job-download", args=[job.pk]) in done
    response = client.get(reverse("export-job-download", args=[job.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert workbook_values(b"".join(response.streaming_content)) == workbook_values(
        direct_export(world.users.office_policy)
    )


def test_another_users_export_is_not_found(login, world, media):
    job = _job(world.users.reviewer, district=world.dongli)
    services.ledger_export_run(job_id=job.pk)
    client = login(world.users.outsider)
    for name in ("export-job-detail", "export-job-progress", "export-job-download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404


def test_a_user_moved_away_from_the_district_may_no_longer_download_its_export(login, world, media):
    job = _job(world.users.reviewer, district=world.dongli)
    services.ledger_export_run(job_id=job.pk)
    org.user_assign_role(user=world.users.reviewer, role=Role.REVIEWER, org_unit=world.xiqing)
    client = login(world.users.reviewer)
    assert client.get(reverse("export-job-detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("export-job-download", args=[job.pk])).status_code == 403


def test_a_failed_job_says_so_and_offers_the_way_back(login, world):
    job = _job(world.users.office_policy)
    org.export_job_fail(job_id=job.pk, error="boom")
    page = login(world.users.office_policy).get(reverse("export-job-detail", args=[job.pk])).content.decode()
    assert "导出失败" in page
    assert "hx-trigger" not in page


def test_old_export_files_are_purged(world, media):
    job = _job(world.users.office_policy)
    services.ledger_export_run(job_id=job.pk)
    path = media / ExportJob.objects.get(pk=job.pk).file.name
    assert org.export_jobs_purge() == 0
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=8)
    assert org.export_jobs_purge(now=later) == 1
    assert not path.exists()
    assert not ExportJob.objects.exists()
