"""PDF copies of the Word documents (issue 20): asked for on the document's page, made by LibreOffice as an export
job, downloaded from the job's page; refused for a document the user may not read; not offered without LibreOffice."""

import subprocess

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from coordination import document_pdfs
from coordination.models import ExportJob
from tests.test_documents import _need_libreoffice
from tests.test_permission_matrix import TARGETS


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_minutes_page_asks_for_a_pdf_which_the_job_makes_and_the_owner_downloads(world, tmp_path):
    _need_libreoffice()
    meeting = TARGETS["held_meeting"](world)
    officer = _as(world.users.officer)
    docx = reverse("meeting-minutes-docx", args=[meeting.pk])
    page = officer.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert f'name="path" value="{docx}"' in page and "纪要 PDF" in page
    response = officer.post(reverse("document-pdf"), {"path": docx})
    job = ExportJob.objects.get(owner=world.users.officer, kind=document_pdfs.KIND)
    assert response.status_code == 302 and response["Location"] == reverse("export-job-detail", args=[job.pk])
    assert job.title.endswith("会议纪要（PDF）") and job.status == ExportJob.Status.QUEUED
    document_pdfs.pdf_build(job_id=job.pk)  # what the worker's task runs
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.filename.endswith("会议纪要.pdf")
    download = officer.get(reverse("export-job-download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF")
    path = tmp_path / "minutes.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True).stdout.decode()
    assert "A4" in info or "595.3" in info


def test_a_document_the_user_may_not_read_or_a_page_that_is_no_document_gets_no_pdf(world):
    _need_libreoffice()
    meeting = TARGETS["held_meeting"](world)  # dongli's
    outsider = _as(world.users.outsider)
    docx = reverse("meeting-minutes-docx", args=[meeting.pk])
    assert outsider.post(reverse("document-pdf"), {"path": docx}).status_code == 404
    officer = _as(world.users.officer)
    for path in (reverse("meeting-detail", args=[meeting.pk]), "/no/such/page/", ""):
        assert officer.post(reverse("document-pdf"), {"path": path}).status_code == 404
    assert not ExportJob.objects.filter(kind=document_pdfs.KIND).exists()


def test_a_job_whose_owner_lost_the_right_to_the_document_fails(world):
    _need_libreoffice()
    from coordination import services as org

    meeting = TARGETS["held_meeting"](world)
    job = document_pdfs.pdf_request(actor=world.users.officer, path=reverse("meeting-minutes-docx", args=[meeting.pk]))
    org.user_assign_role(user=world.users.officer, role="officer", org_unit=world.xiqing)  # moved to 西青
    document_pdfs.pdf_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "无权" in job.error


def test_without_libreoffice_the_pages_offer_only_the_word_document(world, settings):
    settings.LIBREOFFICE = "/nonexistent/soffice"
    meeting = TARGETS["held_meeting"](world)
    officer = _as(world.users.officer)
    page = officer.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert "纪要 PDF" not in page and "预览纪要" in page
    docx = reverse("meeting-minutes-docx", args=[meeting.pk])
    assert officer.post(reverse("document-pdf"), {"path": docx}).status_code == 404
    assert officer.get(docx).status_code == 200  # the .docx as before


def test_a_document_as_issued_has_its_pdf_made_from_the_kept_file(world, settings, tmp_path):
    """The PDF of an issued document is made from the file kept (streamed from storage), not from the data now."""
    settings.MEDIA_ROOT = tmp_path
    document = TARGETS["issued_minutes"](world)
    path = reverse("document-file", args=[document.pk])
    filename, content = document_pdfs._docx_as(world.users.officer, path)
    assert content == document.file.open("rb").read() and filename == document.filename
    with pytest.raises(Http404):  # the outsider does not read dongli's minutes
        document_pdfs._docx_as(world.users.outsider, path)
