"""Numbers and bars of the leaders' dashboards, readable from the back of a meeting room."""

from decimal import Decimal

from django import template

from assessments.models import Grade

register = template.Library()


@register.filter
def figure(value, places=2) -> str:
    """Thousands separators; large figures without decimals (12,345,678), small ones with the
    indicator's decimals (1,200.50); '—' when there is no figure."""
    if value is None or value == "":
        return "—"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    digits = 0 if abs(number) >= 10000 else int(places or 0)
    return format(number.quantize(Decimal(1).scaleb(-digits)), ",f")


@register.filter
def pct(value) -> str:
    """45.3 → '45.3%'; '—' when there is nothing to divide by."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)).quantize(Decimal('0.1'))}%"


@register.filter
def signed_pct(value) -> str:
    """Year-on-year change: '+12.5%' or '-3.0%'."""
    if value is None:
        return "—"
    number = Decimal(str(value)).quantize(Decimal("0.1"))
    return f"+{number}%" if number > 0 else f"{number}%"


@register.filter
def bar_width(value) -> str:
    """A completion percentage as an SVG width on a 0–100 axis (beyond 100 % the bar is full)."""
    if value is None:
        return "0"
    return str(max(Decimal(0), min(Decimal(100), Decimal(str(value)))).quantize(Decimal("0.1")))


@register.filter
def grade_label(value) -> str:
    """'excellent' → '优秀'; '' stays empty (a semi-annual run has no grades)."""
    return Grade(value).label if value in Grade.values else ""
