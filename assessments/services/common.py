"""What the assessment services share: the audit row, the people told about a district's towns, the
parsing of typed or imported amounts, the check of a year."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coordination import permissions as unit_perms
from coordination.models import OrgUnit, Town
from coordination.selectors import users_with_unit_perm
from tianjin_towns.lib.numbers import parse_decimal

from ..models import AssessmentEvent

MAX_TARGET = Decimal("99999999999999")


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
    return parse_decimal(raw, label, decimal_places=2, maximum=MAX_TARGET, positive=positive)


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度应在 2000 至 2100 之间。")})
