"""The demo's organisation: the municipality and its districts (the reference data) with 市税务局 added to the
member units, one user per persona and a liaison per member unit, and the 27 towns, through the coordination
services as the pages would create them."""

import csv
import datetime
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils import timezone

from coordination import services as org
from coordination.models import MemberUnit, OrgUnit, Role, Town, TownStatus, WorkingGroup
from coordination.reference import MUNICIPALITY
from coordination.services.reference import reference_data_load
from ledgers.models import ReportStatus
from tianjin_towns.lib import dates

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = 24  # months of reports, ending with the last ended month
S = ReportStatus
L = Town.Level


@dataclass(frozen=True)
class DemoSpan:
    """The demo's time: MONTHS of reports ending with the last ended month, seeded at `now`."""

    last: datetime.date
    now: datetime.datetime

    @classmethod
    def current(cls) -> "DemoSpan":
        return cls(last=dates.last_ended_period(), now=timezone.now())

    @property
    def first(self) -> datetime.date:
        return dates.add_months(self.last, -(MONTHS - 1))


@dataclass(frozen=True)
class DemoTown:
    name: str
    township: str
    industry: str
    level: str
    batch: int
    status: str
    national: bool
    last_month: str | None  # the state its report for the last ended month is left in; None: not filed yet


TOWNS_FILE = Path(__file__).with_name("towns.csv")


def _demo_towns() -> dict[str, list[DemoTown]]:
    """The 27 towns by district slug, in order, from towns.csv (one town a row; `national` is "yes" for the
    towns on the national list, `last_month` empty for a report not filed yet). Real names where the sources
    give them (华明, 崔黄口, 中塘, 葛沽; the MOHURD national list of 2016–2017 includes 中塘, 崔黄口, 葛沽 and
    下营); the others are plausible towns on real townships."""
    towns: dict[str, list[DemoTown]] = {}
    with TOWNS_FILE.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            district = row.pop("district")
            typed = {
                "level": L(row["level"]),
                "batch": int(row["batch"]),
                "status": TownStatus(row["status"]),
                "national": row["national"] == "yes",
                "last_month": S(row["last_month"]) if row["last_month"] else None,
            }
            towns.setdefault(district, []).append(DemoTown(**row | typed))
    return towns


TOWNS = _demo_towns()
NAMED_ON = {1: datetime.date(2019, 12, 26), 2: datetime.date(2021, 12, 28)}

OFFICE_USERS = {
    "assess": "创建考核组成员",
    "planning": "规划编制组成员",
    "coord": "协调推动组成员",
    "policy": "综合政策组成员",
}
# A member unit joined since the 2016 list, added as an administrator would on 成员单位.
ADDED_MEMBER_UNIT = {
    "code": "tax",
    "name": "市税务局",
    "short_name": "税务局",
    "responsible_leader": "分管副局长",
    "counterpart_division": "税收经济分析处",
}


def money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def town_scale(town: Town) -> float:
    """How big a town is, relative to a typical one; drives its figures and its projects' size."""
    return random.Random(f"scale-{town.code}").uniform(0.5, 2.0)


def seed_org_units(created: Counter) -> tuple[OrgUnit, dict[str, OrgUnit], dict[str, WorkingGroup]]:
    """The notice's reference data, as `manage.py load_reference` loads it for a real installation, and 市税务局,
    a member unit beyond the 2016 list."""
    created.update(reference_data_load())
    added = ADDED_MEMBER_UNIT
    if not MemberUnit.objects.filter(Q(code=added["code"]) | Q(name=added["name"])).exists():
        org.member_unit_create(actor=None, **added)  # at the end of the list, after the 17
        created["member_units"] += 1
    units = OrgUnit.objects.filter(level__in=[OrgUnit.Level.MUNICIPAL, OrgUnit.Level.DISTRICT])
    city = units.get(code=MUNICIPALITY[0])
    districts = {unit.slug: unit for unit in units if unit.level == OrgUnit.Level.DISTRICT}
    groups = {group.code: group for group in WorkingGroup.objects.all()}
    return city, districts, groups


