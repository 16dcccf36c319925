"""`python manage.py seed_demo`: a demo world for trying the platform and for screenshots.

The municipality, its ten districts, 27 towns, the joint conference's member units, the office's
working groups, one user per persona, projects, and 24 months of monthly reports: 23 accepted
months, and the last ended month left in every workflow state so each inbox has work.

Idempotent: everything is looked up before it is created, so a second run changes nothing.
Towns, users, projects and the last month's reports go through the services (the last month
through create, save, submit, approve, accept and return, exactly as the pages do). The 23 accepted
months are written in bulk with the same rows and audit events the services would write (see
_file_history), which keeps the command to a few seconds.
"""

import datetime
import random
import time
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

import pghistory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

# The demo spans the whole platform, so it lives in the last app of the dependency chain
# (coordination ← ledgers ← inspections ← assessments) and may call every app's services.
from assessments import demo as assessments_demo
from coordination import demo as coordination_demo
from coordination import services as org
from coordination.models import OrgUnit, Role, Town, TownStatus, WorkingGroup
from coordination.reference import MUNICIPALITY
from coordination.services.reference import reference_data_load
from inspections import demo as inspections_demo
from ledgers import deadlines as report_deadlines
from ledgers import demo as ledgers_demo
from ledgers import services as ledger
from ledgers.models import (
    EntryException,
    Indicator,
    MonthlyReport,
    Project,
    ProjectProgress,
    ProjectYearPlan,
    ReportEvent,
    ReportStatus,
    ReportValue,
)
from tianjin_towns.lib import dates

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = 24  # months of reports, ending with the last ended month
S = ReportStatus
L = Town.Level
NAMED, CREATING, CULTIVATING = TownStatus.NAMED, TownStatus.CREATING, TownStatus.CULTIVATING


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


