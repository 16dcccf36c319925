"""The door of every report page and step (get_monthly_report_for_user) reads the report and what the pages show
with it in one plain statement, and decides from the user's grants whether the user sees it: it must let in exactly
whom the report lists let in (monthly_reports_for_user) and hand over what select_related would have loaded."""

import datetime

import pytest
from django.http import Http404

from coordination import permissions as perms
from ledgers.models import MonthlyReport, ReportStatus
from ledgers.permissions import get_monthly_report_for_user, monthly_reports_for_user

S = ReportStatus
AUG, SEPT = datetime.date(2026, 8, 1), datetime.date(2026, 9, 1)


@pytest.fixture
def reports(world, make_report):
    """Reports of both districts, at each stage: accepted (every step taken), submitted, and a draft."""
    return [
        make_report(S.ACCEPTED, period=AUG),
        make_report(S.SUBMITTED, period=SEPT),
        make_report(S.DRAFT, town=world.town2, period=SEPT),
        make_report(S.SUBMITTED, town=world.outsider_town, period=SEPT),
    ]


def opens(user, report, **kwargs) -> bool:
    try:
        return get_monthly_report_for_user(user, report.pk, **kwargs).pk == report.pk
    except Http404:
        return False


def test_the_door_lets_in_exactly_whom_the_report_lists_let_in(world, reports):
    world.users.reviewer.is_active = False  # a deactivated account sees nothing, though its grants stay
    everyone = list(vars(world.users).values())
    for user in everyone:
        listed = set(monthly_reports_for_user(user).values_list("pk", flat=True))
        for report in reports:
            assert opens(user, report) == (report.pk in listed), (user.username, report.pk)
            with perms.remembered_unit_grants():  # in a request: the grants read once, no query of the report's scope
                assert opens(user, report, profiles=True) == (report.pk in listed), (user.username, report.pk)
    assert all(opens(world.users.officer, report) for report in reports[:3])  # the set-up lets someone in…
    assert not opens(world.users.officer, reports[-1])  # …keeps the other district's officer out…
    assert not any(opens(world.users.reviewer, report) for report in reports)  # …and the deactivated account


@pytest.mark.parametrize("pk", ["abc", "", None, "12.5"])
def test_what_is_not_a_report_number_is_not_found(world, pk):
    with pytest.raises(Http404):
        get_monthly_report_for_user(world.users.admin, pk)


def fields(instance) -> list:
    return [getattr(instance, field.attname) for field in instance._meta.concrete_fields]


@pytest.mark.parametrize("profiles", [False, True])
def test_the_door_hands_over_what_select_related_loads(world, reports, profiles, django_assert_num_queries):
    people = ("submitted_by", "approved_by", "accepted_by")
    for report in reports:
        expected = MonthlyReport.objects.select_related(
            "town__unit", "town__district", *(f"{p}__profile" for p in people)
        ).get(pk=report.pk)
        with perms.remembered_unit_grants():
            got = get_monthly_report_for_user(world.users.admin, report.pk, profiles=profiles)
        with django_assert_num_queries(0):  # all of it loaded by the door
            assert fields(got) == fields(expected)
            assert fields(got.town) == fields(expected.town)
            assert fields(got.town.unit) == fields(expected.town.unit)
            assert fields(got.town.district) == fields(expected.town.district)
            for name in people:
                person, expected_person = getattr(got, name), getattr(expected, name)
                assert (person is None) == (expected_person is None)
                if person is not None:
                    assert fields(person) == fields(expected_person)
                    if profiles:
                        assert fields(person.profile) == fields(expected_person.profile)
    assert reports[0].accepted_by_id is not None  # every step taken in one of them
