"""The signed-in user is read on every request by one plain statement with its profile, org unit and working group
(tianjin_towns.security.ProfileModelBackend): it must be the user select_related read, field for field, with
nothing left to ask, and refuse what the ModelBackend refuses."""

import pytest
from django.contrib.auth import get_user_model

from tianjin_towns.security import ProfileModelBackend


def fields(instance) -> list | None:
    return None if instance is None else [getattr(instance, f.attname) for f in instance._meta.concrete_fields]


def test_every_persona_is_read_as_select_related_reads_it(world, django_assert_num_queries):
    related = get_user_model().objects.select_related("profile__org_unit", "profile__working_group")
    people = list(vars(world.users).values())
    assert any(not hasattr(u, "profile") for u in related.filter(pk__in=[p.pk for p in people]))  # the superuser
    for person in people:
        expected = related.get(pk=person.pk)
        got = ProfileModelBackend().get_user(person.pk)
        with django_assert_num_queries(0):
            assert fields(got) == fields(expected)
            if not hasattr(expected, "profile"):
                assert not hasattr(got, "profile")
                continue
            assert fields(got.profile) == fields(expected.profile)
            assert fields(got.profile.org_unit) == fields(expected.profile.org_unit)
            assert fields(got.profile.working_group) == fields(expected.profile.working_group)
            assert got.profile.user is got


@pytest.mark.parametrize("user_id", [0, 10**9, "abc", None])
def test_no_user_for_an_id_that_is_none(world, user_id):
    assert ProfileModelBackend().get_user(user_id) is None


def test_a_deactivated_account_is_not_signed_in(world):
    officer = world.users.officer
    assert ProfileModelBackend().get_user(officer.pk) is not None
    get_user_model().objects.filter(pk=officer.pk).update(is_active=False)
    assert ProfileModelBackend().get_user(officer.pk) is None
