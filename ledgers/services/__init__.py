"""All writes of monthly reports and the project ledger (R-3.3, R-3.4).

Each function is one business operation in one transaction, writes its audit event beside the
change and leaves the database untouched when it raises.
"""

import datetime
import io
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import permissions as unit_perms
from coordination import services as org
from coordination.models import OrgUnit, Town
from coordination.permissions import towns_for_user
from coordination.selectors import users_with_unit_perm
from coordination.services import notify
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from .. import deadlines, exports, imports, rules, selectors
from ..evidence import check_evidence_file
from ..models import (
    DataFlag,
    EntryException,
    Evidence,
    Indicator,
    MonthlyReport,
    Project,
    ProjectProgress,
    ReopenRequest,
    ReportEvent,
    ReportStatus,
    ReportValue,
    Timeliness,
    WorkInfo,
    WorkInfoEvent,
)
from ..summaries import accepted_figures_refresh
from .catalogue import indicator_create, indicator_update  # noqa: F401 (re-exported)
from .common import MAX_VALUE, _audit_reason, _number, _text, audited  # noqa: F401 (re-exported)
from .flags import close_flags_at_acceptance
from .projects import (  # noqa: F401 (re-exported: ledger.project_create(...))
    PROJECT_FIELDS,
    progress_plans_freeze,
    project_attachment_add,
    project_create,
    project_update,
)


def _event(report: MonthlyReport, actor, action: str, from_status: str, reason: str = "", changes=None) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=report.status,
        reason=reason,
        changes=changes or {},
    )


def _locked(report_id: int) -> MonthlyReport:
    return MonthlyReport.objects.select_for_update().select_related("town__unit").get(pk=report_id)


def _tell(obj, event, recipients, kind: str, subject: str, body: str = "", *, page: str = "report-detail") -> None:
    """Notify the next people in a workflow (a report's, or work information's); the event id makes each
    step's occasion unique. `page` is the URL name of the object's page."""
    notify(
        recipients=recipients,
        kind=kind,
        subject=subject,
        body=body,
        link=reverse(page, args=[obj.pk]),
        about=obj,
        occasion=f"{kind}:{obj.pk}:{event.pk}",
    )


def _filers(report: MonthlyReport) -> list:
    return [report.submitted_by, *users_with_unit_perm(report.town.unit, unit_perms.FILL)]


@transaction.atomic
@audited
def monthly_report_create(*, actor: AbstractBaseUser | None, town: Town, period: datetime.date) -> MonthlyReport:
    """Open the report of `town` for `period` (the first day of a month that has ended).

    After the month's close day the month is missing and locked (R-3.4) from the date alone, whether or
    not the nightly run has recorded it yet: only the office's exception for the town opens it again.
    """
    period = dates.month_start(period)
    if not dates.period_has_ended(period):
        raise ValidationError(
            {"period": _("%(period)s 尚未结束，不能填报该月月报。") % {"period": dates.format_period(period)}}
        )
    if not town.expects_report(period):
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


def _clean_values(raw_values: Mapping[str, object], indicators: dict[str, Indicator]) -> dict[str, Decimal | None]:
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
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
@audited
def monthly_report_save(
    *,
    actor: AbstractBaseUser | None,
    report: MonthlyReport,
    values: Mapping[str, object],
    progress: Iterable[Mapping[str, object]] | None = None,
    explanations: Mapping[str, str] | None = None,
    reason: str = "",
) -> MonthlyReport:
    """Save figures (and project progress rows) of a draft or returned report, recording every change.

    Hard validation rules refuse the save (nothing is stored); soft rules flag figures for the
    reviewer, and `explanations` (indicator code → the filer's comment) explain flagged figures (R-3.5).
    """
    report = _locked(report.pk)
    if not report.is_editable:
        raise ConflictError(_("月报当前状态为“%(status)s”，不能修改。") % {"status": ReportStatus(report.status).label})
    _ensure_open_for_entry(report)
    reason = (reason or "").strip() or _correction_reason(report)
    _audit_reason(reason)
    indicators = selectors.indicators_by_code(report.period)
    cleaned = _clean_values(values, indicators)
    stored = {v.indicator.code: v for v in report.values.select_related("indicator")}
    merged = {code: v.value for code, v in stored.items() if code in indicators} | cleaned
    # Rows are only ever added here, so the report has project rows after the save when it has them now or
    # is given some (the sum itself is checked at submission).
    progress = list(progress) if progress is not None else None
    project_rows = bool(progress) or report.project_progress.exists()
    checked = rules.evaluate(report, merged, indicators=indicators, projects_total=None, project_rows=project_rows)
    if checked.errors:
        raise ValidationError(checked.errors)

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

    project_changes = _save_progress(report, progress) if progress is not None else {}
    if project_changes:
        touched = Project.objects.filter(town=report.town, code__in=list(project_changes))
        _recompute_cumulatives(actor, touched, skip_report=report)
    note_changes = _sync_flags(report, checked.flags, indicators, explanations or {})
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
    return report


PROGRESS_TEXT_FIELDS = ("physical_progress", "problems")


