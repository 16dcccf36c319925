"""Assessment runs (半年一小考、一年一大考, R-5.3, R-5.4): create and delete a draft, the assessment group's
manual scores, and publication, which freezes every town's result."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.models import OrgUnit, Town
from coordination.services import notify_about
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from .. import scoring, selectors
from ..models import ItemKind, ManualScore, Run, RunKind, RunResult, RunStatus, Scheme, SchemeItem
from .common import _district_people, _event, _text, parse_amount
from .schemes import check_scheme_complete


def default_run_title(year: int, kind: str) -> str:
    if kind == RunKind.SEMIANNUAL:
        return _("%(year)s年上半年特色小镇考核") % {"year": year}
    return _("%(year)s年度特色小镇考核") % {"year": year}


@transaction.atomic
def run_create(*, actor: AbstractBaseUser, scheme: Scheme, kind: str, title: str = "") -> Run:
    """A new draft run under `scheme`; a scheme whose weights do not total 100 is refused."""
    if kind not in RunKind.values:
        raise ValidationError({"kind": _("考核类别应为半年考核或年度考核。")})
    check_scheme_complete(scheme)
    run = Run.objects.create(
        scheme=scheme, kind=kind, title=(title or "").strip() or default_run_title(scheme.year, kind), created_by=actor
    )
    _event(actor, "run_create", run, changes={"kind": kind, "year": scheme.year})
    return run


def _locked_draft(run: Run) -> Run:
    run = Run.objects.select_for_update().select_related("scheme").get(pk=run.pk)
    if run.status != RunStatus.DRAFT:
        raise ConflictError(_("该考核已发布，结果已固定，不能再修改。如需更正请新建一次考核。"))
    return run


@transaction.atomic
def run_delete(*, actor: AbstractBaseUser, run: Run) -> None:
    run = _locked_draft(run)
    _event(actor, "run_delete", run, changes={"title": run.title})
    run.delete()


@dataclass
class ManualInput:
    item: SchemeItem
    town: Town
    score: object  # as typed; None or "" leaves the item unscored
    justification: str


@transaction.atomic
def manual_scores_save(*, actor: AbstractBaseUser, run: Run, entries: Iterable[ManualInput]) -> int:
    """Store the assessment group's scores of manual items, each with its written justification; all or nothing.

    An entry with no score removes that score. Returns how many scores changed.
    """
    run = _locked_draft(run)
    existing = {(m.item_id, m.town_id): m for m in ManualScore.objects.filter(run=run)}
    errors: dict[str, list[str]] = {}
    changes, to_save, to_delete = {}, [], []
    for entry in entries:
        key = f"{entry.item.pk}-{entry.town.pk}"
        if entry.item.scheme_id != run.scheme_id or entry.item.kind != ItemKind.MANUAL:
            errors[key] = [_("该考核项不是本次考核的评分项。")]
            continue
        label = f"{entry.town.name} {entry.item.name}"
        try:
            score = parse_amount(entry.score, label, positive=False)
        except ValidationError as error:
            errors[key] = error.messages
            continue
        justification = (entry.justification or "").strip()
        current = existing.get((entry.item.pk, entry.town.pk))
        if score is None:
            if current is not None:
                to_delete.append(current)
                changes[key] = [_text(current.score), None]
            continue
        if score > entry.item.weight:
            errors[key] = [
                _("%(label)s：得分不能超过该项权重 %(weight)s 分。")
                % {"label": label, "weight": scoring.plain(entry.item.weight)}
            ]
            continue
        if score.as_tuple().exponent < -1:
            errors[key] = [_("%(label)s：得分最多保留1位小数。") % {"label": label}]
            continue
        if not justification:
            errors[key] = [_("%(label)s：请写明评分依据。") % {"label": label}]
            continue
        if current is not None and current.score == score and current.justification == justification:
            continue
        if current is None:
            current = ManualScore(run=run, item=entry.item, town=entry.town)
        old = current.score if current.pk else None
        current.score, current.justification, current.scored_by = score, justification, actor
        to_save.append(current)
        changes[key] = [_text(old), _text(score), justification]
    if errors:
        raise ValidationError(errors)
    for score in to_save:
        score.save()
    for score in to_delete:
        score.delete()
    if changes:
        _event(actor, "manual_scores", run, changes=changes)
    return len(changes)


@transaction.atomic
def run_publish(*, actor: AbstractBaseUser, run: Run, today: datetime.date | None = None) -> Run:
    """Freeze the run: every town's score, rank, band or grade, proposal and breakdown are stored as they are now."""
    today = today or dates.today()
    run = _locked_draft(run)
    check_scheme_complete(run.scheme)
    if not selectors.run_period_ended(run, today):
        raise ValidationError(
            _("考核期（截至 %(end)s）尚未结束，结束后才能发布。") % {"end": dates.chinese_date(run.end)}
        )
    results = selectors.compute_run(run, today=today, final=True)
    unscored = sum(result.unscored_manual for result in results)
    if unscored:
        raise ValidationError(_("还有 %(n)s 项考核组评分未完成，请先完成评分再发布。") % {"n": unscored})
    if not results:
        raise ValidationError(_("没有参加考核的小镇，不能发布。"))
    RunResult.objects.bulk_create(
        [
            RunResult(
                run=run,
                town=result.town,
                breakdown={"items": result.breakdown(), "plan": result.plan_lines},
                **result.result_fields(),
            )
            for result in results
        ]
    )
    run.status, run.published_at, run.published_by = RunStatus.PUBLISHED, timezone.now(), actor
    run.save(update_fields=["status", "published_at", "published_by"])
    _event(actor, "run_publish", run, changes={"towns": len(results)})
    districts = OrgUnit.objects.filter(pk__in={r.town.district_id for r in results})
    recipients = [user for district in districts for user in _district_people(district)]
    notify_about(
        run,
        "assessment-run",
        recipients=recipients,
        kind="assessment_published",
        subject=_("%(title)s 结果已发布") % {"title": run.title},
        occasion=f"assessment-published:{run.pk}",
    )
    return run
