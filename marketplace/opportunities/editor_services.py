"""Queries behind the opportunity editor's pages (lists, choices, history). Read-only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.opportunities.models import Edition, Opportunity, OpportunityEvent, OpportunityStatus
from marketplace.organizations.models import Organization, Site

PER_PAGE = 25
ORGANIZATION_MATCHES = 20


@dataclass(frozen=True)
class ListFilter:
    status: OpportunityStatus | None = None
    organization_id: int | None = None
    # Network staff: part of an organisation's name (any organisation, whatever the scope).
    organization_name: str = ""
    # Network staff: "mine" = the ones they created, "all" = every organisation's.
    scope: str = "mine"
    page: int = 1


@dataclass(frozen=True)
class ListPage:
    items: list[Opportunity]
    total: int
    page: int
    pages: int


def get(opportunity_id: int) -> Opportunity | None:
    return db.session.get(Opportunity, opportunity_id)


def get_organization(organization_id: int) -> Organization | None:
    return db.session.get(Organization, organization_id)


def list_for(user: User, filters: ListFilter) -> ListPage:
    """The editor's list: a company sees its organisation's, staff the ones they created or chose."""
    query = select(Opportunity)
    if user.role == Role.COMPANY:
        query = query.where(Opportunity.organization_id == (user.organization_id or -1))
    elif filters.organization_id is not None:
        query = query.where(Opportunity.organization_id == filters.organization_id)
    elif filters.organization_name.strip():
        names = select(Organization.id).where(
            Organization.name.ilike(_contains(filters.organization_name), escape="\\")
        )
        query = query.where(Opportunity.organization_id.in_(names))
    elif filters.scope != "all":
        query = query.where(Opportunity.created_by_id == user.id)
    if filters.status is not None:
        query = query.where(Opportunity.status == filters.status)
    return _page(query.order_by(Opportunity.updated_at.desc(), Opportunity.id.desc()), filters.page)


def review_queue(page: int = 1) -> ListPage:
    """Waiting for review, the oldest submission first: nobody waits behind newer ones."""
    query = (
        select(Opportunity)
        .where(Opportunity.status == OpportunityStatus.IN_REVIEW)
        .order_by(Opportunity.submitted_at.asc().nulls_first(), Opportunity.id)
    )
    return _page(query, page)


def _page(query: Select, page: int) -> ListPage:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    rows = db.session.scalars(
        query.options(selectinload(Opportunity.organization), selectinload(Opportunity.municipality))
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return ListPage(list(rows), total, page, pages)


def matching_organizations(text: str) -> list[Organization]:
    """Active organisations whose name contains `text`, for staff choosing on whose behalf to publish."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    query = (
        select(Organization)
        .where(Organization.name.ilike(_contains(text), escape="\\"))
        .where(Organization.archived_at.is_(None), Organization.merged_into_id.is_(None))
        .order_by(Organization.name)
        .limit(ORGANIZATION_MATCHES)
    )
    return list(db.session.scalars(query))


def _contains(text: str) -> str:
    """An ILIKE pattern for text typed by a person: its own % and _ are literal."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def site_choices(organization_id: int) -> list[tuple[str, str]]:
    query = (
        select(Site)
        .where(Site.organization_id == organization_id)
        .options(selectinload(Site.municipality))
        .order_by(Site.label, Site.id)
    )
    sites = list(db.session.scalars(query))
    labels = [site.label for site in sites]
    choices = []
    for site in sites:
        place = f"{site.address}, {site.municipality.name}" if site.municipality else site.address
        # A site's own name is what its company calls it; the address tells apart two of the same name.
        if site.label and labels.count(site.label) == 1:
            choices.append((str(site.id), site.label))
        else:
            choices.append((str(site.id), f"{site.label} – {place}" if site.label else place))
    return choices


def edition_of(opportunity: Opportunity, edition_id: int) -> Edition | None:
    edition = db.session.get(Edition, edition_id)
    return edition if edition is not None and edition.opportunity_id == opportunity.id else None


def history(opportunity_id: int) -> list[OpportunityEvent]:
    query = (
        select(OpportunityEvent)
        .where(OpportunityEvent.opportunity_id == opportunity_id)
        .order_by(OpportunityEvent.occurred_at, OpportunityEvent.id)
    )
    return list(db.session.scalars(query))


def names_of_users(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = db.session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids)))
    return {user_id: name for user_id, name in rows}
