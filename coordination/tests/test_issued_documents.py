"""Official documents issued (issue 20): the register of numbers, issue once and keep, corrections, the list page
and the API. The minutes of dongli's meetings, the office's circular and its work briefing are the examples."""

import datetime
import io
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from docx import Document

from coordination import services as org
from coordination.models import DocumentKind, DocumentSequence, IssuedDocument, OrgUnit
from coordination.tests.factories import make_meeting
from tests import clients
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib.documents import PREVIEW_NUMBER

login = clients.login


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    return "\n".join(p.text for p in document.paragraphs)


def _approved_meeting(world, **fields):
    meeting = make_meeting(world, **fields)
    return org.meeting_approve_minutes(actor=world.users.reviewer, meeting=meeting)


def _issue(world, kind=DocumentKind.CIRCULAR, source="circular:2026", *, day=None, issuer=None, **kwargs):
    """A document issued through the service with a stand-in builder that writes the number it is given."""
    return org.document_issue(
        actor=world.users.office_coord,
        kind=kind,
        source=source,
        issuer=issuer or world.city,
        title="关于2026年现场督办问题逾期未整改情况的通报",
        build=lambda number, issued_on: f"{number} {issued_on}".encode(),
        filename="通报.docx",
        issued_on=day,
        **kwargs,
    )


# --- Numbers -----------------------------------------------------------------------------------------------


def test_the_office_numbers_its_circulars_in_one_series_that_restarts_each_year(world):
    first = _issue(world, source="circular:2026-Q3", day=datetime.date(2026, 10, 9))
    results = _issue(world, DocumentKind.RESULTS_CIRCULAR, "run:7", day=datetime.date(2026, 12, 30))
    next_year = _issue(world, source="circular:2026", day=datetime.date(2027, 1, 4))
    assert [first.number, results.number, next_year.number] == [
        "津特镇办〔2026〕1号",
        "津特镇办〔2026〕2号",  # the results circular shares the office's document numbers
        "津特镇办〔2027〕1号",
    ]
    assert first.file.read() == "津特镇办〔2026〕1号 2026-10-09".encode()  # the number is in the file as kept


def test_briefings_count_issues_and_each_unit_numbers_its_own_minutes(world):
    briefing = _issue(world, DocumentKind.WORK_BRIEFING, "work_briefing:2026-10")
    assessment = _issue(world, DocumentKind.ASSESSMENT_BRIEFING, "run:3")
    dongli = _issue(world, DocumentKind.MINUTES, "meeting:1", issuer=world.dongli)
    xiqing = _issue(world, DocumentKind.MINUTES, "meeting:2", issuer=world.xiqing)
    assert [briefing.number, assessment.number] == ["2026年第1期", "2026年第2期"]
    assert [dongli.number, xiqing.number] == ["2026年第1期", "2026年第1期"]


def test_a_document_is_issued_once_and_a_failed_issue_gives_its_number_back(world):
    _issue(world)
    with pytest.raises(ConflictError, match="不能重复印发"):
        _issue(world)

    def broken(number, issued_on):
        raise RuntimeError("the builder failed")

    with pytest.raises(RuntimeError):
        org.document_issue(
            actor=world.users.office_coord,
            kind=DocumentKind.CIRCULAR,
            source="circular:2026-Q4",
            issuer=world.city,
            title="通报",
            build=broken,
            filename="通报.docx",
        )
    assert _issue(world, source="circular:2026-Q4").number == "津特镇办〔2026〕2号"


def test_a_correction_is_a_new_number_that_names_the_one_it_replaces(world):
    first = _issue(world)
    with pytest.raises(ValidationError):
        _issue(world, corrects=first, reason=" ")
    second = _issue(world, corrects=first, reason="第三项问题的整改期限有误")
    first.refresh_from_db()
    assert (first.current, second.current) == (False, True)
    assert second.number == "津特镇办〔2026〕2号" and second.corrects == first
    assert "（更正津特镇办〔2026〕1号）" in second.file.read().decode()
    assert first.file.read().startswith("津特镇办〔2026〕1号".encode())  # the replaced one is kept as it was
    with pytest.raises(ConflictError, match="只能更正现行有效"):
        _issue(world, corrects=first, reason="再次更正")


