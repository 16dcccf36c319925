"""Assessment schemes (考核方案, R-5.2): save a year's scheme with its items, copy one to a new year, and
the check that a scheme's weights total 100 before a run uses it."""

from collections.abc import Mapping
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tianjin_towns.errors import ConflictError

from .. import rollups, scoring, selectors
from ..models import ItemKind, Scheme, SchemeItem
from .common import _check_year, _event, _text

WEIGHT_TOTAL = Decimal(100)


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
    old_margin = None if created else scheme.lag_margin
    for name, value in fields.items():
        setattr(scheme, name, value.strip() if isinstance(value, str) else value)
    scheme.updated_by = actor
    margin_changed = created or Decimal(str(scheme.lag_margin)) != old_margin
    scheme.save()
    if margin_changed:
        rollups.lag_refresh_year(year)  # who lags on the dashboards (issue 21)
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
