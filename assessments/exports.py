"""Files of the assessments app: the results workbook (for the units' own annual evaluation), the
annual-target template and its reader, and the semi-annual briefing (简报) as a Word document.

Builders take rows and return files; they do not query (the caller passes what a selector read).
"""

import datetime
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import BinaryIO
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from coordination.models import Town
from ledgers.models import Indicator
from tianjin_towns.lib import documents as doc
from tianjin_towns.lib import excel

from . import selectors
from .models import Band, Grade, Run, RunKind, Sanction
from .selectors import ResultRow
from .services import TargetRow, parse_amount

DOCX = doc.DOCX  # the view's content type
SHANGHAI = ZoneInfo("Asia/Shanghai")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE_ROWS = 2
HEADER_ROW = TITLE_ROWS + 1


def safe_filename(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text.strip()).strip("_") or "export"


def _now() -> str:
    return f"{timezone.now().astimezone(SHANGHAI):%Y-%m-%d %H:%M}"


def _title_rows(ws, title: str, subtitle: str, columns: int) -> None:
    ws.append([excel.title_cell(ws, title)])
    ws.append([excel.subtitle_cell(ws, subtitle)])
    excel.merge_across(ws, 1, columns)
    excel.merge_across(ws, 2, columns)


def label(choices, value: str) -> str:
    return str(choices(value).label) if value else ""


# --- Results workbook -------------------------------------------------------------------------------------


def write_results_workbook(output: BinaryIO, *, run: Run, rows: list[ResultRow]) -> None:
    """Sheet 1: ranking with grade or band and sanctions; sheet 2: every item of every town with its figures."""
    workbook = Workbook(write_only=True)
    subtitle = _("考核期：%(start)s 至 %(end)s　　状态：%(state)s　　导出时间：%(time)s（北京时间）") % {
        "start": run.start,
        "end": run.end,
        "state": _state(run),
        "time": _now(),
    }
    items = rows[0].items if rows else []
    _write_ranking(workbook, run, rows, items, subtitle)
    _write_breakdown(workbook, run, rows, subtitle)
    workbook.save(output)


def _state(run: Run) -> str:
    if run.is_published:
        return _("已发布 %(at)s") % {"at": f"{run.published_at.astimezone(SHANGHAI):%Y-%m-%d}"}
    if run.kind == RunKind.ANNUAL:
        return _("草稿（预估，按当前数据计算；奖优和建议处理在结果发布后提出）")
    if not selectors.run_period_ended(run):
        return _("草稿（预估，按当前数据计算；表扬和警示在半年考核期结束后确定）")
    return _("草稿（预估，按当前数据计算，发布后固定）")


def _outcome_columns(run: Run) -> list[tuple[str, int, Callable[[ResultRow], str]]]:
    """The ranking's columns between the score and the plan, as (header, width, cell text): a published annual
    run's grade, reward and sanctions; a draft's provisional (预估) grade and neither rewards nor sanctions; a
    semi-annual run's band (表扬/警示), provisional in a draft and absent while its half-year runs."""
    if run.kind == RunKind.ANNUAL and run.is_published:
        return [
            (_("等次"), 8, lambda row: label(Grade, row.grade)),
            (_("奖优"), 7, lambda row: _("是") if row.reward else ""),
            (_("建议处理"), 10, lambda row: label(Sanction, row.sanction_proposed)),
            (_("决定处理"), 10, lambda row: label(Sanction, row.sanction_decided)),
        ]
    if run.kind == RunKind.ANNUAL:
        return [(_("预估等次"), 10, lambda row: label(Grade, row.grade))]
    if run.is_published:
        return [(_("表扬/警示"), 10, lambda row: label(Band, row.band))]
    if selectors.run_period_ended(run):
        return [(_("预估表扬/警示"), 10, lambda row: label(Band, row.band))]
    return []


def _plan_met(row: ResultRow) -> str:
    if row.plan_pending:
        return _("考核期未结束")
    return {True: _("是"), False: _("否"), None: _("无计划")}[row.plan_met]


