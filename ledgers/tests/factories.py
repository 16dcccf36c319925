"""Projects and work information for the ledgers tests, made through the services as a district's officer makes them."""

import datetime
from decimal import Decimal

from ledgers import services
from ledgers.models import Project, WorkInfo
from tianjin_towns.lib import dates

# The project most tests need: 东丽区's 智能装备产业园, 50000 in total, 12000 planned for 2026.
PARK = {
    "name": "智能装备产业园",
    "category": Project.Category.INDUSTRY,
    "total_investment": Decimal("50000"),
    "year_plans": [{"year": 2026, "amount": Decimal("12000")}],
}


def make_project(world, code: str = "P001", *, town=None, actor=None, **fields) -> Project:
    """A project of `town` (the world's town by default) registered by `actor` (dongli's officer by default):
    the park unless `fields` say otherwise. An `annual_investment` (the shorthand for this year's plan) stands
    instead of the park's year plans."""
    park = {key: value for key, value in PARK.items() if key != "year_plans" or "annual_investment" not in fields}
    return services.project_create(
        actor=actor or world.users.officer, town=town or world.town, code=code, **park | fields
    )


WORK_INFO_BODY = "11月20日，东丽区召开特色小镇现场推动会，区发改委、规划局等8个部门参加，现场协调解决项目用地问题3个。"


def write_work_info(world, *, actor=None, unit=None, happened_on=None, **fields) -> WorkInfo:
    """A piece of work information (R-3.2) written by `actor` (dongli's officer by default) for `unit` (东丽区):
    yesterday's on-site meeting unless `fields` say otherwise (with submit=True, handed in at once)."""
    fields = {
        "category": WorkInfo.Category.MEETING,
        "title": "东丽区召开特色小镇现场推动会",
        "body": WORK_INFO_BODY,
        **fields,
    }
    return services.work_info_create(
        actor=actor or world.users.officer,
        org_unit=unit or world.dongli,
        happened_on=happened_on or dates.today() - datetime.timedelta(days=1),
        **fields,
    )
