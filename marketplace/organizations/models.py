"""Organisations (aziende, cooperative, enti) of the shared company database.

The record itself holds the shared fields every partner sees; sites (sedi), contacts
(referenti) and the inclusion profile hang off it. Private partner notes, claims by
company users and saved list filters live here too because they only make sense per
organisation list.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import enum_column
from marketplace.audit.hooks import AuditSpec
from marketplace.extensions import db
from marketplace.models_base import TimestampMixin, VersionedMixin, utcnow
from marketplace.territory.models import Municipality, Sector


class OrganizationKind(enum.StrEnum):
    SRL = "srl"
    SPA = "spa"
    SNC = "snc"
    SAS = "sas"
    SOLE_PROPRIETORSHIP = "sole_proprietorship"
    COMPANY = "company"  # any other company form (SAPA, consortium, foreign company…)
    SOCIAL_COOP_A = "social_coop_a"
    SOCIAL_COOP_B = "social_coop_b"
    SOCIAL_ENTERPRISE = "social_enterprise"
    ASSOCIATION = "association"
    PUBLIC_BODY = "public_body"


ORGANIZATION_KIND_LABELS = {
    OrganizationKind.SRL: _l("Società a responsabilità limitata (S.r.l.)"),
    OrganizationKind.SPA: _l("Società per azioni (S.p.A.)"),
    OrganizationKind.SNC: _l("Società in nome collettivo (S.n.c.)"),
    OrganizationKind.SAS: _l("Società in accomandita semplice (S.a.s.)"),
    OrganizationKind.SOLE_PROPRIETORSHIP: _l("Ditta individuale"),
    OrganizationKind.COMPANY: _l("Altra impresa"),
    OrganizationKind.SOCIAL_COOP_A: _l("Cooperativa sociale di tipo A"),
    OrganizationKind.SOCIAL_COOP_B: _l("Cooperativa sociale di tipo B"),
    OrganizationKind.SOCIAL_ENTERPRISE: _l("Impresa sociale"),
    OrganizationKind.ASSOCIATION: _l("Associazione / ETS"),
    OrganizationKind.PUBLIC_BODY: _l("Ente pubblico"),
}


COMPANY_KINDS = frozenset({
    OrganizationKind.SRL, OrganizationKind.SPA, OrganizationKind.SNC, OrganizationKind.SAS,
    OrganizationKind.SOLE_PROPRIETORSHIP, OrganizationKind.COMPANY,
})  # fmt: skip


class OrganizationStatus(enum.StrEnum):
    PROSPECT = "prospect"
    ACTIVE = "active"
    INACTIVE = "inactive"


ORGANIZATION_STATUS_LABELS = {
    OrganizationStatus.PROSPECT: _l("Da contattare"),
    OrganizationStatus.ACTIVE: _l("Attiva"),
    OrganizationStatus.INACTIVE: _l("Non attiva"),
}


class SizeClass(enum.StrEnum):
    """EU recommendation 2003/361 head-count classes."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


SIZE_CLASS_LABELS = {
    SizeClass.MICRO: _l("Micro (meno di 10 addetti)"),
    SizeClass.SMALL: _l("Piccola (10–49 addetti)"),
    SizeClass.MEDIUM: _l("Media (50–249 addetti)"),
    SizeClass.LARGE: _l("Grande (250 addetti e oltre)"),
}

# L. 68/1999: employers with 15 or more computable employees must hire from the protected lists.
OBLIGATION_68_THRESHOLD = 15


def size_class_for(employees: int | None) -> SizeClass | None:
    if employees is None:
        return None
    if employees < 10:
        return SizeClass.MICRO
    if employees < 50:
        return SizeClass.SMALL
    if employees < 250:
        return SizeClass.MEDIUM
    return SizeClass.LARGE


