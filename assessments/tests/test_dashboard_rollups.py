"""The dashboards' month rollups (ledgers/summaries.py, MonthFigures, issue 21): each town's, district's and
the city's accepted figures per month and year to date, kept by the services in the same transaction as
acceptance and reopening, equal at every step to a rebuild from the accepted reports."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from assessments.tests.factories import accepted_report
from coordination.models import OrgUnit, Town
from ledgers import services as ledger
from ledgers.models import Indicator, MonthFigures, MonthlyReport, ReportStatus, ReportValue
from ledgers.summaries import accepted_figures_refresh, month_figures_rebuild

YEAR = 2025
JAN, FEB = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 2, 1)


def _rows(period: datetime.date | None = None) -> dict:
    """{(unit id or None for the city, period): (reports, sums, to_date)}, optionally of one month."""
    rows = MonthFigures.objects.all() if period is None else MonthFigures.objects.filter(period=period)
    return {(r.unit_id, r.period): (r.reports, r.sums, r.to_date) for r in rows}


def _at(values: list, indicator_code: str):
    """An indicator's entry of a rollup array (position = the indicator's id), in cents."""
    position = Indicator.objects.get(code=indicator_code).pk
    return values[position - 1] if position <= len(values) else None


@pytest.fixture
def figures(world):
    """2025: 华明 investment 100 (Jan) and 50.5 (Feb), employment 2000 then 2100; 东丽湖 30 in January only;
    精武 (another district) 7 in January."""
    accepted_report(world, world.town, JAN, fixed_asset_investment=100, employment=2000)
    accepted_report(world, world.town, FEB, fixed_asset_investment="50.5", employment=2100)
    accepted_report(world, world.town2, JAN, fixed_asset_investment=30)
    accepted_report(world, world.outsider_town, JAN, fixed_asset_investment=7)
    return world


def test_a_towns_months_run_to_december_and_add_up_to_its_district_and_the_city(figures):
    w = figures
    town = _rows(FEB)[(w.town.pk, FEB)]
    assert town[0] == 1 and _at(town[1], "fixed_asset_investment") == 5050  # February's own figure, in cents
    assert _at(town[2], "fixed_asset_investment") == 15050  # a flow: January and February summed
    assert _at(town[2], "employment") == 210000  # a stock: the latest month, not the sum
    # 东丽湖 reported only January: its year to date carries through the later months, its own figures do not.
    lake = _rows(FEB)[(w.town2.pk, FEB)]
    assert lake[0] == 0 and _at(lake[1], "fixed_asset_investment") is None
    assert _at(lake[2], "fixed_asset_investment") == 3000
    district = _rows(FEB)[(w.dongli.pk, FEB)]
    assert district[0] == 1 and _at(district[1], "fixed_asset_investment") == 5050
    assert _at(district[2], "fixed_asset_investment") == 18050  # 150.50 + 30
    assert _at(_rows(JAN)[(w.dongli.pk, JAN)][2], "employment") == 200000  # only 华明 reports it
    city_jan, city_dec = _rows(JAN)[(None, JAN)], _rows(datetime.date(YEAR, 12, 1))[(None, datetime.date(YEAR, 12, 1))]
    assert city_jan[0] == 3 and _at(city_jan[1], "fixed_asset_investment") == 13700  # 100 + 30 + 7
    assert _at(city_dec[2], "fixed_asset_investment") == 18750 and city_dec[0] == 0
    assert not MonthFigures.objects.filter(period__year=YEAR - 1).exists()  # no accepted report, no rows


def test_the_services_keep_the_rollups_as_a_rebuild_computes_them(figures):
    kept = _rows()
    month_figures_rebuild()
    assert _rows() == kept
    # A reopened report leaves the rollups in the same transaction; the rebuild agrees again.
    w = figures
    report = MonthlyReport.objects.get(town=w.town, period=JAN)
    ledger.monthly_report_reopen_request(actor=w.users.officer, report=report, reason="投资额录入有误")
    ledger.monthly_report_reopen_approve(actor=w.users.office_policy, report=report)
    after = _rows()
    assert _at(after[(w.town.pk, FEB)][2], "fixed_asset_investment") == 5050  # February alone now
    assert _at(after[(None, JAN)][2], "fixed_asset_investment") == 3700
    month_figures_rebuild()
    assert _rows() == after


def test_changing_an_indicators_kind_recomputes_its_year_to_date(figures):
    investment = Indicator.objects.get(code="fixed_asset_investment")
    ledger.indicator_update(actor=figures.users.office_policy, indicator=investment, kind=Indicator.Kind.STOCK)
    kept = _rows()
    assert _at(kept[(figures.town.pk, FEB)][2], "fixed_asset_investment") == 5050  # now the latest month
    month_figures_rebuild()
    assert _rows() == kept


@pytest.mark.django_db(transaction=True)
def test_two_acceptances_in_one_district_at_once_both_reach_its_rollup():
    """The second writer waits for the first's commit (a lock per year), so it sums the first's figures too:
    without the lock it would sum from a snapshot missing them and overwrite the district's row."""
    district = OrgUnit.objects.create(code="120110", name="东丽区", level=OrgUnit.Level.DISTRICT)
    indicator = Indicator.objects.get(code="fixed_asset_investment")
    reports = []
    for n, amount in enumerate((100, 30), start=1):
        unit = OrgUnit.objects.create(code=f"1201100{n}", name=f"小镇{n}", level=OrgUnit.Level.TOWN, parent=district)
        town = Town.objects.create(
            unit=unit,
            district=district,
            host_township="街道",
            lead_industry="制造",
            planning_area_km2=1,
            construction_land_mu=1,
            reporting_from=JAN,
        )
        report = MonthlyReport.objects.create(
            town=town, period=JAN, status=ReportStatus.ACCEPTED, due_on=datetime.date(YEAR, 2, 10)
        )
        ReportValue.objects.create(report=report, indicator=indicator, value=amount)
        reports.append(report)
    first_done, errors = threading.Event(), []

    def first() -> None:
        try:
            with transaction.atomic():
                accepted_figures_refresh([reports[0].pk])
                first_done.set()
                time.sleep(0.5)  # the second writer runs now, before this commits
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            first_done.set()
            connection.close()

    def second() -> None:
        try:
            first_done.wait()
            with transaction.atomic():
                accepted_figures_refresh([reports[1].pk])
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    row = MonthFigures.objects.get(unit=district, period=JAN)
    assert (row.reports, _at(row.to_date, "fixed_asset_investment")) == (2, 13000)


