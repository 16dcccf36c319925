"""Acceptance with the demo data (issue 7): the semi-annual run of the last full half-year ranks every
town, praises those that met their targets and warns the rest, proposes no sanction, and its briefing
opens with the right lists; the annual run grades every town and proposes sanctions for missed plans.
The dashboards (issue 8) on the demo data equal the figures summed by hand from the reports.

seed_demo runs once per test worker (conftest `demo`); each test rolls back in it.
"""

import datetime
import io

import pytest
from docx import Document

from assessments import document_selectors, exports, selectors
from assessments.models import Band, Run, RunKind, RunStatus, Sanction
from coordination.models import Town
from tianjin_towns.lib import dates


@pytest.fixture
def seeded(demo, db):
    return None


def _last_half_year() -> int:
    today = dates.today()
    return today.year if today.month > 6 else today.year - 1


def test_semiannual_run_of_the_last_half_year_ranks_and_bands_every_town(seeded):
    run = Run.objects.get(kind=RunKind.SEMIANNUAL, scheme__year=_last_half_year(), status=RunStatus.PUBLISHED)
    rows = selectors.run_results(run)
    assert {row.town_id for row in rows} == set(Town.objects.values_list("pk", flat=True))
    assert sorted(row.rank for row in rows)[0] == 1
    assert all(row.rank >= 1 for row in rows)
    for row in rows:
        assert row.band == (Band.PRAISE if row.plan_met else Band.WARNING), row.town_name
        assert row.sanction_proposed == "" and row.grade == "" and not row.reward
    bands = {row.band for row in rows}
    assert bands == {Band.PRAISE, Band.WARNING}

    output = io.BytesIO()
    exports.write_briefing(output, run=run, briefing=document_selectors.briefing(run), issued_on=dates.today())
    document = Document(io.BytesIO(output.getvalue()))
    text = "\n".join(p.text for p in document.paragraphs)
    names = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    praised = {row.town_name for row in rows if row.band == Band.PRAISE}
    warned = {row.town_name for row in rows if row.band == Band.WARNING}
    assert praised <= names and warned <= names
    assert f"予以表扬的小镇 {len(praised)} 个" in text and f"予以警示的小镇 {len(warned)} 个" in text


def test_annual_run_grades_every_town_and_proposes_sanctions_for_missed_plans(seeded):
    run = Run.objects.get(kind=RunKind.ANNUAL, scheme__year=dates.today().year - 1, status=RunStatus.PUBLISHED)
    rows = selectors.run_results(run)
    assert len(rows) == Town.objects.count()
    assert all(row.grade for row in rows)
    for row in rows:
        if row.plan_met is False:
            assert row.sanction_proposed in (Sanction.WARNING, Sanction.DOWNGRADE, Sanction.EXIT), row.town_name
    assert any(row.sanction_proposed for row in rows)


# --- The dashboards on the demo data (issue 8) -----------------------------------------------------------


def _by_hand(year: int, month: int, towns) -> tuple[dict, dict, dict]:
    """From the monthly reports and their values, without the dashboards' summary: {code: this year's
    figure through `month`} (flows summed, each town's latest month of a stock), {code: the towns'
    targets}, and the timeliness counts of the year's ended months."""
    from decimal import Decimal

    from assessments.models import Target
    from ledgers.models import Indicator, MonthlyReport, ReportStatus, ReportValue, Timeliness

    through = datetime.date(year, month, 1)
    values = ReportValue.objects.filter(
        report__status=ReportStatus.ACCEPTED,
        report__town__in=towns,
        report__period__gte=datetime.date(year, 1, 1),
        report__period__lte=through,
        indicator__active=True,
    ).values_list("indicator__code", "indicator__kind", "report__town_id", "report__period", "value")
    flows: dict[str, Decimal] = {}
    latest: dict[tuple[str, int], tuple] = {}
    for code, kind, town_id, period, value in values:
        if kind == Indicator.Kind.STOCK:
            if (code, town_id) not in latest or latest[code, town_id][0] < period:
                latest[code, town_id] = (period, value)
        else:
            flows[code] = flows.get(code, Decimal(0)) + value
    for (code, _town), (_period, value) in latest.items():
        flows[code] = flows.get(code, Decimal(0)) + value
    targets: dict[str, Decimal] = {}
    for code, value in Target.objects.filter(year=year, town__in=towns).values_list("indicator__code", "value"):
        targets[code] = targets.get(code, Decimal(0)) + value
    today = dates.today()
    ended = [m for m in dates.months_of_year(year) if dates.period_has_ended(m, today)]
    reports = {(r.town_id, r.period): r for r in MonthlyReport.objects.filter(town__in=towns, period__in=ended)}
    counts = {"expected": 0, "on_time": 0, "late": 0, "missing": 0}
    for town in towns:
        for period in ended:
            if not town.expects_report(period):
                continue
            counts["expected"] += 1
            report = reports.get((town.pk, period))
            timeliness = report.timeliness if report else None
            if timeliness == Timeliness.ON_TIME:
                counts["on_time"] += 1
            elif timeliness == Timeliness.LATE:
                counts["late"] += 1
            elif timeliness == Timeliness.MISSING or dates.report_close_date(period) < today:
                counts["missing"] += 1
    return flows, targets, counts


def test_dashboards_on_the_demo_data_match_figures_computed_by_hand(seeded):
    """The city's, every district's and one town's dashboard for the demo year equal what the reports
    themselves give, summed by hand: figures, targets and timeliness, at every level of the drill-down."""
    from django.contrib.auth import get_user_model

    from assessments import dashboards
    from coordination.models import OrgUnit

    leader = get_user_model().objects.get(username="leader")
    year = dates.last_ended_period().year
    month = dashboards.default_month(year)
    scopes = [(dashboards.CITY, None, Town.objects.all())]
    for district in OrgUnit.objects.filter(level=OrgUnit.Level.DISTRICT, district_towns__isnull=False).distinct():
        scopes.append((dashboards.DISTRICT, district.pk, Town.objects.filter(district=district)))
    town = Town.objects.order_by("unit__code").first()
    scopes.append((dashboards.TOWN, town.pk, Town.objects.filter(pk=town.pk)))
    assert len(scopes) > 3
    for level, pk, towns in scopes:
        board = dashboards.build_dashboard(dashboards.get_dashboard_scope_for_user(leader, level, pk), year=year)
        flows, targets, counts = _by_hand(year, month, list(towns))
        assert flows, (level, pk)  # the demo has accepted figures in every scope
        for code, value in flows.items():
            assert board.figures[code].actual == value, (level, pk, code)
        assert all(board.figures[code].actual is None for code in board.figures if code not in flows)
        for code, value in targets.items():
            assert board.figures[code].target == value, (level, pk, code)
        total = board.timeliness_total
        assert (total.expected, total.on_time, total.late, total.missing) == tuple(counts.values()), (level, pk)


def test_the_demo_has_one_issued_document_of_each_kind_numbered_in_its_series(seeded):
    """公文登记 is not empty on the demo (issue 20): each kind issued once through its service, its file kept."""
    from coordination.models import DocumentKind, IssuedDocument

    documents = {d.kind: d for d in IssuedDocument.objects.all()}
    assert sorted(documents) == sorted(DocumentKind.values)
    year = dates.today().year
    assert {documents[k].number for k in (DocumentKind.CIRCULAR, DocumentKind.RESULTS_CIRCULAR)} == {
        f"津特镇办〔{year}〕1号",
        f"津特镇办〔{year}〕2号",
    }
    assert all(d.file.name.startswith(f"documents/{year}/") and d.issued_by_id for d in documents.values())
