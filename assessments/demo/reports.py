"""The demo's monthly reports: 24 months per town with plausible figures and project rows. The accepted
months are written in bulk with the same rows and audit events the services would write (_file_history),
which keeps the seed to a few seconds; the last ended month goes through the services (create, save,
submit, approve, accept and return, exactly as the pages do), so each inbox has work. Then every report
and event is given the date on which it would have happened (_backdate)."""

import datetime
import random
from collections import Counter
from decimal import ROUND_DOWN, Decimal

from coordination.models import Town
from ledgers import deadlines as report_deadlines
from ledgers import services as ledger
from ledgers.models import (
    EntryException,
    Indicator,
    MonthlyReport,
    Project,
    ProjectProgress,
    ProjectYearPlan,
    ReportEvent,
    ReportValue,
)
from tianjin_towns.lib import dates

from .projects import project_plans
from .world import MONTHS, SHANGHAI, DemoSpan, DemoTown, S, money, town_scale

RETURN_REASONS = [
    "固定资产投资与项目台账本月投资合计出入较大，请核实后重新报送。",
    "就业人数较上月变化异常，请补充说明并附原始记录。",
    "税收收入与区税务部门数据不一致，请核对。",
]
TOURISM_WORDS = ("旅游", "文化", "温泉", "休闲", "运动", "观光", "度假")
PROBLEMS = ["征地拆迁进度滞后", "项目融资到位较慢", "施工用电增容手续办理中", "环评批复待下达"]


