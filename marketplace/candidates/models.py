"""People (candidates, beneficiaries) and their profiles — first version.

Sensitive data (vulnerability, disability, social-services status) does not live here:
the casework domain keeps it behind audited access.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import enum_column
from marketplace.extensions import db
from marketplace.models_base import TimestampMixin, VersionedMixin
from marketplace.territory.models import Municipality


class EducationLevel(enum.StrEnum):
    NONE = "none"
    PRIMARY = "primary"  # licenza elementare
    LOWER_SECONDARY = "lower_secondary"  # licenza media
    VOCATIONAL = "vocational"  # qualifica IeFP
    UPPER_SECONDARY = "upper_secondary"  # diploma
    BACHELOR = "bachelor"
    MASTER = "master"


EDUCATION_LABELS = {
    EducationLevel.NONE: _l("Nessun titolo"),
    EducationLevel.PRIMARY: _l("Licenza elementare"),
    EducationLevel.LOWER_SECONDARY: _l("Licenza media"),
    EducationLevel.VOCATIONAL: _l("Qualifica professionale"),
    EducationLevel.UPPER_SECONDARY: _l("Diploma di scuola superiore"),
    EducationLevel.BACHELOR: _l("Laurea triennale"),
    EducationLevel.MASTER: _l("Laurea magistrale"),
}


class Person(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Null when an operator pre-registered the person and they have no login yet.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    birth_date: Mapped[date | None] = mapped_column(Date)
    tax_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipalities.istat_code"))
    registered_by_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    privacy_consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    guardian_name: Mapped[str | None] = mapped_column(String(200))
    guardian_consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    municipality: Mapped[Municipality | None] = relationship()
    profile: Mapped[CandidateProfile | None] = relationship(back_populates="person", uselist=False)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)


class CandidateProfile(VersionedMixin, TimestampMixin, db.Model):
    """Indexed as part of its person's document (see marketplace.indexing.registry)."""

    __tablename__ = "candidate_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True, nullable=False)
    education_level: Mapped[EducationLevel | None] = mapped_column(enum_column(EducationLevel))
    skills: Mapped[str] = mapped_column(Text, nullable=False, default="")
    aspirations: Mapped[str] = mapped_column(Text, nullable=False, default="")
    languages: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    driving_licence: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    max_travel_km: Mapped[int | None] = mapped_column(Integer)

    person: Mapped[Person] = relationship(back_populates="profile")
