"""The indicator catalogue's months (R-1.7, SPEC §7; issue 15): an indicator added for 2027 is required from
its first month on and never appears in a 2026 report, even one reopened for a correction."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from conftest import FIXTURE_EXPLANATIONS, FULL_VALUES
from ledgers import exports, selectors
from ledgers import services as ledger
from ledgers.models import Indicator, ReportStatus
from ledgers.tests.quality import let_file
from tests import clients

S = ReportStatus
SEPT, JAN_2027 = datetime.date(2026, 9, 1), datetime.date(2027, 1, 1)


login = clients.login


@pytest.fixture
def in_february_2027(time_machine):
    time_machine.move_to(datetime.datetime(2027, 2, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")))


def add_tourism_revenue(world) -> Indicator:
    return ledger.indicator_create(
        actor=world.users.admin,
        code="tourism_revenue",
        name="旅游收入",
        unit="万元",
        kind=Indicator.Kind.FLOW,
        order=130,
        active_from=JAN_2027,
    )


def file_report(world, period, values, status=S.ACCEPTED):
    u = world.users
    let_file(world, world.town, period)
    report = ledger.monthly_report_create(actor=u.officer, town=world.town, period=period)
    report = ledger.monthly_report_save(
        actor=u.officer, report=report, values=values, explanations=FIXTURE_EXPLANATIONS
    )
    if status == S.DRAFT:
        return report
    report = ledger.monthly_report_submit(actor=u.officer, report=report)
    report = ledger.monthly_report_approve(actor=u.reviewer, report=report)
    return ledger.monthly_report_accept(actor=u.office_policy, report=report)


# --- Services -------------------------------------------------------------------------------------------


def test_an_indicator_added_for_2027_is_required_from_its_first_month(world, in_february_2027):
    add_tourism_revenue(world)
    january = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=JAN_2027)
    ledger.monthly_report_save(
        actor=world.users.officer, report=january, values=FULL_VALUES, explanations=FIXTURE_EXPLANATIONS
    )
    with pytest.raises(ValidationError) as error:
        ledger.monthly_report_submit(actor=world.users.officer, report=january)
    assert error.value.message_dict == {"tourism_revenue": ["请填写「旅游收入」（没有发生请填0）。"]}
    ledger.monthly_report_save(actor=world.users.officer, report=january, values={"tourism_revenue": "88"})
    assert ledger.monthly_report_submit(actor=world.users.officer, report=january).status == S.SUBMITTED


def test_a_reopened_2026_report_neither_shows_nor_requires_the_2027_indicator(world, login, api, in_february_2027):
    september = file_report(world, SEPT, FULL_VALUES)
    add_tourism_revenue(world)
    ledger.monthly_report_reopen_request(actor=world.users.officer, report=september, reason="税收收入误填")
    september = ledger.monthly_report_reopen_approve(actor=world.users.office_policy, report=september)

    # The entry form and the detail page carry the twelve indicators of 2026 only.
    client = login(world.users.officer)
    form = client.get(reverse("report-edit", args=[september.pk])).context["form"]
    assert "tourism_revenue" not in form.fields and "tax_revenue" in form.fields
    detail = client.get(reverse("report-detail", args=[september.pk])).content.decode()
    assert "旅游收入" not in detail
    # A figure for it is refused; without it the correction is submitted.
    with pytest.raises(ValidationError) as error:
        ledger.monthly_report_save(actor=world.users.officer, report=september, values={"tourism_revenue": "5"})
    assert "tourism_revenue" in error.value.message_dict
    ledger.monthly_report_save(actor=world.users.officer, report=september, values={"tax_revenue": "151"})
    assert ledger.monthly_report_submit(actor=world.users.officer, report=september).status == S.SUBMITTED
    body = api(world.users.officer).get(f"/api/v1/monthly-reports/{september.pk}/").json()
    assert "tourism_revenue" not in body["values"] and len(body["values"]) == len(FULL_VALUES)
    # The API's catalogue lists it, with the month it starts.
    catalogue = api(world.users.officer).get("/api/v1/indicators/").json()["results"]
    assert {"code": "tourism_revenue", "active_from": "2027-01", "active_to": None}.items() <= catalogue[-1].items()


def test_a_retired_indicator_is_no_longer_required_after_its_last_month(world, in_february_2027):
    tourists = Indicator.objects.get(code="tourists")
    ledger.indicator_update(actor=world.users.admin, indicator=tourists, active_to=datetime.date(2026, 12, 1))
    values = {code: v for code, v in FULL_VALUES.items() if code != "tourists"}
    january = file_report(world, JAN_2027, values)
    assert january.status == S.ACCEPTED
    assert "tourists" not in selectors.indicators_by_code(JAN_2027)
    assert "tourists" in selectors.indicators_by_code(datetime.date(2026, 12, 1))


def test_the_months_cannot_hide_figures_already_reported(world, make_report):
    make_report(S.DRAFT)  # September 2026 carries every indicator
    tourists = Indicator.objects.get(code="tourists")
    with pytest.raises(ValidationError) as error:
        ledger.indicator_update(actor=world.users.admin, indicator=tourists, active_from=datetime.date(2026, 10, 1))
    assert error.value.message_dict["active_from"] == ["2026-09 已有该指标的填报数据，适用月份须包含该月。"]
    with pytest.raises(ValidationError) as error:
        ledger.indicator_update(actor=world.users.admin, indicator=tourists, active_to=datetime.date(2026, 8, 1))
    assert "active_to" in error.value.message_dict
    tourists.refresh_from_db()
    assert (tourists.active_from, tourists.active_to) == (None, None)


# --- Ledger and export ------------------------------------------------------------------------------


def test_ledger_and_export_show_nothing_for_months_before_an_indicator_applies(world, login, in_february_2027):
    file_report(world, datetime.date(2026, 12, 1), FULL_VALUES)
    add_tourism_revenue(world)
    file_report(world, JAN_2027, FULL_VALUES | {"tourism_revenue": "88"})

    client = login(world.users.office_policy)
    page = client.get(reverse("ledger"), {"year": 2026, "indicator": "tourism_revenue"})
    cells = page.context["ledger"].rows[0].cells
    assert not any(cell.applies for cell in cells) and all(cell.gap is None for cell in cells)
    assert "该指标本月不适用" in page.content.decode()
    january = client.get(reverse("ledger"), {"year": 2027, "indicator": "tourism_revenue"}).context["ledger"]
    assert january.rows[0].cells[0].applies and str(january.rows[0].cells[0].value) == "88.00"

    def header(year):
        output = io.BytesIO()
        exports.write_ledger_workbook(output, towns=selectors.towns_in_scope(world.users.officer), year=year)
        sheet = load_workbook(io.BytesIO(output.getvalue()))["月度指标台账"]
        return [cell.value for cell in sheet[exports.HEADER_ROW]]

    assert "旅游收入（万元）" not in header(2026)
    assert "旅游收入（万元）" in header(2027)


# --- Pages ----------------------------------------------------------------------------------------------


def test_administrator_adds_an_indicator_for_2027_on_the_catalogue_page(login, world):
    client = login(world.users.admin)
    assert client.get(reverse("indicator-list")).status_code == 200
    data = {"code": "tourism_revenue", "name": "旅游收入", "unit": "万元", "kind": "flow", "decimal_places": "2"}
    response = client.post(reverse("indicator-create"), data | {"order": "130", "active_from": "2027-01"})
    assert response.status_code == 302
    added = Indicator.objects.get(code="tourism_revenue")
    assert (added.active_from, added.active_to) == (JAN_2027, None)
    # Retiring is setting the last month; a malformed month is an error on its field.
    edit = reverse("indicator-edit", args=[added.pk])
    bad = client.post(edit, data | {"order": "130", "active_from": "2027-01", "active_to": "2027年6月"})
    assert bad.status_code == 200 and "active_to" in bad.context["form"].errors
    before = client.post(edit, data | {"order": "130", "active_from": "2027-01", "active_to": "2026-06"})
    assert before.context["form"].errors["active_to"] == ["停用月份不能早于启用月份。"]
    assert (
        client.post(edit, data | {"order": "130", "active_from": "2027-01", "active_to": "2027-12"}).status_code == 302
    )
    added.refresh_from_db()
    assert added.active_to == datetime.date(2027, 12, 1)


def test_the_catalogue_is_the_administrators_only(login, world):
    tourists = Indicator.objects.get(code="tourists")
    for user in (world.users.office_policy, world.users.leader, world.users.officer):
        client = login(user)
        assert client.get(reverse("indicator-list")).status_code == 403
        assert client.post(reverse("indicator-edit", args=[tourists.pk]), {"name": "改"}).status_code == 403
    assert login(world.users.admin).get(reverse("indicator-edit", args=[999999])).status_code == 404
