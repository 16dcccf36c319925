"""Flags at acceptance (R-3.5): no report is accepted with an open doubt.

Called by monthly_report_accept inside its transaction, on the locked report.
"""

from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tianjin_towns.errors import ConflictError

from .. import selectors
from ..models import DataFlag, MonthlyReport

WAIVER_MAX_LENGTH = 2000


def flag_label(flag: DataFlag) -> str:
    """How a message names a flag: the figure, the rule's finding, and the keys a waiver may use."""
    return _("「%(field)s」%(message)s（编号 %(id)s，规则 %(rule)s）") % {
        "field": flag.indicator.name,
        "message": flag.message,
        "id": flag.pk,
        "rule": flag.rule.code if flag.rule_id else "—",
    }


def _clean_waivers(waivers: Mapping[str, str], open_flags: list[DataFlag]) -> dict[int, str]:
    """flag id → reason, from keys that name a flag by id, rule code or indicator code."""
    errors: list[str] = []
    waived: dict[int, str] = {}
    for key, text in waivers.items():
        key = str(key).strip()
        reason = (text if isinstance(text, str) else "").strip()
        matched = [
            flag
            for flag in open_flags
            if key in (str(flag.pk), flag.indicator.code) or (flag.rule_id and key == flag.rule.code)
        ]
        if not matched:
            errors.append(_("没有待处理的异常提示“%(key)s”（请使用提示编号或规则代码）。") % {"key": key[:50]})
        elif not reason:
            errors.append(_("请填写豁免异常提示“%(key)s”的理由。") % {"key": key[:50]})
        elif len(reason) > WAIVER_MAX_LENGTH:
            errors.append(_("豁免理由不能超过%(n)s个字。") % {"n": WAIVER_MAX_LENGTH})
        else:
            for flag in matched:
                waived[flag.pk] = reason
    if errors:
        raise ValidationError({"waivers": errors})
    return waived


def close_flags_at_acceptance(
    report: MonthlyReport, actor: AbstractBaseUser, waivers: Mapping[str, str]
) -> tuple[dict[str, list], str]:
    """Close every open flag of `report` as it is accepted; return the changes and the waivers for its trail.

    A flag the district explained is confirmed (resolved) by the accepting member; one waived in `waivers`
    is closed as waived with the reason; an unexplained flag without a waiver refuses the acceptance.
    """
    open_flags = list(
        report.flags.select_for_update(of=("self",))
        .filter(status=DataFlag.Status.OPEN)
        .select_related("indicator", "rule")
        .order_by("indicator__order", "indicator__code", "pk")
    )
    if not open_flags and not waivers:
        return {}, ""
    waived = _clean_waivers(waivers, open_flags)
    unexplained = {flag.pk for flag in selectors.unexplained_flags(report)}
    refused = [flag for flag in open_flags if flag.pk in unexplained and flag.pk not in waived]
    if refused:
        raise ConflictError(
            _(
                "以下异常提示区里尚未说明，验收人也未填写豁免理由，不能验收：%(flags)s。"
                "请退回补充说明，或逐条填写豁免理由后再验收。"
            )
            % {"flags": "；".join(flag_label(flag) for flag in refused)}
        )
    now = timezone.now()
    changes: dict[str, list] = {}
    lines: list[str] = []
    for flag in open_flags:
        reason = waived.get(flag.pk)
        flag.status = DataFlag.Status.WAIVED if reason else DataFlag.Status.RESOLVED
        flag.resolved_by, flag.resolved_at = actor, now
        flag.resolution_note = reason or _("验收时采纳填报说明")
        outcome = _("验收豁免：%(reason)s") % {"reason": reason} if reason else _("验收时采纳填报说明")
        before = changes.get(flag.indicator.code, [None, None])
        changes[flag.indicator.code] = [
            "；".join(m for m in (before[0], flag.message) if m),
            outcome if before[1] in (None, outcome) else f"{before[1]}；{outcome}",
        ]
        if reason:
            lines.append(_("「%(field)s」%(reason)s") % {"field": flag.indicator.name, "reason": reason})
    DataFlag.objects.bulk_update(open_flags, ["status", "resolved_by", "resolved_at", "resolution_note"])
    waiver_text = _("验收豁免异常提示：%(lines)s") % {"lines": "；".join(lines)} if lines else ""
    return changes, waiver_text
