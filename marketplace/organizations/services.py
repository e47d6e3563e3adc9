"""Reading and writing organisations of the company database.

Every write of the record and its parts (sites, contacts, inclusion profile, partner
notes) goes through here and only flushes: the request or job that called commits.
The audit log fills itself at flush time from the models' `__audit__` specs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from marketplace.accounts.models import Partner, User
from marketplace.audit.models import AuditEntry
from marketplace.common.concurrency import StaleRecord
from marketplace.extensions import db
from marketplace.interactions.models import Interaction
from marketplace.models_base import utcnow
from marketplace.opportunities.models import Opportunity, OpportunityStatus
from marketplace.organizations.models import (
    OBLIGATION_68_THRESHOLD,
    Contact,
    InclusionProfile,
    Organization,
    OrganizationStatus,
    PartnerNote,
    Site,
    size_class_for,
)
from marketplace.territory.models import Municipality, Sector

AUDIT_PAGE_SIZE = 50


class DuplicateIdentifier(Exception):
    """Another organisation already holds this P.IVA or codice fiscale."""

    def __init__(self, existing: Organization) -> None:
        super().__init__(f"identifier already used by organisation {existing.id}")
        self.existing = existing


class ContactInUse(Exception):
    """The contact is named in logged interactions: deleting it would lose who was spoken to."""

    def __init__(self, interactions: int) -> None:
        super().__init__(f"contact referenced by {interactions} interactions")
        self.interactions = interactions


def get(organization_id: int) -> Organization | None:
    return db.session.get(Organization, organization_id)


def get_for_record(organization_id: int) -> Organization | None:
    """The organisation with everything the staff record shows, loaded in a few queries."""
    query = (
        select(Organization)
        .where(Organization.id == organization_id)
        .options(
            selectinload(Organization.sites).selectinload(Site.municipality),
            selectinload(Organization.contacts),
            selectinload(Organization.inclusion_profile),
            selectinload(Organization.municipality),
            selectinload(Organization.sector),
        )
    )
    return db.session.scalar(query)


def published_opportunities(organization_id: int) -> list[Opportunity]:
    query = (
        select(Opportunity)
        .where(Opportunity.organization_id == organization_id, Opportunity.status == OpportunityStatus.PUBLISHED)
        .order_by(Opportunity.published_at.desc())
    )
    return list(db.session.scalars(query))


def all_opportunities(organization_id: int) -> list[Opportunity]:
    query = select(Opportunity).where(Opportunity.organization_id == organization_id).order_by(Opportunity.id.desc())
    return list(db.session.scalars(query))


def municipalities() -> list[Municipality]:
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name)))


def municipality_exists(code: str) -> bool:
    return db.session.get(Municipality, code) is not None


def sector_exists(code: str) -> bool:
    return db.session.get(Sector, code) is not None


def sector_titles(codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(db.session.execute(select(Sector.code, Sector.title).where(Sector.code.in_(codes))).all())


@dataclass(frozen=True)
class Provenance:
    """Who first entered the record, for the "shared but accountable" line of the record."""

    user_name: str | None
    partner_name: str | None


def provenance(organization: Organization) -> Provenance:
    user = db.session.get(User, organization.created_by_user_id) if organization.created_by_user_id else None
    partner_id = organization.created_by_partner_id
    partner = db.session.get(Partner, partner_id) if partner_id else None
    return Provenance(user.full_name if user else None, partner.name if partner else None)


# -- writing the shared record (forms, imports and the API all go through here) --------


def find_by_identifiers(vat_number: str | None, tax_code: str | None) -> Organization | None:
    """The organisation that already holds this P.IVA or codice fiscale, if any.

    A company's codice fiscale is usually its P.IVA, so each identifier is matched against
    both columns.
    """
    identifiers = [value for value in (vat_number, tax_code) if value]
    if not identifiers:
        return None
    query = select(Organization).where(
        Organization.vat_number.in_(identifiers) | Organization.tax_code.in_(identifiers)
    )
    return db.session.scalars(query.order_by(Organization.id).limit(1)).first()


def conflicting_organization(
    vat_number: str | None, tax_code: str | None, *, exclude_id: int | None = None
) -> Organization | None:
    """Another organisation holding one of these identifiers (the record itself does not count)."""
    identifiers = [value for value in (vat_number, tax_code) if value]
    if not identifiers:
        return None
    query = select(Organization).where(
        Organization.vat_number.in_(identifiers) | Organization.tax_code.in_(identifiers)
    )
    if exclude_id is not None:
        query = query.where(Organization.id != exclude_id)
    return db.session.scalars(query.order_by(Organization.id).limit(1)).first()


def apply_values(organization: Organization, values: dict[str, Any]) -> list[str]:
    """Set shared fields and the ones derived from them; returns the names of fields that changed.

    Employees decide the size class and the L. 68/1999 obligation unless those are given
    explicitly (a partner may know better, e.g. computable vs. total head count).
    """
    values = dict(values)
    if values.get("employees") is not None:
        values.setdefault("size_class", size_class_for(values["employees"]))
        values.setdefault("obligated_68", values["employees"] >= OBLIGATION_68_THRESHOLD)
    changed = []
    for field, value in values.items():
        if getattr(organization, field) != value:
            setattr(organization, field, value)
            changed.append(field)
    return changed


def create(values: dict[str, Any], *, user_id: int | None, partner_id: int | None) -> Organization:
    organization = Organization(created_by_user_id=user_id, created_by_partner_id=partner_id)
    apply_values(organization, {"status": OrganizationStatus.ACTIVE, **values})
    _drop_meaningless_quota(organization)
    db.session.add(organization)
    db.session.flush()
    return organization


def create_checked(values: dict[str, Any], *, user_id: int | None, partner_id: int | None) -> Organization:
    """Create from a form: refuses identifiers another organisation already holds."""
    _refuse_taken_identifiers(values.get("vat_number"), values.get("tax_code"), exclude_id=None)
    try:
        # A savepoint, so that losing a race for the same P.IVA leaves the session usable.
        with db.session.begin_nested():
            return create(values, user_id=user_id, partner_id=partner_id)
    except IntegrityError:
        _refuse_taken_identifiers(values.get("vat_number"), values.get("tax_code"), exclude_id=None)
        raise


def update(organization: Organization, values: dict[str, Any], *, expected_version: int | None) -> list[str]:
    """Save an edit made on a form opened at `expected_version`.

    A form opened on an older version would silently undo someone else's changes, so it
    is refused; so is an identifier another organisation holds.
    """
    if expected_version is None or organization.version != expected_version:
        raise StaleRecord()
    identifiers_given = "vat_number" in values or "tax_code" in values
    vat_number = values.get("vat_number", organization.vat_number)
    tax_code = values.get("tax_code", organization.tax_code)
    if identifiers_given:
        _refuse_taken_identifiers(vat_number, tax_code, exclude_id=organization.id)
    try:
        with db.session.begin_nested():
            changed = apply_values(organization, values)
            _drop_meaningless_quota(organization)
    except StaleDataError:
        # Saved by someone else between our read and this write (the ORM checks the version).
        raise StaleRecord() from None
    except IntegrityError:
        if identifiers_given:
            _refuse_taken_identifiers(vat_number, tax_code, exclude_id=organization.id)
        raise
    return changed


def _refuse_taken_identifiers(vat_number: str | None, tax_code: str | None, *, exclude_id: int | None) -> None:
    existing = conflicting_organization(vat_number, tax_code, exclude_id=exclude_id)
    if existing is not None:
        raise DuplicateIdentifier(existing)


def _drop_meaningless_quota(organization: Organization) -> None:
    # "Quota covered" says nothing about an organisation that has no quota to cover.
    if not organization.obligated_68 and organization.quota_68_covered is not None:
        organization.quota_68_covered = None


def archive(organization: Organization) -> bool:
    """Hide the organisation from lists and its public page; nothing is deleted."""
    if organization.archived_at is not None:
        return False
    organization.archived_at = utcnow()
    db.session.flush()
    return True


def restore(organization: Organization) -> bool:
    if organization.archived_at is None:
        return False
    organization.archived_at = None
    db.session.flush()
    return True


# -- sites and contacts -----------------------------------------------------------------


def site_of(organization: Organization, site_id: int) -> Site | None:
    site = db.session.get(Site, site_id)
    return site if site is not None and site.organization_id == organization.id else None


def save_site(organization: Organization, site: Site | None, values: dict[str, Any]) -> Site:
    if site is None:
        site = Site(organization_id=organization.id)
        db.session.add(site)
    for field, value in values.items():
        setattr(site, field, value)
    db.session.flush()
    return site


def delete_site(site: Site) -> None:
    db.session.delete(site)
    db.session.flush()


def contact_of(organization: Organization, contact_id: int) -> Contact | None:
    contact = db.session.get(Contact, contact_id)
    return contact if contact is not None and contact.organization_id == organization.id else None


def save_contact(organization: Organization, contact: Contact | None, values: dict[str, Any]) -> Contact:
    if contact is None:
        contact = Contact(organization_id=organization.id)
        db.session.add(contact)
    consent = bool(values.get("consent_to_contact"))
    if consent and not contact.consent_to_contact:
        contact.consent_recorded_at = utcnow()
    elif not consent:
        # A withdrawn consent is no consent: the date would suggest otherwise.
        contact.consent_recorded_at = None
    for field, value in values.items():
        setattr(contact, field, value)
    db.session.flush()
    return contact


def delete_contact(contact: Contact) -> None:
    used = db.session.scalar(select(func.count()).where(Interaction.contact_id == contact.id)) or 0
    if used:
        raise ContactInUse(used)
    db.session.delete(contact)
    db.session.flush()


# -- inclusion profile ---------------------------------------------------------------


def save_inclusion_profile(organization: Organization, values: dict[str, Any]) -> InclusionProfile:
    profile = organization.inclusion_profile
    if profile is None:
        profile = InclusionProfile(organization_id=organization.id)
        db.session.add(profile)
        organization.inclusion_profile = profile
    for field, value in values.items():
        # Lists are assigned as new objects: the ORM (and the audit) only sees replaced lists.
        setattr(profile, field, list(value) if isinstance(value, list | tuple) else value)
    db.session.flush()
    return profile


# -- private partner notes -------------------------------------------------------------


def notes_for(organization_id: int, partner_id: int | None) -> list[PartnerNote]:
    """Notes of one partner; `None` means every partner's (admins only: the caller decides)."""
    query = select(PartnerNote).where(PartnerNote.organization_id == organization_id)
    if partner_id is not None:
        query = query.where(PartnerNote.partner_id == partner_id)
    return list(db.session.scalars(query.order_by(PartnerNote.created_at.desc(), PartnerNote.id.desc())))