def seed_users(city: OrgUnit, districts: dict[str, OrgUnit], groups: dict[str, WorkingGroup], created: Counter) -> dict:
    """The personas and a liaison `liaison-<code>` for each active member unit; returns them by user name."""
    User = get_user_model()
    existing = set(User.objects.values_list("username", flat=True))
    usernames = ["admin"]
    new_ids = []

    def ensure(username: str, role: str, unit: OrgUnit, full_name: str, **kwargs):
        usernames.append(username)
        if username not in existing:
            # No password yet: it is hashed once below, not once per user (PBKDF2 is slow on purpose).
            user = org.user_create(
                username=username, password=None, role=role, org_unit=unit, full_name=full_name, **kwargs
            )
            new_ids.append(user.pk)

    if "admin" not in existing:
        admin = User.objects.create_superuser("admin", "admin@example.com", None)
        org.user_assign_role(user=admin, role=Role.ADMIN, org_unit=city, full_name="超级用户（安装用）")
        new_ids.append(admin.pk)
    # 三员分立 (issue 22): the three administrators who run the platform day to day, none a superuser.
    ensure("sysadmin", Role.ADMIN, city, "系统管理员")
    ensure("secadmin", Role.SECURITY, city, "安全管理员")
    ensure("auditor", Role.AUDITOR, city, "安全审计员")
    ensure("leader", Role.LEADER, city, "联席会议召集人")
    for code, full_name in OFFICE_USERS.items():
        ensure(f"office-{code}", Role.OFFICE, city, full_name, working_group=groups[code])
    for slug, district in districts.items():
        ensure(f"{slug}-officer", Role.OFFICER, district, f"{district.name}信息员")
        ensure(f"{slug}-leader", Role.REVIEWER, district, f"{district.name}主管领导")
    # The coordination and inspections demo give them meetings, action items and problems to answer.
    for member in MemberUnit.objects.filter(active=True):
        ensure(f"liaison-{member.code}", Role.LIAISON, city, f"{member.name}联络员", member_unit=member)
    if new_ids:
        User.objects.filter(pk__in=new_ids).update(password=make_password(settings.DEMO_PASSWORD))
        created["users"] += len(new_ids)
    return {user.username: user for user in User.objects.filter(username__in=usernames)}


def seed_towns(span: DemoSpan, districts: dict[str, OrgUnit], created: Counter) -> list[tuple[Town, DemoTown]]:
    existing = {town.code: town for town in Town.objects.select_related("unit", "district")}
    towns = []
    for slug, demo_towns in TOWNS.items():
        district = districts[slug]
        for order, demo in enumerate(demo_towns, start=1):
            code = f"{district.code}{order:02d}"
            town = existing.get(code)
            if town is None:
                town = _create_town(span, district, code, order, demo)
                created["towns"] += 1
            towns.append((town, demo))
    return towns


def _create_town(span: DemoSpan, district: OrgUnit, code: str, order: int, demo: DemoTown) -> Town:
    rng = random.Random(code)
    area = round(rng.uniform(1.0, 5.0), 2)
    street = demo.township.endswith("街道")
    return org.town_create(
        district=district,
        code=code,
        name=demo.name,
        order=order,
        reporting_from=span.first,
        host_township=demo.township,
        lead_industry=demo.industry,
        planning_area_km2=Decimal(str(area)),
        # 1 km² = 1,500 亩; built-up land is a third to a half of the planned area.
        construction_land_mu=money(area * 1500 * rng.uniform(0.3, 0.5)),
        level=demo.level,
        national_list=demo.national,
        batch=demo.batch,
        named_on=NAMED_ON[demo.batch] if demo.status == TownStatus.NAMED else None,
        creation_subject=f"{demo.township}{'办事处' if street else '人民政府'}",
        chief_leader=f"{demo.township}{'党工委书记' if street else '党委书记'}",
        leader_in_charge=f"{demo.township}{'分管副主任' if street else '分管副镇长'}",
        status=demo.status,
    )
