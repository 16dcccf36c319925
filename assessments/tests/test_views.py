"""Pages of the assessments app: who sees and does what (outsiders 404, viewers 403), one effect each,
and fixed query counts on the lists."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from assessments import services
from assessments.models import ItemKind, ManualScore, Run, RunKind, RunStatus, Scheme, SelfEvaluation, Target
from conftest import built_once_per_class
from coordination import services as org
from coordination.models import MemberUnit, Role, SharedKind, Town, TownStatus
from coordination.tests.factories import more_towns
from tests import clients
from tests.queries import queries_of_get

from .factories import accepted_report, make_run, make_scheme, months, publish, score_every_town, set_targets

YEAR = 2026


login = clients.login


@pytest.fixture
def stranger(world):
    """A member-unit liaison whose unit the office shares nothing with: it reaches no town of its own, so
    nothing of the assessments exists for it."""
    liaison = world.users.liaison
    MemberUnit.objects.filter(pk=liaison.profile.member_unit_id).update(withheld_kinds=SharedKind.values)
    return liaison


def _build_draft(world):
    set_targets(world, world.town, YEAR, fixed_asset_investment="1200")
    for period in months(YEAR, 1, 2):
        accepted_report(world, world.town, period, fixed_asset_investment=100)
    return make_run(world, make_scheme(world, YEAR))


draft, _draft_per_class = built_once_per_class(_build_draft)


def _build_published(world):
    draft = _build_draft(world)
    score_every_town(world, draft, 12)
    return publish(world, draft)


published, _published_per_class = built_once_per_class(_build_published)


# --- The overview and the run pages --------------------------------------------------------------------


class TestDraftRun:
    """A draft semi-annual run of 2026, built once for the class."""

    def test_overview_lists_the_years_runs_and_offers_a_new_run_to_the_assessment_group(self, login, world, draft):
        page = login(world.users.office_assess).get(reverse("assessment-overview"), {"year": YEAR}).content.decode()
        assert draft.title in page
        assert reverse("assessment-run-create") in page
        page = login(world.users.leader).get(reverse("assessment-overview"), {"year": YEAR}).content.decode()
        assert draft.title not in page  # drafts are internal to the office
        assert reverse("assessment-run-create") not in page

    def test_district_sees_only_published_runs_and_its_own_towns(self, login, world, draft):
        client = login(world.users.outsider)  # 西青区's officer
        assert client.get(reverse("assessment-run", args=[draft.pk])).status_code == 404
        score_every_town(world, draft, 12)
        publish(world, draft)
        page = client.get(reverse("assessment-run", args=[draft.pk])).content.decode()
        assert "精武文化小镇" in page
        assert "华明智能制造小镇" not in page
        assert client.get(reverse("assessment-town", args=[draft.pk, world.outsider_town.pk])).status_code == 200
        assert client.get(reverse("assessment-town", args=[draft.pk, world.town.pk])).status_code == 404

    def test_only_the_office_publishes(self, login, world, draft):
        score_every_town(world, draft, 12)
        url = reverse("assessment-run-publish", args=[draft.pk])
        assert login(world.users.leader).post(url).status_code == 404  # leaders never see drafts
        assert login(world.users.outsider).post(url).status_code == 404
        response = login(world.users.office_coord).post(url)
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == RunStatus.PUBLISHED

    def test_only_the_assessment_group_creates_runs_and_enters_manual_scores(self, login, world, draft):
        data = {"scheme": draft.scheme.pk, "kind": RunKind.ANNUAL, "title": ""}
        assert login(world.users.office_policy).post(reverse("assessment-run-create"), data).status_code == 403
        assert login(world.users.reviewer).post(reverse("assessment-run-create"), data).status_code == 403
        assert login(world.users.liaison).post(reverse("assessment-run-create"), data).status_code == 403
        response = login(world.users.office_assess).post(reverse("assessment-run-create"), data)
        run = Run.objects.get(kind=RunKind.ANNUAL)
        assert response.url == reverse("assessment-run", args=[run.pk])

        manual = draft.scheme.items.get(kind=ItemKind.MANUAL)
        url = reverse("assessment-run-manual", args=[draft.pk])
        field = f"score-{manual.pk}-{world.town.pk}"
        why = f"why-{manual.pk}-{world.town.pk}"
        assert login(world.users.office_policy).post(url, {field: "9", why: "好"}).status_code == 403
        response = login(world.users.office_assess).post(url, {field: "9", why: "宣传推介有力"})
        assert response.status_code == 302
        assert ManualScore.objects.get(run=draft, town=world.town).score == Decimal(9)

    def test_manual_score_without_justification_is_refused_on_the_page(self, login, world, draft):
        manual = draft.scheme.items.get(kind=ItemKind.MANUAL)
        url = reverse("assessment-run-manual", args=[draft.pk])
        response = login(world.users.office_assess).post(url, {f"score-{manual.pk}-{world.town.pk}": "9"})
        assert response.status_code == 200
        assert "请写明评分依据" in response.content.decode()
        assert not ManualScore.objects.exists()

    def test_draft_results_are_a_fixed_number_of_queries(self, login, world, draft):
        client = login(world.users.office_assess)
        url = reverse("assessment-run", args=[draft.pk])
        small = queries_of_get(client, url)
        for town in more_towns(world.xiqing, range(3, 8), code="T02", status=TownStatus.CREATING):
            set_targets(world, town, YEAR, fixed_asset_investment="100", tax_revenue="10")
            accepted_report(world, town, datetime.date(YEAR, 1, 1), fixed_asset_investment=10)
        assert queries_of_get(client, url) == small

    def test_scheme_editor_shows_the_total_and_refuses_a_scheme_that_does_not_add_up(self, login, world, draft):
        scheme = draft.scheme
        url = reverse("assessment-scheme-edit", args=[scheme.pk])
        page = login(world.users.office_assess).get(url).content.decode()
        assert "权重合计" in page and "data-weight-sum" in page
        response = login(world.users.office_assess).post(url, _scheme_post(scheme, [40, 20, 20, 15]))
        assert response.status_code == 200
        assert "各考核项权重合计为 95 分，应为 100 分" in response.content.decode()
        assert scheme.items.get(kind=ItemKind.MANUAL).weight == Decimal(20)
        response = login(world.users.office_assess).post(url, _scheme_post(scheme, [50, 10, 20, 20]))
        assert response.status_code == 302
        assert scheme.items.order_by("order").first().weight == Decimal(50)

    def test_only_the_assessment_group_edits_schemes(self, login, world, draft):
        url = reverse("assessment-scheme-edit", args=[draft.scheme.pk])
        assert login(world.users.office_policy).get(url).status_code == 403
        assert login(world.users.reviewer).get(url).status_code == 403
        assert login(world.users.liaison).get(url).status_code == 403  # reads the shared schemes
        assert login(world.users.reviewer).get(reverse("assessment-scheme", args=[draft.scheme.pk])).status_code == 200

    def test_home_lists_self_evaluations_due_and_runs_awaiting_publication(self, login, world, draft):
        page = login(world.users.officer).get(reverse("home")).content.decode()
        assert "督查考核" in page and "月度自评" in page
        page = login(world.users.office_coord).get(reverse("home")).content.decode()
        assert draft.title in page and "审定发布" in page


class TestPublishedRun:
    """A published semi-annual run of 2026, built once for the class."""

    def test_stranger_gets_404_everywhere(self, login, stranger, published, world):
        client = login(stranger)
        for url in (
            reverse("assessment-overview"),
            reverse("assessment-targets"),
            reverse("assessment-schemes"),
            reverse("assessment-self-evaluations"),
            reverse("assessment-run", args=[published.pk]),
            reverse("assessment-town", args=[published.pk, world.town.pk]),
            reverse("assessment-scheme", args=[published.scheme.pk]),
        ):
            assert client.get(url).status_code == 404, url

    def test_leader_sees_every_towns_result_and_breakdown(self, login, world, published):
        client = login(world.users.leader)
        page = client.get(reverse("assessment-run", args=[published.pk])).content.decode()
        for name in ("华明智能制造小镇", "东丽湖温泉小镇", "精武文化小镇"):
            assert name in page
        page = client.get(reverse("assessment-town", args=[published.pk, world.town.pk])).content.decode()
        assert "固定资产投资完成率" in page
        assert "计分规则" in page
        assert reverse("report-detail", args=[world.town.monthly_reports.first().pk]) in page

    def test_breakdown_links_each_figure_to_the_report_it_came_from(self, login, world, published):
        page = (
            login(world.users.reviewer)
            .get(reverse("assessment-town", args=[published.pk, world.town.pk]))
            .content.decode()
        )
        for report in world.town.monthly_reports.all():
            assert reverse("report-detail", args=[report.pk]) in page
        assert "没有“税收收入”的年度计划" in page  # the tax item does not apply to this town

    def test_run_results_page_is_a_fixed_number_of_queries(self, login, world, published):
        client = login(world.users.leader)
        small = queries_of_get(client, reverse("assessment-run", args=[published.pk]))
        for town in more_towns(world.dongli, range(3, 9), code="T01", status=TownStatus.CREATING):
            set_targets(world, town, YEAR, fixed_asset_investment="100")
        run = make_run(world, published.scheme)
        manual = run.scheme.items.get(kind=ItemKind.MANUAL)
        services.manual_scores_save(
            actor=world.users.office_assess,
            run=run,
            entries=[
                services.ManualInput(item=manual, town=t, score="5", justification="一般") for t in Town.objects.all()
            ],
        )
        assert queries_of_get(client, reverse("assessment-run", args=[publish(world, run).pk])) == small

    def test_results_export_has_the_ranking_and_each_item(self, login, world, published):
        response = login(world.users.reviewer).get(reverse("assessment-run-export", args=[published.pk]))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        workbook = load_workbook(io.BytesIO(response.content))
        ranking = [row for row in workbook["考核结果"].iter_rows(min_row=4, values_only=True) if row[0]]
        towns = {row[3] for row in ranking if isinstance(row[0], int)}
        assert towns == {"华明智能制造小镇", "东丽湖温泉小镇"}  # the reviewer's district only
        detail = list(workbook["得分明细"].iter_rows(min_row=4, values_only=True))
        assert any(row[2] == "固定资产投资完成率" and "年度目标" in (row[5] or "") for row in detail)


# --- Sanctions on the page ------------------------------------------------------------------------------


@pytest.fixture
def annual(world):
    year = 2025
    set_targets(world, world.town2, year, fixed_asset_investment="2400")
    for period in months(year, 1, 12):
        accepted_report(world, world.town2, period, fixed_asset_investment=100)
    return publish(world, make_run(world, make_scheme(world, year), RunKind.ANNUAL, points=12))


def test_office_confirms_a_proposal_on_the_town_page_and_the_status_changes(login, world, annual):
    url = reverse("assessment-town", args=[annual.pk, world.town2.pk])
    page = login(world.users.office_policy).get(url).content.decode()
    assert "规则建议" in page and "确认处理决定" in page
    decide = reverse("assessment-town-decide", args=[annual.pk, world.town2.pk])
    data = {"decision": "warning", "reason": "未完成年度计划", "decided_on": "2026-01-15"}
    assert login(world.users.reviewer).post(decide, data).status_code == 403  # sees the town, may not decide
    assert login(world.users.outsider).post(decide, data).status_code == 404
    response = login(world.users.office_policy).post(decide, data)
    assert response.status_code == 302
    world.town2.refresh_from_db()
    assert world.town2.status == TownStatus.WARNED
    page = login(world.users.reviewer).get(url).content.decode()
    assert "市特镇办决定" in page and "未完成年度计划" in page


def test_a_draft_annual_run_is_provisional_and_proposes_no_sanction_even_to_the_best(login, world):
    """Issue 19: in November every town is short of its full-year plan, so a draft of the year's annual run
    would propose a warning to all of them, the best included. A draft shows provisional (预估) scores, ranks
    and grades, and neither rewards nor sanctions, on its page, its towns' pages and its workbook."""
    set_targets(world, world.town, YEAR, fixed_asset_investment="1200")
    for period in months(YEAR, 1, 10):
        accepted_report(world, world.town, period, fixed_asset_investment=120)  # on track, not yet the year's
    run = make_run(world, make_scheme(world, YEAR), RunKind.ANNUAL, points=18)
    office = login(world.users.office_policy)
    page = office.get(reverse("assessment-run", args=[run.pk])).content.decode()
    assert "预估得分" in page and "预估等次" in page and "badge-provisional" in page
    assert '<th scope="col">建议处理</th>' not in page and ">警告</span>" not in page
    town_page = office.get(reverse("assessment-town", args=[run.pk, world.town.pk])).content.decode()
    assert "预估得分" in town_page and "不提出奖惩建议" in town_page and "规则建议" not in town_page
    workbook = load_workbook(io.BytesIO(office.get(reverse("assessment-run-export", args=[run.pk])).content))
    headers = next(row for row in workbook["考核结果"].iter_rows(values_only=True) if row[0] == "全市排名")
    assert "预估得分" in headers and "预估等次" in headers
    assert not {"奖优", "建议处理", "决定处理"} & set(headers)


