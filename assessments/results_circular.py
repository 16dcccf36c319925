"""The annual assessment results circular (年度考核结果通报, R-5.4) as a Word document, ready for the office to issue.

A pure builder, like exports.write_briefing: the selector's figures (document_selectors.results_circular) in, a .docx out, in
the official document style of tianjin_towns.lib.documents (GB/T 9704): the 版头 with its 发文字号, the title, the
salutation, 一、总体情况, 二、考核等次 (every town), 三、奖优, 四、处理决定 (警告, 降级, 退出), the closing, the
signature and the 版记. Its prose comes from `circular_text`, which the circular's page shows too.
"""

import datetime
import re
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from tianjin_towns.lib import documents as doc

from .exports import label, safe_filename
from .models import Grade, Run
from .selectors import ResultRow

DOCX = doc.DOCX  # the view's content type
# Whom the circular is addressed to (主送) and copied to (抄送).
ADDRESSED_TO = gettext_lazy("各涉农区人民政府，市特色小镇规划建设工作联席会议各成员单位：")
COPIED_TO = gettext_lazy("市特色小镇规划建设工作联席会议各成员单位")
# The ranking's columns across the 156 mm text block: 排名, 区, 小镇, 得分, 等次.
WIDTHS = [Cm(1.8), Cm(2.8), Cm(6.2), Cm(2.4), Cm(2.4)]


def results_circular_title(run: Run) -> str:
    return _("关于%(year)s年度特色小镇考核结果的通报") % {"year": run.year}


def results_circular_filename(run: Run) -> str:
    return f"{safe_filename(run.title)}_{_('结果通报')}.docx"


def _sentence(text: str) -> str:
    """`text` (a reason typed in a form) as one sentence ending in a full stop."""
    return re.sub(r"[\s。；;，,.]+$", "", text.strip()) + "。"


def _town(row: ResultRow) -> str:
    return f"{row.district_name}{row.town_name}"


def _draft_mark(circular: dict) -> str:
    """The red line of a copy for review, short enough for one line under the 版头."""
    if circular["provisional"]:
        return _("审阅稿：考核结果尚未发布，得分、排名和等次均为预估")
    return ""


def _summary(circular: dict) -> str:
    if not circular["count"]:
        return _("本次考核没有参加考核的小镇。")
    text = _("本次考核共有%(count)s个小镇参加，平均得分%(average)s分，最高%(highest)s分，最低%(lowest)s分。") % {
        "count": circular["count"],
        "average": circular["average"],
        "highest": circular["highest"],
        "lowest": circular["lowest"],
    }
    grades = "、".join(f"{grade['label']}{grade['count']}个" for grade in circular["grades"])
    if circular["provisional"]:
        return text + _("按当前数据预估，考核等次为%(grades)s。") % {"grades": grades}
    return text + _("考核等次为%(grades)s。") % {"grades": grades}


def _rewards(run: Run, circular: dict) -> str:
    if circular["provisional"]:
        return _("奖优在考核结果发布后，按考核办法从考核等次为优秀的小镇中确定。")
    if not circular["rewarded"]:
        return _("本年度没有考核等次为优秀、予以奖优的小镇。")
    towns = "、".join(f"{_town(row)}（{row.score}分）" for row in circular["rewarded"])
    return _("根据《%(scheme)s》，对考核等次为优秀且得分居前的%(towns)s予以奖优，希望再接再厉，发挥示范带动作用。") % {
        "scheme": run.scheme.name,
        "towns": towns,
    }


def _sanction_lines(group: dict) -> list[str]:
    """Each town of a kind of sanction (警告, 降级, 退出): the office's decision and its reason, or the rules'
    proposal that still awaits the decision."""
    lines = [
        _("%(town)s：%(reason)s经市特镇办研究，于%(date)s决定予以%(sanction)s。")
        % {
            "town": _town(row),
            "reason": _sentence(row.decision_reason),
            "date": doc.chinese_date(row.decided_on),
            "sanction": group["label"],
        }
        for row in group["decided"]
    ]
    lines += [
        _("%(town)s：%(reason)s按考核办法建议予以%(sanction)s，待市特镇办研究决定。")
        % {"town": _town(row), "reason": _sentence(row.proposal_reason), "sanction": group["label"]}
        for row in group["proposed"]
    ]
    return lines


def _sanctions_intro(run: Run, circular: dict) -> str:
    if circular["provisional"]:
        return _(
            "考核结果发布后，对未完成年度计划或考核不合格的小镇，按照《%(scheme)s》提出警告、降级或退出的处理建议，"
            "由市特镇办研究决定。"
        ) % {"scheme": run.scheme.name}
    if not circular["sanctions"]:
        return _("本年度没有予以警告、降级或退出处理的小镇。")
    if circular["undecided"]:
        # Published before every proposal is decided: the grades go out now, the pending decisions later.
        return _(
            "对未完成年度计划或考核不合格的小镇，按照《%(scheme)s》提出处理建议。市特镇办已作出决定的，列明决定；"
            "尚待研究决定的，决定后另行通知。处理情况如下："
        ) % {"scheme": run.scheme.name}
    return _("对未完成年度计划或考核不合格的小镇，按照《%(scheme)s》提出处理建议，经市特镇办研究，处理如下：") % {
        "scheme": run.scheme.name
    }