def _write_ranking(workbook, run: Run, rows: list[ResultRow], items: list[dict], subtitle: str) -> None:
    ws = workbook.create_sheet(_("考核结果"))
    outcome = _outcome_columns(run)
    headers = [_("全市排名"), _("区内排名"), _("区"), _("小镇"), _("得分") if run.is_published else _("预估得分")]
    headers += [header for header, _width, _text in outcome]
    headers += [_("完成年度计划") if run.kind == RunKind.ANNUAL else _("完成半年目标")]
    headers += [f"{item['name']}（{item['weight']}分）" for item in items]
    widths = [9, 9, 10, 24, 9] + [width for _header, width, _text in outcome] + [12] + [14] * len(items)
    excel.prepare_sheet(ws, widths=widths, header_row_number=HEADER_ROW, freeze_columns=4)
    ws.row_dimensions[HEADER_ROW].height = 42
    _title_rows(ws, _("%(title)s结果") % {"title": run.title}, subtitle, len(headers))
    ws.append(excel.header_row(ws, headers))
    for row in rows:
        cells = [
            excel.styled_cell(ws, row.rank, alignment=excel.CENTER),
            excel.styled_cell(ws, row.district_rank, alignment=excel.CENTER),
            excel.styled_cell(ws, row.district_name),
            excel.styled_cell(ws, row.town_name),
            excel.styled_cell(ws, row.score, number_format=excel.MONEY_FORMAT),
        ]
        cells += [excel.styled_cell(ws, text(row), alignment=excel.CENTER) for _header, _width, text in outcome]
        cells.append(excel.styled_cell(ws, _plan_met(row), alignment=excel.CENTER))
        for item in row.items:
            value = Decimal(item["earned"]) if item["applicable"] else _("不适用")
            cells.append(excel.styled_cell(ws, value, number_format=excel.MONEY_FORMAT))
        ws.append(cells)
    ws.append([])
    ws.append(
        [
            excel.note_cell(
                ws,
                _(
                    "注：得分 = 适用各项得分之和 ÷ 适用各项权重之和 × 100；不适用的项目（如无年度计划）不计入。完成情况只计已验收数据。"
                ),
            )
        ]
    )


def _write_breakdown(workbook, run: Run, rows: list[ResultRow], subtitle: str) -> None:
    ws = workbook.create_sheet(_("得分明细"))
    headers = [
        _("区"),
        _("小镇"),
        _("考核项"),
        _("权重"),
        _("计分规则"),
        _("计分依据"),
        _("比率（%）"),
        _("得分"),
        _("说明"),
    ]
    excel.prepare_sheet(ws, widths=[10, 24, 18, 7, 40, 46, 10, 9, 30], header_row_number=HEADER_ROW, freeze_columns=3)
    _title_rows(ws, _("%(title)s得分明细") % {"title": run.title}, subtitle, len(headers))
    ws.append(excel.header_row(ws, headers))
    for row in rows:
        for item in row.items:
            figures = "；".join(f"{name}：{value}" for name, value in item["figures"])
            ws.append(
                [
                    excel.styled_cell(ws, row.district_name),
                    excel.styled_cell(ws, row.town_name),
                    excel.styled_cell(ws, item["name"]),
                    excel.styled_cell(ws, Decimal(item["weight"]), number_format="0.0"),
                    excel.styled_cell(ws, item["rule"], alignment=excel.WRAP),
                    excel.styled_cell(ws, figures, alignment=excel.WRAP),
                    excel.styled_cell(
                        ws, Decimal(item["rate"]) if item["rate"] is not None else None, number_format="0.0"
                    ),
                    excel.styled_cell(
                        ws,
                        Decimal(item["earned"]) if item["applicable"] else _("不适用"),
                        number_format=excel.MONEY_FORMAT,
                    ),
                    excel.styled_cell(ws, item["note"] or None, alignment=excel.WRAP),
                ]
            )


def results_filename(run: Run) -> str:
    return f"{safe_filename(run.title)}_{_('考核结果')}.xlsx"


# --- Annual-target template and reader ---------------------------------------------------------------------

TARGET_SHEET = "年度计划"
IDENTITY = ("区", "小镇编码", "小镇名称")


def _indicator_header(indicator: Indicator) -> str:
    return f"{indicator.name}（{indicator.unit}）"


