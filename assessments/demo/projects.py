"""The demo's project ledger (重点项目台账): two to five projects per town, deterministic, created through
the ledgers' services; the monthly reports (reports.py) follow the same plans."""

import datetime
import random
from collections import Counter
from decimal import Decimal

from coordination.models import Town
from ledgers import services as ledger
from ledgers.models import Project
from tianjin_towns.lib import dates

from .world import MONTHS, DemoSpan, DemoTown, money, town_scale


def seed_projects(span: DemoSpan, towns: list[tuple[Town, DemoTown]], created: Counter) -> None:
    have = set(Project.objects.values_list("town_id", "code"))
    for town, demo in towns:
        for plan in project_plans(span, town, demo):
            if (town.pk, plan["code"]) in have:
                continue
            fields = {k: v for k, v in plan.items() if k in ledger.PROJECT_FIELDS or k == "year_plans"}
            ledger.project_create(actor=None, town=town, code=plan["code"], **fields)
            created["projects"] += 1


def project_plans(span: DemoSpan, town: Town, demo: DemoTown) -> list[dict]:
    """2–5 projects per town, deterministic; start/finish are month indexes into the 24 months."""
    rng = random.Random(f"projects-{town.code}")
    scale = town_scale(town)
    short = demo.township.removesuffix("街道").removesuffix("镇")
    names = {
        Project.Category.INDUSTRY: [
            f"{demo.industry}产业园（一期）",
            f"{demo.industry}创新中心",
            f"{short}{demo.industry}配套项目",
        ],
        Project.Category.INFRASTRUCTURE: [
            f"{short}主干道路及综合管网工程",
            f"{short}污水处理站提标改造",
            f"{short}停车场及慢行系统",
        ],
        Project.Category.PUBLIC_SERVICE: [
            f"{short}游客服务中心",
            f"{short}社区综合服务中心",
            f"{short}智慧小镇管理平台",
        ],
    }
    plans = []
    for n in range(1, rng.randint(2, 5) + 1):
        category = Project.Category.INDUSTRY if n == 1 else rng.choice(list(names))
        name = names[category].pop(0) if names[category] else f"{short}{category.label}项目{n}"
        roll = rng.random()
        start = 0 if roll < 0.55 else rng.randint(3, 18)
        finishes = rng.random() < 0.3 and start + 6 <= MONTHS - 2
        finish = rng.randint(start + 6, MONTHS - 2) if finishes else None
        if roll > 0.92:
            start, finish = None, None  # still preparing: listed in the ledger, no progress yet
        # Size the project by what it will spend: a share of the town's monthly investment over its duration.
        duration = finish - start + 1 if finish is not None else rng.randint(30, 48)
        rate = 800 * scale * 0.25 * rng.uniform(0.8, 1.5)  # 万元 a month
        total = max(round(rate * duration * rng.uniform(1.1, 1.4), -2), 100)
        start_date = dates.add_months(span.first, start) if start is not None else None
        finish_date = (
            dates.add_months(span.first, finish + 1) - datetime.timedelta(days=1) if finish is not None else None
        )
        if start is None:
            status = Project.Status.PREPARING
        elif finish is not None:
            status = Project.Status.COMPLETED
        elif start_date.year == span.last.year:
            status = Project.Status.NEW
        else:
            status = Project.Status.CONTINUING
        planned_start = start_date or dates.add_months(span.last, 3)
        plans.append(
            {
                "code": f"{town.code}-{n:02d}",
                "name": name,
                "category": category,
                "content": f"{name}，建设内容详见项目备案文件。",
                "total_investment": Decimal(str(total)),
                # A plan for each year of the demo and the next one (the per-year plans of ).
                "year_plans": [
                    {"year": year, "amount": money(min(total, rate * 12 * rng.uniform(0.9, 1.2)))}
                    for year in range(span.first.year, span.last.year + 2)
                ],
                "status": status,
                "planned_start": planned_start,
                "planned_finish": finish_date or dates.add_months(planned_start, duration),
                "actual_start": start_date,
                "actual_finish": finish_date,
                "land_mu": money(rng.uniform(10, 200)) if category != Project.Category.PUBLIC_SERVICE else None,
                "start_index": start,
                "finish_index": finish,
                "duration": duration,
                "rate": rate,
            }
        )
    return plans
