"""A monthly report's workflow (R-3.4): opened for a month that has ended, its figures saved, submitted
by the town, approved by the district, accepted by the office, or returned with a reason.

Each function is one business operation in one transaction, writes its audit event beside the
change and leaves the database untouched when it raises.
"""

import datetime
from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from coordination import permissions as unit_perms
from coordination.models import Town
from coordination.selectors import users_with_unit_perm
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from .. import deadlines, rules, selectors
from ..evidence import check_evidence_file
from ..models import Indicator, MonthlyReport, Project, ReportEvent, ReportStatus, ReportValue
from ..summaries import accepted_figures_refresh
from .common import _audit_reason, _event, _filers, _locked, _number, _tell, _text, _transition, audited
from .corrections import _correction_reason
from .flags import close_flags_at_acceptance
from .locking import _ensure_open_for_entry, _locked_message
from .progress import _parse_progress, _recompute_cumulatives, _save_progress
from .projects import progress_plans_freeze
from .quality import _submission_checks, _sync_flags, report_evidence_add


@transaction.atomic
def monthly_report_create(
    *,
    actor: AbstractBaseUser | None,
    town: Town,
    period: datetime.date,
    values: Mapping[str, object] | None = None,
) -> MonthlyReport:
    """Open the report of `town` for `period` (the first day of a month that has ended), with its first
    figures when `values` are given (saved as `monthly_report_save` saves them): when a figure is refused,
    no report is opened either.

    After the month's close day the month is missing and locked (R-3.4) from the date alone, whether or
    not the nightly run has recorded it yet: only the office's exception for the town opens it again.
    """
    report = _open_report(actor=actor, town=town, period=period)
    if values:
        report = monthly_report_save(actor=actor, report=report, values=values)
    return report


@audited(name="monthly_report_create")
def _open_report(*, actor: AbstractBaseUser | None, town: Town, period: datetime.date) -> MonthlyReport:
    period = dates.month_start(period)
    if not dates.period_has_ended(period):
        raise ValidationError(
            {"period": _("%(period)s 尚未结束，不能填报该月月报。") % {"period": dates.format_period(period)}}
        )
    if not deadlines.expects_report(town, period):
        raise ValidationError(
            {"period": _("该小镇在 %(period)s 不需要报送月报。") % {"period": dates.format_period(period)}}
        )
    if MonthlyReport.objects.filter(town=town, period=period).exists():
        raise ConflictError(
            _("%(town)s %(period)s 的月报已存在。") % {"town": town, "period": dates.format_period(period)}
        )
    if deadlines.entry_locked(town.pk, period, submitted_at=None):
        raise ConflictError(_locked_message(f"{town} {dates.format_period(period)}", period))
    report = MonthlyReport.objects.create(town=town, period=period, due_on=deadlines.due_date(period))
    _event(report, actor, ReportEvent.Action.CREATE, "")
    return report


def _clean_values(
    raw_values: Mapping[str, object], indicators: dict[str, Indicator]
) -> tuple[dict[str, Decimal | None], dict[str, list[str]]]:
    """The figures that parse (an empty one as None), and the messages of those that do not (an unknown code,
    not a number, too large, too many decimals): the rules then judge the figures that parsed, so that one
    round names every error."""
    cleaned: dict[str, Decimal | None] = {}
    errors: dict[str, list[str]] = {}
    for code, raw in raw_values.items():
        indicator = indicators.get(code)
        if indicator is None:
            errors.setdefault(code, []).append(_("未知的统计指标，或该指标在本月不适用：%(code)s") % {"code": code})
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            cleaned[code] = None
            continue
        try:
            cleaned[code] = _number(raw, indicator.name, indicator.decimal_places, negative_ok=True)
        except ValidationError as error:
            errors.setdefault(code, []).extend(error.messages)
    return cleaned, errors


def _add_errors(errors: dict[str, list[str]], more: Mapping[str, Iterable[str]]) -> None:
    """Add `more` to `errors` (field → messages), each message once."""
    for code, messages in more.items():
        listed = errors.setdefault(code, [])
        listed.extend(message for message in messages if message not in listed)


def _unfilled(figures: Mapping[str, Decimal | None], indicators: Mapping[str, Indicator]) -> dict[str, list[str]]:
    """The indicators of the month without a figure in `figures`, each with what submission asks of it."""
    return {
        code: [_("请填写「%(field)s」（没有发生请填0）。") % {"field": indicator.name}]
        for code, indicator in indicators.items()
        if figures.get(code) is None
    }