def _result_pages(login, world, run) -> tuple[str, str]:
    """The run's page and 华明's page in it, as the office sees them today."""
    office = login(world.users.office_policy)
    page = office.get(reverse("assessment-run", args=[run.pk])).content.decode()
    return page, office.get(reverse("assessment-town", args=[run.pk, world.town.pk])).content.decode()


def test_a_semiannual_draft_during_the_half_year_warns_no_town_and_is_provisional(login, world, on_day):
    """Issue 19, the half-year: in April no town has reached the half-year's target yet, so a draft banded then
    would warn every town, 华明 (on track) included. During the half-year a draft shows provisional (预估)
    scores and ranks and no 表扬/警示; after it, its bands marked 预估; once published, the bands as final."""
    set_targets(world, world.town, YEAR, fixed_asset_investment="1200")
    set_targets(world, world.town2, YEAR, fixed_asset_investment="2400")
    for period in months(YEAR, 1, 6):
        accepted_report(world, world.town, period, fixed_asset_investment=100)  # 600 of 600 by June
        accepted_report(world, world.town2, period, fixed_asset_investment=150)  # 900 of 1200
    run = make_run(world, make_scheme(world, YEAR), points=(15, 10, 5))

    on_day(datetime.date(YEAR, 4, 15))
    page, town_page = _result_pages(login, world, run)
    assert "预估得分" in page and "badge-provisional" in page and "表扬和警示" in page
    assert "表扬/警示</th>" not in page and "> 警示</span>" not in page and "> 表扬</span>" not in page
    assert "警示：考核期结束后确定" in page
    assert "badge-provisional" in town_page and "考核期未结束" in town_page
    assert "> 警示</span>" not in town_page and "bi-x-circle-fill" not in town_page

    on_day(datetime.date(YEAR, 7, 20))
    page, town_page = _result_pages(login, world, run)
    assert '<th scope="col">预估表扬/警示</th>' in page and "badge-provisional" in page
    assert page.count("> 表扬</span>") == 1 and page.count("> 警示</span>") == 1
    assert "> 表扬</span>" in town_page and "badge-provisional" in town_page

    publish(world, run)
    on_day(datetime.date(YEAR, 11, 26))
    page, town_page = _result_pages(login, world, run)
    assert '<th scope="col">表扬/警示</th>' in page and "badge-provisional" not in page
    assert page.count("> 表扬</span>") == 1 and page.count("> 警示</span>") == 1
    assert "> 表扬</span>" in town_page and "预估" not in town_page


