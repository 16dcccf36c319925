"""Writes of the project ledger (重点项目台账, R-3.3): a project's identity, its plan per year, its attachments.

A project's plan may change at any time; months already accepted keep the plan they were accepted with
(ProjectProgress.total_investment_at / annual_plan_at, frozen by `progress_plans_freeze` when the month
is accepted), so a change here never rewrites an accepted month.
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coordination.models import Town
from tianjin_towns.lib import dates

from ..models import MonthlyReport, Project, ProjectAttachment, ProjectEvent, ProjectYearPlan
from .common import _number, _stored_upload, _text, audited

PROJECT_FIELDS = (
    "name",
    "category",
    "content",
    "owner",
    "total_investment",
    "status",
    "planned_start",
    "planned_finish",
    "actual_start",
    "actual_finish",
    "land_mu",
)
# Shorthands also accepted by project_create/project_update (the API's and seed data's older shape):
# `annual_investment` is this year's plan, `year_plans` the plans by year.
PLAN_FIELDS = ("annual_investment", "year_plans")
MIN_YEAR, MAX_YEAR = 2000, 2100


def _plain(value) -> str | None:
    """A field's value as the history shows it."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return _text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _clean_year_plans(raw: Iterable[Mapping[str, object]] | Mapping | None) -> dict[int, Decimal | None]:
    """{year: amount} from [{"year", "amount"}, …] (or a {year: amount} mapping); amount None removes a year."""
    if raw is None:
        return {}
    items = raw.items() if isinstance(raw, Mapping) else [(row.get("year"), row.get("amount")) for row in raw]
    plans: dict[int, Decimal | None] = {}
    errors: list[str] = []
    for year, amount in items:
        try:
            year = int(year)
        except (TypeError, ValueError):
            errors.append(_("年度「%(year)s」不是有效的年份。") % {"year": year})
            continue
        if not MIN_YEAR <= year <= MAX_YEAR:
            errors.append(_("年度「%(year)s」不是有效的年份。") % {"year": year})
            continue
        if year in plans:
            errors.append(_("%(year)s年的计划重复填写。") % {"year": year})
            continue
        if amount is None or (isinstance(amount, str) and not amount.strip()):
            plans[year] = None
            continue
        try:
            plans[year] = _number(amount, _("%(year)s年计划投资") % {"year": year}, 2)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"year_plans": errors})
    return plans


def _split(fields: dict) -> tuple[dict, dict[int, Decimal | None]]:
    """The identity fields and the year plans of a create/update call; unknown names are refused."""
    unknown = set(fields) - set(PROJECT_FIELDS) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({name: [_("未知字段。")] for name in unknown})
    plans = _clean_year_plans(fields.pop("year_plans", None))
    if "annual_investment" in fields:
        annual = fields.pop("annual_investment")
        this_year = dates.today().year
        if this_year not in plans:
            plans[this_year] = None if annual is None else _number(annual, _("年度计划投资"), 2)
    for name in ("content", "owner", "name"):
        if name in fields and fields[name] is not None:
            fields[name] = str(fields[name]).strip()
    return fields, plans


def _check_dates(project: Project) -> None:
    errors = {}
    if project.planned_start and project.planned_finish and project.planned_finish < project.planned_start:
        errors["planned_finish"] = [_("计划竣工日期不能早于计划开工日期。")]
    if project.actual_start and project.actual_finish and project.actual_finish < project.actual_start:
        errors["actual_finish"] = [_("实际竣工日期不能早于实际开工日期。")]
    if project.actual_finish and not project.actual_start:
        errors["actual_start"] = [_("已填写实际竣工日期，请同时填写实际开工日期。")]
    if project.actual_start and project.actual_start > dates.today():
        errors["actual_start"] = [_("实际开工日期不能晚于今天。")]
    if project.actual_finish and project.actual_finish > dates.today():
        errors["actual_finish"] = [_("实际竣工日期不能晚于今天。")]
    if project.status == Project.Status.COMPLETED and not project.actual_finish:
        errors.setdefault("actual_finish", []).append(_("竣工投产的项目请填写实际竣工日期。"))
    if errors:
        raise ValidationError(errors)


