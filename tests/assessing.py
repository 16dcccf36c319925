"""What the assessments' tests build again and again, on top of assessments/tests/factories.py: towns'
fixed-asset investment (their targets and accepted reports) and a scheme of three items."""

from assessments.models import ItemKind
from assessments.selectors import indicators_by_code
from assessments.tests.factories import accepted_report, item, make_scheme, set_targets


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
