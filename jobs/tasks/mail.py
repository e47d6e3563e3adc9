"""Mail delivery jobs."""

from __future__ import annotations

from jobs.registry import job
from marketplace.extensions import db
from marketplace.mail import services


@job("mail", retries=5, retry_intervals=(10, 60, 300, 900, 3600))
def send_mail(message_id: int) -> str:
    outcome = services.send_pending(message_id)
    db.session.commit()
    if outcome == "failed":
        raise services.DeliveryFailed(f"mail {message_id} not delivered; RQ will retry")
    return outcome


@job("mail")
def send_unsent_mail() -> int:
    """Sweep: send whatever an earlier failure or a Redis outage left behind."""
    sent = 0
    for message_id in services.unsent_ids():
        sent += services.send_pending(message_id) == "sent"
        db.session.commit()
    return sent
