"""Following problems up (issue 19): a rectification is reported with evidence, the office verifies one without
evidence only with a recorded waiver (pages, API, service alike); a problem ordered to be rectified and closed the
day it was found is tagged 限期整改·当日办结; the problem list puts the open overdue ones first and takes a keyword."""

import datetime
import functools

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coordination.models import Notification
from inspections import services
from inspections.models import ProblemStatus
from tests import clients, waivers
from tests.queries import queries_of_get

from .conftest import PDF, TODAY, VISIT_DAY, evidence_photo, upload

S = ProblemStatus
login = clients.login
NO_EVIDENCE_ASKED = {"action_item": True, "problem": False}


@pytest.fixture
def problem(make_visit, make_problem):
    return make_problem(make_visit(), description="主干道路衔接段尚未贯通")


def _rectified_without_evidence(world, settings, problem):
    """A rectification reported before evidence was required (as the problem of issue 19 was)."""
    settings.EVIDENCE_REQUIRED = NO_EVIDENCE_ASKED
    services.problem_rectify(actor=world.users.officer, problem=problem, note="已整改")
    settings.EVIDENCE_REQUIRED = {"action_item": True, "problem": True}
    problem.refresh_from_db()
    return problem


# --- Evidence and the waiver ---------------------------------------------------------------------------------


def test_a_rectification_without_a_photo_or_document_is_refused_and_nothing_changes(world, problem, media_root):
    with pytest.raises(ValidationError) as error:
        services.problem_rectify(actor=world.users.officer, problem=problem, note="衔接段已贯通")
    assert error.value.message_dict == {"files": ["报告整改完成须上传整改照片或佐证材料；确无材料的，请说明理由。"]}
    problem.refresh_from_db()
    assert problem.status == S.OPEN and problem.events.count() == 1
    # A document backs it as well as a photo.
    services.problem_rectify(
        actor=world.users.officer, problem=problem, note="衔接段已贯通", files=[upload("验收意见.pdf", PDF)]
    )
    problem.refresh_from_db()
    assert problem.status == S.DONE


def test_a_photo_sent_with_progress_counts_until_the_office_sends_the_problem_back(world, problem):
    officer = world.users.officer
    services.problem_report_progress(actor=officer, problem=problem, note="已开工", files=evidence_photo())
    services.problem_rectify(actor=officer, problem=problem, note="已贯通")  # the progress photo backs it
    services.problem_reject(actor=world.users.office_coord, problem=problem, reason="标线未完成")
    with pytest.raises(ValidationError) as error:
        services.problem_rectify(actor=officer, problem=problem, note="标线已完成")
    assert "files" in error.value.message_dict


def test_a_problem_rectified_without_evidence_is_verified_only_with_a_recorded_waiver(world, settings, problem):
    problem = _rectified_without_evidence(world, settings, problem)
    office = world.users.office_coord
    waivers.assert_verified_only_with_a_waiver(
        problem,
        functools.partial(services.problem_verify, actor=office, problem=problem),
        office=office,
        refusal="免交佐证的理由",
        waiver="已现场核实，无需照片",
    )


def test_the_evidence_rule_is_set_per_kind(world, settings, problem):
    settings.EVIDENCE_REQUIRED = NO_EVIDENCE_ASKED
    services.problem_rectify(actor=world.users.officer, problem=problem, note="已整改")
    services.problem_verify(actor=world.users.office_coord, problem=problem)
    assert not problem.events.filter(action="waive_evidence").exists()


def test_the_rectify_form_says_evidence_is_required_and_shows_the_refusal(login, world, problem):
    client = login(world.users.officer)
    detail = client.get(reverse("problem-detail", args=[problem.pk])).content.decode()
    assert "报告整改完成须上传整改照片或佐证材料" in detail
    response = client.post(reverse("problem-rectify", args=[problem.pk]), {"note": "已贯通"})
    assert response.status_code == 200
    assert "报告整改完成须上传整改照片或佐证材料；确无材料的，请说明理由。" in response.content.decode()
    problem.refresh_from_db()
    assert problem.status == S.OPEN


