"""The security audit as an Excel workbook (系统管理 → 安全审计 → 导出Excel): a pure builder, events in, bytes out.

A write-only sheet in the house style (tianjin_towns.lib.excel): the title, a line saying when, by whom and with
which filters it was exported, then the frozen header and one row per event. Times are Asia/Shanghai times held
as Excel dates, so the sheet sorts and filters them; every text (names, targets, addresses typed at a failed
sign-in) goes through styled_cell, which never lets it become a formula."""

import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from tianjin_towns.lib import excel

from .models import SecurityEvent

SHEET = "安全审计记录"
HEADER_ROW = 3
COLUMNS = ("时间", "用户名", "姓名", "地址", "事件", "对象", "结果", "请求编号")
WIDTHS = (20, 16, 12, 16, 16, 36, 8, 34)
TIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm:ss'


def security_events_workbook(events: Iterable[SecurityEvent], *, note: str) -> tuple[bytes, int]:
    """The workbook of `events` (with user__profile joined) under the line `note`, and how many rows it holds."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(SHEET)
    excel.prepare_sheet(ws, widths=WIDTHS, headers=COLUMNS, header_row_number=HEADER_ROW, freeze_columns=1)
    ws.append([excel.title_cell(ws, _("安全审计记录"))])
    ws.append([excel.subtitle_cell(ws, note)])
    excel.merge_across(ws, 1, len(COLUMNS))
    excel.merge_across(ws, 2, len(COLUMNS))
    ws.append(excel.header_row(ws, COLUMNS))
    count = 0
    for event in events:
        profile = getattr(event.user, "profile", None) if event.user_id else None
        at = timezone.localtime(event.at).replace(tzinfo=None)  # Excel has no time zones
        ws.append(
            [
                excel.styled_cell(ws, at, number_format=TIME_FORMAT, alignment=excel.LEFT),
                excel.styled_cell(ws, event.username),
                excel.styled_cell(ws, profile.full_name if profile else ""),
                excel.styled_cell(ws, event.ip or ""),
                excel.styled_cell(ws, event.get_kind_display()),
                excel.styled_cell(ws, event.target, alignment=excel.WRAP),
                excel.styled_cell(ws, event.get_result_display(), alignment=excel.CENTER),
                excel.styled_cell(ws, event.request_id),
            ]
        )
        count += 1
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue(), count
