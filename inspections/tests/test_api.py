"""API v1 for visits and problems (API.md): the loop, permissions, validation, measures, query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspections import services
from inspections.models import Attachment, Problem, Visit

from .conftest import EXE, JPEG, TODAY, VISIT_DAY, evidence_photo, stored_files, upload
from .factories import measures_problems

VISITS = "/api/v1/inspections/"
PROBLEMS = "/api/v1/problems/"


def _visit_body(world, **fields) -> dict:
    return {
        "kind": "onsite_supervision",
        "district": world.dongli.pk,
        "held_on": VISIT_DAY.isoformat(),
        "title": "第三季度现场督办服务",
        "towns": [world.town.pk],
        **fields,
    }


def _problem_body(visit, world, **fields) -> dict:
    return {
        "visit": visit.pk,
        "town": world.town.pk,
        "category": "land",
        "description": "二期用地指标尚未落实",
        "responsible_unit": world.dongli.pk,
        "due_on": (VISIT_DAY + datetime.timedelta(days=30)).isoformat(),
        **fields,
    }


def test_the_whole_loop_over_the_api(world, api):
    office, officer = api(world.users.office_coord), api(world.users.officer)
    created = office.post(VISITS, _visit_body(world), format="json")
    assert created.status_code == 201, created.content
    visit = Visit.objects.get(pk=created.json()["id"])
    assert created.json()["towns"] == [world.town.pk]

    problem = office.post(PROBLEMS, _problem_body(visit, world), format="json")
    assert problem.status_code == 201, problem.content
    body = problem.json()
    assert {k: body[k] for k in ("status", "solved_on_site", "solved_same_day", "closed_on", "district")} == {
        "status": "open",
        "solved_on_site": False,
        "solved_same_day": False,
        "closed_on": None,
        "district": world.dongli.pk,
    }
    pk = body["id"]

    progress = officer.post(f"{PROBLEMS}{pk}/progress/", {"note": "已对接规划部门"}, format="json")
    assert progress.json()["status"] == "in_progress"
    refused = officer.post(f"{PROBLEMS}{pk}/rectify/", {"note": "指标已下达"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"files": ["报告整改完成须上传整改照片或佐证材料；确无材料的，请说明理由。"]}
    body = {"note": "指标已下达", "files": evidence_photo()}
    rectified = officer.post(f"{PROBLEMS}{pk}/rectify/", body, format="multipart")
    assert rectified.status_code == 200 and rectified.json()["status"] == "done"
    verified = office.post(f"{PROBLEMS}{pk}/verify/", {}, format="json")
    assert verified.status_code == 200
    assert verified.json()["status"] == "verified"
    assert verified.json()["closed_on"] == datetime.date.today().isoformat()
    history = officer.get(f"{PROBLEMS}{pk}/history/").json()
    assert [e["action"] for e in history] == ["create", "progress", "rectify", "verify"]


def test_problem_solved_on_the_spot_over_the_api(world, api, make_visit):
    visit = make_visit()
    response = api(world.users.office_coord).post(
        PROBLEMS, _problem_body(visit, world, solved_on_site=True, due_on=None), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "verified"
    assert response.json()["solved_same_day"] is True
    assert response.json()["closed_on"] == VISIT_DAY.isoformat()


def test_visit_with_photos_over_multipart_and_a_bad_file_saves_nothing(world, api, media_root):
    office = api(world.users.office_coord)
    body = _visit_body(world, files=[upload("现场.jpg", JPEG), upload("恶意.jpg", EXE)])
    response = office.post(VISITS, body, format="multipart")
    assert response.status_code == 400
    assert "文件“恶意.jpg”的类型不允许上传" in response.json()["files"][0]
    assert not Visit.objects.exists() and not Attachment.objects.exists()
    assert stored_files(media_root) == []
    response = office.post(VISITS, _visit_body(world, files=[upload("现场.jpg", JPEG)]), format="multipart")
    assert response.status_code == 201, response.content
    assert [a["name"] for a in response.json()["attachments"]] == ["现场.jpg"]


def test_only_the_office_records_visits_and_problems(world, api, make_visit):
    assert api(world.users.officer).post(VISITS, _visit_body(world), format="json").status_code == 403
    visit = make_visit()
    assert api(world.users.officer).post(PROBLEMS, _problem_body(visit, world), format="json").status_code == 403
    outsider = api(world.users.outsider).post(PROBLEMS, _problem_body(visit, world), format="json")
    assert outsider.status_code == 400 and "visit" in outsider.json()


def test_a_district_is_told_who_records_visits(world, api, db):
    response = api(world.users.officer).post(VISITS, _visit_body(world), format="json")
    assert response.json() == {"detail": "只有市特镇办协调推动组可以登记督办检查。"}


def test_unknown_ids_are_a_400_on_their_field(world, api, make_visit):
    office = api(world.users.office_coord)
    response = office.post(VISITS, _visit_body(world, towns=[999999]), format="json")
    assert (response.status_code, response.json()) == (400, {"towns": ["小镇不存在。"]})
    response = office.post(VISITS, _visit_body(world, member_units=[999999]), format="json")
    assert response.json() == {"member_units": ["不存在的编号：999999。"]}
    response = office.post(PROBLEMS, _problem_body(make_visit(), world, town=999999), format="json")
    assert (response.status_code, response.json()) == (400, {"town": ["不存在的编号：999999。"]})


def test_a_district_it_cannot_see_is_a_400_on_the_field(world, api, db):
    from coordination import services as org
    from coordination.models import Role

    office_of_nowhere = org.user_create(
        username="xiqing-office", password="x-pass-123", role=Role.OFFICER, org_unit=world.xiqing
    )
    response = api(office_of_nowhere).post(VISITS, _visit_body(world), format="json")
    assert response.status_code == 400 and "district" in response.json()


def test_outsider_gets_404_and_does_not_see_the_lists(world, api, make_visit, make_problem):
    problem = make_problem(make_visit())
    outsider = api(world.users.outsider)
    assert outsider.get(f"{PROBLEMS}{problem.pk}/").status_code == 404
    assert outsider.get(f"{VISITS}{problem.visit_id}/").status_code == 404
    assert outsider.post(f"{PROBLEMS}{problem.pk}/rectify/", {"note": "x"}, format="json").status_code == 404
    assert outsider.get(PROBLEMS).json()["count"] == 0
    assert outsider.get(VISITS).json()["count"] == 0


def test_viewers_get_403_on_actions(world, api, make_visit, make_problem):
    problem = make_problem(make_visit())
    leader = api(world.users.leader)
    assert leader.get(f"{PROBLEMS}{problem.pk}/").status_code == 200
    assert leader.post(f"{PROBLEMS}{problem.pk}/rectify/", {"note": "x"}, format="json").status_code == 403
    assert api(world.users.officer).post(f"{PROBLEMS}{problem.pk}/verify/").status_code == 403
    assert api(world.users.officer).post(f"{PROBLEMS}{problem.pk}/reject/", {"reason": "x"}).status_code == 403


def test_wrong_transitions_are_409_and_an_empty_reason_is_400(world, api, make_visit, make_problem):
    problem = make_problem(make_visit())
    office = api(world.users.office_coord)
    conflict = office.post(f"{PROBLEMS}{problem.pk}/verify/")
    assert conflict.status_code == 409
    assert "不能核验销号" in conflict.json()["detail"]
    services.problem_rectify(files=evidence_photo(), actor=world.users.officer, problem=problem, note="已整改")
    empty = office.post(f"{PROBLEMS}{problem.pk}/reject/", {"reason": ""}, format="json")
    assert empty.status_code == 400 and "reason" in empty.json()
    rejected = office.post(f"{PROBLEMS}{problem.pk}/reject/", {"reason": "不到位"}, format="json")
    assert rejected.json()["status"] == "open" and rejected.json()["reject_reason"] == "不到位"


def test_invalid_problem_fields_are_named(world, api, make_visit):
    visit = make_visit()
    response = api(world.users.office_coord).post(
        PROBLEMS, _problem_body(visit, world, responsible_unit=world.xiqing.pk, due_on="2026-01-01"), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"responsible", "due_on"}
    assert not Problem.objects.exists()


def test_problem_list_filters_by_status_and_overdue(world, api, make_visit, make_problem):
    visit = make_visit()
    late = make_problem(visit, due_on=VISIT_DAY + datetime.timedelta(days=3))
    make_problem(visit, solved_on_site=True)
    client = api(world.users.officer)
    assert [p["id"] for p in client.get(PROBLEMS, {"overdue": "true"}).json()["results"]] == [late.pk]
    assert client.get(PROBLEMS, {"status": "verified"}).json()["count"] == 1
    assert client.get(PROBLEMS, {"status": "nonsense"}).status_code == 400


def test_problem_list_query_count_does_not_grow(world, api, make_visit, make_problem):
    visit = make_visit(files=[upload("a.jpg", JPEG)])
    make_problem(visit)
    client = api(world.users.leader)

    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few_problems, few_visits = count(PROBLEMS), count(VISITS)
    for day in range(1, 12):
        other = make_visit(held_on=VISIT_DAY - datetime.timedelta(days=day), files=[upload("b.jpg", JPEG)])
        make_problem(other, solved_on_site=True, files=[upload("c.jpg", JPEG)])
    assert count(PROBLEMS) == few_problems
    assert count(VISITS) == few_visits


@pytest.fixture
def four_problems(world, make_visit, make_problem):
    return measures_problems(world, make_visit(), make_problem)


def test_measures_api_gives_the_quarters_figures_per_district(world, api, four_problems):
    response = api(world.users.leader).get(f"{VISITS}measures/", {"year": 2026, "quarter": 3})
    assert response.status_code == 200
    rows = {row["district_name"]: row for row in response.json()}
    dongli = rows["东丽区"]
    assert (dongli["visits"], dongli["found"]) == (1, 4)
    assert (dongli["share_solved_on_site"], dongli["share_solved_same_day"]) == (0.25, 0.5)
    assert dongli["median_days_to_close"] == 0
    assert (dongli["open"], dongli["overdue"], dongli["closed_on_time"]) == (1, 1, 3)
    assert rows["西青区"]["share_solved_on_site"] is None


def test_measures_api_is_scoped_and_validated(world, api, four_problems):
    outsider = api(world.users.outsider)
    assert [r["district_name"] for r in outsider.get(f"{VISITS}measures/", {"year": 2026}).json()] == ["西青区"]
    assert outsider.get(f"{VISITS}measures/", {"year": 2026, "district": world.dongli.pk}).status_code == 400
    assert outsider.get(f"{VISITS}measures/", {"year": 2026, "quarter": 5}).status_code == 400
    assert outsider.get(f"{VISITS}measures/").status_code == 400


def test_circular_api_lists_overdue_problems_per_district(world, api, four_problems):
    body = api(world.users.office_coord).get(f"{VISITS}circular/", {"year": 2026, "quarter": 3}).json()
    assert body["as_of"] == "2026-09-30" and body["total"] == 1
    assert body["districts"][0]["district_name"] == "东丽区"
    assert body["districts"][0]["problems"][0]["days_overdue"] == 51


def test_escalation_runs_for_the_scheduler_are_idempotent(world, make_visit, make_problem):
    make_problem(make_visit(), due_on=VISIT_DAY + datetime.timedelta(days=10))
    assert len(services.problems_escalate_overdue(today=TODAY)) == 1  # the severe level only
    assert services.problems_escalate_overdue(today=TODAY) == []


def test_files_download_with_a_token_for_those_who_see_them(world, api, make_visit):
    visit = make_visit(files=[upload("现场.jpg", JPEG)])
    url = api(world.users.officer).get(f"{VISITS}{visit.pk}/").json()["attachments"][0]["url"]
    response = api(world.users.officer).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert api(world.users.outsider).get(url).status_code == 404


def test_photos_are_added_to_a_visit_by_a_multipart_patch(world, api, make_visit, media_root):
    visit = make_visit()
    office = api(world.users.office_coord)
    response = office.patch(f"{VISITS}{visit.pk}/", {"files": [upload("补拍.jpg", JPEG)]}, format="multipart")
    assert response.status_code == 200, response.content
    assert [a["name"] for a in response.json()["attachments"]] == ["补拍.jpg"]
    refused = office.patch(
        f"{VISITS}{visit.pk}/", {"title": "新主题", "files": [upload("x.jpg", EXE)]}, format="multipart"
    )
    assert refused.status_code == 400
    visit.refresh_from_db()
    assert visit.title == "第三季度现场督办服务" and visit.attachments.count() == 1
    assert len(stored_files(media_root)) == 1
