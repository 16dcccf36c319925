"""The search across the platform (全局搜索, issue 19): a keyword finds reports, meetings, action items,
problems, plans and policies, only among what the user may see, at most a few of each kind, in a bounded
number of queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination import services as org
from coordination.models import MeetingKind, MemberUnit
from coordination.tests.factories import make_item, make_meeting, make_plan
from inspections import services as inspection
from ledgers import services as ledger
from tests import clients
from tianjin_towns.search import SEARCH_LIMIT, search

login = clients.login

KEYWORD = "盐碱地"
SEPT, OCT = datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)


def _visit(world, district, towns):
    return inspection.visit_create(
        actor=world.users.office_coord,
        kind="onsite_supervision",
        district=district,
        held_on=datetime.date(2026, 7, 10),
        title="第三季度现场督办服务",
        towns=towns,
    )


def _problem(world, visit, description, **fields):
    fields.setdefault("responsible_unit", visit.district)
    return inspection.problem_create(
        actor=world.users.office_coord,
        visit=visit,
        category="land",
        description=description,
        due_on=datetime.date(2026, 8, 10),
        **fields,
    )


def _conference_item(world, title: str, decision: str):
    """A joint conference the statistics bureau attends, with a decision assigned to the bureau."""
    stats = MemberUnit.objects.get(code="statistics")
    meeting = make_meeting(
        world,
        unit=world.city,
        kind=MeetingKind.JOINT_CONFERENCE,
        title=title,
        attendee_member_units=[stats],
        decisions=[decision],
    )
    return org.action_item_create(
        actor=world.users.office_coord,
        decision=meeting.decisions.get(),
        owner="李明",
        due_on=datetime.date(2026, 12, 31),
        responsible_member_unit=stats,
    )


def _records(world):
    """In each district a report, a problem, a meeting with an action item and a plan about the keyword; a
    problem, an action item and a meeting of the statistics bureau; a support policy."""
    u, stats = world.users, MemberUnit.objects.get(code="statistics")
    ledger.monthly_report_create(actor=u.officer, town=world.town2, period=OCT)
    ledger.monthly_report_create(actor=u.outsider, town=world.outsider_town, period=OCT)
    dongli_visit = _visit(world, world.dongli, [world.town])
    xiqing_visit = _visit(world, world.xiqing, [world.outsider_town])
    _problem(world, dongli_visit, f"{KEYWORD}改良项目用地指标未落实", town=world.town)
    _problem(world, xiqing_visit, f"{KEYWORD}改良资金缺口较大", town=world.outsider_town)
    _problem(world, xiqing_visit, f"{KEYWORD}面积统计口径不一致", responsible_unit=None, responsible_member_unit=stats)
    meeting = make_meeting(world, title=f"东丽区{KEYWORD}改良推进例会", decisions=[f"华明小镇完成{KEYWORD}改良方案"])
    make_item(world, meeting.decisions.get())
    _conference_item(world, f"市联席会议研究{KEYWORD}改良", f"市统计局核定{KEYWORD}面积")
    make_plan(world, positioning=f"以{KEYWORD}改良和现代农业为主导")
    org.policy_create(
        actor=u.office_policy,
        member_unit=stats,
        title="关于加强特色小镇统计监测的通知",
        issued_on=datetime.date(2026, 5, 10),
        summary=f"{KEYWORD}改良面积纳入统计监测",
    )


def _found(groups) -> dict[str, list[str]]:
    return {group.kind.key: [hit.title for hit in group.hits] for group in groups}


def test_search_finds_the_keyword_in_every_kind_the_user_sees(world):
    _records(world)
    groups = search(world.users.office_coord, KEYWORD)
    found = _found(groups)
    assert len(found["problems"]) == 3 and len(found["action_items"]) == 2 and len(found["meetings"]) == 2
    assert found["plans"] == ["华明智能制造小镇发展规划（2026—2030）"]  # matched in the plan's content
    assert found["policies"] == ["关于加强特色小镇统计监测的通知"]  # matched in the summary
    assert {group.kind.key: group.total for group in groups}["reports"] == 0
    assert _found(search(world.users.office_coord, "温泉"))["reports"] == ["东丽湖温泉小镇 2026年10月月报"]


def test_district_officer_does_not_find_another_districts_report_or_problem(login, world):
    _records(world)
    officer, outsider = world.users.officer, world.users.outsider
    assert _found(search(officer, "精武"))["reports"] == []
    assert _found(search(outsider, "精武"))["reports"] == ["精武文化小镇 2026年10月月报"]
    problems = _found(search(officer, KEYWORD))["problems"]
    assert problems == [f"{KEYWORD}改良项目用地指标未落实"]
    assert f"{KEYWORD}改良资金缺口较大" in _found(search(outsider, KEYWORD))["problems"]
    page = login(officer).get(reverse("search"), {"q": "精武"}).content.decode()
    assert "精武文化小镇" not in page and "没有找到与“精武”匹配的记录" in page


def test_liaison_finds_only_what_concerns_its_member_unit_or_is_shared(world):
    _records(world)
    found = _found(search(world.users.liaison, KEYWORD))
    assert "reports" not in found  # no report list: a liaison reads accepted figures on the ledger only
    assert found["problems"] == [f"{KEYWORD}面积统计口径不一致"]
    assert found["action_items"] == [f"市统计局核定{KEYWORD}面积"]
    assert found["meetings"] == [f"市联席会议研究{KEYWORD}改良"]  # attended; not dongli's own meeting
    assert found["plans"] == []  # a plan under review is not shared
    assert found["policies"] == ["关于加强特色小镇统计监测的通知"]


def test_liaison_finds_an_approved_plan_once_plans_are_shared(world):
    plan = make_plan(world, positioning=f"以{KEYWORD}改良为主导")
    org.plan_approve(actor=world.users.office_planning, plan=plan, comments="同意")
    assert _found(search(world.users.liaison, KEYWORD))["plans"] == [plan.title]


def test_a_report_is_found_by_town_month_and_state(world, make_report):
    make_report("returned", town=world.town2, period=SEPT)
    make_report("submitted", town=world.town2, period=OCT)
    leader = world.users.leader
    assert _found(search(leader, "东丽湖 2026年9月"))["reports"] == ["东丽湖温泉小镇 2026年9月月报"]
    assert _found(search(leader, "东丽湖 2026-10"))["reports"] == ["东丽湖温泉小镇 2026年10月月报"]
    assert _found(search(leader, "东丽区 退回"))["reports"] == ["东丽湖温泉小镇 2026年9月月报"]
    assert len(_found(search(leader, "东丽湖 2026年"))["reports"]) == 2


def test_each_kind_shows_at_most_the_limit_with_its_total_and_its_list_filtered_by_the_keyword(login, world):
    for n in range(SEARCH_LIMIT + 2):
        make_meeting(world, title=f"{KEYWORD}专题会{n}", held_on=datetime.date(2026, 10, n + 1))
    meetings = next(group for group in search(world.users.officer, KEYWORD) if group.kind.key == "meetings")
    assert meetings.total == SEARCH_LIMIT + 2 and len(meetings.hits) == SEARCH_LIMIT and meetings.has_more
    assert meetings.hits[0].title == f"{KEYWORD}专题会{SEARCH_LIMIT + 1}"  # newest first, as on the list
    page = login(world.users.officer).get(reverse("search"), {"q": KEYWORD}).content.decode()
    assert f"共 {SEARCH_LIMIT + 2} 条，显示前 {SEARCH_LIMIT} 条" in page
    assert f'href="{reverse("meeting-list")}?q=%E7%9B%90%E7%A2%B1%E5%9C%B0"' in page  # 查看全部
    listed = login(world.users.officer).get(reverse("meeting-list"), {"q": KEYWORD}).content.decode()
    assert listed.count(f"{KEYWORD}专题会") == SEARCH_LIMIT + 2


def _search_queries(client) -> int:
    client.get(reverse("search"), {"q": KEYWORD})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("search"), {"q": KEYWORD}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["office_coord", "liaison"])
def test_search_page_makes_the_same_few_queries_however_many_records_match(login, world, persona):
    client = login(getattr(world.users, persona))
    _records(world)
    few = _search_queries(client)
    for n in range(6):
        _conference_item(world, f"{KEYWORD}联席会议{n}", f"{KEYWORD}事项{n}")
        make_plan(world, positioning=f"{KEYWORD}{n}")
    assert _search_queries(client) == few
    assert few <= 20  # one query per kind, the session, the user's grants and profile


def test_search_page_without_a_keyword_asks_for_one_and_searches_nothing(login, world):
    _records(world)
    client = login(world.users.officer)
    client.get(reverse("search"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("search"), {"q": "   "}).content.decode()
    assert "请输入关键词" in page and "结果分类" not in page
    assert not [query for query in queries if "OVER ()" in query["sql"]]  # no kind was searched


def test_search_results_link_to_each_records_page(login, world):
    _records(world)
    page = login(world.users.office_coord).get(reverse("search"), {"q": KEYWORD}).content.decode()
    links = set(re.findall(r'href="(/[a-z-]+/\d+/)"', page))
    assert {link.split("/")[1] for link in links} >= {"meetings", "action-items", "problems", "plans"}
    for link in links:
        assert login(world.users.office_coord).get(link).status_code == 200, link


# --- 查看全部 opens the kind's list holding what the search counted ---------------------------------------------


@pytest.mark.parametrize(
    "keyword",
    ["东丽区", "2026年10月", "草稿", "10月", "东丽湖 2026-9", "华明 已报送", "西青 2026年", "东丽区 " + "温" * 60],
)
def test_the_report_lists_more_link_lists_every_report_the_search_counted(login, world, make_report, keyword):
    make_report("draft", period=OCT)
    make_report("submitted", period=SEPT)
    make_report("returned", town=world.town2, period=SEPT)
    make_report("draft", town=world.outsider_town, period=OCT)
    client = login(world.users.office_policy)
    [reports] = [group for group in search(world.users.office_policy, keyword) if group.kind.key == "reports"]
    listed = client.get(reports.more_url)
    assert listed.status_code == 200 and listed.context["form"].is_valid()
    assert listed.context["page"].paginator.count == reports.total


def test_the_problem_search_counts_what_the_problem_list_lists(login, world):
    _records(world)
    for keyword in (KEYWORD, "东丽区", "用地", "统计局"):
        [problems] = [g for g in search(world.users.office_coord, keyword) if g.kind.key == "problems"]
        listed = login(world.users.office_coord).get(problems.more_url)
        assert listed.context["page"].paginator.count == problems.total > 0, keyword
