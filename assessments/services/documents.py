"""Issuing the office's documents about a published run (issue 20): the semi-annual briefing (考核简报, a special
issue of the office's briefing, numbered 2026年第N期) and the annual results circular (年度考核结果通报, the office's
document number 津特镇办〔2026〕N号). A draft is previewed on its page as often as wanted, never issued."""

import datetime
import io
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils.translation import gettext as _

from coordination import services as org
from coordination.models import DocumentKind, IssuedDocument
from tianjin_towns.errors import ConflictError

from ..models import Run, RunKind


def run_document_source(run: Run) -> str:
    return f"run:{run.pk}"


def run_document_not_issuable(run: Run) -> str:
    """Why a run's document cannot be issued now, '' when it can (the page says it beside the disabled 印发)."""
    return "" if run.is_published else _("考核结果发布后才能印发；发布前的文件仅供审阅。")


def _published(run: Run, kind: str) -> None:
    if run.kind != kind:
        raise ConflictError(_("该考核没有此类文件。"))
    if refusal := run_document_not_issuable(run):
        raise ConflictError(refusal)


def _run_document_issue(
    *, actor, run: Run, kind: str, title: str, filename: str, page: str, write, corrects, reason: str
) -> IssuedDocument:
    """A published run's document, issued with the office's number: `write(output, number=, issued_on=)` builds it."""

    def build(number: str, issued_on: datetime.date) -> bytes:
        output = io.BytesIO()
        write(output, number=number, issued_on=issued_on)
        return output.getvalue()

    return org.document_issue(
        actor=actor,
        kind=kind,
        source=run_document_source(run),
        title=title,
        build=build,
        filename=filename,
        source_url=reverse(page, args=[run.pk]),
        corrects=corrects,
        reason=reason,
    )


def run_briefing_issue(
    *, actor: AbstractBaseUser, run: Run, corrects: IssuedDocument | None = None, reason: str = ""
) -> IssuedDocument:
    """印发 a published semi-annual run's briefing with the briefing's next issue number."""
    from .. import document_selectors, exports  # the builders read the services' parsing helpers

    _published(run, RunKind.SEMIANNUAL)
    briefing = document_selectors.briefing(run)
    return _run_document_issue(
        actor=actor,
        run=run,
        kind=DocumentKind.ASSESSMENT_BRIEFING,
        title=exports.briefing_title(run),
        filename=exports.briefing_filename(run),
        page="assessment-run-briefing",
        write=partial(exports.write_briefing, run=run, briefing=briefing),
        corrects=corrects,
        reason=reason,
    )


def run_circular_issue(
    *, actor: AbstractBaseUser, run: Run, corrects: IssuedDocument | None = None, reason: str = ""
) -> IssuedDocument:
    """印发 a published annual run's results circular with the office's next document number. Proposals not yet
    decided go out as proposals, to be decided and told later (a correction, or the decisions' own documents)."""
    from .. import document_selectors, results_circular

    _published(run, RunKind.ANNUAL)
    circular = document_selectors.results_circular(run)
    return _run_document_issue(
        actor=actor,
        run=run,
        kind=DocumentKind.RESULTS_CIRCULAR,
        title=results_circular.results_circular_title(run),
        filename=results_circular.results_circular_filename(run),
        page="assessment-run-circular",
        write=partial(results_circular.write_results_circular, run=run, circular=circular),
        corrects=corrects,
        reason=reason,
    )
