"""Excel import of a district's month (R-3.7): every row or none.

ledgers.imports reads the file (pure: bytes in, rows out); here each row is checked against the database
(towns, permissions, report states, locks, numbers, hard rules) before anything is written, and the rows
are then saved through the entry form's own services.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coordination import permissions as unit_perms
from coordination.models import OrgUnit, Town
from coordination.permissions import towns_for_user
from tianjin_towns.lib import dates

from .. import deadlines, rules, selectors
from ..imports import ImportRejected, MonthRow, MonthSheet, Problem, read_month_sheet
from ..models import Indicator, MonthlyReport, ReportStatus, ReportValue
from .common import _audit_reason, _number, audited
from .reports import monthly_report_create, monthly_report_save


@dataclass
class ImportSummary:
    reports: list[MonthlyReport]
    created: int  # reports opened by the import
    figures: int  # figures written


@dataclass
class _Reading:
    """The file's rows and what each is checked against, read once; the problems found so far."""

    district: OrgUnit
    period: datetime.date
    sheet: MonthSheet
    indicators: dict[str, Indicator]  # code → the indicators that apply in `period`
    towns: dict[str, Town]  # code → the district's towns
    fillable: set[int]  # the towns the actor may fill
    reports: dict[int, MonthlyReport]  # town id → its report of the month
    stored: dict[int, dict[str, Decimal]]  # report id → code → figure
    active_rules: list
    problems: list[Problem] = field(default_factory=list)

    def problem(self, row: MonthRow, column: str, message: str) -> None:
        self.problems.append(Problem(self.sheet.sheet, row.row, column, message))


# One row's plan: its town, the town's report of the month (None: opened by the import), the changed figures.
PlannedRow = tuple[Town, MonthlyReport | None, dict[str, Decimal]]


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
        message = _("%(period)s 尚未结束，不能导入。") % {"period": dates.format_period(period)}
        raise ImportRejected([Problem("", None, "", message)])
    reading = _read(actor, district, period, data)
    plan = [planned for row in reading.sheet.rows if (planned := _plan_row(reading, row)) is not None]
    if reading.problems:
        raise ImportRejected(sorted(reading.problems, key=lambda p: (p.row or 0, len(p.column), p.column)))
    if not plan:
        raise ImportRejected(
            [Problem(reading.sheet.sheet, None, "", _("文件中没有需要导入的数据：所有数字为空或与系统中一致。"))]
        )
    return _save_plan(actor, period, plan, filename)


def _read(actor: AbstractBaseUser, district: OrgUnit, period: datetime.date, data: bytes) -> _Reading:
    """Read the file, then the district's towns, the actor's grants, and the month's reports and figures."""
    # The columns of the year's template; an indicator that does not apply in `period` must stay empty.
    sheet = read_month_sheet(data, period=period, indicators=selectors.indicators_of_year(period.year))
    reports = {r.town_id: r for r in MonthlyReport.objects.filter(town__district=district, period=period)}
    stored: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for report_id, code, value in ReportValue.objects.filter(report__in=list(reports.values())).values_list(
        "report_id", "indicator__code", "value"
    ):
        stored[report_id][code] = value
    return _Reading(
        district=district,
        period=period,
        sheet=sheet,
        indicators=selectors.indicators_by_code(period),
        towns={t.code: t for t in Town.objects.filter(district=district).select_related("unit")},
        fillable=set(towns_for_user(actor, unit_perms.FILL).filter(district=district).values_list("pk", flat=True)),
        reports=reports,
        stored=stored,
        active_rules=rules.active_rules(),
        problems=list(sheet.problems),
    )


def _plan_row(reading: _Reading, row: MonthRow) -> PlannedRow | None:
    """What the row changes, its problems recorded; None when it changes nothing or names no town it may fill."""
    town = _row_town(reading, row)
    if town is None:
        return None
    values, unreadable = _row_figures(reading, row)
    report = reading.reports.get(town.pk)
    current = reading.stored.get(report.pk, {}) if report else {}
    changed = {code: value for code, value in values.items() if current.get(code) != value}
    if not changed:
        return None
    # The rules on the figures that read (a cell that did not is judged by none, not by its stored figure
    # either), and before the report's state, so that the list names every problem of the row at once.
    kept = {code: value for code, value in current.items() if code not in unreadable}
    _check_rules(reading, row, town, report, kept | values)
    _check_report_open(reading, row, town, report, first_column=row.figures[next(iter(changed))].column)
    return town, report, changed


