"""Search indexing jobs."""

from __future__ import annotations

from jobs.registry import job
from marketplace.extensions import db
from marketplace.indexing import services


@job("search", retries=5, retry_intervals=(2, 10, 30, 120, 600))
def drain_search_outbox() -> int:
    """Apply every pending outbox entry, batch by batch, committing each batch."""
    applied = 0
    while True:
        report = services.drain_once()
        db.session.commit()
        applied += report.applied
        if report.failed:
            raise RuntimeError(f"{report.failed} search writes failed; RQ will retry")
        if report.applied == 0:
            return applied


@job("search", timeout=3600)
def reindex(index: str) -> int:
    return services.reindex(index)
