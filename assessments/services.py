"""All writes of the assessments app: targets, the lag check, schemes, runs, manual scores, sanctions,
self-evaluations (R-5.1–R-5.5).

Each function is one business operation in one transaction: it checks its invariants, makes the
change, writes an AssessmentEvent beside it and tells the people concerned. When it raises, the
database is as it was.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import permissions as unit_perms
from coordination.models import OrgUnit, Town
from coordination.selectors import users_with_unit_perm
from coordination.services import notify, town_change_status
from ledgers.models import Indicator
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from . import scoring, selectors
from .models import (
    AssessmentEvent,
    ItemKind,
    LagFlag,
    ManualScore,
    Run,
    RunKind,
    RunResult,
    RunStatus,
    Sanction,
    Scheme,
    SchemeItem,
    SelfEvaluation,
    SelfEvaluationKind,
    Target,
)

MAX_TARGET = Decimal("99999999999999")
TOWN_CODE_COLUMN = "B"  # of the target template (exports.write_target_template)
WEIGHT_TOTAL = Decimal(100)


def _text(value) -> str | None:
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f") if isinstance(value, Decimal | int) else str(value)


def _event(
    actor, action: str, obj, *, town: Town | None = None, reason: str = "", changes: dict | None = None
) -> AssessmentEvent:
    return AssessmentEvent.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        town=town,
        reason=reason,
        changes=changes or {},
    )


def _district_people(district: OrgUnit) -> list:
    """Whom to tell about a district's towns: its information officers and its reviewing leaders."""
    return [*users_with_unit_perm(district, unit_perms.FILL), *users_with_unit_perm(district, unit_perms.APPROVE)]


