"""Saved-search alerts: the hourly run that sends each due alert its digest of new opportunities."""

from __future__ import annotations

from jobs.registry import job
from marketplace.alerts import services
from marketplace.extensions import db
from marketplace.models_base import utcnow

BATCH = 100


@job("default", retries=1, retry_intervals=(300,), timeout=1800)
def send_alert_digests() -> int:
    """Queue the digest of every due alert; returns the mails queued.

    Each batch commits its mails together with the moved windows, so a crash or a second run
    never sends the same opportunities twice; alerts another run has locked are skipped.
    """
    now = utcnow()
    queued, after_id = 0, 0
    while True:
        sent, next_after = services.send_due_digests(now, after_id=after_id, limit=BATCH)
        db.session.commit()
        queued += sent
        if next_after is None:
            return queued
        after_id = next_after
