"""Test data for assessments, built through the real services of every app."""

import datetime
from decimal import Decimal

from assessments import services
from assessments.models import ItemKind, RunKind
from assessments.selectors import indicators_by_code
from conftest import FIXTURE_EXPLANATIONS, FULL_VALUES, let_file
from ledgers import services as ledger
from ledgers.models import MonthlyReport, Timeliness

ZEROS = {code: "0" for code in FULL_VALUES}
PUBLISHED_ON = datetime.date(2026, 11, 26)  # after the 2026 half-year and the 2025 year have ended


def accepted_report(world, town, period: datetime.date, *, timeliness: str = Timeliness.ON_TIME, **values):
    """A report carried to `accepted` through the workflow; its timeliness is then set as if it had been filed
    on time or late (the services stamp today's date, which makes every past month late)."""
    u = world.users
    figures = {**ZEROS, **{code: str(value) for code, value in values.items()}}
    let_file(world, town, period)  # a past month is locked after its close day
    report = ledger.monthly_report_create(actor=u.officer, town=town, period=period)
    report = ledger.monthly_report_save(
        actor=u.officer, report=report, values=figures, explanations=FIXTURE_EXPLANATIONS
    )
    report = ledger.monthly_report_submit(actor=u.officer, report=report)
    report = ledger.monthly_report_approve(actor=u.reviewer, report=report)
    report = ledger.monthly_report_accept(actor=u.office_policy, report=report)
    MonthlyReport.objects.filter(pk=report.pk).update(timeliness=timeliness)
    return report


def months(year: int, first: int, last: int) -> list[datetime.date]:
    return [datetime.date(year, month, 1) for month in range(first, last + 1)]


def item(name, kind, weight, indicator=None, **extra) -> dict:
    return {"name": name, "kind": kind, "weight": Decimal(str(weight)), "indicator": indicator, **extra}


def standard_items(indicators) -> list[dict]:
    """The scheme of the hand-computed tests: investment 40 (floor 30%), tax 20, timeliness 20, manual 20."""
    return [
        item("固定资产投资完成率", ItemKind.COMPLETION, 40, indicators["fixed_asset_investment"], floor=Decimal(30)),
        item("税收收入完成率", ItemKind.COMPLETION, 20, indicators["tax_revenue"]),
        item("月报及时率", ItemKind.TIMELINESS, 20),
        item("考核组评分", ItemKind.MANUAL, 20, guidance="亮点工作、宣传报道"),
    ]


def make_scheme(world, year: int, items=None, **fields):
    items = items if items is not None else standard_items(indicators_by_code())
    return services.scheme_save(
        actor=world.users.office_assess,
        scheme=None,
        year=year,
        fields={"name": f"{year}年度特色小镇考核办法", **fields},
        items=items,
    )


def set_targets(world, town, year: int, **values):
    return services.targets_save_for_town(actor=world.users.office_assess, town=town, year=year, values=values)


def score_manual(world, run, town, points, why="亮点突出"):
    manual = run.scheme.items.get(kind=ItemKind.MANUAL)
    return services.manual_scores_save(
        actor=world.users.office_assess,
        run=run,
        entries=[services.ManualInput(item=manual, town=town, score=points, justification=why)],
    )


def score_every_town(world, run, points) -> None:
    """The manual item's score of each of the world's towns: one number for all, or a number each for the
    town, town2 and the outsider's town."""
    towns = (world.town, world.town2, world.outsider_town)
    for town, score in zip(towns, points if isinstance(points, tuple) else [points] * len(towns), strict=True):
        score_manual(world, run, town, score)


def make_run(world, scheme, kind=RunKind.SEMIANNUAL, *, points=None):
    """A draft run of the scheme, created by 创建考核组; with `points`, every town's manual score entered."""
    run = services.run_create(actor=world.users.office_assess, scheme=scheme, kind=kind)
    if points is not None:
        score_every_town(world, run, points)
    return run


def publish(world, run, today: datetime.date = PUBLISHED_ON):
    return services.run_publish(actor=world.users.office_policy, run=run, today=today)
