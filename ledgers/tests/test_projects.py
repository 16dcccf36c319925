"""The project ledger (重点项目台账, R-3.3; issue 15): plans per year, accepted months keep their plan,
and the 新开工/竣工 counts are checked against the projects' dates."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from conftest import FULL_VALUES
from ledgers import exports, rules, selectors
from ledgers import services as ledger
from ledgers.models import DataFlag, Project, ProjectEvent, ProjectProgress, ReportStatus, ValidationRule
from ledgers.tests import factories
from ledgers.tests.quality import let_file

S = ReportStatus
DATES = ValidationRule.CheckType.PROJECT_DATES
AUG, SEPT = datetime.date(2026, 8, 1), datetime.date(2026, 9, 1)


def make_project(world, code="P-01", **fields):
    defaults = {
        "owner": "天津华明产业投资有限公司",
        "year_plans": [{"year": 2026, "amount": "12000"}, {"year": 2027, "amount": "20000"}],
        "status": Project.Status.CONTINUING,
    }
    return factories.make_project(world, code, **defaults | fields)


def file_month(world, period, progress, *, status=S.ACCEPTED, values=None):
    """A month of the town carried to `status`, its investment equal to its projects' (the hard rule)."""
    u = world.users
    invested = sum(Decimal(row["investment_month"]) for row in progress)
    figures = FULL_VALUES | {
        "fixed_asset_investment": invested,
        "industry_investment": min(Decimal("800"), invested),
        "private_investment": min(Decimal("300"), invested),
        "projects_started": "0",
        "projects_completed": "0",
    }
    let_file(world, world.town, period)
    report = ledger.monthly_report_create(actor=u.officer, town=world.town, period=period)
    ledger.monthly_report_save(actor=u.officer, report=report, values=figures | (values or {}), progress=progress)
    if status == S.DRAFT:
        return report
    ledger.monthly_report_submit(actor=u.officer, report=report)
    ledger.monthly_report_approve(actor=u.reviewer, report=report)
    return ledger.monthly_report_accept(actor=u.office_policy, report=report)


# --- Identity and plans per year ------------------------------------------------------------------


def test_officer_registers_a_project_with_a_plan_for_each_year(world):
    project = make_project(world)
    project = Project.objects.prefetch_related("year_plans").get(pk=project.pk)
    assert project.owner == "天津华明产业投资有限公司"
    assert project.plan_for_year(2026) == Decimal("12000")
    assert project.plan_for_year(2027) == Decimal("20000")
    assert project.plan_for_year(2028) is None
    (event,) = ProjectEvent.objects.filter(project=project)
    assert event.action == ProjectEvent.Action.CREATE and event.actor == world.users.officer
    assert event.changes["year_plans"] == {"2026": [None, "12000"], "2027": [None, "20000"]}


def test_editing_plans_changes_only_the_years_named_and_records_old_and_new(world):
    project = make_project(world)
    ledger.project_update(
        actor=world.users.reviewer,
        project=project,
        status=Project.Status.SUSPENDED,
        year_plans=[{"year": 2027, "amount": "15000"}, {"year": 2026, "amount": None}],
    )
    project = Project.objects.prefetch_related("year_plans").get(pk=project.pk)
    assert project.status == "suspended" and project.get_status_display() == "停缓建"
    assert [(p.year, p.amount) for p in project.year_plans.all()] == [(2027, Decimal("15000"))]
    event = ProjectEvent.objects.filter(project=project).latest("pk")
    assert event.changes == {
        "status": ["continuing", "suspended"],
        "year_plans": {"2026": ["12000", None], "2027": ["20000", "15000"]},
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"planned_start": datetime.date(2026, 5, 1), "planned_finish": datetime.date(2026, 4, 1)}, "planned_finish"),
        ({"status": Project.Status.COMPLETED}, "actual_finish"),
        ({"actual_start": datetime.date(2027, 5, 1)}, "actual_start"),  # after today (2026-11-20)
        ({"year_plans": [{"year": 2026, "amount": "-1"}]}, "year_plans"),
        ({"year_plans": [{"year": 2026, "amount": "1"}, {"year": 2026, "amount": "2"}]}, "year_plans"),
        ({"year_plans": [{"year": 1899, "amount": "1"}]}, "year_plans"),
    ],
)
def test_inconsistent_project_is_refused_and_nothing_is_saved(world, fields, field):
    with pytest.raises(ValidationError) as error:
        make_project(world, **fields)
    assert field in error.value.message_dict
    assert not Project.objects.filter(code="P-01").exists()


