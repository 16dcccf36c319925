"""Demo data of the inspections app, called by `manage.py seed_demo`: a year of visits and problems.

Every district gets one or two on-site supervision services a quarter for the last four quarters
(the current one up to today), plus a few special inspections; each visit finds two to five problems
with realistic outcomes: about a quarter solved on the spot, some the same day, most rectified and
verified (some only after a rejection), some awaiting verification, and some overdue. A problem assigned
to a member unit is answered by its liaison `liaison-<code>`, one of the demo users seed_demo creates.

History is written in bulk with the same rows and audit events the services write, dated when they
would have happened (the services stamp today's date and notify everyone of year-old events); then
the overdue problems escalate through the real service, as the daily task would have done.
Idempotent: a visit that exists (district, day, kind) is skipped with its problems.
"""

import datetime
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from coordination.demo_files import BLANK_PDF, demo_evidence_file
from coordination.models import MemberUnit, OrgUnit, Town
from tianjin_towns.lib import dates

from . import services
from .models import Attachment, InspectionEvent, Problem, ProblemStatus, Visit
from .selectors import quarter_bounds, quarter_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = ProblemStatus
A = InspectionEvent.Action

# The member units that join visits (four drawn for each): those that answer for problems in OWNERS.
JOINING_UNITS = ("land", "planning", "finance", "financial", "environment", "construction", "ndrc", "commerce", "sme")

# category → what such a problem may say (one drawn at random)
PROBLEMS = {
    "land": (
        "二期产业用地指标尚未落实，影响项目按期开工",
        "部分项目用地涉及基本农田调整，需市级部门协调",
        "配套设施建设用地征收补偿标准未达成一致",
    ),
    "funds": (
        "基础设施建设资金缺口较大，专项债券申报需要指导",
        "重点项目融资到位较慢，需协调金融机构支持",
        "市级特色小镇扶持资金拨付进度偏慢",
    ),
    "approvals": (
        "产业园项目环评批复办理周期较长",
        "游客服务中心项目规划许可手续尚未办结",
        "施工用电增容报装手续未完成，影响设备调试",
    ),
    "infrastructure": (
        "主干道路与外部路网衔接段尚未贯通",
        "污水管网未接入市政管网，影响企业入驻",
        "公共停车场建设滞后，节假日停车困难",
    ),
    "policy": (
        "入驻企业反映人才公寓政策落实不到位",
        "特色小镇用地指标奖励政策执行细则尚未明确",
        "小微企业税收优惠政策宣传解读不够",
    ),
    "other": (
        "招商储备项目不足，主导产业集聚度不高",
        "创建台账资料不完整，需按要求补齐",
        "智慧小镇管理平台数据未与区级平台对接",
    ),
}
# category → who answers for such a problem: "district", "town" or a member unit's code (one drawn at random)
OWNERS = {
    "land": ("land", "land", "planning"),
    "funds": ("finance", "financial", "district"),
    "approvals": ("environment", "planning", "district"),
    "infrastructure": ("district", "town", "construction"),
    "policy": ("ndrc", "sme", "commerce"),
    "other": ("town", "district", "district"),
}
CATEGORY_WEIGHTS = {"land": 5, "funds": 4, "approvals": 4, "infrastructure": 4, "policy": 2, "other": 2}
PROGRESS_NOTES = [
    "已召开专题协调会，明确责任分工和完成时限。",
    "相关手续已报送审批部门，正在办理。",
    "已制定整改方案，正在组织实施。",
]
RECTIFY_NOTES = [
    "整改完成：相关批复已下达，项目具备开工条件。",
    "整改完成：资金已拨付到位，附拨付凭证。",
    "整改完成：工程已完工并通过验收，附现场照片。",
    "整改完成：已出台实施细则并完成宣传解读。",
]
REJECT_REASONS = ["现场核查整改不到位，请补充佐证材料后重新报送。", "整改情况与实际不符，项目仍未开工，请继续整改。"]
# The evidence a rectification carries (most do; the office waived it in writing for the verified ones that do not).
EVIDENCE_NAMES = ["整改完成情况报告.pdf", "批复文件.pdf", "资金拨付凭证.pdf", "竣工验收意见.pdf", "现场核查记录.pdf"]
WAIVER_NOTE = "整改事项为政策协调，已现场核实到位，免交佐证材料。"
SPECIAL_TOPICS = ["特色小镇建设用地专项检查", "特色小镇项目建设进度专项检查", "特色小镇安全生产专项检查"]


