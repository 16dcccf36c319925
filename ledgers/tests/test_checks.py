"""Departmental cross-checks of the accepted figures (数据核对, issue 18): the unit holding an indicator's
source checks each town's accepted figure; a difference beyond the tolerance opens a discrepancy that the
district explains and the office closes; the ledger shows each figure's check state."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import FULL_VALUES
from coordination.models import Notification
from ledgers import selectors
from ledgers import services as ledger
from ledgers.models import FigureCheck, Indicator, IndicatorSource, ReportStatus
from tests import clients

SEPT = datetime.date(2026, 9, 1)
login = clients.login
Status = FigureCheck.Status


@pytest.fixture
def checked(world, make_report):
    """Tax revenue assigned to the statistics bureau (the world's liaison); September accepted in dongli's two
    towns (150.25 and 200), only submitted in xiqing's."""
    tax = Indicator.objects.get(code="tax_revenue")
    ledger.indicator_sources_set(
        actor=world.users.office_policy, assignments={tax: (world.users.liaison.profile.member_unit, None)}
    )
    make_report(ReportStatus.ACCEPTED, period=SEPT)
    make_report(ReportStatus.ACCEPTED, town=world.town2, period=SEPT, values={**FULL_VALUES, "tax_revenue": "200"})
    world.tax = tax
    return world


def _record(world, **entries):
    return ledger.figure_checks_record(
        actor=world.users.liaison,
        member_unit=world.users.liaison.profile.member_unit,
        indicator=world.tax,
        period=SEPT,
        entries={town.pk: ledger.CheckEntry(*entry) for town, entry in entries.values()},
    )


def test_a_figure_within_the_tolerance_agrees_and_one_beyond_opens_a_discrepancy_for_the_district(checked):
    world = checked
    counts = _record(world, a=(world.town, ("151", None)), b=(world.town2, ("160", None)))  # 0.5 % and 20 %
    assert counts == {Status.AGREED: 1, Status.OPEN: 1}
    agreed = FigureCheck.objects.get(report__town=world.town)
    opened = FigureCheck.objects.get(report__town=world.town2)
    assert agreed.status == Status.AGREED and agreed.source_value == Decimal("151")
    assert opened.status == Status.OPEN and opened.accepted_value == Decimal("200") and opened.difference == -20
    told = Notification.objects.filter(kind="figure_check_open")
    assert {n.recipient for n in told} >= {world.users.officer, world.users.reviewer}
    assert world.users.outsider not in {n.recipient for n in told}


def test_a_mark_of_disagreement_needs_a_figure_and_an_agreement_needs_none(checked):
    world = checked
    with pytest.raises(ValidationError, match="请填写本单位掌握的数"):
        _record(world, a=(world.town, (None, False)))
    assert _record(world, a=(world.town, (None, True))) == {Status.AGREED: 1}
    assert FigureCheck.objects.get().source_value == Decimal("150.25")


def test_a_month_not_accepted_is_refused_and_nothing_is_saved(checked):
    world = checked
    with pytest.raises(ValidationError) as refused:
        _record(world, a=(world.town, ("150", None)), b=(world.outsider_town, ("99", None)))
    assert "精武文化小镇：该月月报尚未验收" in " ".join(refused.value.messages)
    assert not FigureCheck.objects.exists()


def test_bad_figures_are_named_by_town(checked):
    world = checked
    with pytest.raises(ValidationError) as refused:
        _record(world, a=(world.town, ("abc", None)), b=(world.town2, ("-5", None)))
    text = " ".join(refused.value.messages)
    assert "华明智能制造小镇的核对数" in text and "必须是数字" in text and "不能为负数" in text


def test_only_the_unit_the_indicator_is_assigned_to_checks_it(checked):
    world = checked
    with pytest.raises(ValidationError, match="不由"):
        ledger.figure_checks_record(
            actor=world.users.liaison,
            member_unit=world.users.liaison.profile.member_unit,
            indicator=Indicator.objects.get(code="land_supplied"),
            period=SEPT,
            entries={world.town.pk: ledger.CheckEntry("1", None)},
        )


def test_the_district_explains_the_office_closes_and_the_ledger_shows_it_explained(checked, login):
    world = checked
    _record(world, b=(world.town2, ("160", None)))
    check = FigureCheck.objects.get()
    detail = reverse("discrepancy-detail", args=[check.pk])
    assert login(world.users.outsider).get(detail).status_code == 404
    assert login(world.users.office_policy).post(reverse("discrepancy-explain", args=[check.pk])).status_code == 403
    assert login(world.users.officer).post(reverse("discrepancy-close", args=[check.pk])).status_code == 403
    page = login(world.users.officer).get(detail).content.decode()
    assert "说明差异原因" in page and "关闭差异" not in page
    login(world.users.officer).post(reverse("discrepancy-explain", args=[check.pk]), {"explanation": ""})
    check.refresh_from_db()
    assert check.status == Status.OPEN  # an empty explanation is refused
    login(world.users.officer).post(reverse("discrepancy-explain", args=[check.pk]), {"explanation": "入库时间不同"})
    check.refresh_from_db()
    assert check.status == Status.ANSWERED and check.answered_by == world.users.officer
    assert Notification.objects.filter(kind="figure_check_answered", recipient=world.users.office_policy).exists()
    ledger_page = {"year": 2026, "indicator": "tax_revenue"}
    assert "有差异" in login(world.users.leader).get(reverse("ledger"), ledger_page).content.decode()
    login(world.users.office_policy).post(reverse("discrepancy-close", args=[check.pk]), {"note": ""})
    check.refresh_from_db()
    assert check.status == Status.CLOSED and check.closed_by == world.users.office_policy
    page = login(world.users.leader).get(reverse("ledger"), ledger_page)
    text = page.content.decode()
    assert "已说明" in text and "市统计局核对" in text
    assert dict((state, n) for state, _label, n in page.context["checks"]["counts"]) == {
        "unchecked": 1,  # dongli's first town: accepted, not checked
        "agreed": 0,
        "differs": 0,
        "explained": 1,
    }


def test_a_discrepancy_the_district_has_not_answered_closes_only_with_a_reason(checked):
    world = checked
    _record(world, b=(world.town2, ("160", None)))
    check = FigureCheck.objects.get()
    with pytest.raises(ValidationError):
        ledger.figure_check_close(actor=world.users.office_policy, check=check, note="")
    ledger.figure_check_close(actor=world.users.office_policy, check=check, note="月报已更正")
    check.refresh_from_db()
    assert check.status == Status.CLOSED
    with pytest.raises(ValidationError, match="不能再修改"):
        _record(world, b=(world.town2, ("200", None)))


def test_the_liaison_enters_its_figures_on_its_page(checked, login):
    world = checked
    page = login(world.users.liaison).get(reverse("figure-checks"), {"period": "2026-09", "indicator": "tax_revenue"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "150.25" in text and "未验收" in text  # xiqing's month is not accepted
    response = login(world.users.liaison).post(
        reverse("figure-checks"),
        {
            "period": "2026-09",
            "indicator": "tax_revenue",
            f"value-{world.town.pk}": "150.25",
            f"mark-{world.town.pk}": "agree",
            f"value-{world.town2.pk}": "240",
        },
    )
    assert response.status_code == 302
    assert dict(FigureCheck.objects.values_list("report__town", "status")) == {
        world.town.pk: Status.AGREED,
        world.town2.pk: Status.OPEN,
    }
    assert login(world.users.officer).get(reverse("figure-checks")).status_code == 404  # no unit to check for
    listing = login(world.users.officer).get(reverse("discrepancy-list")).content.decode()
    assert "东丽湖温泉小镇" in listing and "20.0%" in listing
    assert "东丽湖温泉小镇" not in login(world.users.outsider).get(reverse("discrepancy-list")).content.decode()


def test_the_office_assigns_the_indicators_on_a_page(world, login):
    url = reverse("indicator-sources")
    assert login(world.users.officer).get(url).status_code == 403
    assert login(world.users.liaison).get(url).status_code == 403
    office = login(world.users.office_policy)
    assert office.get(url).status_code == 200
    unit = world.users.liaison.profile.member_unit
    response = office.post(url, {"unit-land_supplied": unit.pk, "tolerance-land_supplied": "3"})
    assert response.status_code == 302
    source = IndicatorSource.objects.get()
    assert (source.indicator.code, source.member_unit, source.tolerance) == ("land_supplied", unit, Decimal(3))
    office.post(url, {"unit-land_supplied": unit.pk, "tolerance-land_supplied": "120"})
    assert IndicatorSource.objects.get().tolerance == Decimal(3)  # refused: beyond 100 %


def test_the_home_pages_show_the_checks_owed_the_discrepancies_to_explain_and_to_close(checked, login):
    world = checked
    today = datetime.date(2026, 11, 20)  # September is one of the last three ended months
    work = selectors.check_work(world.users.liaison, today)
    assert [(i.code, p, n) for i, p, n in work.to_check] == [("tax_revenue", SEPT, 2)]
    _record(world, b=(world.town2, ("160", None)))
    assert [(i.code, p, n) for i, p, n in selectors.check_work(world.users.liaison, today).to_check] == [
        ("tax_revenue", SEPT, 1)
    ]
    assert len(selectors.check_work(world.users.officer, today).to_explain) == 1
    assert not selectors.check_work(world.users.outsider, today).to_explain
    assert not selectors.check_work(world.users.office_policy, today).to_close
    ledger.figure_check_explain(actor=world.users.officer, check=FigureCheck.objects.get(), explanation="口径不同")
    assert len(selectors.check_work(world.users.office_policy, today).to_close) == 1
    page = login(world.users.office_policy).get(reverse("home")).content.decode()
    assert "区已说明、待确认的数据差异" in page and "东丽湖温泉小镇" in page


def test_the_ledger_export_lists_each_checked_figure_and_its_state(checked, login):
    import io

    from openpyxl import load_workbook

    world = checked
    _record(world, a=(world.town, ("150.25", None)), b=(world.town2, ("160", None)))
    response = login(world.users.office_policy).get(reverse("ledger-export"), {"year": 2026})
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["数据核对"]
    rows = [
        row
        for row in sheet.iter_rows(values_only=True)
        if len(row) > 7 and row[1] in ("华明智能制造小镇", "东丽湖温泉小镇")
    ]
    assert [(row[1], row[2], row[7]) for row in rows] == [
        ("华明智能制造小镇", "2026-09", "一致"),
        ("东丽湖温泉小镇", "2026-09", "有差异"),
    ]


def test_a_unit_still_owing_checks_ten_days_after_acceptance_is_reminded_once(checked):
    from coordination.models import Notification
    from ledgers.reminders import check_reminders

    world = checked
    accepted_on = world.town.monthly_reports.get(period=SEPT).accepted_at.date()
    assert check_reminders(today=accepted_on + datetime.timedelta(days=9)) == 0  # not yet ten days
    _record(world, a=(world.town, ("150.25", None)))  # one of the two towns checked
    today = accepted_on + datetime.timedelta(days=10)
    assert check_reminders(today=today) == 1
    told = Notification.objects.get(kind="figure_checks_due")
    assert told.recipient == world.users.liaison and "1 个小镇未核对" in told.body
    assert check_reminders(today=today + datetime.timedelta(days=1)) == 0  # once


def test_the_office_sees_each_units_check_progress_by_month(checked, login):
    world = checked
    _record(world, a=(world.town, ("150.25", None)), b=(world.town2, ("160", None)))
    assert login(world.users.officer).get(reverse("check-progress")).status_code == 403
    page = login(world.users.office_policy).get(reverse("check-progress"))
    (row,) = page.context["rows"]
    september = row.cells[page.context["periods"].index(SEPT)]
    assert (september.accepted, september.checked, september.open, september.explained) == (2, 2, 1, 0)
    text = page.content.decode()
    assert "市统计局" in text and "2/2" in text and "差异 1" in text


def test_the_dashboard_counts_each_checked_indicators_figures_by_state(checked, login):
    world = checked
    _record(world, b=(world.town2, ("160", None)))
    page = login(world.users.leader).get("/dashboard/", {"year": 2026})
    (total,) = page.context["checks"]
    assert (total.agreed, total.differs, total.explained, total.unchecked) == (0, 1, 0, 1)
    assert "税收收入（市统计局核对）" in page.content.decode()
    # A district's and a town's dashboards count their own towns' figures only.
    for query, counts in (
        ({"level": "district", "id": world.dongli.pk}, (0, 1, 0, 1)),
        ({"level": "district", "id": world.xiqing.pk}, (0, 0, 0, 0)),  # only submitted there
        ({"level": "town", "id": world.town.pk}, (0, 0, 0, 1)),
        ({"level": "town", "id": world.town2.pk}, (0, 1, 0, 0)),
    ):
        (total,) = login(world.users.leader).get("/dashboard/", {"year": 2026, **query}).context["checks"]
        assert (total.agreed, total.differs, total.explained, total.unchecked) == counts, query


def test_the_liaison_fills_in_the_downloaded_sheet_and_uploads_it_all_or_nothing(checked, login):
    import io

    from openpyxl import load_workbook

    world = checked
    client = login(world.users.liaison)
    query = {"period": "2026-09", "indicator": "tax_revenue"}
    sheet = client.get(reverse("figure-check-template"), query)
    assert sheet.status_code == 200
    workbook = load_workbook(io.BytesIO(sheet.content))
    ws = workbook["数据核对"]
    rows = {ws.cell(row, 2).value: row for row in range(4, ws.max_row + 1)}
    assert set(rows) == {"T0101", "T0102"}  # the accepted towns; xiqing's month is not accepted
    ws.cell(rows["T0101"], 5).value = 150.25
    ws.cell(rows["T0102"], 5).value = 240
    ws.cell(rows["T0102"], 6).value = "差不多"  # not a mark: the whole sheet is refused
    refused = io.BytesIO()
    workbook.save(refused)
    refused.seek(0)
    refused.name = "核对表.xlsx"
    response = client.post(reverse("figure-check-upload"), {**query, "file": refused}, follow=True)
    assert "核对意见应为" in response.content.decode() and not FigureCheck.objects.exists()
    ws.cell(rows["T0102"], 6).value = "不一致"
    filled = io.BytesIO()
    workbook.save(filled)
    filled.seek(0)
    filled.name = "核对表.xlsx"
    response = client.post(reverse("figure-check-upload"), {**query, "file": filled}, follow=True)
    assert "核对表已导入：一致 1 个，有差异 1 个" in response.content.decode()
    assert dict(FigureCheck.objects.values_list("report__town__unit__code", "status")) == {
        "T0101": Status.AGREED,
        "T0102": Status.OPEN,
    }


def test_a_scheme_may_count_how_many_discrepancies_were_explained(checked):
    from assessments import selectors as assessment_selectors
    from assessments import services as assess
    from assessments.models import ItemKind, RunKind
    from assessments.tests.factories import item, make_scheme

    world = checked
    scheme = make_scheme(
        world,
        2026,
        items=[item("月报及时率", ItemKind.TIMELINESS, 60), item("核对差异说明率", ItemKind.CHECKS, 40)],
    )
    run = assess.run_create(actor=world.users.office_assess, scheme=scheme, kind=RunKind.ANNUAL)

    def checks_item(town):
        (score,) = [s for s in assessment_selectors.compute_run(run) if s.town.pk == town.pk]
        return next(i for i in score.items if i.kind == ItemKind.CHECKS)

    assert not checks_item(world.town2).applicable  # nothing found yet: the item does not count
    _record(world, b=(world.town2, ("160", None)))
    assert checks_item(world.town2).earned == 0
    ledger.figure_check_close(actor=world.users.office_policy, check=FigureCheck.objects.get(), note="已更正")
    closed = checks_item(world.town2)
    assert closed.earned == Decimal(40) and closed.rate == Decimal(100)
