"""Opportunities that organisations publish — first version."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import enum_column
from marketplace.extensions import db
from marketplace.models_base import TimestampMixin, VersionedMixin
from marketplace.organizations.models import Organization
from marketplace.territory.models import Municipality, Sector


class OpportunityKind(enum.StrEnum):
    INTERNSHIP = "internship"  # tirocinio extracurricolare
    INCLUSION_INTERNSHIP = "inclusion_internship"  # tirocinio di inclusione / risocializzante
    WORK_GRANT = "work_grant"  # borsa lavoro
    CURRICULAR_STAGE = "curricular_stage"  # stage curricolare
    PCTO = "pcto"
    WORKSHOP = "workshop"  # laboratorio esperienziale
    VOLUNTEERING = "volunteering"
    COURSE = "course"
    GUIDANCE = "guidance"  # orientamento e bilancio di competenze
    APPRENTICESHIP = "apprenticeship"
    JOB = "job"


OPPORTUNITY_KIND_LABELS = {
    OpportunityKind.INTERNSHIP: _l("Tirocinio extracurricolare"),
    OpportunityKind.INCLUSION_INTERNSHIP: _l("Tirocinio di inclusione"),
    OpportunityKind.WORK_GRANT: _l("Borsa lavoro"),
    OpportunityKind.CURRICULAR_STAGE: _l("Stage curricolare"),
    OpportunityKind.PCTO: _l("PCTO"),
    OpportunityKind.WORKSHOP: _l("Laboratorio esperienziale"),
    OpportunityKind.VOLUNTEERING: _l("Volontariato"),
    OpportunityKind.COURSE: _l("Corso di formazione"),
    OpportunityKind.GUIDANCE: _l("Orientamento e bilancio di competenze"),
    OpportunityKind.APPRENTICESHIP: _l("Apprendistato"),
    OpportunityKind.JOB: _l("Lavoro"),
}


class OpportunityStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    CLOSED = "closed"
    ARCHIVED = "archived"


class Opportunity(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "opportunities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    kind: Mapped[OpportunityKind] = mapped_column(enum_column(OpportunityKind), nullable=False)
    status: Mapped[OpportunityStatus] = mapped_column(
        enum_column(OpportunityStatus), nullable=False, default=OpportunityStatus.DRAFT, index=True
    )
    sector_code: Mapped[str | None] = mapped_column(ForeignKey("sectors.code"))
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipalities.istat_code"))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    application_deadline: Mapped[date | None] = mapped_column(Date)
    seats: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    allowance_eur: Mapped[float | None] = mapped_column(Numeric(8, 2))
    hours_per_week: Mapped[int | None] = mapped_column(Integer)
    minors_allowed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organization: Mapped[Organization] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    sector: Mapped[Sector | None] = relationship()

    @property
    def is_paid(self) -> bool:
        return bool(self.allowance_eur and self.allowance_eur > 0)

    @property
    def is_public(self) -> bool:
        return self.status == OpportunityStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<Opportunity {self.id} {self.title!r}>"
