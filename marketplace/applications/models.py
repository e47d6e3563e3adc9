"""Applications (candidature) of people to opportunities, with their pipeline history and staff notes."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import enum_column
from marketplace.candidates.models import Person
from marketplace.extensions import db
from marketplace.models_base import TimestampMixin, VersionedMixin, utcnow
from marketplace.opportunities.models import Edition, Opportunity


class ApplicationStatus(enum.StrEnum):
    SENT = "sent"
    UNDER_REVIEW = "under_review"
    INTERVIEW = "interview"
    ACCEPTED = "accepted"
    NOT_SELECTED = "not_selected"
    WITHDRAWN = "withdrawn"


APPLICATION_STATUS_LABELS = {
    ApplicationStatus.SENT: _l("Inviata"),
    ApplicationStatus.UNDER_REVIEW: _l("In valutazione"),
    ApplicationStatus.INTERVIEW: _l("Colloquio"),
    ApplicationStatus.ACCEPTED: _l("Accettata / avviata"),
    ApplicationStatus.NOT_SELECTED: _l("Non selezionata"),
    ApplicationStatus.WITHDRAWN: _l("Ritirata"),
}


# Where an application may go next. Withdrawing is the candidate's own move, from any open state.
OPEN_STATUSES = frozenset({ApplicationStatus.SENT, ApplicationStatus.UNDER_REVIEW, ApplicationStatus.INTERVIEW})
FINAL_STATUSES = frozenset({ApplicationStatus.ACCEPTED, ApplicationStatus.NOT_SELECTED, ApplicationStatus.WITHDRAWN})


class Application(VersionedMixin, TimestampMixin, db.Model):
    """Versioned so that two staff members moving the same applicant cannot overwrite each other."""

    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("opportunity_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), nullable=False, index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus), nullable=False, default=ApplicationStatus.SENT
    )
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Workshops and courses: the edition the person enrols in.
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("opportunity_editions.id"), index=True)
    # The CV, stored through marketplace.common.uploads under kind "cvs" (PDF checked by content).
    cv_key: Mapped[str | None] = mapped_column(String(64))
    cv_filename: Mapped[str | None] = mapped_column(String(200))
    cv_size: Mapped[int | None] = mapped_column(Integer)
    cv_sha256: Mapped[str | None] = mapped_column(String(64))
    # Who pressed "send": the candidate, or an operator applying on their behalf.
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    opportunity: Mapped[Opportunity] = relationship()
    person: Mapped[Person] = relationship()
    edition: Mapped[Edition | None] = relationship()


class ApplicationEvent(db.Model):
    """One move in the pipeline (the first one is the sending), and whether the candidate was told."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), nullable=False, index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[ApplicationStatus | None] = mapped_column(enum_column(ApplicationStatus))
    to_status: Mapped[ApplicationStatus] = mapped_column(enum_column(ApplicationStatus), nullable=False)
    # A message for the candidate that goes with the move (shown to them and mailed).
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    notified_mail_id: Mapped[int | None] = mapped_column(ForeignKey("mail_outbox.id"))


class ApplicationNote(db.Model):
    """A staff note on an applicant: seen by the organisation's staff and network operators, never the candidate."""

    __tablename__ = "application_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), nullable=False, index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    body: Mapped[str] = mapped_column(Text, nullable=False)
