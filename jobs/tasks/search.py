"""Search indexing jobs: drain the outbox, rebuild an index, reconcile drift."""

from __future__ import annotations

import logging

from jobs.dispatch import dispatch
from jobs.progress import report_progress
from jobs.registry import job
from marketplace.extensions import db
from marketplace.indexing import services

log = logging.getLogger(__name__)


class SearchWritesFailed(RuntimeError):
    """Some writes were refused; their entries stay in the outbox and the job is retried."""


@job("search", retries=5, retry_intervals=(2, 10, 30, 120, 600))
def drain_search_outbox() -> int:
    """Apply every pending outbox entry, batch by batch, committing each batch."""
    applied = 0
    while True:
        report = services.drain_once()
        db.session.commit()
        applied += report.applied
        if report.failed:
            raise SearchWritesFailed(f"{report.failed} search writes failed")
        if report.applied == 0:
            return applied


@job("search", timeout=3 * 3600)
def reindex(index: str) -> int:
    """Zero-downtime rebuild, with progress in the job's meta (documents loaded so far)."""
    count = services.reindex(index, progress=report_progress)
    report_progress(count, done=True)
    return count


@job("search", retries=2, retry_intervals=(60, 300))
def reconcile_search() -> dict[str, int]:
    """Periodic safety net: compare database and indexes, queue repairs for any drift."""
    repaired = {}
    for index in services.indexes():
        report = services.drift(index)
        repaired[index] = services.repair(report)
        if report.total:
            log.warning("search drift in %s: %d missing, %d stale, %d extra", index,
                        len(report.missing), len(report.stale), len(report.extra))  # fmt: skip
    db.session.commit()
    if any(repaired.values()):
        dispatch(drain_search_outbox)
    return repaired