def test_annual_investment_shorthand_sets_this_years_plan(world, time_machine):
    time_machine.move_to(datetime.datetime(2027, 3, 2, 10, tzinfo=datetime.UTC))
    project = factories.make_project(
        world, "P-09", name="旧接口登记的项目", total_investment=Decimal("100"), annual_investment=Decimal("40")
    )
    assert Project.objects.get(pk=project.pk).annual_investment == Decimal("40")
    assert list(project.year_plans.values_list("year", flat=True)) == [2027]


# --- Accepted months keep the plan they were accepted with ------------------------------------------


def test_project_edit_leaves_accepted_months_with_their_plan_and_ratio(world, api):
    park = make_project(world)
    file_month(world, AUG, [{"project": park.pk, "investment_month": "3000"}])
    september = file_month(world, SEPT, [{"project": park.pk, "investment_month": "600"}], status=S.DRAFT)

    # The district revises the project: a bigger total, half the 2026 plan.
    ledger.project_update(
        actor=world.users.officer,
        project=park,
        total_investment=Decimal("80000"),
        year_plans=[{"year": 2026, "amount": "6000"}],
    )

    rows = {row.report.period: row for row in selectors.report_progress_rows(september)}
    aug_row = ProjectProgress.objects.select_related("report", "project").get(project=park, report__period=AUG)
    # August was accepted against 50000 / 12000: 3000 is 25% of the plan, whatever the project says now.
    assert (aug_row.plan_total, aug_row.plan_annual, aug_row.share_of_annual) == (
        Decimal("50000"),
        Decimal("12000"),
        Decimal("25.0"),
    )
    # September is open: it is measured against the current plan (3600 of 6000).
    sept_row = rows[SEPT]
    assert (sept_row.plan_total, sept_row.plan_annual, sept_row.share_of_annual) == (
        Decimal("80000"),
        Decimal("6000"),
        Decimal("60.0"),
    )

    # The API's progress rows say the same.
    body = api(world.users.office_policy).get(f"/api/v1/projects/{park.pk}/").json()
    by_period = {row["period"]: row for row in body["progress"]}
    assert (by_period["2026-08"]["total_investment"], by_period["2026-08"]["annual_plan"]) == (50000, 12000)
    assert by_period["2026-08"]["share_of_annual"] == 25 and by_period["2026-08"]["plan_frozen"] is True
    assert (by_period["2026-09"]["annual_plan"], by_period["2026-09"]["share_of_annual"]) == (6000, 60)
    assert body["total_investment"] == 80000

    # So does the export: the accepted month's row carries the old plan and ratio.
    output = io.BytesIO()
    exports.write_ledger_workbook(output, towns=selectors.towns_in_scope(world.users.officer), year=2026)
    sheet = load_workbook(io.BytesIO(output.getvalue()))["项目台账"]
    rows = list(sheet.iter_rows(min_row=exports.HEADER_ROW, values_only=True))
    header = rows[0]
    (august,) = [dict(zip(header, r, strict=False)) for r in rows[1:] if r[2] == "P-01" and r[8] == "2026-08"]
    assert Decimal(str(august["计划总投资（万元）"])) == Decimal("50000")
    assert Decimal(str(august["年度计划投资（万元）"])) == Decimal("12000")
    assert Decimal(str(august["占年度计划（%）"])) == Decimal("25")


def test_a_reopened_month_is_judged_against_the_current_plan_and_frozen_again_on_acceptance(world):
    park = make_project(world)
    august = file_month(world, AUG, [{"project": park.pk, "investment_month": "3000"}])
    ledger.project_update(actor=world.users.officer, project=park, year_plans=[{"year": 2026, "amount": "30000"}])
    ledger.monthly_report_reopen_request(actor=world.users.officer, report=august, reason="项目计划调整")
    august = ledger.monthly_report_reopen_approve(actor=world.users.office_policy, report=august)
    row = ProjectProgress.objects.select_related("report", "project").get(project=park, report=august)
    assert not row.plan_frozen and row.plan_annual == Decimal("30000")
    for step in (ledger.monthly_report_submit, ledger.monthly_report_approve, ledger.monthly_report_accept):
        actor = {
            "monthly_report_submit": world.users.officer,
            "monthly_report_approve": world.users.reviewer,
            "monthly_report_accept": world.users.office_policy,
        }[step.__name__]
        august = step(actor=actor, report=august)
    ledger.project_update(actor=world.users.officer, project=park, year_plans=[{"year": 2026, "amount": "1"}])
    row = ProjectProgress.objects.select_related("report", "project").get(project=park, report=august)
    assert row.plan_frozen and row.plan_annual == Decimal("30000") and row.share_of_annual == Decimal("10.0")


