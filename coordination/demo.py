"""Demo data of the coordination app, called by `manage.py seed_demo`: the conferences, a year of meetings
with realistic gaps, their decisions and action items, and plans in every review state.

The twelve months ending with the current one: every district holds a regular meeting (例会) and an
on-site promotion meeting (现场推动会) most months (东丽区 never misses one, 西青区 skipped one regular
meeting three months ago, the others now and then); the joint conference meets once or twice most
quarters and missed one; the office runs a study tour, two trainings and a few exchanges. Meetings of
the last month await minutes approval, later ones this month are planned. Each held meeting's decisions
become action items: older ones mostly verified, some still open past their due date (overdue), recent
ones open, in progress or awaiting verification.

History is written in bulk with the rows and events the services write, dated when it would have
happened (the services stamp today and notify people of year-old events). Plans go through the services
and are then dated. Idempotent: a meeting that exists (host, kind, date) is skipped with its decisions;
a plan that exists (unit, title) is skipped.
"""

import datetime
import random
from collections import Counter
from zoneinfo import ZoneInfo

from django.db.models import Q

from tianjin_towns.lib import dates

from . import services
from .demo_files import demo_evidence_file
from .models import (
    ActionItem,
    ActionItemEvent,
    ActionItemStatus,
    Decision,
    JointConference,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingState,
    MemberUnit,
    OrgUnit,
    Plan,
    PlanKind,
    PlanVersion,
    Role,
    SupportPolicy,
    Town,
    UserProfile,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
K = MeetingKind
S = ActionItemStatus
MONTHS = 12

# Responsible leader and counterpart division of the member units, plausible titles.
MEMBER_UNIT_CONTACTS = {
    "propaganda": ("分管副部长", "新闻处"),
    "ndrc": ("分管副主任", "区域经济处（市特镇办）"),
    "research": ("分管副主任", "城市发展研究处"),
    "agriculture": ("分管副主任", "发展规划处"),
    "construction": ("分管副主任", "村镇建设处"),
    "science": ("分管副主任", "区县科技处"),
    "commerce": ("分管副主任", "外资管理处"),
    "industry": ("分管副主任", "产业发展处"),
    "finance": ("分管副局长", "经济建设处"),
    "planning": ("分管副局长", "村镇规划处"),
    "land": ("分管副局长", "土地利用处"),
    "environment": ("分管副局长", "环境影响评价处"),
    "sme": ("分管副局长", "创业服务处"),
    "statistics": ("分管副局长", "综合处"),
    "financial": ("分管副局长", "银行保险处"),
    "tourism": ("分管副局长", "规划发展处"),
    "culture": ("分管副局长", "产业处"),
}
OWNERS = ["王建国", "李红梅", "张志强", "刘洋", "陈静", "杨帆", "赵磊", "孙丽", "周涛", "吴敏", "郑伟", "冯雪"]
TOWN_DECISIONS = [
    "{town}加快重点项目建设，{due}前完成年度投资计划的节点任务",
    "{town}抓紧办理在建项目施工许可手续，确保按期开工",
    "{town}完善小镇客厅展陈方案，提升接待服务能力",
    "{town}补齐月报原始记录，确保数出有据、不虚报不瞒报",
    "{town}梳理招商储备项目，{due}前报送主导产业招商清单",
    "{town}配合做好新增建设用地指标申报材料",
    "{town}落实污水管网接入方案，解决入驻企业排水问题",
]
DISTRICT_DECISIONS = [
    "区发展改革委牵头梳理各小镇融资需求，组织银企对接",
    "区规划资源局协调解决各小镇新增建设用地指标",
    "区住房建设委督促在建项目加快施工进度，确保安全生产",
]
CONFERENCE_DECISIONS = [
    ("planning", "市规划局牵头完善特色小镇规划设计导则，组织各区对照修改规划"),
    ("land", "市国土房管局研究特色小镇建设用地支持政策，明确用地指标奖励办法"),
    ("financial", "市金融局组织特色小镇专场银企对接会"),
    ("statistics", "市统计局完善特色小镇统计监测制度，规范月报指标口径"),
    ("finance", "市财政局加快市级特色小镇扶持资金拨付进度"),
    ("tourism", "市旅游局指导旅游类特色小镇创建国家A级景区"),
    ("commerce", "市商务委组织特色小镇招商推介活动"),
]
PROGRESS_NOTES = [
    "已召开专题会议，明确责任分工和时间节点。",
    "相关材料已报送主管部门，正在办理。",
    "已完成阶段性工作，正在推进后续事项。",
]
RESOLUTIONS = [
    "已按要求办结，相关批复文件已取得。",
    "已完成，项目节点目标实现，附现场照片。",
    "已办结，相关材料已报送并通过审核。",
]
DONE_NOTES = ["已按计划全部完成，现报告办结。", "经区分管领导审核，现提请核验。", ""]
EVIDENCE_NAMES = ["批复文件.pdf", "现场照片.pdf", "会议纪要.pdf", "验收意见.pdf", "报送材料.pdf", "完成情况说明.pdf"]
WAIVER_NOTE = "事项为协调类工作，无书面材料；经电话和现场核实已办结，免交佐证材料。"


def _at(day: datetime.date, rng: random.Random, hours: tuple[int, int] = (9, 17)) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, rng.randint(*hours), rng.randint(0, 59), tzinfo=SHANGHAI)