class Organization(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "organizations"

    __audit__ = AuditSpec(
        "organization",
        (
            "name",
            "kind",
            "vat_number",
            "tax_code",
            "ateco_code",
            "municipality_code",
            "address",
            "website",
            "email",
            "phone",
            "description",
            "status",
            "employees",
            "size_class",
            "obligated_68",
            "quota_68_covered",
            "archived_at",
            "merged_into_id",
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(250), nullable=False, index=True)
    kind: Mapped[OrganizationKind] = mapped_column(enum_column(OrganizationKind), nullable=False)
    vat_number: Mapped[str | None] = mapped_column(String(11), unique=True)
    tax_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    ateco_code: Mapped[str | None] = mapped_column(ForeignKey("sectors.code"), index=True)
    # The registered office (sede legale); operating sites are `Site` rows.
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipalities.istat_code"), index=True)
    address: Mapped[str | None] = mapped_column(String(250))
    website: Mapped[str | None] = mapped_column(String(250))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OrganizationStatus] = mapped_column(
        enum_column(OrganizationStatus), nullable=False, default=OrganizationStatus.ACTIVE
    )
    employees: Mapped[int | None] = mapped_column(Integer)
    size_class: Mapped[SizeClass | None] = mapped_column(enum_column(SizeClass))
    obligated_68: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # None: not known. Only meaningful when obligated_68.
    quota_68_covered: Mapped[bool | None] = mapped_column(Boolean)
    created_by_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", use_alter=True))
    # Denormalised from interactions so lists can filter "not contacted for N months".
    last_contact_on: Mapped[date | None] = mapped_column(Date, index=True)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))

    municipality: Mapped[Municipality | None] = relationship()
    sector: Mapped[Sector | None] = relationship()
    sites: Mapped[list[Site]] = relationship(
        back_populates="organization", order_by="Site.id", cascade="all, delete-orphan"
    )
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="organization", order_by="Contact.id", cascade="all, delete-orphan"
    )
    inclusion_profile: Mapped[InclusionProfile | None] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name}>"


class Site(TimestampMixin, db.Model):
    """An operating site (sede). Without a precise point it sits at its comune's centroid."""

    __tablename__ = "organization_sites"

    __audit__ = AuditSpec(
        "site",
        ("label", "address", "postal_code", "municipality_code", "latitude", "longitude"),
        subject_id=lambda row: row.organization_id,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), nullable=False, index=True)
    label: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    address: Mapped[str] = mapped_column(String(250), nullable=False)
    postal_code: Mapped[str | None] = mapped_column(String(5))
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.istat_code"), nullable=False, index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    organization: Mapped[Organization] = relationship(back_populates="sites")
    municipality: Mapped[Municipality] = relationship()

    @property
    def point(self) -> tuple[float, float] | None:
        if self.latitude is not None and self.longitude is not None:
            return self.latitude, self.longitude
        if self.municipality is not None and self.municipality.latitude is not None:
            return self.municipality.latitude, self.municipality.longitude
        return None

    @property
    def has_precise_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class ContactChannel(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    WHATSAPP = "whatsapp"
    IN_PERSON = "in_person"


CONTACT_CHANNEL_LABELS = {
    ContactChannel.EMAIL: _l("Email"),
    ContactChannel.PHONE: _l("Telefono"),
    ContactChannel.WHATSAPP: _l("WhatsApp"),
    ContactChannel.IN_PERSON: _l("Di persona"),
}


class Contact(TimestampMixin, db.Model):
    """A referente. Consent is recorded with its date: contacts without it are not to be called."""

    __tablename__ = "organization_contacts"

    __audit__ = AuditSpec(
        "contact",
        (
            "full_name",
            "job_title",
            "email",
            "phone",
            "preferred_channel",
            "consent_to_contact",
        ),
        subject_id=lambda row: row.organization_id,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), nullable=False, index=True)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    job_title: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    preferred_channel: Mapped[ContactChannel | None] = mapped_column(enum_column(ContactChannel))
    consent_to_contact: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    consent_recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organization: Mapped[Organization] = relationship(back_populates="contacts")


class HostingScheme(enum.StrEnum):
    """What an organisation is willing to host (its inclusion profile)."""

    EXTRACURRICULAR_INTERNSHIP = "extracurricular_internship"
    INCLUSION_INTERNSHIP = "inclusion_internship"
    WORK_GRANT = "work_grant"
    CURRICULAR_INTERNSHIP = "curricular_internship"
    PCTO = "pcto"
    WORKSHOP = "workshop"
    VOLUNTEERING = "volunteering"
    APPRENTICESHIP = "apprenticeship"
    HIRING = "hiring"


