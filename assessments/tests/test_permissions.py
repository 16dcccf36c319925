"""The doors that read an address: a self-evaluation's kind and period, a town's result in a run."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from assessments import permissions as perms
from assessments import selectors

from .factories import make_run, make_scheme, publish

TODAY = datetime.date(2026, 10, 20)


def test_a_self_evaluation_form_is_of_an_ended_month_or_quarter(world):
    unit = world.dongli.pk
    officer = world.users.officer
    assert perms.get_self_evaluation_slot_for_user(officer, unit, "monthly", "2026-09", today=TODAY) == (
        world.dongli,
        datetime.date(2026, 9, 1),
    )
    assert perms.get_self_evaluation_slot_for_user(officer, unit, "quarterly", "2026-07", today=TODAY)[1] == (
        datetime.date(2026, 7, 1)
    )
    for kind, period in [
        ("weekly", "2026-09"),  # not a kind
        ("monthly", "2026-13"),  # not a month
        ("quarterly", "2026-08"),  # not a quarter's first month
        ("monthly", "2026-10"),  # not ended yet
        ("quarterly", "2026-10"),
    ]:
        with pytest.raises(Http404):
            perms.get_self_evaluation_slot_for_user(officer, unit, kind, period, today=TODAY)


def test_a_self_evaluation_is_filled_by_the_units_officer_and_unseen_by_an_outsider(world):
    unit = world.dongli.pk
    assert perms.get_self_evaluation_slot_for_user(world.users.officer, unit, "monthly", "2026-09", perms.FILL)
    with pytest.raises(PermissionDenied):
        perms.get_self_evaluation_slot_for_user(world.users.reviewer, unit, "monthly", "2026-09", perms.FILL)
    with pytest.raises(Http404):
        perms.get_self_evaluation_slot_for_user(world.users.outsider, unit, "monthly", "2026-09")


def test_a_towns_result_is_404_when_the_run_did_not_assess_the_town(world):
    run = make_run(world, make_scheme(world, 2026))
    office = world.users.office_assess
    found, town, row = perms.get_run_town_result_for_user(
        office, run.pk, world.town.pk, result_for_town=selectors.run_result_for_town
    )
    assert (found, town, row.town_id) == (run, world.town, world.town.pk)
    with pytest.raises(Http404):
        perms.get_run_town_result_for_user(office, run.pk, world.town.pk, result_for_town=lambda *_args: None)
    with pytest.raises(Http404):
        perms.get_run_town_result_for_user(
            world.users.officer, run.pk, world.town.pk, result_for_town=selectors.run_result_for_town
        )  # a draft is the office's


def test_deciding_on_a_towns_sanction_is_the_offices_and_an_unseen_town_is_404_first(world):
    run = publish(world, make_run(world, make_scheme(world, 2026), points=12))
    assert perms.get_run_and_town_for_user(world.users.office_policy, run.pk, world.town.pk, perms.PUBLISH) == (
        run,
        world.town,
    )
    with pytest.raises(PermissionDenied):
        perms.get_run_and_town_for_user(world.users.reviewer, run.pk, world.town.pk, perms.PUBLISH)
    with pytest.raises(Http404):
        perms.get_run_and_town_for_user(world.users.outsider, run.pk, world.town.pk, perms.PUBLISH)
