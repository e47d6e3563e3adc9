"""Reading organisations for their pages."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.opportunities.models import Opportunity, OpportunityStatus
from marketplace.organizations.models import Organization


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
