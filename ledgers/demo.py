"""Demo work information (信息报送, R-3.2), called by `manage.py seed_demo`.

The twelve months ending with the current one: every district's officer reports two to four items a
month about its towns (important work, activities, results, meetings). Items older than last month are
adopted, a few after being returned once; last month's are in every state of the workflow, this month's
are drafts or just submitted, so each demo role finds something to do. History is written in bulk with
the rows and events the services write, dated when it would have happened. Idempotent: an item that
exists (unit, day, title) is skipped.
"""

import datetime
import random
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from coordination.models import MemberUnit, OrgUnit, Town
from coordination.selectors import users_with_unit_perm
from tianjin_towns.lib import dates

from . import services
from .models import FigureCheck, Indicator, MonthlyReport, ReportStatus, ReportValue, WorkInfo, WorkInfoEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
Category = WorkInfo.Category
Status = WorkInfo.Status
Action = WorkInfoEvent.Action

# (category, title, body); {town}, {industry}, {district}, {month}, {n}, {amount} are filled in.
TEMPLATES = [
    (
        Category.WORK,
        "{town}{industry}产业园一期主体工程封顶",
        "{month}，{town}{industry}产业园一期主体工程顺利封顶，累计完成投资{amount}亿元。园区建成后可容纳企业{n}家，"
        "预计年产值超过10亿元。\n下一步，小镇将加快配套设施建设，确保年底前具备入驻条件。",
    ),
    (
        Category.ACTIVITY,
        "{town}举办{industry}产业招商推介会",
        "{month}，{town}在区政府支持下举办{industry}产业招商推介会，邀请京津冀地区{n}家企业参加，"
        "现场签约项目{n2}个，协议投资{amount}亿元。",
    ),
    (
        Category.RESULT,
        "{town}特色产业集聚效应初步显现",
        "截至{month}，{town}已入驻{industry}相关企业{n}家，新增就业岗位{n2}个，"
        "特色产业投资占小镇总投资比重达到{share}%，高于全市平均水平。",
    ),
    (
        Category.MEETING,
        "{district}召开特色小镇建设现场推动会",
        "{month}，{district}在{town}召开特色小镇建设现场推动会，区发改委、规划局、国土分局等{n}个部门参加。"
        "会议现场协调解决项目用地、规划调整等问题{n2}个，明确了下一阶段重点任务和完成时限。",
    ),
    (
        Category.WORK,
        "{town}完成特色小镇实施方案修编",
        "{month}，{town}完成实施方案修编并通过区级审查，进一步明确了发展定位、空间布局和重点项目库，"
        "新增储备项目{n2}个，总投资{amount}亿元。",
    ),
    (
        Category.ACTIVITY,
        "{district}组织特色小镇负责人赴浙江学习考察",
        "{month}，{district}组织各特色小镇负责人赴浙江杭州、湖州等地学习考察，实地走访{n2}个特色小镇，"
        "学习产业培育、运营管理和招商引资的经验做法，形成考察报告{n2}份。",
    ),
]
RETURN_REASONS = [
    "请补充具体数据来源，核实投资额。",
    "标题过长，请精炼标题并补充下一步工作安排。",
    "请补充参会单位名单和议定事项。",
]


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, rng.randint(9, 17), rng.randint(0, 59), tzinfo=SHANGHAI)