def _save_progress(report: MonthlyReport, rows: Iterable[Mapping[str, object]]) -> dict:
    """Upsert the report's project rows; cumulative figures are derived from earlier months."""
    rows = list(rows)
    project_ids = [row.get("project") for row in rows]
    projects = {p.pk: p for p in Project.objects.filter(town=report.town, pk__in=[p for p in project_ids if p])}
    errors: dict[str, list[str]] = {}
    parsed = []
    for index, row in enumerate(rows):
        project = projects.get(_int_or_none(row.get("project")))
        if project is None:
            errors[f"progress[{index}].project"] = [_("项目不存在或不属于本小镇。")]
            continue
        try:
            month = _number(
                row.get("investment_month") or 0, _("%(project)s 本月完成投资") % {"project": project.name}, 2
            )
        except ValidationError as error:
            errors[f"progress[{index}].investment_month"] = error.messages
            continue
        parsed.append((project, month, {f: str(row.get(f) or "").strip() for f in PROGRESS_TEXT_FIELDS}))
    if errors:
        raise ValidationError(errors)

    year_start = report.period.replace(month=1)
    earlier = (
        ProjectProgress.objects.filter(project__in=[p for p, _m, _t in parsed], report__period__lt=report.period)
        .values("project")
        .annotate(total=Sum("investment_month"))
    )
    earlier_total = {row["project"]: row["total"] for row in earlier}
    earlier_year = {
        row["project"]: row["total"]
        for row in ProjectProgress.objects.filter(
            project__in=[p for p, _m, _t in parsed], report__period__lt=report.period, report__period__gte=year_start
        )
        .values("project")
        .annotate(total=Sum("investment_month"))
    }
    existing = {p.project_id: p for p in report.project_progress.all()}
    changes: dict[str, dict] = {}
    for project, month, texts in parsed:
        fields = {
            "investment_month": month,
            "investment_year": earlier_year.get(project.pk, Decimal(0)) + month,
            "investment_total": earlier_total.get(project.pk, Decimal(0)) + month,
            **texts,
        }
        row = existing.get(project.pk)
        diff = {}
        for name, new in fields.items():
            old = getattr(row, name) if row else None
            if old != new:
                diff[name] = [
                    _text(old) if isinstance(old, Decimal) else old,
                    _text(new) if isinstance(new, Decimal) else new,
                ]
        if not diff:
            continue
        changes[project.code] = diff
        if row is None:
            ProjectProgress.objects.create(project=project, report=report, **fields)
        else:
            for name, new in fields.items():
                setattr(row, name, new)
            row.save()
    return changes


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _transition(report: MonthlyReport, allowed_from: set[str], verb: str) -> str:
    if report.status not in allowed_from:
        raise ConflictError(
            _("月报当前状态为“%(status)s”，不能%(verb)s。")
            % {"status": ReportStatus(report.status).label, "verb": verb}
        )
    return report.status


def timeliness_of(period: datetime.date, submitted_at: datetime.datetime) -> str:
    """On time when filed (Asia/Shanghai date) by the due date, late by the close day, missing after it (R-3.4)."""
    return deadlines.timeliness_at(period, submitted_at)


@transaction.atomic
@audited
def monthly_report_submit(*, actor: AbstractBaseUser, report: MonthlyReport) -> MonthlyReport:
    """Officer: draft or returned → submitted. Timeliness is fixed by the first submission (R-3.4), against the
    month's deadlines as they stand that day, which `due_on` records (ledgers.deadlines)."""
    report = _locked(report.pk)
    from_status = _transition(report, {ReportStatus.DRAFT, ReportStatus.RETURNED}, _("报送"))
    _ensure_open_for_entry(report)
    filled = set(report.values.values_list("indicator__code", flat=True))
    missing = [i for i in selectors.indicators_by_code(report.period).values() if i.code not in filled]
    if missing:
        raise ValidationError(
            {i.code: [_("请填写「%(field)s」（没有发生请填0）。") % {"field": i.name}] for i in missing}
        )
    _check_before_submission(report)
    now = timezone.now()
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now
    report.submitted_by = actor
    if report.timeliness is None:
        report.timeliness = timeliness_of(report.period, now)
        report.due_on = deadlines.due_date(report.period)
    report.save()
    event = _event(report, actor, ReportEvent.Action.SUBMIT, from_status)
    _tell(
        report,
        event,
        users_with_unit_perm(report.town.unit, unit_perms.APPROVE),
        "report_submitted",
        _("%(report)s 月报已报送，请审核") % {"report": report},
    )
    return report


@transaction.atomic
@audited
def monthly_report_approve(*, actor: AbstractBaseUser, report: MonthlyReport) -> MonthlyReport:
    """District leader: submitted → district_approved."""
    report = _locked(report.pk)
    from_status = _transition(report, {ReportStatus.SUBMITTED}, _("审核通过"))
    report.status = ReportStatus.DISTRICT_APPROVED
    report.approved_at = timezone.now()
    report.approved_by = actor
    report.save()
    event = _event(report, actor, ReportEvent.Action.APPROVE, from_status)
    _tell(
        report,
        event,
        users_with_unit_perm(report.town.unit, unit_perms.ACCEPT),
        "report_approved",
        _("%(report)s 月报已通过区级审核，请验收") % {"report": report},
    )
    return report


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
    report.status = ReportStatus.ACCEPTED
    report.accepted_at = timezone.now()
    report.accepted_by = actor
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


# --- Background export (R-3.7) ----------------------------------------------------------------------

EXPORT_PROGRESS_SECONDS = 0.3  # how often the worker records its progress for the page to poll


