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

from marketplace.agreements.models import Agreement, AgreementStatus
from marketplace.candidates.models import CandidateProfile, Person
from marketplace.common.sql import among
from marketplace.extensions import db
from marketplace.indexing.opportunity_rows import load_opportunities
from marketplace.opportunities.models import Opportunity, OpportunityStatus
from marketplace.organizations.models import Organization, Site
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
    # Loads, for a batch of rows, what their documents need beyond relationships.
    attach: Callable[[dict[int, Any]], None] | None = None
    # Reads a batch without the ORM (plain rows into records), where that is worth its code.
    load_rows: Callable[[list[int]], dict[int, Any]] | None = None

    def load(self, ids: list[int]) -> dict[int, Any]:
        if self.load_rows is not None:
            return self.load_rows(ids)
        query = select(self.model).where(among(self.model.id, ids)).options(*self.load_options)
        rows = {row.id: row for row in db.session.scalars(query)}
        if self.attach is not None and rows:
            self.attach(rows)
        return rows


# An Organization has no relationship to its agreements (they belong to the agreements
# domain), so a batch load puts them on each row under this name, read once by its document.
_AGREEMENTS = "_indexed_agreements"


def _attach_agreements(rows: dict[int, Any]) -> None:
    found: dict[int, list[Agreement]] = {doc_id: [] for doc_id in rows}
    query = select(Agreement).where(
        Agreement.organization_id.in_(list(rows)), Agreement.status == AgreementStatus.ACTIVE
    )
    for agreement in db.session.scalars(query):
        found[agreement.organization_id].append(agreement)
    for doc_id, row in rows.items():
        setattr(row, _AGREEMENTS, found[doc_id])


def _organization_document(row: Organization) -> dict[str, Any]:
    # Popped, so a row indexed again later (same session) never reuses an old list.
    agreements = row.__dict__.pop(_AGREEMENTS, None)
    if agreements is None:  # not loaded through IndexedModel.load (a single row)
        _attach_agreements({row.id: row})
        agreements = row.__dict__.pop(_AGREEMENTS)
    return organization_document(row, agreements)


REGISTRY: dict[str, IndexedModel] = {
    "opportunities": IndexedModel(
        "opportunities",
        Opportunity,
        (),
        opportunity_document,
        lambda row: row.version + row.organization.version,
        lambda: (
            select(Opportunity.id, Opportunity.version + Organization.version)
            .join(Organization, Opportunity.organization_id == Organization.id)
            .where(Opportunity.status == OpportunityStatus.PUBLISHED)
        ),
        opportunity_is_searchable,
        lambda: Opportunity.status == OpportunityStatus.PUBLISHED,
        load_rows=load_opportunities,
    ),
    "organizations": IndexedModel(
        "organizations",
        Organization,
        (
            selectinload(Organization.sector),
            selectinload(Organization.municipality).selectinload(Municipality.district),
            selectinload(Organization.sites).selectinload(Site.municipality).selectinload(Municipality.district),
            selectinload(Organization.inclusion_profile),
        ),
        _organization_document,
        lambda row: row.version,
        lambda: select(Organization.id, Organization.version),
        attach=_attach_agreements,
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