def _progress_errors(report: MonthlyReport, progress: list[Mapping[str, object]]) -> dict[str, list[str]]:
    """What parsing the project rows refuses (`progress[<index>].<field>`), read beside the figures' errors."""
    try:
        _parse_progress(report, progress)
    except ValidationError as error:
        return error.message_dict
    return {}


def _evidence_errors(evidence: list[tuple[Indicator | None, object]]) -> dict[str, list[str]]:
    """The uploads the evidence checks refuse, under the entry form's field of each (`evidence-<code>`)."""
    errors: dict[str, list[str]] = {}
    for indicator, upload in evidence:
        try:
            check_evidence_file(upload)
        except ValidationError as error:
            errors.setdefault(f"evidence-{indicator.code if indicator else 'report'}", []).extend(error.messages)
    return errors


def _submission_errors(
    report: MonthlyReport,
    indicators: Mapping[str, Indicator],
    *,
    uploaded: Collection[str] = (),
    projects_known: bool = True,
) -> dict[str, list[str]]:
    """Everything submitting the report as stored asks, in one dict: every figure filled, the hard rules passed,
    every flagged figure explained (quality._submission_checks, which says what `uploaded` and `projects_known`
    are)."""
    errors = _unfilled(dict(report.values.values_list("indicator__code", "value")), indicators)
    checks = _submission_checks(report, indicators, uploaded=uploaded, projects_known=projects_known)
    _add_errors(errors, checks)
    return errors


@transaction.atomic
def monthly_report_save(
    *,
    actor: AbstractBaseUser | None,
    report: MonthlyReport,
    values: Mapping[str, object],
    progress: Iterable[Mapping[str, object]] | None = None,
    explanations: Mapping[str, str] | None = None,
    reason: str = "",
    evidence: Iterable[tuple[Indicator | None, object]] = (),
    submit: bool = False,
) -> MonthlyReport:
    """Save figures (and project progress rows) of a draft or returned report, recording every change.

    Hard validation rules refuse the save (nothing is stored); soft rules flag figures for the
    reviewer, and `explanations` (indicator code → the filer's comment) explain flagged figures (R-3.5).
    `evidence` attaches files as `report_evidence_add` does, (indicator, file) or (None, file) for the
    whole report; a refused file raises its messages under `evidence-<indicator code>` (`evidence-report`),
    the entry form's field. With `submit` the report is then submitted (`monthly_report_submit`). It is one
    operation: when any step is refused, nothing is stored.
    """
    evidence = list(evidence)
    # Every error of every field in one round: the uploads, the figures, the project rows and, for a submission,
    # what submitting asks, in one ValidationError. Nothing is written either way: the raise rolls back what the
    # checks wrote, and no file is stored before they all pass.
    errors = _evidence_errors(evidence)
    uploaded = {indicator.code for indicator, _upload in evidence if indicator is not None}
    try:
        report, refused = _save_figures(
            actor=actor,
            report=report,
            values=values,
            progress=progress,
            explanations=explanations,
            reason=reason,
            submit=submit,
            uploaded=uploaded,
        )
    except ValidationError as error:
        refused = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    _add_errors(errors, refused)
    if errors:
        raise ValidationError(errors)
    for indicator, upload in evidence:
        try:
            report_evidence_add(actor=actor, report=report, file=upload, indicator=indicator)
        except ValidationError as error:
            raise ValidationError({f"evidence-{indicator.code if indicator else 'report'}": error.messages}) from None
    if submit:
        report = monthly_report_submit(actor=actor, report=report)
    return report


