"""Data quality of a report (R-3.5): the soft rules' flags and their explanations, the hard rules at
submission, evidence files (原始记录), and a reviewer confirming a flagged figure. The flags' closing at
acceptance is in flags.py.
"""

from collections.abc import Collection, Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tianjin_towns.errors import ConflictError

from .. import rules, selectors
from ..models import DataFlag, Evidence, Indicator, MonthlyReport, ReportEvent, ReportStatus
from .common import _event, _locked, _stored_upload, audited
from .locking import _ensure_open_for_entry


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


def _submission_checks(
    report: MonthlyReport,
    indicators: Mapping[str, Indicator],
    *,
    uploaded: Collection[str] = (),
    projects_known: bool = True,
) -> dict[str, list[str]]:
    """What the hard rules (sum of projects included) and the flags say against submitting the report as stored:
    indicator code → messages, empty when it may go. Refusals are returned, not raised, so that the caller names
    them in one round with the rest. `uploaded`: the codes an evidence file comes with in the same step, which
    explains their flags once stored. Without `projects_known` (project rows refused in the same step) the rules
    that compare with the project rows wait for them."""
    if projects_known:
        evaluation = rules.evaluate_stored(report, indicators)
    else:
        values = dict(report.values.values_list("indicator__code", "value"))
        evaluation = rules.evaluate(report, values, indicators=indicators, projects_total=None)
    errors = evaluation.blocking_submission()
    _sync_flags(report, evaluation.flags, indicators, {})
    for flag in selectors.unexplained_flags(report):
        if flag.indicator.code not in uploaded:
            errors.setdefault(flag.indicator.code, []).append(
                _("%(message)s 请在该指标下填写说明或上传原始记录后再报送。") % {"message": flag.message}
            )
    return errors


# --- Evidence (原始记录) -------------------------------------------------------------------------------


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
    evidence = _stored_upload(Evidence, file, actor=actor, note=note, report=report, indicator=indicator)
    label = indicator.name if indicator else _("全月报")
    _event(
        report, actor, ReportEvent.Action.EVIDENCE, report.status, changes={"evidence": {label: [None, evidence.name]}}
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


# --- A reviewer confirms a flagged figure ---------------------------------------------------------------


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