def ledger_export_run(*, job_id: int) -> None:
    """Build the ledger workbook of an export job with the owner's current scope; safe to run again.

    Not one transaction on purpose: each progress report commits at once, so the page polling the job
    sees the bar move. The file and the "done" state are written together by export_job_finish.
    """
    job = org.export_job_start(job_id=job_id)
    if job is None:
        return  # finished already (a redelivered task)
    towns = selectors.towns_in_scope(job.owner, district_id=job.params.get("district"))
    year = int(job.params["year"])
    total = max(exports.ledger_row_count(towns, year), 1)
    org.export_job_progress(job_id=job.pk, done=0, total=total)
    last_report = time.monotonic()

    def progress(done: int) -> None:
        nonlocal last_report
        if time.monotonic() - last_report >= EXPORT_PROGRESS_SECONDS:
            last_report = time.monotonic()
            org.export_job_progress(job_id=job.pk, done=done, total=total)

    output = io.BytesIO()
    exports.write_ledger_workbook(output, towns=towns, year=year, progress=progress)
    org.export_job_finish(job_id=job.pk, filename=job.params["filename"], content=output.getvalue())


# --- Data quality: rules, flags, evidence, locking, corrections, import (issue 3) ---


def _correction_reason(report: MonthlyReport) -> str:
    """While a reopened report is being corrected, its saves carry the approved request's reason."""
    if report.accepted_at is None:
        return ""
    request = (
        report.reopen_requests.filter(status=ReopenRequest.Status.APPROVED, decided_at__gte=report.accepted_at)
        .order_by("-decided_at")
        .first()
    )
    return _("更正已验收数据：%(reason)s") % {"reason": request.reason} if request else ""


def entry_locked(report: MonthlyReport) -> bool:
    """Entry is locked for a report never filed by its month's close day (漏报), whether or not the nightly
    run has recorded it yet, unless the office made an exception (ledgers.deadlines.entry_locked)."""
    return deadlines.entry_locked(report.town_id, report.period, submitted_at=report.submitted_at)


def _locked_message(what: str, period: datetime.date) -> str:
    return _(
        "%(report)s 月报在关闭日（%(close)s）前未报送，计为漏报，填报已锁定。如需补报，请联系市特镇办开通补报例外。"
    ) % {"report": what, "close": _day(deadlines.close_date(period))}


def _day(day: datetime.date) -> str:
    return _("%(year)s年%(month)s月%(day)s日") % {"year": day.year, "month": day.month, "day": day.day}


def _ensure_open_for_entry(report: MonthlyReport) -> None:
    if entry_locked(report):
        raise ConflictError(_locked_message(str(report), report.period))


def _sync_flags(
    report: MonthlyReport, findings: list[rules.Finding], indicators: Mapping[str, Indicator], explanations
) -> dict[str, list]:
    """Store the soft rules' findings as the report's flags; return the explanations that changed.

    A flag keeps its explanation while its figure is unchanged; a changed figure needs a new one.
    Flags of figures the rules no longer find unusual are removed.
    """
    notes = {code: (text or "").strip()[:2000] for code, text in explanations.items()}
    existing = {(flag.rule_id, flag.indicator_id): flag for flag in report.flags.all()}
    changes: dict[str, list] = {}
    seen = set()
    for finding in findings:
        indicator = indicators[finding.code]
        key = (finding.rule.pk, indicator.pk)
        seen.add(key)
        note = notes.get(finding.code)
        flag = existing.get(key)
        before = flag.explanation if flag else ""
        if flag is None:
            flag = DataFlag(report=report, rule=finding.rule, indicator=indicator, explanation=note or "")
        elif flag.value != finding.value:
            flag.explanation = note or ""
            flag.status, flag.resolved_by, flag.resolved_at, flag.resolution_note = DataFlag.Status.OPEN, None, None, ""
        elif note is not None:
            flag.explanation = note
        flag.value, flag.message = finding.value, finding.message
        flag.save()
        if flag.explanation != before:
            changes[finding.code] = [before or None, flag.explanation or None]
    stale = [flag.pk for key, flag in existing.items() if key not in seen]
    if stale:
        DataFlag.objects.filter(pk__in=stale).delete()
    return changes


def _check_before_submission(report: MonthlyReport) -> None:
    """Every hard rule passes (sum of projects included) and every flagged figure is explained."""
    indicators = selectors.indicators_by_code(report.period)
    evaluation = rules.evaluate_stored(report, indicators)
    blocking = evaluation.blocking_submission()
    if blocking:
        raise ValidationError(blocking)
    _sync_flags(report, evaluation.flags, indicators, {})
    unexplained = selectors.unexplained_flags(report)
    if unexplained:
        errors: dict[str, list[str]] = defaultdict(list)
        for flag in unexplained:
            errors[flag.indicator.code].append(
                _("%(message)s 请在该指标下填写说明或上传原始记录后再报送。") % {"message": flag.message}
            )
        raise ValidationError(dict(errors))


