"""Applications (candidature) of people to opportunities — first version."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import enum_column
from marketplace.candidates.models import Person
from marketplace.extensions import db
from marketplace.models_base import TimestampMixin
from marketplace.opportunities.models import Opportunity


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


class Application(TimestampMixin, db.Model):
    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("opportunity_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), nullable=False, index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus), nullable=False, default=ApplicationStatus.SENT
    )
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")

    opportunity: Mapped[Opportunity] = relationship()
    person: Mapped[Person] = relationship()
