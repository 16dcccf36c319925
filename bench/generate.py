"""Province-scale data for the benchmark, written with COPY: 2,000 towns in 20 districts, ten years of
monthly reports with every catalogue indicator, 40 projects per town with monthly progress while
active, a realistic share of late and missing reports, annual targets, published assessments,
meetings, action items, on-site visits and problems.

Only the big tables (reports, values, projects, progress, targets) go through COPY; the rest is
small and uses bulk_create. Columns this generator does not know (another app may add some) are
filled from the model field's default, so a new NOT NULL column with a default does not break it.
Triggers (audit history) and foreign-key checks are off during the load (session_replication_role),
as for any bulk restore; the ids written are consistent by construction.
"""

import datetime
import io
import itertools
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from coordination import services as org
from coordination.models import OrgUnit, Role, Town, TownStatus, WorkingGroup
from coordination.reference import WORKING_GROUPS
from ledgers.models import Indicator, MonthlyReport, Project, ProjectProgress, ProjectYearPlan, ReportValue
from tianjin_towns.lib import dates

DISTRICTS = 20
TOWNS_PER_DISTRICT = 100
YEARS = 10
PROJECTS_PER_TOWN = 40
LATE_SHARE = 0.08  # reports first submitted after the due day
MISSING_SHARE = 0.025  # never submitted by the close day (half without any report row, half a stale draft)
SEED = 20161206  # the date of the notice

NULL = "\\N"  # COPY's text format
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
REPORT_COLUMNS = [
    "id", "town_id", "period", "status", "due_on", "timeliness", "submitted_at", "submitted_by_id",
    "approved_at", "approved_by_id", "accepted_at", "accepted_by_id", "return_reason", "created_at", "updated_at",
]  # fmt: skip
LATE_DAYS = (1, 1, 2, 2, 3, 4, 5, 7)  # how late a late report is first submitted
PHYSICAL = ("场地平整", "基础施工", "主体施工", "主体封顶", "设备安装", "装修收尾", "竣工验收")
PROBLEMS = ("征地拆迁进度滞后", "项目融资到位较慢", "施工用电增容手续办理中", "环评批复待下达")
CATEGORIES = ("industry", "infrastructure", "public_service")
PROJECT_WORDS = (
    "智能制造基地",
    "文旅综合体",
    "道路提升工程",
    "污水处理厂",
    "邻里中心",
    "研发中心",
    "物流园",
    "康养社区",
)


@dataclass
class Sizes:
    districts: int = DISTRICTS
    towns_per_district: int = TOWNS_PER_DISTRICT
    years: int = YEARS
    projects_per_town: int = PROJECTS_PER_TOWN

    @property
    def towns(self) -> int:
        return self.districts * self.towns_per_district


