"""The monthly report workflow (R-3.3, R-3.4) through its services: every transition, every illegal one,
validation that changes nothing, and the audit trail."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ledgers import selectors
from ledgers import services as ledger
from ledgers.models import MonthlyReport, ReportEvent, ReportStatus, ReportValue, Timeliness
from ledgers.tests.factories import make_project
from ledgers.tests.quality import let_file
from tests.reasons import assert_needs_reason, blank_reasons
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

S = ReportStatus
SEPT = datetime.date(2026, 9, 1)


def stored(report):
    return {code: str(v) for code, v in selectors.report_values(report).items()}


def test_full_loop_draft_to_accepted_records_each_step(world, make_report):
    report = make_report(S.ACCEPTED)
    report.refresh_from_db()
    assert report.status == S.ACCEPTED and report.is_locked
    assert report.submitted_by == world.users.officer
    assert report.approved_by == world.users.reviewer
    assert report.accepted_by == world.users.office_policy
    actions = [(e.action, e.from_status, e.to_status, e.actor.username) for e in report.events.all()]
    assert actions == [
        ("create", "", "draft", "dongli-officer"),
        ("save", "draft", "draft", "dongli-officer"),
        ("submit", "draft", "submitted", "dongli-officer"),
        ("approve", "submitted", "district_approved", "dongli-leader"),
        ("accept", "district_approved", "accepted", "office-policy"),
    ]


@pytest.mark.parametrize(
    ("status", "service"),
    [
        (S.DRAFT, "approve"),
        (S.DRAFT, "accept"),
        (S.DRAFT, "return"),
        (S.SUBMITTED, "submit"),
        (S.SUBMITTED, "accept"),
        (S.DISTRICT_APPROVED, "submit"),
        (S.DISTRICT_APPROVED, "approve"),
        (S.RETURNED, "approve"),
        (S.RETURNED, "accept"),
        (S.RETURNED, "return"),
        (S.ACCEPTED, "submit"),
        (S.ACCEPTED, "approve"),
        (S.ACCEPTED, "accept"),
        (S.ACCEPTED, "return"),
    ],
)
def test_illegal_transition_is_refused_and_changes_nothing(world, make_report, status, service):
    report = make_report(status)
    events_before = report.events.count()
    call = getattr(ledger, f"monthly_report_{service}")
    kwargs = {"reason": "原因"} if service == "return" else {}
    with pytest.raises(ConflictError):
        call(actor=world.users.admin, report=report, **kwargs)
    report.refresh_from_db()
    assert report.status == status
    assert report.events.count() == events_before


@pytest.mark.parametrize("status", [S.SUBMITTED, S.DISTRICT_APPROVED, S.ACCEPTED])
def test_figures_cannot_change_outside_draft_or_returned(world, make_report, status):
    report = make_report(status)
    with pytest.raises(ConflictError):
        ledger.monthly_report_save(actor=world.users.officer, report=report, values={"tax_revenue": "1"})
    assert stored(report)["tax_revenue"] == "150.25"


def test_returned_report_can_be_corrected_and_resubmitted(world, make_report):
    report = make_report(S.RETURNED)
    assert report.return_reason == "数据有误"
    ledger.monthly_report_save(actor=world.users.officer, report=report, values={"tax_revenue": "160"})
    ledger.monthly_report_submit(actor=world.users.officer, report=report)
    report.refresh_from_db()
    assert report.status == S.SUBMITTED


def test_office_can_return_a_district_approved_report(world, make_report):
    report = make_report(S.DISTRICT_APPROVED)
    ledger.monthly_report_return(actor=world.users.office_policy, report=report, reason="税收与项目台账不符")
    report.refresh_from_db()
    assert report.status == S.RETURNED
    last = report.events.last()
    assert (last.action, last.from_status, last.reason) == ("return", "district_approved", "税收与项目台账不符")


@blank_reasons
def test_return_without_reason_is_refused(world, make_report, reason):
    report = make_report(S.SUBMITTED)
    assert_needs_reason(ledger.monthly_report_return, actor=world.users.reviewer, report=report, reason=reason)
    report.refresh_from_db()
    assert report.status == S.SUBMITTED


def test_negative_figure_is_refused_naming_the_field_and_nothing_is_saved(world, make_report):
    report = make_report(S.DRAFT)
    before = stored(report)
    with pytest.raises(ValidationError) as error:
        ledger.monthly_report_save(
            actor=world.users.officer, report=report, values={"tax_revenue": "10", "fixed_asset_investment": "-5"}
        )
    messages = error.value.message_dict
    assert messages["fixed_asset_investment"] == ["「固定资产投资」不能为负数。"]
    # The stored sub-items are larger than the negative whole: named in the same round (issue 19), tax is not.
    assert set(messages) == {"fixed_asset_investment", "industry_investment", "private_investment"}
    assert stored(report) == before  # tax_revenue was not saved either
    assert report.events.filter(action="save").count() == 1


@pytest.mark.parametrize(
    ("code", "raw", "fragment"),
    [
        ("tax_revenue", "abc", "必须是数字"),
        ("tax_revenue", "NaN", "必须是数字"),
        ("new_enterprises", "2.5", "必须是整数"),
        ("tax_revenue", "1.234", "2位小数"),
        ("tax_revenue", "1e20", "过大"),
        ("no_such_indicator", "1", "未知"),
        ("industry_investment", "5000", "不能大于"),
    ],
)
def test_invalid_figures_are_refused_with_a_chinese_message(world, make_report, code, raw, fragment):
    report = make_report(S.DRAFT)
    before = stored(report)
    with pytest.raises(ValidationError) as error:
        ledger.monthly_report_save(actor=world.users.officer, report=report, values={code: raw})
    assert fragment in error.value.message_dict[code][0]
    assert stored(report) == before


def test_saving_records_old_and_new_values(world, make_report):
    report = make_report(S.DRAFT)
    ledger.monthly_report_save(actor=world.users.officer, report=report, values={"tax_revenue": "155", "tourists": ""})
    event = report.events.filter(action="save").last()
    assert event.changes["values"] == {"tax_revenue": ["150.25", "155"], "tourists": ["4.2", None]}
    assert "tourists" not in stored(report)


def test_saving_unchanged_values_writes_no_event(world, make_report, full_values):
    report = make_report(S.DRAFT)
    count = report.events.count()
    ledger.monthly_report_save(actor=world.users.officer, report=report, values=full_values)
    assert report.events.count() == count


def test_submit_requires_every_indicator(world):
    let_file(world, world.town, SEPT)
    report = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=SEPT)
    ledger.monthly_report_save(actor=world.users.officer, report=report, values={"tax_revenue": "3"})
    with pytest.raises(ValidationError) as error:
        ledger.monthly_report_submit(actor=world.users.officer, report=report)
    assert "fixed_asset_investment" in error.value.message_dict
    assert "tax_revenue" not in error.value.message_dict
    report.refresh_from_db()
    assert report.status == S.DRAFT


def test_report_for_a_month_that_has_not_ended_is_refused(world):
    this_month = dates.month_start(timezone.localdate())
    with pytest.raises(ValidationError) as error:
        ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=this_month)
    assert "尚未结束" in error.value.message_dict["period"][0]
    assert not MonthlyReport.objects.exists()


def test_second_report_for_the_same_month_is_a_conflict(world, make_report):
    make_report(S.DRAFT)
    with pytest.raises(ConflictError):
        ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=SEPT)


def test_no_report_before_a_town_joined(world):
    with pytest.raises(ValidationError):
        ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=datetime.date(2023, 12, 1))


def test_due_date_defaults_to_the_tenth_of_next_month(world, make_report, settings):
    assert make_report(S.DRAFT).due_on == datetime.date(2026, 10, 10)
    settings.REPORT_DUE_DAY = 5
    let_file(world, world.town2, SEPT)
    report = ledger.monthly_report_create(actor=world.users.officer, town=world.town2, period=SEPT)
    assert report.due_on == datetime.date(2026, 10, 8)  # the 5th falls in the National Day holiday


def test_timeliness_is_fixed_at_first_submission(world, make_report, on_day):
    on_day(datetime.date(2026, 10, 9))  # September's report is due on 10 October
    report = make_report(S.DRAFT)
    ledger.monthly_report_submit(actor=world.users.officer, report=report)
    report.refresh_from_db()
    assert (report.timeliness, report.due_on) == (Timeliness.ON_TIME, datetime.date(2026, 10, 10))
    # Returned and resubmitted after the due date: still counted as on time, as first filed.
    ledger.monthly_report_return(actor=world.users.reviewer, report=report, reason="补充说明")
    on_day(datetime.date(2026, 10, 20))
    ledger.monthly_report_submit(actor=world.users.officer, report=report)
    report.refresh_from_db()
    assert report.timeliness == Timeliness.ON_TIME


def test_submission_after_the_due_date_is_late(world, make_report, on_day):
    on_day(datetime.date(2026, 10, 20))  # due 2026-10-10, closing 2026-10-26
    report = make_report(S.SUBMITTED)
    assert report.timeliness == Timeliness.LATE


def test_changes_since_last_return_show_value_at_return_and_now(world, make_report):
    report = make_report(S.RETURNED)
    ledger.monthly_report_save(actor=world.users.officer, report=report, values={"tax_revenue": "151"})
    ledger.monthly_report_save(actor=world.users.officer, report=report, values={"tax_revenue": "160", "tourists": "5"})
    ledger.monthly_report_save(actor=world.users.officer, report=report, values={"tourists": "4.2"})
    assert selectors.changes_since_last_return(report) == {"tax_revenue": ["150.25", "160"]}


def test_project_progress_derives_cumulatives_from_earlier_months(world, make_report):
    project = make_project(world)
    let_file(world, world.town, datetime.date(2026, 7, 1))
    let_file(world, world.town, datetime.date(2025, 12, 1))
    july = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=datetime.date(2026, 7, 1))
    july_rows = [{"project": project.pk, "investment_month": "1000", "physical_progress": "主体结构施工"}]
    ledger.monthly_report_save(actor=world.users.officer, report=july, values={}, progress=july_rows)
    # Last year's progress counts toward the total since start, not toward this year.
    dec = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=datetime.date(2025, 12, 1))
    ledger.monthly_report_save(
        actor=world.users.officer, report=dec, values={}, progress=[{"project": project.pk, "investment_month": "400"}]
    )
    sept = make_report(S.DRAFT)
    ledger.monthly_report_save(
        actor=world.users.officer,
        report=sept,
        values={},
        progress=[{"project": project.pk, "investment_month": "1500", "problems": "用地指标未落实"}],
    )
    row = sept.project_progress.get()
    assert (row.investment_month, row.investment_year, row.investment_total) == (1500, 2500, 2900)
    assert row.share_of_annual == Decimal("20.8")
    assert sept.events.last().changes["projects"]["P001"]["investment_month"] == [None, "1500"]


def test_progress_for_another_towns_project_is_refused(world, make_report):
    project = make_project(
        world,
        "X1",
        town=world.outsider_town,
        actor=world.users.outsider,
        name="外区项目",
        total_investment=Decimal("1"),
        annual_investment=Decimal("1"),
    )
    report = make_report(S.DRAFT)
    with pytest.raises(ValidationError):
        ledger.monthly_report_save(
            actor=world.users.officer,
            report=report,
            values={},
            progress=[{"project": project.pk, "investment_month": 1}],
        )
    assert not report.project_progress.exists()


def test_database_refuses_negative_values_even_past_the_service(world, make_report):
    from django.db import IntegrityError, transaction

    report = make_report(S.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportValue.objects.filter(report=report).update(value=-1)


def test_audit_events_keep_actor_and_time(world, make_report):
    report = make_report(S.SUBMITTED)
    submit = report.events.get(action=ReportEvent.Action.SUBMIT)
    assert submit.actor == world.users.officer
    assert abs((timezone.now() - submit.at).total_seconds()) < 60


def test_each_workflow_step_tells_the_next_people_once(world, make_report):
    from coordination.models import Notification

    report = make_report(S.SUBMITTED)
    told = Notification.objects.filter(object_id=report.pk)
    assert [n.recipient.username for n in told.filter(kind="report_submitted")] == ["dongli-leader"]
    ledger.monthly_report_approve(actor=world.users.reviewer, report=report)
    assert [n.recipient.username for n in told.filter(kind="report_approved")] == ["office-policy"]
    ledger.monthly_report_return(actor=world.users.office_policy, report=report, reason="项目合计不符")
    returned = told.get(kind="report_returned")
    assert returned.recipient == world.users.officer and "项目合计不符" in returned.body
    assert returned.link == f"/reports/{report.pk}/"
    # The outsider district's people hear nothing of dongli's report.
    assert not told.filter(recipient__in=[world.users.outsider, world.users.outsider_reviewer]).exists()


# --- One call for the entry form's "save and submit" and the API's "open with figures" -------------------


def test_save_and_submit_in_one_call_submits_the_saved_figures(world, make_report):
    report = make_report(S.DRAFT)
    report = ledger.monthly_report_save(
        actor=world.users.officer, report=report, values={"tax_revenue": "160"}, submit=True
    )
    assert report.status == S.SUBMITTED and stored(report)["tax_revenue"] == "160.00"
    assert [e.action for e in report.events.all()][-2:] == [ReportEvent.Action.SAVE, ReportEvent.Action.SUBMIT]


def test_save_and_submit_refused_stores_nothing(world):
    let_file(world, world.town, SEPT)
    report = ledger.monthly_report_create(actor=world.users.officer, town=world.town, period=SEPT)
    with pytest.raises(ValidationError) as error:
        ledger.monthly_report_save(actor=world.users.officer, report=report, values={"tax_revenue": "3"}, submit=True)
    assert "fixed_asset_investment" in error.value.message_dict  # the submission's refusal, per field
    report.refresh_from_db()
    assert report.status == S.DRAFT
    assert stored(report) == {}
    assert not report.events.filter(action=ReportEvent.Action.SAVE).exists()


def test_create_with_figures_opens_the_report_and_saves_them(world):
    let_file(world, world.town, SEPT)
    report = ledger.monthly_report_create(
        actor=world.users.officer, town=world.town, period=SEPT, values={"tax_revenue": "12"}
    )
    assert stored(report) == {"tax_revenue": "12.00"}
    assert [e.action for e in report.events.all()] == [ReportEvent.Action.CREATE, ReportEvent.Action.SAVE]


def test_create_with_a_refused_figure_opens_nothing(world):
    let_file(world, world.town, SEPT)
    with pytest.raises(ValidationError) as error:
        ledger.monthly_report_create(
            actor=world.users.officer, town=world.town, period=SEPT, values={"tax_revenue": "-5"}
        )
    assert list(error.value.message_dict) == ["tax_revenue"]
    assert not MonthlyReport.objects.filter(town=world.town, period=SEPT).exists()
