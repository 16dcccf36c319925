"""The inspection pages: access (404 unseen, 403 seen but not allowed), one effect each, query counts."""

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document

from coordination.models import MemberUnit
from inspections import services
from inspections.models import Attachment, Problem, Visit
from tests import clients
from tests.queries import queries_of_get

from .conftest import EXE, JPEG, PNG, VISIT_DAY, evidence_photo, stored_files, upload
from .factories import measures_problems

login = clients.login


@pytest.fixture
def visit(make_visit):
    return make_visit(summary="听取华明镇二期建设情况汇报", files=[upload("现场.jpg", JPEG)])


@pytest.fixture
def problem(visit, make_problem):
    return make_problem(visit, description="主干道路衔接段尚未贯通")


# --- Visits ------------------------------------------------------------------------------------------


def test_visit_list_shows_the_districts_visits_with_problem_counts(login, world, problem):
    page = login(world.users.officer).get(reverse("inspection-list")).content.decode()
    assert "第三季度现场督办服务" in page
    assert "华明智能制造小镇" in page
    assert reverse("inspection-create") not in page  # the district does not record visits


def test_visit_list_hides_other_districts(login, world, problem):
    page = login(world.users.outsider).get(reverse("inspection-list")).content.decode()
    assert "第三季度现场督办服务" not in page


def test_visit_list_query_count_does_not_grow_with_visits(login, world, make_visit, make_problem):
    make_problem(make_visit())
    client = login(world.users.office_coord)
    few = queries_of_get(client, reverse("inspection-list"))
    for day in range(1, 16):
        visit = make_visit(held_on=VISIT_DAY - datetime.timedelta(days=day), towns=[world.town, world.town2])
        make_problem(visit)
    assert queries_of_get(client, reverse("inspection-list")) == few


