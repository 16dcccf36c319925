"""Background exports (R-3.7): a requested export is a job; the worker starts it, reports its progress and
finishes it (the file stored, its owner told) or fails it. Old files are purged after EXPORT_KEEP_DAYS.

A job's worker can vanish without a word: the process killed (SIGKILL, the kernel's OOM killer, a
restarted container) or the queued message lost with the broker's data. The task cannot mark its own job
then, so the page would say 正在生成 (or 排队中) forever. The sweep here, run every few minutes by beat,
marks such a job failed once it is past the export's time limit plus a margin; its owner sees 失败 and
can start it again (重新生成). A message of the job delivered again later (Redis hands back the message
of a worker killed outright after its visibility timeout) finds it finished and does nothing.
"""

import datetime
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ExportJob
from ..notifications import notify


@transaction.atomic
def export_job_create(
    *, actor: AbstractBaseUser, kind: str, title: str, params: dict, back_link: str = ""
) -> ExportJob:
    """Record a requested export; the caller queues the task that builds it (after this commits)."""
    return ExportJob.objects.create(owner=actor, kind=kind, title=title[:200], params=params, back_link=back_link)


@transaction.atomic
def export_job_start(*, job_id: int) -> ExportJob | None:
    """queued (or running, when a worker died half-way) → running; None when it has finished already."""
    job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.is_finished:
        return None
    job.status = ExportJob.Status.RUNNING
    job.started_at = timezone.now()
    job.rows_done = 0
    job.save(update_fields=["status", "started_at", "rows_done"])
    return job


def export_job_progress(*, job_id: int, done: int, total: int) -> None:
    """The worker's progress report: a single UPDATE, committed at once so the page sees it."""
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
        rows_done=min(done, total), rows_total=total
    )


@transaction.atomic
def export_job_finish(*, job_id: int, filename: str, content: bytes) -> ExportJob:
    """Store the file under MEDIA_ROOT/exports/ and tell the owner it is ready."""
    job = ExportJob.objects.select_for_update().select_related("owner").get(pk=job_id)
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else "xlsx"
    job.file.save(f"{job.pk}-{uuid.uuid4().hex}.{suffix}", ContentFile(content), save=False)
    job.filename = filename
    job.status = ExportJob.Status.DONE
    job.rows_done = job.rows_total
    job.finished_at = timezone.now()
    job.save()
    notify(
        recipients=[job.owner],
        kind="export_ready",
        subject=_("导出完成：%(title)s") % {"title": job.title},
        body=_("文件 %(filename)s 已生成，请在7天内下载。") % {"filename": filename},
        link=reverse("export-job-detail", args=[job.pk]),
        about=job,
        occasion=f"export-ready:{job.pk}",
    )
    return job


@transaction.atomic
def export_job_fail(*, job_id: int, error: str, tell_owner: bool = True) -> None:
    """The job ends failed; its owner is told, unless the page answers them at once (`tell_owner=False`:
    the broker was down and the file came directly)."""
    failed = ExportJob.objects.filter(pk=job_id).exclude(status__in=[ExportJob.Status.DONE, ExportJob.Status.FAILED])
    if failed.update(status=ExportJob.Status.FAILED, error=error[:2000], finished_at=timezone.now()) and tell_owner:
        export_job_failed_notify(ExportJob.objects.select_related("owner").get(pk=job_id))


def export_job_failed_notify(job: ExportJob) -> None:
    """Tell the owner an export failed, as its page promised to tell them when it is done."""
    notify(
        recipients=[job.owner],
        kind="export_failed",
        subject=_("导出失败：%(title)s") % {"title": job.title},
        body=_("文件未能生成，请在导出页面点击“重新生成”。"),
        link=reverse("export-job-detail", args=[job.pk]),
        about=job,
        occasion=f"export-failed:{job.pk}",
    )


EXPORT_KEEP_DAYS = 7


def export_jobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete export files and their rows older than EXPORT_KEEP_DAYS; returns how many."""
    old = ExportJob.objects.filter(created_at__lt=(now or timezone.now()) - datetime.timedelta(days=EXPORT_KEEP_DAYS))
    count = 0
    for job in old:
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count


def export_jobs_fail_stuck(*, now: datetime.datetime | None = None) -> int:
    """Mark failed each export still running longer than EXPORT_TIME_LIMIT_SECONDS plus
    EXPORT_STUCK_MARGIN_SECONDS after it started, or still queued that long after it was requested.

    No worker still runs such a job: the task stops itself at the time limit and the worker kills it
    30 s later. The rows are locked first, so a job finishing at the same moment stays done; the owner is
    told (a notification, once per job). Safe to run twice. Returns how many jobs it marked.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.EXPORT_TIME_LIMIT_SECONDS + settings.EXPORT_STUCK_MARGIN_SECONDS)
    stuck = ExportJob.objects.filter(
        Q(status=ExportJob.Status.RUNNING, started_at__lt=cutoff)
        | Q(status=ExportJob.Status.QUEUED, created_at__lt=cutoff)
    )
    with transaction.atomic():
        jobs = list(stuck.select_for_update().select_related("owner"))
        ExportJob.objects.filter(pk__in=[job.pk for job in jobs]).update(
            status=ExportJob.Status.FAILED, error=_("后台生成中断或超时，文件未能生成。"), finished_at=now
        )
        for job in jobs:
            export_job_failed_notify(job)
    return len(jobs)