def _apply_plans(project: Project, plans: dict[int, Decimal | None]) -> dict[str, list]:
    """Write the year plans; return {year: [old, new]} of those that changed."""
    stored = {plan.year: plan for plan in ProjectYearPlan.objects.select_for_update().filter(project=project)}
    changes: dict[str, list] = {}
    for year, amount in sorted(plans.items()):
        plan = stored.get(year)
        old = plan.amount if plan else None
        if old == amount:
            continue
        changes[str(year)] = [_plain(old), _plain(amount)]
        if amount is None:
            plan.delete()
        elif plan is None:
            ProjectYearPlan.objects.create(project=project, year=year, amount=amount)
        else:
            plan.amount = amount
            plan.save(update_fields=["amount"])
    return changes


@transaction.atomic
@audited
def project_create(*, actor: AbstractBaseUser | None, town: Town, code: str, **fields) -> Project:
    """Register a project of `town` with its plans by year (`year_plans`: [{"year", "amount"}, …])."""
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": [_("请填写项目编号。")]})
    if Project.objects.filter(town=town, code=code).exists():
        raise ValidationError({"code": [_("本小镇已有编号为 %(code)s 的项目。") % {"code": code}]})
    fields, plans = _split(dict(fields))
    project = Project(town=town, code=code, **fields)
    project.full_clean()
    _check_dates(project)
    project.save()
    plan_changes = _apply_plans(project, plans)
    changes = {
        name: [None, _plain(getattr(project, name))] for name in PROJECT_FIELDS if _plain(getattr(project, name))
    }
    if plan_changes:
        changes["year_plans"] = plan_changes
    ProjectEvent.objects.create(project=project, actor=actor, action=ProjectEvent.Action.CREATE, changes=changes)
    return project


@transaction.atomic
@audited
def project_update(*, actor: AbstractBaseUser | None, project: Project, **fields) -> Project:
    """Change a project's identity or plans. Accepted months keep the plan they were accepted with."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    fields, plans = _split(dict(fields))
    before = {name: _plain(getattr(project, name)) for name in PROJECT_FIELDS}
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    _check_dates(project)
    project.save()
    changes = {
        name: [before[name], _plain(getattr(project, name))]
        for name in PROJECT_FIELDS
        if before[name] != _plain(getattr(project, name))
    }
    plan_changes = _apply_plans(project, plans)
    if plan_changes:
        changes["year_plans"] = plan_changes
    if changes:
        ProjectEvent.objects.create(project=project, actor=actor, action=ProjectEvent.Action.UPDATE, changes=changes)
    return project


@transaction.atomic
@audited
def project_attachment_add(*, actor: AbstractBaseUser, project: Project, file, note: str = "") -> ProjectAttachment:
    """Attach a document to a project (the same file types and checks as a report's evidence)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    attachment = _stored_upload(ProjectAttachment, file, actor=actor, note=note, project=project)
    ProjectEvent.objects.create(
        project=project,
        actor=actor,
        action=ProjectEvent.Action.ATTACH,
        changes={"attachments": [None, attachment.name]},
    )
    return attachment


def progress_plans_freeze(report: MonthlyReport) -> int:
    """Record, on each progress row of `report`, the plan it is accepted against (called by monthly_report_accept)."""
    rows = list(report.project_progress.select_related("project").prefetch_related("project__year_plans"))
    for row in rows:
        row.total_investment_at = row.project.total_investment
        row.annual_plan_at = row.project.plan_for_year(report.period.year)
    if rows:
        type(rows[0]).objects.bulk_update(rows, ["total_investment_at", "annual_plan_at"])
    return len(rows)