HOSTING_SCHEME_LABELS = {
    HostingScheme.EXTRACURRICULAR_INTERNSHIP: _l("Tirocinio extracurricolare"),
    HostingScheme.INCLUSION_INTERNSHIP: _l("Tirocinio di inclusione"),
    HostingScheme.WORK_GRANT: _l("Borsa lavoro"),
    HostingScheme.CURRICULAR_INTERNSHIP: _l("Stage curricolare"),
    HostingScheme.PCTO: _l("PCTO (alternanza scuola-lavoro)"),
    HostingScheme.WORKSHOP: _l("Laboratori esperienziali"),
    HostingScheme.VOLUNTEERING: _l("Volontariato"),
    HostingScheme.APPRENTICESHIP: _l("Apprendistato"),
    HostingScheme.HIRING: _l("Assunzione"),
}


class PremisesAccess(enum.StrEnum):
    ACCESSIBLE = "accessible"
    PARTIAL = "partial"
    NOT_ACCESSIBLE = "not_accessible"
    UNKNOWN = "unknown"


PREMISES_ACCESS_LABELS = {
    PremisesAccess.ACCESSIBLE: _l("Accessibili"),
    PremisesAccess.PARTIAL: _l("Parzialmente accessibili"),
    PremisesAccess.NOT_ACCESSIBLE: _l("Non accessibili"),
    PremisesAccess.UNKNOWN: _l("Non verificato"),
}


class InclusionProfile(TimestampMixin, db.Model):
    """Willingness and capacity to host people on inclusion paths. Lists are stored as JSON arrays."""

    __tablename__ = "inclusion_profiles"

    __audit__ = AuditSpec(
        "inclusion_profile",
        (
            "schemes",
            "capacity",
            "tutor_available",
            "premises_access",
            "accessibility_notes",
            "languages",
            "recruiting_sectors",
            "recruiting_roles",
        ),
        subject_id=lambda row: row.organization_id,
    )
    # JSON lists are audited (and saved) only when a new list is assigned: never mutate them in place.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), nullable=False, unique=True)
    schemes: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)  # HostingScheme values
    capacity: Mapped[int | None] = mapped_column(Integer)  # concurrent trainees
    tutor_available: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    premises_access: Mapped[PremisesAccess] = mapped_column(
        enum_column(PremisesAccess), nullable=False, default=PremisesAccess.UNKNOWN
    )
    accessibility_notes: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)  # ISO 639-1 codes
    recruiting_sectors: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)  # ATECO codes
    recruiting_roles: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)  # free labels

    organization: Mapped[Organization] = relationship(back_populates="inclusion_profile")


class PartnerNote(TimestampMixin, db.Model):
    """A note only the staff of one partner can read (never in the shared audit log)."""

    __tablename__ = "partner_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), nullable=False, index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), nullable=False, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text, nullable=False)


class ClaimStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


CLAIM_STATUS_LABELS = {
    ClaimStatus.PENDING: _l("In attesa di verifica"),
    ClaimStatus.APPROVED: _l("Verificata"),
    ClaimStatus.REJECTED: _l("Respinta"),
}


class OrganizationClaim(TimestampMixin, db.Model):
    """A company user asking to manage an organisation; a partner_admin verifies it."""

    __tablename__ = "organization_claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    status: Mapped[ClaimStatus] = mapped_column(enum_column(ClaimStatus), nullable=False, default=ClaimStatus.PENDING)
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship()


class DistinctPair(db.Model):
    """Two organisations a partner_admin checked and found to be different: no longer offered as
    possible duplicates. Kept with who decided and when; removing the row offers the pair again."""

    __tablename__ = "organization_distinct_pairs"
    __table_args__ = (
        UniqueConstraint("first_id", "second_id"),
        CheckConstraint("first_id < second_id", name="ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), nullable=False)
    second_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), nullable=False, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

    @property
    def key(self) -> tuple[int, int]:
        return self.first_id, self.second_id


class SavedFilter(db.Model):
    """A named list filter: the list page's query string, kept per user."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "scope", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    scope: Mapped[str] = mapped_column(String(40), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    query_string: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


def json_list(value: Any) -> list[str]:
    """JSON list columns may come back as None from old rows: treat that as empty."""
    return list(value or [])
