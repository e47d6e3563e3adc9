"""Reading and writing organisations of the company database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.opportunities.models import Opportunity, OpportunityStatus
from marketplace.organizations.models import (
    OBLIGATION_68_THRESHOLD,
    Organization,
    OrganizationStatus,
    size_class_for,
)


def get(organization_id: int) -> Organization | None:
    return db.session.get(Organization, organization_id)


def published_opportunities(organization_id: int) -> list[Opportunity]:
    query = (
        select(Opportunity)
        .where(
            Opportunity.organization_id == organization_id, Opportunity.status == OpportunityStatus.PUBLISHED
        )
        .order_by(Opportunity.published_at.desc())
    )
    return list(db.session.scalars(query))


def all_opportunities(organization_id: int) -> list[Opportunity]:
    query = (
        select(Opportunity)
        .where(Opportunity.organization_id == organization_id)
        .order_by(Opportunity.id.desc())
    )
    return list(db.session.scalars(query))


# -- writing the shared record (forms, imports and the API all go through here) --------


def find_by_identifiers(vat_number: str | None, tax_code: str | None) -> Organization | None:
    """The organisation that already holds this P.IVA or codice fiscale, if any.

    A company's codice fiscale is usually its P.IVA, so each identifier is matched against
    both columns.
    """
    identifiers = [value for value in (vat_number, tax_code) if value]
    if not identifiers:
        return None
    query = select(Organization).where(
        Organization.vat_number.in_(identifiers) | Organization.tax_code.in_(identifiers)
    )
    return db.session.scalars(query.order_by(Organization.id).limit(1)).first()


def apply_values(organization: Organization, values: dict[str, Any]) -> list[str]:
    """Set shared fields and the ones derived from them; returns the names of fields that changed.

    Employees decide the size class and the L. 68/1999 obligation unless those are given
    explicitly (a partner may know better, e.g. computable vs. total head count).
    """
    values = dict(values)
    if values.get("employees") is not None:
        values.setdefault("size_class", size_class_for(values["employees"]))
        values.setdefault("obligated_68", values["employees"] >= OBLIGATION_68_THRESHOLD)
    changed = []
    for field, value in values.items():
        if getattr(organization, field) != value:
            setattr(organization, field, value)
            changed.append(field)
    return changed


def create(values: dict[str, Any], *, user_id: int | None, partner_id: int | None) -> Organization:
    organization = Organization(created_by_user_id=user_id, created_by_partner_id=partner_id)
    apply_values(organization, {"status": OrganizationStatus.ACTIVE, **values})
    db.session.add(organization)
    db.session.flush()
    return organization
