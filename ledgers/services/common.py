"""What every ledger service shares: the audit context around a service and the parsing of figures."""

import functools
import uuid
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

import pghistory
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _
from pghistory import runtime as pghistory_runtime

from ..models import MAX_FIGURE

MAX_VALUE = MAX_FIGURE


def audited(service):
    """Run a service inside a pghistory context that names it and its actor (R-3.5 audit trail).

    The database triggers attach this context to every change of statistics the service makes, so
    the trail tells the services' changes (already described by their ReportEvent) from changes
    made around them (admin, bulk updates, SQL), and knows who made each.
    """

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        metadata = {"service": service.__name__}
        actor = kwargs.get("actor")
        if getattr(actor, "pk", None) is not None:
            metadata["user"] = actor.pk
        with _operation_context(metadata):
            return service(*args, **kwargs)

    return wrapper


@contextmanager
def _operation_context(metadata: dict):
    """A pghistory context of its own for one service call, even inside another context.

    pghistory merges nested contexts into the outer one (one row for a whole request or command), so
    the last service's user and reason would be written over the earlier ones'. Here each call gets a
    fresh context id that inherits the outer metadata (the request's user and URL) and adds its own.
    """
    outer = getattr(pghistory_runtime._tracker, "value", None)
    if outer is None:
        with pghistory.context(**metadata):
            yield
        _forget_context()
        return
    pghistory_runtime._tracker.value = pghistory_runtime.Context(
        id=uuid.uuid4(), metadata={**outer.metadata, **metadata}
    )
    try:
        yield
    finally:
        pghistory_runtime._tracker.value = outer


def _forget_context() -> None:
    """pghistory sets its context with SET LOCAL, which lasts to the end of the transaction: inside an
    outer transaction, changes made after the service and outside any context would be attributed to it."""
    if connection.in_atomic_block and connection.savepoint_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pghistory.context_id', '', true), set_config('pghistory.context_metadata', '', true)"
            )


def _audit_reason(reason: str) -> None:
    """Add the why to the current audit context (the one `audited` entered)."""
    if reason:
        pghistory.context(reason=reason)


def _number(raw, label: str, decimal_places: int, *, negative_ok: bool = False) -> Decimal:
    """Parse one figure, or raise a message naming the field in the user's language.

    Indicator figures pass `negative_ok`: their sign is the non-negative validation rule's business.
    """
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("「%(field)s」必须是数字。") % {"field": label}) from None
    if not value.is_finite():
        raise ValidationError(_("「%(field)s」必须是数字。") % {"field": label})
    if value < 0 and not negative_ok:
        raise ValidationError(_("「%(field)s」不能为负数。") % {"field": label})
    if value.copy_abs() > MAX_VALUE:  # copy_abs: no context, so 1e999999999 cannot overflow
        raise ValidationError(_("「%(field)s」数值过大。") % {"field": label})
    if decimal_places == 0 and value != value.to_integral_value():
        raise ValidationError(_("「%(field)s」必须是整数。") % {"field": label})
    if value.as_tuple().exponent < -max(decimal_places, 0):
        raise ValidationError(_("「%(field)s」最多保留%(places)s位小数。") % {"field": label, "places": decimal_places})
    return value


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")
