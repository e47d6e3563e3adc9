"""Periodic jobs, enqueued by a small scheduler loop that runs beside each worker.

RQ's own cron scheduler enqueues with its default (pickle) serializer, which our JSON
workers cannot read, so we keep our own. Several schedulers may run (one per worker
host): a Redis key per time slot makes sure each periodic job is enqueued once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    func: Callable[..., Any]
    every_seconds: int


def periodic_jobs() -> list[Periodic]:
    from jobs.tasks.agreements import flag_expiring_agreements
    from jobs.tasks.alerts import send_alert_digests
    from jobs.tasks.exports import remove_expired_exports
    from jobs.tasks.mail import send_unsent_mail
    from jobs.tasks.opportunities import close_due_opportunities
    from jobs.tasks.search import drain_search_outbox, reconcile_search
    from jobs.tasks.uploads import sweep_orphan_uploads

    return [
        # Picks up what a Redis outage left in the outboxes.
        Periodic("drain-search-outbox", drain_search_outbox, 30),
        Periodic("send-unsent-mail", send_unsent_mail, 60),
        Periodic("reconcile-search", reconcile_search, 15 * 60),
        # Daily slots start at midnight UTC; the job itself only sends what it has not sent yet.
        Periodic("flag-expiring-agreements", flag_expiring_agreements, 24 * 3600),
        # Hourly: an opportunity leaves search soon after its deadline or its last seat.
        Periodic("close-due-opportunities", close_due_opportunities, 3600),
        # Each saved search decides for itself whether it is due (daily or weekly).
        Periodic("send-alert-digests", send_alert_digests, 3600),
        # Files a crashed request or job stored but never recorded.
        Periodic("sweep-orphan-uploads", sweep_orphan_uploads, 24 * 3600),
        # Hourly: an export is downloadable for a day, then it goes.
        Periodic("remove-expired-exports", remove_expired_exports, 3600),
    ]


def tick(app: Flask, now: float | None = None) -> list[str]:
    """Enqueue every periodic job whose slot has started; returns the names enqueued."""
    from jobs.dispatch import dispatch

    now = time.time() if now is None else now
    redis = app.extensions["jobs"].connection
    sent = []
    for item in periodic_jobs():
        slot = int(now // item.every_seconds)
        if redis.set(f"opportunita:schedule:{item.name}:{slot}", 1, nx=True, ex=item.every_seconds * 2):
            with app.app_context():
                dispatch(item.func)
            sent.append(item.name)
    return sent


def start_in_background(app: Flask, interval: float = 5.0) -> threading.Thread:
    def loop() -> None:
        while True:
            try:
                tick(app)
            except Exception:  # Redis down: try again next round
                log.warning("scheduler tick failed", exc_info=True)
            time.sleep(interval)

    thread = threading.Thread(target=loop, name="opportunita-scheduler", daemon=True)
    thread.start()
    return thread
