"""Company users claiming their organisation, and partner staff verifying the claims.

A company account starts unlinked. Its user finds the organisation (or proposes a new
one, created as a prospect) and asks to manage it; a partner_admin approves or rejects
the request. Only an approval links the account (`User.organization_id`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Role, User
from marketplace.audit.hooks import record
from marketplace.common import identifiers
from marketplace.common.errors import Refused
from marketplace.extensions import db
from marketplace.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from marketplace.mail.services import queue_mail
from marketplace.models_base import utcnow
from marketplace.organizations import services
from marketplace.organizations.models import ClaimStatus, Organization, OrganizationClaim, OrganizationStatus

NAME_SEARCH_LIMIT = 20
NAME_SEARCH_MIN_LENGTH = 3
RECENT_DECISIONS = 20


class ClaimRefused(Refused):
    """The claim or decision cannot go ahead."""


# -- what a company user sees --------------------------------------------------------


def claims_of(user_id: int) -> list[OrganizationClaim]:
    """The user's claims, newest first."""
    query = (
        select(OrganizationClaim)
        .where(OrganizationClaim.user_id == user_id)
        .options(selectinload(OrganizationClaim.organization))
        .order_by(OrganizationClaim.id.desc())
    )
    return list(db.session.scalars(query))


def pending_claim_of(user_id: int) -> OrganizationClaim | None:
    query = select(OrganizationClaim).where(
        OrganizationClaim.user_id == user_id, OrganizationClaim.status == ClaimStatus.PENDING
    )
    return db.session.scalars(query.limit(1)).first()


def company_user_count(organization_id: int) -> int:
    """Company accounts already linked to the organisation (approved claims or set by staff)."""
    query = select(func.count(User.id)).where(User.organization_id == organization_id, User.role == Role.COMPANY)
    return db.session.scalar(query) or 0


def _identifier(text: str) -> str | None:
    """The text as a P.IVA or codice fiscale, if it is a valid one."""
    compact = re.sub(r"[\s.\-/]", "", text).upper().removeprefix("IT")
    if not (len(compact) == 11 and compact.isdigit()) and len(compact) != 16:
        return None  # a name: not worth two failed checksum validations
    for check in (identifiers.vat_number, identifiers.tax_code):
        try:
            return check(text)
        except identifiers.InvalidIdentifier:
            continue
    return None


def _live(organization: Organization | None) -> Organization | None:
    """Follow a merged organisation to the one that replaced it; drop archived ones."""
    from marketplace.organizations import merge

    if organization is None:
        return None
    if organization.merged_into_id is not None:
        organization = services.get(merge.resolve(organization.id) or organization.id)
    if organization is None or organization.is_archived:
        return None
    return organization


def search_organizations(text: str) -> list[Organization]:
    """Organisations a company user may claim: by exact P.IVA/codice fiscale, or by name.

    Only public information is shown from these rows (name, kind, comune).
    """
    text = (text or "").strip()[:200]
    identifier = _identifier(text)
    if identifier is not None:
        found = _live(services.find_by_identifiers(identifier, identifier))
        return [found] if found is not None else []
    if len(text) < NAME_SEARCH_MIN_LENGTH:
        return []
    # The user's text is a literal: % and _ must not act as wildcards.
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (
        select(Organization)
        .where(
            Organization.name.ilike(pattern, escape="\\"),
            Organization.archived_at.is_(None),
            Organization.merged_into_id.is_(None),
        )
        .options(selectinload(Organization.municipality))
        .order_by(Organization.name, Organization.id)
        .limit(NAME_SEARCH_LIMIT)
    )
    return list(db.session.scalars(query))


# -- making a claim ------------------------------------------------------------------


def _check_can_claim(user: User) -> None:
    if user.role != Role.COMPANY:
        raise ClaimRefused(_l("Solo gli account di aziende ed enti possono chiedere di gestire un'organizzazione."))
    if user.organization_id is not None:
        raise ClaimRefused(_l("Il tuo account è già collegato a un'organizzazione."))
    if pending_claim_of(user.id) is not None:
        raise ClaimRefused(
            _l("Hai già una richiesta in attesa di verifica: potrai farne un'altra quando sarà stata decisa.")
        )


