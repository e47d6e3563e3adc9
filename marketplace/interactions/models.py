"""The relationship history with an organisation: calls, visits, meetings… and their follow-ups."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Partner, User, enum_column
from marketplace.audit.hooks import AuditSpec
from marketplace.extensions import db
from marketplace.models_base import TimestampMixin
from marketplace.organizations.models import Contact, Organization


class InteractionKind(enum.StrEnum):
    CALL = "call"
    VISIT = "visit"
    EMAIL = "email"
    MEETING = "meeting"
    EVENT = "event"


INTERACTION_KIND_LABELS = {
    InteractionKind.CALL: _l("Telefonata"),
    InteractionKind.VISIT: _l("Visita in azienda"),
    InteractionKind.EMAIL: _l("Email"),
    InteractionKind.MEETING: _l("Incontro"),
    InteractionKind.EVENT: _l("Evento"),
}


class InteractionOutcome(enum.StrEnum):
    POSITIVE = "positive"
    TO_FOLLOW_UP = "to_follow_up"
    NEGATIVE = "negative"
    NO_ANSWER = "no_answer"


INTERACTION_OUTCOME_LABELS = {
    InteractionOutcome.POSITIVE: _l("Positivo"),
    InteractionOutcome.TO_FOLLOW_UP: _l("Da riprendere"),
    InteractionOutcome.NEGATIVE: _l("Negativo"),
    InteractionOutcome.NO_ANSWER: _l("Nessuna risposta"),
}


class Interaction(TimestampMixin, db.Model):
    __tablename__ = "interactions"

    __audit__ = AuditSpec(
        "interaction",
        ("kind", "occurred_on", "outcome", "next_step_on", "next_step_done_at"),
        subject_id=lambda row: row.organization_id,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), nullable=False, index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("organization_contacts.id"))
    kind: Mapped[InteractionKind] = mapped_column(enum_column(InteractionKind), nullable=False)
    occurred_on: Mapped[date] = mapped_column(Date, nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    outcome: Mapped[InteractionOutcome] = mapped_column(enum_column(InteractionOutcome), nullable=False)
    next_step: Mapped[str | None] = mapped_column(Text)
    next_step_on: Mapped[date | None] = mapped_column(Date, index=True)
    next_step_done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organization: Mapped[Organization] = relationship()
    partner: Mapped[Partner | None] = relationship()
    author: Mapped[User | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
