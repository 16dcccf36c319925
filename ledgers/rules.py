"""Validation rules (R-3.5): what the administrator's rules say about one report's figures.

Reads only. `evaluate` takes the figures as they would be stored and returns the hard errors (which
block saving), the hard errors that only block submission (a draft may be saved before its projects
are entered) and the soft findings (figures to flag for the reviewer). The services store the flags
and raise; the entry form and the import call the same function, so a rule reads the same everywhere.
"""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from tianjin_towns.lib import dates

from .models import (
    MAX_FIGURE,
    Indicator,
    MonthlyReport,
    Project,
    ProjectProgress,
    ReportStatus,
    ReportValue,
    ValidationRule,
)

C = ValidationRule.CheckType
HUNDRED = Decimal(100)
# Rules a draft may break while it is being filled in (its projects entered later); submission needs them to
# pass when an administrator makes them hard.
SUBMISSION_ONLY = {C.SUM_OF_PROJECTS, C.NO_PROJECT_PROGRESS}
# Rules that see the figures typed negative too (the others judge only the rest: a negative figure is refused
# by the non-negative invariant, and its own message names it).
SEES_NEGATIVE_FIGURES = {C.PART_OF_WHOLE}


@dataclass(frozen=True)
class Finding:
    rule: ValidationRule
    code: str  # indicator code
    value: Decimal
    message: str


