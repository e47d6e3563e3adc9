"""Build index documents from domain objects (read through their attributes only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from search.analysis import prepare, prepare_folded

PUBLISHED = "published"


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _value(enum_or_str: Any) -> str | None:
    return getattr(enum_or_str, "value", enum_or_str)


def opportunity_is_searchable(opportunity: Any) -> bool:
    """Only published opportunities live in the index; anything else is removed."""
    return _value(opportunity.status) == PUBLISHED


def opportunity_document(opportunity: Any) -> dict[str, Any]:
    organization = opportunity.organization
    municipality = opportunity.municipality
    district = municipality.district if municipality else None
    sector = opportunity.sector
    allowance = float(opportunity.allowance_eur) if opportunity.allowance_eur is not None else None
    suggest_inputs = [opportunity.title, organization.name]
    if municipality:
        suggest_inputs.append(municipality.name)
    return {
        "id": opportunity.id,
        "title": prepare(opportunity.title),
        "title_folded": prepare_folded(opportunity.title),
        "body": prepare(opportunity.description),
        "body_folded": prepare_folded(opportunity.description),
        "organization_id": organization.id,
        "organization_name": prepare(organization.name),
        "organization_name_folded": prepare_folded(organization.name),
        "kind": _value(opportunity.kind),
        "status": _value(opportunity.status),
        "sector_code": opportunity.sector_code,
        "sector_section": sector.section_code if sector else None,
        "municipality_code": opportunity.municipality_code,
        "municipality_name": municipality.name if municipality else None,
        "municipality_folded": prepare_folded(municipality.name) if municipality else None,
        "district": district.code if district else None,
        "location": ({"lat": municipality.latitude, "lon": municipality.longitude} if municipality else None),
        "start_date": _iso(opportunity.start_date),
        "end_date": _iso(opportunity.end_date),
        "deadline": _iso(opportunity.application_deadline),
        "published_at": _iso(opportunity.published_at),
        "seats": opportunity.seats,
        "allowance_eur": allowance,
        "paid": bool(allowance and allowance > 0),
        "minors_allowed": bool(opportunity.minors_allowed),
        "age_min": opportunity.age_min,
        "age_max": opportunity.age_max,
        "display_title": opportunity.title,
        "suggest": {"input": [prepare(text) for text in suggest_inputs if text]},
    }