def part_of(whole: Decimal, share: float) -> Decimal:
    """A part (其中项) of `whole`, rounded down so that it never exceeds it."""
    return (whole * Decimal(str(share))).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _text(value: Decimal) -> str:
    """A figure as the audit trail stores it (see ledgers.services)."""
    return format(value.normalize(), "f")


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A time during office hours on `day`, in Beijing time."""
    return datetime.datetime(day.year, day.month, day.day, rng.randint(9, 17), rng.randint(0, 59), tzinfo=SHANGHAI)


def seed_reports(span: DemoSpan, towns: list[tuple[Town, DemoTown]], users: dict, created: Counter) -> None:
    """24 months of reports per town: the accepted months in bulk (_file_history), the last ended month
    through the services, left in the state its DemoTown names; then every step is given its date."""
    periods = [dates.add_months(span.first, i) for i in range(MONTHS)]
    existing = set(MonthlyReport.objects.filter(period__gte=span.first).values_list("town_id", "period"))
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
        series = _figures(span, town, demo)
        plans = project_plans(span, town, demo)
        for index, period in enumerate(periods):
            if (town.pk, period) in existing or not town.expects_report(period):
                continue
            target = S.ACCEPTED if period != span.last else demo.last_month
            if target is None:
                continue
            values = series[index]
            values["projects_started"] = Decimal(sum(1 for p in plans if p["start_index"] == index and index > 0))
            values["projects_completed"] = Decimal(sum(1 for p in plans if p["finish_index"] == index))
            progress = _progress(town, plans, projects, index, values["fixed_asset_investment"])
            _align_investment(values, progress)
            job = {"town": town, "period": period, "values": values, "progress": progress, "actors": actors}
            job["schedule"] = _schedule(span, town, period, target)
            (current if period == span.last else history).append((target, job))
            created["reports"] += 1
    # History first: the services derive the last month's cumulative project figures from it.
    schedules = _file_history([job for _target, job in history])
    for target, job in current:
        report = _file_report(target=target, **{k: v for k, v in job.items() if k != "schedule"})
        schedules[report.pk] = job["schedule"]
    _backdate(schedules)


def _figures(span: DemoSpan, town: Town, demo: DemoTown) -> list[dict[str, Decimal]]:
    """24 months of plausible figures; parts never exceed their whole, employment drifts."""
    rng = random.Random(f"figures-{town.code}")
    scale = town_scale(town)
    tourism = any(word in demo.industry for word in TOURISM_WORDS)
    employment = rng.randint(1500, 4000)
    months = []
    for i in range(MONTHS):
        month = dates.add_months(span.first, i).month
        # Spring Festival lull, year-end push; tourists peak on holidays and in summer.
        season = 0.5 if month in (1, 2) else 1.3 if month in (11, 12) else 1.0
        investment = money(800 * scale * season * rng.uniform(0.7, 1.3))
        granted = money(rng.uniform(5, 40)) if rng.random() < 0.2 else Decimal("0.00")
        employment = max(500, employment + rng.randint(-20, 60))
        peak = 1.8 if month in (5, 7, 8, 10) else 0.6 if month in (1, 2, 12) else 1.0
        months.append(
            {
                "fixed_asset_investment": investment,
                "industry_investment": part_of(investment, rng.uniform(0.55, 0.8)),
                "private_investment": part_of(investment, rng.uniform(0.2, 0.5)),
                "tax_revenue": money(120 * scale * rng.uniform(0.7, 1.3)),
                "main_business_revenue": money(4000 * scale * rng.uniform(0.8, 1.2)),
                "land_quota_granted": granted,
                "land_supplied": part_of(granted, rng.uniform(0.3, 1.0)) if granted else Decimal("0.00"),
                "new_enterprises": Decimal(rng.randint(0, 5)),
                "employment": Decimal(employment),
                "tourists": money((rng.uniform(2, 12) if tourism else rng.uniform(0.1, 1.0)) * peak),
            }
        )
    return months


def _progress(town: Town, plans: list[dict], projects: dict, index: int, investment: Decimal) -> list[dict]:
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
                "investment_month": money(amount * shrink),
                "physical_progress": physical,
                "problems": rng.choice(PROBLEMS) if rng.random() < 0.1 else "",
            }
        )
    return rows


def _align_investment(values: dict[str, Decimal], progress: list[dict]) -> None:
    """A town's investment is the sum of its projects' this month (a hard validation rule); parts keep their share."""
    if not progress:
        return
    total = sum((row["investment_month"] for row in progress), Decimal(0))
    whole = values["fixed_asset_investment"]
    for part in ("industry_investment", "private_investment"):
        values[part] = part_of(total, float(values[part] / whole)) if whole else Decimal("0.00")
    values["fixed_asset_investment"] = total


def _file_report(*, town, period, target, values, progress, actors) -> MonthlyReport:
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


def _file_history(history: list[dict]) -> dict[int, dict[str, datetime.datetime]]:
    """Create the accepted months in bulk: the same rows and audit events the services write.

    Through the services, 600-odd reports cost about 30,000 queries (half a minute on a busy
    machine); in bulk they take a few seconds. The last ended month still goes through the
    services (_file_report), so the workflow itself is exercised. Figures are valid by
    construction (_figures: non-negative, parts within their whole, integers where required).
    """
    if not history:
        return {}
    indicators = {i.code: i for i in Indicator.objects.filter(active=True)}
    reports = [_accepted_report(job) for job in history]
    MonthlyReport.objects.bulk_create(reports, batch_size=500)

    values, progress, events = [], [], []
    year_total: dict[tuple[int, int], Decimal] = {}  # (project, year) → investment so far
    grand_total: dict[int, Decimal] = {}  # project → investment since start
    for report, job in zip(reports, history, strict=True):
        value_changes = {}
        for code, value in job["values"].items():
            values.append(ReportValue(report=report, indicator=indicators[code], value=value))
            value_changes[code] = [None, _text(value)]
        project_changes = _progress_rows(report, job["progress"], year_total, grand_total, progress)
        changes = {"values": value_changes} | ({"projects": project_changes} if project_changes else {})
        events += _workflow_events(report, job["actors"], changes)
    ReportValue.objects.bulk_create(values, batch_size=2000)
    _keep_plans(progress)
    ProjectProgress.objects.bulk_create(progress, batch_size=2000)
    ReportEvent.objects.bulk_create(events, batch_size=2000)
    return {report.pk: job["schedule"] for report, job in zip(reports, history, strict=True)}


def _accepted_report(job: dict) -> MonthlyReport:
    steps, actors = job["schedule"], job["actors"]
    return MonthlyReport(
        town=job["town"],
        period=job["period"],
        status=S.ACCEPTED,
        due_on=dates.report_due_date(job["period"]),
        timeliness=_timeliness(steps["submit"], job["period"]),
        submitted_at=steps["submit"],
        submitted_by=actors["officer"],
        approved_at=steps["approve"],
        approved_by=actors["reviewer"],
        accepted_at=steps["accept"],
        accepted_by=actors["office"],
    )


def _progress_rows(
    report: MonthlyReport,
    rows: list[dict],
    year_total: dict[tuple[int, int], Decimal],
    grand_total: dict[int, Decimal],
    progress: list[ProjectProgress],
) -> dict[str, dict]:
    """Append the report's project rows to `progress`, carrying the running totals; returns their changes
    as the audit trail records them."""
    project_changes = {}
    for row in rows:
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
    return project_changes


def _workflow_events(report: MonthlyReport, actors: dict, changes: dict) -> list[ReportEvent]:
    """The audit events of an accepted report, from creation to acceptance."""
    A = ReportEvent.Action
    return [
        ReportEvent(report=report, actor=actor, action=action, from_status=from_status, to_status=to_status, **extra)
        for action, actor, from_status, to_status, extra in (
            (A.CREATE, actors["officer"], "", S.DRAFT, {}),
            (A.SAVE, actors["officer"], S.DRAFT, S.DRAFT, {"changes": changes}),
            (A.SUBMIT, actors["officer"], S.DRAFT, S.SUBMITTED, {}),
            (A.APPROVE, actors["reviewer"], S.SUBMITTED, S.DISTRICT_APPROVED, {}),
            (A.ACCEPT, actors["office"], S.DISTRICT_APPROVED, S.ACCEPTED, {}),
        )
    ]


def _keep_plans(progress: list[ProjectProgress]) -> None:
    """The accepted months keep the plan they were accepted against, as monthly_report_accept records it."""
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


def _timeliness(submitted_at: datetime.datetime, period: datetime.date) -> str:
    """As monthly_report_submit decides it, from the (historical) submission date."""
    return ledger.timeliness_of(period, submitted_at)


def _schedule(span: DemoSpan, town: Town, period: datetime.date, target: str) -> dict[str, datetime.datetime]:
    """When each step of the report happened: realistic days of the following month."""
    rng = random.Random(f"schedule-{town.code}-{period}")
    due = dates.report_due_date(period)
    opened = dates.add_months(period, 1)
    if period == span.last:
        # Still in progress: spread the steps from the month's start to now, in order.
        start = datetime.datetime(opened.year, opened.month, opened.day, tzinfo=SHANGHAI)
        elapsed = span.now - start
        steps = ["create", "save", "submit", "approve", "return", "accept"]
        return {step: start + elapsed * (0.1 + 0.15 * i + rng.uniform(0, 0.05)) for i, step in enumerate(steps)}
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


def _backdate(schedules: dict[int, dict[str, datetime.datetime]]) -> None:
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
        report.updated_at = max(steps[a] for a in _actions(report.status))
        if report.submitted_at:
            report.submitted_at = steps["submit"]
            report.timeliness = _timeliness(steps["submit"], report.period)
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


def _actions(status: str) -> list[str]:
    return {
        S.DRAFT: ["create", "save"],
        S.SUBMITTED: ["submit"],
        S.RETURNED: ["return"],
        S.DISTRICT_APPROVED: ["approve"],
        S.ACCEPTED: ["accept"],
    }[status]
