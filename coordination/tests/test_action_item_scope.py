"""Who may be given an action item (督办事项, R-2.2): a district or a town keeps its work within its own district;
only the municipality assigns across districts and to the member units (issue 16, point 1)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coordination import services as org
from coordination.models import ActionItem, MeetingKind, MemberUnit, Notification, OrgUnit

from .factories import make_meeting

ITEMS = "/api/v1/action-items/"


@pytest.fixture
def xiqing_town_decision(world):
    """A 西青 town's exchange meeting, recorded by xiqing-officer, with one decision."""
    meeting = org.meeting_create(
        actor=world.users.outsider,
        org_unit=world.outsider_town.unit,
        kind=MeetingKind.EXCHANGE,
        title="精武文化小镇交流座谈会",
        held_on=datetime.date(2026, 10, 20),
        held=True,
        minutes="座谈交流了文旅项目经验。",
        decisions=["协调推进文旅项目用地"],
    )
    return meeting.decisions.get()


def _body(decision, **extra):
    return {"decision": decision.pk, "owner": "王强", "due_on": "2026-12-20", **extra}


def _told_about_items() -> set[str]:
    return set(Notification.objects.filter(kind="action_item_assigned").values_list("recipient__username", flat=True))


@pytest.mark.parametrize("target", ["dongli", "dongli_town"])
def test_a_town_meeting_cannot_assign_to_another_district_over_the_api(world, api, xiqing_town_decision, target):
    unit = world.dongli if target == "dongli" else world.town.unit
    response = api(world.users.outsider).post(
        ITEMS, _body(xiqing_town_decision, responsible_unit=unit.pk), format="json"
    )
    assert response.status_code == 400, response.content
    assert "本区" in response.json()["responsible_unit"][0]
    assert not ActionItem.objects.exists()
    assert _told_about_items() == set()  # 东丽 hears nothing


def test_a_town_meeting_assigns_within_its_district(world, api, xiqing_town_decision):
    client = api(world.users.outsider)
    for unit in (world.xiqing, world.outsider_town.unit):
        response = client.post(ITEMS, _body(xiqing_town_decision, responsible_unit=unit.pk), format="json")
        assert response.status_code == 201, response.content
    assert "dongli-officer" not in _told_about_items()


def test_a_district_cannot_assign_to_a_member_unit(world, api, xiqing_town_decision):
    stats = MemberUnit.objects.get(code="statistics")
    response = api(world.users.outsider).post(
        ITEMS, _body(xiqing_town_decision, responsible_member_unit=stats.pk), format="json"
    )
    assert response.status_code == 400, response.content
    assert "responsible_member_unit" in response.json()
    assert not ActionItem.objects.exists() and _told_about_items() == set()


def test_the_service_refuses_a_district_actor_assigning_across_even_from_a_municipal_meeting(world):
    """The actor's own district bounds them too, whoever hosts the meeting."""
    conference = make_meeting(world, kind=MeetingKind.JOINT_CONFERENCE, unit=world.city, title="市联席会议")
    decision = org.decision_add(actor=world.users.office_coord, meeting=conference, text="各区加快项目建设")
    units, member_units_allowed = org.action_item_assignable(meeting=conference, actor=world.users.outsider)
    assert set(units) == {world.xiqing, world.outsider_town.unit} and not member_units_allowed
    with pytest.raises(ValidationError) as error:
        org.action_item_create(
            actor=world.users.outsider,
            decision=decision,
            owner="王强",
            due_on=datetime.date(2026, 12, 20),
            responsible_unit=world.dongli,
        )
    assert "responsible_unit" in error.value.message_dict
    assert not ActionItem.objects.exists()


def test_the_municipality_assigns_to_any_district_town_or_member_unit(world, api):
    conference = make_meeting(world, kind=MeetingKind.JOINT_CONFERENCE, unit=world.city, title="市联席会议")
    decision = org.decision_add(actor=world.users.office_coord, meeting=conference, text="各区加快项目建设")
    client = api(world.users.office_coord)
    stats = MemberUnit.objects.get(code="statistics")
    for field, pk in [
        ("responsible_unit", world.dongli.pk),
        ("responsible_unit", world.outsider_town.unit.pk),
        ("responsible_unit", world.xiqing.pk),
        ("responsible_member_unit", stats.pk),
    ]:
        response = client.post(ITEMS, _body(decision, **{field: pk}), format="json")
        assert response.status_code == 201, response.content
    assert {"dongli-officer", "xiqing-officer", "liaison-stats"} <= _told_about_items()


def _offered(response) -> set[str]:
    """The options of the responsible-unit select, by value ("u<id>" / "m<id>")."""
    form = response.context["form"]
    return {key for key, _label in _flat(form.fields["responsible"].choices) if key}


def _flat(choices):
    for key, label in choices:
        if isinstance(label, (list, tuple)):
            yield from label
        else:
            yield key, label


def test_the_page_form_offers_only_the_own_district(client, world, xiqing_town_decision):
    meeting = xiqing_town_decision.meeting
    client.force_login(world.users.outsider)
    url = reverse("action-item-create", args=[meeting.pk, xiqing_town_decision.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert _offered(response) == {f"u{world.xiqing.pk}", f"u{world.outsider_town.unit.pk}"}
    assert world.town.unit.name not in response.content.decode()  # no 东丽 town in the page

    # A forged choice is refused as any unknown option; nothing is created.
    response = client.post(url, {"responsible": f"u{world.dongli.pk}", "owner": "王强", "due_on": "2026-12-20"})
    assert response.status_code == 200 and response.context["form"].errors["responsible"]
    assert not ActionItem.objects.exists()

    detail = client.get(reverse("meeting-detail", args=[meeting.pk]))
    assert world.town.unit.name not in detail.content.decode()


def test_the_page_shows_the_services_refusal_on_the_field(client, world, xiqing_town_decision, monkeypatch):
    """Should the choices and the rule ever part, the service still refuses, as a form error on the field."""
    from coordination import action_item_views

    meeting = xiqing_town_decision.meeting
    everything = OrgUnit.objects.exclude(level=OrgUnit.Level.MUNICIPAL)
    monkeypatch.setattr(action_item_views, "responsible_choices", lambda meeting, user: (list(everything), []))
    client.force_login(world.users.outsider)
    url = reverse("action-item-create", args=[meeting.pk, xiqing_town_decision.pk])
    response = client.post(url, {"responsible": f"u{world.dongli.pk}", "owner": "王强", "due_on": "2026-12-20"})
    assert response.status_code == 200
    assert "本区" in response.context["form"].errors["responsible"][0]
    assert not ActionItem.objects.exists() and _told_about_items() == set()


def test_the_municipal_page_form_offers_every_district_town_and_member_unit(client, world):
    conference = make_meeting(world, kind=MeetingKind.JOINT_CONFERENCE, unit=world.city, title="市联席会议")
    decision = org.decision_add(actor=world.users.office_coord, meeting=conference, text="各区加快项目建设")
    client.force_login(world.users.office_coord)
    response = client.get(reverse("action-item-create", args=[conference.pk, decision.pk]))
    units = OrgUnit.objects.exclude(level=OrgUnit.Level.MUNICIPAL)
    stats = MemberUnit.objects.get(code="statistics")
    assert _offered(response) == {f"u{u.pk}" for u in units} | {f"m{stats.pk}"}
