"""The review page gives each figure its context (issue 19): the town's accepted figure of last month and of the
same month last year, the change against each where it means something, and the rule flags beside them; and
the report's history shows its newest step first, under the report's current state."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from conftest import FIXTURE_EXPLANATIONS, FULL_VALUES, let_file
from ledgers import services
from ledgers.models import DataFlag, Evidence, Indicator, ProjectProgress, ReopenRequest, ReportEvent, ReportStatus
from ledgers.selectors import report_parts
from ledgers.selectors.context import Change, figure_context
from ledgers.summaries import accepted_figures_refresh
from ledgers.tests.factories import make_project
from ledgers.tests.quality import accepted_history
from tests import clients
from tests.queries import queries_of_get

S = ReportStatus
SEPT, AUG, LAST_SEPT = datetime.date(2026, 9, 1), datetime.date(2026, 8, 1), datetime.date(2025, 9, 1)
TAX_FLAG = "「税收收入」为 150.25，比去年同月（50）增长 200%。"

login = clients.login


def accepted(town, series) -> None:
    """Accepted months of `town` (set-up), in the accepted-figures table as the services keep it."""
    accepted_figures_refresh([report.pk for report in accepted_history(town, series)])


def submitted(world, town, period, values=FULL_VALUES):
    """A report filed through the services; its flagged figures explained, as submission requires."""
    officer = world.users.officer
    let_file(world, town, period)  # past its close day: the office's exception
    report = services.monthly_report_create(actor=officer, town=town, period=period)
    explanations = {**FIXTURE_EXPLANATIONS, "tax_revenue": "上年同月为停产整顿期。"}
    report = services.monthly_report_save(actor=officer, report=report, values=values, explanations=explanations)
    return services.monthly_report_submit(actor=officer, report=report)


@pytest.fixture
def reviewed(world):
    """华明's September 2026 (conftest's figures: tax 150.25, employment 2100) against its accepted August and
    September 2025; the tax figure tripled on last year, which the year-on-year rule flags."""
    accepted(world.town, {AUG: {"tax_revenue": 140, "employment": 2050}, LAST_SEPT: {"tax_revenue": 50}})
    return submitted(world, world.town, SEPT)


def indicators():
    return list(Indicator.objects.filter(active=True).order_by("order", "code"))


def values_of(report) -> dict[str, Decimal]:
    return dict(report.values.values_list("indicator__code", "value"))


# --- Selector --------------------------------------------------------------------------------------------


def test_each_figure_is_compared_with_last_month_and_the_same_month_last_year(world, reviewed):
    context = figure_context(reviewed, indicators(), values_of(reviewed))
    tax = context["tax_revenue"]
    assert (tax.last_month, tax.last_year) == (Decimal("140"), Decimal("50"))
    assert tax.vs_last_month == Change(Decimal("7.3"))  # 150.25 against 140
    assert tax.vs_last_year == Change(Decimal("200.5"))
    employment = context["employment"]  # a level at the month's end: both changes in %
    assert (employment.vs_last_month, employment.last_year, employment.vs_last_year) == (
        Change(Decimal("2.4")),
        None,
        None,
    )
    assert context["tourists"].last_month is None  # not reported in the accepted August


def test_only_accepted_months_are_compared_with(world, make_report):
    make_report(S.SUBMITTED, town=world.town2, period=AUG)  # still in its workflow: it may yet change
    report = submitted(world, world.town2, SEPT)
    context = figure_context(report, indicators(), values_of(report))
    assert all(row.last_month is None and row.vs_last_month is None for row in context.values())


def test_a_running_total_is_compared_with_last_month_by_what_the_month_added(world):
    signed = Indicator.objects.create(
        code="signed_projects", name="累计签约项目", unit="个", kind="stock", keeps_cumulative=True, decimal_places=0
    )
    accepted(world.town, {AUG: {"signed_projects": 40}, LAST_SEPT: {"signed_projects": 25}})
    report = submitted(world, world.town, SEPT, values={**FULL_VALUES, "signed_projects": "43"})
    row = figure_context(report, [signed], {"signed_projects": Decimal("43")})["signed_projects"]
    assert (row.running_total, row.added, row.vs_last_month) == (True, Decimal("3"), None)
    assert row.vs_last_year == Change(Decimal("72.0"))


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [
        ("5", "0", None),  # from nothing: no percentage means anything
        ("0", "0", Change(Decimal("0"))),  # nothing both months: unchanged
        ("0", "19.13", Change(Decimal("-100.0"))),
        ("1", None, None),
    ],
)
def test_a_change_from_zero_has_no_percentage(world, value, base, expected):
    from ledgers.selectors.context import change

    assert change(Decimal(value), Decimal(base) if base else None) == expected


# --- Page ------------------------------------------------------------------------------------------------


def figures_table(html: str) -> str:
    start = html.index("figures-table")
    return html[start : html.index("</table>", start)]


def test_review_page_shows_each_figures_context_and_its_flag_beside_it(login, world, reviewed):
    response = login(world.users.reviewer).get(reverse("report-detail", args=[reviewed.pk]))
    table = figures_table(response.content.decode())
    for text in ("上月", "环比", "去年同月", "同比", "140.00", "50.00", "7.3%", "200.5%", TAX_FLAG):
        assert text in table


def test_review_page_reads_the_context_without_a_query_per_indicator(login, world, reviewed):
    client = login(world.users.reviewer)
    url = reverse("report-detail", args=[reviewed.pk])
    few = queries_of_get(client, url)
    for n in range(5):
        Indicator.objects.create(code=f"extra_{n}", name=f"新增指标{n}", unit="个", kind="flow", order=900 + n)
    assert queries_of_get(client, url) == few


def test_history_shows_the_current_state_then_the_newest_step_first(login, world, make_report):
    report = make_report(S.DISTRICT_APPROVED)
    response = login(world.users.office_policy).get(reverse("report-detail", args=[report.pk]))
    actions = [row["event"].action for row in response.context["history"]]
    A = ReportEvent.Action
    assert actions[0] == A.APPROVE and actions[-1] == A.CREATE
    assert actions.index(A.SUBMIT) < actions.index(A.SAVE)
    html = response.content.decode()
    current, first_step = html.index("当前状态"), html.index("timeline-item")
    assert current < first_step and "待市特镇办综合政策组验收" in html[current:first_step]
    assert "共 4 条 · 最新在上" in html


def test_the_page_reads_each_part_of_a_report_that_exists_and_skips_those_that_do_not(login, world, make_report):
    """The report page asks once which parts a report has (flags, evidence, correction requests, project rows and
    their trail) and reads only those: each part shows as soon as it exists, and a report without them costs
    fewer queries."""
    report = make_report(S.SUBMITTED, period=SEPT)
    before = report_parts(report)
    assert not (before.evidence or before.reopen_requests or before.progress or before.progress_trail)
    client = login(world.users.leader)
    bare = queries_of_get(client, reverse("report-detail", args=[report.pk]))

    officer, indicator = world.users.officer, Indicator.objects.get(code="tax_revenue")
    DataFlag.objects.create(report=report, indicator=indicator, value=Decimal("1"), message="核对用的异常提示")
    Evidence.objects.create(
        report=report, name="核对用的原始台账.pdf", content_type="application/pdf", size=4, uploaded_by=officer,
        file=ContentFile(b"%PDF", name="x.pdf"),
    )  # fmt: skip
    ReopenRequest.objects.create(report=report, reason="核对用的更正原因", requested_by=officer)
    project = make_project(world, "P901", name="核对用的项目")
    ProjectProgress.objects.create(
        project=project, report=report, investment_month=1, investment_year=1, investment_total=1
    )
    parts = report_parts(report)
    assert (parts.flags, parts.evidence, parts.reopen_requests, parts.progress, parts.progress_trail) == (True,) * 5

    page = client.get(reverse("report-detail", args=[report.pk])).content.decode()
    for shown in ("核对用的异常提示", "核对用的原始台账.pdf", "核对用的更正原因", "核对用的项目"):
        assert shown in page
    assert queries_of_get(client, reverse("report-detail", args=[report.pk])) > bare