def test_the_verify_dialog_asks_for_the_waiver_and_the_page_shows_it(login, world, settings, problem):
    problem = _rectified_without_evidence(world, settings, problem)
    url = reverse("problem-detail", args=[problem.pk])
    waivers.assert_the_page_verifies_only_with_a_waiver(
        login(world.users.office_coord),
        problem,
        detail_url=url,
        verify_url=reverse("problem-verify", args=[problem.pk]),
        refused_with={"note": "到位"},
        refusal="核验销号须填写免交佐证的理由",
        waiver="已现场核实",
    )
    page = login(world.users.officer).get(url).content.decode()
    assert "office-coord于2026年11月20日核验销号时决定免交" in page and "已现场核实" in page
    assert "免交整改佐证" in page  # the history's entry


def test_the_api_verifies_without_evidence_only_with_a_waiver(world, api, settings, problem):
    problem = _rectified_without_evidence(world, settings, problem)
    waivers.assert_the_api_verifies_only_with_a_waiver(
        api(world.users.office_coord), api(world.users.officer), f"/api/v1/problems/{problem.pk}/", waiver="已现场核实"
    )


# --- No photo or document at all: the unit's reason, then the office's waiver or its return (issue 19, review) --

NO_FILE = "衔接段由区交通局验收，未留存照片和书面材料"
NO_FILE_MESSAGE = {"files": ["报告整改完成须上传整改照片或佐证材料；确无材料的，请说明理由。"]}


def test_a_unit_without_evidence_reports_the_rectification_with_its_reason_and_the_office_waives_it(world, problem):
    with pytest.raises(ValidationError) as error:
        services.problem_rectify(actor=world.users.officer, problem=problem, note="已贯通", no_evidence_reason=" ")
    assert error.value.message_dict == NO_FILE_MESSAGE
    services.problem_rectify(
        actor=world.users.officer, problem=problem, note="衔接段已贯通", no_evidence_reason=f" {NO_FILE} "
    )
    problem.refresh_from_db()
    assert problem.status == S.DONE
    rectified = problem.events.get(action="rectify")
    assert (rectified.note, rectified.no_evidence_reason, rectified.attachments.count()) == ("衔接段已贯通", NO_FILE, 0)
    told = Notification.objects.filter(occasion__startswith=f"problem-rectified:{problem.pk}:")
    assert told and all(f"未附佐证材料，说明：{NO_FILE}" in n.body for n in told)
    verify = functools.partial(services.problem_verify, actor=world.users.office_coord, problem=problem)
    waivers.assert_the_reason_is_no_waiver(problem, verify, waiver="已向区交通局核实")


def test_a_problem_sent_back_needs_evidence_or_a_new_reason_and_a_reason_beside_a_photo_is_not_kept(world, problem):
    officer = world.users.officer
    services.problem_rectify(actor=officer, problem=problem, note="已贯通", no_evidence_reason=NO_FILE)
    services.problem_reject(actor=world.users.office_coord, problem=problem, reason="请补拍现场照片")
    with pytest.raises(ValidationError) as error:
        services.problem_rectify(actor=officer, problem=problem, note="已贯通")  # the earlier reason does not count
    assert error.value.message_dict == NO_FILE_MESSAGE
    services.problem_rectify(
        actor=officer, problem=problem, note="已补拍", files=evidence_photo(), no_evidence_reason="无"
    )
    assert problem.events.filter(action="rectify").latest("at", "pk").no_evidence_reason == ""


