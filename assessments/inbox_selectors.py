"""What waits for a user in the assessments app: its part of 待我处理 (the whole of it, every app's part, is
tianjin_towns.inbox): the self-evaluations due or overdue, the runs awaiting publication.

One definition says what waits (`_self_evaluations_due`, `_runs_to_publish`); the home page lists it
(home_items), the navigation badge on every page counts it (home_items_count), so the two cannot disagree.
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, QuerySet

from coordination.models import OrgUnit
from tianjin_towns.lib import dates
from tianjin_towns.lib.queries import count_rows

from . import permissions as perms
from .models import Run, RunStatus, SelfEvaluation, SelfEvaluationKind
from .selectors import (
    SelfEvaluationSlot,
    run_list,
    self_evaluation_due,
    self_evaluation_periods,
    units_filling_self_evaluations,
    units_in_district_order,
)


def _self_evaluations_due(
    user: AbstractBaseUser, today: datetime.date
) -> list[tuple[str, datetime.date, QuerySet[OrgUnit]]]:
    """Per kind of self-evaluation, its latest ended period (this year's, else last year's) and the units whose
    form for it the user may fill and nobody has submitted, due or overdue. Nothing for whoever fills none,
    known without a query inside a request (the badge asks on every page)."""
    fillable = perms.self_evaluation_units_qs(user, perms.FILL)
    if fillable.query.is_empty():
        return []
    units = units_filling_self_evaluations(user).filter(pk__in=fillable.values("pk"))
    due = []
    for kind in (SelfEvaluationKind.MONTHLY, SelfEvaluationKind.QUARTERLY):
        periods = self_evaluation_periods(kind, today.year, today) or self_evaluation_periods(
            kind, today.year - 1, today
        )
        if not periods:
            continue
        submitted = SelfEvaluation.objects.filter(
            org_unit=OuterRef("pk"), kind=kind, period=periods[0], status=SelfEvaluation.Status.SUBMITTED
        )
        due.append((kind, periods[0], units.exclude(Exists(submitted))))
    return due


def _runs_to_publish(user: AbstractBaseUser) -> QuerySet[Run]:
    return run_list(user).filter(status=RunStatus.DRAFT) if perms.can_publish(user) else Run.objects.none()


def _slots(units: list[OrgUnit], kind: str, period: datetime.date) -> list[SelfEvaluationSlot]:
    """The units' self-evaluations of `kind` for `period`, each with its draft if one was saved; one query."""
    drafts = SelfEvaluation.objects.filter(org_unit__in=[u.pk for u in units], kind=kind, period=period)
    by_unit = {draft.org_unit_id: draft for draft in drafts} if units else {}
    due_on = self_evaluation_due(kind, period)
    return [SelfEvaluationSlot(unit, kind, period, due_on, by_unit.get(unit.pk), can_fill=True) for unit in units]


def home_items(user: AbstractBaseUser, today: datetime.date | None = None) -> dict:
    """What waits for the user here, listed for the home page: self-evaluations due or overdue (districts first
    with their towns after them), runs awaiting publication; at most two queries per kind of self-evaluation
    the user fills, and one for the office's runs."""
    today = today or dates.today()
    due = []
    for kind, period, units in _self_evaluations_due(user, today):
        due += _slots(units_in_district_order(units), kind, period)
    to_publish = list(_runs_to_publish(user))
    return {"self_evaluations": due, "runs_to_publish": to_publish, "total": len(due) + len(to_publish)}


def home_items_count(user: AbstractBaseUser, today: datetime.date | None = None) -> int:
    """`home_items(user, today)["total"]` without listing them, for the navigation badge on every page: the same
    querysets counted in one query, none for whoever fills no self-evaluation and publishes no run."""
    today = today or dates.today()
    due = [units for _kind, _period, units in _self_evaluations_due(user, today)]
    return count_rows(*due, _runs_to_publish(user))
