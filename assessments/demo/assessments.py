"""The demo of the assessments app, seeded after every other app's data (see __init__.py).

Annual targets for the last full year and the current one (derived from each town's accepted
figures, with a per-town ambition so that some towns meet their plan and others do not), the
scheme of each year, a published semi-annual run for the last full half-year, a published annual
run for the last full year with its sanction proposals left for the office to decide, monthly and
quarterly self-evaluations (some late, some missing) and this month's lag flags.

Idempotent: each piece is looked up first, so a second run creates nothing. Everything goes
through the services, as the pages would.
"""

import datetime
import random
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from coordination.models import OrgUnit, Town
from ledgers import selectors as ledger_selectors
from ledgers.models import Indicator
from tianjin_towns.lib import dates

from .. import selectors, services
from ..models import ItemKind, Run, RunKind, RunStatus, Scheme, SelfEvaluation, SelfEvaluationKind, Target

# Indicators with targets, and how much each town's ambition varies from one indicator to the next.
TARGET_CODES = ("fixed_asset_investment", "industry_investment", "tax_revenue", "new_enterprises", "employment")

MANUAL_NOTES = [
    "特色产业集聚度较高，龙头企业带动明显",
    "宣传推介有力，年内获市级媒体专题报道",
    "项目谋划储备充足，但要素保障仍需加强",
    "配套设施建设进度正常，运营机制有待完善",
    "招商引资成效一般，新入驻企业偏少",
]
PROBLEM_NOTES = ["个别项目进度滞后于计划", "统计数据报送时效性有待提高", "招商引资储备项目不足", "无"]
CORRECTION_NOTES = [
    "已约谈项目业主，倒排工期，每周调度",
    "明确专人负责，每月5日前完成初审",
    "梳理招商清单，开展专题推介",
    "无",
]


def _scheme_items(indicators: dict) -> list[dict]:
    def item(name, kind, weight, code=None, **extra):
        return {"name": name, "kind": kind, "weight": Decimal(weight), "indicator": indicators.get(code), **extra}

    return [
        item("固定资产投资完成率", ItemKind.COMPLETION, 25, "fixed_asset_investment", floor=Decimal(30)),
        item("特色产业投资完成率", ItemKind.COMPLETION, 10, "industry_investment"),
        item("税收收入完成率", ItemKind.COMPLETION, 15, "tax_revenue"),
        item("新入驻企业完成率", ItemKind.COMPLETION, 5, "new_enterprises"),
        item("月报报送及时率", ItemKind.TIMELINESS, 15),
        item("工作机制落实率", ItemKind.CADENCE, 10),
        item("问题按期解决率", ItemKind.PROBLEMS, 10),
        item("考核组综合评价", ItemKind.MANUAL, 10, guidance="产业特色、项目建设、宣传推介等综合表现"),
    ]


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def seed_assessments(*, users: dict, today: datetime.date | None = None) -> Counter:
    today = today or dates.today()
    created: Counter = Counter()
    assessor = users["office-assess"]
    half_year = today.year if today.month > 6 else today.year - 1
    years = sorted({today.year - 1, half_year, today.year})
    towns = list(Town.objects.select_related("unit", "district").order_by("district__order", "unit__order"))
    for year in years:
        created["targets"] += _seed_targets(year, towns, assessor, today)
        created["schemes"] += _seed_scheme(year, assessor)
    created["runs"] += _seed_run(half_year, RunKind.SEMIANNUAL, assessor, today)
    created["runs"] += _seed_run(today.year - 1, RunKind.ANNUAL, assessor, today)
    created["self_evaluations"] += _seed_self_evaluations(users, today)
    created["lag_flags"] += services.targets_check_lag(today=today)
    return created