def test_the_rectify_page_takes_the_reason_instead_of_a_file_and_the_office_sees_it(login, world, problem):
    officer = login(world.users.officer)
    form_page = officer.get(reverse("problem-rectify", args=[problem.pk])).content.decode()
    assert 'name="no_evidence_reason"' in form_page and "确无材料的，请说明理由" in form_page
    detail = reverse("problem-detail", args=[problem.pk])
    assert 'id="rectify_no_evidence_reason"' in officer.get(detail).content.decode()  # the dialog too
    refused = officer.post(reverse("problem-rectify", args=[problem.pk]), {"note": "已贯通", "no_evidence_reason": ""})
    assert "报告整改完成须上传整改照片或佐证材料；确无材料的，请说明理由。" in refused.content.decode()
    officer.post(reverse("problem-rectify", args=[problem.pk]), {"note": "已贯通", "no_evidence_reason": NO_FILE})
    problem.refresh_from_db()
    assert problem.status == S.DONE
    office = login(world.users.office_coord)
    page = office.get(detail).content.decode()
    assert 'id="no-evidence-reason"' in page and NO_FILE in page
    assert page.count("未附佐证材料，说明：") == 2  # on the problem's card and in the history
    assert "责任单位的说明（未附佐证材料）" in page and 'name="evidence_waiver"' in page  # the verify dialog
    assert 'id="modal-reject"' in page  # sending it back stays open
    office.post(reverse("problem-verify", args=[problem.pk]), {"evidence_waiver": "已向区交通局核实"})
    problem.refresh_from_db()
    assert problem.status == S.VERIFIED


def test_the_rectify_form_offers_the_reason_only_while_evidence_is_needed(login, world, problem):
    services.problem_report_progress(actor=world.users.officer, problem=problem, note="已开工", files=evidence_photo())
    officer = login(world.users.officer)
    assert (
        'name="no_evidence_reason"' not in officer.get(reverse("problem-rectify", args=[problem.pk])).content.decode()
    )
    assert 'name="no_evidence_reason"' not in officer.get(reverse("problem-detail", args=[problem.pk])).content.decode()