# --- The towns against their targets (assessments/rollups.py, LagRollup) ----------------------------------


def _lag_rows() -> dict:
    from assessments.models import LagRollup

    return {(r.unit_id, r.period): (r.target, r.on_target, r.with_target, r.lagging) for r in LagRollup.objects.all()}


def _rebuilt_lag_rows() -> dict:
    from assessments.rollups import _refresh

    with connection.cursor() as cursor:
        _refresh(cursor, None)
    return _lag_rows()


def _items(scheme) -> list[dict]:
    """A saved scheme's items as scheme_save takes them (kept as they are)."""
    from assessments.services.schemes import ITEM_FIELDS

    return [{**{name: getattr(item, name) for name in ITEM_FIELDS}, "id": item.pk} for item in scheme.items.all()]


def test_targets_acceptances_and_the_margin_keep_the_lag_rows_as_a_rebuild_computes_them(figures):
    from assessments import services
    from assessments.tests.factories import make_scheme, set_targets

    w = figures
    set_targets(w, w.town, YEAR, fixed_asset_investment="1200", employment="2000")
    set_targets(w, w.town2, YEAR, fixed_asset_investment="100")
    kept = _lag_rows()
    feb = kept[(w.dongli.pk, FEB)]
    assert _at(feb[0], "fixed_asset_investment") == 130000 and _at(feb[2], "fixed_asset_investment") == 2
    assert _at(feb[1], "fixed_asset_investment") == 18050  # both towns' year to date, in cents
    # Due by February: 16.7 %, less the default margin of 10: 华明's 150.50 of 1200 (12.5 %) does not lag.
    assert _at(feb[3], "fixed_asset_investment") == 0
    assert _at(kept[(w.town.pk, FEB)][3], "employment") == 0  # a stock: 2100 of 2000 is all that is due
    assert _rebuilt_lag_rows() == kept
    # A margin of 4 (a new scheme): 华明 lags (12.5 < 16.7 − 4); of 4.2 it no longer does (12.5 ≥ 16.7 − 4.2).
    scheme = make_scheme(w, YEAR, lag_margin=Decimal(4))
    assert _at(_lag_rows()[(w.dongli.pk, FEB)][3], "fixed_asset_investment") == 1
    services.scheme_save(
        actor=w.users.office_assess,
        scheme=scheme,
        year=YEAR,
        fields={"name": scheme.name, "lag_margin": Decimal("4.2")},
        items=_items(scheme),
    )
    assert _at(_lag_rows()[(w.dongli.pk, FEB)][3], "fixed_asset_investment") == 0
    assert _rebuilt_lag_rows() == _lag_rows()
    accepted_report(w, w.town, datetime.date(YEAR, 3, 1), fixed_asset_investment=500)
    after = _lag_rows()
    assert _at(after[(w.town.pk, datetime.date(YEAR, 3, 1))][1], "fixed_asset_investment") == 65050
    assert _rebuilt_lag_rows() == after
    set_targets(w, w.town, YEAR, fixed_asset_investment=None)  # removed: 华明 no longer counts
    assert _at(_lag_rows()[(w.dongli.pk, FEB)][2], "fixed_asset_investment") == 1
    assert _rebuilt_lag_rows() == _lag_rows()


def test_the_rollups_are_kept_inside_a_trigger_ignore_and_a_history_context(world):
    """django-pgtrigger's ignore() and pghistory's context put a positional parameter before each statement:
    the rollups' statements must not use named ones (psycopg refuses the mix), or an acceptance fails."""
    import pghistory
    import pgtrigger

    with pgtrigger.ignore("coordination.SecurityEvent:append_only"), pghistory.context(reason="test"):
        accepted_report(world, world.town, JAN, fixed_asset_investment=100)
    assert _at(_rows(JAN)[(None, JAN)][2], "fixed_asset_investment") == 10000