def test_office_records_a_visit_with_a_camera_photo(login, world):
    client = login(world.users.office_coord)
    page = client.get(reverse("inspection-create")).content.decode()
    assert 'capture="environment"' in page and 'accept="image/*"' in page
    response = client.post(
        reverse("inspection-create"),
        {
            "kind": "onsite_supervision",
            "district": world.dongli.pk,
            "held_on": VISIT_DAY.isoformat(),
            "title": "第三季度现场督办服务",
            "towns": [world.town.pk],
            "summary": "听取汇报",
            "photos": [upload("现场.png", PNG)],
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302 and response.url == reverse("inspection-detail", args=[visit.pk])
    assert visit.attachments.get().name == "现场.png"


def test_a_bad_file_on_the_visit_form_is_refused_in_chinese_and_nothing_is_saved(login, world, media_root):
    response = login(world.users.office_coord).post(
        reverse("inspection-create"),
        {
            "kind": "onsite_supervision",
            "district": world.dongli.pk,
            "held_on": VISIT_DAY.isoformat(),
            "title": "第三季度现场督办服务",
            "photos": [upload("现场.png", PNG), upload("照片.jpg", EXE)],
        },
    )
    assert response.status_code == 200
    assert "文件“照片.jpg”的类型不允许上传" in response.content.decode()
    assert not Visit.objects.exists() and not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_a_district_cannot_record_visits(login, world):
    assert login(world.users.officer).get(reverse("inspection-create")).status_code == 403


def test_office_corrects_a_visit_and_the_district_cannot(login, world, visit):
    url = reverse("inspection-edit", args=[visit.pk])
    assert login(world.users.officer).get(url).status_code == 403
    client = login(world.users.office_coord)
    assert client.get(url).context["form"].initial["towns"] == [world.town]
    fields = {
        "kind": "special_inspection",
        "held_on": VISIT_DAY.isoformat(),
        "title": "专项检查",
        "towns": [world.town.pk],
    }
    assert client.post(url, fields).status_code == 302
    visit.refresh_from_db()
    assert (visit.kind, visit.title) == ("special_inspection", "专项检查")


def test_visit_detail_shows_problems_summary_and_photos(login, world, problem, visit):
    page = login(world.users.officer).get(reverse("inspection-detail", args=[visit.pk])).content.decode()
    assert "主干道路衔接段尚未贯通" in page
    assert "听取华明镇二期建设情况汇报" in page
    assert reverse("inspection-file", args=[visit.attachments.get().pk]) in page


def test_visit_detail_is_404_for_another_district(login, world, visit):
    assert login(world.users.outsider).get(reverse("inspection-detail", args=[visit.pk])).status_code == 404


def test_uploading_to_a_visit_adds_files_and_a_bad_one_is_refused(login, world, visit):
    client = login(world.users.office_coord)
    url = reverse("inspection-upload", args=[visit.pk])
    client.post(url, {"photos": [upload("补充.png", PNG)]})
    assert visit.attachments.count() == 2
    response = client.post(url, {"documents": [upload("方案.docx", EXE)]}, follow=True)
    assert "文件“方案.docx”的类型不允许上传" in response.content.decode()
    assert visit.attachments.count() == 2
    assert login(world.users.officer).post(url, {"photos": [upload("x.png", PNG)]}).status_code == 403


def test_photos_are_served_to_those_who_see_the_visit_only(login, world, visit):
    attachment = visit.attachments.get()
    url = reverse("inspection-file", args=[attachment.pk])
    response = login(world.users.officer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    assert login(world.users.outsider).get(url).status_code == 404


# --- Problems ----------------------------------------------------------------------------------------


def test_office_records_a_problem_solved_on_the_spot(login, world, visit):
    response = login(world.users.office_coord).post(
        reverse("problem-create", args=[visit.pk]),
        {
            "town": world.town.pk,
            "category": "approvals",
            "description": "施工用电增容手续未完成",
            "responsible": f"unit-{world.dongli.pk}",
            "outcome": "on_site",
            "next": "another",
        },
    )
    assert response.status_code == 302 and response.url == reverse("problem-create", args=[visit.pk])
    problem = Problem.objects.get()
    assert (problem.status, problem.solved_on_site, problem.closed_on) == ("verified", True, VISIT_DAY)


def test_a_problem_to_rectify_needs_a_deadline(login, world, visit):
    response = login(world.users.office_coord).post(
        reverse("problem-create", args=[visit.pk]),
        {
            "category": "land",
            "description": "用地指标未落实",
            "responsible": f"unit-{world.dongli.pk}",
            "outcome": "open",
        },
    )
    assert "限期整改的问题请填写整改期限" in response.content.decode()
    assert not Problem.objects.exists()


def test_problem_detail_is_404_outside_the_scope_and_for_other_units_liaisons(login, world, problem):
    url = reverse("problem-detail", args=[problem.pk])
    assert login(world.users.outsider).get(url).status_code == 404
    assert login(world.users.liaison).get(url).status_code == 404
    assert login(world.users.leader).get(url).status_code == 200


def test_district_reports_rectification_with_a_photo(login, world, problem):
    client = login(world.users.officer)
    page = client.get(reverse("problem-detail", args=[problem.pk])).content.decode()
    assert "整改完成，提交核验" in page and 'capture="environment"' in page
    response = client.post(
        reverse("problem-rectify", args=[problem.pk]), {"note": "衔接段已贯通", "photos": [upload("整改.jpg", JPEG)]}
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == "done"
    assert problem.attachments.get().event.action == "rectify"


def test_the_rectify_page_works_without_javascript(login, world, problem):
    client = login(world.users.officer)
    assert client.get(reverse("problem-rectify", args=[problem.pk])).status_code == 200
    response = client.post(reverse("problem-rectify", args=[problem.pk]), {"note": ""})
    assert "请填写整改情况" in response.content.decode()


@pytest.mark.parametrize("who", ["leader", "office_coord", "outsider_reviewer"])
def test_only_the_responsible_unit_reports_rectification(login, world, problem, who):
    response = login(getattr(world.users, who)).post(reverse("problem-rectify", args=[problem.pk]), {"note": "已整改"})
    assert response.status_code == (404 if who == "outsider_reviewer" else 403)
    problem.refresh_from_db()
    assert problem.status == "open"


def test_a_district_cannot_update_a_member_units_problem(login, world, visit, make_problem):
    stats = MemberUnit.objects.get(code="statistics")
    problem = make_problem(visit, responsible_member_unit=stats)
    client = login(world.users.officer)
    assert "整改完成，提交核验" not in client.get(reverse("problem-detail", args=[problem.pk])).content.decode()
    assert client.post(reverse("problem-progress", args=[problem.pk]), {"note": "推进中"}).status_code == 403
    assert (
        login(world.users.liaison).post(reverse("problem-progress", args=[problem.pk]), {"note": "推进中"}).status_code
        == 302
    )


def test_office_verifies_and_the_district_cannot(login, world, problem):
    services.problem_rectify(files=evidence_photo(), actor=world.users.officer, problem=problem, note="已整改")
    assert login(world.users.officer).post(reverse("problem-verify", args=[problem.pk])).status_code == 403
    response = login(world.users.office_coord).post(reverse("problem-verify", args=[problem.pk]), {"note": "到位"})
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == "verified"


def test_verifying_an_open_problem_says_why_not(login, world, problem):
    response = login(world.users.office_coord).post(reverse("problem-verify", args=[problem.pk]), follow=True)
    assert "问题当前状态为“待整改”，不能核验销号" in response.content.decode()


def test_rejecting_needs_a_reason_and_sends_the_problem_back(login, world, problem):
    services.problem_rectify(files=evidence_photo(), actor=world.users.officer, problem=problem, note="已整改")
    client = login(world.users.office_coord)
    response = client.post(reverse("problem-reject", args=[problem.pk]), {"reason": ""})
    assert "退回整改时必须填写原因" in response.content.decode()
    problem.refresh_from_db()
    assert problem.status == "done"
    client.post(reverse("problem-reject", args=[problem.pk]), {"reason": "仍未贯通"})
    problem.refresh_from_db()
    assert (problem.status, problem.reject_reason) == ("open", "仍未贯通")
    page = login(world.users.officer).get(reverse("problem-detail", args=[problem.pk])).content.decode()
    assert "核验未通过，已退回整改" in page and "仍未贯通" in page


def test_office_edits_a_problem_and_the_district_cannot(login, world, problem):
    url = reverse("problem-edit", args=[problem.pk])
    assert login(world.users.officer).get(url).status_code == 403
    login(world.users.office_coord).post(
        url,
        {
            "town": world.town.pk,
            "category": "infrastructure",
            "description": "主干道路衔接段尚未贯通",
            "responsible": f"unit-{world.dongli.pk}",
            "due_on": "2026-09-30",
        },
    )
    problem.refresh_from_db()
    assert (problem.category, problem.due_on) == ("infrastructure", datetime.date(2026, 9, 30))


def test_editing_or_rejecting_a_verified_problem_says_why_not(login, world, problem):
    services.problem_rectify(files=evidence_photo(), actor=world.users.officer, problem=problem, note="已整改")
    services.problem_verify(actor=world.users.office_coord, problem=problem)
    client = login(world.users.office_coord)
    fields = {"category": "land", "description": "改", "responsible": f"unit-{world.dongli.pk}", "due_on": "2026-09-30"}
    response = client.post(reverse("problem-edit", args=[problem.pk]), fields, follow=True)
    assert response.redirect_chain[-1][0] == reverse("problem-detail", args=[problem.pk])
    assert "不能修改" in response.content.decode()
    response = client.post(reverse("problem-reject", args=[problem.pk]), {"reason": "仍未贯通"}, follow=True)
    assert "不能退回整改" in response.content.decode()
    problem.refresh_from_db()
    assert problem.status == "verified"


def test_problem_list_filters_overdue_and_counts_queries(login, world, visit, make_problem):
    make_problem(visit, description="已逾期的问题", due_on=VISIT_DAY + datetime.timedelta(days=5))
    make_problem(visit, description="尚未到期的问题", due_on=datetime.date.today() + datetime.timedelta(days=30))
    client = login(world.users.officer)
    page = client.get(reverse("problem-list"), {"overdue": "on"}).content.decode()
    assert "已逾期的问题" in page and "尚未到期的问题" not in page
    few = queries_of_get(client, reverse("problem-list"))
    for n in range(15):
        make_problem(visit, description=f"问题{n}", town=world.town2)
    assert queries_of_get(client, reverse("problem-list")) == few


def test_home_lists_problems_to_rectify_and_rectifications_to_verify(login, world, visit, make_problem):
    overdue = make_problem(visit, description="逾期未整改的问题", due_on=VISIT_DAY + datetime.timedelta(days=5))
    rectified = make_problem(visit, description="已整改待核验的问题")
    services.problem_rectify(files=evidence_photo(), actor=world.users.officer, problem=rectified, note="已整改")
    page = login(world.users.officer).get(reverse("home")).content.decode()
    assert "待整改的督办问题" in page and "逾期未整改的问题" in page and "已逾期" in page
    assert "已整改待核验的问题" not in page
    page = login(world.users.office_coord).get(reverse("home")).content.decode()
    assert "待核验的督办问题整改" in page and "已整改待核验的问题" in page
    assert reverse("problem-detail", args=[overdue.pk]) not in page  # the office does not rectify


# --- Measures, district page, circular ---------------------------------------------------------------


@pytest.fixture
def four_problems(world, visit, make_problem):
    return measures_problems(world, visit, make_problem, description="逾期的用地问题")


def test_measures_page_shows_the_quarters_shares(login, world, four_problems):
    page = login(world.users.leader).get(reverse("inspection-measures"), {"year": 2026, "quarter": 3}).content.decode()
    assert "东丽区" in page and "西青区" in page
    assert "25%" in page and "50%" in page
    assert "2026-07-01 至 2026-09-30" in page


def test_district_page_shows_its_quarters_and_open_problems(login, world, four_problems):
    client = login(world.users.officer)
    page = client.get(reverse("inspection-district", args=[world.dongli.pk]), {"year": 2026}).content.decode()
    assert "第3季度" in page and "25%" in page and "逾期的用地问题" in page
    assert client.get(reverse("inspection-district", args=[world.xiqing.pk])).status_code == 404
    assert client.get(reverse("inspection-district", args=[world.town.pk])).status_code == 404


def test_circular_page_and_word_document_list_the_overdue_problems(login, world, four_problems):
    client = login(world.users.office_coord)
    params = {"year": 2026, "quarter": 3}
    page = client.get(reverse("inspection-circular"), params).content.decode()
    assert "关于2026年第三季度现场督办问题逾期未整改情况的通报" in page
    assert "逾期的用地问题" in page
    response = client.get(reverse("inspection-circular-docx"), params)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "关于2026年第三季度现场督办问题逾期未整改情况的通报" in text
    assert "一、东丽区（1个）" in text
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "逾期的用地问题" in cells and "51" in cells  # due 2026-08-10, overdue 51 days on 09-30


def test_the_circular_of_another_district_shows_none_of_dongli(login, world, four_problems):
    page = (
        login(world.users.outsider).get(reverse("inspection-circular"), {"year": 2026, "quarter": 3}).content.decode()
    )
    assert "逾期的用地问题" not in page
    assert "没有逾期未整改的问题" in page


def test_the_navigation_counts_the_problems_waiting_for_the_user(login, world, problem):
    client = login(world.users.officer)
    assert (
        'data-nav-count="problems_waiting" title="待整改或待核验的问题"'
        in client.get(reverse("report-list")).content.decode()
    )
    assert clients.nav_counts(client)["problems_waiting"] == 1
    assert clients.nav_counts(login(world.users.outsider))["problems_waiting"] == 0