def _recompute_cumulatives(actor, projects, *, skip_report: MonthlyReport | None = None) -> int:
    """Bring every month's 本年累计 and 开工累计 of `projects` in line with their monthly figures.

    A correction of an earlier month changes the cumulative figures of the months after it; those
    reports get a RECALCULATE event naming what moved. Returns how many rows changed.
    """
    rows = list(
        ProjectProgress.objects.filter(project__in=projects)
        .select_related("report", "project")
        .order_by("project_id", "report__period")
    )
    changed: list[ProjectProgress] = []
    per_report: dict[int, dict] = defaultdict(dict)
    reports: dict[int, MonthlyReport] = {}
    total: dict[int, Decimal] = {}
    year_total: dict[tuple[int, int], Decimal] = {}
    for row in rows:
        key = (row.project_id, row.report.period.year)
        year_total[key] = year_total.get(key, Decimal(0)) + row.investment_month
        total[row.project_id] = total.get(row.project_id, Decimal(0)) + row.investment_month
        fields = {"investment_year": year_total[key], "investment_total": total[row.project_id]}
        diff = {
            name: [_text(getattr(row, name)), _text(new)] for name, new in fields.items() if getattr(row, name) != new
        }
        if not diff:
            continue
        for name, new in fields.items():
            setattr(row, name, new)
        changed.append(row)
        reports[row.report_id] = row.report
        per_report[row.report_id][row.project.code] = diff
    if changed:
        ProjectProgress.objects.bulk_update(changed, ["investment_year", "investment_total"])
    for report_id, project_changes in per_report.items():
        if skip_report is None or report_id != skip_report.pk:
            report = reports[report_id]
            _event(report, actor, ReportEvent.Action.RECALCULATE, report.status, changes={"projects": project_changes})
    return len(changed)


@transaction.atomic
@audited
def project_cumulatives_recompute(*, actor: AbstractBaseUser | None, projects) -> int:
    """Recompute the projects' cumulative investment from their monthly figures (an admin action)."""
    return _recompute_cumulatives(actor, projects)


# Evidence (原始记录) -----------------------------------------------------------------------------------


@transaction.atomic
@audited
def report_evidence_add(
    *, actor: AbstractBaseUser, report: MonthlyReport, file, indicator: Indicator | None = None, note: str = ""
) -> Evidence:
    """Attach an evidence file to a draft or returned report, for one figure or the whole report."""
    report = _locked(report.pk)
    if not report.is_editable:
        raise ConflictError(
            _("月报当前状态为“%(status)s”，不能上传原始记录。") % {"status": ReportStatus(report.status).label}
        )
    _ensure_open_for_entry(report)
    checked = check_evidence_file(file)
    evidence = Evidence(
        report=report,
        indicator=indicator,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        note=(note or "").strip()[:200],
        uploaded_by=actor,
    )
    evidence.file.save(checked.name, file, save=False)
    evidence.save()
    label = indicator.name if indicator else _("全月报")
    _event(
        report, actor, ReportEvent.Action.EVIDENCE, report.status, changes={"evidence": {label: [None, checked.name]}}
    )
    return evidence


@transaction.atomic
@audited
def report_evidence_delete(*, actor: AbstractBaseUser, evidence: Evidence) -> None:
    """Remove an attachment from a report that is still being filled in."""
    report = _locked(evidence.report_id)
    if not report.is_editable:
        raise ConflictError(
            _("月报当前状态为“%(status)s”，不能删除原始记录。") % {"status": ReportStatus(report.status).label}
        )
    label = evidence.indicator.name if evidence.indicator_id else _("全月报")
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))
    _event(
        report, actor, ReportEvent.Action.EVIDENCE, report.status, changes={"evidence": {label: [evidence.name, None]}}
    )


# Flags ------------------------------------------------------------------------------------------------


@transaction.atomic
@audited
def data_flag_resolve(*, actor: AbstractBaseUser, flag: DataFlag, note: str = "") -> DataFlag:
    """A reviewer confirms a flagged figure after reading the filer's explanation (核实无误): every open
    flag of that figure in the report is resolved together."""
    flag = DataFlag.objects.select_for_update().select_related("report__town__unit", "indicator").get(pk=flag.pk)
    if flag.status == DataFlag.Status.RESOLVED:
        raise ConflictError(_("该异常提示已经核实。"))
    if flag.status == DataFlag.Status.WAIVED:
        raise ConflictError(_("该异常提示已在验收时豁免。"))
    if flag.report.is_editable:
        raise ConflictError(_("月报尚未报送，报送后再核实。"))
    note = (note or "").strip()[:2000]
    siblings = list(
        DataFlag.objects.select_for_update().filter(
            report=flag.report, indicator=flag.indicator, status=DataFlag.Status.OPEN
        )
    )
    now = timezone.now()
    for sibling in siblings:
        sibling.status, sibling.resolved_by, sibling.resolved_at, sibling.resolution_note = (
            DataFlag.Status.RESOLVED,
            actor,
            now,
            note,
        )
    DataFlag.objects.bulk_update(siblings, ["status", "resolved_by", "resolved_at", "resolution_note"])
    _event(
        flag.report,
        actor,
        ReportEvent.Action.FLAG_RESOLVE,
        flag.report.status,
        reason=note,
        changes={"flags": {flag.indicator.code: ["；".join(f.message for f in siblings), _("已核实")]}},
    )
    flag.refresh_from_db()
    return flag


# Corrections of accepted data (reopen) -------------------------------------------------------------


def _accepted_snapshot(report: MonthlyReport) -> dict:
    values = {code: _text(value) for code, value in report.values.values_list("indicator__code", "value")}
    projects = {
        row.project.code: {
            "name": row.project.name,
            "investment_month": _text(row.investment_month),
            "investment_year": _text(row.investment_year),
            "investment_total": _text(row.investment_total),
        }
        for row in report.project_progress.select_related("project")
    }
    return {
        "values": values,
        "projects": projects,
        "accepted_at": report.accepted_at.isoformat() if report.accepted_at else None,
        "accepted_by": report.accepted_by_id,
    }


