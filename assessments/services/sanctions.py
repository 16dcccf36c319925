"""Sanctions (R-5.4): the office confirms or overrides the sanction an annual run proposes for a town."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from coordination.models import Town
from coordination.services import notify, town_change_status
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from .. import scoring
from ..models import Run, RunKind, RunResult, RunStatus, Sanction
from .common import _district_people, _event


@transaction.atomic
def run_decide_sanction(
    *,
    actor: AbstractBaseUser,
    run: Run,
    town: Town,
    decision: str,
    reason: str,
    decided_on: datetime.date | None = None,
) -> RunResult:
    """The office confirms or overrides the proposed sanction of a town in a published annual run.

    A warning, downgrade or exit changes the town's status through the coordination service, with a
    dated, reasoned history row; "none" records that no sanction is taken.
    """
    decided_on = decided_on or dates.today()
    run = Run.objects.select_for_update().select_related("scheme").get(pk=run.pk)
    if run.kind != RunKind.ANNUAL:
        raise ConflictError(_("半年考核不与奖惩挂钩，不作处理决定。"))
    if run.status != RunStatus.PUBLISHED:
        raise ConflictError(_("考核结果发布后才能对建议处理作出决定。"))
    result = RunResult.objects.select_for_update().filter(run=run, town=town).first()
    if result is None or not result.sanction_proposed:
        raise ConflictError(_("该小镇在本次考核中没有建议处理事项。"))
    if result.sanction_decided:
        raise ConflictError(
            _("已于 %(date)s 作出决定：%(decision)s。")
            % {"date": result.decided_on, "decision": Sanction(result.sanction_decided).label}
        )
    if decision not in Sanction.values:
        raise ValidationError({"decision": _("请选择处理决定。")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写作出该决定的理由。")})
    if decision != Sanction.NONE:
        town_change_status(
            actor=actor,
            town=town,
            status=scoring.SANCTION_STATUS[decision],
            reason=_("%(run)s：%(sanction)s。%(reason)s")
            % {"run": run.title, "sanction": Sanction(decision).label, "reason": reason},
            decided_on=decided_on,
        )
    result.sanction_decided, result.decision_reason = decision, reason
    result.decided_on, result.decided_by = decided_on, actor
    result.save(update_fields=["sanction_decided", "decision_reason", "decided_on", "decided_by"])
    confirmed = decision == result.sanction_proposed
    _event(
        actor,
        "sanction_confirm" if confirmed else "sanction_override",
        result,
        town=town,
        reason=reason,
        changes={"proposed": result.sanction_proposed, "decided": decision},
    )
    notify(
        recipients=_district_people(town.district),
        kind="assessment_sanction",
        subject=_("%(town)s %(run)s处理决定：%(decision)s")
        % {"town": town.name, "run": run.title, "decision": Sanction(decision).label},
        body=reason,
        link=reverse("assessment-town", args=[run.pk, town.pk]),
        about=result,
        occasion=f"assessment-sanction:{result.pk}",
    )
    return result
