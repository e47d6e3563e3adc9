"""Opportunities and search results turned into the API's response models."""

from __future__ import annotations

from collections.abc import Mapping

from flask import url_for

from marketplace.api.schemas import (
    EditionOut,
    FacetValue,
    LanguageOut,
    MunicipalityRef,
    OpportunityOut,
    OpportunitySummary,
    OrganizationRef,
    SkillOut,
)
from marketplace.opportunities.models import (
    CLOSE_REASON_LABELS,
    OPPORTUNITY_KIND_LABELS,
    TARGET_GROUP_LABELS,
    Opportunity,
    OpportunityKind,
    TargetGroup,
)
from search import Facet

FACET_LABELS = {"kind": OPPORTUNITY_KIND_LABELS, "target_groups": TARGET_GROUP_LABELS}
FACET_ENUMS = {"kind": OpportunityKind, "target_groups": TargetGroup}


def _summary_fields(opportunity: Opportunity) -> dict:
    municipality = opportunity.municipality
    allowance = float(opportunity.allowance_eur) if opportunity.allowance_eur is not None else None
    return {
        "id": opportunity.id,
        "title": opportunity.title,
        "kind": opportunity.kind,
        "kind_label": str(OPPORTUNITY_KIND_LABELS[opportunity.kind]),
        "status": opportunity.status,
        "organization": OrganizationRef(id=opportunity.organization.id, name=opportunity.organization.name),
        "municipality": MunicipalityRef(code=municipality.istat_code, name=municipality.name) if municipality else None,
        "sector_code": opportunity.sector_code,
        "start_date": opportunity.start_date,
        "end_date": opportunity.end_date,
        "application_deadline": opportunity.application_deadline,
        "seats": opportunity.seats,
        "allowance_eur": allowance,
        "paid": opportunity.is_paid,
        "minors_allowed": opportunity.minors_allowed,
        "published_at": opportunity.published_at,
        "url": url_for("opportunities.detail", opportunity_id=opportunity.id, _external=True),
        "api_url": url_for("api_v1.get_opportunity", opportunity_id=opportunity.id, _external=True),
    }


def summary(opportunity: Opportunity) -> OpportunitySummary:
    return OpportunitySummary(**_summary_fields(opportunity))


def detail(opportunity: Opportunity) -> OpportunityOut:
    reason = opportunity.close_reason
    return OpportunityOut(
        **_summary_fields(opportunity),
        version=opportunity.version,
        description=opportunity.description,
        close_reason=reason,
        close_reason_label=str(CLOSE_REASON_LABELS[reason]) if reason else None,
        closed_at=opportunity.closed_at,
        site_id=opportunity.site_id,
        skills=[SkillOut(code=item["code"], required=bool(item.get("required"))) for item in opportunity.skills or ()],
        target_groups=list(opportunity.target_groups or ()),
        education_level=opportunity.education_level,
        languages=[LanguageOut(code=item["code"], level=item["level"]) for item in opportunity.languages or ()],
        driving_licence_required=opportunity.driving_licence_required,
        hours_per_week=opportunity.hours_per_week,
        schedule=opportunity.schedule,
        duration_months=opportunity.duration_months,
        total_hours=opportunity.total_hours,
        age_min=opportunity.age_min,
        age_max=opportunity.age_max,
        accessibility_notes=opportunity.accessibility_notes,
        contact_name=opportunity.contact_name,
        contact_email=opportunity.contact_email,
        contact_phone=opportunity.contact_phone,
        editions=[EditionOut.model_validate(edition, from_attributes=True) for edition in opportunity.editions],
    )


def facets(result_facets: Mapping[str, list[Facet]]) -> dict[str, list[FacetValue]]:
    out: dict[str, list[FacetValue]] = {}
    for name, values in result_facets.items():
        labels, enum_cls = FACET_LABELS.get(name), FACET_ENUMS.get(name)
        out[name] = [
            FacetValue(value=facet.value, count=facet.count, label=_label(labels, enum_cls, facet.value))
            for facet in values
        ]
    return out


def _label(labels: Mapping | None, enum_cls: type | None, value: str) -> str | None:
    if labels is None or enum_cls is None:
        return None
    try:
        return str(labels[enum_cls(value)])
    except (ValueError, KeyError):
        return None
