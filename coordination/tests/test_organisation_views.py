"""系统管理 pages of the master data (member units, org units, routing) and the navigation bar's menu:
status, permission, one effect, query counts."""

import pytest
from django.urls import reverse

from coordination import services as org
from coordination.models import MemberUnit, MemberUnitEvent, SubmissionKind, SubmissionRouteChange
from tests import clients

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin(world):
    """The world's 系统管理员 (the administrator role, not a superuser)."""
    return world.users.sysadmin


login = clients.login


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Member units -----------------------------------------------------------------------------------


def test_administrator_adds_a_fourteenth_member_unit_through_the_form(login, world, sysadmin):
    client = login(sysadmin)
    assert "新增成员单位" in _page(client.get(reverse("member-unit-create")))
    response = client.post(
        reverse("member-unit-create"),
        {
            "name": "市税务局",
            "short_name": "税务局",
            "responsible_leader": "王局长",
            "counterpart_division": "收入规划核算处",
        },
    )
    assert response.status_code == 302
    unit = MemberUnit.objects.get(name="市税务局")
    assert (unit.short_name, unit.responsible_leader, unit.active) == ("税务局", "王局长", True)
    assert "市税务局" in _page(client.get(reverse("member-unit-list")))


def test_a_member_unit_without_a_name_is_a_form_error_in_chinese(login, world, sysadmin):
    response = login(sysadmin).post(reverse("member-unit-create"), {"name": ""})
    assert response.status_code == 200 and "请填写成员单位名称。" in response.content.decode()
    assert MemberUnit.objects.count() == 1


def test_renaming_a_member_unit_shows_the_rename_in_its_history(login, world, sysadmin):
    stats = MemberUnit.objects.get(code="statistics")
    client = login(sysadmin)
    response = client.post(
        reverse("member-unit-edit", args=[stats.pk]), {"name": "市统计调查局", "order": "0", "note": "更名批复"}
    )
    assert response.status_code == 302
    page = _page(client.get(reverse("member-unit-edit", args=[stats.pk])))
    assert "名称：由“市统计局”改为“市统计调查局”" in page and "更名批复" in page
    assert "liaison-stats" in page or stats.liaisons.first().full_name in page  # the liaison is listed


def test_a_retired_member_unit_is_not_offered_for_new_meetings_or_policies(login, world, sysadmin):
    tax = org.member_unit_create(actor=sysadmin, name="市税务局")
    assert login(sysadmin).post(reverse("member-unit-retire", args=[tax.pk])).status_code == 302
    assert tax.events.filter(action=MemberUnitEvent.Action.RETIRED).exists()
    meeting_form = _page(login(world.users.office_coord).get(reverse("meeting-create")))
    assert "市税务局</label>" not in meeting_form and "市统计局</label>" in meeting_form
    policy_form = _page(login(world.users.office_policy).get(reverse("policy-create")))
    assert "市税务局</option>" not in policy_form and "市统计局</option>" in policy_form
    assert "市税务局" in _page(login(sysadmin).get(reverse("member-unit-list") + "?state=retired"))


def test_a_retired_member_unit_comes_back(login, world, sysadmin):
    tax = org.member_unit_create(actor=sysadmin, name="市税务局")
    org.member_unit_retire(actor=sysadmin, member_unit=tax)
    assert login(sysadmin).post(reverse("member-unit-reactivate", args=[tax.pk])).status_code == 302
    tax.refresh_from_db()
    assert tax.active


def test_member_unit_list_queries_do_not_grow_with_the_units(login, world, sysadmin, django_assert_max_num_queries):
    client = login(sysadmin)
    for i in range(15):
        org.member_unit_create(actor=sysadmin, name=f"成员单位{i}")
    with django_assert_max_num_queries(14):
        _page(client.get(reverse("member-unit-list")))


@pytest.mark.parametrize("persona", ["officer", "office_coord", "leader", "liaison"])
def test_others_may_not_change_member_units(login, world, persona):
    stats = MemberUnit.objects.get(code="statistics")
    client = login(getattr(world.users, persona))
    assert client.get(reverse("member-unit-list")).status_code == 403
    assert client.post(reverse("member-unit-create"), {"name": "市税务局"}).status_code == 403
    assert client.post(reverse("member-unit-edit", args=[stats.pk]), {"name": "改名"}).status_code == 403
    assert client.post(reverse("member-unit-retire", args=[stats.pk])).status_code == 403
    stats.refresh_from_db()
    assert stats.name == "市统计局" and stats.active and not MemberUnit.objects.filter(name="市税务局").exists()


