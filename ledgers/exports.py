"""Excel workbooks for the archives (R-3.7): pure builders, rows in, workbook out.

The ledger workbook streams: a fixed number of queries whatever the scope, every one read through a
database cursor in the sheet's own order (towns, their reports, figures, projects and progress alike)
and written row by row through a streaming writer (ledgers.export_writers: XlsxWriter in constant-memory
mode). Nothing is kept per town or per row beyond the town being written, so memory stays flat whether
the scope is one district or the whole city.
"""

import datetime
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import groupby
from typing import BinaryIO
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from coordination.models import Town
from tianjin_towns.lib import dates, excel

from .export_writers import DEFAULT_WRITER, SheetWriter, Style, WorkbookWriter
from .models import (
    CheckState,
    FigureCheck,
    Indicator,
    IndicatorSource,
    MonthlyReport,
    Project,
    ProjectProgress,
    ProjectYearPlan,
    ReportStatus,
    ReportValue,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHUNK = 500  # rows fetched per round trip of each cursor: the export's memory is a few such batches

# The sheets' row order. Towns and the rows streamed for them are sorted by the same columns in the
# database, so both sides of the merges below agree (no Python-vs-collation mismatch).
TOWN_ORDER = ("district__order", "unit__order", "unit__code")

TITLE_ROWS = 2  # title, then scope and export time
HEADER_ROW = TITLE_ROWS + 1

# The cells' looks (tianjin_towns.lib.excel's house style), made once: the writers cache by style.
BODY = Style()
CENTERED = Style(alignment=excel.CENTER)
WRAPPED = Style(alignment=excel.WRAP)
GAP = Style(font=excel.GAP_FONT, alignment=excel.CENTER)  # a month with no accepted figures (查漏补缺)
GREY = Style(fill=excel.TOTAL_FILL)  # a totals row's blank, or an indicator that does not apply that month
MONEY = Style(number_format=excel.MONEY_FORMAT)
PERCENT = Style(number_format=excel.PERCENT_FORMAT)
HEADER = Style(font=excel.HEADER_FONT, fill=excel.HEADER_FILL, alignment=excel.CENTER)
TITLE = Style(font=excel.TITLE_FONT, border=None, alignment=excel.TITLE_ALIGNMENT)
SUBTITLE = Style(font=excel.SUBTITLE_FONT, border=None, alignment=excel.LEFT)
NOTE = Style(font=excel.NOTE_FONT, border=None, alignment=excel.LEFT)
TOTAL_LABEL = Style(font=excel.TOTAL_FONT, fill=excel.TOTAL_FILL)
TOTAL_MONEY = Style(font=excel.TOTAL_FONT, fill=excel.TOTAL_FILL, number_format=excel.MONEY_FORMAT)


def _town_order(prefix: str) -> list[str]:
    return [f"{prefix}{field}" for field in TOWN_ORDER]


def write_ledger_workbook(
    output: BinaryIO,
    *,
    towns: QuerySet[Town],
    year: int,
    progress: Callable[[int], None] | None = None,
    indicators: QuerySet[Indicator] | None = None,
    projects: bool = True,
    writer: Callable[[BinaryIO], WorkbookWriter] = DEFAULT_WRITER,
) -> None:
    """Write the year's ledger workbook (monthly indicators sheet, project ledger sheet) for `towns` to `output`.

    `progress`, when given, is called with the number of rows written so far, every PROGRESS_EVERY rows
    and once at the end (a background export reports it against `ledger_row_count`). `indicators` narrows
    the catalogue and `projects=False` leaves the project sheet out: what is shared with a member unit
    (selectors.ledger_contents). `writer` makes the file (ledgers.export_writers; the bench and the
    equivalence test pass each).
    """
    written = 0

    def tick() -> None:
        nonlocal written
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written)

    indicators = [
        i
        for i in (indicators if indicators is not None else Indicator.objects.filter(active=True)).order_by(
            "order", "code"
        )
        if any(i.applies_in(month) for month in dates.months_of_year(year))
    ]  # the indicators that apply in some month of the year (active_from/active_to, R-1.7)
    subtitle = _("范围：%(scope)s　　导出时间：%(time)s（北京时间）　　仅含已验收数据") % {
        "scope": _scope_label(towns),
        "time": f"{timezone.now().astimezone(SHANGHAI):%Y-%m-%d %H:%M}",
    }
    workbook = writer(output)
    _write_indicator_sheet(workbook, towns, indicators, year, subtitle, tick)
    if projects:
        _write_project_sheet(workbook, towns, year, subtitle, tick)
    _write_check_sheet(workbook, towns, indicators, year, subtitle, tick)
    workbook.close()
    if progress is not None:
        progress(written)


