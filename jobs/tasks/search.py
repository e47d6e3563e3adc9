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


@job("default")
def reconcile_search() -> list[str]:
    """Periodic safety net: one drift check per index, each its own job.

    They wait on a less urgent queue than the outbox drains, so a worker picks up pending
    drains between two checks instead of after all of them (a check reads a whole index).
    """
    indexes = services.indexes()
    for index in indexes:
        dispatch(reconcile_index, index)
    return indexes


@job("default", retries=2, retry_intervals=(60, 300))
def reconcile_index(index: str) -> int:
    """Compare database and index; queue outbox entries for every drifted document."""
    report = services.drift(index)
    repaired = services.repair(report)
    if report.total:
        log.warning("search drift in %s: %d missing, %d stale, %d extra", index,
                    len(report.missing), len(report.stale), len(report.extra))  # fmt: skip
    db.session.commit()
    if repaired:
        dispatch(drain_search_outbox)
    return repaired