def _at(day: datetime.date, rng: random.Random, hour: tuple[int, int] = (9, 17)) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, rng.randint(*hour), rng.randint(0, 59), tzinfo=SHANGHAI)


def _visit_days(district: OrgUnit, index: int, today: datetime.date) -> list[datetime.date]:
    """One or two days in each of the last four quarters, none after today."""
    year, quarter = quarter_of(today)
    days = []
    for back in range(3, -1, -1):
        q_index = year * 4 + quarter - 1 - back
        start, end = quarter_bounds(q_index // 4, q_index % 4 + 1)
        rng = random.Random(f"visits-{district.code}-{start}")
        count = 2 if rng.random() < 0.45 else 1
        for n in range(count):
            # Spread over the quarter; the districts take turns so the office is not everywhere at once.
            offset = (index * 7 + n * 38 + rng.randint(0, 20)) % ((end - start).days - 5)
            day = start + datetime.timedelta(days=offset + 3)
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
            if day <= today - datetime.timedelta(days=1):
                days.append(day)
    return days


def seed_inspections(*, users: dict, today: datetime.date | None = None) -> Counter:
    """Create the demo year; returns what was created, by kind."""
    today = today or dates.today()
    counts: Counter = Counter()
    members = {m.code: m for m in MemberUnit.objects.all()}
    districts = list(OrgUnit.objects.filter(level=OrgUnit.Level.DISTRICT).order_by("order"))
    towns_of: dict[int, list[Town]] = {}
    for town in Town.objects.select_related("unit").order_by("unit__order"):
        towns_of.setdefault(town.district_id, []).append(town)
    existing = set(Visit.objects.values_list("district_id", "held_on", "kind"))
    office = users["office-coord"]

    year = _DemoYear()
    for district, day, kind in _visit_plans(districts, today):
        if (district.pk, day, kind) in existing:
            continue
        rng = random.Random(f"visit-{district.code}-{day}-{kind}")
        towns = towns_of.get(district.pk, [])
        visit, visited, joined = _plan_visit(district, day, kind, rng, towns, members, office)
        year.visits.append(visit)
        year.timestamps.append((visit, _at(day, rng, (17, 19))))
        year.town_links.append((visit, visited))
        year.member_links.append((visit, joined))
        reporters = {"district": users[f"{district.slug}-officer"], "leader": users[f"{district.slug}-leader"]}
        for number in range(rng.randint(2, 5)):
            year.problems.append(
                _plan_problem(visit, number, district, visited or towns, members, users, reporters, office, today)
            )

    if year.visits:
        _save_year(year, office)
        counts["visits"] += len(year.visits)
        counts["problems"] += len(year.problems)
    _escalate(today, counts)
    return counts


@dataclass
class _DemoYear:
    """The rows planned for the demo year, saved together by `_save_year`."""

    visits: list[Visit] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)  # _plan_problem's {"problem", "events", "evidence"}
    timestamps: list[tuple[Visit, datetime.datetime]] = field(default_factory=list)
    town_links: list[tuple[Visit, list[Town]]] = field(default_factory=list)
    member_links: list[tuple[Visit, list[MemberUnit]]] = field(default_factory=list)


def _visit_plans(districts: list[OrgUnit], today: datetime.date) -> list[tuple[OrgUnit, datetime.date, str]]:
    """(district, day, kind) of every demo visit, in the order they were held."""
    plans = []
    for index, district in enumerate(districts):
        for day in _visit_days(district, index, today):
            plans.append((district, day, Visit.Kind.ONSITE_SUPERVISION))
    for n, district in enumerate(districts[1::3]):
        day = today - datetime.timedelta(days=40 + 75 * n)
        while day.weekday() >= 5:
            day -= datetime.timedelta(days=1)
        plans.append((district, day, Visit.Kind.SPECIAL_INSPECTION))
    return sorted(plans, key=lambda p: (p[1], p[0].order))