PROGRESS_EVERY = 200


def ledger_row_count(towns: QuerySet[Town], year: int) -> int:
    """About how many data rows the year's workbook has for `towns` (two queries): decides whether an
    export runs in the background, and is the total its progress bar counts against."""
    months = [period for period in dates.months_of_year(year) if dates.period_has_ended(period)]
    town_list = list(towns.only("unit", "reporting_from", "exited_on"))
    monthly = sum(1 for town in town_list for period in months if town.expects_report(period))
    town_ids = [town.pk for town in town_list]
    projects = Project.objects.filter(town__in=town_ids).count()
    progress = ProjectProgress.objects.filter(
        project__town__in=town_ids, report__period__year=year, report__status=ReportStatus.ACCEPTED
    ).count()
    return monthly + projects + progress


def ledger_export_filename(*, year: int, scope: str) -> str:
    """e.g. '特色小镇统计台账_2025_东丽区.xlsx'."""
    safe_scope = re.sub(r'[\\/:*?"<>|\s]+', "_", scope.strip()).strip("_") or _("天津市")
    return f"{_('特色小镇统计台账')}_{year}_{safe_scope}.xlsx"


def ledger_export_target(*, year: int, scope: str) -> str:
    """How the security audit names the export: '统计台账 2025年 东丽区' (tianjin_towns.lib.downloads)."""
    return f"统计台账 {year}年 {scope}"


def _scope_label(towns: QuerySet[Town]) -> str:
    """天津市, the district, or the district and the town (one query)."""
    scope = towns.order_by().aggregate(
        towns=Count("pk"),
        districts=Count("district", distinct=True),
        district_name=Min("district__name"),
        town_name=Min("unit__name"),
    )
    if scope["districts"] != 1:
        return _("天津市")
    if scope["towns"] == 1:
        return f"{scope['district_name']} {scope['town_name']}"
    return scope["district_name"]


def _town_rows(towns: QuerySet[Town]) -> Iterator[tuple]:
    """(id, code, name, district name, reporting from, exited on) of each town, in the sheets' order."""
    return (
        towns.order_by(*TOWN_ORDER)
        .values_list("pk", "unit__code", "unit__name", "district__name", "reporting_from", "exited_on")
        .iterator(chunk_size=CHUNK)
    )


def _by_town(rows: Iterator[tuple]) -> Callable[[int], list[tuple]]:
    """Given rows ordered like the towns (town id first), a function returning the rows of the next town
    asked for, reading no further than that town: the towns are asked for in the same order."""
    pending = next(rows, None)

    def take(town_id: int) -> list[tuple]:
        nonlocal pending
        taken = []
        while pending is not None and pending[0] == town_id:
            taken.append(pending)
            pending = next(rows, None)
        return taken

    return take


def _add_sheet(
    workbook: WorkbookWriter,
    name: str,
    *,
    title: str,
    subtitle: str,
    headers: list[str],
    widths,
    freeze_columns: int,
) -> SheetWriter:
    """A ledger sheet with its title and subtitle merged across, and its header row: the rows follow."""
    sheet = workbook.add_sheet(
        name, widths=widths, headers=headers, header_row=HEADER_ROW, freeze_columns=freeze_columns
    )
    sheet.append_merged(title, TITLE, len(headers))
    sheet.append_merged(subtitle, SUBTITLE, len(headers))
    sheet.append(headers, [HEADER] * len(headers))
    return sheet


# -- Sheet 1: monthly indicators ---------------------------------------------------------------------


def _accepted_values(towns: QuerySet[Town], year: int) -> Iterator[tuple[int, datetime.date, int, Decimal]]:
    """(town id, period, indicator id, value) of the year's accepted reports, in the sheet's row order."""
    return (
        ReportValue.objects.filter(
            report__town__in=towns.values("pk"), report__period__year=year, report__status=ReportStatus.ACCEPTED
        )
        .order_by(*_town_order("report__town__"), "report__period")
        .values_list("report__town_id", "report__period", "indicator_id", "value")
        .iterator(chunk_size=CHUNK)
    )


def _report_statuses(towns: QuerySet[Town], year: int) -> Iterator[tuple[int, datetime.date, str]]:
    """(town id, period, status) of the year's reports, in the sheet's row order."""
    return (
        MonthlyReport.objects.filter(town__in=towns.values("pk"), period__year=year)
        .order_by(*_town_order("town__"), "period")
        .values_list("town_id", "period", "status")
        .iterator(chunk_size=CHUNK)
    )


