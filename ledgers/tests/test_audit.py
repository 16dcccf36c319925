"""The audit trail (R-3.5): every change of statistics, whatever path it takes (services, admin,
QuerySet.update(), bulk operations, SQL), records who, when, which figure, old and new value, and why."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pghistory
import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import FULL_VALUES
from ledgers import selectors, services
from ledgers.models import MonthlyReport, Project, ProjectProgress, ReportStatus, ReportValue
from ledgers.selectors.audit import AUDIT_MODELS
from ledgers.tests.factories import make_project
from tests import clients

S = ReportStatus
# The event tables the audit search reads: every path of a change must leave its row in one of them.
ReportValueAudit, ProjectProgressAudit = AUDIT_MODELS["value"], AUDIT_MODELS["progress"]
MonthlyReportAudit, ProjectAudit = AUDIT_MODELS["report"], AUDIT_MODELS["project"]
AUG, SEPT = datetime.date(2026, 8, 1), datetime.date(2026, 9, 1)


login = clients.login


def tax_row(report) -> ReportValue:
    return report.values.get(indicator__code="tax_revenue")


# --- Every path leaves an event --------------------------------------------------------------------


def test_a_service_change_records_the_user_the_service_and_the_old_value(world, make_report):
    report = make_report(S.DRAFT)
    services.monthly_report_save(actor=world.users.officer, report=report, values={"tax_revenue": "160"})
    *_, before, after = ReportValueAudit.objects.filter(pgh_obj=tax_row(report)).order_by("pgh_id")
    assert (before.value, after.value, after.pgh_label) == (Decimal("150.25"), Decimal("160"), "update")
    assert after.pgh_context.metadata["user"] == world.users.officer.pk
    assert after.pgh_context.metadata["service"] == "monthly_report_save"
    # Described by the workflow's own event: not repeated as a change made around the services.
    assert not [entry for entry in selectors.report_trail(report) if entry.direct]


def test_save_and_submit_in_one_call_records_each_step_under_its_own_service(world, make_report):
    report = make_report(S.DRAFT)
    services.monthly_report_save(actor=world.users.officer, report=report, values={"tax_revenue": "160"}, submit=True)
    saved = ReportValueAudit.objects.filter(pgh_obj=tax_row(report)).latest("pgh_id")
    submitted = MonthlyReportAudit.objects.filter(pgh_obj=report).latest("pgh_id")
    assert saved.pgh_context.metadata["service"] == "monthly_report_save"
    assert (submitted.status, submitted.pgh_context.metadata["service"]) == (S.SUBMITTED, "monthly_report_submit")
    assert not [entry for entry in selectors.report_trail(report) if entry.direct]


def test_a_bulk_update_leaves_an_audit_event_and_shows_in_the_trail(world, make_report, api):
    report = make_report(S.ACCEPTED)
    ReportValue.objects.filter(report=report, indicator__code="tax_revenue").update(value=Decimal("999"))
    event = ReportValueAudit.objects.filter(pgh_obj=tax_row(report)).latest("pgh_id")
    assert (event.pgh_label, event.value, event.pgh_context_id) == ("update", Decimal("999"), None)

    (direct,) = [entry for entry in selectors.report_trail(report) if entry.direct]
    assert direct.changes == {"values": {"tax_revenue": ["150.25", "999"]}}
    assert direct.actor is None and "绕过业务流程直接修改数据库" in direct.reason

    history = api(world.users.leader).get(f"/api/v1/monthly-reports/{report.pk}/history/").json()
    assert [e["action"] for e in history].count("accept") == 1
    (entry,) = [e for e in history if e["action"] == "direct_change"]
    assert entry["changes"] == {"values": {"tax_revenue": ["150.25", "999"]}}
    assert entry["user"] is None and "绕过业务流程" in entry["reason"]
    assert set(entry) == {"at", "user", "user_name", "action", "from_status", "to_status", "reason", "changes"}


def test_a_bulk_update_inside_a_context_records_who_and_why(world, make_report):
    report = make_report(S.ACCEPTED)
    with pghistory.context(user=world.users.admin.pk, reason="按统计局反馈批量修正"):
        MonthlyReport.objects.filter(pk=report.pk).update(status=S.RETURNED)
        ReportValue.objects.filter(report=report).update(value=Decimal("7"))
    (direct,) = [entry for entry in selectors.report_trail(report) if entry.direct]
    assert direct.actor == world.users.admin
    assert direct.reason == "按统计局反馈批量修正"
    assert (direct.from_status, direct.to_status) == ("accepted", "returned")
    assert len(direct.changes["values"]) == 12  # one operation, one entry with every figure it touched


def test_bulk_create_and_delete_are_recorded_too(world, make_report):
    report = make_report(S.DRAFT)
    ReportValue.objects.filter(report=report, indicator__code="tourists").delete()
    (direct,) = [entry for entry in selectors.report_trail(report) if entry.direct]
    assert direct.changes == {"values": {"tourists": ["4.2", None]}}


def test_an_admin_action_leaves_audit_events_with_the_admin_and_the_page(login, world, make_report, full_values):
    park = make_project(world)
    rows = [{"project": park.pk, "investment_month": "1200.5"}]
    for period in (AUG, SEPT):
        report = make_report(S.DRAFT, period=period, values=full_values)
        services.monthly_report_save(actor=world.users.officer, report=report, values={}, progress=rows)
    # Someone broke the cumulative figures with a bulk update…
    ProjectProgress.objects.filter(project=park).update(investment_total=Decimal("1"))
    # …and the administrator repairs them with the admin action.
    response = login(world.users.admin).post(
        reverse("admin:ledgers_project_changelist"),
        {"action": "recompute_cumulatives", "_selected_action": [park.pk]},
    )
    assert response.status_code == 302
    assert list(park.progress.order_by("report__period").values_list("investment_total", flat=True)) == [
        Decimal("1200.5"),
        Decimal("2401"),
    ]
    repaired = ProjectProgressAudit.objects.filter(project_id=park.pk).order_by("-pgh_id")[:2]
    for event in repaired:
        metadata = event.pgh_context.metadata
        assert metadata["user"] == world.users.admin.pk
        assert metadata["url"] == reverse("admin:ledgers_project_changelist")
        assert metadata["service"] == "project_cumulatives_recompute"
    september = MonthlyReport.objects.get(town=world.town, period=SEPT)
    assert september.events.last().action == "recalculate"


def test_a_project_changed_around_the_services_is_a_direct_change_in_the_audit_search(world, api):
    # The admin no longer edits projects (the districts do, on the ledger's pages); a bulk update or a
    # script still can, and the trail names it as a change that bypassed the services.
    park = make_project(world)
    Project.objects.filter(pk=park.pk).update(total_investment=Decimal("60000"))
    event = ProjectAudit.objects.filter(pgh_obj=park).latest("pgh_id")
    assert event.total_investment == Decimal("60000")
    row = api(world.users.office_assess).get("/api/v1/audit/").json()["results"][0]
    assert row["object"].endswith("项目 P001 智能装备产业园")
    assert row["changes"] == [{"field": "计划总投资(万元)", "old": "50000", "new": "60000"}]
    assert "绕过业务流程" in row["source"]


def test_audit_tables_refuse_updates_and_deletes(world, make_report):
    make_report(S.DRAFT)
    for statement in (
        f"UPDATE {ReportValueAudit._meta.db_table} SET value = 0",
        f"DELETE FROM {ReportValueAudit._meta.db_table}",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert ReportValueAudit.objects.count() == 12


def test_status_changes_by_the_workflow_are_audited_but_not_shown_twice(world, make_report):
    report = make_report(S.ACCEPTED)
    statuses = list(
        MonthlyReportAudit.objects.filter(pgh_obj=report).order_by("pgh_id").values_list("status", flat=True)
    )
    assert statuses == ["draft", "submitted", "district_approved", "accepted"]
    assert [entry.action for entry in selectors.report_trail(report)] == [
        "create",
        "save",
        "submit",
        "approve",
        "accept",
    ]


# --- The report page's 修改记录 ---------------------------------------------------------------------------


def test_report_page_merges_workflow_events_and_direct_changes(login, world, make_report):
    report = make_report(S.ACCEPTED)
    ReportValue.objects.filter(report=report, indicator__code="tax_revenue").update(value=Decimal("999"))
    page = login(world.users.reviewer).get(reverse("report-detail", args=[report.pk])).content.decode()
    assert "修改记录" in page and "验收" in page
    assert "绕过业务流程的修改" in page and "未经业务流程" in page
    assert "150.25" in page and "999" in page


def test_the_page_shows_every_kind_of_change_made_around_the_services(login, world, make_report):
    """The page asks first whether any audit event names no service (report_parts), and reads the trail's events
    only then: a report the services alone touched skips them, and each path around them still shows."""
    report = make_report(S.ACCEPTED)
    assert not selectors.report_parts(report).changed_around_services  # the services named themselves
    park = make_project(world, "P077", name="园区道路")
    ProjectProgress.objects.create(
        project=park, report=report, investment_month=5, investment_year=5, investment_total=5
    )
    with pghistory.context(user=world.users.admin.pk, reason="按统计局反馈修正状态"):
        MonthlyReport.objects.filter(pk=report.pk).update(status=S.RETURNED)
    parts = selectors.report_parts(report)
    assert parts.changed_around_services and parts.progress_trail
    page = login(world.users.reviewer).get(reverse("report-detail", args=[report.pk])).content.decode()
    assert "按统计局反馈修正状态" in page  # the status changed in a context, with its reason
    assert "P077" in page  # the project row written around the services
    assert [entry.reason for entry in selectors.report_trail(report, parts=parts) if entry.direct] == [
        entry.reason for entry in selectors.report_trail(report) if entry.direct
    ]


@pytest.mark.parametrize("service", [None, "", 0, False, {}])
def test_a_context_whose_service_is_empty_counts_as_none(world, make_report, service):
    report = make_report(S.ACCEPTED)
    with pghistory.context(service=service):
        ReportValue.objects.filter(report=report, indicator__code="tax_revenue").update(value=Decimal("999"))
    assert selectors.report_parts(report).changed_around_services
    with pghistory.context(service="a_service"):
        other = make_report(S.SUBMITTED, period=AUG)
    assert not selectors.report_parts(other).changed_around_services


# --- The office's audit search -----------------------------------------------------------------------


def test_audit_search_filters_by_user_town_and_date(world, api, make_report):
    report = make_report(S.DRAFT)
    foreign = make_report(S.DRAFT, town=world.outsider_town)
    services.monthly_report_save(actor=world.users.outsider, report=foreign, values={"tourists": "1"})
    services.monthly_report_save(actor=world.users.officer, report=report, values={"tax_revenue": "160"})
    client = api(world.users.office_policy)

    everything = client.get("/api/v1/audit/").json()
    assert everything["count"] == 2 * (12 + 1) + 2  # two reports (twelve figures and a row each) and two edits
    newest = everything["results"][0]
    assert newest["object"] == "华明智能制造小镇 2026-09 · 税收收入（万元）"
    assert (newest["action"], newest["changes"]) == (
        "修改",
        [{"field": "税收收入（万元）", "old": "150.25", "new": "160"}],
    )
    assert (newest["user"], newest["user_name"], newest["source"]) == ("dongli-officer", "东丽信息员", "填报保存")
    assert set(newest) >= {"at", "user", "object", "action", "changes", "reason"}

    by_town = client.get("/api/v1/audit/", {"town": world.outsider_town.pk}).json()["results"]
    assert by_town and all(row["object"].startswith("精武文化小镇") for row in by_town)
    (by_user,) = client.get("/api/v1/audit/", {"user": "xiqing-officer"}).json()["results"]
    assert by_user["object"] == "精武文化小镇 2026-09 · 接待游客（万人次）"
    assert by_user["changes"] == [{"field": "接待游客（万人次）", "old": "4.2", "new": "1"}]
    assert client.get("/api/v1/audit/", {"user": "nobody"}).json()["count"] == 0
    # The database's triggers stamp the audit rows with its own clock, not the suite's pinned one.
    recorded = datetime.datetime.fromisoformat(newest["at"]).astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert client.get("/api/v1/audit/", {"from": recorded + datetime.timedelta(days=2)}).json()["count"] == 0
    assert client.get("/api/v1/audit/", {"to": (recorded + datetime.timedelta(days=2)).isoformat()}).json()["count"] > 0
    assert client.get("/api/v1/audit/", {"from": "yesterday"}).status_code == 400


def test_audit_search_is_the_offices(world, api, login, make_report):
    make_report(S.DRAFT)
    assert api(world.users.officer).get("/api/v1/audit/").status_code == 403
    assert api(world.users.leader).get("/api/v1/audit/").status_code == 403
    assert api(world.users.office_coord).get("/api/v1/audit/").status_code == 200
    assert api(world.users.office_coord).get("/api/v1/audit/", {"town": 999999}).status_code == 404
    assert login(world.users.reviewer).get(reverse("audit")).status_code == 403
    page = login(world.users.office_assess).get(reverse("audit"), {"town": world.town.pk})
    assert page.status_code == 200 and "华明智能制造小镇 2026-09" in page.content.decode()


def test_audit_page_costs_the_same_queries_for_few_and_many_changes(world, login, make_report):
    client = login(world.users.office_policy)
    park = make_project(world)  # one change of every kind: figures, report status, project, project progress
    report = make_report(S.SUBMITTED, values=FULL_VALUES | {"projects_started": "0", "projects_completed": "0"})
    services.monthly_report_save(
        actor=world.users.officer,
        report=make_report(S.DRAFT, period=AUG),
        values={},
        progress=[{"project": park.pk, "investment_month": "5"}],
    )
    assert report.pk

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("audit")).status_code == 200
        return len(queries.captured_queries)

    few = count()  # the first page holds every kind of change: each kind costs its own two queries
    make_report(S.ACCEPTED, town=world.town2)
    make_report(S.SUBMITTED, town=world.outsider_town)
    services.project_update(actor=world.users.officer, project=park, name="二期")
    for code in ("P002", "P003"):
        services.project_update(actor=world.users.officer, project=make_project(world, code=code), name="三期")
    assert count() <= few  # a page of 50 rows: never a query per row