def test_the_api_takes_the_reason_instead_of_a_file(world, api, problem):
    url = f"/api/v1/problems/{problem.pk}/"
    officer = api(world.users.officer)
    body = {"note": "已贯通", "no_evidence_reason": "长" * 2001}
    assert "no_evidence_reason" in officer.post(f"{url}rectify/", body, format="json").json()
    done = officer.post(f"{url}rectify/", {**body, "no_evidence_reason": NO_FILE}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    history = officer.get(f"{url}history/").json()
    assert (history[-1]["action"], history[-1]["no_evidence_reason"]) == ("rectify", NO_FILE)
    refused = api(world.users.office_coord).post(f"{url}verify/", {}, format="json")
    assert refused.status_code == 400 and "evidence_waiver" in refused.json()
    rejected = api(world.users.office_coord).post(f"{url}reject/", {"reason": "请补拍照片"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["status"] == "open"


# --- The tag of a problem closed the day it was found ----------------------------------------------------------


def test_a_problem_ordered_to_be_rectified_and_closed_the_same_day_is_tagged_so(login, world, make_visit, make_problem):
    visit = make_visit()
    ordered = make_problem(visit, description="限期整改当日办结的问题")
    services.problem_rectify(
        actor=world.users.officer, problem=ordered, note="已整改", files=evidence_photo(), on=VISIT_DAY
    )
    ordered = services.problem_verify(actor=world.users.office_coord, problem=ordered, on=VISIT_DAY)
    same_day = make_problem(visit, description="会后当天办结的问题", solved_same_day=True, due_on=None)
    on_site = make_problem(visit, description="当场协调办结的问题", solved_on_site=True, due_on=None)
    assert ordered.solved_same_day  # still counted as solved the same day in the measures
    assert [p.same_day_outcome for p in (ordered, same_day, on_site)] == ["rectified", "same_day", "on_site"]
    client = login(world.users.office_coord)
    detail = client.get(reverse("problem-detail", args=[ordered.pk])).content.decode()
    assert "限期整改·当日办结" in detail and "当日解决" not in detail
    assert "当日解决" in client.get(reverse("problem-detail", args=[same_day.pk])).content.decode()
    listed = client.get(reverse("problem-list")).content.decode()
    assert listed.count("限期整改·当日办结") == 1 and listed.count("现场解决") == 1


# --- The problem list: its order and its keyword ---------------------------------------------------------------


def test_the_list_puts_open_overdue_problems_first_then_open_by_deadline_then_the_rest_newest_first(
    login, world, make_visit, make_problem
):
    older, newer = make_visit(held_on=datetime.date(2026, 6, 1)), make_visit(held_on=VISIT_DAY)
    closed_old = make_problem(older, description="六月已销号", solved_on_site=True, due_on=None)
    closed_new = make_problem(newer, description="七月已销号", solved_same_day=True, due_on=None)
    later = make_problem(older, description="未到期（12月）", due_on=datetime.date(2026, 12, 31))
    sooner = make_problem(newer, description="未到期（11月底）", due_on=datetime.date(2026, 11, 30))
    late = make_problem(newer, description="逾期一个月", due_on=TODAY - datetime.timedelta(days=30))
    latest = make_problem(older, description="逾期三个月", due_on=datetime.date(2026, 8, 20))
    rectified = make_problem(newer, description="已报整改仍逾期", due_on=datetime.date(2026, 9, 1))
    services.problem_rectify(actor=world.users.officer, problem=rectified, note="已整改", files=evidence_photo())
    page = login(world.users.office_coord).get(reverse("problem-list")).context["page"]
    expected = [latest, rectified, late, sooner, later, closed_new, closed_old]
    assert [p.description for p in page.object_list] == [p.description for p in expected]


def test_the_list_finds_problems_by_keyword_and_adds_no_query_per_problem(login, world, make_visit, make_problem):
    visit = make_visit()
    make_problem(visit, description="主干道路衔接段尚未贯通", town=world.town)
    make_problem(visit, description="游客中心停车场建设滞后", town=world.town2)
    client = login(world.users.officer)

    def found(keyword: str) -> list[str]:
        return [p.description for p in client.get(reverse("problem-list"), {"q": keyword}).context["page"].object_list]

    assert found("衔接段") == ["主干道路衔接段尚未贯通"]
    assert found("东丽湖") == ["游客中心停车场建设滞后"]  # the town's name
    assert found("土地 停车场") == ["游客中心停车场建设滞后"]  # the category's name and a word of the text
    assert found("没有这样的问题") == []
    few = queries_of_get(client, reverse("problem-list"), {"q": "建设"})
    for n in range(10):
        make_problem(visit, description=f"第{n}项建设问题", town=world.town2)
    assert queries_of_get(client, reverse("problem-list"), {"q": "建设"}) == few
    outsider = login(world.users.outsider).get(reverse("problem-list"), {"q": "建设"})
    assert list(outsider.context["page"].object_list) == []


def test_the_migration_tags_the_problems_registered_solved_and_leaves_the_ordered_ones(world, make_visit, make_problem):
    """Problems recorded before the field existed: those whose history starts with 现场解决/当日解决 were not
    ordered to be rectified; one rectified and verified the day it was found was."""
    from importlib import import_module

    from django.apps import apps

    from inspections.models import Problem

    migration = import_module("inspections.migrations.0002_rectification_ordered_and_evidence_waiver")
    visit = make_visit()
    registered = make_problem(visit, solved_same_day=True, due_on=None)
    ordered = make_problem(visit)
    services.problem_rectify(
        actor=world.users.officer, problem=ordered, note="已整改", files=evidence_photo(), on=VISIT_DAY
    )
    services.problem_verify(actor=world.users.office_coord, problem=ordered, on=VISIT_DAY)
    Problem.objects.update(rectification_ordered=True)  # the field's default when it was added
    migration.solved_at_registration(apps, None)
    assert Problem.objects.get(pk=registered.pk).rectification_ordered is False
    assert Problem.objects.get(pk=ordered.pk).rectification_ordered is True