@pytest.mark.django_db(transaction=True)
def test_two_issues_at_the_same_moment_get_two_numbers():
    """Two offices' clerks issue at once: each issue waits for the register's row, none reuses a number."""
    city = OrgUnit.objects.create(code="120000", name="天津市", level=OrgUnit.Level.MUNICIPAL)
    clerk = get_user_model().objects.create_user("clerk", password="x")
    start = threading.Barrier(2)
    numbers, errors = [], []

    def issue(source: str) -> None:
        try:
            start.wait()
            document = org.document_issue(
                actor=clerk,
                kind=DocumentKind.CIRCULAR,
                source=source,
                issuer=city,
                title="通报",
                build=lambda number, day: number.encode(),
                filename="通报.docx",
            )
            numbers.append(document.number)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(f"circular:2026-Q{q}",)) for q in (3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == ["津特镇办〔2026〕1号", "津特镇办〔2026〕2号"]
    assert DocumentSequence.objects.get().last == 2


# --- The minutes, on their page ----------------------------------------------------------------------------


def test_the_preview_of_the_minutes_takes_no_number(world, login):
    meeting = _approved_meeting(world)
    response = login(world.users.officer).get(reverse("meeting-minutes-docx", args=[meeting.pk]))
    assert str(PREVIEW_NUMBER) in _text(response.content)
    assert not DocumentSequence.objects.exists() and not IssuedDocument.objects.exists()


def test_the_district_leader_issues_approved_minutes_and_everyone_downloads_them_as_issued(world, login):
    meeting = _approved_meeting(world)
    leader = login(world.users.reviewer)
    page = leader.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert "document-issue-confirm" in page and "尚未印发" in page

    response = leader.post(reverse("meeting-minutes-issue", args=[meeting.pk]))
    assert response.status_code == 302
    document = IssuedDocument.objects.get()
    assert (document.kind, document.number, document.issuer) == (DocumentKind.MINUTES, "2026年第1期", world.dongli)
    assert document.issued_by == world.users.reviewer
    text = _text(document.file.read())
    assert "2026年第1期" in text and str(PREVIEW_NUMBER) not in text

    page = login(world.users.officer).get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert "已印发" in page and reverse("document-file", args=[document.pk]) in page
    assert "document-correct" not in page  # the officer may not issue
    kept = login(world.users.leader).get(reverse("document-file", args=[document.pk]))
    assert b"".join(kept.streaming_content) == document.file.open("rb").read()
    again = login(world.users.reviewer).post(reverse("meeting-minutes-issue", args=[meeting.pk]), follow=True)
    assert "不能重复印发" in again.content.decode()
    assert IssuedDocument.objects.count() == 1  # issued once: the second try is refused with a message


def test_minutes_are_issued_only_once_approved_and_only_by_who_approves_them(world, login):
    meeting = make_meeting(world)  # held, not approved
    url = reverse("meeting-minutes-issue", args=[meeting.pk])
    assert login(world.users.reviewer).post(url).status_code == 302
    assert not IssuedDocument.objects.exists()
    meeting = org.meeting_approve_minutes(actor=world.users.reviewer, meeting=meeting)
    assert login(world.users.officer).post(url).status_code == 403
    assert login(world.users.outsider).post(url).status_code == 404
    assert not IssuedDocument.objects.exists()


def test_correcting_minutes_from_their_page_issues_the_next_number(world, login):
    meeting = _approved_meeting(world)
    leader = login(world.users.reviewer)
    url = reverse("meeting-minutes-issue", args=[meeting.pk])
    leader.post(url)
    first = IssuedDocument.objects.get()
    leader.post(f"{url}?corrects={first.pk}", {"reason": ""})
    assert IssuedDocument.objects.count() == 1  # a correction needs its reason
    leader.post(f"{url}?corrects={first.pk}", {"reason": "参会单位漏列市规划资源局"})
    second = IssuedDocument.objects.get(current=True)
    assert (second.number, second.corrects_id, second.correction_reason) == (
        "2026年第2期",
        first.pk,
        "参会单位漏列市规划资源局",
    )
    assert "（更正2026年第1期）" in _text(second.file.read())


# --- The circular and the work briefing --------------------------------------------------------------------


def test_the_office_issues_the_circular_and_the_file_stays_as_issued(world, login):
    from tests.test_permission_matrix import TARGETS

    TARGETS["problem"](world)
    office = login(world.users.office_coord)
    page = office.get(reverse("inspection-circular"), {"year": 2026}).content.decode()
    assert "document-issue-confirm" in page
    assert office.post(reverse("inspection-circular-issue") + "?year=2026").status_code == 302
    document = IssuedDocument.objects.get()
    assert (document.number, document.source) == ("津特镇办〔2026〕1号", "circular:2026")
    text = _text(document.file.read())
    assert "津特镇办〔2026〕1号" in text and "天津市特色小镇规划建设工作联席会议办公室文件" in text
    # A district officer reads the circular the office issued, but does not issue it.
    assert login(world.users.officer).post(reverse("inspection-circular-issue") + "?year=2026").status_code == 403
    assert login(world.users.officer).get(reverse("document-file", args=[document.pk])).status_code == 200


def test_the_office_issues_a_months_work_briefing_from_its_page(world, login):
    from ledgers import services as ledger

    u = world.users
    info = ledger.work_info_create(
        actor=u.officer,
        org_unit=world.dongli,
        category="meeting",
        title="东丽区召开特色小镇现场推动会",
        body="会议部署了四季度重点工作。",
        happened_on=datetime.date(2026, 10, 12),
    )
    info = ledger.work_info_submit(actor=u.officer, info=info)
    info = ledger.work_info_approve(actor=u.reviewer, info=info)
    ledger.work_info_accept(actor=u.office_policy, info=info)
    office = login(u.office_policy)
    page = office.get(reverse("work-info-briefing-page"), {"month": "2026-10"})
    assert page.status_code == 200 and "东丽区召开特色小镇现场推动会" in page.content.decode()
    office.post(reverse("work-info-briefing-issue") + "?month=2026-10")
    document = IssuedDocument.objects.get()
    assert document.number == "2026年第1期" and document.kind == DocumentKind.WORK_BRIEFING
    assert "2026年第1期" in _text(document.file.read())
    assert login(u.officer).post(reverse("work-info-briefing-issue") + "?month=2026-10").status_code == 403


# --- Who reads them: the list and the API ------------------------------------------------------------------


def _minutes_of(world, unit, **fields):
    meeting = make_meeting(world, unit=unit, **fields)
    approver = world.users.reviewer if unit == world.dongli else world.users.outsider_reviewer
    meeting = org.meeting_approve_minutes(actor=approver, meeting=meeting)
    return org.meeting_minutes_issue(actor=approver, meeting=meeting)


def test_the_list_shows_the_office_documents_to_all_and_a_districts_minutes_to_its_own(world, login):
    circular = _issue(world)
    dongli = _minutes_of(world, world.dongli)
    xiqing_doc = _issue(world, DocumentKind.MINUTES, "meeting:999", issuer=world.xiqing)

    def listed(user) -> set[str]:
        response = login(user).get(reverse("document-list"))
        assert response.status_code == 200
        return {d.number + d.issuer.name for d in response.context["page"].object_list}

    u = world.users
    everything = {circular.number + "天津市", dongli.number + "东丽区", xiqing_doc.number + "西青区"}
    assert listed(u.office_policy) == everything
    assert listed(u.officer) == {circular.number + "天津市", dongli.number + "东丽区"}
    assert listed(u.liaison) == {circular.number + "天津市"}
    assert listed(u.security) == set()
    assert login(u.outsider).get(reverse("document-file", args=[dongli.pk])).status_code == 404


def test_the_list_filters_and_does_not_query_per_row(world, login, django_assert_max_num_queries):
    for quarter in (1, 2, 3, 4):
        _issue(world, source=f"circular:2026-Q{quarter}")
    _issue(world, DocumentKind.WORK_BRIEFING, "work_briefing:2026-10")
    client = login(world.users.office_policy)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("document-list"), {"kind": "circular"})
    assert len(response.context["page"].object_list) == 4
    found = client.get(reverse("document-list"), {"q": "〔2026〕3号"}).context["page"].object_list
    assert [d.number for d in found] == ["津特镇办〔2026〕3号"]