def _write_indicator_sheet(
    workbook: WorkbookWriter,
    towns: QuerySet[Town],
    indicators: list[Indicator],
    year: int,
    subtitle: str,
    tick: Callable[[], None],
):
    identity = [_("区"), _("小镇编码"), _("小镇名称"), _("月份"), _("状态")]
    headers = identity + [f"{i.name}（{i.unit}）" for i in indicators]
    sheet = _add_sheet(
        workbook,
        _("月度指标台账"),
        title=_("天津市特色小镇统计台账（%(year)s年）") % {"year": year},
        subtitle=subtitle,
        headers=headers,
        widths=[10, 10, 24, 9, 13] + [14] * len(indicators),
        freeze_columns=3,
    )

    formats = [excel.number_format(i.decimal_places) for i in indicators]
    number_styles = [Style(number_format=number_format) for number_format in formats]
    stocks = {i.pk for i in indicators if i.kind == Indicator.Kind.STOCK}
    statuses_of = _by_town(_report_statuses(towns, year))
    values_of = _by_town(_accepted_values(towns, year))
    flow_totals = {i.pk: Decimal(0) for i in indicators}
    stock_totals = {pk: Decimal(0) for pk in stocks}  # the sum of each town's latest accepted value of the year
    months = [period for period in dates.months_of_year(year) if dates.period_has_ended(period)]
    labels = {period: dates.format_period(period) for period in months}
    status_labels = {status: str(label) for status, label in ReportStatus.choices}
    # Per month, each indicator's (id, whether it applies) and the row's styles by whether it was accepted:
    # a row's styles depend on nothing else, so they are made once, not per cell.
    columns = {period: [(i.pk, i.applies_in(period)) for i in indicators] for period in months}
    row_styles = {
        (period, accepted): (BODY, BODY, BODY, CENTERED, CENTERED if accepted else GAP)
        + tuple(
            style if applies else GREY for style, (_pk, applies) in zip(number_styles, columns[period], strict=True)
        )
        for period in months
        for accepted in (True, False)
    }
    for town_id, code, name, district_name, reporting_from, exited_on in _town_rows(towns):
        town = Town(reporting_from=reporting_from, exited_on=exited_on)  # for expects_report only
        statuses = {period: status for _town, period, status in statuses_of(town_id)}
        values: dict[datetime.date, dict[int, Decimal]] = {}
        for _town, period, indicator_id, value in values_of(town_id):
            values.setdefault(period, {})[indicator_id] = value
        latest_stock: dict[int, Decimal] = {}
        for period in months:
            # Accepted figures of months no longer expected (e.g. a town's reporting_from moved) are left out.
            if not town.expects_report(period):
                continue
            month_values = values.get(period, {})
            status = statuses.get(period)
            row = [district_name, code, name, labels[period], status_labels[status] if status else _("未报送")]
            for indicator_id, applies in columns[period]:
                if not applies:
                    # Blank, not a dash: the sheet is also the import template, which reads numbers only.
                    row.append(None)
                    continue
                value = month_values.get(indicator_id)
                if value is not None:
                    flow_totals[indicator_id] += value
                    if indicator_id in stocks:
                        latest_stock[indicator_id] = value
                row.append(value)
            sheet.append(row, row_styles[period, status == ReportStatus.ACCEPTED])
            tick()
        for indicator_id, value in latest_stock.items():
            stock_totals[indicator_id] += value

    totals = [stock_totals[i.pk] if i.pk in stocks else flow_totals[i.pk] for i in indicators]
    blanks = len(identity) - 1
    sheet.append(
        [_("合计")] + [None] * blanks + totals,
        [TOTAL_LABEL]
        + [GREY] * blanks
        + [Style(font=excel.TOTAL_FONT, fill=excel.TOTAL_FILL, number_format=f) for f in formats],
    )  # 合计: a flow indicator's rows added up, a stock indicator's latest accepted value per town added up
    sheet.skip()
    for note in _indicator_notes(indicators):
        sheet.append([note], [NOTE])


