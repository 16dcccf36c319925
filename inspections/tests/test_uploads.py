"""Photos and documents: type and size checked, a refused upload leaves neither a row nor a file."""

import pytest
from django.core.exceptions import ValidationError

from inspections import services
from inspections.models import Attachment, InspectionEvent, Problem, Visit
from inspections.uploads import check_upload

from .conftest import DOCX, EXE, HEIC, JPEG, PDF, PNG, WEBP, XLSX, stored_files, upload


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("现场.jpg", JPEG, "photo"),
        ("现场.JPEG", JPEG, "photo"),
        ("现场.png", PNG, "photo"),
        ("现场.webp", WEBP, "photo"),
        ("IMG_0001.HEIC", HEIC, "photo"),
        ("汇报.pdf", PDF, "document"),
        ("纪要.docx", DOCX, "document"),
        ("台账.xlsx", XLSX, "document"),
    ],
)
def test_images_and_office_documents_are_accepted(name, content, kind):
    assert check_upload(upload(name, content)).kind == kind


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", EXE),
        ("照片.jpg", EXE),  # a renamed program
        ("纪要.docx", XLSX),  # a workbook named as a document
        ("照片.gif", b"GIF89a" + b"\x00" * 20),
        ("无扩展名", JPEG),
        ("报告.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 20),
    ],
)
def test_other_files_are_refused_with_a_chinese_message(name, content):
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, content))
    assert f"文件“{name}”的类型不允许上传" in error.value.messages[0]


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.INSPECTIONS_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as error:
        check_upload(upload("大照片.jpg", JPEG + b"\x00" * 2000))
    assert "超过上限 1.0\xa0KB" in error.value.messages[0]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as error:
        check_upload(upload("空.pdf", b""))
    assert "空文件" in error.value.messages[0]


def test_a_visit_with_one_bad_file_is_not_recorded_and_no_file_is_stored(world, make_visit, media_root):
    with pytest.raises(ValidationError) as error:
        make_visit(files=[upload("现场.jpg", JPEG), upload("病毒.exe", EXE)])
    assert "病毒.exe" in error.value.message_dict["files"][0]
    assert not Visit.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_an_oversized_rectification_photo_leaves_the_problem_as_it_was(
    world, make_visit, make_problem, media_root, settings
):
    problem = make_problem(make_visit())
    settings.INSPECTIONS_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError):
        services.problem_rectify(
            actor=world.users.officer, problem=problem, note="已整改", files=[upload("整改.jpg", JPEG + b"\x00" * 4096)]
        )
    problem.refresh_from_db()
    assert problem.status == "open"
    assert not problem.events.filter(action=InspectionEvent.Action.RECTIFY).exists()
    assert stored_files(media_root) == []


def test_files_written_before_a_failure_are_deleted_again(world, make_visit, media_root, monkeypatch):
    visit = make_visit()
    original = Attachment.save
    calls = []

    def fail_on_second(self, *args, **kwargs):
        calls.append(self.name)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", fail_on_second)
    with pytest.raises(RuntimeError):
        services.visit_add_attachments(
            actor=world.users.office_coord, visit=visit, files=[upload("一.jpg", JPEG), upload("二.png", PNG)]
        )
    assert stored_files(media_root) == []


def test_stored_files_get_random_names_and_keep_the_users_name(world, make_visit, media_root):
    visit = make_visit(files=[upload("../../etc/现场 照片.jpg", JPEG)])
    attachment = visit.attachments.get()
    assert attachment.name == "现场 照片.jpg"
    assert attachment.file.name.startswith(f"inspections/{visit.pk}/")
    assert attachment.file.name.endswith(".jpg") and "现场" not in attachment.file.name
    assert [p.name for p in stored_files(media_root)] == [attachment.file.name.rsplit("/", 1)[1]]


def test_a_problem_with_a_bad_photo_is_not_recorded(world, make_visit, make_problem, media_root):
    visit = make_visit()
    with pytest.raises(ValidationError):
        make_problem(visit, solved_on_site=True, files=[upload("现场.png", PNG), upload("x.jpg", b"not an image")])
    assert not Problem.objects.exists()
    assert stored_files(media_root) == []
