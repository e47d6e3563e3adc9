"""Spreadsheet imports of organisations, on their own queue so a big file never delays mail or search."""

from __future__ import annotations

from jobs.progress import report_progress
from jobs.registry import job
from marketplace.imports import services


@job("imports", timeout=2 * 3600)
def import_organizations(run_id: int) -> dict[str, int] | None:
    from rq import get_current_job

    rq_job = get_current_job()
    run = services.execute(run_id, progress=report_progress, job_id=rq_job.id if rq_job else None)
    if run is None:
        return None  # already taken by an earlier delivery of the same job
    return {
        "created": run.created_count,
        "updated": run.updated_count,
        "unchanged": run.unchanged_count,
        "rejected": run.rejected_count,
    }