def add_note(organization: Organization, *, partner_id: int, author_id: int | None, body: str) -> PartnerNote:
    note = PartnerNote(organization_id=organization.id, partner_id=partner_id, author_id=author_id, body=body)
    db.session.add(note)
    db.session.flush()
    return note


def note_of(organization: Organization, note_id: int) -> PartnerNote | None:
    note = db.session.get(PartnerNote, note_id)
    return note if note is not None and note.organization_id == organization.id else None


def delete_note(note: PartnerNote) -> None:
    db.session.delete(note)
    db.session.flush()


def names_of_users(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = db.session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids)))
    return dict(rows.all())


def names_of_partners(partner_ids: set[int]) -> dict[int, str]:
    if not partner_ids:
        return {}
    rows = db.session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(partner_ids)))
    return dict(rows.all())


# -- audit log -----------------------------------------------------------------------


def audit_page(organization_id: int, page: int) -> tuple[list[AuditEntry], int]:
    """One page of the record's audit entries, newest first, and the total count."""
    from marketplace.organizations import merge  # merge builds on this module

    # A survivor's history includes the records merged into it (kept under their own ids).
    subject_ids = merge.audit_subject_ids(organization_id)
    where = (AuditEntry.subject_type == "organization", AuditEntry.subject_id.in_(subject_ids))
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    query = (
        select(AuditEntry)
        .where(*where)
        .order_by(AuditEntry.id.desc())
        .offset((page - 1) * AUDIT_PAGE_SIZE)
        .limit(AUDIT_PAGE_SIZE)
    )
    return list(db.session.scalars(query)), total