def circular_text(run: Run, circular: dict) -> dict:
    """The circular's prose, written once for the document and its page."""
    return {
        "issuer": str(doc.OFFICE),
        "number": str(doc.PREVIEW_NUMBER),  # the page is a preview: numbers are given when the circular is issued
        "copied_to": str(COPIED_TO),
        "title": results_circular_title(run),
        "mark": _draft_mark(circular),
        "addressed_to": str(ADDRESSED_TO),
        "intro": _(
            "按照“半年一小考、一年一大考”的要求，依据《%(scheme)s》，市特色小镇规划建设工作联席会议办公室对全市"
            "%(count)s个特色小镇%(year)s年度的建设情况进行了考核。现将考核结果通报如下："
        )
        % {"scheme": run.scheme.name, "count": circular["count"], "year": run.year},
        "summary": _summary(circular),
        "ranking": _("各小镇考核得分、排名和等次如下（按得分排序）："),
        "rewards": _rewards(run, circular),
        "sanctions_intro": _sanctions_intro(run, circular),
        "sanctions": [
            {
                "number": number,
                "label": group["label"],
                "heading": f"（{doc.chinese_number(number)}）{group['label']}",
                "lines": _sanction_lines(group),
            }
            for number, group in enumerate(circular["sanctions"], start=1)
        ],
        "closing": _(
            "各区要对照考核结果，认真总结经验、查找不足；受到处理的小镇所在区要督促小镇深入分析原因，制定整改措施，"
            "加快推进特色小镇规划建设。考核结果纳入有关单位年度考核。"
        ),
    }


def write_results_circular(
    output: BinaryIO, *, run: Run, circular: dict, issued_on: datetime.date, number: str | None = None
) -> None:
    """The annual run's results circular as a Word document in the official style (通报: red 版头, GB/T 9704 page).

    `number` is its 发文字号 (津特镇办〔2026〕3号), printed in the 版头; without one it is a preview, whose 版头 says
    the number is given when it is issued. A draft's circular is a copy for review, marked so in red under the 版头;
    a published run's may go out while proposals await the office's decision, which it lists as proposals."""
    text = circular_text(run, circular)
    document = doc.official_document(title=text["title"], author=str(doc.OFFICE))
    doc.document_header(document, number=number)
    if text["mark"]:
        mark = doc.paragraph(document, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
        doc.set_font(mark.add_run(text["mark"]), doc.HEADING_FONT, doc.SIZE_SMALL)
        mark.runs[0].font.color.rgb = doc.RED
        doc.paragraph(document, indent=False)
    doc.title(document, text["title"])
    doc.paragraph(document, indent=False)
    doc.paragraph(document, text["addressed_to"], indent=False)
    doc.paragraph(document, text["intro"])

    doc.heading(document, 1, _("总体情况"))
    doc.paragraph(document, text["summary"])
    doc.heading(document, 2, _("考核等次"))
    doc.paragraph(document, text["ranking"])
    _ranking_table(document, circular["rows"])
    doc.heading(document, 3, _("奖优"))
    doc.paragraph(document, text["rewards"])
    doc.heading(document, 4, _("处理决定"))
    doc.paragraph(document, text["sanctions_intro"])
    for group in text["sanctions"]:
        doc.subheading(document, group["number"], group["label"])
        for line in group["lines"]:
            doc.paragraph(document, line)
    doc.paragraph(document, text["closing"])

    doc.paragraph(document, indent=False)
    doc.signature(document, text["issuer"], doc.chinese_date(issued_on))
    doc.colophon(document, copied_to=text["copied_to"], issuer=text["issuer"], printed_on=issued_on)
    document.save(output)


def _ranking_table(document, rows: list[ResultRow]) -> None:
    """Every town in rank order: 排名, 区, 小镇, 得分, 等次; the header in the heading font."""
    table = doc.table(document, rows=1, cols=len(WIDTHS))
    table.autofit = False
    for column, width in zip(table.columns, WIDTHS, strict=True):
        column.width = width  # the table grid, which LibreOffice lays out by (Word by the cells' widths)
    headers = [_("排名"), _("区"), _("小镇"), _("得分"), _("等次")]
    for cell, text, width in zip(table.rows[0].cells, headers, WIDTHS, strict=True):
        doc.cell(cell, text, font=doc.HEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
        cell.width = width
    for row in rows:
        values = [str(row.rank), row.district_name, row.town_name, str(row.score), label(Grade, row.grade)]
        for position, (cell, text, width) in enumerate(zip(table.add_row().cells, values, WIDTHS, strict=True)):
            doc.cell(cell, text, align=WD_ALIGN_PARAGRAPH.LEFT if position == 2 else WD_ALIGN_PARAGRAPH.CENTER)
            cell.width = width
