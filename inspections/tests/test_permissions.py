"""Who sees and does what: a district sees and updates only its own problems, only the office verifies."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from coordination.models import MemberUnit
from inspections import permissions as perms
from inspections import services

from .conftest import evidence_photo


@pytest.fixture
def problems(world, make_visit, make_problem):
    dongli_visit = make_visit()
    stats = MemberUnit.objects.get(code="statistics")
    return {
        "district": make_problem(dongli_visit),
        "town": make_problem(dongli_visit, responsible_unit=world.town.unit),
        "member": make_problem(dongli_visit, responsible_member_unit=stats),
        "xiqing": make_problem(make_visit(district=world.xiqing)),
    }


def _seen(user) -> set[int]:
    return set(perms.problems_qs_for_user(user).values_list("pk", flat=True))


def test_a_district_sees_the_problems_of_its_visits_and_not_another_districts(world, problems):
    dongli = {problems[k].pk for k in ("district", "town", "member")}
    assert _seen(world.users.officer) == dongli
    assert _seen(world.users.reviewer) == dongli
    assert _seen(world.users.outsider) == {problems["xiqing"].pk}
    with pytest.raises(Http404):
        perms.get_problem_for_user(world.users.outsider, problems["district"].pk)
    with pytest.raises(Http404):
        perms.get_visit_for_user(world.users.outsider, problems["district"].visit_id)


def test_the_office_and_the_city_leaders_see_everything(world, problems):
    everything = {p.pk for p in problems.values()}
    for user in (world.users.office_coord, world.users.office_policy, world.users.leader):
        assert _seen(user) == everything


def test_a_liaison_sees_only_the_problems_of_its_member_unit(world, problems):
    assert _seen(world.users.liaison) == {problems["member"].pk}
    assert set(perms.visits_qs_for_user(world.users.liaison).values_list("pk", flat=True)) == {
        problems["member"].visit_id
    }
    with pytest.raises(Http404):
        perms.get_problem_for_user(world.users.liaison, problems["district"].pk)


@pytest.mark.parametrize("who", ["officer", "reviewer"])
def test_the_district_updates_problems_assigned_to_its_units(world, problems, who):
    user = getattr(world.users, who)
    for key in ("district", "town"):
        assert perms.get_problem_for_user(user, problems[key].pk, perms.RECTIFY) == problems[key]


def test_a_district_cannot_update_a_problem_assigned_to_a_member_unit(world, problems):
    with pytest.raises(PermissionDenied):
        perms.get_problem_for_user(world.users.officer, problems["member"].pk, perms.RECTIFY)
    assert perms.get_problem_for_user(world.users.liaison, problems["member"].pk, perms.RECTIFY)


@pytest.mark.parametrize("who", ["officer", "reviewer", "liaison", "leader", "office_policy"])
def test_only_the_office_coordination_group_verifies(world, problems, who):
    problem = problems["member"] if who == "liaison" else problems["district"]
    with pytest.raises(PermissionDenied):
        perms.get_problem_for_user(getattr(world.users, who), problem.pk, perms.VERIFY)
    assert perms.get_problem_for_user(world.users.office_coord, problem.pk, perms.VERIFY) == problem


def test_the_office_does_not_rectify_on_the_units_behalf(world, problems):
    with pytest.raises(PermissionDenied):
        perms.get_problem_for_user(world.users.office_coord, problems["district"].pk, perms.RECTIFY)


def test_only_the_office_records_visits(world, problems):
    visit_id = problems["district"].visit_id
    assert perms.get_visit_for_user(world.users.office_coord, visit_id, perms.RECORD)
    for user in (world.users.officer, world.users.leader, world.users.office_policy):
        with pytest.raises(PermissionDenied):
            perms.get_visit_for_user(user, visit_id, perms.RECORD)
    assert list(perms.districts_managed_by(world.users.officer)) == []
    assert set(perms.districts_managed_by(world.users.office_coord)) == {world.dongli, world.xiqing}


def test_buttons_follow_the_role_and_the_state(world, problems):
    problem = problems["district"]
    assert perms.problem_actions_for_user(world.users.officer, problem) == {"progress", "rectify"}
    assert perms.problem_actions_for_user(world.users.office_coord, problem) == {"edit"}
    problem = services.problem_rectify(
        files=evidence_photo(), actor=world.users.officer, problem=problem, note="已整改"
    )
    assert perms.problem_actions_for_user(world.users.officer, problem) == set()
    assert perms.problem_actions_for_user(world.users.office_coord, problem) == {"edit", "verify", "reject"}
    assert perms.problem_actions_for_user(world.users.leader, problem) == set()


def test_evidence_files_are_seen_by_whoever_sees_the_problem(world, make_visit, make_problem):
    from .conftest import JPEG, upload

    stats = MemberUnit.objects.get(code="statistics")
    problem = make_problem(
        make_visit(), responsible_member_unit=stats, solved_on_site=True, files=[upload("a.jpg", JPEG)]
    )
    attachment = problem.attachments.get()
    assert perms.get_attachment_for_user(world.users.liaison, attachment.pk) == attachment
    assert perms.get_attachment_for_user(world.users.officer, attachment.pk) == attachment
    with pytest.raises(Http404):
        perms.get_attachment_for_user(world.users.outsider, attachment.pk)


def test_a_follow_up_is_progress_or_rectification_and_only_the_responsible_unit_reports_it(world, problems):
    problem = problems["district"]
    for action in ("progress", "rectify"):
        assert perms.get_problem_to_follow_up(world.users.officer, problem.pk, action) == problem
    with pytest.raises(Http404):
        perms.get_problem_to_follow_up(world.users.officer, problem.pk, "verify")
    with pytest.raises(PermissionDenied):
        perms.get_problem_to_follow_up(world.users.office_coord, problem.pk, "rectify")
    with pytest.raises(Http404):
        perms.get_problem_to_follow_up(world.users.liaison, problem.pk, "progress")
