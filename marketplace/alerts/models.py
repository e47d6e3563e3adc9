"""Saved searches and the alert digests sent for them."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User, enum_column
from marketplace.candidates.models import Person
from marketplace.extensions import db
from marketplace.models_base import TimestampMixin


class AlertFrequency(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


ALERT_FREQUENCY_LABELS = {
    AlertFrequency.DAILY: _l("Ogni giorno"),
    AlertFrequency.WEEKLY: _l("Ogni settimana"),
}


def new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(32)


class SavedSearch(TimestampMixin, db.Model):
    """A public search (its URL query string) that someone wants to hear about.

    The owner is the user who saved it: a candidate for themselves, or an operator for a
    person they follow (`person_id`). The unsubscribe token lets the recipient stop the
    alert from the e-mail without logging in.
    """

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    # The search page's query string, canonical (sorted keys, no page): replayed by the digest job.
    query_string: Mapped[str] = mapped_column(String(2000), nullable=False, default="")
    frequency: Mapped[AlertFrequency] = mapped_column(
        enum_column(AlertFrequency), nullable=False, default=AlertFrequency.WEEKLY
    )
    # Opportunities published after this instant are "new" for the next digest.
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unsubscribe_token: Mapped[str] = mapped_column(
        String(64), nullable=False, unique=True, default=new_unsubscribe_token
    )
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    owner: Mapped[User] = relationship()
    person: Mapped[Person | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.unsubscribed_at is None
