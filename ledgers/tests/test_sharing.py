"""Data sharing with the member units (数据共享, issue 18): a liaison reads, across every district, what the
office has accepted, never a report in its workflow; the office narrows it per member unit on a page."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from coordination import permissions as perms
from coordination import services as org
from coordination.models import MemberUnitEvent, PlanStatus, SharedKind
from coordination.tests.factories import make_plan
from ledgers import services as ledger
from ledgers.models import Indicator, ReportStatus
from tests import clients

SEPT = datetime.date(2026, 9, 1)
login = clients.login


@pytest.fixture
def figures(world, make_report):
    """Dongli's September accepted, town2's only approved by the district; xiqing's never filed."""
    make_report(ReportStatus.ACCEPTED, period=SEPT)
    make_report(ReportStatus.DISTRICT_APPROVED, town=world.town2, period=SEPT, values=_values(tax="77.70"))
    return world


def _values(**changed) -> dict:
    from conftest import FULL_VALUES

    values = dict(FULL_VALUES)
    if "tax" in changed:
        values["tax_revenue"] = changed["tax"]
    return values


def _share(world, *, kinds=tuple(SharedKind.values), indicators=None, actor=None):
    return ledger.member_unit_sharing_set(
        actor=actor or world.users.office_policy,
        member_unit=world.users.liaison.profile.member_unit,
        shared_kinds=list(kinds),
        shared_indicators=list(indicators if indicators is not None else Indicator.objects.filter(active=True)),
        note="按统计局需要调整",
    )


def test_a_liaison_has_no_scope_of_its_own_but_reads_every_districts_accepted_figures(world):
    liaison = world.users.liaison
    assert not perms.towns_for_user(liaison).exists()  # never a report in its workflow
    assert set(perms.reading_towns_for_user(liaison, SharedKind.FIGURES)) == set(
        perms.towns_for_user(world.users.leader)
    )
    member_unit = liaison.profile.member_unit
    member_unit.withheld_kinds = [SharedKind.FIGURES]
    member_unit.save()
    assert not perms.reading_towns_for_user(liaison, SharedKind.FIGURES).exists()
    assert perms.reading_towns_for_user(liaison, SharedKind.DASHBOARDS).exists()


