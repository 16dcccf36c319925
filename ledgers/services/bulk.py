"""Reviewing several monthly reports in one act (批量审核, issue 19): the district leader approves, the office
accepts, each report through the same service as one at a time (monthly_report_approve, monthly_report_accept),
so the same states, checks, audit events and notifications apply.

Each report is its own transaction, not all of them one: a report another reviewer returned meanwhile, or one
with a doubt to look at, is refused on its own and the others still go through; the caller learns, report by
report, which were done and why the others were refused. One refusal undoing fourteen acceptances would only
make the reviewer do them again.

Whatever else goes wrong with one report (a database error, a bug) is caught too, logged with its traceback,
and that report named as not done: the reports before it are committed by then, and an error page would hide
from the reviewer which of the chosen reports went through.

A bulk step is stricter than a single one in one way: a report with an open flag (异常提示) is refused. Taken
one at a time, the reviewer reads each flag and the district's explanation on the report's page (and, to
accept, writes a waiver for an unexplained one); a tick in a list reads nothing, so those reports go back to
their own page.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tianjin_towns.errors import ConflictError

from .. import selectors
from ..models import DataFlag, MonthlyReport
from .common import _locked
from .reports import monthly_report_accept, monthly_report_approve

logger = logging.getLogger(__name__)

# The single-report service of each bulk step, and the verb its refusals use.
BULK_SERVICES = {"approve": monthly_report_approve, "accept": monthly_report_accept}
BULK_VERBS = {"approve": gettext_lazy("审核通过"), "accept": gettext_lazy("验收")}
# The outcome of a report whose step failed for a reason of the system's, not of the report's.
SYSTEM_ERROR = gettext_lazy("系统错误，未处理，请稍后逐份办理。")


@dataclass(frozen=True)
class BulkOutcome:
    """What became of one report of a bulk step: done, or refused with the reason."""

    report_id: int
    done: bool
    reason: str = ""


def monthly_reports_review(
    *, actor: AbstractBaseUser, reports: Iterable[MonthlyReport], step: str
) -> list[BulkOutcome]:
    """Take `step` ("approve" or "accept") on each of `reports`, each in its own transaction, through the step's
    single-report service; a refused report (its state, an open flag, an invariant of the service) or one whose
    step failed (SYSTEM_ERROR, logged) leaves the database as it was for that report and the others go on.
    Returns one outcome per report, in order.

    The caller has checked that `actor` holds the step's permission on every report's town
    (permissions.bulk_review_reports_for_user), as the single pages' doors do."""
    if step not in BULK_SERVICES:
        raise ValueError(step)
    outcomes = []
    for report in reports:
        try:
            _review_one(actor, report.pk, step)
        except ConflictError as error:
            outcomes.append(BulkOutcome(report.pk, False, error.message))
        except ValidationError as error:
            outcomes.append(BulkOutcome(report.pk, False, "；".join(error.messages)))
        except Exception:
            # Deliberately everything (a deadlock, a lost connection, a bug): it rolled back this report's
            # transaction only, the reports before it are committed, and the reviewer must learn which were done.
            logger.exception("Bulk %s of monthly report %s failed", step, report.pk)
            outcomes.append(BulkOutcome(report.pk, False, str(SYSTEM_ERROR)))
        else:
            outcomes.append(BulkOutcome(report.pk, True))
    return outcomes


@transaction.atomic
def _review_one(actor: AbstractBaseUser, report_id: int, step: str) -> None:
    """One report of a bulk step: locked, refused with an open flag, then the single-report service on it
    (in this transaction, so no flag can appear between the check and the step)."""
    report = _locked(report_id)
    _refuse_open_flags(report, BULK_VERBS[step])
    BULK_SERVICES[step](actor=actor, report=report)


def _refuse_open_flags(report: MonthlyReport, verb: str) -> None:
    open_flags = [flag for flag in selectors.report_flags(report) if flag.status == DataFlag.Status.OPEN]
    if not open_flags:
        return
    unexplained = {flag.pk for flag in selectors.unexplained_flags(report)}
    named = "；".join(
        _("%(message)s（%(state)s）")
        % {
            "message": flag.message.rstrip("。"),
            "state": _("区里未说明") if flag.pk in unexplained else _("区里已说明"),
        }
        for flag in open_flags
    )
    raise ConflictError(
        _("有 %(n)s 条异常提示待核实，不能批量%(verb)s，请打开月报逐条核实后办理：%(flags)s。")
        % {"n": len(open_flags), "verb": verb, "flags": named}
    )