# --- Schemes --------------------------------------------------------------------------------------------


def _scheme_post(scheme: Scheme, weights: list[int]) -> dict:
    items = list(scheme.items.order_by("order"))
    data = {
        "name": scheme.name,
        "description": "",
        "excellent_min": "90",
        "good_min": "80",
        "pass_min": "60",
        "reward_count": "3",
        "plan_met_share": "100",
        "warnings_before_downgrade": "2",
        "fails_before_exit": "2",
        "lag_margin": "10",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "30",
    }
    for index, (item, weight) in enumerate(zip(items, weights, strict=True)):
        data.update(
            {
                f"items-{index}-id": item.pk,
                f"items-{index}-name": item.name,
                f"items-{index}-kind": item.kind,
                f"items-{index}-weight": weight,
                f"items-{index}-indicator": item.indicator_id or "",
                f"items-{index}-cap": item.cap,
                f"items-{index}-floor": item.floor,
                f"items-{index}-late_credit": item.late_credit,
                f"items-{index}-guidance": item.guidance,
            }
        )
    return data


# --- Targets --------------------------------------------------------------------------------------------


def test_targets_page_shows_progress_and_lag_for_the_users_scope(login, world):
    set_targets(world, world.town, YEAR, fixed_asset_investment="1200")
    set_targets(world, world.outsider_town, YEAR, fixed_asset_investment="800")
    page = login(world.users.reviewer).get(reverse("assessment-targets"), {"year": YEAR}).content.decode()
    assert "华明智能制造小镇" in page and "精武文化小镇" not in page
    assert "1,200" in page
    assert reverse("assessment-target-edit", args=[world.town.pk, YEAR]) not in page  # no 设置 for districts