@transaction.atomic
@audited
def monthly_report_reopen_request(*, actor: AbstractBaseUser, report: MonthlyReport, reason: str) -> ReopenRequest:
    """Ask the office to reopen an accepted report for a correction, with the reason (R-3.5)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("申请更正时必须填写更正原因。")]})
    report = _locked(report.pk)
    if report.status != ReportStatus.ACCEPTED:
        raise ConflictError(
            _("只有已验收的月报需要申请更正；当前状态为“%(status)s”。") % {"status": ReportStatus(report.status).label}
        )
    if report.reopen_requests.filter(status=ReopenRequest.Status.PENDING).exists():
        raise ConflictError(_("该月报已有待审批的更正申请。"))
    _audit_reason(reason)
    request = ReopenRequest.objects.create(report=report, reason=reason[:2000], requested_by=actor)
    event = _event(report, actor, ReportEvent.Action.REOPEN_REQUEST, report.status, reason=reason)
    _tell(
        report,
        event,
        users_with_unit_perm(report.town.unit, unit_perms.ACCEPT),
        "report_reopen_requested",
        _("%(report)s 月报申请更正，请审批") % {"report": report},
        body=_("更正原因：%(reason)s") % {"reason": reason},
    )
    return request


def _pending_request(report: MonthlyReport) -> ReopenRequest:
    request = report.reopen_requests.select_for_update().filter(status=ReopenRequest.Status.PENDING).first()
    if request is None:
        raise ConflictError(_("该月报没有待审批的更正申请。"))
    return request


@transaction.atomic
@audited
def monthly_report_reopen_approve(*, actor: AbstractBaseUser, report: MonthlyReport, note: str = "") -> MonthlyReport:
    """Office: reopen an accepted report for correction; the accepted version is kept in the request."""
    report = _locked(report.pk)
    request = _pending_request(report)
    from_status = _transition(report, {ReportStatus.ACCEPTED}, _("重新打开"))
    request.snapshot = _accepted_snapshot(report)
    request.status = ReopenRequest.Status.APPROVED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = (note or "").strip()[:2000]
    request.save()
    _audit_reason(request.reason)
    report.status = ReportStatus.RETURNED
    report.return_reason = _("市特镇办已批准更正申请，请更正后重新报送。更正原因：%(reason)s") % {
        "reason": request.reason
    }
    report.save()
    accepted_figures_refresh([report.pk])  # no longer accepted: out of the dashboards (issue 8)
    event = _event(report, actor, ReportEvent.Action.REOPEN_APPROVE, from_status, reason=request.reason)
    _tell(
        report,
        event,
        _filers(report) + [request.requested_by],
        "report_reopened",
        _("%(report)s 月报的更正申请已批准，请更正后重新报送") % {"report": report},
        body=_("更正原因：%(reason)s") % {"reason": request.reason},
    )
    return report


@transaction.atomic
@audited
def monthly_report_reopen_reject(*, actor: AbstractBaseUser, report: MonthlyReport, reason: str) -> ReopenRequest:
    """Office: refuse a correction request, with the reason; the accepted report stays as it is."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("驳回时必须填写理由。")]})
    report = _locked(report.pk)
    request = _pending_request(report)
    request.status = ReopenRequest.Status.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = reason[:2000]
    request.save()
    event = _event(report, actor, ReportEvent.Action.REOPEN_REJECT, report.status, reason=reason)
    _tell(
        report,
        event,
        [request.requested_by, *users_with_unit_perm(report.town.unit, unit_perms.FILL)],
        "report_reopen_rejected",
        _("%(report)s 月报的更正申请被驳回") % {"report": report},
        body=_("驳回理由：%(reason)s") % {"reason": reason},
    )
    return request


# Locking: missing reports and exceptions (R-3.4) ----------------------------------------------------

MISSING_LOOKBACK_MONTHS = 24
EXCEPTION_MAX_DAYS = 90


@transaction.atomic
@audited
def monthly_reports_mark_missing(*, today: datetime.date | None = None, actor: AbstractBaseUser | None = None) -> int:
    """Record 漏报 on every expected report not received by its close day (R-3.4).

    Only a record: the month is missing, and its entry locked, from the day after the close day whether
    or not this has run (ledgers.deadlines). Safe to run every day (beat): a report already recorded,
    or received, is left alone. A town that never opened the month gets the report row (an empty,
    locked draft) so that the fact is stored; a town not expected to report that month (before
    joining, after exit) gets nothing.
    """
    today = today or dates.today()
    last = dates.last_ended_period(today)
    periods = [
        period
        for period in (dates.add_months(last, -offset) for offset in range(MISSING_LOOKBACK_MONTHS))
        if deadlines.is_closed(period, today)
    ]
    if not periods:
        return 0
    reports = {
        (report.town_id, report.period): report
        for report in MonthlyReport.objects.select_for_update().filter(period__in=periods)
    }
    reason = _("截止日前未报送")
    marked = 0
    for town in Town.objects.select_related("unit").order_by("pk"):
        for period in periods:
            if not town.expects_report(period):
                continue
            report = reports.get((town.pk, period))
            if report is None:
                report = MonthlyReport.objects.create(
                    town=town, period=period, due_on=deadlines.due_date(period), timeliness=Timeliness.MISSING
                )
                _event(report, actor, ReportEvent.Action.MARK_MISSING, "", reason=reason)
            elif report.timeliness is None and deadlines.is_missing(
                period, timeliness=None, submitted_at=report.submitted_at, today=today
            ):
                report.timeliness = Timeliness.MISSING
                report.due_on = deadlines.due_date(period)
                report.save(update_fields=["timeliness", "due_on", "updated_at"])
                _event(report, actor, ReportEvent.Action.MARK_MISSING, report.status, reason=reason)
            else:
                continue
            marked += 1
    return marked