@audited(name="monthly_report_save")
def _save_figures(
    *,
    actor: AbstractBaseUser | None,
    report: MonthlyReport,
    values: Mapping[str, object],
    progress: Iterable[Mapping[str, object]] | None,
    explanations: Mapping[str, str] | None,
    reason: str,
    submit: bool = False,
    uploaded: Collection[str] = (),
) -> tuple[MonthlyReport, dict[str, list[str]]]:
    """The figures, project rows and explanations of `monthly_report_save`, in its transaction, and what refuses
    them: the figures that do not parse, what the hard rules say about those that do, the project rows that do
    not parse and, for a submission (`submit`), what submitting asks (_submission_errors), as field → messages.
    The caller raises those (its transaction then keeps nothing); a report in a state that takes no figures
    raises ConflictError here."""
    report = _locked(report.pk)
    if not report.is_editable:
        raise ConflictError(_("月报当前状态为“%(status)s”，不能修改。") % {"status": ReportStatus(report.status).label})
    _ensure_open_for_entry(report)
    reason = (reason or "").strip() or _correction_reason(report)
    _audit_reason(reason)
    indicators = selectors.indicators_by_code(report.period)
    cleaned, errors = _clean_values(values, indicators)
    stored = {v.indicator.code: v for v in report.values.select_related("indicator")}
    # A figure typed wrongly is judged by no rule (not by its stored value either): its message says it all.
    merged = {code: v.value for code, v in stored.items() if code in indicators and code not in errors} | cleaned
    # Rows are only ever added here, so the report has project rows after the save when it has them now or
    # is given some (the sum itself is checked at submission).
    progress = list(progress) if progress is not None else None
    progress_errors = _progress_errors(report, progress) if progress else {}
    project_rows = bool(progress) or report.project_progress.exists()
    checked = rules.evaluate(report, merged, indicators=indicators, projects_total=None, project_rows=project_rows)
    _add_errors(errors, checked.errors)
    _add_errors(errors, progress_errors)
    if errors and not submit:
        return report, errors
    # A submission is judged as it would be stored even when figures are refused: what parsed is written (the
    # refused figures without a value, as `merged` leaves them unjudged), then checked; the caller's raise
    # rolls it all back.
    _store_entry(
        actor,
        report,
        figures=cleaned | dict.fromkeys(code for code in errors if code in indicators),
        stored=stored,
        indicators=indicators,
        progress=None if progress_errors else progress,
        flags=checked.flags,
        explanations=explanations or {},
        reason=reason,
    )
    if submit:
        more = _submission_errors(report, indicators, uploaded=uploaded, projects_known=not progress_errors)
        _add_errors(errors, {code: messages for code, messages in more.items() if code not in errors})
    return report, errors


def _store_entry(
    actor: AbstractBaseUser | None,
    report: MonthlyReport,
    *,
    figures: Mapping[str, Decimal | None],
    stored: Mapping[str, ReportValue],
    indicators: Mapping[str, Indicator],
    progress: list[Mapping[str, object]] | None,
    flags: list[rules.Finding],
    explanations: Mapping[str, str],
    reason: str,
) -> None:
    """Write the figures, the project rows (the projects' later months follow) and the flags with their
    explanations, and record what changed in one SAVE event."""
    value_changes = _store_values(report, figures, stored, indicators)
    project_changes = _save_progress(report, progress) if progress is not None else {}
    if project_changes:
        touched = Project.objects.filter(town=report.town, code__in=list(project_changes))
        _recompute_cumulatives(actor, touched, skip_report=report)
    note_changes = _sync_flags(report, flags, indicators, explanations)
    changes = {}
    if value_changes:
        changes["values"] = value_changes
    if project_changes:
        changes["projects"] = project_changes
    if note_changes:
        changes["notes"] = note_changes
    if changes:
        report.save(update_fields=["updated_at"])
        _event(report, actor, ReportEvent.Action.SAVE, report.status, reason=reason, changes=changes)


def _store_values(
    report: MonthlyReport,
    cleaned: Mapping[str, Decimal | None],
    stored: Mapping[str, ReportValue],
    indicators: Mapping[str, Indicator],
) -> dict[str, list[str | None]]:
    """Write the figures that changed (an empty one deletes its row); return them as code → [old, new]."""
    value_changes: dict[str, list[str | None]] = {}
    for code, new in cleaned.items():
        row = stored.get(code)
        old = row.value if row else None
        if old == new:
            continue
        value_changes[code] = [_text(old), _text(new)]
        if new is None:
            row.delete()
        elif row is None:
            ReportValue.objects.create(report=report, indicator=indicators[code], value=new)
        else:
            row.value = new
            row.save(update_fields=["value"])
    return value_changes


# The fields that record when a report reached a status of the workflow, and who took it there.
STAMPED = {
    ReportStatus.SUBMITTED: ("submitted_at", "submitted_by"),
    ReportStatus.DISTRICT_APPROVED: ("approved_at", "approved_by"),
    ReportStatus.ACCEPTED: ("accepted_at", "accepted_by"),
}


def _reach(report: MonthlyReport, status: str, actor: AbstractBaseUser, at: datetime.datetime | None = None) -> None:
    """The report reaches `status` (unsaved), stamped with when (`at`, default now) and by whom."""
    at_field, by_field = STAMPED[status]
    report.status = status
    setattr(report, at_field, at or timezone.now())
    setattr(report, by_field, actor)


# The steps that hand a report on: the status each reaches, and who is told it now waits for them (the holders
# of that permission on the town), with the notification's kind and subject.
_FORWARD = {
    ReportEvent.Action.SUBMIT: (
        ReportStatus.SUBMITTED,
        unit_perms.APPROVE,
        "report_submitted",
        _lazy("%(report)s 月报已报送，请审核"),
    ),
    ReportEvent.Action.APPROVE: (
        ReportStatus.DISTRICT_APPROVED,
        unit_perms.ACCEPT,
        "report_approved",
        _lazy("%(report)s 月报已通过区级审核，请验收"),
    ),
}


