"""Writes of the indicator catalogue (SPEC §7, R-1.7): its maintainers add indicators and set the months
each one applies (`active_from`, `active_to`). Retiring an indicator is setting its last month."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tianjin_towns.lib import dates

from ..models import Indicator, ReportValue
from ..summaries import month_figures_rebuild
from .common import audited

INDICATOR_FIELDS = (
    "code",
    "name",
    "unit",
    "kind",
    "keeps_cumulative",
    "part_of",
    "decimal_places",
    "order",
    "active_from",
    "active_to",
)


def _check(indicator: Indicator, *, old: Indicator | None) -> None:
    """Months are the first of a month and ordered; a change never hides figures already stored."""
    for name in ("active_from", "active_to"):
        value = getattr(indicator, name)
        if value is not None:
            setattr(indicator, name, dates.month_start(value))
    errors: dict[str, list[str]] = {}
    if indicator.active_from and indicator.active_to and indicator.active_to < indicator.active_from:
        errors["active_to"] = [_("停用月份不能早于启用月份。")]
    if old is not None and not errors:
        # Figures stored for months outside the new range would vanish from their reports: refuse it.
        stored = ReportValue.objects.filter(indicator=old)
        outside = stored.none()
        if indicator.active_from:
            outside = outside | stored.filter(report__period__lt=indicator.active_from)
        if indicator.active_to:
            outside = outside | stored.filter(report__period__gt=indicator.active_to)
        first = outside.order_by("report__period").values_list("report__period", flat=True).first()
        if first is not None:
            field = "active_from" if indicator.active_from and first < indicator.active_from else "active_to"
            errors[field] = [
                _("%(period)s 已有该指标的填报数据，适用月份须包含该月。") % {"period": dates.format_period(first)}
            ]
        if old.code != indicator.code and stored.exists():
            errors["code"] = [_("该指标已有填报数据，代码不能修改（接口和导入模板按代码识别指标）。")]
    if indicator.part_of_id and indicator.part_of_id == indicator.pk:
        errors["part_of"] = [_("指标不能是自己的其中项。")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@audited
def indicator_create(*, actor: AbstractBaseUser | None, **fields) -> Indicator:
    """Add an indicator to the catalogue; reports of months from `active_from` on require it."""
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise ValidationError({name: [_("未知字段。")] for name in unknown})
    indicator = Indicator(**fields)
    _check(indicator, old=None)
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
@audited
def indicator_update(*, actor: AbstractBaseUser | None, indicator: Indicator, **fields) -> Indicator:
    """Change an indicator; setting `active_to` retires it after that month."""
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise ValidationError({name: [_("未知字段。")] for name in unknown})
    old = Indicator.objects.select_for_update().get(pk=indicator.pk)
    indicator = Indicator.objects.get(pk=indicator.pk)
    for name, value in fields.items():
        setattr(indicator, name, value)
    _check(indicator, old=old)
    indicator.full_clean()
    indicator.save()
    if indicator.kind != old.kind:
        # A flow's year to date is a sum, a stock's its latest month: the dashboards' rollups change with it.
        month_figures_rebuild()
    return indicator