@transaction.atomic
@audited
def entry_exception_grant(
    *, actor: AbstractBaseUser, town: Town, period: datetime.date, reason: str, expires_on: datetime.date
) -> EntryException:
    """Office: let one town enter one locked month until `expires_on`, for a stated reason (R-3.4)."""
    period = dates.month_start(period)
    reason = (reason or "").strip()
    today = dates.today()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("开通补报例外必须填写原因。")]
    if not town.expects_report(period):
        errors["period"] = [_("该小镇在 %(period)s 不需要报送月报。") % {"period": dates.format_period(period)}]
    elif not deadlines.is_closed(period, today):
        errors["period"] = [
            _("%(period)s 的月报关闭日（%(close)s）还没过，填报没有锁定，不需要开通例外。")
            % {"period": dates.format_period(period), "close": _day(deadlines.close_date(period))}
        ]
    if expires_on < today:
        errors["expires_on"] = [_("有效期不能早于今天。")]
    elif expires_on > today + datetime.timedelta(days=EXCEPTION_MAX_DAYS):
        errors["expires_on"] = [_("有效期最长 %(days)s 天。") % {"days": EXCEPTION_MAX_DAYS}]
    if errors:
        raise ValidationError(errors)
    active = deadlines.active_exception(town.pk, period)
    if active is not None:
        raise ConflictError(
            _("%(town)s %(period)s 已有有效的补报例外（至 %(date)s）。")
            % {"town": town, "period": dates.format_period(period), "date": active.expires_on.isoformat()}
        )
    report = MonthlyReport.objects.select_for_update().filter(town=town, period=period).first()
    if report is not None and report.submitted_at is not None:
        raise ConflictError(_("%(report)s 月报已经报送过，不需要开通例外。") % {"report": report})
    _audit_reason(reason)
    exception = EntryException.objects.create(
        town=town, period=period, reason=reason[:2000], expires_on=expires_on, granted_by=actor
    )
    if report is not None:
        _event(report, actor, ReportEvent.Action.EXCEPTION, report.status, reason=reason)
    notify(
        recipients=users_with_unit_perm(town.unit, unit_perms.FILL),
        kind="entry_exception",
        subject=_("市特镇办已为 %(town)s %(period)s 开通补报例外，有效期至 %(date)s")
        % {"town": town, "period": dates.format_period(period), "date": expires_on.isoformat()},
        body=_("原因：%(reason)s") % {"reason": reason},
        link=reverse("report-detail", args=[report.pk]) if report else reverse("home"),
        about=exception,
        occasion=f"entry_exception:{exception.pk}",
    )
    return exception


@transaction.atomic
@audited
def entry_exception_revoke(*, actor: AbstractBaseUser, exception: EntryException) -> EntryException:
    exception = EntryException.objects.select_for_update().get(pk=exception.pk)
    if exception.revoked_at is not None:
        raise ConflictError(_("该补报例外已经撤销。"))
    exception.revoked_at = timezone.now()
    exception.revoked_by = actor
    exception.save(update_fields=["revoked_at", "revoked_by"])
    return exception


# Excel import (R-3.7) --------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    reports: list[MonthlyReport]
    created: int  # reports opened by the import
    figures: int  # figures written


