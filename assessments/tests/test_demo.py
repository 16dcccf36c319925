"""Acceptance with the demo data (issue 7): the semi-annual run of the last full half-year ranks every
town, praises those that met their targets and warns the rest, proposes no sanction, and its briefing
opens with the right lists; the annual run grades every town and proposes sanctions for missed plans.

seed_demo runs once for the module inside a transaction rolled back at the end (as tests/test_seed_demo.py).
"""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from docx import Document

from assessments import exports, selectors
from assessments.models import Band, Run, RunKind, RunStatus, Sanction
from coordination.models import Town
from tianjin_towns.lib import dates


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


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
    exports.write_briefing(output, run=run, briefing=selectors.briefing(run), issued_on=dates.today())
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