def seed_work_info(*, users: dict, today: datetime.date | None = None) -> Counter:
    """Create the demo year of work information; returns what was created, by kind."""
    today = today or dates.today()
    counts: Counter = Counter()
    rng = random.Random(20161)
    towns_of: dict[int, list[Town]] = {}
    for town in Town.objects.select_related("unit").order_by("unit__order"):
        towns_of.setdefault(town.district_id, []).append(town)
    existing = set(WorkInfo.objects.values_list("org_unit_id", "happened_on", "title"))
    this_month = dates.month_start(today)
    adopter = users.get("office-policy")
    infos: list[WorkInfo] = []
    trails: list[list[tuple]] = []
    for district in OrgUnit.objects.filter(level=OrgUnit.Level.DISTRICT).order_by("order"):
        officer, leader = users.get(f"{district.slug}-officer"), users.get(f"{district.slug}-leader")
        towns = towns_of.get(district.pk)
        if officer is None or leader is None or adopter is None or not towns:
            continue
        for offset in range(11, -1, -1):
            month = dates.add_months(this_month, -offset)
            for index in range(rng.randint(2, 4)):
                template = TEMPLATES[(offset * 3 + index + district.order) % len(TEMPLATES)]
                town = towns[(offset + index) % len(towns)]
                last_day = min(today, dates.add_months(month, 1) - datetime.timedelta(days=1))
                day = month + datetime.timedelta(days=rng.randint(0, max(0, (last_day - month).days)))
                fill = {
                    "town": town.unit.name,
                    "industry": town.lead_industry or "特色",
                    "district": district.name,
                    "month": f"{day.month}月{day.day}日",
                    "n": rng.randint(8, 30),
                    "n2": rng.randint(2, 9),
                    "amount": f"{rng.uniform(0.5, 6):.1f}",
                    "share": rng.randint(55, 80),
                }
                title = template[1].format(**fill)
                unit = district if "{district}" in template[1] else town.unit  # a district item names it
                if (unit.pk, day, title) in existing:
                    continue
                existing.add((unit.pk, day, title))
                info = WorkInfo(
                    org_unit=unit, category=template[0], title=title, body=template[2].format(**fill), happened_on=day
                )
                infos.append(info)
                item_rng = random.Random(f"{unit.pk}:{day}:{title}")  # the main draws must not depend on what exists
                trails.append(_history(info, offset, index, officer, leader, adopter, day, today, item_rng))
    created = WorkInfo.objects.bulk_create(infos)
    events = []
    for info, trail in zip(created, trails, strict=True):
        previous = ""
        for action, status, actor, at, reason in trail:
            events.append(
                WorkInfoEvent(
                    info=info, actor=actor, action=action, from_status=previous, to_status=status, reason=reason
                )
            )
            events[-1]._at = at
            previous = status
    WorkInfoEvent.objects.bulk_create(events)
    # auto_now_add stamps today; the history happened when it happened.
    for event in events:
        event.at = event._at
    WorkInfoEvent.objects.bulk_update(events, ["at"], batch_size=500)
    for info in created:
        counts[f"work_info_{info.status}"] += 1
    counts["work_info"] += len(created)
    return counts


def _history(info, offset, index, officer, leader, adopter, day, today, rng) -> list[tuple]:
    """Set `info`'s state and stamps; return its trail as (action, status, actor, at, reason)."""
    steps = [(Action.CREATE, Status.DRAFT, officer)]
    if offset >= 2:  # older months: adopted, every fourth after one return
        steps += [(Action.SUBMIT, Status.SUBMITTED, officer)]
        if index == 1 and offset % 4 == 0:
            steps += [(Action.RETURN, Status.RETURNED, leader), (Action.SUBMIT, Status.SUBMITTED, officer)]
        steps += [(Action.APPROVE, Status.APPROVED, leader), (Action.ACCEPT, Status.ACCEPTED, adopter)]
    elif offset == 1:  # last month: one of each state the reviewers act on
        ending = [Status.ACCEPTED, Status.APPROVED, Status.SUBMITTED, Status.RETURNED][index % 4]
        steps += [(Action.SUBMIT, Status.SUBMITTED, officer)]
        if ending in (Status.APPROVED, Status.ACCEPTED):
            steps += [(Action.APPROVE, Status.APPROVED, leader)]
        if ending == Status.ACCEPTED:
            steps += [(Action.ACCEPT, Status.ACCEPTED, adopter)]
        if ending == Status.RETURNED:
            steps += [(Action.RETURN, Status.RETURNED, leader)]
    elif index % 2 == 0:  # this month: submitted, or still a draft
        steps += [(Action.SUBMIT, Status.SUBMITTED, officer)]
    trail = []
    at = _at(day, rng)
    for action, status, actor in steps:
        at = min(at + datetime.timedelta(hours=rng.randint(2, 60)), _at(today, rng)) if trail else at
        reason = RETURN_REASONS[(offset + index) % len(RETURN_REASONS)] if action == Action.RETURN else ""
        trail.append((action, status, actor, at, reason))
        if action == Action.SUBMIT:
            info.submitted_at, info.submitted_by = at, officer
        if action == Action.ACCEPT:
            info.accepted_at = at
    info.status = trail[-1][1]
    info.return_reason = trail[-1][4] if info.status == Status.RETURNED else ""
    info.created_by = officer
    return trail