def test_only_the_assessment_group_sets_targets(login, world):
    url = reverse("assessment-target-edit", args=[world.town.pk, YEAR])
    assert login(world.users.officer).post(url, {"fixed_asset_investment": "5"}).status_code == 403
    assert login(world.users.outsider).post(url, {"fixed_asset_investment": "5"}).status_code == 404
    response = login(world.users.office_assess).post(url, {"fixed_asset_investment": "1,500", "tax_revenue": "x"})
    assert response.status_code == 200
    assert "必须是数字" in response.content.decode()
    assert not Target.objects.exists()
    response = login(world.users.office_assess).post(url, {"fixed_asset_investment": "1500"})
    assert response.status_code == 302
    assert Target.objects.get().value == Decimal(1500)


def test_targets_page_is_a_fixed_number_of_queries(login, world):
    client = login(world.users.leader)
    set_targets(world, world.town, YEAR, fixed_asset_investment="1200")
    small = queries_of_get(client, reverse("assessment-targets"), {"year": YEAR})
    for town in more_towns(world.dongli, range(3, 9), code="T03"):
        set_targets(world, town, YEAR, fixed_asset_investment="100", tax_revenue="5")
    assert queries_of_get(client, reverse("assessment-targets"), {"year": YEAR}) == small


def _target_workbook(rows: list[list], header=None) -> io.BytesIO:
    workbook = Workbook()
    ws = workbook.active
    ws.title = "年度计划"
    ws.append(["天津市特色小镇年度计划（2026年）"])
    ws.append(["年度：2026"])
    ws.append(header or ["区", "小镇编码", "小镇名称", "固定资产投资（万元）", "税收收入（万元）"])
    for row in rows:
        ws.append(row)
    output = io.BytesIO()
    workbook.save(output)
    output.seek(0)
    output.name = "targets.xlsx"
    return output


