"""The request for a Word document's PDF copy (coordination.document_pdfs): posted from the document's page, answered
with the export job's progress page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tianjin_towns.celery import enqueue_from_request

from . import document_pdfs
from .services import jobs
from .tasks import export_document_pdf


@login_required
@require_POST
def document_pdf(request):
    path, back = request.POST.get("path", ""), request.POST.get("back", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""  # the job's page links back only to a page of ours
    job = document_pdfs.pdf_request(actor=request.user, path=path, back_link=back)
    if not enqueue_from_request(export_document_pdf, job.pk):
        jobs.export_job_fail(job_id=job.pk, error=_("后台服务暂时不可用，请稍后重试。"), tell_owner=False)
        messages.error(request, _("后台服务暂时不可用，PDF 未能开始生成，请稍后重试；Word 版仍可直接下载。"))
    return redirect("export-job-detail", pk=job.pk)
