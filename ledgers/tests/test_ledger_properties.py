"""Property-based tests (hypothesis) of the ledger arithmetic: whatever the order and content of valid
monthly edits, every project's 本年累计 and 开工累计 are the running sums of its monthly figures, the
town's investment equals the sum of its projects', and year-to-date figures agree between the two; and
whatever edits are tried, valid or not, what is stored always satisfies the hard rules."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledgers import rules, services
from ledgers.models import Project, ProjectProgress, ReportValue
from ledgers.tests.quality import let_file

# A year boundary inside the window: 本年累计 restarts in January, 开工累计 does not.
PERIODS = [datetime.date(2025, 11, 1), datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)]
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

amounts = st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2, allow_nan=False, allow_infinity=False)
edits = st.lists(
    st.tuples(st.integers(0, len(PERIODS) - 1), st.dictionaries(st.integers(0, 2), amounts, min_size=1)),
    min_size=1,
    max_size=8,
)


@pytest.fixture
def ledger(world):
    """Three projects of one town and a draft report for each month of the window."""
    projects = [
        services.project_create(
            actor=world.users.officer,
            town=world.town,
            code=f"P{index}",
            name=f"项目{index}",
            category=Project.Category.INDUSTRY,
            total_investment=Decimal("1000000"),
            annual_investment=Decimal("100000"),
        )
        for index in range(3)
    ]
    for period in PERIODS:
        let_file(world, world.town, period)
    reports = [
        services.monthly_report_create(actor=world.users.officer, town=world.town, period=period) for period in PERIODS
    ]
    return world, projects, reports


def _check_arithmetic(projects, reports) -> None:
    rows = list(
        ProjectProgress.objects.filter(project__in=projects).select_related("report").order_by("report__period")
    )
    running_total: dict[int, Decimal] = defaultdict(Decimal)
    running_year: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    last_in_year: dict[tuple[int, int], Decimal] = {}
    for row in rows:
        year = row.report.period.year
        running_total[row.project_id] += row.investment_month
        running_year[(row.project_id, year)] += row.investment_month
        assert row.investment_total == running_total[row.project_id]
        assert row.investment_year == running_year[(row.project_id, year)]
        last_in_year[(row.project_id, year)] = row.investment_year
    town_year_to_date: dict[int, Decimal] = defaultdict(Decimal)
    for report in reports:
        assert not rules.evaluate_stored(report).blocking_submission()  # sum of projects and every hard rule
        stored = ReportValue.objects.filter(report=report, indicator__code="fixed_asset_investment").first()
        month_total = sum((r.investment_month for r in rows if r.report_id == report.pk), Decimal(0))
        assert (stored.value if stored else Decimal(0)) == month_total
        town_year_to_date[report.period.year] += month_total
    for year, total in town_year_to_date.items():
        assert total == sum((v for (_p, y), v in last_in_year.items() if y == year), Decimal(0))


@SETTINGS
@given(edits=edits)
def test_cumulatives_year_to_date_and_sum_of_projects_stay_consistent(ledger, edits):
    world, projects, reports = ledger
    with transaction.atomic():
        for period_index, amounts_by_project in edits:
            report = reports[period_index]
            current = {
                row.project_id: row.investment_month
                for row in ProjectProgress.objects.filter(report=report).only("project_id", "investment_month")
            }
            progress = [
                {"project": projects[index].pk, "investment_month": str(amount)}
                for index, amount in amounts_by_project.items()
            ]
            current.update({projects[index].pk: amount for index, amount in amounts_by_project.items()})
            services.monthly_report_save(
                actor=world.users.officer,
                report=report,
                values={"fixed_asset_investment": str(sum(current.values(), Decimal(0)))},
                progress=progress,
            )
        _check_arithmetic(projects, reports)
        transaction.set_rollback(True)


figures = st.fixed_dictionaries(
    {},
    optional={
        "fixed_asset_investment": st.decimals(min_value=-10, max_value=5000, places=2),
        "industry_investment": st.decimals(min_value=-10, max_value=5000, places=2),
        "private_investment": st.decimals(min_value=-10, max_value=5000, places=2),
    },
)


@SETTINGS
@given(attempts=st.lists(figures, min_size=1, max_size=6))
def test_whatever_is_tried_what_is_stored_satisfies_the_hard_rules(ledger, attempts):
    world, _projects, reports = ledger
    report = reports[-1]
    with transaction.atomic():
        for values in attempts:
            before = dict(report.values.values_list("indicator__code", "value"))
            try:
                services.monthly_report_save(
                    actor=world.users.officer, report=report, values={k: str(v) for k, v in values.items()}
                )
            except ValidationError:
                assert dict(report.values.values_list("indicator__code", "value")) == before  # nothing half-saved
            stored = dict(report.values.values_list("indicator__code", "value"))
            assert all(value >= 0 for value in stored.values())
            whole = stored.get("fixed_asset_investment")
            for part in ("industry_investment", "private_investment"):
                if whole is not None and part in stored:
                    assert stored[part] <= whole
        transaction.set_rollback(True)
