"""Opportunity jobs: closing the ones whose deadline has passed or whose seats are all taken."""

from __future__ import annotations

from datetime import date

from jobs.registry import job
from marketplace.extensions import db
from marketplace.opportunities import workflow


@job("default", retries=2, retry_intervals=(60, 600))
def close_due_opportunities() -> list[int]:
    """Close every published opportunity that is due; returns their ids.

    Each closing writes its history row (no actor: the job did it) and, through the row
    version, an outbox entry that removes it from public search once drained.
    """
    closed: list[int] = []
    while True:
        batch = workflow.close_due(today=date.today())
        db.session.commit()
        closed.extend(batch)
        if len(batch) < 1000:  # close_due's default limit: a full batch may leave more behind
            return closed
