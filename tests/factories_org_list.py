"""Factories for the company-database list tests: sites, inclusion profiles, agreements. They flush."""

from __future__ import annotations

from datetime import date

from marketplace.agreements.models import Agreement, AgreementKind, AgreementStatus
from marketplace.extensions import db
from marketplace.organizations.models import InclusionProfile, Organization, Site
from tests import factories


def site(org: Organization, municipality_code: str, **fields) -> Site:
    item = Site(organization=org, address="Via Roma 1", municipality_code=municipality_code, **fields)
    db.session.add(item)
    db.session.flush()
    return item


def profile(org: Organization, *schemes: str, **fields) -> InclusionProfile:
    item = InclusionProfile(organization=org, schemes=list(schemes), **fields)
    db.session.add(item)
    db.session.flush()
    return item


def agreement(
    org: Organization, valid_from: date, valid_to: date, status: AgreementStatus = AgreementStatus.ACTIVE, **fields
) -> Agreement:
    if "partner_id" not in fields:
        fields["partner_id"] = factories.partner().id
    item = Agreement(
        organization_id=org.id, kind=AgreementKind.EXTRACURRICULAR_INTERNSHIP, status=status,
        valid_from=valid_from, valid_to=valid_to, **fields,
    )  # fmt: skip
    db.session.add(item)
    db.session.flush()
    return item
