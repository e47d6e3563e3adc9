"""Opportunities that organisations publish, their editions and the history of their workflow.

Lists that only travel with their opportunity (skills, target groups, languages) are JSON
columns: they are always read and written whole, and the search document embeds them.
Assign a new list to change one, never mutate it in place, or the ORM will not see it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import enum_column
from marketplace.candidates.models import EducationLevel
from marketplace.extensions import db
from marketplace.models_base import TimestampMixin, VersionedMixin, utcnow
from marketplace.organizations.models import Organization, Site
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


OPPORTUNITY_STATUS_LABELS = {
    OpportunityStatus.DRAFT: _l("Bozza"),
    OpportunityStatus.IN_REVIEW: _l("In revisione"),
    OpportunityStatus.PUBLISHED: _l("Pubblicata"),
    OpportunityStatus.CLOSED: _l("Chiusa"),
    OpportunityStatus.ARCHIVED: _l("Archiviata"),
}


class CloseReason(enum.StrEnum):
    FILLED = "filled"
    DEADLINE_PASSED = "deadline_passed"
    WITHDRAWN = "withdrawn"


CLOSE_REASON_LABELS = {
    CloseReason.FILLED: _l("Posti esauriti"),
    CloseReason.DEADLINE_PASSED: _l("Scadenza delle candidature superata"),
    CloseReason.WITHDRAWN: _l("Ritirata dall'organizzazione"),
}


class TargetGroup(enum.StrEnum):
    """Who an opportunity is meant for (the seeds' target groups)."""

    EVERYONE = "everyone"
    YOUNG_NEET = "young_neet"  # 15-34, not in education, employment or training
    STUDENTS = "students"
    MINORS = "minors"  # 14-17
    DISABILITY = "disability"  # L. 68/1999
    VULNERABLE_ADULTS = "vulnerable_adults"
    MIGRANTS = "migrants"
    LONG_TERM_UNEMPLOYED = "long_term_unemployed"
    JUSTICE = "justice"  # people in or after a criminal sentence


TARGET_GROUP_LABELS = {
    TargetGroup.EVERYONE: _l("Aperta a tutti"),
    TargetGroup.YOUNG_NEET: _l("Giovani che non studiano e non lavorano (NEET)"),
    TargetGroup.STUDENTS: _l("Studenti"),
    TargetGroup.MINORS: _l("Ragazzi e ragazze dai 14 ai 17 anni"),
    TargetGroup.DISABILITY: _l("Persone con disabilità (L. 68/1999)"),
    TargetGroup.VULNERABLE_ADULTS: _l("Adulti in condizione di fragilità"),
    TargetGroup.MIGRANTS: _l("Persone migranti e richiedenti asilo"),
    TargetGroup.LONG_TERM_UNEMPLOYED: _l("Disoccupati di lunga durata"),
    TargetGroup.JUSTICE: _l("Persone in esecuzione penale"),
}

# Common European Framework of Reference levels, for the languages an opportunity asks for.
CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")


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

    # Where it happens: one of the organisation's sites (its comune is copied to municipality_code).
    site_id: Mapped[int | None] = mapped_column(ForeignKey("organization_sites.id"))
    # [{"code": skill code from marketplace/opportunities/skills, "required": bool}]
    skills: Mapped[list[dict]] = mapped_column(JSON, nullable=False, default=list)
    target_groups: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)  # TargetGroup values
    education_level: Mapped[EducationLevel | None] = mapped_column(enum_column(EducationLevel))  # at least
    # [{"code": ISO 639-1, "level": one of CEFR_LEVELS}]
    languages: Mapped[list[dict]] = mapped_column(JSON, nullable=False, default=list)
    driving_licence_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    schedule: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    duration_months: Mapped[int | None] = mapped_column(Integer)
    total_hours: Mapped[int | None] = mapped_column(Integer)  # courses and workshops
    accessibility_notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    contact_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(20))  # E.164

    # Workflow bookkeeping; the full story is in OpportunityEvent.
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rejection_reason: Mapped[str | None] = mapped_column(Text)  # the latest one, shown to the editor
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    close_reason: Mapped[CloseReason | None] = mapped_column(enum_column(CloseReason))
    # The partner whose staff created it on the company's behalf, if any.
    on_behalf_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))

    organization: Mapped[Organization] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    sector: Mapped[Sector | None] = relationship()
    site: Mapped[Site | None] = relationship()
    editions: Mapped[list[Edition]] = relationship(
        back_populates="opportunity", order_by="Edition.starts_on", cascade="all, delete-orphan"
    )

    @property
    def is_paid(self) -> bool:
        return bool(self.allowance_eur and self.allowance_eur > 0)

    @property
    def is_public(self) -> bool:
        return self.status == OpportunityStatus.PUBLISHED

    @property
    def required_skill_codes(self) -> list[str]:
        return [item["code"] for item in self.skills or () if item.get("required")]

    @property
    def preferred_skill_codes(self) -> list[str]:
        return [item["code"] for item in self.skills or () if not item.get("required")]

    def __repr__(self) -> str:
        return f"<Opportunity {self.id} {self.title!r}>"


class Edition(TimestampMixin, db.Model):
    """One run of a workshop or course (the seeds' "percorsi" run in several editions).

    Enrolments are the applications that name the edition. Changing an edition changes
    its opportunity's search document: services touch the opportunity so its version grows.
    """

    __tablename__ = "opportunity_editions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), nullable=False, index=True)
    label: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(250), nullable=False, default="")
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipalities.istat_code"))
    seats: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    opportunity: Mapped[Opportunity] = relationship(back_populates="editions")
    municipality: Mapped[Municipality | None] = relationship()


class OpportunityAction(enum.StrEnum):
    CREATED = "created"
    EDITED = "edited"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CLOSED = "closed"
    REOPENED = "reopened"
    ARCHIVED = "archived"


OPPORTUNITY_ACTION_LABELS = {
    OpportunityAction.CREATED: _l("Creata"),
    OpportunityAction.EDITED: _l("Modificata"),
    OpportunityAction.SUBMITTED: _l("Inviata in revisione"),
    OpportunityAction.APPROVED: _l("Approvata e pubblicata"),
    OpportunityAction.REJECTED: _l("Respinta"),
    OpportunityAction.CLOSED: _l("Chiusa"),
    OpportunityAction.REOPENED: _l("Riaperta"),
    OpportunityAction.ARCHIVED: _l("Archiviata"),
}


class OpportunityEvent(db.Model):
    """One step of an opportunity's workflow: who, when, from which status to which, and why."""

    __tablename__ = "opportunity_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id"), nullable=False, index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    # Null for the scheduled job (automatic closing).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[OpportunityAction] = mapped_column(enum_column(OpportunityAction), nullable=False)
    from_status: Mapped[OpportunityStatus | None] = mapped_column(enum_column(OpportunityStatus))
    to_status: Mapped[OpportunityStatus] = mapped_column(enum_column(OpportunityStatus), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
