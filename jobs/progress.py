"""Progress of a running job, kept in its RQ meta so pages can show a live bar."""

from __future__ import annotations

from typing import Any


def report_progress(current: int, total: int | None = None, *, done: bool = False) -> None:
    """Record progress on the current RQ job; a no-op when running in-process."""
    from rq import get_current_job

    rq_job = get_current_job()
    if rq_job is None:
        return
    rq_job.meta["progress"] = {"current": current, "total": total, "done": done}
    rq_job.save_meta()


def progress_of(rq_job: Any) -> dict[str, Any] | None:
    rq_job.refresh()
    return rq_job.meta.get("progress")
