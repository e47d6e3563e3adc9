"""Who may do what with an opportunity and its applications. Deny by default.

Network staff (operators, partner_admins, admins) work across organisations: they publish
on a company's behalf and follow applicants. A company user acts only for its own
organisation. Candidates see public opportunities and their own applications.
"""

from __future__ import annotations

from typing import Any

from marketplace.accounts.models import Role

NETWORK_STAFF = frozenset({Role.OPERATOR, Role.PARTNER_ADMIN, Role.ADMIN})
REVIEWERS = frozenset({Role.PARTNER_ADMIN, Role.ADMIN})
PUBLIC_STATUSES = frozenset({"published", "closed"})
EDITABLE_STATUSES = frozenset({"draft", "in_review", "published", "closed"})


def _status(opportunity: Any) -> str:
    return getattr(opportunity.status, "value", opportunity.status)


def is_network_staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.role in NETWORK_STAFF)


def is_own_company(user: Any, organization_id: int) -> bool:
    return bool(user.is_authenticated and user.role == Role.COMPANY and user.organization_id == organization_id)


def can_view(user: Any, opportunity: Any) -> bool:
    """Published and closed ones are public (a shared link keeps working); the rest only to their editors."""
    if _status(opportunity) in PUBLIC_STATUSES:
        return True
    return is_network_staff(user) or is_own_company(user, opportunity.organization_id)


def can_create_for(user: Any, organization: Any) -> bool:
    if organization.archived_at is not None or organization.merged_into_id is not None:
        return False
    return is_network_staff(user) or is_own_company(user, organization.id)


def can_edit(user: Any, opportunity: Any) -> bool:
    if _status(opportunity) not in EDITABLE_STATUSES:
        return False
    return is_network_staff(user) or is_own_company(user, opportunity.organization_id)


def can_review(user: Any) -> bool:
    return bool(user.is_authenticated and user.role in REVIEWERS)


def edits_need_review(user: Any) -> bool:
    """A company's change to a published opportunity goes back to review; network staff's do not."""
    return not is_network_staff(user)


def can_manage_applicants(user: Any, opportunity: Any) -> bool:
    """See the applicants, move them through the pipeline, write notes, read their CVs."""
    return is_network_staff(user) or is_own_company(user, opportunity.organization_id)


def is_applicant(user: Any, application: Any) -> bool:
    person = application.person
    return bool(user.is_authenticated and person is not None and person.user_id == user.id)


def can_read_application(user: Any, application: Any) -> bool:
    return is_applicant(user, application) or can_manage_applicants(user, application.opportunity)


def can_read_cv(user: Any, application: Any) -> bool:
    return can_read_application(user, application)


def can_apply_for(user: Any, person: Any) -> bool:
    """A candidate applies for themselves; an operator (or partner_admin) for a person they follow."""
    if not user.is_authenticated:
        return False
    if user.role == Role.CANDIDATE:
        return person is not None and person.user_id == user.id
    return user.role in NETWORK_STAFF


def can_withdraw(user: Any, application: Any) -> bool:
    """The candidate, or network staff (who may have applied on the person's behalf)."""
    return is_applicant(user, application) or is_network_staff(user)