def claim(user: User, organization: Organization, message: str) -> OrganizationClaim:
    """Ask to manage an existing organisation. One pending claim per user at a time."""
    _check_can_claim(user)
    if organization.is_archived or organization.merged_into_id is not None:
        raise ClaimRefused(_l("Questa organizzazione è archiviata: cerca quella attuale."))
    item = OrganizationClaim(organization_id=organization.id, user_id=user.id, message=(message or "").strip())
    db.session.add(item)
    db.session.flush()
    return item


@dataclass(frozen=True)
class Proposal:
    """A new organisation as a company user describes it."""

    name: str
    kind: str
    vat_number: str | None
    tax_code: str | None
    municipality_code: str


class IdentifierTaken(ClaimRefused):
    """Another organisation already holds the P.IVA or codice fiscale."""

    def __init__(self, organization: Organization) -> None:
        super().__init__(
            _l(
                "Esiste già un'organizzazione con questa partita IVA o questo codice fiscale: "
                "cercala e chiedi di gestirla."
            )
        )
        self.organization = organization


def propose(user: User, proposal: Proposal, message: str) -> OrganizationClaim:
    """Create the organisation as a prospect and a pending claim on it, or change nothing."""
    _check_can_claim(user)
    if not (proposal.vat_number or proposal.tax_code):
        raise ClaimRefused(_l("Indica la partita IVA o il codice fiscale dell'organizzazione."))
    existing = services.find_by_identifiers(proposal.vat_number, proposal.tax_code)
    if existing is not None and existing.is_archived and _abandoned_prospect(existing):
        # Proposed before and archived when that claim was rejected: asking again (with the
        # details corrected) reopens the same record rather than hitting its identifier.
        existing.name, existing.kind = proposal.name.strip(), proposal.kind
        existing.municipality_code = proposal.municipality_code
        services.restore(existing)
        return claim(user, existing, message)
    if existing is not None:
        raise IdentifierTaken(existing)
    values = {
        "name": proposal.name.strip(),
        "kind": proposal.kind,
        "vat_number": proposal.vat_number,
        "tax_code": proposal.tax_code,
        "municipality_code": proposal.municipality_code,
        "status": OrganizationStatus.PROSPECT,
    }
    try:
        # A savepoint: someone registering the same P.IVA at the same moment loses cleanly.
        with db.session.begin_nested():
            organization = services.create(values, user_id=user.id, partner_id=None)
    except IntegrityError:
        existing = services.find_by_identifiers(proposal.vat_number, proposal.tax_code)
        if existing is None:
            raise
        raise IdentifierTaken(existing) from None
    return claim(user, organization, message)


# -- verification by partner staff ----------------------------------------------------


def pending_claims() -> list[OrganizationClaim]:
    """The queue, oldest first: whoever waited longest is answered first."""
    query = (
        select(OrganizationClaim)
        .where(OrganizationClaim.status == ClaimStatus.PENDING)
        .options(selectinload(OrganizationClaim.organization).selectinload(Organization.municipality))
        .order_by(OrganizationClaim.id)
    )
    return list(db.session.scalars(query))


