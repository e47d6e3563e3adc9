"""Queue mail in the current transaction; deliver it from a job."""

from __future__ import annotations

import smtplib
from email import policy
from email.message import EmailMessage

from flask import current_app, render_template
from sqlalchemy import select

from jobs import enqueue_after_commit
from marketplace.extensions import db
from marketplace.mail.models import OutgoingMail
from marketplace.models_base import utcnow


def queue_mail(
    recipient: str, subject: str, template: str, *, extra_headers: dict[str, str] | None = None, **context
) -> OutgoingMail:
    """Write the message to the outbox; it is sent only if the transaction commits."""
    from jobs.tasks.mail import send_mail

    message = OutgoingMail(
        recipient=recipient, subject=subject, body_text=render_template(template, **context), headers=extra_headers
    )
    db.session.add(message)
    db.session.flush()
    enqueue_after_commit(db.session(), send_mail, message.id)
    return message


def delivers_by_smtp() -> bool:
    """Without an SMTP server (embedded mode) messages stay on the developer page."""
    return bool(current_app.config["SETTINGS"].mail_server)


# Header lines up to RFC 5322's limit: folding at 78 would turn a long List-Unsubscribe URL into
# RFC 2047 encoded words, which mail clients do not read as a link.
_SMTP_POLICY = policy.SMTP.clone(max_line_length=998)


def deliver(message: OutgoingMail) -> None:
    settings = current_app.config["SETTINGS"]
    email = EmailMessage(policy=_SMTP_POLICY)
    email["From"] = settings.mail_sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.body_text)
    with smtplib.SMTP(settings.mail_server, settings.mail_port, timeout=10) as smtp:
        if settings.mail_use_tls:
            smtp.starttls()
        if settings.mail_username:
            smtp.login(settings.mail_username, settings.mail_password or "")
        smtp.send_message(email)


class DeliveryFailed(RuntimeError):
    """The SMTP server could not take the message; the job boundary retries."""


def send_pending(message_id: int) -> str:
    """Send one outbox message if it is still unsent: 'sent', 'skipped' or 'failed'.

    A failure is recorded on the row (attempts, last error) rather than raised, so the
    caller can commit that record before asking for a retry.
    """
    message = db.session.get(OutgoingMail, message_id, with_for_update=True)
    if message is None or message.is_sent or not delivers_by_smtp():
        return "skipped"
    message.attempts += 1
    try:
        deliver(message)
    except (OSError, smtplib.SMTPException) as error:
        message.last_error = str(error)[:1000]
        return "failed"
    message.sent_at = utcnow()
    message.last_error = None
    return "sent"


def unsent_ids(limit: int = 500) -> list[int]:
    query = select(OutgoingMail.id).where(OutgoingMail.sent_at.is_(None)).order_by(OutgoingMail.id).limit(limit)
    return list(db.session.scalars(query))


def recent_messages(limit: int = 50) -> list[OutgoingMail]:
    query = select(OutgoingMail).order_by(OutgoingMail.id.desc()).limit(limit)
    return list(db.session.scalars(query))
