"""The sweep of background exports no worker will finish (issue 16, point 7): a job left "running" by a lost
worker, or "queued" by a lost message, becomes failed past the export's time limit plus a margin, and
its owner is offered to generate it again. (A worker really killed mid-export: tests/test_celery_faults.py.)"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination import services as org
from coordination.models import ExportJob, Notification


@pytest.fixture
def limits(settings):
    settings.EXPORT_TIME_LIMIT_SECONDS = 600
    settings.EXPORT_STUCK_MARGIN_SECONDS = 300
    return datetime.timedelta(seconds=900)


def ledger_job(world, *, district=None) -> ExportJob:
    params = {"year": 2026, "district": district.pk if district else None, "filename": "2026年统计台账.xlsx"}
    return org.export_job_create(
        actor=world.users.office_policy, kind="ledger", title="2026年统计台账（全市）", params=params,
        back_link="/ledger/?year=2026",
    )  # fmt: skip


def status(job: ExportJob) -> str:
    return ExportJob.objects.get(pk=job.pk).status


def test_an_export_left_running_by_a_lost_worker_fails_once_past_its_time_limit(world, limits, time_machine):
    job = ledger_job(world, district=world.dongli)
    org.export_job_start(job_id=job.pk)
    org.export_job_progress(job_id=job.pk, done=0, total=129)  # 已写入 0 / 约 129 行, then the worker died
    started = timezone.now()

    time_machine.move_to(started + limits - datetime.timedelta(minutes=1), tick=False)
    assert org.export_jobs_fail_stuck() == 0
    assert status(job) == ExportJob.Status.RUNNING  # it may still be running

    time_machine.move_to(started + limits + datetime.timedelta(minutes=1), tick=False)
    assert org.export_jobs_fail_stuck() == 1
    job.refresh_from_db()
    assert (job.status, job.finished_at) == (ExportJob.Status.FAILED, timezone.now())
    assert job.error == "后台生成中断或超时，文件未能生成。"
    assert org.export_jobs_fail_stuck() == 0  # safe to run twice


def test_the_progress_page_of_a_failed_export_stops_polling_and_offers_to_generate_it_again(world, limits, client):
    job = ledger_job(world, district=world.dongli)
    org.export_job_start(job_id=job.pk)
    assert org.export_jobs_fail_stuck(now=timezone.now() + limits + datetime.timedelta(seconds=1)) == 1
    client.force_login(world.users.office_policy)
    fragment = client.get(reverse("export-job-progress", args=[job.pk])).content.decode()
    assert "导出失败" in fragment and "正在生成" not in fragment
    assert "hx-trigger" not in fragment
    again = f"{reverse('ledger-export')}?year=2026&amp;district={world.dongli.pk}"
    assert f'href="{again}"' in fragment and "重新生成" in fragment
    page = client.get(reverse("export-job-detail", args=[job.pk])).content.decode()
    assert "重新生成" in page


@pytest.mark.usefixtures("db")
def test_regenerating_starts_a_new_export_of_the_same_ledger(world, limits, client, settings, monkeypatch):
    from ledgers import tasks

    queued = []
    monkeypatch.setattr(tasks.export_ledger, "apply_async", lambda args, **options: queued.append(args[0]))
    settings.EXPORT_BACKGROUND_ROWS = -1  # every export, even of no rows, goes to the background
    job = ledger_job(world, district=world.dongli)
    org.export_jobs_fail_stuck(now=timezone.now() + limits + datetime.timedelta(seconds=1))
    client.force_login(world.users.office_policy)
    response = client.get(f"{reverse('ledger-export')}?year=2026&district={world.dongli.pk}")
    new = ExportJob.objects.exclude(pk=job.pk).get()
    assert response.url == reverse("export-job-detail", args=[new.pk])
    assert (new.params["year"], new.params["district"], new.status) == (2026, world.dongli.pk, "queued")
    assert queued == [new.pk]


def test_a_job_never_started_fails_after_the_same_time_and_finished_jobs_are_left_alone(world, limits):
    queued, done, failed, recent = (ledger_job(world) for _ in range(4))
    org.export_job_start(job_id=done.pk)
    ExportJob.objects.filter(pk=done.pk).update(status=ExportJob.Status.DONE)
    org.export_job_fail(job_id=failed.pk, error="boom")
    later = timezone.now() + limits + datetime.timedelta(seconds=1)
    ExportJob.objects.filter(pk=recent.pk).update(created_at=later - datetime.timedelta(minutes=1))

    assert org.export_jobs_fail_stuck(now=later) == 1
    assert [status(job) for job in (queued, done, failed, recent)] == ["failed", "done", "failed", "queued"]
    assert ExportJob.objects.get(pk=failed.pk).error == "boom"


def _failure_notices(user):
    return list(Notification.objects.filter(recipient=user, kind="export_failed").values_list("subject", "link"))


def test_the_owner_is_told_once_when_an_export_fails(world, limits):
    stuck, broken = ledger_job(world), ledger_job(world)
    org.export_job_fail(job_id=broken.pk, error="boom")
    org.export_job_fail(job_id=broken.pk, error="boom again")  # a retry's second failure: no second notice
    assert org.export_jobs_fail_stuck(now=timezone.now() + limits + datetime.timedelta(seconds=1)) == 1
    assert org.export_jobs_fail_stuck(now=timezone.now() + limits + datetime.timedelta(seconds=2)) == 0
    link = reverse("export-job-detail", args=[stuck.pk])
    assert sorted(_failure_notices(world.users.office_policy)) == sorted(
        [
            ("导出失败：2026年统计台账（全市）", reverse("export-job-detail", args=[broken.pk])),
            ("导出失败：2026年统计台账（全市）", link),
        ]
    )


def test_no_failure_notice_when_the_page_exported_directly_instead(world):
    job = ledger_job(world)
    org.export_job_fail(job_id=job.pk, error="后台服务不可用，已改为直接导出。", tell_owner=False)
    assert status(job) == ExportJob.Status.FAILED
    assert _failure_notices(world.users.office_policy) == []
