"""What the assessments' tests build again and again, on top of assessments/tests/factories.py: towns'
fixed-asset investment (their targets and accepted reports) and a scheme of three items."""

from assessments.models import ItemKind, RunKind
from assessments.selectors import indicators_by_code
from assessments.tests.factories import accepted_report, item, make_run, make_scheme, months, set_targets
from ledgers.models import Timeliness


def investing(world, year: int, periods, towns: dict) -> None:
    """For each town of `towns` (town → (annual target, monthly figure)): its fixed-asset investment target
    of `year`, then an accepted report of every period with that month's investment, town after town."""
    for town, (target, _monthly) in towns.items():
        set_targets(world, town, year, fixed_asset_investment=target)
    for period in periods:
        for town, (_target, monthly) in towns.items():
            accepted_report(world, town, period, fixed_asset_investment=monthly)


def three_item_scheme(world, year: int, *, investment: tuple, timeliness: tuple, manual: tuple, **manual_fields):
    """A scheme of three items, each given as (name, weight): the completion of the fixed-asset investment
    target, report timeliness and the assessment group's score (`manual_fields`: e.g. its guidance)."""
    investment_target = indicators_by_code()["fixed_asset_investment"]
    items = [
        item(investment[0], ItemKind.COMPLETION, investment[1], investment_target),
        item(timeliness[0], ItemKind.TIMELINESS, timeliness[1]),
        item(manual[0], ItemKind.MANUAL, manual[1], **manual_fields),
    ]
    return make_scheme(world, year, items=items)


def annual_2025_run(world):
    """The draft annual run of 2025: the town met its plan, town 2 missed it (reports late), the outsider's town
    filed nothing."""
    year = 2025
    set_targets(world, world.town, year, fixed_asset_investment="1200")
    set_targets(world, world.town2, year, fixed_asset_investment="2400")
    set_targets(world, world.outsider_town, year, fixed_asset_investment="1000")
    for period in months(year, 1, 12):
        accepted_report(world, world.town, period, fixed_asset_investment=100)
        accepted_report(world, world.town2, period, timeliness=Timeliness.LATE, fixed_asset_investment=150)
    scheme = three_item_scheme(
        world, year, investment=("投资完成率", 60), timeliness=("及时率", 30), manual=("评分", 10)
    )
    return make_run(world, scheme, RunKind.ANNUAL, points=8)