# Real names where the sources give them (华明, 崔黄口, 中塘, 葛沽; the MOHURD national list of 2016–2017
# includes 中塘, 崔黄口, 葛沽 and 下营); the others are plausible towns on real townships.
# fmt: off
TOWNS: dict[str, list[DemoTown]] = {
    "binhai": [
        DemoTown("中塘汽车橡塑小镇", "中塘镇", "汽车橡塑零部件", L.MUNICIPAL_STRONG, 1, NAMED, True, S.DISTRICT_APPROVED),
        DemoTown("茶淀葡萄小镇", "茶淀街道", "葡萄种植与葡萄酒文化旅游", L.MUNICIPAL, 1, CREATING, False, S.SUBMITTED),
        DemoTown("北塘渔港风情小镇", "北塘街道", "滨海休闲旅游", L.MUNICIPAL_CULTIVATED, 2, CULTIVATING, False, None),
    ],
    "dongli": [
        DemoTown("华明智能制造小镇", "华明街道", "智能制造", L.MUNICIPAL_STRONG, 1, NAMED, False, S.SUBMITTED),
        DemoTown("东丽湖温泉旅游小镇", "东丽湖街道", "温泉旅游与健康养生", L.MUNICIPAL, 1, CREATING, False, S.RETURNED),
        DemoTown("军粮城文化创意小镇", "军粮城街道", "文化创意", L.DISTRICT, 2, CULTIVATING, False, None),
    ],
    "xiqing": [
        DemoTown("精武文化小镇", "精武镇", "武术文化与体育产业", L.MUNICIPAL, 1, NAMED, False, S.DRAFT),
        DemoTown("杨柳青文化旅游小镇", "杨柳青镇", "年画文化旅游", L.MUNICIPAL_STRONG, 1, CREATING, False, S.DISTRICT_APPROVED),
        DemoTown("王稳庄稻米小镇", "王稳庄镇", "小站稻种植与农产品加工", L.MUNICIPAL_CULTIVATED, 2, CULTIVATING, False, S.ACCEPTED),
    ],
    "jinnan": [
        DemoTown("葛沽民俗文化小镇", "葛沽镇", "民俗文化旅游", L.MUNICIPAL, 1, NAMED, True, S.SUBMITTED),
        DemoTown("小站稻作文化小镇", "小站镇", "稻作文化与农业观光", L.MUNICIPAL, 2, CREATING, False, None),
        DemoTown("八里台智能科技小镇", "八里台镇", "智能科技", L.DISTRICT, 2, CULTIVATING, False, S.RETURNED),
    ],
    "beichen": [
        DemoTown("双街生态科技小镇", "双街镇", "科技研发与生态休闲", L.MUNICIPAL, 1, CREATING, False, S.ACCEPTED),
        DemoTown("西堤头医药健康小镇", "西堤头镇", "生物医药", L.MUNICIPAL_CULTIVATED, 2, CULTIVATING, False, S.DRAFT),
    ],
    "wuqing": [
        DemoTown("崔黄口电商小镇", "崔黄口镇", "电子商务", L.MUNICIPAL_STRONG, 1, NAMED, True, S.DISTRICT_APPROVED),
        DemoTown("王庆坨自行车小镇", "王庆坨镇", "自行车及零部件制造", L.MUNICIPAL, 1, CREATING, False, S.SUBMITTED),
        DemoTown("大黄堡湿地旅游小镇", "大黄堡镇", "湿地生态旅游", L.DISTRICT, 2, CULTIVATING, False, S.DRAFT),
    ],
    "baodi": [
        DemoTown("京津新城温泉小镇", "周良街道", "温泉旅游与健康养生", L.MUNICIPAL, 1, CREATING, False, None),
        DemoTown("八门城现代农业小镇", "八门城镇", "现代农业", L.MUNICIPAL_CULTIVATED, 2, CULTIVATING, False, S.SUBMITTED),
    ],
    "ninghe": [
        DemoTown("七里海湿地生态小镇", "七里海镇", "湿地生态旅游", L.MUNICIPAL, 1, CREATING, False, S.RETURNED),
        DemoTown("岳龙现代种业小镇", "岳龙镇", "现代种业", L.MUNICIPAL_CULTIVATED, 2, CULTIVATING, False, S.DISTRICT_APPROVED),
    ],
    "jinghai": [
        DemoTown("子牙循环经济小镇", "子牙镇", "循环经济", L.MUNICIPAL_STRONG, 1, NAMED, False, S.ACCEPTED),
        DemoTown("团泊健康小镇", "团泊镇", "健康医疗与体育产业", L.MUNICIPAL, 1, CREATING, False, S.SUBMITTED),
        DemoTown("大邱庄精品钢材小镇", "大邱庄镇", "金属制品", L.DISTRICT, 2, CULTIVATING, False, None),
    ],
    "jizhou": [
        DemoTown("下营山野运动小镇", "下营镇", "山地运动与乡村旅游", L.MUNICIPAL, 1, NAMED, True, S.DISTRICT_APPROVED),
        DemoTown("渔阳古城文化小镇", "渔阳镇", "历史文化旅游", L.MUNICIPAL, 2, CREATING, False, S.DRAFT),
        DemoTown("穿芳峪乡居休闲小镇", "穿芳峪镇", "乡居休闲度假", L.MUNICIPAL_CULTIVATED, 2, CULTIVATING, False, S.RETURNED),
    ],
}
# fmt: on
NAMED_ON = {1: datetime.date(2019, 12, 26), 2: datetime.date(2021, 12, 28)}
TOURISM_WORDS = ("旅游", "文化", "温泉", "休闲", "运动", "观光", "度假")

OFFICE_USERS = {
    "assess": "创建考核组成员",
    "planning": "规划编制组成员",
    "coord": "协调推动组成员",
    "policy": "综合政策组成员",
}

RETURN_REASONS = [
    "固定资产投资与项目台账本月投资合计出入较大，请核实后重新报送。",
    "就业人数较上月变化异常，请补充说明并附原始记录。",
    "税收收入与区税务部门数据不一致，请核对。",
]
PROBLEMS = ["征地拆迁进度滞后", "项目融资到位较慢", "施工用电增容手续办理中", "环评批复待下达"]


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def _part(whole: Decimal, share: float) -> Decimal:
    """A part (其中项) of `whole`, rounded down so that it never exceeds it."""
    return (whole * Decimal(str(share))).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _scale(town: Town) -> float:
    """How big a town is, relative to a typical one; drives its figures and its projects' size."""
    return random.Random(f"scale-{town.code}").uniform(0.5, 2.0)