def write_target_template(
    output: BinaryIO,
    *,
    year: int,
    towns: list[Town],
    indicators: list[Indicator],
    targets: dict[tuple[int, str], Decimal],
) -> None:
    """The ledger's layout (district, town code, town name, then one column per indicator), prefilled."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(TARGET_SHEET)
    columns = len(IDENTITY) + len(indicators)
    excel.prepare_sheet(
        ws, widths=[10, 12, 24] + [14] * len(indicators), header_row_number=HEADER_ROW, freeze_columns=3
    )
    ws.row_dimensions[HEADER_ROW].height = 42
    _title_rows(
        ws,
        _("天津市特色小镇年度计划（%(year)s年）") % {"year": year},
        _("年度：%(year)s　　填写说明：只填年度目标值（大于0），不设目标的指标留空；请勿修改前三列和表头。")
        % {"year": year},
        columns,
    )
    ws.append(excel.header_row(ws, [*IDENTITY, *(_indicator_header(i) for i in indicators)]))
    formats = [excel.number_format(i.decimal_places) for i in indicators]
    for town in towns:
        row = [
            excel.styled_cell(ws, town.district.name),
            excel.styled_cell(ws, town.code),
            excel.styled_cell(ws, town.name),
        ]
        row += [
            excel.styled_cell(ws, targets.get((town.pk, i.code)), number_format=f)
            for i, f in zip(indicators, formats, strict=True)
        ]
        ws.append(row)
    workbook.save(output)


def target_template_filename(year: int) -> str:
    return f"{_('特色小镇年度计划')}_{year}.xlsx"


def read_target_workbook(source: BinaryIO, *, indicators: Iterable[Indicator]) -> list[TargetRow]:
    """Every target cell of an uploaded template as a TargetRow; a bad cell carries its error message.

    Empty cells are read as "no target" (removing one that exists), so the file states the whole plan
    of each town it lists.
    """
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return [TargetRow("", 0, "", "", "", None, _("文件不是有效的 Excel 工作簿（.xlsx）。"))]
    if TARGET_SHEET not in workbook.sheetnames:
        return [
            TargetRow(
                "", 0, "", "", "", None, _("找不到“%(sheet)s”工作表，请使用下载的模板。") % {"sheet": TARGET_SHEET}
            )
        ]
    ws = workbook[TARGET_SHEET]
    by_header = {_indicator_header(i): i for i in indicators} | {i.name: i for i in indicators}
    rows = list(ws.iter_rows(values_only=True))
    header_index = next(
        (n for n, row in enumerate(rows[:10]) if row and len(row) > 1 and str(row[1] or "").strip() == IDENTITY[1]),
        None,
    )
    if header_index is None:
        return [TargetRow(TARGET_SHEET, 0, "", "", "", None, _("找不到表头（“小镇编码”一列），请使用下载的模板。"))]
    header = [str(cell or "").strip() for cell in rows[header_index]]
    result: list[TargetRow] = []
    columns: dict[int, Indicator] = {}
    for index, text in enumerate(header[len(IDENTITY) :], start=len(IDENTITY)):
        if not text:
            continue
        indicator = by_header.get(text)
        if indicator is None:
            result.append(
                TargetRow(
                    TARGET_SHEET,
                    header_index + 1,
                    _column(index),
                    "",
                    "",
                    None,
                    _("未知的指标列“%(text)s”。") % {"text": text},
                )
            )
        else:
            columns[index] = indicator
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        code = str(row[1] or "").strip() if len(row) > 1 else ""
        if not code:
            if any(cell not in (None, "") for cell in row):
                result.append(TargetRow(TARGET_SHEET, number, _column(1), "", "", None, _("缺少小镇编码。")))
            continue
        for index, indicator in columns.items():
            raw = row[index] if index < len(row) else None
            try:
                value = parse_amount(raw, indicator.name)
                message = ""
            except ValidationError as error:
                value, message = None, "；".join(error.messages)
            result.append(TargetRow(TARGET_SHEET, number, _column(index), code, indicator.code, value, message))
    return result


def _column(index: int) -> str:
    return get_column_letter(index + 1)


# --- Briefing (简报) ----------------------------------------------------------------------------------------


def write_briefing(
    output: BinaryIO, *, run: Run, briefing: dict, issued_on: datetime.date, number: str | None = None
) -> None:
    """The semi-annual briefing as a Word document in the official style (简报: red masthead, GB/T 9704 page):
    summary, praise list, warning list, each district's position, then the 版记.

    A draft's is a copy for review, marked so under its masthead; while the half-year runs it lists no town
    for praise or warning (document_selectors.briefing). Issued, it is a special issue (考核专刊) of the office's
    briefing with that issue's `number` (2026年第12期); a preview says it is numbered when issued."""
    title = briefing_title(run)
    document = doc.official_document(title=title, author=str(doc.OFFICE))
    doc.briefing_masthead(
        document,
        name=_("特色小镇建设工作简报"),
        issue=_("考核专刊　%(number)s") % {"number": number or doc.PREVIEW_NUMBER},
        issuer=str(doc.OFFICE),
        issued_on=issued_on,
    )
    if briefing["provisional"]:
        mark = doc.paragraph(document, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
        doc.set_font(mark.add_run(_briefing_draft_mark(briefing)), doc.HEADING_FONT, doc.SIZE_SMALL)
        mark.runs[0].font.color.rgb = doc.RED
    doc.title(document, title)
    doc.paragraph(document, indent=False)

    doc.heading(document, 1, _("总体情况"))
    doc.paragraph(document, _briefing_summary(run, briefing))
    pending = briefing["bands_pending"]
    not_yet = _("半年考核期尚未结束，考核期结束后确定。")
    _listed(
        document,
        2,
        _("表扬名单"),
        briefing["praise"],
        _("以下小镇按时完成半年目标任务，予以表扬（按得分排序）："),
        not_yet if pending else _("本次无按时完成半年目标任务的小镇。"),
    )
    _listed(
        document,
        3,
        _("警示名单"),
        briefing["warning"],
        _("以下小镇未按时完成半年目标任务，予以警示，请所在区督促加快进度："),
        not_yet if pending else _("本次无警示小镇。"),
    )
    doc.heading(document, 4, _("各区情况"))
    _district_table(document, briefing["positions"], bands=not pending)
    doc.briefing_colophon(document, printed_on=issued_on)
    document.save(output)


def _row(table, texts: list[str], *, header: bool = False) -> None:
    cells = table.rows[0].cells if header else table.add_row().cells
    for cell, text in zip(cells, texts, strict=True):
        doc.cell(cell, text, font=doc.HEADING_FONT if header else doc.BODY_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)


def _briefing_draft_mark(briefing: dict) -> str:
    if briefing["bands_pending"]:
        return _("审阅稿：考核结果尚未发布，得分和排名均为预估，表扬和警示在半年考核期结束后确定")
    return _("审阅稿：考核结果尚未发布，得分、排名和表扬、警示名单均为预估")


def _briefing_summary(run: Run, briefing: dict) -> str:
    text = _(
        "按照“半年一小考、一年一大考”的要求，依据%(scheme)s，对全市 %(count)s 个特色小镇 %(start)s 至 %(end)s 的建设情况进行了考核。"
        "平均得分 %(average)s 分，最高 %(highest)s 分，最低 %(lowest)s 分。"
    ) % {
        "scheme": f"《{run.scheme.name}》",
        "count": briefing["count"],
        "start": f"{run.start.year}年{run.start.month}月",
        "end": f"{run.end.month}月",
        "average": briefing["average"],
        "highest": briefing["highest"],
        "lowest": briefing["lowest"],
    }
    if briefing["bands_pending"]:
        text += _("半年考核期尚未结束，表扬和警示在考核期结束后按半年目标完成情况确定。")
    else:
        text += _("完成半年目标任务、予以表扬的小镇 %(praise)s 个，未完成、予以警示的小镇 %(warning)s 个。") % {
            "praise": len(briefing["praise"]),
            "warning": len(briefing["warning"]),
        }
    text += _("本次考核不与奖惩挂钩。")
    if briefing["unbanded"]:
        text += _("另有 %(n)s 个小镇本年度未下达年度计划，不作表扬或警示。") % {"n": len(briefing["unbanded"])}
    return text


def _district_table(document, positions: list, *, bands: bool) -> None:
    """Each district's towns, average and best place; with `bands`, how many of its towns are praised and warned."""
    headers = [_("区"), _("参加考核小镇"), _("平均得分")] + ([_("表扬"), _("警示")] if bands else []) + [_("最好名次")]
    table = doc.table(document, rows=1, cols=len(headers))
    _row(table, headers, header=True)
    for position in positions:
        values = [position.district_name, str(position.towns), str(position.average)]
        values += [str(position.praise), str(position.warning)] if bands else []
        values += [f"{position.best_rank}（{position.best}）"]
        _row(table, values)


def _listed(document, number: int, heading: str, rows: list[ResultRow], intro: str, none: str) -> None:
    """A section of the briefing naming towns: its heading, then `intro` and their table, or `none`."""
    doc.heading(document, number, heading)
    doc.paragraph(document, intro if rows else none)
    if rows:
        _result_table(document, rows)


def _result_table(document, rows: list[ResultRow]) -> None:
    table = doc.table(document, rows=1, cols=4)
    _row(table, [_("全市排名"), _("区"), _("小镇"), _("得分")], header=True)
    for row in rows:
        _row(table, [str(row.rank), row.district_name, row.town_name, str(row.score)])


def briefing_title(run: Run) -> str:
    return run.title + _("情况通报")


def briefing_filename(run: Run) -> str:
    return f"{safe_filename(run.title)}_{_('简报')}.docx"
