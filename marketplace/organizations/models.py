"""Organisations (aziende, cooperative, enti) of the shared company database — first version."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import enum_column
from marketplace.extensions import db
from marketplace.models_base import TimestampMixin, VersionedMixin
from marketplace.territory.models import Municipality, Sector


class OrganizationKind(enum.StrEnum):
    COMPANY = "company"
    SOCIAL_COOP_A = "social_coop_a"
    SOCIAL_COOP_B = "social_coop_b"
    SOCIAL_ENTERPRISE = "social_enterprise"
    ASSOCIATION = "association"
    PUBLIC_BODY = "public_body"


ORGANIZATION_KIND_LABELS = {
    OrganizationKind.COMPANY: _l("Impresa"),
    OrganizationKind.SOCIAL_COOP_A: _l("Cooperativa sociale di tipo A"),
    OrganizationKind.SOCIAL_COOP_B: _l("Cooperativa sociale di tipo B"),
    OrganizationKind.SOCIAL_ENTERPRISE: _l("Impresa sociale"),
    OrganizationKind.ASSOCIATION: _l("Associazione / ETS"),
    OrganizationKind.PUBLIC_BODY: _l("Ente pubblico"),
}


class OrganizationStatus(enum.StrEnum):
    PROSPECT = "prospect"
    ACTIVE = "active"
    INACTIVE = "inactive"


class Organization(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(250), nullable=False, index=True)
    kind: Mapped[OrganizationKind] = mapped_column(enum_column(OrganizationKind), nullable=False)
    vat_number: Mapped[str | None] = mapped_column(String(11), unique=True)
    tax_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    ateco_code: Mapped[str | None] = mapped_column(ForeignKey("sectors.code"), index=True)
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipalities.istat_code"), index=True)
    address: Mapped[str | None] = mapped_column(String(250))
    website: Mapped[str | None] = mapped_column(String(250))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OrganizationStatus] = mapped_column(
        enum_column(OrganizationStatus), nullable=False, default=OrganizationStatus.ACTIVE
    )
    employees: Mapped[int | None] = mapped_column(Integer)
    obligated_68: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))

    municipality: Mapped[Municipality | None] = relationship()
    sector: Mapped[Sector | None] = relationship()

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name}>"