def recent_decisions(limit: int = RECENT_DECISIONS) -> list[OrganizationClaim]:
    query = (
        select(OrganizationClaim)
        .where(OrganizationClaim.status != ClaimStatus.PENDING)
        .options(selectinload(OrganizationClaim.organization))
        .order_by(OrganizationClaim.decided_at.desc(), OrganizationClaim.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def users_by_id(claims: list[OrganizationClaim]) -> dict[int, User]:
    ids = {c.user_id for c in claims} | {c.decided_by_id for c in claims if c.decided_by_id}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def get_for_decision(claim_id: int) -> OrganizationClaim | None:
    """The claim, locked: two staff members deciding at once cannot both win."""
    return db.session.get(OrganizationClaim, claim_id, with_for_update=True, populate_existing=True)


def get(claim_id: int) -> OrganizationClaim | None:
    return db.session.get(OrganizationClaim, claim_id)


def _check_pending(item: OrganizationClaim) -> None:
    if item.status != ClaimStatus.PENDING:
        raise ClaimRefused(_l("Questa richiesta è già stata decisa: non è cambiato nulla."))


def _decide(item: OrganizationClaim, decider: User, status: ClaimStatus, reason: str | None) -> None:
    item.status = status
    item.decided_by_id = decider.id
    item.decided_at = utcnow()
    item.decision_reason = reason


def approve(item: OrganizationClaim, decider: User, manage_url: str) -> None:
    """Link the account to the organisation and tell its user."""
    _check_pending(item)
    user = db.session.get(User, item.user_id)
    organization = item.organization
    if user is None or user.role != Role.COMPANY:
        raise ClaimRefused(_l("L'account che ha fatto la richiesta non è più un account aziendale."))
    if user.organization_id is not None and user.organization_id != organization.id:
        raise ClaimRefused(_l("L'account che ha fatto la richiesta è già collegato a un'altra organizzazione."))
    if organization.is_archived:
        raise ClaimRefused(_l("L'organizzazione è archiviata: non si può collegare un account."))
    _decide(item, decider, ClaimStatus.APPROVED, None)
    user.organization_id = organization.id
    record(db.session, organization, "claim_approved", f"{user.email} (#{user.id})")
    _notify(user, "mail/claim_approved.txt", _l("Opportunità: la tua richiesta è stata accettata"),
            organization=organization, manage_url=manage_url)  # fmt: skip
    db.session.flush()


def reject(item: OrganizationClaim, decider: User, reason: str, page_url: str) -> bool:
    """Keep the account unlinked and tell its user why.

    Returns whether the organisation was archived with it: a prospect the claimant proposed
    and that nothing else refers to would otherwise stay in the lists as an empty record.
    """
    _check_pending(item)
    reason = (reason or "").strip()
    if not reason:
        raise ClaimRefused(_l("Scrivi il motivo: la persona che ha fatto la richiesta lo riceverà per email."))
    user = db.session.get(User, item.user_id)
    _decide(item, decider, ClaimStatus.REJECTED, reason)
    record(db.session, item.organization, "claim_rejected", f"{user.email if user else item.user_id}: {reason}")
    archived = _abandoned_prospect(item.organization) and services.archive(item.organization)
    if user is not None:
        _notify(user, "mail/claim_rejected.txt", _l("Opportunità: la tua richiesta non è stata accettata"),
                organization=item.organization, reason=reason, page_url=page_url)  # fmt: skip
    db.session.flush()
    return archived


def _abandoned_prospect(organization: Organization) -> bool:
    """A prospect a company user proposed, holding nothing but claims, none of them pending or accepted."""
    from marketplace.organizations.merge import child_counts

    if organization.status != OrganizationStatus.PROSPECT or organization.created_by_partner_id is not None:
        return False
    if organization.created_by_user_id is None or organization.merged_into_id is not None:
        return False
    counts = child_counts(organization.id)
    counts.pop("claims")
    open_claims = (
        select(func.count())
        .select_from(OrganizationClaim)
        .where(OrganizationClaim.organization_id == organization.id, OrganizationClaim.status != ClaimStatus.REJECTED)
    )
    return not any(counts.values()) and not db.session.scalar(open_claims)


def _notify(user: User, template: str, subject: Any, **context: Any) -> None:
    # The mail goes to the company user: in their language, not the decider's.
    locale = user.locale if user.locale in SUPPORTED_LOCALES else DEFAULT_LOCALE
    with force_locale(locale):
        queue_mail(user.email, str(subject), template, user=user, **context)


def decision_message(status: ClaimStatus) -> str:
    return {
        ClaimStatus.APPROVED: _("Richiesta accettata: l'account è ora collegato all'organizzazione."),
        ClaimStatus.REJECTED: _("Richiesta respinta: la persona riceverà il motivo per email."),
    }[status]