@transaction.atomic
@audited
def monthly_reports_import(
    *, actor: AbstractBaseUser, district: OrgUnit, period: datetime.date, data: bytes, filename: str = ""
) -> ImportSummary:
    """Import one month's figures of a district from the ledger template: every row or none (R-3.7).

    The file is read and every row checked (towns, permissions, report states, locks, numbers, hard
    rules) before anything is written; the first problem found anywhere leaves the database as it
    was, and ImportRejected lists them all with sheet, row and column. Rows are then saved through
    monthly_report_save, so flags, audit events and the trail are the same as on the entry form.
    """
    period = dates.month_start(period)
    if not dates.period_has_ended(period):
        raise imports.ImportRejected(
            [
                imports.Problem(
                    "", None, "", _("%(period)s 尚未结束，不能导入。") % {"period": dates.format_period(period)}
                )
            ]
        )
    indicators = selectors.indicators_by_code(period)
    # The columns of the year's template; an indicator that does not apply in `period` must stay empty.
    sheet = imports.read_month_sheet(data, period=period, indicators=selectors.indicators_of_year(period.year))
    towns = {t.code: t for t in Town.objects.filter(district=district).select_related("unit")}
    fillable = set(towns_for_user(actor, unit_perms.FILL).filter(district=district).values_list("pk", flat=True))
    reports = {r.town_id: r for r in MonthlyReport.objects.filter(town__district=district, period=period)}
    stored: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for report_id, code, value in ReportValue.objects.filter(report__in=list(reports.values())).values_list(
        "report_id", "indicator__code", "value"
    ):
        stored[report_id][code] = value
    active_rules = rules.active_rules()
    problems: list[imports.Problem] = list(sheet.problems)
    plan: list[tuple[Town, MonthlyReport | None, dict[str, Decimal]]] = []
    for row in sheet.rows:

        def problem(column: str, message: str, row=row) -> None:
            problems.append(imports.Problem(sheet.sheet, row.row, column, message))

        town = towns.get(row.town_code)
        if row.district != district.name:
            problem(
                "A",
                _("该行的区为「%(row)s」，与所选的「%(district)s」不符。")
                % {"row": row.district, "district": district},
            )
            continue
        if town is None:
            problem(
                "B",
                _("未知的小镇编码「%(code)s」（%(district)s没有该小镇）。")
                % {"code": row.town_code, "district": district},
            )
            continue
        if row.town_name and row.town_name != town.name:
            problem(
                "C",
                _("小镇名称「%(name)s」与编码 %(code)s 的「%(town)s」不符。")
                % {"name": row.town_name, "code": town.code, "town": town},
            )
            continue
        if town.pk not in fillable:
            problem("B", _("您没有填报「%(town)s」月报的权限。") % {"town": town})
            continue
        if not town.expects_report(period):
            problem(
                "D",
                _("%(town)s 在 %(period)s 不需要报送月报。") % {"town": town, "period": dates.format_period(period)},
            )
            continue
        values: dict[str, Decimal] = {}
        for code, cell in row.figures.items():
            indicator = indicators.get(code)
            if indicator is None:
                problem(
                    cell.column,
                    _("该指标在 %(period)s 不适用，请留空。") % {"period": dates.format_period(period)},
                )
                continue
            try:
                values[code] = _number(cell.value, indicator.name, indicator.decimal_places, negative_ok=True)
            except ValidationError as error:
                problem(cell.column, "；".join(error.messages))
        report = reports.get(town.pk)
        current = stored.get(report.pk, {}) if report else {}
        changed = {code: value for code, value in values.items() if current.get(code) != value}
        if not changed:
            continue
        # The rules first, so that the list names every problem of the row, whatever its report's state.
        checked = rules.evaluate(
            report or MonthlyReport(town=town, period=period),
            current | values,
            indicators=indicators,
            projects_total=None,
            rules=active_rules,
        )
        for code, messages in checked.errors.items():
            problem(sheet.columns.get(code, ""), "；".join(messages))
        first_column = row.figures[next(iter(changed))].column
        if report is not None and report.status == ReportStatus.ACCEPTED:
            problem(
                first_column,
                _("%(report)s 月报已验收，不能通过导入修改；如需更正，请在月报页面申请更正。") % {"report": report},
            )
        elif report is not None and not report.is_editable:
            problem(
                first_column,
                _("%(report)s 月报正在审核中（%(status)s），不能导入修改。")
                % {"report": report, "status": ReportStatus(report.status).label},
            )
        elif deadlines.entry_locked(town.pk, period, submitted_at=report.submitted_at if report else None):
            problem(
                "D",
                _(
                    "%(town)s %(period)s 月报在关闭日前未报送，计为漏报，填报已锁定；如需补报，请联系市特镇办开通补报例外。"
                )
                % {"town": town, "period": dates.format_period(period)},
            )
        plan.append((town, report, changed))
    if problems:
        raise imports.ImportRejected(sorted(problems, key=lambda p: (p.row or 0, len(p.column), p.column)))
    if not plan:
        raise imports.ImportRejected(
            [imports.Problem(sheet.sheet, None, "", _("文件中没有需要导入的数据：所有数字为空或与系统中一致。"))]
        )
    reason = _("Excel导入：%(file)s") % {"file": filename or _("未命名文件")}
    _audit_reason(reason)
    saved, created, figures = [], 0, 0
    for town, report, values in plan:
        if report is None:
            report = monthly_report_create(actor=actor, town=town, period=period)
            created += 1
        saved.append(monthly_report_save(actor=actor, report=report, values=values, reason=reason))
        figures += len(values)
    return ImportSummary(reports=saved, created=created, figures=figures)


# --- Work information (信息报送, R-3.2) ----------------------------------------------------------------

WORK_INFO_FIELDS = ("category", "title", "body", "happened_on")


def _check_work_info(org_unit: OrgUnit, values: dict) -> None:
    errors = {}
    if org_unit.level == OrgUnit.Level.MUNICIPAL:
        errors["org_unit"] = [_("工作信息由区或小镇报送。")]
    if values.get("category") not in WorkInfo.Category.values:
        errors["category"] = [_("请选择信息类别。")]
    if not (values.get("title") or "").strip():
        errors["title"] = [_("请填写标题。")]
    elif len(values["title"].strip()) > 120:
        errors["title"] = [_("标题不能超过120个字。")]
    if len((values.get("body") or "").strip()) < 10:
        errors["body"] = [_("请填写正文（不少于10个字）。")]
    happened_on = values.get("happened_on")
    if happened_on is None:
        errors["happened_on"] = [_("请填写发生日期。")]
    elif happened_on > dates.today():
        errors["happened_on"] = [_("发生日期不能晚于今天。")]
    if errors:
        raise ValidationError(errors)


def _work_info_event(info: WorkInfo, actor, action: str, from_status: str, reason: str = "") -> WorkInfoEvent:
    return WorkInfoEvent.objects.create(
        info=info, actor=actor, action=action, from_status=from_status, to_status=info.status, reason=reason
    )


def _work_info_locked(info_id: int) -> WorkInfo:
    return WorkInfo.objects.select_for_update().select_related("org_unit").get(pk=info_id)