def test_target_template_round_trips_through_the_import(login, world):
    set_targets(world, world.town, YEAR, fixed_asset_investment="1200")
    client = login(world.users.office_assess)
    response = client.get(reverse("assessment-target-template"), {"year": YEAR})
    workbook = load_workbook(io.BytesIO(response.content))
    ws = workbook["年度计划"]
    header = [c.value for c in ws[3]]
    assert header[:3] == ["区", "小镇编码", "小镇名称"]
    column = header.index("税收收入（万元）") + 1
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 2).value == world.town.code)
    assert ws.cell(row, header.index("固定资产投资（万元）") + 1).value == 1200
    ws.cell(row, column).value = 150
    output = io.BytesIO()
    workbook.save(output)
    output.seek(0)
    output.name = "targets.xlsx"
    response = client.post(reverse("assessment-target-import"), {"year": YEAR, "file": output})
    assert response.status_code == 302
    assert dict(Target.objects.filter(town=world.town).values_list("indicator__code", "value")) == {
        "fixed_asset_investment": Decimal(1200),
        "tax_revenue": Decimal(150),
    }


def test_target_import_is_all_or_nothing_with_an_error_per_cell(login, world):
    workbook = _target_workbook(
        [
            ["东丽区", world.town.code, "华明", 1200, 100],
            ["东丽区", world.town2.code, "东丽湖", "很多", -3],
            ["西青区", "NOPE", "?", 10, 10],
        ]
    )
    response = login(world.users.office_assess).post(
        reverse("assessment-target-import"), {"year": YEAR, "file": workbook}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "3 处错误，未导入" in page
    assert "「固定资产投资」必须是数字" in page and "「税收收入」必须大于 0" in page
    assert "小镇编码“NOPE”不存在或无权设置" in page
    assert not Target.objects.exists()


def test_target_import_is_refused_to_districts(login, world):
    workbook = _target_workbook([["东丽区", world.town.code, "华明", 1200, 100]])
    assert (
        login(world.users.officer)
        .post(reverse("assessment-target-import"), {"year": YEAR, "file": workbook})
        .status_code
        == 403
    )
    assert login(world.users.liaison).get(reverse("assessment-target-import")).status_code == 404


# --- Exports --------------------------------------------------------------------------------------------


# --- Self-evaluations ----------------------------------------------------------------------------------


def test_officer_fills_and_submits_a_self_evaluation(login, world):
    url = reverse("assessment-self-evaluation", args=[world.dongli.pk, "monthly", "2026-10"])
    client = login(world.users.officer)
    assert "对照年度计划" in client.get(url).content.decode()
    response = client.post(url, {"self_score": "92", "problems_found": "", "corrections": "", "action": "submit"})
    assert response.status_code == 200
    assert "请填写自查发现的问题" in response.content.decode()
    response = client.post(
        url, {"self_score": "92", "problems_found": "进度滞后", "corrections": "每周调度", "action": "submit"}
    )
    assert response.status_code == 302
    evaluation = SelfEvaluation.objects.get()
    assert (evaluation.status, evaluation.self_score) == ("submitted", Decimal(92))


def test_self_evaluation_is_seen_by_the_district_filled_only_by_its_officer(login, world):
    url = reverse("assessment-self-evaluation", args=[world.dongli.pk, "monthly", "2026-10"])
    data = {"self_score": "92", "problems_found": "无", "corrections": "无", "action": "save"}
    assert login(world.users.reviewer).get(url).status_code == 200
    assert login(world.users.reviewer).post(url, data).status_code == 403
    assert login(world.users.outsider).get(url).status_code == 404
    assert login(world.users.office_assess).get(url).status_code == 200
    assert not SelfEvaluation.objects.exists()


def test_self_evaluation_list_shows_due_dates_and_overdue_ones(login, world):
    page = (
        login(world.users.officer)
        .get(reverse("assessment-self-evaluations"), {"year": YEAR, "kind": "quarterly"})
        .content.decode()
    )
    assert "2026年第3季度" in page and "2026-10-15" in page
    assert "逾期未交" in page
    assert "精武文化小镇" not in page


def test_self_evaluation_list_is_a_fixed_number_of_queries(login, world):
    client = login(world.users.office_assess)
    url = reverse("assessment-self-evaluations")
    small = queries_of_get(client, url, {"year": YEAR})
    more_towns(world.xiqing, range(3, 8), code="T04")
    assert queries_of_get(client, url, {"year": YEAR}) == small


# --- Home --------------------------------------------------------------------------------------------------


def test_navbar_offers_the_assessments(login, world):
    page = login(world.users.officer).get(reverse("home")).content.decode()
    assert reverse("assessment-overview") in page


def test_admin_role_without_group_cannot_edit(login, world):
    """A system administrator reaches everything but is not 创建考核组."""
    user = org.user_create(username="it", password="x-123456", role=Role.ADMIN, org_unit=world.city)
    assert login(user).get(reverse("assessment-scheme-create")).status_code == 403