def _forward(report: MonthlyReport, actor, action: str, from_status: str, at=None) -> MonthlyReport:
    """The report takes the step `action` (_FORWARD): it reaches the step's status, is saved with the step's
    event, and the people it now waits for are told."""
    status, perm, kind, subject = _FORWARD[action]
    _reach(report, status, actor, at)
    report.save()
    event = _event(report, actor, action, from_status)
    _tell(report, event, users_with_unit_perm(report.town.unit, perm), kind, subject % {"report": report})
    return report


def timeliness_of(period: datetime.date, submitted_at: datetime.datetime) -> str:
    """On time when filed (Asia/Shanghai date) by the due date, late by the close day, missing after it (R-3.4)."""
    return deadlines.timeliness_at(period, submitted_at)


@transaction.atomic
@audited
def monthly_report_submit(*, actor: AbstractBaseUser, report: MonthlyReport) -> MonthlyReport:
    """Officer: draft or returned → submitted. Timeliness is fixed by the first submission (R-3.4), against the
    month's deadlines as they stand that day, which `due_on` records (ledgers.deadlines). Refused, it names
    every empty figure, broken rule and unexplained flag at once (_submission_errors)."""
    report = _locked(report.pk)
    from_status = _transition(report, {ReportStatus.DRAFT, ReportStatus.RETURNED}, _("报送"))
    _ensure_open_for_entry(report)
    errors = _submission_errors(report, selectors.indicators_by_code(report.period))
    if errors:
        raise ValidationError(errors)  # every figure empty, rule broken and flag unexplained at once
    now = timezone.now()
    if report.timeliness is None:
        report.timeliness = timeliness_of(report.period, now)
        report.due_on = deadlines.due_date(report.period)
    return _forward(report, actor, ReportEvent.Action.SUBMIT, from_status, at=now)


@transaction.atomic
@audited
def monthly_report_approve(*, actor: AbstractBaseUser, report: MonthlyReport) -> MonthlyReport:
    """District leader: submitted → district_approved."""
    report = _locked(report.pk)
    from_status = _transition(report, {ReportStatus.SUBMITTED}, _("审核通过"))
    return _forward(report, actor, ReportEvent.Action.APPROVE, from_status)


@transaction.atomic
@audited
def monthly_report_accept(
    *, actor: AbstractBaseUser, report: MonthlyReport, waivers: Mapping[str, str] | None = None
) -> MonthlyReport:
    """Office (综合政策组): district_approved → accepted; the report is locked from then on.

    No report is accepted with an open doubt (R-3.5): each open flag is closed here, confirmed when the
    district explained it (a comment or an evidence file), waived when the accepting office member gives
    a reason in `waivers` (flag id, rule code or indicator code → reason). An unexplained flag without a
    waiver refuses the acceptance (ConflictError naming the flags); the waivers go into the ACCEPT event.
    """
    report = _locked(report.pk)
    from_status = _transition(report, {ReportStatus.DISTRICT_APPROVED}, _("验收"))
    flag_changes, waiver_text = close_flags_at_acceptance(report, actor, waivers or {})
    _audit_reason(waiver_text)
    _reach(report, ReportStatus.ACCEPTED, actor)
    report.save()
    progress_plans_freeze(report)  # the month keeps the plan it was judged against (issue 15)
    accepted_figures_refresh([report.pk])  # the dashboards read it on the next request (issue 8)
    changes = {"flags": flag_changes} if flag_changes else None
    event = _event(report, actor, ReportEvent.Action.ACCEPT, from_status, reason=waiver_text, changes=changes)
    _tell(report, event, _filers(report), "report_accepted", _("%(report)s 月报已验收") % {"report": report})
    return report


@transaction.atomic
@audited
def monthly_report_return(*, actor: AbstractBaseUser, report: MonthlyReport, reason: str) -> MonthlyReport:
    """Either reviewer: submitted or district_approved → returned, with a reason the filer reads."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("退回时必须填写退回原因。")]})
    report = _locked(report.pk)
    from_status = _transition(report, {ReportStatus.SUBMITTED, ReportStatus.DISTRICT_APPROVED}, _("退回"))
    report.status = ReportStatus.RETURNED
    report.return_reason = reason
    report.save()
    event = _event(report, actor, ReportEvent.Action.RETURN, from_status, reason=reason)
    _tell(
        report,
        event,
        _filers(report),
        "report_returned",
        _("%(report)s 月报被退回") % {"report": report},
        body=_("退回原因：%(reason)s") % {"reason": reason},
    )
    return report
