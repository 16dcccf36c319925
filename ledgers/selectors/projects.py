"""Reads of the project ledger (重点项目台账, R-3.3): lists, a project's page, the prefetches the API uses."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from coordination.permissions import reads_shared_only
from tianjin_towns.lib.queries import narrowed

from .. import permissions as report_perms
from ..models import Project, ProjectProgress, ProjectYearPlan, ReportStatus


def project_progress_prefetch(*, accepted_only: bool = False) -> Prefetch:
    """A project's monthly rows with their report (for the period and status), oldest month first; the rows read
    their plan from the project's `year_plans`, prefetched beside this one (see `project_prefetches`).
    `accepted_only`: the months the office has accepted, all a reader of shared data sees (数据共享)."""
    rows = ProjectProgress.objects.select_related("report").order_by("report__period")
    if accepted_only:
        rows = rows.filter(report__status=ReportStatus.ACCEPTED)
    return Prefetch("progress", queryset=rows)


def project_prefetches(*, accepted_only: bool = False) -> list:
    """What a project's page or API answer reads: its year plans and its monthly rows."""
    return [
        Prefetch("year_plans", queryset=ProjectYearPlan.objects.order_by("year")),
        project_progress_prefetch(accepted_only=accepted_only),
    ]


def project_list(
    user: AbstractBaseUser,
    *,
    district_id: int | None = None,
    town_id: int | None = None,
    status: str | None = None,
    category: str | None = None,
    year: int | None = None,
    search: str = "",
    with_progress: bool = True,
) -> QuerySet[Project]:
    """The projects `user` sees, filtered; `year` keeps those under way in that year (started by its end and
    not finished before it, or planned so). The API lists them with their monthly rows; the page without."""
    projects = report_perms.projects_for_user(user).select_related("town__unit", "town__district")
    projects = narrowed(projects, town__district_id=district_id, town_id=town_id, status=status, category=category)
    if year:
        year_start, year_end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        started = Q(actual_start__lte=year_end) | Q(actual_start__isnull=True, planned_start__lte=year_end)
        not_started = Q(actual_start__isnull=True, planned_start__isnull=True)
        unfinished = Q(actual_finish__isnull=True) | Q(actual_finish__gte=year_start)
        projects = projects.filter((started | not_started) & unfinished)
    search = (search or "").strip()
    if search:
        projects = projects.filter(Q(code__icontains=search) | Q(name__icontains=search) | Q(owner__icontains=search))
    prefetches = (
        project_prefetches(accepted_only=reads_shared_only(user))
        if with_progress
        else [Prefetch("year_plans", queryset=ProjectYearPlan.objects.order_by("year"))]
    )
    return projects.prefetch_related(*prefetches).order_by(
        "town__district__order", "town__unit__order", "town__unit__code", "code"
    )


def project_detail_parts(project: Project, *, shared_only: bool = False) -> dict:
    """What the project page shows beside its identity: plans by year, monthly rows, attachments, history. A
    reader of shared data only (a liaison) sees the accepted months and no history (an audit trail)."""
    prefetch_related_objects([project], *project_prefetches(accepted_only=shared_only))
    events = [] if shared_only else project.events.select_related("actor__profile").order_by("-at", "-pk")
    return {
        "year_plans": list(project.year_plans.all()),
        "progress": list(project.progress.all()),
        "attachments": list(project.attachments.select_related("uploaded_by__profile").order_by("uploaded_at", "pk")),
        "events": [_readable_event(e) for e in events],
    }


def _readable_event(event):
    """A project event with `readable`: [{"label", "old", "new"}], labels and choices as the user reads them."""
    labels = {f.name: str(f.verbose_name) for f in Project._meta.fields}
    choices = {"status": dict(Project.Status.choices), "category": dict(Project.Category.choices)}
    readable = []
    for name, pair in event.changes.items():
        if name == "year_plans":
            for year, (old, new) in sorted(pair.items()):
                readable.append({"label": _("%(year)s年计划投资") % {"year": year}, "old": old, "new": new})
            continue
        if name not in labels or not isinstance(pair, list):
            continue
        old, new = pair
        if name in choices:
            old, new = (str(choices[name].get(v, v)) if v else v for v in (old, new))
        readable.append({"label": labels[name], "old": old, "new": new})
    event.readable = readable
    return event
