"""Long exports, written on their own queue so a big file never delays mail or search."""

from __future__ import annotations

from jobs.progress import report_progress
from jobs.registry import job
from marketplace.exports import services


@job("exports", timeout=3600)
def write_export(run_id: int) -> dict[str, int | str] | None:
    from rq import get_current_job

    rq_job = get_current_job()
    run = services.execute(run_id, progress=report_progress, job_id=rq_job.id if rq_job else None)
    if run is None:
        return None  # already taken by an earlier delivery of the same job
    return {"status": run.status.value, "rows": run.processed_rows}


@job("default")
def remove_expired_exports() -> int:
    """Exports are kept a day: after that the run and its file go (they may hold contact details)."""
    from marketplace.extensions import db

    removed = services.remove_expired()
    db.session.commit()
    return removed
