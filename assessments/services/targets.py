"""Annual targets (年度计划, R-5.1): one town's targets (the page), one target (the API), the Excel import."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coordination.models import Town
from ledgers.models import Indicator

from .. import rollups, selectors
from ..models import AssessmentEvent, Target
from .common import _check_year, _event, _text, parse_amount

TOWN_CODE_COLUMN = "B"  # of the target template (exports.write_target_template)


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
        rollups.lag_refresh([(town.pk, year)])  # the dashboards' standing against targets (issue 21)
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
    rollups.lag_refresh([(town.pk, year)])
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