@dataclass
class Evaluation:
    errors: dict[str, list[str]] = field(default_factory=dict)  # block saving
    pending: dict[str, list[str]] = field(default_factory=dict)  # block submitting
    flags: list[Finding] = field(default_factory=list)  # soft: flag for the reviewer

    def blocking_submission(self) -> dict[str, list[str]]:
        merged = {code: list(messages) for code, messages in self.errors.items()}
        for code, messages in self.pending.items():
            merged.setdefault(code, []).extend(messages)
        return merged

    def flag_messages(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = defaultdict(list)
        for finding in self.flags:
            result[finding.code].append(finding.message)
        return dict(result)


def active_rules() -> list[ValidationRule]:
    return list(ValidationRule.objects.filter(active=True).select_related("indicator").order_by("order", "code"))


def fmt(value: Decimal) -> str:
    """1200.50 → '1,200.5' (as few decimals as needed), for messages."""
    return format(Decimal(value).normalize(), ",f")


@dataclass
class _Context:
    """The town's other figures the rules compare with, read in one query."""

    accepted: dict[str, dict[datetime.date, Decimal]]  # code → {period: value} of accepted reports
    neighbours: dict[str, dict[datetime.date, Decimal]]  # code → {period: value} of the adjacent months, any status
    # code → the town's projects (code, name) whose date of PROJECT_DATE_FIELDS[code] falls in the month;
    # None when the town has no project in its ledger (nothing to compare with).
    dated_projects: dict[str, list[tuple[str, str]]] | None = None
    # Whether the report has project progress rows this month; None when the caller does not know.
    project_rows: bool | None = None


# The indicators counted from the project ledger, and the project date that counts them.
PROJECT_DATE_FIELDS = {"projects_started": "actual_start", "projects_completed": "actual_finish"}


def _dated_projects(report: MonthlyReport) -> dict[str, list[tuple[str, str]]] | None:
    rows = list(
        Project.objects.filter(town_id=report.town_id)
        .order_by("code")
        .values_list("code", "name", *PROJECT_DATE_FIELDS.values())
    )
    if not rows:
        return None
    month_end = dates.add_months(report.period, 1)
    result: dict[str, list[tuple[str, str]]] = {}
    for index, code in enumerate(PROJECT_DATE_FIELDS):
        result[code] = [
            (row[0], row[1]) for row in rows if row[2 + index] and report.period <= row[2 + index] < month_end
        ]
    return result


def _context(report: MonthlyReport, rules: list[ValidationRule], project_rows: bool | None) -> _Context:
    window = max([r.window_months for r in rules if r.check_type == C.HISTORY_OUTLIER] + [12])
    start = dates.add_months(report.period, -window)
    previous, following = dates.add_months(report.period, -1), dates.add_months(report.period, 1)
    rows = (
        ReportValue.objects.filter(report__town_id=report.town_id, report__period__gte=start)
        .filter(report__period__lte=following)
        .exclude(report_id=report.pk)
        .values_list("report__period", "report__status", "indicator__code", "value")
    )
    accepted: dict[str, dict] = defaultdict(dict)
    neighbours: dict[str, dict] = defaultdict(dict)
    for period, status, code, value in rows:
        if status == ReportStatus.ACCEPTED and period < report.period:
            accepted[code][period] = value
        if period in (previous, following):
            neighbours[code][period] = value
    dated = _dated_projects(report) if any(r.check_type == C.PROJECT_DATES for r in rules) else None
    return _Context(accepted=accepted, neighbours=neighbours, dated_projects=dated, project_rows=project_rows)


def project_total(report: MonthlyReport) -> Decimal | None:
    """The sum of the report's project investment this month, or None when it has no project rows."""
    result = ProjectProgress.objects.filter(report=report).aggregate(total=Sum("investment_month"), n=Count("pk"))
    return result["total"] if result["n"] else None


def evaluate(
    report: MonthlyReport,
    values: Mapping[str, Decimal | None],
    *,
    indicators: Mapping[str, Indicator],
    projects_total: Decimal | None,
    rules: list[ValidationRule] | None = None,
    project_rows: bool | None = None,
) -> Evaluation:
    """Run every active rule on `values` (indicator code → figure, as they would be stored).

    `projects_total` is the sum of the report's project investment this month, None when it has no
    project rows or when it is not known (a draft being saved: the sum is checked at submission).
    `project_rows` says whether the report has project progress rows; None when not known, and then
    the rules that need it are skipped.
    """
    rules = active_rules() if rules is None else rules
    if project_rows is None and projects_total is not None:
        project_rows = True
    figures = {code: value for code, value in values.items() if value is not None and code in indicators}
    result = Evaluation()
    # Non-negative figures are an invariant of the database: checked whether or not the rule is active.
    for code, value in figures.items():
        if value < 0:
            result.errors.setdefault(code, []).append(_("「%(field)s」不能为负数。") % {"field": indicators[code].name})
    typed = figures
    figures = {code: value for code, value in typed.items() if value >= 0}  # the other rules judge the rest
    needs_context = {C.CUMULATIVE, C.HISTORY_OUTLIER, C.YEAR_ON_YEAR, C.PROJECT_DATES, C.NO_PROJECT_PROGRESS}
    context = _context(report, rules, project_rows) if any(r.check_type in needs_context for r in rules) else None
    for rule in rules:
        check = CHECKS.get(rule.check_type)
        if check is None:
            continue
        judged = typed if rule.check_type in SEES_NEGATIVE_FIGURES else figures
        for code, message in check(rule, report, judged, indicators, context, projects_total):
            if rule.severity == ValidationRule.Severity.SOFT:
                result.flags.append(Finding(rule=rule, code=code, value=judged[code], message=message))
            elif rule.check_type in SUBMISSION_ONLY:
                result.pending.setdefault(code, []).append(message)
            elif message not in result.errors.get(code, []):
                result.errors.setdefault(code, []).append(message)
    return result


def _applies(rule: ValidationRule, code: str) -> bool:
    return rule.indicator_id is None or rule.indicator.code == code


def _part_of_whole(rule, report, figures, indicators, context, projects_total):
    """A sub-item (其中项) is not larger than its whole. The whole is taken as typed, negative too, so that a
    sub-item above it is named in the same round as the whole's own error; a negative sub-item has its own."""
    for code, value in figures.items():
        whole = indicators[code].part_of
        if whole is None or value < 0 or not _applies(rule, code):
            continue
        whole_value = figures.get(whole.code)
        if whole_value is not None and value > whole_value:
            yield code, _("「%(part)s」不能大于「%(whole)s」。") % {"part": indicators[code].name, "whole": whole.name}


def _sum_of_projects(rule, report, figures, indicators, context, projects_total):
    if rule.indicator is None or projects_total is None:
        return  # no project rows this month: nothing to compare with
    code = rule.indicator.code
    value = figures.get(code)
    if value is None:
        return
    allowed = max(max(value, projects_total) * (rule.threshold or 0) / HUNDRED, Decimal("0.01"))
    if abs(value - projects_total) > allowed:
        yield (
            code,
            _("「%(field)s」（%(value)s）与项目本月完成投资合计（%(total)s）不一致，相差超过 %(tolerance)s%%。")
            % {
                "field": indicators[code].name,
                "value": fmt(value),
                "total": fmt(projects_total),
                "tolerance": fmt(rule.threshold),
            },
        )


def _no_project_progress(rule, report, figures, indicators, context, projects_total):
    """Investment reported in a month without a single project progress row: the sum-of-projects rule has
    nothing to compare it with, so nothing stands behind the figure. The filer explains it (investment
    outside the project ledger) or enters the projects' progress."""
    if rule.indicator is None or context.project_rows is not False:
        return  # rows entered (the sum rule compares them), or not known yet
    code = rule.indicator.code
    value = figures.get(code)
    if not value:
        return
    yield (
        code,
        _(
            "本月填报「%(field)s」%(value)s%(unit)s，但没有任何项目的本月进展，投资没有项目支撑。"
            "请补录项目本月进展，或说明这笔投资的来源（如未纳入项目台账的投资）。"
        )
        % {"field": indicators[code].name, "value": fmt(value), "unit": indicators[code].unit},
    )


def _cumulative(rule, report, figures, indicators, context, projects_total):
    """A running total reported at month end (a stock kept as a cumulative) never goes down."""
    previous, following = dates.add_months(report.period, -1), dates.add_months(report.period, 1)
    for code, value in figures.items():
        indicator = indicators[code]
        if indicator.kind != Indicator.Kind.STOCK or not indicator.keeps_cumulative or not _applies(rule, code):
            continue
        before = context.neighbours.get(code, {}).get(previous)
        after = context.neighbours.get(code, {}).get(following)
        if before is not None and value < before:
            yield (
                code,
                _("「%(field)s」是累计数，不能小于上月的 %(before)s。")
                % {"field": indicator.name, "before": fmt(before)},
            )
        elif after is not None and value > after:
            yield (
                code,
                _("「%(field)s」是累计数，不能大于下月已填的 %(after)s。")
                % {"field": indicator.name, "after": fmt(after)},
            )


def _history_outlier(rule, report, figures, indicators, context, projects_total):
    start = dates.add_months(report.period, -rule.window_months)
    for code, value in figures.items():
        if not _applies(rule, code):
            continue
        history = [v for period, v in context.accepted.get(code, {}).items() if period >= start]
        if len(history) < rule.min_points:
            continue
        median = statistics.median(history)
        mad = statistics.median([abs(v - median) for v in history])
        if mad == 0:
            if median == 0:
                continue  # a figure that is usually zero (land quotas, projects started): not comparable
            mad = abs(median) / HUNDRED
        low, high = median - rule.threshold * mad, median + rule.threshold * mad
        if low <= value <= high:
            continue
        yield (
            code,
            _("「%(field)s」为 %(value)s，超出本镇近%(months)s个月的正常范围（%(low)s～%(high)s，中位数 %(median)s）。")
            % {
                "field": indicators[code].name,
                "value": fmt(value),
                "months": rule.window_months,
                "low": fmt(max(low, Decimal(0)).quantize(Decimal("0.01"))),
                "high": fmt(high.quantize(Decimal("0.01"))),
                "median": fmt(Decimal(median).quantize(Decimal("0.01"))),
            },
        )


def _year_on_year(rule, report, figures, indicators, context, projects_total):
    last_year = dates.add_months(report.period, -12)
    limit = 1 + rule.threshold / HUNDRED
    for code, value in figures.items():
        if not _applies(rule, code):
            continue
        before = context.accepted.get(code, {}).get(last_year)
        if before is None or before <= 0:
            continue
        ratio = value / before
        if ratio > limit:
            change = _("增长 %(percent)s%%") % {"percent": fmt(((ratio - 1) * HUNDRED).quantize(Decimal(1)))}
        elif ratio < 1 / limit:
            change = _("下降 %(percent)s%%") % {"percent": fmt(((1 - ratio) * HUNDRED).quantize(Decimal(1)))}
        else:
            continue
        yield (
            code,
            _("「%(field)s」为 %(value)s，比去年同月（%(before)s）%(change)s。")
            % {"field": indicators[code].name, "value": fmt(value), "before": fmt(before), "change": change},
        )


def _project_dates(rule, report, figures, indicators, context, projects_total):
    """新开工/竣工 counts against the projects whose actual start/completion date falls in the month."""
    if context.dated_projects is None:
        return  # the town has registered no project: nothing to compare with
    for code in PROJECT_DATE_FIELDS:
        value = figures.get(code)
        if value is None or not _applies(rule, code):
            continue
        projects = context.dated_projects[code]
        if value == len(projects):
            continue
        what = _("实际开工") if code == "projects_started" else _("实际竣工")
        listed = "、".join(f"{p_code} {name}" for p_code, name in projects[:5]) + ("等" if len(projects) > 5 else "")
        yield (
            code,
            _(
                "「%(field)s」填报 %(value)s 个，项目台账中%(what)s日期在%(month)s的项目有 %(count)s 个%(listed)s。"
                "请核对项目台账中的%(what)s日期，或说明原因。"
            )
            % {
                "field": indicators[code].name,
                "value": fmt(value),
                "what": what,
                "month": _("%(year)s年%(month)s月") % {"year": report.period.year, "month": report.period.month},
                "count": len(projects),
                "listed": f"（{listed}）" if projects else "",
            },
        )


CHECKS = {
    C.PROJECT_DATES: _project_dates,
    C.PART_OF_WHOLE: _part_of_whole,
    C.SUM_OF_PROJECTS: _sum_of_projects,
    C.NO_PROJECT_PROGRESS: _no_project_progress,
    C.CUMULATIVE: _cumulative,
    C.HISTORY_OUTLIER: _history_outlier,
    C.YEAR_ON_YEAR: _year_on_year,
}


def _indicators(report: MonthlyReport) -> dict[str, Indicator]:
    """The indicators a report of its month carries (active_from/active_to, R-1.7), with their wholes."""
    indicators = Indicator.objects.filter(active=True).select_related("part_of")
    return {i.code: i for i in indicators if i.applies_in(report.period)}


def evaluate_stored(
    report: MonthlyReport,
    indicators: Mapping[str, Indicator] | None = None,
    values: Mapping[str, Decimal] | None = None,
) -> Evaluation:
    """The rules on the report's figures as stored (before submission, and for the pages); `values`: the stored
    figures by indicator code (selectors.report_values) when the caller has read them."""
    if indicators is None:
        indicators = _indicators(report)
    if values is None:
        values = dict(report.values.values_list("indicator__code", "value"))
    total = project_total(report)
    return evaluate(report, values, indicators=indicators, projects_total=total, project_rows=total is not None)


def preview(report: MonthlyReport, raw_values: Mapping[str, object]) -> Evaluation:
    """The rules on figures as typed on a form that was not saved; unreadable numbers are left out."""
    indicators = _indicators(report)
    values: dict[str, Decimal] = dict(report.values.values_list("indicator__code", "value"))
    for code, raw in raw_values.items():
        if code not in indicators:
            continue
        text = str(raw if raw is not None else "").strip().replace(",", "")
        if not text:
            values.pop(code, None)
            continue
        try:
            number = Decimal(text)
        except InvalidOperation:
            continue
        if number.is_finite() and number.copy_abs() <= MAX_FIGURE:  # beyond it the figure parser says 数值过大
            values[code] = number
    total = project_total(report)
    return evaluate(report, values, indicators=indicators, projects_total=total, project_rows=total is not None)