# --- Departmental cross-checks (数据核对, issue 18) --------------------------------------------------------

# The member unit that holds each indicator's authoritative source, by member unit code.
CHECK_SOURCES = {"tax_revenue": "tax", "fixed_asset_investment": "statistics", "land_supplied": "land"}


def seed_checks(*, users: dict) -> Counter:
    """The indicators assigned to the units that check them, and the 税务局's checks of the last accepted
    month: most towns agree, one differs by about a fifth (open, for its district to explain) and one by
    about a sixth, already explained by its district. Idempotent: nothing when any check exists."""
    counts: Counter = Counter()
    if FigureCheck.objects.exists():
        return counts
    units = {unit.code: unit for unit in MemberUnit.objects.filter(code__in=CHECK_SOURCES.values(), active=True)}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=CHECK_SOURCES)}
    assignments = {
        indicators[code]: (units[unit], None)
        for code, unit in CHECK_SOURCES.items()
        if code in indicators and unit in units
    }
    counts["indicator_sources"] += services.indicator_sources_set(actor=None, assignments=assignments)
    tax, liaison = indicators.get("tax_revenue"), users.get("liaison-tax")
    latest = _last_accepted_month()
    if tax is None or liaison is None or "tax" not in units or latest is None:
        return counts
    accepted = list(
        ReportValue.objects.filter(report__period=latest, report__status=ReportStatus.ACCEPTED, indicator=tax)
        .select_related("report__town__unit")
        .order_by("report__town__district__order", "report__town__unit__order")
    )
    rng = random.Random(f"checks-{latest}")
    entries, differing = {}, {}
    for index, row in enumerate(accepted[: len(accepted) * 2 // 3]):  # a third left for the liaison to check
        factor = {3: Decimal("1.20"), 7: Decimal("0.85")}.get(index, Decimal(str(round(rng.uniform(0.99, 1.01), 4))))
        entries[row.report.town_id] = services.CheckEntry((row.value * factor).quantize(Decimal("0.01")), None)
        if index in (3, 7):
            differing[index] = row.report
    services.figure_checks_record(
        actor=liaison, member_unit=units["tax"], indicator=tax, period=latest, entries=entries
    )
    counts["figure_checks"] += len(entries)
    explained = differing.get(7)
    if explained is not None:
        officer = next(iter(users_with_unit_perm(explained.town.unit, "fill_report")), None)
        services.figure_check_explain(
            actor=officer,
            check=FigureCheck.objects.get(report=explained, indicator=tax),
            explanation="税务部门按税款入库时间统计，月报按企业申报所属期统计，差额为跨月入库的税款。",
        )
    return counts


def _last_accepted_month():
    """The latest month whose reports the office has (nearly) all accepted: at least four in five."""
    months = (
        MonthlyReport.objects.values("period")
        .annotate(total=Count("pk"), accepted=Count("pk", filter=Q(status=ReportStatus.ACCEPTED)))
        .order_by("-period")
    )
    return next((m["period"] for m in months if m["accepted"] and m["accepted"] * 5 >= m["total"] * 4), None)