def _work_info_transition(info: WorkInfo, allowed_from: set[str], verb: str) -> str:
    if info.status not in allowed_from:
        raise ConflictError(
            _("该信息当前状态为“%(status)s”，不能%(verb)s。")
            % {"status": WorkInfo.Status(info.status).label, "verb": verb}
        )
    return info.status


def _work_info_move(
    info: WorkInfo, actor, allowed_from: set[str], verb: str, to_status: str, action: str, reason: str = "", **fields
) -> tuple[WorkInfo, WorkInfoEvent]:
    """One step of the workflow: lock the item, check it may take the step, move it to `to_status` with
    `fields`, and write the step to its trail."""
    info = _work_info_locked(info.pk)
    from_status = _work_info_transition(info, allowed_from, verb)
    info.status = to_status
    for name, value in fields.items():
        setattr(info, name, value)
    info.save()
    return info, _work_info_event(info, actor, action, from_status, reason)


def _work_info_tell(info: WorkInfo, event: WorkInfoEvent, recipients, kind: str, subject: str, body: str = "") -> None:
    _tell(info, event, recipients, kind, subject, body, page="work-info-detail")


@transaction.atomic
def work_info_create(
    *, actor: AbstractBaseUser, org_unit: OrgUnit, category: str, title: str, body: str, happened_on: datetime.date
) -> WorkInfo:
    """Officer: a new draft for `org_unit`."""
    values = {"category": category, "title": title, "body": body, "happened_on": happened_on}
    _check_work_info(org_unit, values)
    info = WorkInfo.objects.create(
        org_unit=org_unit,
        category=category,
        title=title.strip(),
        body=body.strip(),
        happened_on=happened_on,
        created_by=actor,
    )
    _work_info_event(info, actor, WorkInfoEvent.Action.CREATE, "")
    return info


@transaction.atomic
def work_info_update(*, actor: AbstractBaseUser, info: WorkInfo, **values) -> WorkInfo:
    """Officer: change a draft or a returned item (a returned one stays returned until submitted again)."""
    info = _work_info_locked(info.pk)
    _work_info_transition(info, {WorkInfo.Status.DRAFT, WorkInfo.Status.RETURNED}, _("修改"))
    merged = {name: values.get(name, getattr(info, name)) for name in WORK_INFO_FIELDS}
    _check_work_info(info.org_unit, merged)
    for name, value in merged.items():
        setattr(info, name, value.strip() if isinstance(value, str) else value)
    info.save()
    _work_info_event(info, actor, WorkInfoEvent.Action.SAVE, info.status)
    return info


@transaction.atomic
def work_info_submit(*, actor: AbstractBaseUser, info: WorkInfo) -> WorkInfo:
    """Officer: draft or returned → submitted; the unit's reviewing leader is told."""
    info, event = _work_info_move(
        info,
        actor,
        {WorkInfo.Status.DRAFT, WorkInfo.Status.RETURNED},
        _("报送"),
        WorkInfo.Status.SUBMITTED,
        WorkInfoEvent.Action.SUBMIT,
        submitted_at=timezone.now(),
        submitted_by=actor,
        return_reason="",
    )
    _work_info_tell(
        info,
        event,
        users_with_unit_perm(info.org_unit, unit_perms.APPROVE),
        "work_info_submitted",
        _("工作信息待审核：%(title)s") % {"title": info.title},
    )
    return info


@transaction.atomic
def work_info_approve(*, actor: AbstractBaseUser, info: WorkInfo) -> WorkInfo:
    """District leader: submitted → approved; the office group that adopts information is told."""
    info, event = _work_info_move(
        info, actor, {WorkInfo.Status.SUBMITTED}, _("审核通过"), WorkInfo.Status.APPROVED, WorkInfoEvent.Action.APPROVE
    )
    _work_info_tell(
        info,
        event,
        users_with_unit_perm(info.org_unit, unit_perms.ACCEPT),
        "work_info_approved",
        _("工作信息待采用：%(title)s") % {"title": info.title},
    )
    return info


@transaction.atomic
def work_info_accept(*, actor: AbstractBaseUser, info: WorkInfo) -> WorkInfo:
    """Office: approved → accepted (采用); the item joins its month's briefing material."""
    info, event = _work_info_move(
        info,
        actor,
        {WorkInfo.Status.APPROVED},
        _("采用"),
        WorkInfo.Status.ACCEPTED,
        WorkInfoEvent.Action.ACCEPT,
        accepted_at=timezone.now(),
    )
    _work_info_tell(
        info,
        event,
        [info.submitted_by, info.created_by],
        "work_info_accepted",
        _("工作信息已被采用：%(title)s") % {"title": info.title},
    )
    return info


@transaction.atomic
def work_info_return(*, actor: AbstractBaseUser, info: WorkInfo, reason: str) -> WorkInfo:
    """Either reviewer: submitted or approved → returned with a reason the writer reads."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("退回时必须填写退回原因。")]})
    info, event = _work_info_move(
        info,
        actor,
        {WorkInfo.Status.SUBMITTED, WorkInfo.Status.APPROVED},
        _("退回"),
        WorkInfo.Status.RETURNED,
        WorkInfoEvent.Action.RETURN,
        reason,
        return_reason=reason,
    )
    _work_info_tell(
        info,
        event,
        [info.submitted_by, info.created_by],
        "work_info_returned",
        _("工作信息被退回：%(title)s") % {"title": info.title},
        body=reason,
    )
    return info