def _plan_visit(district, day, kind, rng, towns, members, office) -> tuple[Visit, list[Town], list[MemberUnit]]:
    """One visit (unsaved), the towns it went to and the member units that joined it."""
    visited = rng.sample(towns, k=min(len(towns), rng.randint(1, 2))) if towns else []
    joined = rng.sample([members[c] for c in JOINING_UNITS if c in members], k=4)
    if kind == Visit.Kind.ONSITE_SUPERVISION:
        year, quarter = quarter_of(day)
        title = f"{year}年第{quarter}季度现场督办服务（{district.name}）"
    else:
        title = f"{rng.choice(SPECIAL_TOPICS)}（{district.name}）"
    names = "、".join(t.unit.name for t in visited) or district.name
    visit = Visit(
        kind=kind,
        district=district,
        held_on=day,
        title=title,
        participants="市特镇办协调推动组；"
        + "、".join(m.name for m in joined)
        + f"；{district.name}特色小镇工作领导小组办公室及相关街镇负责同志",
        summary=(
            f"听取{district.name}特色小镇建设进展和存在困难的汇报，实地查看{names}重点项目建设现场。"
            f"{len(joined)}家市级成员单位现场答疑解难，对能够当场解决的问题现场明确办理意见，"
            "其余问题列入问题清单，明确责任单位和整改时限，跟踪督办直至销号。"
        ),
        created_by=office,
    )
    return visit, visited, joined


def _save_year(year: _DemoYear, office) -> None:
    """Write the planned rows in bulk, then give every row the time it happened."""
    Visit.objects.bulk_create(year.visits)
    Visit.towns.through.objects.bulk_create(
        [Visit.towns.through(visit_id=v.pk, town_id=t.pk) for v, ts in year.town_links for t in ts]
    )
    Visit.member_units.through.objects.bulk_create(
        [Visit.member_units.through(visit_id=v.pk, memberunit_id=m.pk) for v, ms in year.member_links for m in ms]
    )
    events = [(InspectionEvent(visit=visit, actor=office, action=A.VISIT_CREATE), at) for visit, at in year.timestamps]
    rows = [plan["problem"] for plan in year.problems]
    for row in rows:
        row.visit_id = row.visit.pk
    Problem.objects.bulk_create(rows)
    for plan in year.problems:
        for event, at in plan["events"]:
            event.visit_id = plan["problem"].visit.pk
            event.problem_id = plan["problem"].pk
            events.append((event, at))
    InspectionEvent.objects.bulk_create([event for event, _at_ in events], batch_size=1000)
    _save_evidence(year)
    # auto_now_add stamped now(); give every row the day it happened.
    for visit, at in year.timestamps:
        visit.created_at = visit.updated_at = at
    Visit.objects.bulk_update([v for v, _a in year.timestamps], ["created_at", "updated_at"])
    for plan in year.problems:
        plan["problem"].created_at = plan["events"][0][1]
        plan["problem"].updated_at = plan["events"][-1][1]
    Problem.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=500)
    for event, at in events:
        event.at = at
    InspectionEvent.objects.bulk_update([e for e, _a in events], ["at"], batch_size=1000)


def _save_evidence(year: _DemoYear) -> None:
    """The evidence files of the rectifications (one shared stored file per name), uploaded when reported."""
    files = []
    for plan in year.problems:
        for event, at in plan.get("evidence", ()):
            number = len(files) % len(EVIDENCE_NAMES)
            files.append(
                Attachment(
                    visit_id=event.visit_id,
                    problem_id=event.problem_id,
                    event=event,
                    kind=Attachment.Kind.DOCUMENT,
                    file=demo_evidence_file("inspections", number),
                    token=uuid.uuid4().hex,
                    extension=".pdf",
                    name=EVIDENCE_NAMES[number],
                    content_type="application/pdf",
                    size=len(BLANK_PDF),
                    uploaded_by=event.actor,
                )
            )
            files[-1].uploaded_at = at
    Attachment.objects.bulk_create(files, batch_size=1000)
    Attachment.objects.bulk_update(files, ["uploaded_at"], batch_size=1000)  # auto_now_add stamped now()


def _escalate(today: datetime.date, counts: Counter) -> None:
    counts["escalations"] += len(services.problems_escalate_overdue(today=today))


