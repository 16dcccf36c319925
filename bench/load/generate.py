"""Data for the deadline-day load test: 200 towns across the ten districts, one information officer
per town, one reviewing leader per district (with an e-mail address, so submissions send mail).

    python bench/load/generate.py --towns 200 --out users.json     create (idempotent), list the officers

Everything goes through the services the application uses, except the password: one hash is made
once and set on every load user (hashing 200 passwords would take a minute and prove nothing).
Needs DATABASE_URL pointing at a migrated database of its own, never a real one.
"""

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tianjin_towns.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402

from coordination import services as org  # noqa: E402
from coordination.models import OrgUnit, Role, Town, TownStatus  # noqa: E402
from coordination.reference import DISTRICTS, MUNICIPALITY  # noqa: E402

PREFIX = "load"
REPORTING_FROM = datetime.date(2024, 1, 1)


def _district_units() -> list[OrgUnit]:
    code, name = MUNICIPALITY
    city, _ = OrgUnit.objects.get_or_create(
        code=code, defaults={"name": name, "slug": "tianjin", "level": OrgUnit.Level.MUNICIPAL}
    )
    units = []
    for order, (code, name, slug) in enumerate(DISTRICTS, start=1):
        unit, _ = OrgUnit.objects.get_or_create(
            code=code,
            defaults={"name": name, "slug": slug, "level": OrgUnit.Level.DISTRICT, "parent": city, "order": order},
        )
        units.append(unit)
    return units


def _user(username: str, password_hash: str, **role):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = org.user_create(username=username, password="unused-replaced-below", **role)
    User.objects.filter(pk=user.pk).update(password=password_hash)
    return user


@transaction.atomic
def generate(towns: int, password: str) -> list[dict]:
    districts = _district_units()
    password_hash = make_password(password)
    for district in districts:
        _user(
            f"{PREFIX}-leader-{district.slug}",
            password_hash,
            role=Role.REVIEWER,
            org_unit=district,
            full_name=f"{district.name}主管领导（压测）",
            email=f"{PREFIX}-leader-{district.slug}@example.gov.cn",
        )
    officers = []
    for n in range(1, towns + 1):
        district = districts[(n - 1) % len(districts)]
        code = f"LT{n:04d}"
        town = Town.objects.filter(unit__code=code).first()
        if town is None:
            town = org.town_create(
                district=district,
                code=code,
                name=f"压测小镇{n:03d}",
                reporting_from=REPORTING_FROM,
                order=1000 + n,
                host_township=f"压测街道{n:03d}",
                lead_industry="智能制造",
                status=TownStatus.CREATING,
            )
        username = f"{PREFIX}-officer-{n:03d}"
        _user(username, password_hash, role=Role.OFFICER, org_unit=town.unit, full_name=f"压测信息员{n:03d}")
        officers.append({"username": username, "town": town.pk})
    return officers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--towns", type=int, default=200)
    parser.add_argument("--password", default=os.environ.get("LOAD_PASSWORD", "Load-Test-2026"))
    parser.add_argument("--out", type=Path, help="write the officers (username, town id) as JSON here")
    args = parser.parse_args()
    officers = generate(args.towns, args.password)
    if args.out:
        args.out.write_text(json.dumps(officers))
    print(f"{len(officers)} towns and officers ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