def test_the_api_lists_issued_documents_in_the_callers_scope_and_serves_the_file_as_issued(world, api):
    circular = _issue(world)
    dongli = _minutes_of(world, world.dongli)
    office = api(world.users.office_policy)
    listed = office.get("/api/v1/documents/").json()["results"]
    assert {(d["kind"], d["number"]) for d in listed} == {("circular", circular.number), ("minutes", dongli.number)}
    row = next(d for d in listed if d["kind"] == "minutes")
    assert set(row) >= {"id", "kind", "number", "title", "issued_on", "issued_by"}
    assert row["issued_on"] == dongli.issued_on.isoformat() and row["issued_by"] == "东丽主管领导"
    only = office.get("/api/v1/documents/", {"kind": "circular"}).json()["results"]
    assert [d["id"] for d in only] == [circular.pk]
    response = office.get(f"/api/v1/documents/{dongli.pk}/file/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == dongli.file.open("rb").read()
    outsider = api(world.users.outsider)
    assert outsider.get(f"/api/v1/documents/{dongli.pk}/file/").status_code == 404
    assert outsider.get(f"/api/v1/documents/{dongli.pk}/").status_code == 404
    assert [d["id"] for d in outsider.get("/api/v1/documents/").json()["results"]] == [circular.pk]


def test_a_document_whose_file_is_lost_is_refused_not_a_server_error(world, login):
    """A database restored without its media: the page says the file is not there (404), the log says which."""
    document = _issue(world)
    document.file.delete(save=False)
    assert login(world.users.office_policy).get(reverse("document-file", args=[document.pk])).status_code == 404