@dataclass
class Generated:
    """What was written, for the report and for the measurements."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    first_period: datetime.date | None = None
    last_period: datetime.date | None = None
    users: dict[str, int] = field(default_factory=dict)
    district_ids: list[int] = field(default_factory=list)
    town_ids: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


# --- COPY ------------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", "\\n")
    return str(value)


def _defaults(model, columns: list[str]) -> tuple[list[str], str]:
    """Columns the generator leaves out but the table requires, with their model defaults."""
    extra_columns, extra_values = [], []
    now = timezone.now()
    for f in model._meta.concrete_fields:
        if f.column in columns or f.null or f.primary_key:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.has_default():
            value = f.get_db_prep_save(f.get_default(), connection)
            if hasattr(value, "dumps"):  # a JSON adapter
                value = value.dumps(value.adapted)
        else:
            raise RuntimeError(f"{model._meta.db_table}.{f.column} needs a value the generator does not know")
        extra_columns.append(f.column)
        extra_values.append(_text(value))
    return extra_columns, ("\t" + "\t".join(extra_values)) if extra_values else ""


class Copier:
    """Buffers rows of one table and sends them to PostgreSQL with COPY every `batch` rows."""

    def __init__(self, model, columns: list[str], batch: int = 200_000):
        self.table = model._meta.db_table
        extra_columns, self.suffix = _defaults(model, columns)
        self.sql = f"COPY {self.table} ({', '.join(columns + extra_columns)}) FROM STDIN"
        self.batch = batch
        self.lines: list[str] = []
        self.count = 0

    def add(self, line: str) -> None:
        self.lines.append(line + self.suffix)
        if len(self.lines) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        buffer = io.StringIO("\n".join(self.lines) + "\n")
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(self.sql, buffer)
        self.count += len(self.lines)
        self.lines = []


def _reset_sequence(model) -> None:
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{pk}'), COALESCE((SELECT MAX({pk}) FROM {table}), 1))"
        )


# --- Generator -------------------------------------------------------------------------------------


class Generator:
    def __init__(self, sizes: Sizes | None = None, today: datetime.date | None = None, log=print):
        self.sizes = sizes or Sizes()
        self.today = today or dates.today()
        self.log = log
        self.rng = random.Random(SEED)
        self.result = Generated()
        self.last = dates.last_ended_period(self.today)
        self.first = dates.add_months(self.last, -(12 * self.sizes.years - 1))
        self.months = [dates.add_months(self.first, i) for i in range(12 * self.sizes.years)]
        self.result.first_period, self.result.last_period = self.first, self.last

    def _step(self, name: str, function):
        started = time.monotonic()
        value = function()
        self.result.seconds[name] = round(time.monotonic() - started, 1)
        self.log(f"  {name}: {self.result.seconds[name]} s")
        return value

    def run(self) -> Generated:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            self._step("org units, towns, users", self.org)
            self._step("monthly reports and values", self.reports)
            self._step("projects and monthly progress", self.projects)
            self._step("targets, schemes, assessments", self.assessments)
            self._step("meetings, action items, visits, problems", self.coordination)
            self._step("dashboard summary of accepted figures", self.summary)
        self._step("vacuum analyze, checkpoint", self.analyze)
        return self.result

    # -- organisation ------------------------------------------------------------------------------

    def org(self) -> None:
        city = OrgUnit.objects.create(code="B00", name="基准省", slug="bench", level=OrgUnit.Level.MUNICIPAL)
        districts = OrgUnit.objects.bulk_create(
            OrgUnit(code=f"B{d:02d}", name=f"基准{d:02d}区", level="district", parent=city, order=d)
            for d in range(1, self.sizes.districts + 1)
        )
        units = OrgUnit.objects.bulk_create(
            OrgUnit(
                code=f"B{d.order:02d}{t:03d}",
                name=f"基准{d.order:02d}区{t:03d}号特色小镇",
                level="town",
                parent=d,
                order=t,
            )
            for d in districts
            for t in range(1, self.sizes.towns_per_district + 1)
        )
        rng = self.rng
        towns = []
        for unit in units:
            # Two in five towns report from the start; the others join over the first six years.
            joined = self.first if rng.random() < 0.4 else dates.add_months(self.first, rng.randrange(0, 72))
            exited = None
            if rng.random() < 0.03:
                exited = dates.add_months(joined, rng.randrange(24, 96))
                exited = exited if exited <= self.last else None
            towns.append(
                Town(
                    unit=unit,
                    district=unit.parent,
                    host_township=f"{unit.name[:5]}街道",
                    lead_industry=rng.choice(("智能制造", "文化旅游", "现代农业", "生物医药", "电子商务")),
                    planning_area_km2=Decimal(str(round(rng.uniform(1, 5), 2))),
                    construction_land_mu=Decimal(str(round(rng.uniform(300, 3000), 2))),
                    status=TownStatus.EXITED if exited else rng.choice((TownStatus.CREATING, TownStatus.NAMED)),
                    reporting_from=joined,
                    exited_on=exited,
                )
            )
        self.towns = Town.objects.bulk_create(towns)
        self.scale = {t.unit_id: rng.uniform(0.4, 2.5) for t in self.towns}
        groups = {
            code: WorkingGroup.objects.get_or_create(code=code, defaults={"name": name, "duties": duties, "order": i})[
                0
            ]
            for i, (code, name, duties) in enumerate(WORKING_GROUPS)
        }
        User = get_user_model()
        make = org.user_create
        users = {
            "leader": make(username="bench-leader", password=None, role=Role.LEADER, org_unit=city),
            "office": make(
                username="bench-office", password=None, role=Role.OFFICE, org_unit=city, working_group=groups["policy"]
            ),
            "officer": make(username="bench-officer", password=None, role=Role.OFFICER, org_unit=districts[0]),
            "reviewer": make(username="bench-reviewer", password=None, role=Role.REVIEWER, org_unit=districts[0]),
        }
        User.objects.filter(pk__in=[u.pk for u in users.values()]).update(password="!")
        self.users = {name: user.pk for name, user in users.items()}
        self.result.users = self.users
        self.result.district_ids = [d.pk for d in districts]
        self.result.town_ids = [t.unit_id for t in self.towns]
        self.city = city
        self.districts = districts
        self.result.counts.update(org_units=1 + len(districts) + len(units), towns=len(self.towns))

    # -- monthly reports and values ------------------------------------------------------------------

    def reports(self) -> None:
        self.indicators = {i.code: i.pk for i in Indicator.objects.filter(active=True).order_by("order", "code")}
        self.report_ids: dict[tuple[int, datetime.date], int] = {}
        reports = Copier(MonthlyReport, REPORT_COLUMNS)
        values = Copier(ReportValue, ["id", "report_id", "indicator_id", "value"], batch=500_000)
        report_ids, value_ids = itertools.count(1), itertools.count(1)
        due = {m: dates.report_due_date(m) for m in self.months}
        second_last = dates.add_months(self.last, -1)
        for town in self.towns:
            scale = self.scale[town.unit_id]
            employment = 1500 * scale
            for month in self.months:
                if not town.expects_report(month):
                    continue
                r = self.rng.random()
                if r < MISSING_SHARE / 2 and month < second_last:
                    continue  # never opened: missing, no row
                report_id = next(report_ids)
                status, timeliness = self._report_state(month, r, second_last)
                reports.add(self._report_row(report_id, town, month, due[month], status, timeliness))
                self.report_ids[(town.unit_id, month)] = report_id
                figures, employment = self._report_figures(month, scale, employment)
                for code, value in figures:
                    indicator = self.indicators.get(code)
                    if indicator is not None:
                        values.add(f"{next(value_ids)}\t{report_id}\t{indicator}\t{value}")
        reports.flush()
        values.flush()
        _reset_sequence(MonthlyReport)
        _reset_sequence(ReportValue)
        self.result.counts.update(monthly_reports=reports.count, report_values=values.count)

    def _report_state(self, month: datetime.date, r: float, second_last: datetime.date) -> tuple[str, str | None]:
        """A report's (status, timeliness) from its draw `r`: the last month in every state, the month before
        partly awaiting acceptance; older ones accepted, some late, some a draft never submitted (missing)."""
        status, timeliness = "accepted", "on_time"
        if month == self.last:
            status = self.rng.choices(
                ("accepted", "district_approved", "submitted", "draft", "returned"), (30, 25, 25, 12, 8)
            )[0]
        elif month == second_last and r > 0.9:
            status = "district_approved"
        if r < MISSING_SHARE and month < second_last:
            status, timeliness = "draft", None  # opened, never submitted: missing
        elif status == "draft":
            timeliness = None
        elif r > 1 - LATE_SHARE:
            timeliness = "late"
        return status, timeliness

    def _report_row(
        self, report_id: int, town: Town, month: datetime.date, due: datetime.date, status: str, timeliness
    ) -> str:
        """The report's COPY row, with when and by whom it was submitted, approved and accepted."""
        rng = self.rng
        officer, reviewer, office = self.users["officer"], self.users["reviewer"], self.users["office"]
        created = datetime.datetime.combine(dates.add_months(month, 1), datetime.time(9), SHANGHAI)
        submitted = approved = accepted = None
        if timeliness is not None:
            days = -rng.randrange(0, 7) if timeliness == "on_time" else rng.choice(LATE_DAYS)
            submitted = datetime.datetime.combine(
                due + datetime.timedelta(days=days), datetime.time(10, rng.randrange(60)), SHANGHAI
            )
            if status in ("district_approved", "accepted"):
                approved = submitted + datetime.timedelta(days=rng.randrange(1, 4), hours=2)
            if status == "accepted":
                accepted = approved + datetime.timedelta(days=rng.randrange(1, 6), hours=3)
        updated = accepted or approved or submitted or created
        return (
            f"{report_id}\t{town.unit_id}\t{month}\t{status}\t{due}\t{_text(timeliness)}\t"
            f"{_text(submitted)}\t{officer if submitted else NULL}\t{_text(approved)}\t"
            f"{reviewer if approved else NULL}\t{_text(accepted)}\t{office if accepted else NULL}\t"
            f"{'请核实后重新报送' if status == 'returned' else ''}\t{created}\t{updated}"
        )

    def _report_figures(self, month: datetime.date, scale: float, employment: float) -> tuple[tuple, float]:
        """A report's (indicator code, value) pairs, and the town's employment after the month.

        A seasonal town-sized flow, parts below their whole, a slowly growing stock."""
        rng = self.rng
        season = 0.55 if month.month in (1, 2) else (1.35 if month.month == 12 else 1.0)
        fai = round(scale * season * rng.lognormvariate(6.6, 0.35), 2)
        employment *= 1 + rng.uniform(-0.01, 0.02)
        figures = (
            ("fixed_asset_investment", fai),
            ("industry_investment", round(fai * rng.uniform(0.55, 0.8), 2)),
            ("private_investment", round(fai * rng.uniform(0.25, 0.5), 2)),
            ("tax_revenue", round(scale * season * rng.lognormvariate(4.6, 0.3), 2)),
            ("main_business_revenue", round(scale * season * rng.lognormvariate(8.2, 0.25), 2)),
            ("land_quota_granted", round(rng.uniform(0, 30), 2) if rng.random() < 0.25 else 0),
            ("land_supplied", round(rng.uniform(0, 20), 2) if rng.random() < 0.3 else 0),
            ("new_enterprises", rng.randrange(0, 6)),
            ("employment", int(employment)),
            ("tourists", round(scale * rng.uniform(0.5, 8), 2)),
            ("projects_started", 1 if rng.random() < 0.12 else 0),
            ("projects_completed", 1 if rng.random() < 0.08 else 0),
        )
        return figures, employment

    # -- projects and progress -----------------------------------------------------------------------

    def projects(self) -> None:
        rng = self.rng
        project_columns = [
            "id", "town_id", "code", "name", "category", "content", "total_investment",
            "status", "planned_start", "planned_finish", "actual_start", "actual_finish", "land_mu", "created_at",
            "owner",
        ]  # fmt: skip
        projects = Copier(Project, project_columns)
        year_plans = Copier(ProjectYearPlan, ["id", "project_id", "year", "amount"])
        plan_id = 0
        progress = Copier(
            ProjectProgress,
            ["id", "project_id", "report_id", "investment_month", "investment_year", "investment_total",
             "physical_progress", "problems"],
            batch=500_000,
        )  # fmt: skip
        project_id = progress_id = 0
        now = timezone.now()
        this_year = self.last.year
        for town in self.towns:
            for n in range(1, self.sizes.projects_per_town + 1):
                project_id += 1
                duration = rng.randrange(12, 49)
                start = dates.add_months(town.reporting_from, rng.randrange(-12, 12 * self.sizes.years))
                finish = dates.add_months(start, duration - 1)
                total = round(rng.uniform(5000, 80000), 2)
                annual = round(total * 12 / duration, 2)
                started = start <= self.last
                finished = finish <= self.last
                status = (
                    "completed"
                    if finished
                    else ("preparing" if not started else ("new" if start.year == this_year else "continuing"))
                )
                word = PROJECT_WORDS[n % len(PROJECT_WORDS)]
                projects.add(
                    f"{project_id}\t{town.unit_id}\tP{n:03d}\t{town.unit.name[:8]}{word}{n:02d}期\t{rng.choice(CATEGORIES)}\t"
                    f"\t{total}\t{status}\t{start}\t{finish}\t{start if started else NULL}\t"
                    f"{finish if finished else NULL}\t{round(rng.uniform(20, 400), 2)}\t{now}\t"
                    f"{town.unit.name[:8]}建设发展有限公司"
                )
                for year in range(start.year, finish.year + 1):  # a plan for each year the project runs
                    plan_id += 1
                    year_plans.add(f"{plan_id}\t{project_id}\t{year}\t{annual}")
                if not started:
                    continue
                monthly = total / duration
                cumulative = year_total = 0.0
                month = start
                for index in range(duration):
                    if month > self.last:
                        break
                    if month.month == 1:
                        year_total = 0.0
                    report = self.report_ids.get((town.unit_id, month))
                    if report is not None:
                        amount = round(monthly * rng.uniform(0.6, 1.4), 2)
                        cumulative += amount
                        year_total += amount
                        progress_id += 1
                        stage = PHYSICAL[min(len(PHYSICAL) - 1, index * len(PHYSICAL) // duration)]
                        problem = rng.choice(PROBLEMS) if rng.random() < 0.05 else ""
                        progress.add(
                            f"{progress_id}\t{project_id}\t{report}\t{amount}\t{round(year_total, 2)}\t"
                            f"{round(cumulative, 2)}\t{stage}\t{problem}"
                        )
                    month = dates.add_months(month, 1)
        projects.flush()
        year_plans.flush()
        progress.flush()
        _reset_sequence(Project)
        _reset_sequence(ProjectYearPlan)
        _reset_sequence(ProjectProgress)
        self.result.counts.update(projects=projects.count, project_progress=progress.count)

    # -- targets and assessments (issue 7's models) --------------------------------------------------

    def assessments(self) -> None:
        try:
            from assessments.models import Run, RunResult, Scheme, Target
        except ImportError as error:  # pragma: no cover - the app is part of the project
            self.result.skipped.append(f"assessments: {error}")
            return
        rng = self.rng
        years = sorted({m.year for m in self.months})
        keys = ("fixed_asset_investment", "industry_investment", "tax_revenue", "land_supplied",
                "projects_started", "projects_completed")  # fmt: skip
        typical = {"fixed_asset_investment": 9600, "industry_investment": 6500, "tax_revenue": 1300,
                   "land_supplied": 30, "projects_started": 2, "projects_completed": 1}  # fmt: skip
        targets = Copier(Target, ["town_id", "year", "indicator_id", "value", "note", "updated_at"])
        now = timezone.now()
        for year in years:
            for town in self.towns:
                if not town.expects_report(datetime.date(year, 12, 1)) and not town.expects_report(
                    datetime.date(year, 1, 1)
                ):
                    continue
                scale = self.scale[town.unit_id]
                for code in keys:
                    if code in self.indicators:
                        value = max(1, round(typical[code] * scale * rng.uniform(0.8, 1.25), 2))
                        targets.add(f"{town.unit_id}\t{year}\t{self.indicators[code]}\t{value}\t\t{now}")
        targets.flush()
        schemes = {year: Scheme.objects.create(year=year, name=f"{year}年度特色小镇创建考核方案") for year in years}
        # Published runs: the annual run of each of the last three full years and this year's semi-annual one.
        runs = [(year, "annual") for year in years[-4:-1]] + [(years[-1], "semiannual")]
        results = []
        town_names = {t.unit_id: (t.unit.name, t.district) for t in self.towns}
        district_names = {d.pk: d.name for d in self.districts}
        for year, kind in runs:
            run = Run.objects.create(
                scheme=schemes[year], kind=kind, title=f"{year}年{'半年' if kind == 'semiannual' else '年度'}考核",
                status="published", published_at=now,
            )  # fmt: skip
            scored = sorted(((round(rng.uniform(55, 99), 2), t.unit_id) for t in self.towns), reverse=True)
            district_rank: dict[int, int] = {}
            for rank, (score, town_id) in enumerate(scored, start=1):
                district = town_names[town_id][1]
                district_rank[district.pk] = district_rank.get(district.pk, 0) + 1
                band = "praise" if rank <= len(scored) // 10 else ("warning" if rank > len(scored) * 9 // 10 else "")
                grade = (
                    ""
                    if kind == "semiannual"
                    else ("excellent" if score >= 90 else "good" if score >= 80 else "pass" if score >= 60 else "fail")
                )
                results.append(
                    RunResult(
                        run=run, town_id=town_id, town_name=town_names[town_id][0], district_name=district_names[district.pk],
                        score=Decimal(str(score)), rank=rank, district_rank=district_rank[district.pk], grade=grade, band=band,
                    )
                )  # fmt: skip
        RunResult.objects.bulk_create(results, batch_size=5000)
        self.result.counts.update(targets=targets.count, assessment_results=len(results))

    # -- meetings, action items, visits, problems (issues 4 and 5) ---------------------------------

    def coordination(self) -> None:
        try:
            self._coordination()
        except Exception as error:  # the models of other apps may be mid-change; the report says so
            self.result.skipped.append(f"meetings/visits: {type(error).__name__}: {error}")

    def _coordination(self) -> None:
        from coordination.models import ActionItem, Decision, Meeting
        from inspections.models import Problem, Visit

        rng = self.rng
        meetings = []
        for district in self.districts:
            for month in self.months:
                for kind in ("district_regular", "district_onsite"):
                    if rng.random() < 0.93:
                        meetings.append(
                            Meeting(kind=kind, org_unit=district, title=f"{district.name}{month.year}年{month.month}月{'例会' if kind == 'district_regular' else '现场推动会'}",
                                    held_on=month + datetime.timedelta(days=rng.randrange(5, 25)), state="held")
                        )  # fmt: skip
        for month in self.months[::3]:
            meetings.append(
                Meeting(kind="joint_conference", org_unit=self.city, title=f"{month:%Y年}第{(month.month - 1) // 3 + 1}季度联席会议",
                        held_on=month + datetime.timedelta(days=40), state="held")
            )  # fmt: skip
        Meeting.objects.bulk_create(meetings, batch_size=5000)
        decisions = Decision.objects.bulk_create(
            [
                Decision(meeting=m, order=1, text="抓紧推进重点项目建设")
                for m in meetings
                if m.kind == "district_onsite"
            ],
            batch_size=5000,
        )
        items = []
        for decision in decisions:
            due = decision.meeting.held_on + datetime.timedelta(days=30)
            status = (
                "verified"
                if due < self.today - datetime.timedelta(days=60) or rng.random() < 0.6
                else rng.choice(("open", "in_progress", "done"))
            )
            items.append(
                ActionItem(decision=decision, meeting=decision.meeting, title="协调解决项目建设用地",
                           responsible_unit=decision.meeting.org_unit, owner="区特镇办", due_on=due, status=status)
            )  # fmt: skip
        ActionItem.objects.bulk_create(items, batch_size=5000)
        visits, problems = [], []
        for district in self.districts:
            for month in self.months[::3]:
                visits.append(Visit(district=district, held_on=month + datetime.timedelta(days=rng.randrange(10, 80)), title=f"{district.name}现场督办"))  # fmt: skip
        Visit.objects.bulk_create(visits, batch_size=5000)
        towns_by_district: dict[int, list[Town]] = {}
        for town in self.towns:
            towns_by_district.setdefault(town.district_id, []).append(town)
        for visit in visits:
            for _n in range(rng.randrange(2, 7)):
                found = visit.held_on
                due = found + datetime.timedelta(days=rng.choice((0, 15, 30, 60)))
                closed = due + datetime.timedelta(days=rng.randrange(-10, 20)) if rng.random() < 0.8 else None
                closed = closed if closed is not None and closed <= self.today and closed >= found else None
                problems.append(
                    Problem(visit=visit, town=rng.choice(towns_by_district[visit.district_id]), category=Problem._meta.get_field("category").choices[0][0],
                            description=rng.choice(PROBLEMS), responsible_unit=visit.district, found_on=found, due_on=due,
                            solved_on_site=due == found, solved_same_day=due == found,
                            status="verified" if closed else rng.choice(("open", "in_progress", "done")), closed_on=closed)
                )  # fmt: skip
        Problem.objects.bulk_create(problems, batch_size=5000)
        self.result.counts.update(
            meetings=len(meetings), action_items=len(items), visits=len(visits), problems=len(problems)
        )

    # -- the summary the services keep on acceptance (ledgers/summaries.py), rebuilt after the bulk load --

    def summary(self) -> None:
        from ledgers.summaries import accepted_figures_rebuild

        self.result.counts["accepted_figures"] = accepted_figures_rebuild()

    # -- statistics for the planner ------------------------------------------------------------------

    def analyze(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
            # Write the load's dirty pages out now rather than while the pages are timed. It needs superuser
            # or pg_checkpoint; without either, the checkpointer does it in its own time, as it would anyway.
            try:
                cursor.execute("CHECKPOINT")
            except DatabaseError:
                pass


def database_size() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return cursor.fetchone()[0]


def largest_tables(limit: int = 6) -> list[tuple[str, int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.reltuples::bigint, pg_size_pretty(pg_total_relation_size(c.oid))
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname = 'public'
            ORDER BY pg_total_relation_size(c.oid) DESC LIMIT %s
            """,
            [limit],
        )
        return cursor.fetchall()


# --- Reuse (bench.run --reuse): the record of a finished generation, kept in the bench database -------

RECORD_TABLE = "bench_generated"


def save_generated(sizes: Sizes, generated: Generated) -> None:
    """Record a finished generation so that `--reuse` can measure the same data again without rebuilding it."""
    import dataclasses
    import json

    record = {"sizes": dataclasses.asdict(sizes), "generated": dataclasses.asdict(generated)}
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {RECORD_TABLE} (data jsonb NOT NULL)")
        cursor.execute(f"DELETE FROM {RECORD_TABLE}")
        cursor.execute(f"INSERT INTO {RECORD_TABLE} (data) VALUES (%s)", [json.dumps(record, default=str)])


def load_generated(sizes: Sizes, today: datetime.date | None = None) -> Generated | None:
    """The recorded generation if it was of these sizes and ends at the same month as one made today would."""
    import dataclasses
    import json

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [RECORD_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT data FROM {RECORD_TABLE}")
        row = cursor.fetchone()
    if row is None:
        return None
    record = json.loads(row[0]) if isinstance(row[0], str) else row[0]  # Django hands jsonb over as text
    if record["sizes"] != dataclasses.asdict(sizes):
        return None
    generated = Generated(**record["generated"])
    generated.first_period = datetime.date.fromisoformat(generated.first_period)
    generated.last_period = datetime.date.fromisoformat(generated.last_period)
    if generated.last_period != dates.last_ended_period(today or dates.today()):
        return None
    return generated
