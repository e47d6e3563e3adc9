"""Which rows feed which search index, and how their documents and versions are made.

A document's version must grow whenever anything in it changes, so that Elasticsearch's
external versioning can drop late, older writes. An opportunity's document embeds its
organisation, so its version is the sum of both row versions (each only ever grows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from marketplace.candidates.models import CandidateProfile, Person
from marketplace.extensions import db
from marketplace.opportunities.models import Opportunity, OpportunityStatus
from marketplace.organizations.models import Organization
from marketplace.territory.models import Municipality
from search.documents import (
    opportunity_document,
    opportunity_is_searchable,
    organization_document,
    person_document,
)

# Rows are never re-created under an old id, so a removed document stays removed.
DELETED_VERSION = 2**62


@dataclass(frozen=True)
class IndexedModel:
    index: str
    model: type
    load_options: tuple[Any, ...]
    document: Callable[[Any], dict[str, Any]]
    version: Callable[[Any], int]
    # (id, version) of every row that should be in the index, computed in SQL for drift checks.
    expected: Callable[[], Select]
    searchable: Callable[[Any], bool] = lambda row: True
    # The same rule as `searchable`, in SQL, so full rebuilds skip rows that would be dropped.
    searchable_where: Callable[[], Any] | None = None

    def load(self, ids: list[int]) -> dict[int, Any]:
        query = select(self.model).where(self.model.id.in_(ids)).options(*self.load_options)
        return {row.id: row for row in db.session.scalars(query)}


_place = selectinload(Opportunity.municipality).selectinload(Municipality.district)

REGISTRY: dict[str, IndexedModel] = {
    "opportunities": IndexedModel(
        "opportunities",
        Opportunity,
        (selectinload(Opportunity.organization), selectinload(Opportunity.sector), _place),
        opportunity_document,
        lambda row: row.version + row.organization.version,
        lambda: select(Opportunity.id, Opportunity.version + Organization.version)
        .join(Organization, Opportunity.organization_id == Organization.id)
        .where(Opportunity.status == OpportunityStatus.PUBLISHED),
        opportunity_is_searchable,
        lambda: Opportunity.status == OpportunityStatus.PUBLISHED,
    ),
    "organizations": IndexedModel(
        "organizations",
        Organization,
        (
            selectinload(Organization.sector),
            selectinload(Organization.municipality).selectinload(Municipality.district),
        ),
        organization_document,
        lambda row: row.version,
        lambda: select(Organization.id, Organization.version),
    ),
    "people": IndexedModel(
        "people",
        Person,
        (selectinload(Person.profile), selectinload(Person.municipality).selectinload(Municipality.district)),
        person_document,
        lambda row: row.version,
        lambda: select(Person.id, Person.version),
    ),
}


def direct_target(obj: Any) -> tuple[str, int] | None:
    """The document a changed row belongs to."""
    if isinstance(obj, Opportunity):
        return "opportunities", obj.id
    if isinstance(obj, Organization):
        return "organizations", obj.id
    if isinstance(obj, Person):
        return "people", obj.id
    if isinstance(obj, CandidateProfile):
        return "people", obj.person_id
    return None


def dependent_targets(obj: Any) -> tuple[str, Select] | None:
    """Documents of other rows that embed this one (re-indexed with it)."""
    if isinstance(obj, Organization):
        return "opportunities", select(Opportunity.id).where(Opportunity.organization_id == obj.id)
    return None
