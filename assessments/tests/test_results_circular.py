"""The annual results circular (年度考核结果通报, issue 20): the Word document read back, its page and its door."""

import datetime
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from assessments import document_selectors, results_circular, services
from assessments.models import RunKind, Sanction
from conftest import built_once_per_class
from coordination.models import DocumentKind, IssuedDocument
from tests import clients
from tests.assessing import annual_2025_run

from .factories import make_run, make_scheme, publish
from .test_exports import _table_after, _text

login = clients.login
DECIDED_ON = datetime.date(2026, 1, 20)


def _build_annual(world):
    """2025, published: 华明 met its plan (98, excellent, rewarded); 东丽湖 missed it (68, pass) and 精武 filed
    nothing (fail): each is proposed a warning, no decision taken yet."""
    return publish(world, annual_2025_run(world))


annual, _annual_per_class = built_once_per_class(_build_annual)


def _decide(world, run, town, decision, reason):
    services.run_decide_sanction(
        actor=world.users.office_policy, run=run, town=town, decision=decision, reason=reason, decided_on=DECIDED_ON
    )


def _docx(client, run) -> Document:
    response = client.get(reverse("assessment-run-circular-docx", args=[run.pk]))
    assert response.status_code == 200 and response["Content-Type"] == results_circular.DOCX
    return Document(io.BytesIO(response.content))


def _section(document, heading: str, following: str) -> list[str]:
    """The paragraphs' texts between the heading `heading` and the next one, `following`."""
    texts = [p.text for p in document.paragraphs]
    start = texts.index(heading)
    return texts[start + 1 : texts.index(following, start)]


def _after(document, heading: str) -> list[str]:
    """The paragraphs' texts after the heading `heading` (the last section, then the signature)."""
    texts = [p.text for p in document.paragraphs]
    return texts[texts.index(heading) + 1 :]