def test_an_unknown_member_unit_is_404(login, world, sysadmin):
    assert login(sysadmin).get(reverse("member-unit-edit", args=[99999])).status_code == 404


def test_an_order_beyond_the_list_is_a_form_error_not_a_server_error(login, world, sysadmin):
    client = login(sysadmin)
    response = client.post(reverse("member-unit-create"), {"name": "市税务局", "order": "99999999999999"})
    assert response.status_code == 200 and "确保该值小于或等于9999。" in response.content.decode()
    stats = MemberUnit.objects.get(code="statistics")
    response = client.post(reverse("member-unit-edit", args=[stats.pk]), {"name": "市统计局", "order": "-1"})
    assert response.status_code == 200 and "确保该值大于或等于0。" in response.content.decode()
    assert not MemberUnit.objects.filter(name="市税务局").exists()


def test_a_member_unit_search_with_a_nul_character_is_refused_with_a_message(login, world, sysadmin):
    response = login(sysadmin).get(reverse("member-unit-list"), {"q": "统计\x00局"})
    assert response.status_code == 400  # every query and form refuses NUL at the door (tianjin_towns.input_limits)
    assert "不能包含空字符" in response.content.decode()


# --- Org units ----------------------------------------------------------------------------------------


def test_administrator_renames_a_district_and_the_list_shows_its_former_name(login, world, sysadmin):
    client = login(sysadmin)
    assert "东丽区" in _page(client.get(reverse("org-unit-rename", args=[world.dongli.pk])))
    response = client.post(
        reverse("org-unit-rename", args=[world.dongli.pk]),
        {"name": "东丽新区", "changed_on": "2026-11-01", "reason": "区划调整批复"},
    )
    assert response.status_code == 302
    world.dongli.refresh_from_db()
    assert world.dongli.name == "东丽新区"
    page = _page(client.get(reverse("org-unit-list")))
    assert "“东丽区”（2026年11月1日更名）" in page
    assert "“东丽区”更名为“东丽新区”" in _page(client.get(reverse("org-unit-rename", args=[world.dongli.pk])))


def test_a_rename_to_the_same_name_or_in_the_future_is_refused(login, world, sysadmin):
    client = login(sysadmin)
    response = client.post(
        reverse("org-unit-rename", args=[world.dongli.pk]), {"name": "东丽区", "changed_on": "2026-11-01"}
    )
    assert "新名称与现名称相同。" in response.content.decode()
    response = client.post(
        reverse("org-unit-rename", args=[world.dongli.pk]), {"name": "东丽新区", "changed_on": "2099-01-01"}
    )
    assert "变更日期不能晚于今天。" in response.content.decode()
    assert not world.dongli.name_changes.exists()


def test_outsider_gets_404_and_the_district_reviewer_403_on_renaming_dongli(login, world):
    url = reverse("org-unit-rename", args=[world.dongli.pk])
    assert login(world.users.outsider).post(url, {"name": "改名", "changed_on": "2026-11-01"}).status_code == 404
    assert login(world.users.reviewer).post(url, {"name": "改名", "changed_on": "2026-11-01"}).status_code == 403
    assert login(world.users.officer).get(reverse("org-unit-list")).status_code == 403


def test_org_unit_list_queries_are_bounded(login, world, sysadmin, django_assert_max_num_queries):
    client = login(sysadmin)
    with django_assert_max_num_queries(12):
        _page(client.get(reverse("org-unit-list")))


# --- Routing --------------------------------------------------------------------------------------------


def _routing_data(world, **moves) -> dict:
    data = {kind: world.groups[code].pk for kind, code in org.submission_routes().items()}
    data.update({kind: world.groups[code].pk for kind, code in moves.items()})
    data["reason"] = "主任办公会议决定"
    return data


