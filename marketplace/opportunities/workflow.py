"""The life of an opportunity: draft → in review → published → closed → archived.

Each transition checks where it may start from, writes an OpportunityEvent and flushes; the
request or job commits. The search outbox sees the status change through the row version, so
publishing makes an opportunity searchable and closing removes it.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.applications.models import Application, ApplicationStatus
from marketplace.common.errors import Refused
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.opportunities.editing import record_event
from marketplace.opportunities.models import CloseReason, Opportunity, OpportunityAction, OpportunityStatus

Status = OpportunityStatus
REASON_MAX = 2000


class TransitionRefused(Refused):
    """The opportunity is not in a state this step starts from, or the step lacks what it needs."""


def submit(opportunity: Opportunity, *, actor: User) -> None:
    """The editor asks the network to review a draft (also a rejected one, after editing it)."""
    _require(opportunity, {Status.DRAFT})
    _move(opportunity, Status.IN_REVIEW, actor, OpportunityAction.SUBMITTED)
    opportunity.submitted_at = utcnow()


def approve(opportunity: Opportunity, *, actor: User, today: date | None = None) -> None:
    _require(opportunity, {Status.IN_REVIEW})
    deadline = opportunity.application_deadline
    if deadline is not None and deadline < (today or date.today()):
        message = _l("La scadenza delle candidature è già passata: va aggiornata prima di pubblicare.")
        raise TransitionRefused(str(message))
    now = utcnow()
    opportunity.reviewed_at, opportunity.reviewed_by_id = now, actor.id
    opportunity.rejection_reason = None
    opportunity.published_at = opportunity.published_at or now
    _move(opportunity, Status.PUBLISHED, actor, OpportunityAction.APPROVED)


def reject(opportunity: Opportunity, *, actor: User, reason: str) -> None:
    """Back to draft with the reviewer's reason, which the editor sees above the form."""
    _require(opportunity, {Status.IN_REVIEW})
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(str(_l("Spiega il motivo: chi ha scritto l'opportunità lo leggerà per correggerla.")))
    reason = reason[:REASON_MAX]
    opportunity.reviewed_at, opportunity.reviewed_by_id = utcnow(), actor.id
    opportunity.rejection_reason = reason
    _move(opportunity, Status.DRAFT, actor, OpportunityAction.REJECTED, reason=reason)


def close(opportunity: Opportunity, *, actor: User | None, reason: CloseReason, note: str = "") -> None:
    """Closed ones leave public search but their page stays, saying why (a shared link keeps working)."""
    _require(opportunity, {Status.PUBLISHED})
    opportunity.closed_at, opportunity.close_reason = utcnow(), reason
    _move(opportunity, Status.CLOSED, actor, OpportunityAction.CLOSED, reason=note.strip()[:REASON_MAX] or reason.value)


def reopen(opportunity: Opportunity, *, actor: User) -> None:
    """A closed opportunity goes back through review before the public sees it again."""
    _require(opportunity, {Status.CLOSED})
    opportunity.closed_at, opportunity.close_reason = None, None
    opportunity.submitted_at = utcnow()
    _move(opportunity, Status.IN_REVIEW, actor, OpportunityAction.REOPENED)


def archive(opportunity: Opportunity, *, actor: User) -> None:
    _require(opportunity, {Status.DRAFT, Status.IN_REVIEW, Status.CLOSED})
    _move(opportunity, Status.ARCHIVED, actor, OpportunityAction.ARCHIVED)


def accepted_count(opportunity_id: int) -> int:
    query = select(func.count()).where(
        Application.opportunity_id == opportunity_id, Application.status == ApplicationStatus.ACCEPTED
    )
    return db.session.scalar(query) or 0


def close_due(*, today: date | None = None, limit: int = 1000) -> list[int]:
    """The scheduled job's work: close published opportunities past their deadline or with every seat taken."""
    today = today or date.today()
    accepted = (
        select(Application.opportunity_id, func.count().label("taken"))
        .where(Application.status == ApplicationStatus.ACCEPTED)
        .group_by(Application.opportunity_id)
        .subquery()
    )
    query = (
        select(Opportunity)
        .outerjoin(accepted, accepted.c.opportunity_id == Opportunity.id)
        .where(Opportunity.status == Status.PUBLISHED)
        .where((Opportunity.application_deadline < today) | (accepted.c.taken >= Opportunity.seats))
        .order_by(Opportunity.id)
        .limit(limit)
    )
    closed = []
    for opportunity in db.session.scalars(query).all():
        past_deadline = opportunity.application_deadline is not None and opportunity.application_deadline < today
        reason = CloseReason.DEADLINE_PASSED if past_deadline else CloseReason.FILLED
        close(opportunity, actor=None, reason=reason)
        closed.append(opportunity.id)
    return closed


def _require(opportunity: Opportunity, allowed: set[OpportunityStatus]) -> None:
    if opportunity.status not in allowed:
        raise TransitionRefused(str(_l("Questa operazione non è possibile nello stato attuale dell'opportunità.")))


def _move(
    opportunity: Opportunity,
    to_status: OpportunityStatus,
    actor: User | None,
    action: OpportunityAction,
    *,
    reason: str = "",
) -> None:
    from_status = opportunity.status
    opportunity.status = to_status
    db.session.flush()
    record_event(opportunity, actor, action, from_status=from_status, reason=reason)