class TestPublishedAnnualRun:
    """The published 2025 annual run, built once for the class; each test takes its own decisions."""

    def test_circular_lists_every_towns_grade_the_rewarded_town_and_each_decision_with_its_reason(
        self, login, world, annual
    ):
        _decide(world, annual, world.town2, Sanction.DOWNGRADE, "连续两年未完成年度计划。")
        _decide(world, annual, world.outsider_town, Sanction.EXIT, "连续不报送，建设停滞")
        document = _docx(login(world.users.leader), annual)
        text = _text(document)
        assert "关于2025年度特色小镇考核结果的通报" in text and "审阅稿" not in text
        assert "天津市特色小镇规划建设工作联席会议办公室文件" in text and "（印发时编号）" in text
        assert "各涉农区人民政府，市特色小镇规划建设工作联席会议各成员单位：" in text
        assert "优秀1个、良好0个、合格1个、不合格1个" in text
        ranking = _table_after(document, "二、考核等次")
        assert ranking[0] == ["排名", "区", "小镇", "得分", "等次"]
        assert [(row[2], row[3], row[4]) for row in ranking[1:]] == [
            ("华明智能制造小镇", "98.00", "优秀"),
            ("东丽湖温泉小镇", "68.00", "合格"),
            ("精武文化小镇", ranking[3][3], "不合格"),
        ]
        rewards = _section(document, "三、奖优", "四、处理决定")
        assert (
            len(rewards) == 1 and "对考核等次为优秀且得分居前的东丽区华明智能制造小镇（98.00分）予以奖优" in rewards[0]
        )
        decisions = _after(document, "四、处理决定")
        assert "（一）降级" in decisions and "（二）退出" in decisions and "（一）警告" not in decisions
        assert decisions[decisions.index("（一）降级") + 1] == (
            "东丽区东丽湖温泉小镇：连续两年未完成年度计划。经市特镇办研究，于2026年1月20日决定予以降级。"
        )
        assert decisions[decisions.index("（二）退出") + 1] == (
            "西青区精武文化小镇：连续不报送，建设停滞。经市特镇办研究，于2026年1月20日决定予以退出。"
        )

    def test_a_decision_not_to_sanction_is_not_listed_as_a_sanction(self, login, world, annual):
        _decide(world, annual, world.town2, Sanction.WARNING, "未完成年度计划")
        _decide(world, annual, world.outsider_town, Sanction.NONE, "受疫情影响，酌情不予处理")
        document = _docx(login(world.users.office_policy), annual)
        decisions = _after(document, "四、处理决定")
        assert decisions[1:3] == [
            "（一）警告",
            "东丽区东丽湖温泉小镇：未完成年度计划。经市特镇办研究，于2026年1月20日决定予以警告。",
        ]
        assert "精武文化小镇" not in "".join(decisions) and "酌情不予处理" not in _text(document)
        assert "审阅稿" not in _text(document)

    def test_proposals_awaiting_a_decision_are_listed_as_proposals_to_be_decided_later(self, login, world, annual):
        _decide(world, annual, world.town2, Sanction.WARNING, "未完成年度计划")
        circular = document_selectors.results_circular(annual)
        assert circular["undecided"] and not circular["provisional"]
        text = _text(_docx(login(world.users.office_policy), annual))
        assert "审阅稿" not in text and "尚待研究决定的，决定后另行通知" in text
        assert "于2026年1月20日决定予以警告" in text  # 东丽湖, decided
        assert "西青区精武文化小镇：未完成年度计划。按考核办法建议予以警告，待市特镇办研究决定。" in text

    def test_the_page_shows_what_the_document_says(self, login, world, annual):
        _decide(world, annual, world.town2, Sanction.WARNING, "未完成年度计划")
        _decide(world, annual, world.outsider_town, Sanction.EXIT, "连续不报送，建设停滞")
        page = login(world.users.reviewer).get(reverse("assessment-run-circular", args=[annual.pk])).content.decode()
        text = results_circular.circular_text(annual, document_selectors.results_circular(annual))
        assert text["title"] in page and text["summary"] in page and text["rewards"] in page
        for group in text["sanctions"]:
            assert group["heading"] in page and all(line in page for line in group["lines"])
        assert "连续不报送，建设停滞" in page and "badge-provisional" not in page and "审阅稿" not in page
        for name in ("华明智能制造小镇", "东丽湖温泉小镇", "精武文化小镇"):
            assert name in page
        assert reverse("assessment-run-circular-docx", args=[annual.pk]) in page
        run_page = login(world.users.reviewer).get(reverse("assessment-run", args=[annual.pk])).content.decode()
        assert reverse("assessment-run-circular", args=[annual.pk]) in run_page

    def test_the_number_stands_in_the_header_once_issued(self, world, annual):
        output = io.BytesIO()
        results_circular.write_results_circular(
            output,
            run=annual,
            circular=document_selectors.results_circular(annual),
            issued_on=DECIDED_ON,
            number="津特镇办〔2026〕3号",
        )
        texts = [p.text for p in Document(io.BytesIO(output.getvalue())).paragraphs]
        assert "津特镇办〔2026〕3号" in texts[:4] and "（印发时编号）" not in texts
        assert texts[texts.index("天津市特色小镇规划建设工作联席会议办公室", 5) + 1] == "2026年1月20日"

    def test_the_selector_reads_every_town_in_a_fixed_number_of_queries(self, world, annual):
        with CaptureQueriesContext(connection) as queries:
            circular = document_selectors.results_circular(annual)
        assert circular["count"] == 3 and len(queries) <= 2
        assert [r.town_name for r in circular["rewarded"]] == ["华明智能制造小镇"]
        assert [(g["label"], g["count"]) for g in circular["grades"]] == [
            ("优秀", 1),
            ("良好", 0),
            ("合格", 1),
            ("不合格", 1),
        ]

    def test_the_office_issues_it_once_with_its_document_number_and_the_decisions_taken(
        self, login, world, annual, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        _decide(world, annual, world.town2, Sanction.DOWNGRADE, "连续两年未完成年度计划。")
        page = login(world.users.office_assess).get(reverse("assessment-run-circular", args=[annual.pk]))
        assert "document-issue-confirm" in page.content.decode()
        url = reverse("assessment-run-circular-issue", args=[annual.pk])
        assert login(world.users.reviewer).post(url).status_code == 403  # a district reads it, the office issues it
        login(world.users.office_assess).post(url)
        document = IssuedDocument.objects.get(kind=DocumentKind.RESULTS_CIRCULAR)
        assert (document.number, document.source) == ("津特镇办〔2026〕1号", f"run:{annual.pk}")
        text = "\n".join(p.text for p in Document(document.file.open("rb")).paragraphs)
        assert "津特镇办〔2026〕1号" in text and "决定予以降级" in text
        assert "按考核办法建议予以警告，待市特镇办研究决定" in text  # 精武, not decided yet: told later
        page = login(world.users.reviewer).get(reverse("assessment-run-circular", args=[annual.pk])).content.decode()
        assert "津特镇办〔2026〕1号" in page and reverse("document-file", args=[document.pk]) in page

    def test_a_user_who_reaches_no_town_gets_404(self, login, world, annual):
        client = login(world.users.auditor)
        for name in ("assessment-run-circular", "assessment-run-circular-docx"):
            assert client.get(reverse(name, args=[annual.pk])).status_code == 404


def test_a_draft_circular_is_a_copy_for_review_without_rewards_or_sanctions(login, world):
    run = make_run(world, make_scheme(world, 2026), RunKind.ANNUAL, points=18)
    office = login(world.users.office_policy)
    text = _text(_docx(office, run))
    assert "审阅稿：考核结果尚未发布，得分、排名和等次均为预估" in text
    assert "奖优在考核结果发布后" in text and "（一）警告" not in text
    page = office.get(reverse("assessment-run-circular", args=[run.pk])).content.decode()
    assert "badge-provisional" in page and "仅供审阅" in page
    # Drafts are internal to the office: a district's officer does not see them.
    outsider = login(world.users.outsider)
    for name in ("assessment-run-circular", "assessment-run-circular-docx"):
        assert outsider.get(reverse(name, args=[run.pk])).status_code == 404


def test_a_semiannual_run_has_no_results_circular(login, world):
    run = make_run(world, make_scheme(world, 2026), points=10)
    office = login(world.users.office_policy)
    for name in ("assessment-run-circular", "assessment-run-circular-docx"):
        assert office.get(reverse(name, args=[run.pk])).status_code == 404


def test_a_draft_is_never_issued_and_a_published_briefing_is_a_numbered_special_issue(login, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    run = make_run(world, make_scheme(world, 2026), points=10)
    office = login(world.users.office_assess)
    office.post(reverse("assessment-run-briefing-issue", args=[run.pk]))
    assert not IssuedDocument.objects.exists()
    page = office.get(reverse("assessment-run-briefing", args=[run.pk])).content.decode()
    assert "考核结果发布后才能印发" in page and "document-issue-confirm" not in page
    publish(world, run)
    office.post(reverse("assessment-run-briefing-issue", args=[run.pk]))
    document = IssuedDocument.objects.get()
    assert (document.kind, document.number) == (DocumentKind.ASSESSMENT_BRIEFING, "2026年第1期")
    texts = [p.text for p in Document(document.file.open("rb")).paragraphs]
    assert "考核专刊　2026年第1期" in texts[:3]