def _workday(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def seed_coordination(*, users: dict, today: datetime.date | None = None) -> Counter:
    """Create the demo year; returns what was created, by kind."""
    today = today or dates.today()
    counts: Counter = Counter()
    city = OrgUnit.objects.get(level=OrgUnit.Level.MUNICIPAL)
    districts = list(OrgUnit.objects.filter(level=OrgUnit.Level.DISTRICT).order_by("order"))
    towns_of: dict[int, list[Town]] = {}
    for town in Town.objects.select_related("unit").order_by("unit__order"):
        towns_of.setdefault(town.district_id, []).append(town)
    members = {m.code: m for m in MemberUnit.objects.all()}
    _seed_structure(city, districts, members, counts)
    plans = _meeting_plans(city, districts, towns_of, members, today)
    liaisons = {
        p.member_unit_id: p.user
        for p in UserProfile.objects.filter(role=Role.LIAISON, member_unit__isnull=False).select_related("user")
    }
    _create_meetings(plans, {**users, "liaisons": liaisons}, today, counts)
    _seed_plans(towns_of, districts, users, today, counts)
    _seed_policies(members, users, today, counts)
    return counts


# --- Structure -----------------------------------------------------------------------------------


def _seed_structure(city: OrgUnit, districts: list[OrgUnit], members: dict, counts: Counter) -> None:
    for code, (leader, division) in MEMBER_UNIT_CONTACTS.items():
        MemberUnit.objects.filter(code=code, responsible_leader="").update(
            responsible_leader=leader, counterpart_division=division
        )
    conference, created = JointConference.objects.get_or_create(
        org_unit=city,
        defaults={
            "name": "天津市特色小镇规划建设工作联席会议",
            "convener": "分管副市长",
            "deputy_conveners": "市政府分管副秘书长、市发展改革委主任",
            "office": "市特镇办（设在市发展改革委）",
            "duties": "统筹推进全市特色小镇规划建设，研究协调重大问题，督促检查工作落实；原则上每季度召开1-2次会议。",
        },
    )
    if created:
        conference.member_units.set(members.values())
        counts["conferences"] += 1
    for district in districts:
        _conference, created = JointConference.objects.get_or_create(
            org_unit=district,
            defaults={
                "name": f"{district.name}特色小镇规划建设工作联席会议",
                "convener": f"{district.name}分管副区长",
                "deputy_conveners": f"{district.name}政府办公室副主任、区发展改革委主任",
                "office": f"{district.name}特色小镇工作领导小组办公室（设在区发展改革委）",
                "duties": "每月召开例会和现场推动会，协调解决小镇建设中的问题。",
            },
        )
        counts["conferences"] += created


# --- Meetings ------------------------------------------------------------------------------------


def _months(today: datetime.date) -> list[datetime.date]:
    first = dates.add_months(dates.month_start(today), -(MONTHS - 1))
    return [dates.add_months(first, i) for i in range(MONTHS)]


def _meeting_plans(city, districts, towns_of, members, today) -> list[dict]:
    """Every meeting of the demo year: host, kind, day, title, state and decisions (text, responsible)."""
    months = _months(today)
    plans = []
    skipped_regular = dates.add_months(dates.month_start(today), -3)
    for district in districts:
        towns = towns_of.get(district.pk, [])
        for month in months:
            rng = random.Random(f"meetings-{district.code}-{month}")
            perfect = district.slug == "dongli"
            regular = not (district.slug == "xiqing" and month == skipped_regular)
            if not perfect and district.slug != "xiqing" and rng.random() < 0.07:
                regular = False
            onsite = perfect or rng.random() > 0.12
            if regular:
                day = _workday(month.replace(day=rng.randint(6, 14)))
                plans.append(_district_meeting(district, towns, K.DISTRICT_REGULAR, day, rng, today))
            if onsite and towns:
                day = _workday(month.replace(day=rng.randint(16, 27)))
                plans.append(_district_meeting(district, towns, K.DISTRICT_ONSITE, day, rng, today))
    # The joint conference: once or twice a quarter, but it missed the quarter before last.
    quarter_starts = sorted({dates.add_months(m, -((m.month - 1) % 3)) for m in months})
    missed = quarter_starts[-3] if len(quarter_starts) >= 3 else None
    for index, start in enumerate(quarter_starts):
        if start == missed:
            continue
        rng = random.Random(f"conference-{start}")
        offsets = [rng.randint(10, 25)] + ([rng.randint(55, 75)] if index % 2 == 0 else [])
        for offset in offsets:
            day = _workday(start + datetime.timedelta(days=offset))
            if day < months[0]:
                continue
            plans.append(_conference(city, districts, members, day, rng, today))
    # Learning and exchange: a study tour, two trainings, exchanges between towns.
    activities = [
        (K.STUDY_TOUR, 5, "赴浙江、江苏特色小镇考察学习", "杭州梦想小镇、云栖小镇，苏州苏绣小镇"),
        (K.TRAINING, 3, "特色小镇规划建设专题培训（请进来）", "市委党校报告厅"),
        (K.TRAINING, 9, "特色小镇投融资模式专家讲座", "市发展改革委三楼会议室"),
        (K.EXCHANGE, 4, "特色小镇建设经验交流会（串起来）", "武清区崔黄口镇"),
        (K.EXCHANGE, 10, "文旅类特色小镇互学互看活动", "蓟州区下营镇"),
    ]
    for kind, offset, title, place in activities:
        day = _workday(dates.add_months(months[0], offset).replace(day=18))
        if day <= today:
            plans.append(_activity(city, districts, members, kind, day, title, place, today))
    # The next quarter's joint conference is already on the calendar.
    next_quarter = dates.add_months(quarter_starts[-1], 3)
    upcoming = _workday(next_quarter.replace(day=20))
    plans.append(_conference(city, districts, members, upcoming, random.Random(f"conference-{upcoming}"), today))
    return plans


def _state(day: datetime.date, today: datetime.date) -> str:
    if day > today:
        return MeetingState.PLANNED
    if (today - day).days <= 30:
        return MeetingState.HELD
    return MeetingState.MINUTES_APPROVED


def _district_meeting(district, towns, kind, day, rng, today) -> dict:
    month = f"{day.month}月"
    if kind == K.DISTRICT_REGULAR:
        title = f"{district.name}特色小镇建设工作{month}例会"
        place = f"{district.name}发展改革委会议室"
        town_names = "、".join(t.unit.name for t in towns) or district.name
        agenda = [
            f"听取{town_names}{month}重点项目进展汇报",
            f"通报{dates.add_months(day.replace(day=1), -1).month}月统计数据报送及审核情况",
            "研究解决项目建设中的用地、资金和审批问题",
            "部署下阶段重点工作",
        ]
        minutes = [
            f"{day.year}年{day.month}月{day.day}日，{district.name}分管副区长主持召开特色小镇建设工作例会，"
            "区发展改革委、区规划资源局、区住房建设委、区财政局及各特色小镇所在街镇负责同志参加会议。",
            f"会议听取了{town_names}关于{month}重点项目建设进展的汇报，通报了上月统计数据报送情况。",
            "会议指出，各小镇要对照年度目标任务，倒排工期、挂图作战，确保时间过半、任务过半；"
            "要严格落实信息报送制度，做到数出有据、不虚报不瞒报。",
            "会议议定了以下事项，由各责任单位抓好落实，区特色小镇办公室跟踪督办。",
        ]
        featured = towns
    else:
        town = rng.choice(towns)
        title = f"{district.name}特色小镇现场推动会（{town.unit.name}）"
        place = town.host_township
        agenda = [f"实地查看{town.unit.name}重点项目建设现场", "听取街镇和项目单位汇报", "现场协调解决存在问题"]
        minutes = [
            f"{day.year}年{day.month}月{day.day}日，{district.name}在{town.host_township}召开特色小镇现场推动会，"
            f"实地查看了{town.unit.name}重点项目建设现场。",
            "会议听取了街镇和项目单位的汇报，相关部门现场答疑解难，对能够当场解决的问题明确了办理意见。",
            "会议要求，能今天解决的绝不拖到明天，能现场解决的决不带回办公室。",
        ]
        featured = [town]
    decisions = []
    for _n in range(rng.randint(1, 3)):
        if featured and rng.random() < 0.8:
            town = rng.choice(featured)
            text = rng.choice(TOWN_DECISIONS).format(
                town=town.unit.name, due=f"{dates.add_months(day.replace(day=1), 1).month}月底"
            )
            decisions.append((text, town.unit, None))
        else:
            decisions.append((rng.choice(DISTRICT_DECISIONS), district, None))
    return {
        "org_unit": district,
        "kind": kind,
        "held_on": day,
        "title": title,
        "place": place,
        "convener": f"{district.name}分管副区长",
        "agenda": agenda,
        "minutes": minutes,
        "attendee_units": featured,
        "attendee_member_units": [],
        "attendees": [
            f"{rng.choice(OWNERS)}（{district.name}发展改革委主任）",
            f"{rng.choice(OWNERS)}（{district.name}规划资源局副局长）",
        ],
        "state": _state(day, today),
        "decisions": list(dict.fromkeys(decisions)),
    }


def _conference(city, districts, members, day, rng, today) -> dict:
    year, quarter = day.year, (day.month - 1) // 3 + 1
    chosen = rng.sample(CONFERENCE_DECISIONS, k=3)
    decisions = [(text, None, members.get(code)) for code, text in chosen if members.get(code)]
    district = rng.choice(districts)
    decisions.append((f"{district.name}加快推进特色小镇重点项目建设，确保完成年度投资计划", district, None))
    return {
        "org_unit": city,
        "kind": K.JOINT_CONFERENCE,
        "held_on": day,
        "title": f"天津市特色小镇规划建设工作联席会议（{year}年第{quarter}季度）",
        "place": "市政府第二会议室",
        "convener": "分管副市长",
        "agenda": [
            "听取市特镇办关于全市特色小镇建设进展的汇报",
            "各区汇报本区特色小镇创建情况",
            "研究支持政策和需协调解决的问题",
        ],
        "minutes": [
            f"{year}年{day.month}月{day.day}日，分管副市长主持召开全市特色小镇规划建设工作联席会议，"
            "联席会议成员单位和各有关区政府负责同志参加会议。",
            "会议听取了市特镇办关于全市特色小镇建设进展情况的汇报，各区汇报了本区创建工作。",
            "会议强调，各成员单位要按照职责分工，加大政策支持力度，形成工作合力。",
        ],
        "attendee_units": districts,
        "attendee_member_units": list(members.values()),
        "attendees": ["分管副市长", "市政府分管副秘书长", "市发展改革委主任"],
        "state": _state(day, today),
        "decisions": decisions,
    }


def _activity(city, districts, members, kind, day, title, place, today) -> dict:
    report = {
        K.STUDY_TOUR: "考察组由市特镇办带队，各区分管负责同志参加，实地考察了特色小镇的规划建设、产业培育和运营管理经验，"
        "形成考察报告，提出我市特色小镇在产业定位、投融资和运营机制方面的改进建议。",
        K.TRAINING: "邀请国家发展改革委城市和小城镇改革发展中心专家授课，各区和小镇负责同志参加培训。",
        K.EXCHANGE: "各区特色小镇负责同志互学互看，交流小镇客厅建设、招商引资和运营管理经验。",
    }[kind]
    return {
        "org_unit": city,
        "kind": kind,
        "held_on": day,
        "title": f"{day.year}年{title}",
        "place": place,
        "convener": "市特镇办",
        "agenda": [],
        "minutes": [report],
        "attendee_units": districts,
        "attendee_member_units": [],
        "attendees": [],
        "state": _state(day, today) if day <= today else MeetingState.PLANNED,
        "decisions": [],
    }


# What a meeting's plan gives as it is stored; its lists (attendees, agenda, minutes) are stored a line each.
PLANNED_AS_IS = ("kind", "org_unit", "title", "held_on", "place", "convener", "state")


def _create_meetings(plans: list[dict], users: dict, today: datetime.date, counts: Counter) -> None:
    existing = set(Meeting.objects.values_list("org_unit_id", "kind", "held_on"))
    plans = [p for p in plans if (p["org_unit"].pk, p["kind"], p["held_on"]) not in existing]
    if not plans:
        return
    meetings = []
    for plan in plans:
        meetings.append(
            Meeting(
                **{name: plan[name] for name in PLANNED_AS_IS},
                attendees="\n".join(plan["attendees"]),
                agenda="\n".join(plan["agenda"]),
                minutes="\n".join(plan["minutes"]) if plan["state"] != MeetingState.PLANNED else "",
                created_by=_recorder(plan, users),
                minutes_approved_by=_approver(plan, users) if plan["state"] == MeetingState.MINUTES_APPROVED else None,
            )
        )
    Meeting.objects.bulk_create(meetings, batch_size=500)
    counts["meetings"] += len(meetings)
    unit_links, member_links, events, decisions, stamps = [], [], [], [], []
    for meeting, plan in zip(meetings, plans, strict=True):
        rng = random.Random(f"meeting-{meeting.org_unit_id}-{meeting.kind}-{meeting.held_on}")
        unit_links += [
            Meeting.attendee_units.through(meeting=meeting, orgunit=t if isinstance(t, OrgUnit) else t.unit)
            for t in plan["attendee_units"]
        ]
        member_links += [
            Meeting.attendee_member_units.through(meeting=meeting, memberunit=m) for m in plan["attendee_member_units"]
        ]
        recorded = (
            _at(meeting.held_on, rng, (17, 19))
            if meeting.state != MeetingState.PLANNED
            else _at(today - datetime.timedelta(days=7), rng)
        )
        stamps.append((meeting, recorded))
        events.append(
            MeetingEvent(meeting=meeting, actor=meeting.created_by, action=MeetingEvent.Action.CREATE, at=recorded)
        )
        if meeting.state == MeetingState.MINUTES_APPROVED:
            approved = _at(meeting.held_on + datetime.timedelta(days=rng.randint(2, 6)), rng)
            meeting.minutes_approved_at = approved
            events.append(
                MeetingEvent(
                    meeting=meeting,
                    actor=meeting.minutes_approved_by,
                    action=MeetingEvent.Action.APPROVE_MINUTES,
                    at=approved,
                )
            )
        if meeting.state != MeetingState.PLANNED:
            for order, (text, unit, member) in enumerate(plan["decisions"], start=1):
                decisions.append((Decision(meeting=meeting, order=order, text=text), unit, member))
    Meeting.attendee_units.through.objects.bulk_create(unit_links, batch_size=2000)
    Meeting.attendee_member_units.through.objects.bulk_create(member_links, batch_size=2000)
    MeetingEvent.objects.bulk_create(events, batch_size=2000)
    Decision.objects.bulk_create([d for d, _u, _m in decisions], batch_size=2000)
    for meeting, recorded in stamps:
        meeting.created_at = recorded
        meeting.updated_at = meeting.minutes_approved_at or recorded
    Meeting.objects.bulk_update(
        [m for m, _r in stamps], ["created_at", "updated_at", "minutes_approved_at"], batch_size=500
    )
    _create_items(decisions, users, today, counts)


def _recorder(plan: dict, users: dict):
    unit = plan["org_unit"]
    return users["office-coord"] if unit.level == OrgUnit.Level.MUNICIPAL else users[f"{unit.slug}-officer"]


def _approver(plan: dict, users: dict):
    unit = plan["org_unit"]
    return users["office-coord"] if unit.level == OrgUnit.Level.MUNICIPAL else users[f"{unit.slug}-leader"]


def _create_items(decisions: list[tuple], users: dict, today: datetime.date, counts: Counter) -> None:
    """One action item per decision; the older it is, the more likely verified. Some are overdue."""
    items, item_events, stamps = [], [], []
    for decision, unit, member in decisions:
        meeting = decision.meeting
        rng = random.Random(f"item-{meeting.org_unit_id}-{meeting.held_on}-{decision.order}")
        due = _workday(meeting.held_on + datetime.timedelta(days=rng.choice([20, 30, 45, 60])))
        age = (today - due).days
        if age > 90:  # long past due: nearly all closed, a rare one still open (overdue)
            status = S.VERIFIED if rng.random() < 0.97 else S.IN_PROGRESS
        elif age > 20:
            status = S.VERIFIED if rng.random() < 0.8 else rng.choice([S.OPEN, S.IN_PROGRESS])
        elif age > 0:
            status = rng.choice([S.VERIFIED, S.DONE, S.IN_PROGRESS, S.OPEN])
        else:
            status = rng.choice([S.OPEN, S.IN_PROGRESS, S.IN_PROGRESS, S.DONE])
        assigner = meeting.created_by
        assigned_at = _at(meeting.held_on + datetime.timedelta(days=1), rng)
        item = ActionItem(
            decision=decision,
            meeting=meeting,
            title=decision.text[:300],
            responsible_unit=unit if isinstance(unit, OrgUnit) else None,
            responsible_member_unit=member,
            owner=f"{rng.choice(OWNERS)}",
            due_on=due,
            status=status,
            created_by=assigner,
        )
        items.append(item)
        stamps.append((item, assigned_at))
        trail = _item_trail(item, rng, _handler(unit, member, users), users["office-coord"], assigned_at, today)
        item_events += [ActionItemEvent(item=item, **event) for event in trail]
    ActionItem.objects.bulk_create(items, batch_size=2000)
    ActionItemEvent.objects.bulk_create(item_events, batch_size=2000)
    for item, assigned_at in stamps:
        item.created_at = assigned_at
    ActionItem.objects.bulk_update(items, ["created_at"], batch_size=1000)
    counts["decisions"] += len(decisions)
    counts["action_items"] += len(items)


def _item_trail(item: ActionItem, rng: random.Random, handler, office, assigned_at, today: datetime.date) -> list:
    """The events (as field values) that took `item` to its status; most done reports carry an evidence file,
    and the office waived it in writing for the verified ones that do not."""

    def step(action: str, actor, before: str, after: str, at, **fields) -> dict:
        return {"action": action, "actor": actor, "from_status": before, "to_status": after, "at": at, **fields}

    trail = [step("create", item.created_by, "", S.OPEN, assigned_at)]
    at = assigned_at
    if item.status != S.OPEN:
        at = min(at + datetime.timedelta(days=rng.randint(5, 15)), _now_ish(today, rng))
        trail.append(step("progress", handler, S.OPEN, S.IN_PROGRESS, at, note=rng.choice(PROGRESS_NOTES)))
    if item.status in (S.DONE, S.VERIFIED):
        item.done_at = at = min(at + datetime.timedelta(days=rng.randint(5, 20)), _now_ish(today, rng))
        item.resolution, number = rng.choice(RESOLUTIONS), rng.randrange(len(EVIDENCE_NAMES))
        done = step("done", handler, S.IN_PROGRESS, S.DONE, at, note=rng.choice(DONE_NOTES), resolution=item.resolution)
        if rng.random() < 0.9:  # one report in ten came without a file
            done.update(evidence=demo_evidence_file("action-items", number), evidence_name=EVIDENCE_NAMES[number])
        trail.append(done)
    if item.status == S.VERIFIED:
        item.verified_by = office
        item.verified_at = at = min(at + datetime.timedelta(days=rng.randint(1, 6)), _now_ish(today, rng))
        if "evidence" not in trail[-1]:
            trail.append(step("waive_evidence", office, S.DONE, S.DONE, at, note=WAIVER_NOTE))
        trail.append(step("verify", office, S.DONE, S.VERIFIED, at))
    return trail


def _now_ish(today: datetime.date, rng: random.Random) -> datetime.datetime:
    return _at(today - datetime.timedelta(days=1), rng)


def _handler(unit, member, users):
    if member is not None:
        return users["liaisons"].get(member.pk)  # None when the demo has no liaison for the unit
    district = unit if unit.level == OrgUnit.Level.DISTRICT else unit.parent
    return users[f"{district.slug}-officer"]


# --- Plans ---------------------------------------------------------------------------------------


def _plan_content(town: Town) -> dict:
    return {
        "scope": f"{town.host_township}核心区，规划面积约{town.planning_area_km2 or 3}平方公里",
        "sites": f"{town.host_township}产业园区、小镇客厅及配套服务区",
        "positioning": f"以{town.lead_industry}为主导的产城人文融合特色小镇",
        "layout": "一核（小镇客厅）、两轴（产业发展轴、生态景观轴）、三片区（产业区、生活区、休闲区）",
        "path": "近期（1-2年）完善基础设施和公共服务配套；中期（3年）主导产业集聚成势；远期建成国家级特色小镇。",
    }


def _seed_plans(towns_of: dict, districts: list[OrgUnit], users: dict, today: datetime.date, counts: Counter) -> None:
    """A handful of plans per state: approved, returned awaiting a new version, version 2 under review, new."""
    wanted = []
    for index, district in enumerate(districts):
        towns = towns_of.get(district.pk, [])
        if not towns:
            continue
        town = towns[index % len(towns)]
        state = ["approved", "returned", "resubmitted", "submitted", "approved_cultivation"][index % 5]
        kind = (
            PlanKind.CULTIVATION
            if state == "approved_cultivation"
            else [PlanKind.DEVELOPMENT, PlanKind.IMPLEMENTATION][index % 2]
        )
        wanted.append((district, town, kind, state))
    existing = set(
        Plan.objects.filter(Q(org_unit__in=[t.unit for _d, t, _k, _s in wanted])).values_list("org_unit_id", "title")
    )
    for n, (district, town, kind, state) in enumerate(wanted):
        title = f"{town.unit.name}{PlanKind(kind).label}（{today.year}—{today.year + 4}年）"
        if (town.unit_id, title) in existing:
            continue
        officer, planning = users[f"{district.slug}-officer"], users["office-planning"]
        sub_items = []
        if kind == PlanKind.CULTIVATION:
            sub_items = [
                {
                    "name": f"{town.lead_industry}产业园提升工程",
                    "content": "新建标准厂房和研发中心",
                    "responsible_unit": f"{district.name}工业和信息化局",
                },
                {
                    "name": "小镇客厅建设",
                    "content": "展示、招商、游客服务一体化",
                    "responsible_unit": f"{town.host_township}",
                },
                {
                    "name": "道路及管网配套",
                    "content": "主干道路、污水管网接入市政管网",
                    "responsible_unit": f"{district.name}住房建设委",
                },
            ]
        content = _plan_content(town)
        plan = services.plan_submit(
            actor=officer, org_unit=town.unit, kind=kind, title=title, content=content, sub_items=sub_items
        )
        if state in ("returned", "resubmitted"):
            plan = services.plan_return(
                actor=planning,
                plan=plan,
                comments="功能布局与区控制性详细规划衔接不够，创建点位需进一步明确四至范围，请修改后重新报审。",
            )
        if state == "resubmitted":
            plan = services.plan_resubmit(
                actor=officer,
                plan=plan,
                content={
                    **content,
                    "sites": f"{town.host_township}产业园区（四至：东至规划一路、西至规划三路）、小镇客厅",
                    "layout": content["layout"] + "；已与区控规衔接",
                },
            )
        if state in ("approved", "approved_cultivation"):
            plan = services.plan_approve(actor=planning, plan=plan, comments="同意，请按规划组织实施。")
        _date_plan(plan, today - datetime.timedelta(days=20 + 25 * n))
        if state == "resubmitted":  # version 2 waits for the planning and land bureaus' opinions (会签, issue 18)
            asked = list(MemberUnit.objects.filter(code__in=("planning", "land"), active=True).order_by("order"))
            if asked:
                services.plan_opinions_request(
                    actor=planning, plan=plan, member_units=asked, due_on=today + datetime.timedelta(days=7)
                )
                counts["plan_opinions"] += len(asked)
        counts["plans"] += 1


def _date_plan(plan: Plan, start: datetime.date) -> None:
    """Spread the plan's submissions and reviews over the weeks after `start` (the services stamped today)."""
    rng = random.Random(f"plan-{plan.pk}")
    moment = _at(start, rng)
    for version in plan.versions.order_by("number"):
        version.submitted_at = moment
        moment += datetime.timedelta(days=rng.randint(5, 10))
        if version.review != PlanVersion.Review.PENDING:
            version.reviewed_at = moment
            moment += datetime.timedelta(days=rng.randint(5, 10))
        version.save(update_fields=["submitted_at", "reviewed_at"])
    Plan.objects.filter(pk=plan.pk).update(created_at=_at(start, rng), updated_at=moment)


# --- Support policies (R-1.4) --------------------------------------------------------------------

POLICIES = [
    (
        "ndrc",
        "关于加快特色小镇规划建设的指导意见",
        "津发改区域〔{y}〕12号",
        40,
        "明确特色小镇创建标准、培育程序和支持措施，建立创建名单动态调整机制。",
    ),
    (
        "land",
        "关于支持特色小镇建设用地保障的通知",
        "津国土房发〔{y}〕8号",
        120,
        "对按期完成年度任务的特色小镇给予新增建设用地指标奖励，支持存量建设用地盘活利用。",
    ),
    (
        "finance",
        "天津市特色小镇扶持资金管理办法",
        "津财建〔{y}〕21号",
        150,
        "市级财政对市级特色小镇给予资金支持，重点用于基础设施和公共服务设施建设。",
    ),
    (
        "financial",
        "关于金融支持特色小镇建设的实施意见",
        "津金融办〔{y}〕15号",
        200,
        "引导银行业金融机构开发特色小镇专项信贷产品，支持发行企业债券和设立产业基金。",
    ),
    (
        "planning",
        "天津市特色小镇规划设计导则",
        "津规发〔{y}〕30号",
        230,
        "规范特色小镇规划范围、功能布局、风貌管控和建设指标。",
    ),
    (
        "statistics",
        "特色小镇统计监测制度",
        "津统字〔{y}〕5号",
        260,
        "明确特色小镇月度统计指标、口径和报送时限，建立数据质量核查机制。",
    ),
]


def _seed_policies(members: dict, users: dict, today: datetime.date, counts: Counter) -> None:
    existing = set(SupportPolicy.objects.values_list("member_unit_id", "title"))
    for code, title, number, days_ago, summary in POLICIES:
        member = members.get(code)
        if member is None or (member.pk, title) in existing:
            continue
        issued = today - datetime.timedelta(days=days_ago)
        services.policy_create(
            actor=users["office-policy"],
            member_unit=member,
            title=title,
            issued_on=issued,
            document_number=number.format(y=issued.year),
            summary=summary,
        )
        counts["policies"] += 1
