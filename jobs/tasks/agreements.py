"""Agreement jobs: the daily warning about convenzioni close to their end."""

from __future__ import annotations

from datetime import date

from jobs.registry import job
from marketplace.agreements import services
from marketplace.extensions import db


@job("default", retries=2, retry_intervals=(60, 600))
def flag_expiring_agreements() -> int:
    """Warn each owning partner once about its active agreements ending within 60 days; returns mails queued."""
    queued = services.warn_owners_of_expiring(date.today())
    db.session.commit()  # the digests and the "warned" marks land together, or neither does
    return queued
