"""The background ledger export (R-3.7): a job built by a worker, its progress recorded for the page to poll."""

import io
import time

from coordination import services as org

from .. import exports, selectors

EXPORT_PROGRESS_SECONDS = 0.3  # how often the worker records its progress for the page to poll


def ledger_export_run(*, job_id: int) -> None:
    """Build the ledger workbook of an export job with the owner's current scope; safe to run again.

    Not one transaction on purpose: each progress report commits at once, so the page polling the job
    sees the bar move. The file and the "done" state are written together by export_job_finish.
    """
    job = org.export_job_start(job_id=job_id)
    if job is None:
        return  # finished already (a redelivered task)
    contents = selectors.ledger_contents(job.owner, district_id=job.params.get("district"))
    year = int(job.params["year"])
    total = max(exports.ledger_row_count(contents["towns"], year), 1)
    org.export_job_progress(job_id=job.pk, done=0, total=total)
    last_report = time.monotonic()

    def progress(done: int) -> None:
        nonlocal last_report
        if time.monotonic() - last_report >= EXPORT_PROGRESS_SECONDS:
            last_report = time.monotonic()
            org.export_job_progress(job_id=job.pk, done=done, total=total)

    output = io.BytesIO()
    exports.write_ledger_workbook(output, year=year, progress=progress, **contents)
    org.export_job_finish(job_id=job.pk, filename=job.params["filename"], content=output.getvalue())