# --- 新开工/竣工 against the projects' dates ---------------------------------------------------------


def test_new_starts_that_disagree_with_the_project_ledger_are_flagged_with_an_explanation(world, make_report):
    make_project(world, actual_start=datetime.date(2026, 9, 12))
    make_project(world, code="P-02", name="污水处理站", actual_start=datetime.date(2025, 3, 1))
    report = make_report(S.DRAFT)  # 新开工 2, 竣工 1 (conftest's figures)
    flags = {flag.indicator.code: flag for flag in DataFlag.objects.filter(report=report, rule__check_type=DATES)}
    assert set(flags) == {"projects_started", "projects_completed"}
    assert flags["projects_started"].message == (
        "「新开工项目」填报 2 个，项目台账中实际开工日期在2026年9月的项目有 1 个（P-01 智能装备产业园）。"
        "请核对项目台账中的实际开工日期，或说明原因。"
    )
    assert flags["projects_started"].rule.severity == ValidationRule.Severity.SOFT
    # A soft rule: the filer explains the figure and may then submit.
    with pytest.raises(ValidationError) as error:
        ledger.monthly_report_submit(actor=world.users.officer, report=report)
    assert set(error.value.message_dict) == {"projects_started", "projects_completed"}
    ledger.monthly_report_save(
        actor=world.users.officer,
        report=report,
        values={},
        explanations={
            "projects_started": "另一项目开工手续在办。",
            "projects_completed": "竣工验收已完成，台账待更新。",
        },
    )
    assert ledger.monthly_report_submit(actor=world.users.officer, report=report).status == S.SUBMITTED


def test_new_starts_and_completions_matching_the_project_ledger_pass(world, make_report):
    make_project(world, actual_start=datetime.date(2026, 9, 1))
    make_project(world, code="P-02", name="污水处理站", actual_start=datetime.date(2026, 9, 30))
    make_project(
        world,
        code="P-03",
        name="游客服务中心",
        status=Project.Status.COMPLETED,
        actual_start=datetime.date(2025, 4, 1),
        actual_finish=datetime.date(2026, 9, 15),
    )
    report = make_report(S.SUBMITTED)  # 新开工 2, 竣工 1
    assert report.status == S.SUBMITTED
    assert not DataFlag.objects.filter(report=report, rule__check_type=DATES).exists()
    assert not [f for f in rules.evaluate_stored(report).flags if f.rule.check_type == DATES]


def test_a_town_without_registered_projects_is_not_checked(world, make_report):
    assert make_report(S.SUBMITTED).status == S.SUBMITTED


def test_api_registers_a_project_with_year_plans_and_changes_one_year(world, api):
    body = {
        "town": world.town.pk,
        "code": "API-01",
        "name": "金桥数据中心",
        "category": "industry",
        "owner": "天津金桥投资发展有限公司",
        "total_investment": "30000",
        "status": "suspended",
        "year_plans": [{"year": 2026, "amount": "12000"}, {"year": 2027, "amount": "18000"}],
    }
    created = api(world.users.officer).post("/api/v1/projects/", body, format="json")
    assert created.status_code == 201, created.content
    project = created.json()
    assert project["year_plans"] == [{"year": 2026, "amount": 12000}, {"year": 2027, "amount": 18000}]
    assert (project["owner"], project["status"], project["annual_investment"]) == (
        "天津金桥投资发展有限公司",
        "suspended",
        12000,  # this year's plan (the suite's today is in 2026)
    )
    url = f"/api/v1/projects/{project['id']}/"
    patched = api(world.users.reviewer).patch(url, {"year_plans": [{"year": 2027, "amount": "9000"}]}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["year_plans"] == [{"year": 2026, "amount": 12000}, {"year": 2027, "amount": 9000}]
    bad = api(world.users.officer).patch(url, {"year_plans": [{"year": 1999, "amount": "1"}]}, format="json")
    assert bad.status_code == 400 and "year_plans" in bad.json()
    assert api(world.users.leader).patch(url, {"name": "改"}, format="json").status_code == 403
    assert api(world.users.outsider).patch(url, {"name": "改"}, format="json").status_code == 404
