"""Reading opportunities for the public pages: search through the backend, details from SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.opportunities.models import Edition, Opportunity, OpportunityStatus
from marketplace.opportunities.policy import PUBLIC_STATUSES
from marketplace.organizations.models import Site
from search import OpportunityQuery, SearchResult


def search(query: OpportunityQuery) -> SearchResult:
    return current_app.extensions["search"].search_opportunities(query)


def get_for_page(opportunity_id: int) -> Opportunity | None:
    """An opportunity in any status, with everything its page shows loaded in a few queries.

    The caller decides who may see it (policy.can_view); this only reads.
    """
    query = (
        select(Opportunity)
        .where(Opportunity.id == opportunity_id)
        .options(
            selectinload(Opportunity.organization),
            selectinload(Opportunity.municipality),
            selectinload(Opportunity.sector),
            selectinload(Opportunity.site).selectinload(Site.municipality),
            selectinload(Opportunity.editions).selectinload(Edition.municipality),
        )
    )
    return db.session.scalar(query)


def get_public(opportunity_id: int) -> Opportunity | None:
    """An opportunity as the public may see it: published or closed, never a draft."""
    opportunity = get_for_page(opportunity_id)
    if opportunity is None or opportunity.status.value not in PUBLIC_STATUSES:
        return None
    return opportunity


def published_in_order(ids: Sequence[int], *conditions: Any) -> list[Opportunity]:
    """The published opportunities among `ids` (a search engine's hits), in that order, read in one query.

    One closed or archived since it was indexed (the outbox removes it within seconds) is left
    out rather than shown with stale data; `conditions` narrow the rows further.
    """
    if not ids:
        return []
    query = (
        select(Opportunity)
        .where(Opportunity.id.in_(ids), Opportunity.status == OpportunityStatus.PUBLISHED, *conditions)
        .options(selectinload(Opportunity.organization), selectinload(Opportunity.municipality))
    )
    found = {opportunity.id: opportunity for opportunity in db.session.scalars(query)}
    return [found[i] for i in ids if i in found]