def parse_amount(raw, label: str, *, positive: bool = True) -> Decimal | None:
    """A number typed by a person or read from a cell; None for empty; ValidationError naming the field."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("「%(field)s」必须是数字。") % {"field": label}) from None
    if not value.is_finite():
        raise ValidationError(_("「%(field)s」必须是数字。") % {"field": label})
    if positive and value <= 0:
        raise ValidationError(_("「%(field)s」必须大于 0。") % {"field": label})
    if value < 0:
        raise ValidationError(_("「%(field)s」不能为负数。") % {"field": label})
    if value > MAX_TARGET:
        raise ValidationError(_("「%(field)s」数值过大。") % {"field": label})
    if value.as_tuple().exponent < -2:
        raise ValidationError(_("「%(field)s」最多保留2位小数。") % {"field": label})
    return value


# --- Targets (R-5.1) ------------------------------------------------------------------------------------


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度应在 2000 至 2100 之间。")})


@transaction.atomic
def targets_save_for_town(
    *, actor: AbstractBaseUser, town: Town, year: int, values: Mapping[str, object]
) -> dict[str, Decimal | None]:
    """Set the town's targets of `year` for the given indicator codes; an empty value removes the target.

    Returns the changes as {code: new value or None}. All or nothing: one invalid figure saves none.
    """
    _check_year(year)
    indicators = selectors.indicators_by_code()
    errors, cleaned = {}, {}
    for code, raw in values.items():
        indicator = indicators.get(code)
        if indicator is None:
            errors[code] = [_("未知的统计指标：%(code)s") % {"code": code}]
            continue
        try:
            cleaned[code] = parse_amount(raw, indicator.name)
        except ValidationError as error:
            errors[code] = error.messages
    if errors:
        raise ValidationError(errors)
    existing = {t.indicator.code: t for t in Target.objects.filter(town=town, year=year).select_related("indicator")}
    changes = {}
    for code, value in cleaned.items():
        target = existing.get(code)
        old = target.value if target else None
        if old == value:
            continue
        if value is None:
            target.delete()
        elif target is None:
            Target.objects.create(town=town, year=year, indicator=indicators[code], value=value, updated_by=actor)
        else:
            target.value, target.updated_by = value, actor
            target.save(update_fields=["value", "updated_by", "updated_at"])
        changes[code] = [_text(old), _text(value)]
    if changes:
        AssessmentEvent.objects.create(
            actor=actor,
            action="targets_set",
            object_type="town",
            object_id=town.pk,
            town=town,
            changes={"year": year, "values": changes},
        )
    return {code: (Decimal(new) if new is not None else None) for code, (_old, new) in changes.items()}


@transaction.atomic
def target_set(
    *, actor: AbstractBaseUser, town: Town, year: int, indicator: Indicator, value, note: str = ""
) -> tuple[Target, bool]:
    """Create or update one target (the API's POST); returns (target, created)."""
    _check_year(year)
    amount = parse_amount(value, indicator.name)
    if amount is None:
        raise ValidationError({"value": [_("请填写年度目标值。")]})
    target = Target.objects.select_for_update().filter(town=town, year=year, indicator=indicator).first()
    created = target is None
    old = None if created else target.value
    if created:
        target = Target.objects.create(
            town=town, year=year, indicator=indicator, value=amount, note=note, updated_by=actor
        )
    else:
        target.value, target.note, target.updated_by = amount, note, actor
        target.save()
    _event(
        actor,
        "target_set",
        target,
        town=town,
        changes={"year": year, "values": {indicator.code: [_text(old), _text(amount)]}},
    )
    return target, created


@dataclass
class CellError:
    sheet: str
    row: int
    column: str
    message: str


class ImportRejected(Exception):
    """An import that stored nothing, with one error per offending cell."""

    def __init__(self, errors: list[CellError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@transaction.atomic
def targets_import(*, actor: AbstractBaseUser, year: int, rows: Iterable["TargetRow"], towns: Iterable[Town]) -> int:
    """Store the targets read from a workbook (exports.read_target_workbook): all rows or none.

    `towns` are the towns the actor may set targets for; a row naming another town is an error.
    Returns how many targets changed.
    """
    _check_year(year)
    by_code = {town.code: town for town in towns}
    rows = list(rows)
    errors = [CellError(r.sheet, r.row, r.column, r.message) for r in rows if r.message]
    plan: dict[Town, dict[str, object]] = {}
    unknown_rows = set()
    for row in rows:
        if row.message:
            continue
        town = by_code.get(row.town_code)
        if town is None:
            if (row.sheet, row.row) in unknown_rows:
                continue  # one error for the row, not one per cell
            unknown_rows.add((row.sheet, row.row))
            errors.append(
                CellError(
                    row.sheet,
                    row.row,
                    TOWN_CODE_COLUMN,
                    _("小镇编码“%(code)s”不存在或无权设置。") % {"code": row.town_code},
                )
            )
            continue
        plan.setdefault(town, {})[row.indicator] = row.value
    changed = 0
    for town, values in plan.items():
        try:
            changed += len(targets_save_for_town(actor=actor, town=town, year=year, values=values))
        except ValidationError as error:
            # parse errors were caught while reading; what is left concerns a whole row
            errors.append(CellError("", 0, town.code, "；".join(error.messages)))
    if errors:
        raise ImportRejected(errors)  # the transaction rolls back: nothing of the file is kept
    return changed


@dataclass
class TargetRow:
    """One cell of an imported target workbook: a town's target for an indicator, or the error it holds."""

    sheet: str
    row: int
    column: str
    town_code: str
    indicator: str
    value: Decimal | None
    message: str = ""


# --- The lag check "时间过半、任务过半" (R-5.1) -----------------------------------------------------------


@transaction.atomic
def targets_check_lag(*, today: datetime.date | None = None) -> int:
    """Flag each town whose year-to-date share of a target trails the elapsed share of the year by more than
    the margin, once per town, indicator and month, and tell the district's officer and leader.

    Safe to run twice: a second run in the same month flags and tells nobody again. Returns new flags.
    """
    today = today or dates.today()
    month = dates.last_ended_period(today)
    lagging = [p for p in selectors.target_completion(month.year, month=month) if p.lagging]
    if not lagging:
        return 0
    already = set(
        LagFlag.objects.filter(period=month, town__in={p.town_id for p in lagging}).values_list(
            "town_id", "indicator__code"
        )
    )
    indicators = selectors.indicators_by_code()
    new = [p for p in lagging if (p.town_id, p.indicator) not in already]
    LagFlag.objects.bulk_create(
        [
            LagFlag(
                town_id=p.town_id,
                indicator=indicators[p.indicator],
                period=month,
                target=p.target,
                actual=p.actual,
                completion=p.completion,
                expected=p.expected,
            )
            for p in new
        ],
        ignore_conflicts=True,
    )
    by_town: dict[int, list[selectors.TargetProgress]] = {}
    for progress in lagging:
        by_town.setdefault(progress.town_id, []).append(progress)
    towns = {t.pk: t for t in Town.objects.filter(pk__in=by_town).select_related("unit", "district")}
    for town_id, rows in by_town.items():
        town = towns[town_id]
        lines = "\n".join(
            _("%(indicator)s：完成 %(completion)s%%，应达 %(expected)s%%（年度目标 %(target)s %(unit)s）")
            % {
                "indicator": r.indicator_name,
                "completion": r.completion,
                "expected": r.expected,
                "target": scoring.plain(r.target),
                "unit": r.unit,
            }
            for r in rows
        )
        notify(
            recipients=_district_people(town.unit),
            kind="target_lag",
            subject=_("进度预警：%(town)s 截至%(month)s有 %(n)s 项指标进度滞后")
            % {"town": town.name, "month": f"{month.year}年{month.month}月", "n": len(rows)},
            body=lines,
            link=f"{reverse('assessment-targets')}?year={month.year}&district={town.district_id}",
            about=town.unit,
            occasion=f"target-lag:{town.pk}:{dates.format_period(month)}",
        )
    return len(new)


# --- Schemes (R-5.2) ----------------------------------------------------------------------------------------

SCHEME_FIELDS = (
    "name",
    "description",
    "excellent_min",
    "good_min",
    "pass_min",
    "reward_count",
    "plan_met_share",
    "warnings_before_downgrade",
    "fails_before_exit",
    "lag_margin",
)
ITEM_FIELDS = ("name", "kind", "weight", "indicator", "cap", "floor", "late_credit", "guidance")


def weight_total_error(total: Decimal) -> str:
    return _("各考核项权重合计为 %(total)s 分，应为 100 分。请调整权重后再保存。") % {"total": scoring.plain(total)}


def _check_scheme(fields: Mapping, items: list[Mapping]) -> None:
    errors: dict[str, list[str]] = {}
    if not (fields.get("name") or "").strip():
        errors.setdefault("name", []).append(_("请填写方案名称。"))
    if not fields["pass_min"] <= fields["good_min"] <= fields["excellent_min"] <= 100:
        errors.setdefault("excellent_min", []).append(_("等次分数线应满足：合格 ≤ 良好 ≤ 优秀 ≤ 100。"))
    if not items:
        errors.setdefault("items", []).append(_("考核方案至少要有一个考核项。"))
    for index, item in enumerate(items, start=1):
        label = _("第 %(n)s 项") % {"n": index}
        if not (item.get("name") or "").strip():
            errors.setdefault("items", []).append(_("%(item)s：请填写考核项名称。") % {"item": label})
        if item["weight"] is None or item["weight"] <= 0:
            errors.setdefault("items", []).append(_("%(item)s：权重必须大于 0。") % {"item": label})
        if item["kind"] == ItemKind.COMPLETION and item.get("indicator") is None:
            errors.setdefault("items", []).append(_("%(item)s：目标完成率须选择指标。") % {"item": label})
        if item["kind"] == ItemKind.COMPLETION and item["floor"] > item["cap"]:
            errors.setdefault("items", []).append(_("%(item)s：保底不能高于封顶。") % {"item": label})
    total = sum((item["weight"] or Decimal(0) for item in items), Decimal(0))
    if items and total != WEIGHT_TOTAL:
        errors.setdefault("items", []).append(weight_total_error(total))
    if errors:
        raise ValidationError(errors)


def _item_defaults(item: Mapping) -> dict:
    defaults = {
        "name": (item.get("name") or "").strip(),
        "kind": item["kind"],
        "weight": item["weight"],
        "indicator": item.get("indicator") if item["kind"] == ItemKind.COMPLETION else None,
        "cap": item.get("cap") if item.get("cap") is not None else Decimal(100),
        "floor": item.get("floor") if item.get("floor") is not None else Decimal(0),
        "late_credit": item.get("late_credit") if item.get("late_credit") is not None else Decimal(50),
        "guidance": (item.get("guidance") or "").strip(),
    }
    return defaults


def _scheme_snapshot(scheme: Scheme) -> dict:
    return {
        "fields": {name: _text(getattr(scheme, name)) for name in SCHEME_FIELDS},
        "items": [
            {
                "name": item.name,
                "kind": item.kind,
                "weight": _text(item.weight),
                "indicator": item.indicator.code if item.indicator_id else None,
            }
            for item in selectors.scheme_items(scheme)
        ],
    }


@transaction.atomic
def scheme_save(
    *, actor: AbstractBaseUser, scheme: Scheme | None, year: int, fields: Mapping, items: list[Mapping]
) -> Scheme:
    """Create (scheme None) or replace a year's scheme with its items; refused unless the weights total 100.

    `items` are dicts of ITEM_FIELDS plus "id" for an existing item (kept, so its manual scores stay).
    Published runs are frozen and do not change; draft runs follow the new weights when next read.
    """
    _check_year(year)
    items = [{**_item_defaults(item), "id": item.get("id")} for item in items]
    fields = {name: fields[name] for name in SCHEME_FIELDS if name in fields}
    _check_scheme({**{n: getattr(Scheme, n).field.get_default() for n in SCHEME_FIELDS}, **fields}, items)
    created = scheme is None
    if created:
        if Scheme.objects.filter(year=year).exists():
            raise ConflictError(_("%(year)s 年度的考核方案已存在，请直接修改。") % {"year": year})
        scheme = Scheme(year=year)
        before = None
    else:
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        before = _scheme_snapshot(scheme)
    for name, value in fields.items():
        setattr(scheme, name, value.strip() if isinstance(value, str) else value)
    scheme.updated_by = actor
    scheme.save()
    kept = {item.pk: item for item in scheme.items.all()}
    keep_ids = set()
    for order, data in enumerate(items, start=1):
        item = kept.get(int(data["id"])) if data.get("id") else None
        if item is None:
            item = SchemeItem(scheme=scheme)
        for name in ITEM_FIELDS:
            setattr(item, name, data[name])
        item.order = order
        item.save()
        keep_ids.add(item.pk)
    scheme.items.exclude(pk__in=keep_ids).delete()
    _event(
        actor,
        "scheme_create" if created else "scheme_update",
        scheme,
        changes={"before": before, "after": _scheme_snapshot(scheme)},
    )
    return scheme


@transaction.atomic
def scheme_copy(*, actor: AbstractBaseUser, scheme: Scheme, year: int) -> Scheme:
    """Start the scheme of `year` from an earlier one (same items, weights and rules)."""
    fields = {name: getattr(scheme, name) for name in SCHEME_FIELDS}
    fields["name"] = scheme.name.replace(str(scheme.year), str(year))
    items = [{name: getattr(item, name) for name in ITEM_FIELDS} for item in selectors.scheme_items(scheme)]
    return scheme_save(actor=actor, scheme=None, year=year, fields=fields, items=items)


def check_scheme_complete(scheme: Scheme) -> None:
    total = selectors.scheme_weight_total(selectors.scheme_items(scheme))
    if total != WEIGHT_TOTAL:
        raise ValidationError(weight_total_error(total))


# --- Runs (R-5.3, R-5.4) --------------------------------------------------------------------------------------


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
    if run.end >= today:
        raise ValidationError(
            _("考核期（截至 %(end)s）尚未结束，结束后才能发布。") % {"end": run.end.strftime("%Y-%m-%d")}
        )
    results = selectors.compute_run(run, today=today)
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
                town_name=result.town.name,
                district_name=result.town.district.name,
                score=result.score,
                rank=result.rank,
                district_rank=result.district_rank,
                grade=result.grade,
                band=result.band,
                plan_met=result.plan_met,
                reward=result.reward,
                sanction_proposed=result.sanction,
                proposal_reason=result.proposal_reason,
                breakdown={"items": result.breakdown(), "plan": result.plan_lines},
            )
            for result in results
        ]
    )
    run.status, run.published_at, run.published_by = RunStatus.PUBLISHED, timezone.now(), actor
    run.save(update_fields=["status", "published_at", "published_by"])
    _event(actor, "run_publish", run, changes={"towns": len(results)})
    districts = OrgUnit.objects.filter(pk__in={r.town.district_id for r in results})
    recipients = [user for district in districts for user in _district_people(district)]
    notify(
        recipients=recipients,
        kind="assessment_published",
        subject=_("%(title)s 结果已发布") % {"title": run.title},
        link=reverse("assessment-run", args=[run.pk]),
        about=run,
        occasion=f"assessment-published:{run.pk}",
    )
    return run


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


# --- Self-evaluations (R-5.5) ---------------------------------------------------------------------------------


def _check_period(kind: str, period: datetime.date, today: datetime.date) -> datetime.date:
    if kind not in SelfEvaluationKind.values:
        raise ValidationError({"kind": _("自评类别应为月度或季度。")})
    period = dates.month_start(period)
    step = 3 if kind == SelfEvaluationKind.QUARTERLY else 1
    if kind == SelfEvaluationKind.QUARTERLY and period.month % 3 != 1:
        raise ValidationError({"period": _("季度自评的期间应为季度的第一个月。")})
    if dates.add_months(period, step) > today:
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
