"""Background export jobs that nothing would ever finish (R-3.7).

A job's worker can vanish without a word: the process killed (SIGKILL, the kernel's OOM killer, a
restarted container) or the queued message lost with the broker's data. The task cannot mark its own job
then, so the page would say 正在生成 (or 排队中) forever. The sweep here, run every few minutes by beat,
marks such a job failed once it is past the export's time limit plus a margin; its owner sees 失败 and
can start it again (重新生成). A message of the job delivered again later (Redis hands back the message
of a worker killed outright after its visibility timeout) finds it finished and does nothing.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ExportJob


def export_jobs_fail_stuck(*, now: datetime.datetime | None = None) -> int:
    """Mark failed each export still running longer than EXPORT_TIME_LIMIT_SECONDS plus
    EXPORT_STUCK_MARGIN_SECONDS after it started, or still queued that long after it was requested.

    No worker still runs such a job: the task stops itself at the time limit and the worker kills it
    30 s later. The rows are locked first, so a job finishing at the same moment stays done; the owner is
    told (a notification, once per job). Safe to run twice. Returns how many jobs it marked.
    """
    from . import export_job_failed_notify  # this module is imported at the end of the package's __init__

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
