"""Opportunities read for indexing as plain SQL rows.

Turning rows into ORM objects (identity map, relationship loaders, attribute events) costs
three times the query itself, and a full reindex reads every published opportunity. What a
document needs is read by one joined query and one query for edition dates, into small
read-only records with the attribute names `search.documents` reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from marketplace.common.sql import among
from marketplace.extensions import db
from marketplace.opportunities.models import Edition, Opportunity
from marketplace.organizations.models import Organization
from marketplace.territory.models import District, Municipality, Sector


@dataclass(frozen=True, slots=True)
class IndexedOrganization:
    id: int
    name: str
    version: int


@dataclass(frozen=True, slots=True)
class IndexedDistrict:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class IndexedMunicipality:
    istat_code: str
    name: str
    latitude: float
    longitude: float
    district: IndexedDistrict | None


@dataclass(frozen=True, slots=True)
class IndexedSector:
    section_code: str


@dataclass(frozen=True, slots=True)
class IndexedOpportunity:
    id: int
    version: int
    status: Any
    kind: Any
    title: str
    description: str
    sector_code: str | None
    start_date: date | None
    end_date: date | None
    application_deadline: date | None
    published_at: datetime | None
    seats: int
    allowance_eur: Decimal | None
    minors_allowed: bool
    age_min: int | None
    age_max: int | None
    hours_per_week: int | None
    target_groups: list[str]
    skills: list[dict[str, Any]]
    education_level: Any
    languages: list[dict[str, Any]]
    organization: IndexedOrganization
    municipality: IndexedMunicipality | None
    sector: IndexedSector | None
    edition_starts: tuple[date, ...]


_OWN_COLUMNS = (
    "id", "version", "status", "kind", "title", "description", "sector_code", "start_date", "end_date",
    "application_deadline", "published_at", "seats", "allowance_eur", "minors_allowed", "age_min", "age_max",
    "hours_per_week", "target_groups", "skills", "education_level", "languages",
)  # fmt: skip


def load_opportunities(ids: list[int]) -> dict[int, IndexedOpportunity]:
    """The opportunities among `ids` that exist, by id, with what their documents embed."""
    query = (
        select(
            *(getattr(Opportunity, name) for name in _OWN_COLUMNS),
            Organization.id, Organization.name, Organization.version,
            Municipality.istat_code, Municipality.name, Municipality.latitude, Municipality.longitude,
            District.code, District.name, Sector.section_code,
        )
        .join(Organization, Opportunity.organization_id == Organization.id)
        .outerjoin(Municipality, Opportunity.municipality_code == Municipality.istat_code)
        .outerjoin(District, Municipality.district_id == District.id)
        .outerjoin(Sector, Opportunity.sector_code == Sector.code)
        .where(among(Opportunity.id, ids))
    )  # fmt: skip
    starts = _edition_starts(ids)
    found = {}
    own_count = len(_OWN_COLUMNS)
    for row in db.session.execute(query):
        own = dict(zip(_OWN_COLUMNS, row[:own_count], strict=True))
        org_id, org_name, org_version, istat, place, lat, lon, district_code, district_name, section = row[own_count:]
        district = IndexedDistrict(district_code, district_name) if district_code else None
        found[own["id"]] = IndexedOpportunity(
            **own,
            organization=IndexedOrganization(org_id, org_name, org_version),
            municipality=IndexedMunicipality(istat, place, lat, lon, district) if istat else None,
            sector=IndexedSector(section) if section else None,
            edition_starts=starts.get(own["id"], ()),
        )
    return found


def _edition_starts(ids: list[int]) -> dict[int, tuple[date, ...]]:
    starts: dict[int, list[date]] = {}
    query = select(Edition.opportunity_id, Edition.starts_on).where(among(Edition.opportunity_id, ids))
    for opportunity_id, starts_on in db.session.execute(query):
        starts.setdefault(opportunity_id, []).append(starts_on)
    return {opportunity_id: tuple(days) for opportunity_id, days in starts.items()}
