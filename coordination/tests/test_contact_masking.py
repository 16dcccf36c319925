"""等保 2.0 个人信息保护 (issue 22): a person's phone number and e-mail address are masked in lists, pages and API
answers for everyone but the system and security administrators (and superusers) and the person themself."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination import services as org
from coordination.contact_permissions import sees_contact_details
from coordination.models import Role
from tests import clients

login = clients.login

USERS = "/api/v1/users/"
PHONE, PHONE_MASKED = "13612345678", "136****5678"
EMAIL, EMAIL_MASKED = "dongli.officer@example.gov.cn", "d***@example.gov.cn"
OFFICE_PHONE, OFFICE_PHONE_MASKED = "022-23456789", "022-****6789"
MEMBER_PHONE, MEMBER_PHONE_MASKED = "13987654321", "139****4321"
MEMBER_EMAIL, MEMBER_EMAIL_MASKED = "colleague@example.gov.cn", "c***@example.gov.cn"


def _page(client, url, params=None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _shows(page: str, full: str, masked: str) -> str:
    """Which of the two forms of a value the page shows: "full" or "masked" (never both)."""
    assert (full in page) != (masked in page), (full in page, masked in page)
    return "full" if full in page else "masked"


@pytest.fixture
def officer(world):
    """The Dongli officer with a phone number and an e-mail address."""
    user = world.users.officer
    org.user_update(actor=None, user=user, role=Role.OFFICER, org_unit=world.dongli, phone=PHONE, email=EMAIL)
    return user


@pytest.fixture
def colleague(world):
    """A second member of office_policy's working group, with a phone number and an e-mail address."""
    return org.user_create(
        actor=world.users.sysadmin, username="policy-colleague", password="x-pass-12345", role=Role.OFFICE,
        org_unit=world.city, working_group=world.groups["policy"], full_name="政策组同事",
        phone=MEMBER_PHONE, email=MEMBER_EMAIL,
    )  # fmt: skip


# --- The rule ------------------------------------------------------------------------------------------


def test_only_the_person_the_superuser_and_the_system_and_security_administrators_see_contact_details(world):
    u = world.users
    seeing = {name for name in vars(u) if sees_contact_details(getattr(u, name), u.officer)}
    assert seeing == {"officer", "admin", "sysadmin", "security"}
    assert not sees_contact_details(u.auditor, u.officer)  # 安全审计员 reads the audit, not the people


def test_the_rule_takes_a_profile_as_the_person_and_shows_a_non_user_contact_only_to_administrators(world):
    u = world.users
    assert sees_contact_details(u.officer, u.officer.profile)
    assert not sees_contact_details(u.reviewer, u.officer.profile)
    assert sees_contact_details(u.sysadmin, None) and not sees_contact_details(u.officer, None)


def test_the_rule_reads_the_viewers_profile_once(world, django_assert_num_queries):
    viewer = type(world.users.leader).objects.get(pk=world.users.leader.pk)
    with django_assert_num_queries(1):
        seen = [person for person in vars(world.users).values() if sees_contact_details(viewer, person)]
    assert seen == [world.users.leader]  # themself only


# --- Pages -----------------------------------------------------------------------------------------------


def test_officer_registry_masks_contact_details_for_the_office_and_leaders(login, world, officer):
    url = reverse("officer-registry")
    for user in (world.users.office_coord, world.users.leader, world.users.reviewer):
        page = _page(login(user), url)
        assert _shows(page, PHONE, PHONE_MASKED) == "masked", user.username
        assert _shows(page, EMAIL, EMAIL_MASKED) == "masked", user.username
    for user in (world.users.sysadmin, world.users.admin, officer):
        page = _page(login(user), url)
        assert _shows(page, PHONE, PHONE_MASKED) == "full", user.username
        assert _shows(page, EMAIL, EMAIL_MASKED) == "full", user.username


def test_officer_registry_queries_do_not_grow_with_the_people_masked(login, world):
    client = login(world.users.office_coord)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _page(client, reverse("officer-registry"))
        return len(captured)

    org.user_update(actor=None, user=world.users.officer, role=Role.OFFICER, org_unit=world.dongli, phone=PHONE)
    queries()  # the session's first request
    before = queries()
    for i in range(10):
        org.user_create(username=f"officer-{i}", role=Role.OFFICER, org_unit=world.xiqing, phone=PHONE,
                        email=f"o{i}@example.gov.cn", password="x-pass-12345")  # fmt: skip
    assert queries() == before