def _row_town(reading: _Reading, row: MonthRow) -> Town | None:
    """The row's town when the row names it rightly, the actor may fill it and it reports that month."""
    district, period = reading.district, reading.period
    town = reading.towns.get(row.town_code)
    if row.district != district.name:
        reading.problem(
            row,
            "A",
            _("该行的区为「%(row)s」，与所选的「%(district)s」不符。") % {"row": row.district, "district": district},
        )
        return None
    if town is None:
        reading.problem(
            row,
            "B",
            _("未知的小镇编码「%(code)s」（%(district)s没有该小镇）。") % {"code": row.town_code, "district": district},
        )
        return None
    if row.town_name and row.town_name != town.name:
        reading.problem(
            row,
            "C",
            _("小镇名称「%(name)s」与编码 %(code)s 的「%(town)s」不符。")
            % {"name": row.town_name, "code": town.code, "town": town},
        )
        return None
    if town.pk not in reading.fillable:
        reading.problem(row, "B", _("您没有填报「%(town)s」月报的权限。") % {"town": town})
        return None
    if not deadlines.expects_report(town, period):
        reading.problem(
            row,
            "D",
            _("%(town)s 在 %(period)s 不需要报送月报。") % {"town": town, "period": dates.format_period(period)},
        )
        return None
    return town


def _row_figures(reading: _Reading, row: MonthRow) -> tuple[dict[str, Decimal], set[str]]:
    """The row's figures that parse, for indicators that apply in the month; a problem for each other. With
    the codes of the cells that did not read (here or in the file)."""
    values: dict[str, Decimal] = {}
    unreadable = set(row.unreadable)
    for code, cell in row.figures.items():
        indicator = reading.indicators.get(code)
        if indicator is None:
            reading.problem(
                row,
                cell.column,
                _("该指标在 %(period)s 不适用，请留空。") % {"period": dates.format_period(reading.period)},
            )
            continue
        try:
            values[code] = _number(cell.value, indicator.name, indicator.decimal_places, negative_ok=True)
        except ValidationError as error:
            reading.problem(row, cell.column, "；".join(error.messages))
            unreadable.add(code)
    return values, unreadable


def _check_rules(
    reading: _Reading, row: MonthRow, town: Town, report: MonthlyReport | None, figures: dict[str, Decimal]
) -> None:
    """The hard validation rules over the report's figures as the import would leave them."""
    checked = rules.evaluate(
        report or MonthlyReport(town=town, period=reading.period),
        figures,
        indicators=reading.indicators,
        projects_total=None,
        rules=reading.active_rules,
    )
    for code, messages in checked.errors.items():
        reading.problem(row, reading.sheet.columns.get(code, ""), "；".join(messages))


def _check_report_open(
    reading: _Reading, row: MonthRow, town: Town, report: MonthlyReport | None, *, first_column: str
) -> None:
    """The town's report may take figures: not accepted, not under review, not locked as missing."""
    period = reading.period
    if report is not None and report.status == ReportStatus.ACCEPTED:
        reading.problem(
            row,
            first_column,
            _("%(report)s 月报已验收，不能通过导入修改；如需更正，请在月报页面申请更正。") % {"report": report},
        )
    elif report is not None and not report.is_editable:
        reading.problem(
            row,
            first_column,
            _("%(report)s 月报正在审核中（%(status)s），不能导入修改。")
            % {"report": report, "status": ReportStatus(report.status).label},
        )
    elif deadlines.entry_locked(town.pk, period, submitted_at=report.submitted_at if report else None):
        reading.problem(
            row,
            "D",
            _("%(town)s %(period)s 月报在关闭日前未报送，计为漏报，填报已锁定；如需补报，请联系市特镇办开通补报例外。")
            % {"town": town, "period": dates.format_period(period)},
        )


def _save_plan(actor: AbstractBaseUser, period: datetime.date, plan: list[PlannedRow], filename: str) -> ImportSummary:
    """Open the reports the plan needs and save each row's figures through monthly_report_save."""
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
