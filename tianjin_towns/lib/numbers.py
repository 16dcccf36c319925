"""Numbers typed by a person or read from a spreadsheet cell: one parser, one set of messages."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def parse_decimal(
    raw,
    label: str,
    *,
    decimal_places: int,
    maximum: Decimal,
    negative_ok: bool = False,
    positive: bool = False,
) -> Decimal:
    """`raw` (text with optional thousands separators, a number or a Decimal) as a Decimal, or a ValidationError
    naming the field `label` in the user's language: not a number (infinity and NaN included), not greater than 0
    (`positive`), negative (unless `negative_ok`), beyond `maximum` either way, a fraction where `decimal_places`
    is 0, or more decimal places than allowed."""
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("「%(field)s」必须是数字。") % {"field": label}) from None
    if not value.is_finite():
        raise ValidationError(_("「%(field)s」必须是数字。") % {"field": label})
    if positive and value <= 0:
        raise ValidationError(_("「%(field)s」必须大于 0。") % {"field": label})
    if value < 0 and not negative_ok:
        raise ValidationError(_("「%(field)s」不能为负数。") % {"field": label})
    if value.copy_abs() > maximum:  # copy_abs: no context, so 1e999999999 cannot overflow
        raise ValidationError(_("「%(field)s」数值过大。") % {"field": label})
    if decimal_places == 0 and value != value.to_integral_value():
        raise ValidationError(_("「%(field)s」必须是整数。") % {"field": label})
    if value.as_tuple().exponent < -max(decimal_places, 0):
        raise ValidationError(_("「%(field)s」最多保留%(places)s位小数。") % {"field": label, "places": decimal_places})
    return value
