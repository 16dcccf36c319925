"""The briefing (简报) as a Word document, read back; the target template reader."""

import datetime
import io

from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from assessments import document_selectors, exports
from assessments.models import RunKind
from conftest import built_once_per_class
from tests import clients
from tests.assessing import investing

from .factories import make_run, make_scheme, months, publish

YEAR = 2026


def _build_semiannual(world):
    investing(world, YEAR, months(YEAR, 1, 6), {world.town: ("1200", 100), world.town2: ("2400", 100)})
    return publish(world, make_run(world, make_scheme(world, YEAR), points=10))


semiannual, _semiannual_per_class = built_once_per_class(_build_semiannual)
login = clients.login


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _table_after(document, heading: str) -> list[list[str]]:
    """The rows of the first table that follows the paragraph `heading` in the document body."""
    body = document.element.body
    seen = False
    for child in body.iterchildren():
        if child.tag.endswith("}p") and heading in "".join(child.itertext()):
            seen = True
        elif seen and child.tag.endswith("}tbl"):
            table = next(t for t in document.tables if t._tbl is child)
            return [[cell.text for cell in row.cells] for row in table.rows]
    return []


class TestPublishedSemiannualRun:
    """A published semi-annual run of 2026, built once for the class."""

    def test_briefing_docx_opens_with_the_summary_the_praise_and_warning_lists_and_each_district(
        self, login, world, semiannual
    ):
        response = login(world.users.leader).get(reverse("assessment-run-briefing-docx", args=[semiannual.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == exports.DOCX
        document = Document(io.BytesIO(response.content))
        text = _text(document)
        assert "特色小镇建设工作简报" in text and "审阅稿" not in text
        assert "对全市 3 个特色小镇" in text and "本次考核不与奖惩挂钩" in text
        praise = _table_after(document, "二、表扬名单")
        warning = _table_after(document, "三、警示名单")
        assert [row[2] for row in praise[1:]] == ["华明智能制造小镇"]
        assert [row[2] for row in warning[1:]] == ["东丽湖温泉小镇"]
        assert "另有 1 个小镇本年度未下达年度计划，不作表扬或警示" in text  # 精武: no target at all
        districts = _table_after(document, "四、各区情况")
        assert {row[0] for row in districts[1:]} == {"东丽区", "西青区"}
        dongli = next(row for row in districts if row[0] == "东丽区")
        assert dongli[1:5] == ["2", dongli[2], "1", "1"]

    def test_briefing_page_matches_the_document(self, login, world, semiannual):
        page = (
            login(world.users.outsider).get(reverse("assessment-run-briefing", args=[semiannual.pk])).content.decode()
        )
        briefing = document_selectors.briefing(semiannual)
        assert "表扬名单" in page and "警示名单" in page and "各区情况" in page
        for row in briefing["praise"] + briefing["warning"]:
            assert row.town_name in page

    def test_annual_runs_have_no_briefing_but_a_results_circular(self, login, world, semiannual):
        annual = make_run(world, semiannual.scheme, RunKind.ANNUAL)
        office = login(world.users.office_policy)
        for name in ("assessment-run-briefing", "assessment-run-briefing-docx"):
            assert office.get(reverse(name, args=[annual.pk])).status_code == 404
        for name in ("assessment-run-circular", "assessment-run-circular-docx"):
            assert office.get(reverse(name, args=[annual.pk])).status_code == 200


def _ranking(response) -> tuple[str, list, dict]:
    """The results workbook's subtitle, its header row and each town's row by name (as dicts by header)."""
    sheet = load_workbook(io.BytesIO(response.content))["考核结果"]
    rows = list(sheet.iter_rows(values_only=True))
    header_index = next(n for n, row in enumerate(rows) if row[0] == "全市排名")
    headers = list(rows[header_index])
    towns = {row[3]: dict(zip(headers, row, strict=True)) for row in rows[header_index + 1 :] if row[3]}
    return rows[1][0], headers, towns


def test_a_semiannual_drafts_workbook_and_briefing_band_no_town_until_the_half_year_has_ended(login, world, on_day):
    """Issue 19, the half-year: read in April, every town is short of the half-year's target. A draft's results
    workbook and its briefing (a copy for review) name no town for praise or warning until the half-year has
    ended, and then name them as provisional (预估)."""
    investing(world, YEAR, months(YEAR, 1, 6), {world.town: ("1200", 100), world.town2: ("2400", 100)})
    run = make_run(world, make_scheme(world, YEAR), points=10)

    on_day(datetime.date(YEAR, 4, 15))
    office = login(world.users.office_policy)
    subtitle, headers, towns = _ranking(office.get(reverse("assessment-run-export", args=[run.pk])))
    assert "表扬和警示在半年考核期结束后确定" in subtitle
    assert "预估得分" in headers and not {"表扬/警示", "预估表扬/警示"} & set(headers)
    assert towns["华明智能制造小镇"]["完成半年目标"] == "考核期未结束"
    assert towns["精武文化小镇"]["完成半年目标"] == "无计划"
    document = Document(io.BytesIO(office.get(reverse("assessment-run-briefing-docx", args=[run.pk])).content))
    text = _text(document)
    assert "审阅稿：考核结果尚未发布，得分和排名均为预估" in text
    assert "半年考核期尚未结束，表扬和警示在考核期结束后按半年目标完成情况确定" in text
    assert "予以警示的小镇" not in text and "东丽湖温泉小镇" not in text
    assert len(document.tables) == 1  # each district's position, without praise or warning counts
    assert [cell.text for cell in document.tables[0].rows[0].cells] == ["区", "参加考核小镇", "平均得分", "最好名次"]
    page = office.get(reverse("assessment-run-briefing", args=[run.pk])).content.decode()
    assert "badge-provisional" in page and "不列表扬和警示名单" in page and "予以警示的小镇" not in page

    on_day(datetime.date(YEAR, 7, 20))
    office = login(world.users.office_policy)
    _subtitle, headers, towns = _ranking(office.get(reverse("assessment-run-export", args=[run.pk])))
    assert "预估表扬/警示" in headers
    assert [towns[name]["预估表扬/警示"] for name in ("华明智能制造小镇", "东丽湖温泉小镇")] == ["表扬", "警示"]
    document = Document(io.BytesIO(office.get(reverse("assessment-run-briefing-docx", args=[run.pk])).content))
    assert "审阅稿：考核结果尚未发布，得分、排名和表扬、警示名单均为预估" in _text(document)
    assert [row[2] for row in _table_after(document, "三、警示名单")[1:]] == ["东丽湖温泉小镇"]
