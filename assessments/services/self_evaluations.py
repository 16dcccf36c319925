"""Self-evaluations (自查自评自纠, R-5.5): a unit saves and hands in its form; the reminders of forms due
soon or overdue."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import permissions as unit_perms
from coordination.models import OrgUnit, Town
from coordination.selectors import users_with_unit_perm
from coordination.services import notify
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from .. import selectors
from ..models import SelfEvaluation, SelfEvaluationKind
from .common import _event, _text, parse_amount


def _check_period(kind: str, period: datetime.date, today: datetime.date) -> datetime.date:
    if kind not in SelfEvaluationKind.values:
        raise ValidationError({"kind": _("自评类别应为月度或季度。")})
    period = dates.month_start(period)
    kind = SelfEvaluationKind(kind)
    if not kind.starts_period(period):
        raise ValidationError({"period": _("季度自评的期间应为季度的第一个月。")})
    if not kind.period_ended(period, today):
        raise ValidationError({"period": _("该期间尚未结束，结束后再进行自评。")})
    return period


@transaction.atomic
def self_evaluation_save(
    *,
    actor: AbstractBaseUser,
    unit: OrgUnit,
    kind: str,
    period: datetime.date,
    self_score,
    summary: str = "",
    problems_found: str = "",
    corrections: str = "",
    submit: bool = False,
    today: datetime.date | None = None,
) -> SelfEvaluation:
    """Save (and with `submit`, hand in) a unit's self-evaluation; a submitted one can no longer change."""
    today = today or dates.today()
    if unit.level not in (OrgUnit.Level.DISTRICT, OrgUnit.Level.TOWN):
        raise ValidationError({"org_unit": _("自查自评由区和小镇填报。")})
    period = _check_period(kind, period, today)
    evaluation = SelfEvaluation.objects.select_for_update().filter(org_unit=unit, kind=kind, period=period).first()
    if evaluation is not None and evaluation.status == SelfEvaluation.Status.SUBMITTED:
        raise ConflictError(_("该自评已提交，不能再修改。"))
    score = parse_amount(self_score, _("自评得分"), positive=False)
    if score is not None and score > 100:
        raise ValidationError({"self_score": [_("自评得分应在 0 至 100 之间。")]})
    texts = {
        "summary": (summary or "").strip(),
        "problems_found": (problems_found or "").strip(),
        "corrections": (corrections or "").strip(),
    }
    if submit:
        errors = {}
        if score is None:
            errors["self_score"] = [_("提交前请填写自评得分。")]
        if not texts["problems_found"]:
            errors["problems_found"] = [_("请填写自查发现的问题（没有问题请写“无”）。")]
        if not texts["corrections"]:
            errors["corrections"] = [_("请填写整改措施（没有请写“无”）。")]
        if errors:
            raise ValidationError(errors)
    created = evaluation is None
    if created:
        evaluation = SelfEvaluation(
            org_unit=unit, kind=kind, period=period, due_on=selectors.self_evaluation_due(kind, period)
        )
    evaluation.self_score = score
    for name, value in texts.items():
        setattr(evaluation, name, value)
    if submit:
        evaluation.status = SelfEvaluation.Status.SUBMITTED
        evaluation.submitted_at, evaluation.submitted_by = timezone.now(), actor
    evaluation.save()
    town = Town.objects.filter(pk=unit.pk).first()
    _event(
        actor,
        "self_evaluation_submit" if submit else "self_evaluation_save",
        evaluation,
        town=town,
        changes={"self_score": _text(score), **texts},
    )
    return evaluation


REMIND_DAYS_BEFORE = 3  # the "due soon" reminder goes out this many days before the due date


@transaction.atomic
def self_evaluations_remind(*, today: datetime.date | None = None) -> int:
    """Remind the officers of every district and town whose latest self-evaluation is due within a few days
    or overdue; each unit, kind, period and occasion (soon, overdue) is told once. Returns notifications sent."""
    today = today or dates.today()
    units = list(
        OrgUnit.objects.filter(level__in=[OrgUnit.Level.DISTRICT, OrgUnit.Level.TOWN]).exclude(
            pk__in=Town.objects.filter(exited_on__isnull=False).values("pk")
        )
    )
    sent = 0
    for kind in SelfEvaluationKind.values:
        periods = selectors.self_evaluation_periods(kind, today.year, today) or selectors.self_evaluation_periods(
            kind, today.year - 1, today
        )
        if not periods:
            continue
        period, due_on = periods[0], selectors.self_evaluation_due(kind, periods[0])
        if today > due_on:
            occasion = "overdue"
        elif (due_on - today).days <= REMIND_DAYS_BEFORE:
            occasion = "soon"
        else:
            continue
        submitted = set(
            SelfEvaluation.objects.filter(kind=kind, period=period, status=SelfEvaluation.Status.SUBMITTED).values_list(
                "org_unit_id", flat=True
            )
        )
        label = SelfEvaluationKind(kind).label
        for unit in units:
            if unit.pk in submitted:
                continue
            subject = (
                _("%(unit)s %(kind)s已逾期（截止 %(due)s）")
                if occasion == "overdue"
                else _("%(unit)s %(kind)s将于 %(due)s 截止")
            ) % {"unit": unit.name, "kind": label, "due": due_on.strftime("%Y-%m-%d")}
            sent += len(
                notify(
                    recipients=users_with_unit_perm(unit, unit_perms.FILL),
                    kind="self_evaluation_due",
                    subject=subject,
                    link=reverse("assessment-self-evaluation", args=[unit.pk, kind, dates.format_period(period)]),
                    about=unit,
                    occasion=f"self-evaluation-{occasion}:{unit.pk}:{kind}:{dates.format_period(period)}",
                )
            )
    return sent
