"""The demo world of `manage.py seed_demo`, for trying the platform and for screenshots.

The municipality, its ten districts, 27 towns, the joint conference's member units (the 17 of 2016
and 市税务局), the office's working groups, one user per persona and a liaison per member unit,
projects, and 24 months of monthly reports: 23 accepted months, and the last ended month left in
every workflow state so each inbox has work. Then each app's own demo (inspections/demo.py,
coordination/demo.py, ledgers/demo.py and assessments.py here), the dashboards' summary and the
reminders the scheduler would have sent.

The demo spans the whole platform, so it lives in the last app of the dependency chain
(coordination ← ledgers ← inspections ← assessments) and may call every app's services.
Idempotent: everything is looked up before it is created, so a second run changes nothing.

- world.py          the demo's months (DemoSpan), the org units and member units, the users, the towns
- projects.py       the project ledger
- reports.py        24 months of monthly reports
- assessments.py    targets, schemes, runs, self-evaluations, lag flags
- notifications.py  demo e-mail addresses and the reminders already sent
- documents.py      one official document of each kind, issued
"""

from collections import Counter

from coordination import demo as coordination_demo
from coordination.models import OrgUnit, Town
from inspections import demo as inspections_demo
from ledgers import demo as ledgers_demo
from ledgers.models import Indicator, MonthlyReport, Project
from ledgers.summaries import accepted_figures_rebuild
from tianjin_towns.lib import dates

from . import notifications, projects, reports, world
from .assessments import seed_assessments
from .documents import seed_documents
from .world import DemoSpan, S

__all__ = ["DemoSpan", "seed_assessments", "seed_platform", "summary_lines"]


def seed_platform(span: DemoSpan) -> Counter:
    """Every app's demo data, in the order of the dependencies; returns how many of each kind were created."""
    created: Counter = Counter()
    city, districts, groups = world.seed_org_units(created)
    users = world.seed_users(city, districts, groups, created)
    towns = world.seed_towns(span, districts, created)
    projects.seed_projects(span, towns, created)
    reports.seed_reports(span, towns, users, created)
    # A year of visits and problems; conferences, meetings, action items and plans; work information.
    created.update(inspections_demo.seed_inspections(users=users))
    created.update(coordination_demo.seed_coordination(users=users))
    created.update(ledgers_demo.seed_work_info(users=users))
    created.update(ledgers_demo.seed_checks(users=users))
    created.update(seed_assessments(users=users))
    # One official document of each kind, issued and kept (公文登记, issue 20).
    created.update(seed_documents(users=users))
    # The dashboards' summary of accepted figures (issue 8): the accepted months were written in bulk,
    # not through monthly_report_accept, so recompute it (idempotent).
    accepted_figures_rebuild()
    notifications.seed_notifications(span, created)
    return created


def summary_lines(span: DemoSpan, created: Counter, seconds: float) -> list[str]:
    """What the command prints: what this run created, the size of the world, the last month's states."""
    made = "，".join(f"{name} {count}" for name, count in sorted(created.items()) if count) or "无（数据已存在）"
    last = Counter(MonthlyReport.objects.filter(period=span.last).values_list("status", flat=True))
    expected = sum(1 for town in Town.objects.all() if town.expects_report(span.last))
    states = "，".join(f"{S(status).label} {count}" for status, count in sorted(last.items()))
    return [
        f"演示数据就绪（{seconds:.1f} 秒）。本次新建：{made}。",
        f"区 {OrgUnit.objects.filter(level=OrgUnit.Level.DISTRICT).count()} 个，小镇 {Town.objects.count()} 个，"
        f"月报 {MonthlyReport.objects.count()} 份（{dates.format_period(span.first)} 至 {dates.format_period(span.last)}），"
        f"项目 {Project.objects.count()} 个，指标 {Indicator.objects.filter(active=True).count()} 项。",
        f"{dates.format_period(span.last)}：应报 {expected}，未报 {expected - sum(last.values())}，{states}。",
        "演示账号：admin、sysadmin、secadmin、auditor、leader、office-policy、dongli-officer、dongli-leader、liaison-statistics 等，"
        "每个成员单位有一名联络员 liaison-<成员单位编码>（如 liaison-tax 市税务局）；"
        "密码为环境变量 DEMO_PASSWORD 的值，未设置时为 demo12345。",
    ]