def test_administrator_routes_assessments_to_the_coordination_group_on_the_page(login, world, sysadmin):
    client = login(sysadmin)
    page = _page(client.get(reverse("routing")))
    assert "创建考核" in page and "创建考核组" in page
    response = client.post(reverse("routing"), _routing_data(world, assessments="coord"))
    assert response.status_code == 302
    change = SubmissionRouteChange.objects.get()
    assert (change.kind, change.to_group.code, change.actor) == (SubmissionKind.ASSESSMENTS, "coord", sysadmin)
    assert "主任办公会议决定" in _page(client.get(reverse("routing")))


def test_routing_without_a_group_is_a_form_error(login, world, sysadmin):
    data = _routing_data(world)
    data["assessments"] = ""
    response = login(sysadmin).post(reverse("routing"), data)
    assert response.status_code == 200 and "请选择负责的工作组。" in response.content.decode()
    assert not SubmissionRouteChange.objects.exists()


@pytest.mark.parametrize("persona", ["officer", "office_assess", "office_coord", "leader", "liaison"])
def test_only_administrators_edit_the_routing(login, world, persona):
    client = login(getattr(world.users, persona))
    assert client.get(reverse("routing")).status_code == 403
    assert client.post(reverse("routing"), _routing_data(world, assessments="coord")).status_code == 403
    assert org.submission_routes()[SubmissionKind.ASSESSMENTS] == "assess"


# --- The navigation bar's 系统管理 menu --------------------------------------------------------------


def test_the_system_menu_shows_only_to_those_allowed(login, world, sysadmin):
    page = _page(login(sysadmin).get(reverse("member-unit-list")))
    assert "系统管理" in page
    for name in ("member-unit-list", "org-unit-list", "routing"):
        assert f'href="{reverse(name)}"' in page
    for persona in ("officer", "reviewer", "leader", "liaison"):
        page = _page(login(getattr(world.users, persona)).get(reverse("notification-list")))
        assert "系统管理" not in page and reverse("routing") not in page


def test_the_superuser_also_sees_the_admin_site_link(login, world):
    page = _page(login(world.users.admin).get(reverse("notification-list")))
    assert reverse("routing") in page and reverse("admin:index") in page


def test_the_liaison_sees_the_shared_dashboard_but_no_audit_link_and_the_office_both(login, world):
    liaison = _page(login(world.users.liaison).get(reverse("notification-list")))
    assert reverse("dashboard") in liaison and reverse("audit") not in liaison  # the dashboards are shared
    unit = world.users.liaison.profile.member_unit
    unit.withheld_kinds = ["dashboards"]
    unit.save()
    liaison = _page(login(world.users.liaison).get(reverse("notification-list")))
    assert reverse("dashboard") not in liaison
    office = _page(login(world.users.office_coord).get(reverse("notification-list")))
    assert reverse("dashboard") in office and reverse("audit") in office
    officer = _page(login(world.users.officer).get(reverse("notification-list")))
    assert reverse("dashboard") in officer and reverse("audit") not in officer


def test_the_project_ledger_is_offered_to_those_who_see_data(login, world):
    officer = _page(login(world.users.officer).get(reverse("notification-list")))
    assert 'href="/projects/"' in officer and "项目台账" in officer
    liaison = _page(login(world.users.liaison).get(reverse("notification-list")))
    assert "项目台账" in liaison  # shared with the member units (数据共享)
    unit = world.users.liaison.profile.member_unit
    unit.withheld_kinds = ["projects"]
    unit.save()
    assert "项目台账" not in _page(login(world.users.liaison).get(reverse("notification-list")))


def test_the_organisation_page_links_to_the_master_data_for_administrators(login, world, sysadmin):
    assert reverse("member-unit-list") in _page(login(sysadmin).get(reverse("organisation")))
    assert reverse("member-unit-list") not in _page(login(world.users.office_coord).get(reverse("organisation")))


def test_the_office_sees_the_people_part_of_the_system_menu_only(login, world):
    page = _page(login(world.users.office_policy).get(reverse("notification-list")))
    assert "系统管理" in page and reverse("routing") not in page and reverse("member-unit-list") not in page


def test_a_retired_member_unit_is_not_offered_for_new_liaisons(login, world, sysadmin):
    tax = org.member_unit_create(actor=sysadmin, name="市税务局")
    client = login(sysadmin)
    assert f'<option value="{tax.pk}">市税务局</option>' in _page(client.get(reverse("user-create")))
    org.member_unit_retire(actor=sysadmin, member_unit=tax)
    assert "市税务局</option>" not in _page(client.get(reverse("user-create")))