def test_help_masks_the_phones_of_whom_to_ask_for_everyone_but_the_administrators(login, world):
    u = world.users
    org.user_update(actor=None, user=u.office_policy, role=Role.OFFICE, org_unit=world.city,
                    working_group=world.groups["policy"], phone=OFFICE_PHONE)  # fmt: skip
    org.user_update(actor=None, user=u.reviewer, role=Role.REVIEWER, org_unit=world.dongli, phone=MEMBER_PHONE)
    page = _page(login(u.officer), reverse("help"))  # contacts (the policy group) and the reviewing leader
    assert _shows(page, OFFICE_PHONE, OFFICE_PHONE_MASKED) == "masked"
    assert _shows(page, MEMBER_PHONE, MEMBER_PHONE_MASKED) == "masked"
    for user, shown in ((u.leader, "masked"), (u.auditor, "masked"), (u.sysadmin, "full"), (u.office_policy, "full")):
        page = _page(login(user), reverse("help"))
        assert _shows(page, OFFICE_PHONE, OFFICE_PHONE_MASKED) == shown, user.username


def test_organisation_page_masks_a_liaisons_phone(login, world):
    u = world.users
    org.user_update(actor=None, user=u.liaison, role=Role.LIAISON, org_unit=world.city,
                    member_unit=u.liaison.profile.member_unit, phone=MEMBER_PHONE)  # fmt: skip
    for user, shown in ((u.leader, "masked"), (u.auditor, "masked"), (u.liaison, "full"), (u.sysadmin, "full")):
        page = _page(login(user), reverse("organisation"))
        assert _shows(page, MEMBER_PHONE, MEMBER_PHONE_MASKED) == shown, user.username
    page = _page(login(u.sysadmin), reverse("member-unit-list"))
    assert _shows(page, MEMBER_PHONE, MEMBER_PHONE_MASKED) == "full"


def test_user_page_and_history_mask_contact_details_for_an_office_member(login, world, colleague):
    url = reverse("user-detail", args=[colleague.pk])
    org.user_update(actor=world.users.sysadmin, user=colleague, role=Role.OFFICE, org_unit=world.city,
                    working_group=world.groups["policy"], phone=PHONE)  # fmt: skip
    # The page shows the phone now; the history, the phone and e-mail it was created with, then the change.
    values = ((PHONE, PHONE_MASKED), (MEMBER_PHONE, MEMBER_PHONE_MASKED), (MEMBER_EMAIL, MEMBER_EMAIL_MASKED))
    page = _page(login(world.users.office_policy), url)
    assert "创建账号" in page
    assert {_shows(page, full, masked) for full, masked in values} == {"masked"}
    for user in (world.users.sysadmin, world.users.security, colleague):
        page = _page(login(user), url)
        assert {_shows(page, full, masked) for full, masked in values} == {"full"}, user.username


def test_user_edit_form_shows_the_real_values_to_whoever_may_edit_them(login, world, colleague):
    page = _page(login(world.users.office_policy), reverse("user-edit", args=[colleague.pk]))
    assert f'value="{MEMBER_PHONE}"' in page and f'value="{MEMBER_EMAIL}"' in page


# --- API ---------------------------------------------------------------------------------------------------


def _row(response, username: str) -> dict:
    assert response.status_code == 200, response.status_code
    return next(row for row in response.json()["results"] if row["username"] == username)


def test_users_api_masks_contact_details_for_an_office_member_but_not_its_own(api, world, colleague):
    u = world.users
    org.user_update(actor=None, user=u.office_policy, role=Role.OFFICE, org_unit=world.city,
                    working_group=world.groups["policy"], phone=OFFICE_PHONE)  # fmt: skip
    client = api(u.office_policy)
    row = _row(client.get(USERS), "policy-colleague")
    assert (row["phone"], row["email"]) == (MEMBER_PHONE_MASKED, MEMBER_EMAIL_MASKED)
    assert _row(client.get(USERS), "office-policy")["phone"] == OFFICE_PHONE
    detail = client.get(f"{USERS}{colleague.pk}/").json()
    assert (detail["phone"], detail["email"]) == (MEMBER_PHONE_MASKED, MEMBER_EMAIL_MASKED)
    changed = client.patch(f"{USERS}{colleague.pk}/", {"full_name": "同事"}, format="json").json()
    assert changed["phone"] == MEMBER_PHONE_MASKED


@pytest.mark.parametrize("persona", ["sysadmin", "security", "admin"])
def test_users_api_shows_contact_details_to_the_administrators(api, world, colleague, persona):
    row = _row(api(getattr(world.users, persona)).get(USERS, {"page_size": 100}), "policy-colleague")
    assert (row["phone"], row["email"]) == (MEMBER_PHONE, MEMBER_EMAIL)
