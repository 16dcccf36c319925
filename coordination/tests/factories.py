"""Meetings, decisions, action items, plans and extra towns for the tests, made through the services."""

import datetime

from coordination import services as org
from coordination.models import MeetingKind, PlanKind, Town, TownStatus

HELD_ON = datetime.date(2026, 10, 15)

PLAN_CONTENT = {
    "scope": "华明街道东至外环线，西至京津塘高速，规划面积3.2平方公里",
    "sites": "华明工业园区、华明示范镇核心区",
    "positioning": "以智能制造为主导的产城融合特色小镇",
    "layout": "一核两轴三片区",
    "path": "2026年完成基础设施配套，2027年主导产业集聚",
}


def make_meeting(world, *, kind=MeetingKind.DISTRICT_REGULAR, unit=None, held=True, held_on=HELD_ON, **fields):
    fields.setdefault("title", "东丽区特色小镇建设10月例会")
    fields.setdefault("minutes", "会议听取了各小镇10月工作进展汇报，研究部署了下阶段重点工作。")
    if not held:
        fields["minutes"] = ""
    return org.meeting_create(
        actor=world.users.officer if (unit or world.dongli) != world.city else world.users.office_coord,
        org_unit=unit or world.dongli,
        kind=kind,
        held_on=held_on,
        held=held,
        **fields,
    )


def make_decision(world, meeting=None, text="华明小镇11月底前完成产业园二期用地报批"):
    meeting = meeting or make_meeting(world)
    return org.decision_add(actor=world.users.officer, meeting=meeting, text=text)


def make_item(world, decision=None, *, unit=None, due_on=datetime.date(2026, 11, 30), member_unit=None, **fields):
    decision = decision or make_decision(world)
    fields.setdefault("owner", "张伟")
    return org.action_item_create(
        actor=world.users.officer,
        decision=decision,
        due_on=due_on,
        responsible_unit=None if member_unit else (unit or world.town.unit),
        responsible_member_unit=member_unit,
        **fields,
    )


def make_plan(world, *, kind=PlanKind.DEVELOPMENT, unit=None, sub_items=(), **content):
    return org.plan_submit(
        actor=world.users.officer,
        org_unit=unit or world.town.unit,
        kind=kind,
        title="华明智能制造小镇发展规划（2026—2030）",
        content={**PLAN_CONTENT, **content},
        sub_items=list(sub_items),
    )


def more_towns(district, numbers, *, code: str, name: str = "测试小镇", **fields) -> list[Town]:
    """Towns added to show that a page's queries do not grow with its rows: for each n of `numbers` the town
    f"{name}{n}" with code f"{code}{n:02d}" and order n, placeholders for the attributes the service requires."""
    fields = {"reporting_from": datetime.date(2024, 1, 1), "host_township": "x", "lead_industry": "y", **fields}
    return [
        org.town_create(district=district, code=f"{code}{n:02d}", name=f"{name}{n}", order=n, **fields) for n in numbers
    ]


def town_step(town, status: str, reason: str, decided_on: datetime.date, *, actor=None, **decision):
    """A lifecycle step of the town (R-1.2), taken by `actor` (None: the system)."""
    return org.town_change_status(
        actor=actor, town=town, status=status, reason=reason, decided_on=decided_on, **decision
    )


def town_step_form(**fields) -> dict:
    """A lifecycle step as the page and the API take it: the town is named, by a dated decision."""
    return {
        "status": "named",
        "decided_on": "2026-11-02",
        "document_no": "津特镇办〔2026〕9号",
        "reason": "验收合格",
        **fields,
    }


def new_town_form(world, **fields) -> dict:
    """A new town of 东丽区 as the page and the API take it: 金桥新城小镇, cultivating, reporting from December 2026."""
    return {
        "district": world.dongli.pk, "code": "T0103", "name": "金桥新城小镇", "host_township": "金桥街",
        "lead_industry": "智能制造", "level": Town.Level.MUNICIPAL_CULTIVATED, "status": TownStatus.CULTIVATING,
        "reporting_from": "2026-12", "document_no": "津特镇办〔2026〕2号", **fields,
    }  # fmt: skip