def _text(value: Decimal) -> str:
    """A figure as the audit trail stores it (see ledgers.services)."""
    return format(value.normalize(), "f")


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A time during office hours on `day`, in Beijing time."""
    return datetime.datetime(day.year, day.month, day.day, rng.randint(9, 17), rng.randint(0, 59), tzinfo=SHANGHAI)


class Command(BaseCommand):
    help = "创建演示数据：天津市、十个区、特色小镇、用户、项目和24个月的月报（可重复运行）。"

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        self.created: Counter = Counter()
        self.last = dates.last_ended_period()
        self.first = dates.add_months(self.last, -(MONTHS - 1))
        self.now = timezone.now()
        # The audit trail (django-pghistory) records the demo's bulk writes as the seed's own, not as direct changes.
        with transaction.atomic(), pghistory.context(service="seed_demo", reason="演示数据"):
            city, districts, groups = self.seed_org_units()
            users = self.seed_users(city, districts, groups)
            towns = self.seed_towns(districts)
            self.seed_projects(towns)
            self.seed_reports(towns, users)
            self.seed_inspections(users)
            self.seed_coordination(users)
            self.seed_work_info(users)
            self.seed_assessments(users)
            self.seed_dashboards()
            self.seed_reminders()
        self.print_summary(time.monotonic() - started)

    def seed_dashboards(self) -> None:
        """The dashboards' summary of accepted figures (issue 8): the accepted months above were written in
        bulk, not through monthly_report_accept, so recompute it (idempotent)."""
        from ledgers.summaries import accepted_figures_rebuild

        accepted_figures_rebuild()

    def seed_reminders(self) -> None:
        """Issue 6: demo e-mail addresses, and the reminders of the last month's reporting window as the
        scheduler would have sent them (the real services; each occasion once, so a rerun adds nothing).
        Not the close-day run: it would mark the month's open drafts missing, and the demo keeps them open."""
        from coordination.models import Notification
        from coordination.reminders import calendar_warn_unknown_years
        from ledgers import reminders

        for user in get_user_model().objects.filter(email=""):
            user.email = f"{user.username}@demo.tjtowns.gov.cn"
            user.save(update_fields=["email"])
            self.created["email_addresses"] += 1
        today = dates.today()
        window = reminders.ReportWindow.of(self.last)
        for day, send in (
            (window.opens_on, reminders.report_reminders_due),
            (window.due_soon_on, reminders.report_reminders_due),
            (dates.add_working_days(window.due_on, 1), reminders.report_reminders_late),
        ):
            if day <= today:
                self.created["notifications"] += send(today=day)
        self.created["notifications"] += calendar_warn_unknown_years(today=today)
        # The demo's history counts as e-mailed already: `make run` must not print hundreds of mails.
        Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=self.now)

    # -- organisation --------------------------------------------------------------------------------

    def seed_org_units(self) -> tuple[OrgUnit, dict[str, OrgUnit], dict[str, WorkingGroup]]:
        """The notice's reference data, as `manage.py load_reference` loads it for a real installation."""
        self.created.update(reference_data_load())
        units = OrgUnit.objects.filter(level__in=[OrgUnit.Level.MUNICIPAL, OrgUnit.Level.DISTRICT])
        city = units.get(code=MUNICIPALITY[0])
        districts = {unit.slug: unit for unit in units if unit.level == OrgUnit.Level.DISTRICT}
        groups = {group.code: group for group in WorkingGroup.objects.all()}
        return city, districts, groups

    def seed_users(self, city: OrgUnit, districts: dict[str, OrgUnit], groups: dict[str, WorkingGroup]) -> dict:
        User = get_user_model()
        existing = set(User.objects.values_list("username", flat=True))
        created = []

        def ensure(username: str, role: str, unit: OrgUnit, full_name: str, **kwargs):
            if username not in existing:
                # No password yet: it is hashed once below, not once per user (PBKDF2 is slow on purpose).
                user = org.user_create(
                    username=username, password=None, role=role, org_unit=unit, full_name=full_name, **kwargs
                )
                created.append(user.pk)

        if "admin" not in existing:
            admin = User.objects.create_superuser("admin", "admin@example.com", None)
            org.user_assign_role(user=admin, role=Role.ADMIN, org_unit=city, full_name="系统管理员")
            created.append(admin.pk)
        ensure("leader", Role.LEADER, city, "联席会议召集人")
        for code, full_name in OFFICE_USERS.items():
            ensure(f"office-{code}", Role.OFFICE, city, full_name, working_group=groups[code])
        for slug, district in districts.items():
            ensure(f"{slug}-officer", Role.OFFICER, district, f"{district.name}信息员")
            ensure(f"{slug}-leader", Role.REVIEWER, district, f"{district.name}主管领导")
        if created:
            User.objects.filter(pk__in=created).update(password=make_password(settings.DEMO_PASSWORD))
            self.created["users"] += len(created)
        return {user.username: user for user in User.objects.filter(username__in=self._demo_usernames(districts))}

    @staticmethod
    def _demo_usernames(districts) -> list[str]:
        names = ["admin", "leader"] + [f"office-{code}" for code in OFFICE_USERS]
        return names + [f"{slug}-{role}" for slug in districts for role in ("officer", "leader")]

    def seed_towns(self, districts: dict[str, OrgUnit]) -> list[tuple[Town, DemoTown]]:
        existing = {town.code: town for town in Town.objects.select_related("unit", "district")}
        towns = []
        for slug, demo_towns in TOWNS.items():
            district = districts[slug]
            for order, demo in enumerate(demo_towns, start=1):
                code = f"{district.code}{order:02d}"
                town = existing.get(code)
                if town is None:
                    town = self._create_town(district, code, order, demo)
                    self.created["towns"] += 1
                towns.append((town, demo))
        return towns

    def _create_town(self, district: OrgUnit, code: str, order: int, demo: DemoTown) -> Town:
        rng = random.Random(code)
        area = round(rng.uniform(1.0, 5.0), 2)
        street = demo.township.endswith("街道")
        return org.town_create(
            district=district,
            code=code,
            name=demo.name,
            order=order,
            reporting_from=self.first,
            host_township=demo.township,
            lead_industry=demo.industry,
            planning_area_km2=Decimal(str(area)),
            # 1 km² = 1,500 亩; built-up land is a third to a half of the planned area.
            construction_land_mu=_money(area * 1500 * rng.uniform(0.3, 0.5)),
            level=demo.level,
            national_list=demo.national,
            batch=demo.batch,
            named_on=NAMED_ON[demo.batch] if demo.status == TownStatus.NAMED else None,
            creation_subject=f"{demo.township}{'办事处' if street else '人民政府'}",
            chief_leader=f"{demo.township}{'党工委书记' if street else '党委书记'}",
            leader_in_charge=f"{demo.township}{'分管副主任' if street else '分管副镇长'}",
            status=demo.status,
        )

    # -- projects ------------------------------------------------------------------------------------

    def seed_projects(self, towns: list[tuple[Town, DemoTown]]) -> None:
        have = set(Project.objects.values_list("town_id", "code"))
        for town, demo in towns:
            for plan in self._project_plans(town, demo):
                if (town.pk, plan["code"]) in have:
                    continue
                fields = {k: v for k, v in plan.items() if k in ledger.PROJECT_FIELDS or k == "year_plans"}
                ledger.project_create(actor=None, town=town, code=plan["code"], **fields)
                self.created["projects"] += 1

    def _project_plans(self, town: Town, demo: DemoTown) -> list[dict]:
        """2–5 projects per town, deterministic; start/finish are month indexes into the 24 months."""
        rng = random.Random(f"projects-{town.code}")
        scale = _scale(town)
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
            start_date = dates.add_months(self.first, start) if start is not None else None
            finish_date = (
                dates.add_months(self.first, finish + 1) - datetime.timedelta(days=1) if finish is not None else None
            )
            if start is None:
                status = Project.Status.PREPARING
            elif finish is not None:
                status = Project.Status.COMPLETED
            elif start_date.year == self.last.year:
                status = Project.Status.NEW
            else:
                status = Project.Status.CONTINUING
            planned_start = start_date or dates.add_months(self.last, 3)
            plans.append(
                {
                    "code": f"{town.code}-{n:02d}",
                    "name": name,
                    "category": category,
                    "content": f"{name}，建设内容详见项目备案文件。",
                    "total_investment": Decimal(str(total)),
                    # A plan for each year of the demo and the next one (the per-year plans of ).
                    "year_plans": [
                        {"year": year, "amount": _money(min(total, rate * 12 * rng.uniform(0.9, 1.2)))}
                        for year in range(self.first.year, self.last.year + 2)
                    ],
                    "status": status,
                    "planned_start": planned_start,
                    "planned_finish": finish_date or dates.add_months(planned_start, duration),
                    "actual_start": start_date,
                    "actual_finish": finish_date,
                    "land_mu": _money(rng.uniform(10, 200)) if category != Project.Category.PUBLIC_SERVICE else None,
                    "start_index": start,
                    "finish_index": finish,
                    "duration": duration,
                    "rate": rate,
                }
            )
        return plans

    # -- monthly reports -----------------------------------------------------------------------------

    def seed_reports(self, towns: list[tuple[Town, DemoTown]], users: dict) -> None:
        periods = [dates.add_months(self.first, i) for i in range(MONTHS)]
        existing = set(MonthlyReport.objects.filter(period__gte=self.first).values_list("town_id", "period"))
        projects = {(p.town_id, p.code): p for p in Project.objects.filter(town__in=[t for t, _d in towns])}
        history: list[tuple[str, dict]] = []  # accepted months, created in bulk
        current: list[tuple[str, dict]] = []  # the last ended month, through the services
        for town, demo in towns:
            slug = town.district.slug
            actors = {
                "officer": users[f"{slug}-officer"],
                "reviewer": users[f"{slug}-leader"],
                "office": users["office-policy"],
            }
            series = self._figures(town, demo)
            plans = self._project_plans(town, demo)
            for index, period in enumerate(periods):
                if (town.pk, period) in existing or not town.expects_report(period):
                    continue
                target = S.ACCEPTED if period != self.last else demo.last_month
                if target is None:
                    continue
                values = series[index]
                values["projects_started"] = Decimal(sum(1 for p in plans if p["start_index"] == index and index > 0))
                values["projects_completed"] = Decimal(sum(1 for p in plans if p["finish_index"] == index))
                progress = self._progress(town, plans, projects, index, values["fixed_asset_investment"])
                self._align_investment(values, progress)
                job = {"town": town, "period": period, "values": values, "progress": progress, "actors": actors}
                job["schedule"] = self._schedule(town, period, target)
                (current if period == self.last else history).append((target, job))
                self.created["reports"] += 1
        # History first: the services derive the last month's cumulative project figures from it.
        schedules = self._file_history([job for _target, job in history])
        for target, job in current:
            report = self._file_report(target=target, **{k: v for k, v in job.items() if k != "schedule"})
            schedules[report.pk] = job["schedule"]
        self._backdate(schedules)

    def _figures(self, town: Town, demo: DemoTown) -> list[dict[str, Decimal]]:
        """24 months of plausible figures; parts never exceed their whole, employment drifts."""
        rng = random.Random(f"figures-{town.code}")
        scale = _scale(town)
        tourism = any(word in demo.industry for word in TOURISM_WORDS)
        employment = rng.randint(1500, 4000)
        months = []
        for i in range(MONTHS):
            month = dates.add_months(self.first, i).month
            # Spring Festival lull, year-end push; tourists peak on holidays and in summer.
            season = 0.5 if month in (1, 2) else 1.3 if month in (11, 12) else 1.0
            investment = _money(800 * scale * season * rng.uniform(0.7, 1.3))
            granted = _money(rng.uniform(5, 40)) if rng.random() < 0.2 else Decimal("0.00")
            employment = max(500, employment + rng.randint(-20, 60))
            peak = 1.8 if month in (5, 7, 8, 10) else 0.6 if month in (1, 2, 12) else 1.0
            months.append(
                {
                    "fixed_asset_investment": investment,
                    "industry_investment": _part(investment, rng.uniform(0.55, 0.8)),
                    "private_investment": _part(investment, rng.uniform(0.2, 0.5)),
                    "tax_revenue": _money(120 * scale * rng.uniform(0.7, 1.3)),
                    "main_business_revenue": _money(4000 * scale * rng.uniform(0.8, 1.2)),
                    "land_quota_granted": granted,
                    "land_supplied": _part(granted, rng.uniform(0.3, 1.0)) if granted else Decimal("0.00"),
                    "new_enterprises": Decimal(rng.randint(0, 5)),
                    "employment": Decimal(employment),
                    "tourists": _money((rng.uniform(2, 12) if tourism else rng.uniform(0.1, 1.0)) * peak),
                }
            )
        return months

    def _progress(self, town: Town, plans: list[dict], projects: dict, index: int, investment: Decimal) -> list[dict]:
        """This month's rows for the projects under way."""
        rng = random.Random(f"progress-{town.code}-{index}")
        active = [
            p
            for p in plans
            if p["start_index"] is not None
            and p["start_index"] <= index
            and (p["finish_index"] is None or index <= p["finish_index"])
        ]
        if not active:
            return []
        # Each project spends about its planned monthly rate; together never more than the town's investment.
        amounts = [p["rate"] * rng.uniform(0.6, 1.3) for p in active]
        cap = float(investment) * 0.9
        shrink = min(1.0, cap / sum(amounts))
        rows = []
        for plan, amount in zip(active, amounts, strict=True):
            if plan["finish_index"] is not None and index == plan["finish_index"]:
                physical = "竣工验收，投入使用"
            else:
                done = (index - plan["start_index"] + 1) / plan["duration"]
                physical = "基础施工" if done < 0.25 else "主体结构施工" if done < 0.6 else "设备安装及配套施工"
            rows.append(
                {
                    "project": projects[(town.pk, plan["code"])].pk,
                    "code": plan["code"],
                    "investment_month": _money(amount * shrink),
                    "physical_progress": physical,
                    "problems": rng.choice(PROBLEMS) if rng.random() < 0.1 else "",
                }
            )
        return rows

    @staticmethod
    def _align_investment(values: dict[str, Decimal], progress: list[dict]) -> None:
        """A town's investment is the sum of its projects' this month (a hard validation rule); parts keep their share."""
        if not progress:
            return
        total = sum((row["investment_month"] for row in progress), Decimal(0))
        whole = values["fixed_asset_investment"]
        for part in ("industry_investment", "private_investment"):
            values[part] = _part(total, float(values[part] / whole)) if whole else Decimal("0.00")
        values["fixed_asset_investment"] = total

    def _file_report(self, *, town, period, target, values, progress, actors) -> MonthlyReport:
        officer, reviewer, office = actors["officer"], actors["reviewer"], actors["office"]
        if report_deadlines.is_closed(period):
            # Seeded after the month's close day (26th to month end): its entry is locked, so the office
            # lets the demo file it today; from tomorrow on the demo's open drafts are locked, as real ones.
            EntryException.objects.get_or_create(
                town=town,
                period=period,
                defaults={"reason": "演示数据补录", "expires_on": dates.today(), "granted_by": office},
            )
        report = ledger.monthly_report_create(actor=officer, town=town, period=period)
        if target == S.DRAFT:  # half filled in: still in the officer's "to fill" list
            partial = dict(list(values.items())[:6])
            return ledger.monthly_report_save(actor=officer, report=report, values=partial)
        # A figure the soft rules flag is explained before submission, as the entry form asks.
        explanations = dict.fromkeys(values, "已与原始台账核对无误。")
        report = ledger.monthly_report_save(
            actor=officer, report=report, values=values, progress=progress, explanations=explanations
        )
        report = ledger.monthly_report_submit(actor=officer, report=report)
        if target == S.SUBMITTED:
            return report
        if target == S.RETURNED:
            reason = RETURN_REASONS[int(town.code) % len(RETURN_REASONS)]
            return ledger.monthly_report_return(actor=reviewer, report=report, reason=reason)
        report = ledger.monthly_report_approve(actor=reviewer, report=report)
        if target == S.DISTRICT_APPROVED:
            return report
        return ledger.monthly_report_accept(actor=office, report=report)

    def _file_history(self, history: list[dict]) -> dict[int, dict[str, datetime.datetime]]:
        """Create the accepted months in bulk: the same rows and audit events the services write.

        Through the services, 600-odd reports cost about 30,000 queries (half a minute on a busy
        machine); in bulk they take a few seconds. The last ended month still goes through the
        services (_file_report), so the workflow itself is exercised. Figures are valid by
        construction (_figures: non-negative, parts within their whole, integers where required).
        """
        if not history:
            return {}
        indicators = {i.code: i for i in Indicator.objects.filter(active=True)}
        reports = []
        for job in history:
            steps, actors = job["schedule"], job["actors"]
            reports.append(
                MonthlyReport(
                    town=job["town"],
                    period=job["period"],
                    status=S.ACCEPTED,
                    due_on=dates.report_due_date(job["period"]),
                    timeliness=self._timeliness(steps["submit"], job["period"]),
                    submitted_at=steps["submit"],
                    submitted_by=actors["officer"],
                    approved_at=steps["approve"],
                    approved_by=actors["reviewer"],
                    accepted_at=steps["accept"],
                    accepted_by=actors["office"],
                )
            )
        MonthlyReport.objects.bulk_create(reports, batch_size=500)

        values, progress, events = [], [], []
        year_total: dict[tuple[int, int], Decimal] = {}  # (project, year) → investment so far
        grand_total: dict[int, Decimal] = {}  # project → investment since start
        for report, job in zip(reports, history, strict=True):
            actors = job["actors"]
            value_changes = {}
            for code, value in job["values"].items():
                values.append(ReportValue(report=report, indicator=indicators[code], value=value))
                value_changes[code] = [None, _text(value)]
            project_changes = {}
            for row in job["progress"]:
                pid, month = row["project"], row["investment_month"]
                year_total[(pid, report.period.year)] = year_total.get((pid, report.period.year), Decimal(0)) + month
                grand_total[pid] = grand_total.get(pid, Decimal(0)) + month
                progress.append(
                    ProjectProgress(
                        project_id=pid,
                        report=report,
                        investment_month=month,
                        investment_year=year_total[(pid, report.period.year)],
                        investment_total=grand_total[pid],
                        physical_progress=row["physical_progress"],
                        problems=row["problems"],
                    )
                )
                project_changes[row["code"]] = {
                    "investment_month": [None, _text(month)],
                    "investment_year": [None, _text(year_total[(pid, report.period.year)])],
                    "investment_total": [None, _text(grand_total[pid])],
                    "physical_progress": [None, row["physical_progress"]],
                    "problems": [None, row["problems"]],
                }
            changes = {"values": value_changes} | ({"projects": project_changes} if project_changes else {})
            A = ReportEvent.Action
            for action, actor, from_status, to_status, extra in (
                (A.CREATE, actors["officer"], "", S.DRAFT, {}),
                (A.SAVE, actors["officer"], S.DRAFT, S.DRAFT, {"changes": changes}),
                (A.SUBMIT, actors["officer"], S.DRAFT, S.SUBMITTED, {}),
                (A.APPROVE, actors["reviewer"], S.SUBMITTED, S.DISTRICT_APPROVED, {}),
                (A.ACCEPT, actors["office"], S.DISTRICT_APPROVED, S.ACCEPTED, {}),
            ):
                events.append(
                    ReportEvent(
                        report=report, actor=actor, action=action, from_status=from_status, to_status=to_status, **extra
                    )
                )
        ReportValue.objects.bulk_create(values, batch_size=2000)
        # The accepted months keep the plan they were accepted against, as monthly_report_accept records it.
        plans = {
            (plan.project_id, plan.year): plan.amount
            for plan in ProjectYearPlan.objects.filter(project_id__in={row.project_id for row in progress})
        }
        totals = dict(
            Project.objects.filter(pk__in={row.project_id for row in progress}).values_list("pk", "total_investment")
        )
        for row in progress:
            row.total_investment_at = totals[row.project_id]
            row.annual_plan_at = plans.get((row.project_id, row.report.period.year))
        ProjectProgress.objects.bulk_create(progress, batch_size=2000)
        ReportEvent.objects.bulk_create(events, batch_size=2000)
        return {report.pk: job["schedule"] for report, job in zip(reports, history, strict=True)}

    @staticmethod
    def _timeliness(submitted_at: datetime.datetime, period: datetime.date) -> str:
        """As monthly_report_submit decides it, from the (historical) submission date."""
        return ledger.timeliness_of(period, submitted_at)

    def _schedule(self, town: Town, period: datetime.date, target: str) -> dict[str, datetime.datetime]:
        """When each step of the report happened: realistic days of the following month."""
        rng = random.Random(f"schedule-{town.code}-{period}")
        due = dates.report_due_date(period)
        opened = dates.add_months(period, 1)
        if period == self.last:
            # Still in progress: spread the steps from the month's start to now, in order.
            start = datetime.datetime(opened.year, opened.month, opened.day, tzinfo=SHANGHAI)
            span = self.now - start
            steps = ["create", "save", "submit", "approve", "return", "accept"]
            return {step: start + span * (0.1 + 0.15 * i + rng.uniform(0, 0.05)) for i, step in enumerate(steps)}
        if rng.random() < 0.12:  # late (迟报), yet before the close day
            submitted_on = due + datetime.timedelta(days=rng.randint(1, 9))
        else:
            submitted_on = due - datetime.timedelta(days=rng.randint(0, 7))
        created_on = min(opened + datetime.timedelta(days=rng.randint(0, 3)), submitted_on)
        approved_on = submitted_on + datetime.timedelta(days=rng.randint(0, 3))
        accepted_on = approved_on + datetime.timedelta(days=rng.randint(1, 5))
        created = _at(created_on, rng).replace(hour=9)
        submitted = max(_at(submitted_on, rng), created + datetime.timedelta(hours=2))
        approved = max(_at(approved_on, rng), submitted + datetime.timedelta(hours=1))
        accepted = max(_at(accepted_on, rng), approved + datetime.timedelta(hours=1))
        return {
            "create": created,
            "save": created + datetime.timedelta(minutes=40),
            "submit": submitted,
            "approve": approved,
            "accept": accepted,
        }

    def _backdate(self, schedules: dict[int, dict[str, datetime.datetime]]) -> None:
        """Give the reports and their audit events the dates on which they would have happened.

        The services and bulk_create stamp created_at and every event with now(), which would make
        two years of history look filed today (and the services would make every old report late).
        Only the clock is corrected here, with bulk updates; timeliness is recomputed from the
        corrected submission date exactly as monthly_report_submit decides it.
        """
        if not schedules:
            return
        reports = list(MonthlyReport.objects.filter(pk__in=schedules))
        for report in reports:
            steps = schedules[report.pk]
            report.created_at = steps["create"]
            report.updated_at = max(steps[a] for a in self._actions(report.status))
            if report.submitted_at:
                report.submitted_at = steps["submit"]
                report.timeliness = self._timeliness(steps["submit"], report.period)
            if report.approved_at:
                report.approved_at = steps["approve"]
            if report.accepted_at:
                report.accepted_at = steps["accept"]
        fields = ["created_at", "updated_at", "submitted_at", "approved_at", "accepted_at", "timeliness"]
        MonthlyReport.objects.bulk_update(reports, fields, batch_size=500)
        events = list(ReportEvent.objects.filter(report_id__in=schedules).only("pk", "report_id", "action"))
        for event in events:
            event.at = schedules[event.report_id][event.action]
        ReportEvent.objects.bulk_update(events, ["at"], batch_size=1000)

    @staticmethod
    def _actions(status: str) -> list[str]:
        return {
            S.DRAFT: ["create", "save"],
            S.SUBMITTED: ["submit"],
            S.RETURNED: ["return"],
            S.DISTRICT_APPROVED: ["approve"],
            S.ACCEPTED: ["accept"],
        }[status]

    # -- inspections (R-2.3) ---------------------------------------------------------------------------

    def seed_inspections(self, users: dict) -> None:
        """A year of on-site supervision visits and the problems found, with their follow-up (inspections/demo.py)."""
        self.created.update(inspections_demo.seed_inspections(users=users))

    # -- meetings, action items, plans (R-1.3 –) -----------------------------

    def seed_coordination(self, users: dict) -> None:
        """Conferences, a year of meetings with realistic gaps, action items and plans (coordination/demo.py)."""
        self.created.update(coordination_demo.seed_coordination(users=users))

    def seed_work_info(self, users: dict) -> None:
        """A year of work information in every workflow state (ledgers/demo.py)."""
        self.created.update(ledgers_demo.seed_work_info(users=users))

    # -- assessments (R-5) -------------------------------------------------------------------------------

    def seed_assessments(self, users: dict) -> None:
        """Targets, schemes, a published semi-annual and annual run, self-evaluations (assessments/demo.py)."""
        self.created.update(assessments_demo.seed_assessments(users=users))

    # -- summary -------------------------------------------------------------------------------------

    def print_summary(self, seconds: float) -> None:
        created = (
            "，".join(f"{name} {count}" for name, count in sorted(self.created.items()) if count) or "无（数据已存在）"
        )
        last = Counter(MonthlyReport.objects.filter(period=self.last).values_list("status", flat=True))
        expected = sum(1 for town in Town.objects.all() if town.expects_report(self.last))
        states = "，".join(f"{S(status).label} {count}" for status, count in sorted(last.items()))
        self.stdout.write(f"演示数据就绪（{seconds:.1f} 秒）。本次新建：{created}。")
        self.stdout.write(
            f"区 {OrgUnit.objects.filter(level=OrgUnit.Level.DISTRICT).count()} 个，小镇 {Town.objects.count()} 个，"
            f"月报 {MonthlyReport.objects.count()} 份（{dates.format_period(self.first)} 至 {dates.format_period(self.last)}），"
            f"项目 {Project.objects.count()} 个，指标 {Indicator.objects.filter(active=True).count()} 项。"
        )
        self.stdout.write(
            f"{dates.format_period(self.last)}：应报 {expected}，未报 {expected - sum(last.values())}，{states}。"
        )
        self.stdout.write(
            "演示账号：admin、leader、office-policy、dongli-officer、dongli-leader 等；"
            "密码为环境变量 DEMO_PASSWORD 的值，未设置时为 demo12345。"
        )