def test_the_ledger_shows_a_liaison_accepted_figures_only(figures, login):
    world = figures
    page = login(world.users.liaison).get(reverse("ledger"), {"year": 2026, "indicator": "tax_revenue"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "150.25" in text  # dongli's accepted September
    assert "77.70" not in text  # town2's, approved by the district only
    assert "精武文化小镇" in text and "华明智能制造小镇" in text  # every district


def test_a_liaison_never_opens_a_report_nor_lists_them(figures, login):
    world = figures
    as_liaison = login(world.users.liaison)
    for report in world.town.monthly_reports.all():
        assert as_liaison.get(reverse("report-detail", args=[report.pk])).status_code == 404
    assert "150.25" not in as_liaison.get(reverse("report-list")).content.decode()
    api = as_liaison.get("/api/v1/monthly-reports/")
    assert api.status_code == 200 and api.json()["count"] == 0


def test_the_export_carries_only_accepted_and_shared_figures(figures, login):
    world = figures
    tax = Indicator.objects.get(code="tax_revenue")
    _share(world, kinds=[SharedKind.FIGURES], indicators=Indicator.objects.filter(active=True).exclude(pk=tax.pk))
    response = login(world.users.liaison).get(reverse("ledger-export"), {"year": 2026})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["月度指标台账"]  # the project ledger is not shared now
    cells = {
        str(cell) for row in workbook["月度指标台账"].iter_rows(values_only=True) for cell in row if cell is not None
    }
    assert any("固定资产投资" in cell for cell in cells)
    assert not any("税收" in cell for cell in cells)
    assert "精武文化小镇" in cells
    # The API export says the same.
    api = login(world.users.liaison).get("/api/v1/ledgers/export/", {"year": 2026})
    assert load_workbook(io.BytesIO(api.content), read_only=True).sheetnames == ["月度指标台账"]


def test_a_withheld_indicator_leaves_the_ledger_choices(figures, login):
    world = figures
    tax = Indicator.objects.get(code="tax_revenue")
    _share(world, indicators=Indicator.objects.filter(active=True).exclude(pk=tax.pk))
    page = login(world.users.liaison).get(reverse("ledger"), {"year": 2026, "indicator": "tax_revenue"})
    assert page.context["form"].errors  # not a choice any more
    assert tax not in page.context["form"].fields["indicator"].objects.values()
    office = login(world.users.office_policy).get(reverse("ledger"), {"indicator": "tax_revenue"})
    assert tax in office.context["form"].fields["indicator"].objects.values()  # the office's own scope is unchanged


def test_withholding_the_figures_closes_the_ledger_to_the_liaison(figures, login):
    world = figures
    _share(world, kinds=[SharedKind.DASHBOARDS])
    page = login(world.users.liaison).get(reverse("ledger"), {"year": 2026, "indicator": "tax_revenue"})
    assert "150.25" not in page.content.decode()
    assert login(world.users.liaison).get(reverse("ledger-export"), {"year": 2026}).status_code in (200, 302)


def test_a_liaison_reads_approved_plans_only(world, login):
    approved = make_plan(world)
    org.plan_approve(actor=world.users.office_planning, plan=approved, comments="")
    pending = make_plan(world, unit=world.town2.unit)
    as_liaison = login(world.users.liaison)
    assert as_liaison.get(reverse("plan-detail", args=[approved.pk])).status_code == 200
    assert as_liaison.get(reverse("plan-detail", args=[pending.pk])).status_code == 404
    assert set(perms.plans_for_user(world.users.liaison)) == {approved}
    approved.refresh_from_db()
    assert approved.status == PlanStatus.APPROVED
    _share(world, kinds=[SharedKind.FIGURES])
    assert as_liaison.get(reverse("plan-detail", args=[approved.pk])).status_code == 404


def test_the_office_sets_what_a_member_unit_is_shared_on_a_page_and_it_is_recorded(world, login):
    unit = world.users.liaison.profile.member_unit
    url = reverse("sharing-edit", args=[unit.pk])
    assert login(world.users.officer).get(url).status_code == 403
    assert login(world.users.liaison).get(reverse("sharing")).status_code == 403
    office = login(world.users.office_policy)
    listing = office.get(reverse("sharing")).content.decode()
    assert unit.name in listing and "全部共享" in listing
    form = office.get(url)
    assert form.status_code == 200
    kept = [i.pk for i in Indicator.objects.filter(active=True).exclude(code="tax_revenue")]
    response = office.post(
        url, {"shared_kinds": ["figures", "dashboards"], "shared_indicators": kept, "note": "税收数据由税务局提供"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("sharing")
    unit.refresh_from_db()
    assert unit.withheld_kinds == ["assessments", "plans", "projects"]
    assert list(unit.withheld_indicators.values_list("code", flat=True)) == ["tax_revenue"]
    event = MemberUnitEvent.objects.get(member_unit=unit, action=MemberUnitEvent.Action.SHARING)
    assert event.actor == world.users.office_policy and event.note == "税收数据由税务局提供"
    assert event.changes["withheld_indicators"] == [[], ["tax_revenue"]]
    # Saving the same again records nothing more.
    office.post(url, {"shared_kinds": ["figures", "dashboards"], "shared_indicators": kept})
    assert MemberUnitEvent.objects.filter(member_unit=unit, action=MemberUnitEvent.Action.SHARING).count() == 1
    history = office.get(url).content.decode()
    assert "税收数据由税务局提供" in history and "不共享的指标：税收收入" in history


def test_an_unknown_kind_is_refused_and_nothing_changes(world, login):
    unit = world.users.liaison.profile.member_unit
    response = login(world.users.office_policy).post(
        reverse("sharing-edit", args=[unit.pk]), {"shared_kinds": ["secrets"], "shared_indicators": []}
    )
    assert response.status_code == 200 and response.context["form"].errors["shared_kinds"]
    unit.refresh_from_db()
    assert unit.withheld_kinds == [] and not unit.withheld_indicators.exists()


def test_a_liaisons_home_page_and_navigation_show_its_unit_and_what_is_shared(world, login):
    page = login(world.users.liaison).get(reverse("home")).content.decode()
    assert "共享数据" in page and "已验收的统计数据" in page
    assert reverse("ledger") in page and reverse("dashboard") in page
    assert reverse("report-list") not in page  # no 月报管理: it files and reviews nothing
    assert reverse("gaps") not in page
    officer = login(world.users.officer).get(reverse("home")).content.decode()
    assert "共享数据" not in officer and reverse("report-list") in officer


def test_a_liaison_reads_the_project_ledger_with_its_accepted_months_only_and_no_history(world, login, api):
    from decimal import Decimal

    from conftest import FULL_VALUES, let_file
    from ledgers.models import Project

    u = world.users
    project = ledger.project_create(
        actor=u.officer,
        town=world.town,
        code="XM-01",
        name="产业园二期",
        category=Project.Category.INDUSTRY,
        total_investment=Decimal("50000"),
        year_plans=[{"year": 2026, "amount": Decimal("12000")}],
        status=Project.Status.CONTINUING,
    )
    for period, amount, accept in ((datetime.date(2026, 8, 1), "300", True), (SEPT, "100", False)):
        let_file(world, world.town, period)
        values = {code: "0" for code in FULL_VALUES} | {"fixed_asset_investment": amount}
        report = ledger.monthly_report_create(actor=u.officer, town=world.town, period=period)
        progress = [{"project": project.pk, "investment_month": amount, "physical_progress": "主体施工"}]
        ledger.monthly_report_save(actor=u.officer, report=report, values=values, progress=progress)
        ledger.monthly_report_submit(actor=u.officer, report=report)
        if accept:
            ledger.monthly_report_approve(actor=u.reviewer, report=report)
            ledger.monthly_report_accept(actor=u.office_policy, report=report)
    as_liaison = login(u.liaison)
    assert "产业园二期" in as_liaison.get(reverse("project-list")).content.decode()
    page = as_liaison.get(reverse("project-detail", args=[project.pk]))
    assert [row.report.period for row in page.context["progress"]] == [datetime.date(2026, 8, 1)]
    assert page.context["events"] == [] and not page.context["can_manage"]
    body = api(u.liaison).get(f"/api/v1/projects/{project.pk}/").json()
    assert len(body["progress"]) == 1
    officer = login(u.officer).get(reverse("project-detail", args=[project.pk]))
    assert len(officer.context["progress"]) == 2 and officer.context["events"]  # the town's own: everything
    _share(world, kinds=[SharedKind.FIGURES])
    assert login(u.liaison).get(reverse("project-detail", args=[project.pk])).status_code == 404
