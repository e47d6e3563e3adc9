"""Convenzioni di tirocinio between a promoter partner and a host organisation."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Partner, enum_column
from marketplace.audit.hooks import AuditSpec
from marketplace.extensions import db
from marketplace.models_base import TimestampMixin
from marketplace.organizations.models import Organization

# How far ahead the daily job warns the owning partner about an expiring agreement.
EXPIRY_WARNING_DAYS = 60


class AgreementKind(enum.StrEnum):
    EXTRACURRICULAR_INTERNSHIP = "extracurricular_internship"
    INCLUSION_INTERNSHIP = "inclusion_internship"
    CURRICULAR_INTERNSHIP = "curricular_internship"
    PCTO = "pcto"
    WORK_GRANT = "work_grant"
    FRAMEWORK = "framework"


AGREEMENT_KIND_LABELS = {
    AgreementKind.EXTRACURRICULAR_INTERNSHIP: _l("Tirocinio extracurricolare"),
    AgreementKind.INCLUSION_INTERNSHIP: _l("Tirocinio di inclusione"),
    AgreementKind.CURRICULAR_INTERNSHIP: _l("Stage curricolare"),
    AgreementKind.PCTO: _l("PCTO (alternanza scuola-lavoro)"),
    AgreementKind.WORK_GRANT: _l("Borsa lavoro"),
    AgreementKind.FRAMEWORK: _l("Convenzione quadro"),
}


class AgreementStatus(enum.StrEnum):
    DRAFT = "draft"  # being prepared, not signed yet
    ACTIVE = "active"  # signed; valid between valid_from and valid_to
    TERMINATED = "terminated"  # ended early by one of the parties


AGREEMENT_STATUS_LABELS = {
    AgreementStatus.DRAFT: _l("In preparazione"),
    AgreementStatus.ACTIVE: _l("Firmata"),
    AgreementStatus.TERMINATED: _l("Cessata"),
}


class Agreement(TimestampMixin, db.Model):
    __tablename__ = "agreements"

    __audit__ = AuditSpec(
        "agreement",
        (
            "kind",
            "status",
            "reference",
            "valid_from",
            "valid_to",
            "document_filename",
            "partner_id",
        ),
        subject_id=lambda row: row.organization_id,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), nullable=False, index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), nullable=False, index=True)
    kind: Mapped[AgreementKind] = mapped_column(enum_column(AgreementKind), nullable=False)
    status: Mapped[AgreementStatus] = mapped_column(
        enum_column(AgreementStatus), nullable=False, default=AgreementStatus.DRAFT
    )
    reference: Mapped[str | None] = mapped_column(String(80))  # protocol number
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    # The signed PDF, stored outside the web root under a random key.
    document_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    document_filename: Mapped[str | None] = mapped_column(String(200))
    document_size: Mapped[int | None] = mapped_column(Integer)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set by the daily job once the owner has been warned, so it warns once per agreement.
    expiry_notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organization: Mapped[Organization] = relationship()
    partner: Mapped[Partner] = relationship()

    def is_valid_on(self, day: date) -> bool:
        return self.status == AgreementStatus.ACTIVE and self.valid_from <= day <= self.valid_to
