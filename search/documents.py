"""Build index documents from domain objects (read through their attributes only)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from search.analysis import prepare, prepare_both, prepare_folded

PUBLISHED = "published"
SIGNED = "active"  # AgreementStatus.ACTIVE: signed, valid between its dates


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _value(enum_or_str: Any) -> str | None:
    return getattr(enum_or_str, "value", enum_or_str)


def opportunity_is_searchable(opportunity: Any) -> bool:
    """Only published opportunities live in the index; anything else is removed."""
    return _value(opportunity.status) == PUBLISHED


def opportunity_document(opportunity: Any, today: date | None = None) -> dict[str, Any]:
    organization = opportunity.organization
    municipality = opportunity.municipality
    sector = opportunity.sector
    district = municipality.district if municipality else None
    allowance = float(opportunity.allowance_eur) if opportunity.allowance_eur is not None else None
    title, title_folded = prepare_both(opportunity.title)
    body, body_folded = prepare_both(opportunity.description)
    org_name, org_name_folded = prepare_both(organization.name)
    suggest_inputs = [title, org_name, *_title_tails(title)]
    if municipality:
        suggest_inputs.append(prepare(municipality.name))
    skills = [item for item in opportunity.skills or () if item.get("code")]
    languages = [item for item in opportunity.languages or () if item.get("code")]
    return {
        "id": opportunity.id,
        "title": title,
        "title_folded": title_folded,
        "body": body,
        "body_folded": body_folded,
        "organization_id": organization.id,
        "organization_name": org_name,
        "organization_name_folded": org_name_folded,
        "kind": _value(opportunity.kind),
        "status": _value(opportunity.status),
        "sector_code": opportunity.sector_code,
        "sector_section": sector.section_code if sector else None,
        **_place(municipality),
        "district_name": district.name if district else None,
        "start_date": _iso(opportunity.start_date),
        "end_date": _iso(opportunity.end_date),
        "next_start": _iso(next_start(opportunity, today)),
        "deadline": _iso(opportunity.application_deadline),
        "published_at": _iso(opportunity.published_at),
        "seats": opportunity.seats,
        "allowance_eur": allowance,
        "paid": bool(allowance and allowance > 0),
        "minors_allowed": bool(opportunity.minors_allowed),
        "age_min": opportunity.age_min,
        "age_max": opportunity.age_max,
        "hours_per_week": opportunity.hours_per_week,
        "target_groups": sorted(set(opportunity.target_groups or ())),
        "skill_codes": sorted({item["code"] for item in skills}),
        "required_skill_codes": sorted({item["code"] for item in skills if item.get("required")}),
        "education_level": _value(opportunity.education_level) if opportunity.education_level else None,
        "languages": sorted({item["code"] for item in languages}),
        "language_levels": [f"{item['code']}:{item.get('level') or ''}" for item in languages],
        "display_title": opportunity.title,
        "organization_display": organization.name,
        "suggest": {"input": [text for text in suggest_inputs if text]},
    }


def _title_tails(title: str, words: int = 8) -> list[str]:
    """The title from each later word on ("cucina per principianti"), so typing any word of a
    title completes it, not only its first (a completion field matches from an input's start)."""
    parts = title.split()
    return [" ".join(parts[n:]) for n in range(1, min(len(parts), words)) if len(parts[n]) >= 3]


def next_start(opportunity: Any, today: date | None = None) -> date | None:
    """When one can next begin: the earliest edition not yet started, else the opportunity's start.

    Decided when the document is written, so it can lag behind by the days since then until
    the opportunity is indexed again (editions changing bump its version).
    """
    day = today or date.today()
    upcoming = [starts_on for starts_on in opportunity.edition_starts if starts_on >= day]
    return min(upcoming) if upcoming else opportunity.start_date


def _place(municipality: Any) -> dict[str, Any]:
    district = municipality.district if municipality else None
    return {
        "municipality_code": municipality.istat_code if municipality else None,
        "municipality_name": municipality.name if municipality else None,
        "municipality_folded": prepare_folded(municipality.name) if municipality else None,
        "district": district.code if district else None,
        "location": {"lat": municipality.latitude, "lon": municipality.longitude} if municipality else None,
    }


def organization_document(organization: Any, agreements: Iterable[Any] = ()) -> dict[str, Any]:
    """The registered office is `municipality_*`/`location`; filters by place also look at every site.

    `agreements` are the organisation's agreements (it has no relationship to them):
    the signed ones' periods are indexed, so "valid today" is decided at query time.
    """
    code = organization.ateco_code
    profile = organization.inclusion_profile
    return {
        "id": organization.id,
        "name": prepare(organization.name),
        "name_folded": prepare_folded(organization.name),
        "body": prepare(organization.description),
        "body_folded": prepare_folded(organization.description),
        "kind": _value(organization.kind),
        "status": _value(organization.status),
        "vat_number": organization.vat_number,
        "tax_code": organization.tax_code,
        "ateco_code": code,
        "ateco_section": organization.sector.section_code if getattr(organization, "sector", None) else None,
        "ateco_division": code[:2] if code else None,
        **_place(organization.municipality),
        **_all_places(organization),
        "employees": organization.employees,
        "size_class": _value(organization.size_class),
        "obligated_68": bool(organization.obligated_68),
        "quota_68_covered": organization.quota_68_covered,
        "schemes": sorted(set(profile.schemes or ())) if profile else [],
        "agreement_periods": _agreement_periods(agreements),
        "last_contact_on": _iso(organization.last_contact_on),
        "archived": organization.archived_at is not None or organization.merged_into_id is not None,
        "created_at": _iso(organization.created_at),
        "display_name": organization.name,
        "suggest": {"input": [prepare(organization.name)]},
    }


def _all_places(organization: Any) -> dict[str, Any]:
    """Comuni, ambiti and points of the registered office and every site, without repeats."""
    municipalities = [organization.municipality] if organization.municipality else []
    points = [(m.latitude, m.longitude) for m in municipalities]
    for site in organization.sites:
        if site.municipality is not None:
            municipalities.append(site.municipality)
        if site.point is not None:
            points.append(site.point)
    codes = dict.fromkeys(m.istat_code for m in municipalities)
    districts = dict.fromkeys(m.district.code for m in municipalities if m.district is not None)
    return {
        "municipality_codes": list(codes),
        "districts": list(districts),
        "locations": [{"lat": lat, "lon": lon} for lat, lon in dict.fromkeys(points)],
    }


def _agreement_periods(agreements: Iterable[Any]) -> list[dict[str, str]]:
    periods = {
        (agreement.valid_from, agreement.valid_to)
        for agreement in agreements
        # A period ending before it starts would make Elasticsearch refuse the whole document.
        if _value(agreement.status) == SIGNED and agreement.valid_from <= agreement.valid_to
    }
    return [{"gte": start.isoformat(), "lte": end.isoformat()} for start, end in sorted(periods)]


def person_document(person: Any) -> dict[str, Any]:
    profile = person.profile
    skills = profile.skills if profile else ""
    aspirations = profile.aspirations if profile else ""
    languages = [part.strip().lower() for part in (profile.languages if profile else "").split(",") if part.strip()]
    return {
        "id": person.id,
        "full_name": prepare(person.full_name),
        "name_folded": prepare_folded(person.full_name),
        "skills": prepare(skills),
        "skills_folded": prepare_folded(skills),
        "aspirations": prepare(aspirations),
        "aspirations_folded": prepare_folded(aspirations),
        "languages": languages,
        "education_level": _value(profile.education_level) if profile and profile.education_level else None,
        "driving_licence": bool(profile.driving_licence) if profile else False,
        "birth_date": _iso(person.birth_date),
        "max_travel_km": profile.max_travel_km if profile else None,
        "registered_by_partner_id": person.registered_by_partner_id,
        **_place(person.municipality),
        "created_at": _iso(person.created_at),
        "display_name": person.full_name,
    }
