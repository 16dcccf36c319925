"""Data taken out of the system is in the security audit (issue 22, 等保 2.0): every export and download that succeeds
writes one SecurityEvent (exported or downloaded) naming who took what, from where, in which request; a refused one
writes none (tianjin_towns.lib.downloads, tianjin_towns.middleware.DownloadHeadersMiddleware).

`test_every_route_that_serves_a_file_records_what_it_took` walks every GET route of the permission matrix as a
persona allowed it and fails naming any that serves a file without writing its row, or without naming what it took.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.http import parse_header_parameters

from coordination import services as org
from coordination.models import SecurityEvent
from coordination.services.tokens import api_token_issue
from coordination.tests.factories import make_meeting
from inspections import services as inspection
from ledgers import services as ledger
from ledgers.tests.factories import write_work_info
from tests import clients

login = clients.login

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
OFFICE = "10.12.0.8"
# Routes whose view is another team's and names nothing: the audit names what they serve by its file name.
NAMED_BY_FILE_NAME = {"user-import-template": "用户导入模板（Excel）"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _last() -> int:
    return SecurityEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _taken(after: int) -> list[tuple[str, str, str]]:
    """(kind, username, target) of the exports and downloads recorded since `after`."""
    rows = SecurityEvent.objects.filter(pk__gt=after, kind__in=["exported", "downloaded"]).order_by("pk")
    return [(event.kind, event.username, event.target) for event in rows]


def _visit_photo(world):
    visit = inspection.visit_create(
        actor=world.users.office_coord, kind="onsite_supervision", district=world.dongli,
        held_on=datetime.date(2026, 7, 10), title="第三季度现场督办服务", towns=[world.town],
        files=[SimpleUploadedFile("现场.jpg", JPEG)],
    )  # fmt: skip
    return visit.attachments.get()


def test_ledger_export_is_recorded_with_who_what_where_and_the_request(login, world):
    start = _last()
    response = login(world.users.officer).get(reverse("ledger-export"), {"year": 2026}, REMOTE_ADDR=OFFICE)
    assert response.status_code == 200
    assert _taken(start) == [("exported", "dongli-officer", "统计台账 2026年 东丽区（Excel）")]
    event = SecurityEvent.objects.get(pk__gt=start, kind="exported")
    assert event.user == world.users.officer
    assert (event.ip, event.request_id, event.result) == (OFFICE, response["X-Request-ID"], "success")


def test_minutes_in_word_are_recorded_and_an_outsider_refused_writes_nothing(login, world):
    meeting = make_meeting(world)
    url = reverse("meeting-minutes-docx", args=[meeting.pk])
    start = _last()
    assert login(world.users.outsider).get(url).status_code == 404
    assert _taken(start) == []
    assert login(world.users.reviewer).get(url).status_code == 200
    assert _taken(start) == [("exported", "dongli-leader", "会议纪要 东丽区特色小镇建设10月例会（Word）")]


def test_meeting_attachment_download_names_the_file_and_its_meeting(login, world):
    meeting = make_meeting(world)
    attachment = org.meeting_attach(
        actor=world.users.officer, meeting=meeting, file=SimpleUploadedFile("签到表.pdf", b"%PDF-1.4")
    )
    url = reverse("meeting-attachment", args=[meeting.pk, attachment.pk])
    start = _last()
    assert login(world.users.outsider).get(url).status_code == 404
    response = login(world.users.officer).get(url)
    assert b"".join(response.streaming_content) == b"%PDF-1.4"  # however many chunks: one row
    assert _taken(start) == [("downloaded", "dongli-officer", "附件 签到表.pdf（会议 东丽区特色小镇建设10月例会）")]


def test_api_ledger_export_and_file_are_recorded_as_the_tokens_user(world):
    photo = _visit_photo(world)
    token = api_token_issue(user=world.users.office_policy, name="导出").key
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")
    start = _last()
    assert api.get(reverse("api-ledger-export"), {"year": 2026}).status_code == 200
    assert api.get(reverse("api-inspection-file", args=[photo.pk])).status_code == 200
    assert _taken(start) == [
        ("exported", "office-policy", "统计台账 2026年 天津市（Excel）"),
        ("downloaded", "office-policy", "附件 现场.jpg（督办检查 2026-07-10 第三季度现场督办服务）"),
    ]
    outsider = Client(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=world.users.outsider, name='x').key}")
    start = _last()
    assert outsider.get(reverse("api-inspection-file", args=[photo.pk])).status_code == 404
    assert _taken(start) == []


def test_a_thumbnail_in_a_page_is_not_a_download_but_opening_the_photo_is(login, world):
    url = reverse("inspection-file", args=[_visit_photo(world).pk])
    client = login(world.users.officer)
    start = _last()
    assert client.get(url, HTTP_SEC_FETCH_DEST="image").status_code == 200
    assert client.head(url).status_code == 200
    assert _taken(start) == []
    assert client.get(url, HTTP_SEC_FETCH_DEST="document").status_code == 200
    assert [kind for kind, _user, _target in _taken(start)] == ["downloaded"]


def test_user_import_template_is_recorded_and_a_refused_officer_writes_nothing(login, world):
    url = reverse("user-import-template")
    start = _last()
    assert login(world.users.officer).get(url).status_code == 403
    assert _taken(start) == []
    assert login(world.users.office_policy).get(url).status_code == 200
    assert _taken(start) == [("exported", "office-policy", "用户导入模板（Excel）")]


def test_the_feeds_csv_is_one_row_however_long_it_streams(world):
    token = api_token_issue(user=world.users.liaison, name="共享").key
    start = _last()
    response = Client(HTTP_AUTHORIZATION=f"Token {token}").get(
        reverse("api-accepted-figures"), {"format": "csv", "from": "2026-01"}
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert _taken(start) == [("exported", "liaison-stats", "数据共享接口 已采用数据，自 2026-01-01（CSV）")]


def test_a_background_export_is_recorded_when_it_is_downloaded_not_when_it_is_built(login, world):
    job = org.export_job_create(
        actor=world.users.office_policy,
        kind="ledger",
        title="2026年统计台账（全市）",
        params={"year": 2026, "district": None, "filename": "台账.xlsx"},
    )
    start = _last()
    ledger.ledger_export_run(job_id=job.pk)
    assert _taken(start) == []
    assert login(world.users.office_policy).get(reverse("export-job-download", args=[job.pk])).status_code == 200
    assert _taken(start) == [("exported", "office-policy", "2026年统计台账（全市）（Excel）")]


def test_the_work_briefing_is_recorded_and_a_month_without_items_writes_nothing(login, world, on_day):
    on_day(datetime.date(2026, 12, 6))
    users = world.users
    start = _last()
    response = login(users.office_policy).get(reverse("work-info-briefing"), {"month": "2026-11"})
    assert response.status_code == 302  # nothing adopted in November yet: no briefing
    info = write_work_info(world, title="东丽区召开十一月推动会", happened_on=datetime.date(2026, 11, 25))
    info = ledger.work_info_submit(actor=users.officer, info=info)
    ledger.work_info_accept(actor=users.office_policy, info=ledger.work_info_approve(actor=users.reviewer, info=info))
    assert login(users.office_policy).get(reverse("work-info-briefing"), {"month": "2026-11"}).status_code == 200
    assert _taken(start) == [("exported", "office-policy", "工作简报 2026年11月（Word）")]


# --- Every route -------------------------------------------------------------------------------------------------

FILE_TYPES = ("application/", "image/", "text/csv")
NOT_FILES = ("application/json", "application/problem+json", "application/vnd.oai.openapi", "application/javascript")


def _serves_a_file(response) -> bool:
    """An attachment, or a body of a file's type (the API's schema, JSON and pages are none)."""
    content_type = response.get("Content-Type", "").split(";")[0]
    disposition, _params = parse_header_parameters(response.get("Content-Disposition", ""))
    return disposition == "attachment" or (
        content_type.startswith(FILE_TYPES) and not content_type.startswith(NOT_FILES)
    )


def test_every_route_that_serves_a_file_records_what_it_took(world):
    from tests import test_permission_matrix as matrix

    problems, files, client = [], [], Client()
    for row in matrix.ROWS:
        allowed = sorted(row.ok | row.admins)
        if row.method != "GET" or not allowed or row.name == "admin:index":
            continue
        with transaction.atomic():
            target = matrix.TARGETS[row.target](world) if row.target else None
            route = matrix._route_of(row)
            kwargs = row.kwargs(target) if row.kwargs else ({} if target is None else matrix._url_kwargs(route, target))
            user = getattr(world.users, allowed[0])
            client.force_login(user)
            start = _last()
            response = client.get(reverse(row.name, kwargs=kwargs), row.query)
            if response.status_code == 200 and _serves_a_file(response):
                files.append(row.name)
                taken = SecurityEvent.objects.filter(pk__gt=start, kind__in=["exported", "downloaded"])
                if [event.user for event in taken] != [user]:
                    problems.append(f"{row.id}: serves a file and wrote {len(taken)} rows for {user}, not one")
                elif not hasattr(response, "taken") and row.name not in NAMED_BY_FILE_NAME:
                    problems.append(
                        f"{row.id}: name what it takes (tianjin_towns.lib.downloads: attachment, file_download or "
                        f"audited with a target); the audit says only {taken[0].target!r}"
                    )
            transaction.set_rollback(True)
    assert not problems, "\n".join(problems)
    # The walk reached the downloads it is about (a matrix that stopped building them would pass it vacuously).
    assert {"ledger-export", "meeting-attachment", "api-inspection-file", "user-import-template"} <= set(files)