def _plan_problem(visit, number, district, towns, members, users, reporters, office, today) -> dict:
    """One problem and its follow-up events, decided by a seeded dice so every run gives the same year."""
    rng = random.Random(f"problem-{district.code}-{visit.held_on}-{visit.kind}-{number}")
    category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
    town = rng.choice(towns) if towns else None
    description = rng.choice(PROBLEMS[category])
    owner = rng.choice(OWNERS[category])
    unit = member = None
    if owner == "district" or (owner == "town" and town is None):
        unit = district
    elif owner == "town":
        unit = town.unit
    else:
        member = members[owner]
    found = visit.held_on
    problem = Problem(
        visit=visit,
        town=town,
        category=category,
        description=description,
        responsible_unit=unit,
        responsible_member_unit=member,
        found_on=found,
        due_on=found,
        created_by=office,
    )
    # None when the demo has no liaison for the unit (the event then names no one)
    answerer = users.get(f"liaison-{member.code}") if member else reporters["district"]
    events = []
    roll = rng.random()
    if roll < 0.26 or (roll < 0.42 and (today - found).days >= 1):
        on_site = roll < 0.26
        problem.solved_on_site, problem.solved_same_day, problem.rectification_ordered = on_site, True, False
        problem.status, problem.rectified_on, problem.closed_on = S.VERIFIED, found, found
        note = "现场协调有关部门当场明确办理意见，问题现场解决。" if on_site else "会后当天协调办结，问题当日解决。"
        events.append((_event(A.SOLVE, office, "", S.VERIFIED, note), _at(found, rng, (10, 17))))
        return {"problem": problem, "events": events}

    problem.due_on = found + datetime.timedelta(days=rng.choice([15, 20, 30, 30, 45, 60]))
    events.append((_event(A.CREATE, office, "", S.OPEN), _at(found, rng, (10, 17))))
    elapsed = (today - found).days
    # How long the unit takes: most finish before the deadline, some overrun, a few stall.
    fate = rng.random()
    if fate < 0.08:
        rectify_after = None  # stalls
    elif fate < 0.78:
        rectify_after = rng.randint(3, max(4, (problem.due_on - found).days))
    else:
        rectify_after = (problem.due_on - found).days + rng.randint(3, 40)
    status, evidence = S.OPEN, []
    if elapsed >= 3 and rng.random() < 0.8:
        day = found + datetime.timedelta(days=min(rng.randint(2, 6), elapsed - 1))
        events.append((_event(A.PROGRESS, answerer, status, S.IN_PROGRESS, rng.choice(PROGRESS_NOTES)), _at(day, rng)))
        status = S.IN_PROGRESS
    if rectify_after is not None and rectify_after < elapsed:
        rectified = found + datetime.timedelta(days=rectify_after)
        rejected = rng.random() < 0.12 and rectify_after + 12 < elapsed
        if rejected:
            events.append((_event(A.RECTIFY, answerer, status, S.DONE, rng.choice(RECTIFY_NOTES)), _at(rectified, rng)))
            evidence.append(events[-1])
            back = rectified + datetime.timedelta(days=rng.randint(2, 4))
            reason = rng.choice(REJECT_REASONS)
            events.append((_event(A.REJECT, office, S.DONE, S.OPEN, reason), _at(back, rng)))
            problem.reject_reason, status = reason, S.OPEN
            rectified = back + datetime.timedelta(days=rng.randint(5, 8))
        if rectified < today:
            events.append((_event(A.RECTIFY, answerer, status, S.DONE, rng.choice(RECTIFY_NOTES)), _at(rectified, rng)))
            backed = rng.random() < 0.88
            evidence += [events[-1]] if backed else []
            status, problem.rectified_on = S.DONE, rectified
            verified = rectified + datetime.timedelta(days=rng.randint(1, 6))
            if verified < today and rng.random() < 0.92:
                at = _at(verified, rng)
                if not backed:
                    events.append((_event(A.WAIVE_EVIDENCE, office, S.DONE, S.DONE, WAIVER_NOTE), at))
                events.append((_event(A.VERIFY, office, S.DONE, S.VERIFIED), at))
                status, problem.closed_on, problem.reject_reason = S.VERIFIED, verified, ""
    problem.status = status
    return {"problem": problem, "events": events, "evidence": evidence}


def _event(action: str, actor, from_status: str, to_status: str, note: str = "") -> InspectionEvent:
    return InspectionEvent(action=action, actor=actor, from_status=from_status, to_status=to_status, note=note)