def _indicator_notes(indicators: list[Indicator]) -> list[str]:
    """The notes under the indicator sheet: what is filled in, how totals add up, which indicators are dated."""
    notes = [_("注：1. 只填写已验收的数据；未验收或未报送的月份只显示状态，不填数字，以便查漏补缺。")]
    stock_names = [i.name for i in indicators if i.kind == Indicator.Kind.STOCK]
    notes.append(_("2. 流量指标的合计为表中各行之和。"))
    if stock_names:
        notes.append(
            _("3. 存量指标（%(names)s）的合计为各小镇本年最近一次已验收数之和，不是各月相加。")
            % {"names": "、".join(stock_names)}
        )
    dated = [i for i in indicators if i.active_from or i.active_to]
    if dated:
        spans = []
        for i in dated:
            start = dates.format_period(i.active_from) if i.active_from else ""
            end = dates.format_period(i.active_to) if i.active_to else ""
            spans.append(f"{i.name}（{start}～{end}）")
        notes.append(
            _("%(n)s. 以下指标只在所列月份适用，其他月份留空（灰底）：%(list)s。")
            % {"n": len(notes) + 1, "list": "；".join(spans)}
        )
    return notes


def _project_month_values(row: tuple, total_investment, annual_investment) -> list:
    """The values of one accepted month of a project after its identity. An accepted month shows the plan it
    was accepted with (frozen on acceptance), not today's."""
    _project, period, inv_month, inv_year, inv_total, physical, problems, total_at, annual_at = row
    plan_total, plan_annual = (total_at, annual_at) if total_at is not None else (total_investment, annual_investment)
    share = round(inv_year * 100 / plan_annual, 1) if plan_annual else None
    return [plan_total, plan_annual, dates.format_period(period), inv_month, inv_year, inv_total, share] + [
        physical or None,
        problems or None,
    ]


# -- Sheet 2: project ledger -------------------------------------------------------------------------

PROJECT_HEADERS = (
    _lazy("区"),
    _lazy("小镇名称"),
    _lazy("项目编号"),
    _lazy("项目名称"),
    _lazy("项目类别"),
    _lazy("项目状态"),
    _lazy("计划总投资（万元）"),
    _lazy("年度计划投资（万元）"),
    _lazy("月份"),
    _lazy("本月完成投资（万元）"),
    _lazy("本年累计完成投资（万元）"),
    _lazy("开工累计完成投资（万元）"),
    _lazy("占年度计划（%）"),
    _lazy("形象进度"),
    _lazy("存在问题"),
)
PROJECT_WIDTHS = (10, 22, 12, 28, 10, 10, 14, 14, 9, 14, 14, 14, 10, 24, 30)
MONTH_INVESTMENT_COLUMN = 9  # 本月完成投资


def _accepted_progress(towns: QuerySet[Town], year: int) -> Iterator[tuple[int, list[tuple]]]:
    """(project_id, [progress row, …]) of accepted reports of the year, in the sheet's row order."""
    rows = (
        ProjectProgress.objects.filter(
            project__town__in=towns.values("pk"), report__period__year=year, report__status=ReportStatus.ACCEPTED
        )
        .order_by(*_town_order("project__town__"), "project__code", "report__period")
        .values_list(
            "project_id",
            "report__period",
            "investment_month",
            "investment_year",
            "investment_total",
            "physical_progress",
            "problems",
            "total_investment_at",
            "annual_plan_at",
        )
        .iterator(chunk_size=CHUNK)
    )
    for project_id, group in groupby(rows, key=lambda row: row[0]):
        yield project_id, list(group)


def _year_plans(towns: QuerySet[Town], year: int) -> Iterator[tuple[int, Decimal]]:
    """(project id, amount) of the year's plans, in the project sheet's order."""
    return (
        ProjectYearPlan.objects.filter(project__town__in=towns.values("pk"), year=year)
        .order_by(*_town_order("project__town__"), "project__code")
        .values_list("project_id", "amount")
        .iterator(chunk_size=CHUNK)
    )


def _project_rows(towns: QuerySet[Town]):
    """The towns' projects in the ledger's order, as tuples, streamed."""
    return (
        Project.objects.filter(town__in=towns.values("pk"))
        .order_by(*_town_order("town__"), "code")
        .values_list(
            "pk",
            "town__district__name",
            "town__unit__name",
            "code",
            "name",
            "category",
            "status",
            "total_investment",
            "actual_finish",
        )
        .iterator(chunk_size=CHUNK)
    )


PROJECT_IDENTITY_STYLES = (BODY, BODY, BODY, WRAPPED, CENTERED, CENTERED)
PROJECT_MONTH_STYLES = PROJECT_IDENTITY_STYLES + (
    MONEY,
    MONEY,
    CENTERED,
    MONEY,
    MONEY,
    MONEY,
    PERCENT,
    WRAPPED,
    WRAPPED,
)
PROJECT_PLAN_STYLES = PROJECT_IDENTITY_STYLES + (MONEY, MONEY) + (BODY,) * (len(PROJECT_HEADERS) - 8)


