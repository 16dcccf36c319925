"""The project rows of monthly reports (R-3.3): saved with the report's figures, their cumulative
investment (本年累计, 开工累计) derived from the monthly figures, and recomputed when an earlier month changes.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from ..models import MonthlyReport, Project, ProjectProgress, ReportEvent
from .common import _event, _number, _text, audited

PROGRESS_TEXT_FIELDS = ("physical_progress", "problems")


def _save_progress(report: MonthlyReport, rows: Iterable[Mapping[str, object]]) -> dict:
    """Upsert the report's project rows; cumulative figures are derived from earlier months."""
    parsed = _parse_progress(report, rows)
    earlier_year, earlier_total = _earlier_investment(report, [project for project, _m, _t in parsed])
    existing = {p.project_id: p for p in report.project_progress.all()}
    changes: dict[str, dict] = {}
    for project, month, texts in parsed:
        fields = {
            "investment_month": month,
            "investment_year": earlier_year.get(project.pk, Decimal(0)) + month,
            "investment_total": earlier_total.get(project.pk, Decimal(0)) + month,
            **texts,
        }
        row = existing.get(project.pk)
        diff = {}
        for name, new in fields.items():
            old = getattr(row, name) if row else None
            if old != new:
                diff[name] = [
                    _text(old) if isinstance(old, Decimal) else old,
                    _text(new) if isinstance(new, Decimal) else new,
                ]
        if not diff:
            continue
        changes[project.code] = diff
        if row is None:
            ProjectProgress.objects.create(project=project, report=report, **fields)
        else:
            for name, new in fields.items():
                setattr(row, name, new)
            row.save()
    return changes


def _parse_progress(report: MonthlyReport, rows: Iterable[Mapping[str, object]]) -> list[tuple]:
    """(project, month's investment, texts) per row, or ValidationError naming each bad row's field."""
    rows = list(rows)
    project_ids = [row.get("project") for row in rows]
    projects = {p.pk: p for p in Project.objects.filter(town=report.town, pk__in=[p for p in project_ids if p])}
    errors: dict[str, list[str]] = {}
    parsed = []
    for index, row in enumerate(rows):
        project = projects.get(_int_or_none(row.get("project")))
        if project is None:
            errors[f"progress[{index}].project"] = [_("项目不存在或不属于本小镇。")]
            continue
        try:
            month = _number(
                row.get("investment_month") or 0, _("%(project)s 本月完成投资") % {"project": project.name}, 2
            )
        except ValidationError as error:
            errors[f"progress[{index}].investment_month"] = error.messages
            continue
        parsed.append((project, month, {f: str(row.get(f) or "").strip() for f in PROGRESS_TEXT_FIELDS}))
    if errors:
        raise ValidationError(errors)
    return parsed


def _earlier_investment(report: MonthlyReport, projects: list[Project]) -> tuple[dict, dict]:
    """The projects' investment in the months before the report's: since January, and since they started."""
    year_start = report.period.replace(month=1)
    earlier = (
        ProjectProgress.objects.filter(project__in=projects, report__period__lt=report.period)
        .values("project")
        .annotate(total=Sum("investment_month"))
    )
    earlier_total = {row["project"]: row["total"] for row in earlier}
    earlier_year = {
        row["project"]: row["total"]
        for row in ProjectProgress.objects.filter(
            project__in=projects, report__period__lt=report.period, report__period__gte=year_start
        )
        .values("project")
        .annotate(total=Sum("investment_month"))
    }
    return earlier_year, earlier_total


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _recompute_cumulatives(actor, projects, *, skip_report: MonthlyReport | None = None) -> int:
    """Bring every month's 本年累计 and 开工累计 of `projects` in line with their monthly figures.

    A correction of an earlier month changes the cumulative figures of the months after it; those
    reports get a RECALCULATE event naming what moved. Returns how many rows changed.
    """
    rows = list(
        ProjectProgress.objects.filter(project__in=projects)
        .select_related("report", "project")
        .order_by("project_id", "report__period")
    )
    changed: list[ProjectProgress] = []
    per_report: dict[int, dict] = defaultdict(dict)
    reports: dict[int, MonthlyReport] = {}
    total: dict[int, Decimal] = {}
    year_total: dict[tuple[int, int], Decimal] = {}
    for row in rows:
        key = (row.project_id, row.report.period.year)
        year_total[key] = year_total.get(key, Decimal(0)) + row.investment_month
        total[row.project_id] = total.get(row.project_id, Decimal(0)) + row.investment_month
        fields = {"investment_year": year_total[key], "investment_total": total[row.project_id]}
        diff = {
            name: [_text(getattr(row, name)), _text(new)] for name, new in fields.items() if getattr(row, name) != new
        }
        if not diff:
            continue
        for name, new in fields.items():
            setattr(row, name, new)
        changed.append(row)
        reports[row.report_id] = row.report
        per_report[row.report_id][row.project.code] = diff
    if changed:
        ProjectProgress.objects.bulk_update(changed, ["investment_year", "investment_total"])
    for report_id, project_changes in per_report.items():
        if skip_report is None or report_id != skip_report.pk:
            report = reports[report_id]
            _event(report, actor, ReportEvent.Action.RECALCULATE, report.status, changes={"projects": project_changes})
    return len(changed)


@transaction.atomic
@audited
def project_cumulatives_recompute(*, actor: AbstractBaseUser | None, projects) -> int:
    """Recompute the projects' cumulative investment from their monthly figures (an admin action)."""
    return _recompute_cumulatives(actor, projects)
