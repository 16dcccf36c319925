"""What every ledger service shares: the audit context around a service, the parsing of figures, and the
steps of a report's workflow (lock the row, check the transition, write the trail, tell the next people)."""

import functools
import uuid
from contextlib import contextmanager
from decimal import Decimal

import pghistory
from django.db import connection
from django.utils.translation import gettext as _
from pghistory import runtime as pghistory_runtime

from coordination import permissions as unit_perms
from coordination.selectors import users_with_unit_perm
from coordination.services import notify_about
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib.numbers import parse_decimal

from ..evidence import check_evidence_file
from ..models import MAX_FIGURE, MonthlyReport, ReportEvent, ReportStatus

MAX_VALUE = MAX_FIGURE


def audited(service=None, *, name: str | None = None):
    """Run a service inside a pghistory context that names it and its actor (R-3.5 audit trail).

    The database triggers attach this context to every change of statistics the service makes, so
    the trail tells the services' changes (already described by their ReportEvent) from changes
    made around them (admin, bulk updates, SQL), and knows who made each. `@audited(name=...)` names
    a step after the service it is the first part of (the trail keeps one label per operation).
    """
    if service is None:
        return functools.partial(audited, name=name)

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        metadata = {"service": name or service.__name__}
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
    return parse_decimal(raw, label, decimal_places=decimal_places, maximum=MAX_VALUE, negative_ok=negative_ok)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


# --- The steps of a report's workflow -------------------------------------------------------------


def _event(report: MonthlyReport, actor, action: str, from_status: str, reason: str = "", changes=None) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=report.status,
        reason=reason,
        changes=changes or {},
    )


def _locked(report_id: int) -> MonthlyReport:
    return MonthlyReport.objects.select_for_update().select_related("town__unit").get(pk=report_id)


def _tell(obj, event, recipients, kind: str, subject: str, body: str = "", *, page: str = "report-detail") -> None:
    """Notify the next people in a workflow (a report's, or work information's); the event id makes each
    step's occasion unique. `page` is the URL name of the object's page."""
    notify_about(
        obj, page, recipients=recipients, kind=kind, subject=subject, body=body, occasion=f"{kind}:{obj.pk}:{event.pk}"
    )


def _filers(report: MonthlyReport) -> list:
    return [report.submitted_by, *users_with_unit_perm(report.town.unit, unit_perms.FILL)]


def _transition(report: MonthlyReport, allowed_from: set[str], verb: str) -> str:
    if report.status not in allowed_from:
        raise ConflictError(
            _("月报当前状态为“%(status)s”，不能%(verb)s。")
            % {"status": ReportStatus(report.status).label, "verb": verb}
        )
    return report.status


def _stored_upload(model, file, *, actor, note: str, **owner):
    """A new `model` row (a report's evidence file, a project's attachment) of `owner` holding the upload `file`,
    once the file passed the evidence checks (type by content, size)."""
    checked = check_evidence_file(file)
    row = model(
        **owner,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        note=(note or "").strip()[:200],
        uploaded_by=actor,
    )
    row.file.save(checked.name, file, save=False)
    row.save()
    return row