def _write_project_sheet(
    workbook: WorkbookWriter, towns: QuerySet[Town], year: int, subtitle: str, tick: Callable[[], None]
) -> None:
    headers = [str(h) for h in PROJECT_HEADERS]
    sheet = _add_sheet(
        workbook,
        _("项目台账"),
        title=_("天津市特色小镇项目台账（%(year)s年）") % {"year": year},
        subtitle=subtitle,
        headers=headers,
        widths=PROJECT_WIDTHS,
        freeze_columns=4,
    )
    projects = _project_rows(towns)
    plans = _year_plans(towns, year)
    pending_plan = next(plans, None)
    progress = _accepted_progress(towns, year)
    pending = next(progress, None)
    categories = {value: str(label) for value, label in Project.Category.choices}
    statuses = {value: str(label) for value, label in Project.Status.choices}
    month_total = Decimal(0)
    for (
        pk,
        district_name,
        town_name,
        code,
        name,
        category,
        status,
        total_investment,
        actual_finish,
    ) in projects:
        annual_investment = None
        if pending_plan is not None and pending_plan[0] == pk:  # plans come in the projects' order
            annual_investment = pending_plan[1]
            pending_plan = next(plans, None)
        rows = []
        if pending is not None and pending[0] == pk:
            rows = pending[1]
            pending = next(progress, None)
        elif actual_finish is not None and actual_finish.year < year:
            continue  # finished before the year: not part of this year's ledger
        identity = [district_name, town_name, code, name, categories[category], statuses[status]]
        if not rows:
            sheet.append(
                identity + [total_investment, annual_investment] + [None] * (len(PROJECT_HEADERS) - 8),
                PROJECT_PLAN_STYLES,
            )
            tick()
            continue
        for row in rows:
            month_total += row[2]  # investment_month
            sheet.append(
                identity + _project_month_values(row, total_investment, annual_investment), PROJECT_MONTH_STYLES
            )
            tick()

    totals = [_("合计")] + [
        month_total if index == MONTH_INVESTMENT_COLUMN else None for index in range(1, len(headers))
    ]
    sheet.append(totals, [TOTAL_LABEL] + [TOTAL_MONEY] * (len(headers) - 1))
    sheet.skip()
    sheet.append([_("注：只列已验收月报中的项目进展；合计为本月完成投资之和。")], [NOTE])


CHECK_HEADERS = (
    _lazy("区"),
    _lazy("小镇名称"),
    _lazy("月份"),
    _lazy("指标"),
    _lazy("已验收数"),
    _lazy("核对单位"),
    _lazy("核对单位数"),
    _lazy("核对状态"),
    _lazy("区的说明"),
)
CHECK_WIDTHS = (10, 22, 10, 18, 14, 16, 14, 12, 40)


CHECK_STYLES = (BODY, BODY, BODY, BODY, MONEY, BODY, MONEY, BODY, BODY)


def _write_check_sheet(
    workbook: WorkbookWriter, towns, indicators: list[Indicator], year: int, subtitle: str, tick
) -> None:
    """数据核对: each checked figure of the year with the member unit's figure and its state (issue 18); no
    sheet when no member unit checks an indicator of the workbook."""
    checked = list(
        IndicatorSource.objects.filter(indicator__in=[i.pk for i in indicators]).values_list("indicator_id", flat=True)
    )
    if not checked:
        return
    sheet = _add_sheet(
        workbook,
        _("数据核对"),
        title=_("天津市特色小镇数据核对情况（%(year)s年）") % {"year": year},
        subtitle=subtitle,
        headers=[str(h) for h in CHECK_HEADERS],
        widths=CHECK_WIDTHS,
        freeze_columns=2,
    )
    checks = (
        FigureCheck.objects.filter(
            report__town__in=towns.values("pk"), report__period__year=year, indicator__in=checked
        )
        .select_related("report__town__unit", "report__town__district", "indicator", "member_unit")
        .order_by("report__town__district__order", "report__town__unit__order", "report__period", "indicator__order")
    )
    labels = dict(CheckState.choices)
    for check in checks.iterator(chunk_size=CHUNK):
        town = check.report.town
        sheet.append(
            [
                town.district.name,
                town.unit.name,
                f"{check.report.period:%Y-%m}",
                check.indicator.name,
                check.accepted_value,
                check.member_unit.name,
                check.source_value,
                str(labels[check.state]),
                check.explanation,
            ],
            CHECK_STYLES,
        )
        tick()