def _seed_targets(year: int, towns: list[Town], assessor, today: datetime.date) -> int:
    """Targets set from the town's figures: a full year where one has passed, the first half doubled otherwise."""
    have = set(Target.objects.filter(year=year).values_list("town_id", flat=True))
    todo = [t for t in towns if t.pk not in have and t.exited_on is None]
    if not todo:
        return 0
    indicators = selectors.indicators_by_code()
    full_year = year < today.year
    through = datetime.date(year, 12 if full_year else 6, 1)
    figures = ledger_selectors.accepted_year_to_date([t.pk for t in todo], year=year, through=through)
    count = 0
    for town in todo:
        rng = random.Random(f"targets-{town.code}-{year}")
        # Most towns set reachable or stretching plans; a few set plans far beyond their pace.
        roll = rng.random()
        ambition = (
            rng.uniform(0.8, 0.94) if roll < 0.6 else rng.uniform(1.02, 1.2) if roll < 0.94 else rng.uniform(1.6, 2)
        )
        values = {}
        for code in TARGET_CODES:
            figure = figures.get((town.pk, code))
            indicator = indicators.get(code)
            if figure is None or indicator is None or not figure.value:
                continue
            if indicator.kind == Indicator.Kind.STOCK:
                base = figure.value
            else:
                base = figure.value if full_year else figure.value * 2
            value = _round(base * Decimal(str(ambition * rng.uniform(0.99, 1.01))), indicator.decimal_places)
            if value > 0:
                values[code] = value
        if values:
            services.targets_save_for_town(actor=assessor, town=town, year=year, values=values)
            count += len(values)
    return count


def _seed_scheme(year: int, assessor) -> int:
    if Scheme.objects.filter(year=year).exists():
        return 0
    services.scheme_save(
        actor=assessor,
        scheme=None,
        year=year,
        fields={
            "name": f"{year}年度特色小镇考核办法",
            "description": "依据《天津市特色小镇规划建设工作推动机制》，半年一小考、一年一大考。",
        },
        items=_scheme_items(selectors.indicators_by_code()),
    )
    return 1


def _seed_run(year: int, kind: str, assessor, today: datetime.date) -> int:
    scheme = Scheme.objects.filter(year=year).first()
    if scheme is None or Run.objects.filter(scheme=scheme, kind=kind, status=RunStatus.PUBLISHED).exists():
        return 0
    run = services.run_create(actor=assessor, scheme=scheme, kind=kind)
    manual = [i for i in selectors.scheme_items(scheme) if i.kind == ItemKind.MANUAL]
    entries = []
    for town in selectors.run_towns(run):
        rng = random.Random(f"manual-{town.code}-{year}-{kind}")
        for item in manual:
            score = _round(item.weight * Decimal(str(rng.uniform(0.55, 1.0))), 1)
            entries.append(
                services.ManualInput(item=item, town=town, score=score, justification=rng.choice(MANUAL_NOTES))
            )
    services.manual_scores_save(actor=assessor, run=run, entries=entries)
    if run.end < today:
        services.run_publish(actor=assessor, run=run, today=today)
    return 1


def _seed_self_evaluations(users: dict, today: datetime.date) -> int:
    """This year's self-evaluations of every district and town: most on time, some late, the latest period
    of a few units still missing."""
    districts = list(OrgUnit.objects.filter(level=OrgUnit.Level.DISTRICT).order_by("order"))
    have = set(SelfEvaluation.objects.values_list("org_unit_id", "kind", "period"))
    count = 0
    late_ids = []
    for district in districts:
        officer = users.get(f"{district.slug}-officer")
        if officer is None:
            continue
        units = [district] + [
            t.unit for t in Town.objects.filter(district=district, exited_on__isnull=True).select_related("unit")
        ]
        for kind in (SelfEvaluationKind.MONTHLY, SelfEvaluationKind.QUARTERLY):
            periods = selectors.self_evaluation_periods(kind, today.year, today)
            for index, period in enumerate(periods):
                for unit in units:
                    if (unit.pk, kind, period) in have:
                        continue
                    rng = random.Random(f"self-{unit.code}-{kind}-{period}")
                    if index == 0 and rng.random() < 0.4:
                        continue  # the latest period not handed in yet
                    evaluation = services.self_evaluation_save(
                        actor=officer,
                        unit=unit,
                        kind=kind,
                        period=period,
                        self_score=_round(Decimal(str(rng.uniform(78, 96))), 1),
                        summary="对照年度计划，主要指标按序时推进。",
                        problems_found=rng.choice(PROBLEM_NOTES),
                        corrections=rng.choice(CORRECTION_NOTES),
                        submit=True,
                        today=today,
                    )
                    count += 1
                    # Hand-in dates in the past: a few after the due date (late).
                    days = rng.randint(1, 6) if rng.random() < 0.15 else -rng.randint(0, 5)
                    late_ids.append((evaluation.pk, evaluation.due_on + datetime.timedelta(days=days)))
    for pk, day in late_ids:
        at = timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 16, 30))
        SelfEvaluation.objects.filter(pk=pk).update(submitted_at=min(at, timezone.now()))
    return count
