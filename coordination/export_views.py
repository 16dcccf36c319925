"""Background export pages (R-3.7): the job's progress (polled by htmx), then its download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tianjin_towns.lib import downloads

from .models import ExportJob
from .permissions import DOWNLOAD, get_export_job_for_user


@login_required
def export_job_detail(request, pk: int):
    return render(request, "coordination/export_job.html", {"job": get_export_job_for_user(request.user, pk)})


@login_required
def export_job_progress(request, pk: int):
    """The progress card alone, which the page swaps in every second until the job has finished."""
    job = get_export_job_for_user(request.user, pk)
    return render(request, "coordination/export_job_progress.html", {"job": job})


@login_required
def export_job_download(request, pk: int):
    job = get_export_job_for_user(request.user, pk, DOWNLOAD)
    if job.status != ExportJob.Status.DONE or not job.file:
        messages.warning(request, _("文件尚未生成完毕，请稍候。"))
        return redirect("export-job-detail", pk=job.pk)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        messages.error(request, _("文件已过期被清理，请重新导出。"))
        return redirect("export-job-detail", pk=job.pk)
    response = FileResponse(handle, as_attachment=True, filename=job.filename)
    return downloads.audited(response, job.title, exported=True)  # recorded when served, not when built
