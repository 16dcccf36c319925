"""Routing is the one source of the permission to do assessments (R-1.5): once "创建考核" is routed to the
coordination group, its member edits schemes and runs (page and API) and the former group's member gets 403."""

import pytest
from django.urls import reverse

from assessments import permissions as assessment_perms
from assessments import services as assess
from assessments.models import RunKind
from assessments.reminders import assessment_group_members
from assessments.selectors import indicators_by_code
from coordination import services as org
from coordination.models import SubmissionKind

from .factories import standard_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def rerouted(world):
    org.submission_route_change(
        actor=world.users.admin, kind=SubmissionKind.ASSESSMENTS, working_group=world.groups["coord"]
    )
    return world


def _scheme(world):
    return assess.scheme_save(
        actor=world.users.office_coord,
        scheme=None,
        year=2026,
        fields={"name": "2026年度特色小镇考核办法"},
        items=standard_items(indicators_by_code()),
    )


def _draft_run(world, scheme):
    return assess.run_create(actor=world.users.office_coord, scheme=scheme, kind=RunKind.SEMIANNUAL)


def test_before_rerouting_the_assessment_group_edits_and_the_coordination_group_does_not(world):
    assert assessment_perms.can_edit(world.users.office_assess)
    assert not assessment_perms.can_edit(world.users.office_coord)


def test_after_rerouting_the_coordination_member_edits_schemes_and_runs_on_the_pages(rerouted, client):
    world = rerouted
    scheme = _scheme(world)
    client.force_login(world.users.office_coord)
    assert client.get(reverse("assessment-scheme-edit", args=[scheme.pk])).status_code == 200
    run = _draft_run(world, scheme)
    assert client.get(reverse("assessment-run-manual", args=[run.pk])).status_code == 200
    assert (
        'href="{}"'.format(reverse("assessment-run-manual", args=[run.pk]))
        in client.get(reverse("assessment-run", args=[run.pk])).content.decode()
    )


def test_after_rerouting_the_former_assessment_member_gets_403(rerouted, client):
    world = rerouted
    scheme = _scheme(world)
    run = _draft_run(world, scheme)
    client.force_login(world.users.office_assess)
    assert client.get(reverse("assessment-scheme-edit", args=[scheme.pk])).status_code == 403
    assert client.post(reverse("assessment-run-delete", args=[run.pk])).status_code == 403
    assert client.get(reverse("assessment-run-manual", args=[run.pk])).status_code == 403
    # Publishing stays with the office as a whole: the assess member still acts for it (towns are routed to it).
    assert assessment_perms.can_publish(world.users.office_assess)


def test_after_rerouting_the_api_follows_the_routing(rerouted, api):
    world = rerouted
    scheme = _scheme(world)
    data = {"scheme": scheme.pk, "kind": RunKind.ANNUAL}
    assert api(world.users.office_assess).post(reverse("api-assessment-list"), data, format="json").status_code == 403
    assert api(world.users.office_coord).post(reverse("api-assessment-list"), data, format="json").status_code == 201


def test_outsider_and_liaison_read_the_scheme_but_may_not_edit_it(rerouted, client):
    world = rerouted
    scheme = _scheme(world)
    client.force_login(world.users.outsider)
    assert client.get(reverse("assessment-scheme-edit", args=[scheme.pk])).status_code == 403
    client.force_login(world.users.liaison)  # the schemes are shared with the member units (数据共享)
    assert client.get(reverse("assessment-scheme-edit", args=[scheme.pk])).status_code == 403


def test_the_reminders_go_to_the_group_the_work_is_routed_to(world):
    assert list(assessment_group_members()) == [world.users.office_assess]
    org.submission_route_change(actor=None, kind=SubmissionKind.ASSESSMENTS, working_group=world.groups["coord"])
    assert list(assessment_group_members()) == [world.users.office_coord]
