"""The relationship history with an organisation: interactions, their follow-ups, placements."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Role, User
from marketplace.applications.models import Application, ApplicationStatus
from marketplace.extensions import db
from marketplace.interactions.models import Interaction
from marketplace.models_base import utcnow
from marketplace.opportunities.models import Opportunity
from marketplace.organizations import services as organizations
from marketplace.organizations.models import Contact, Organization


def get(interaction_id: int) -> Interaction | None:
    return db.session.get(Interaction, interaction_id)


def history(organization_id: int) -> list[Interaction]:
    """Newest first; same-day entries in the order they were logged, latest on top."""
    query = (
        select(Interaction)
        .where(Interaction.organization_id == organization_id)
        .options(selectinload(Interaction.author), selectinload(Interaction.contact))
        .order_by(Interaction.occurred_on.desc(), Interaction.id.desc())
    )
    return list(db.session.scalars(query))


def contacts_of(organization_id: int) -> list[Contact]:
    query = select(Contact).where(Contact.organization_id == organization_id).order_by(Contact.full_name, Contact.id)
    return list(db.session.scalars(query))


# -- logging an interaction ---------------------------------------------------------------


def log(organization: Organization, values: dict[str, Any], *, author: User) -> Interaction:
    """Record an interaction by `author` (and their partner) and refresh the organisation's last contact."""
    contact_id = values.get("contact_id")
    if contact_id is not None:
        contact = db.session.get(Contact, contact_id)
        if contact is None or contact.organization_id != organization.id:
            raise ValueError("not a contact of this organisation")  # the form only offers this one's
    interaction = Interaction(
        organization_id=organization.id, partner_id=author.partner_id, author_id=author.id,
        contact_id=contact_id, kind=values["kind"], occurred_on=values["occurred_on"],
        summary=values["summary"], outcome=values["outcome"],
        next_step=values.get("next_step"), next_step_on=values.get("next_step_on"),
    )  # fmt: skip
    db.session.add(interaction)
    db.session.flush()
    refresh_last_contact(organization)
    return interaction


def refresh_last_contact(organization: Organization) -> None:
    """last_contact_on is the latest interaction's date, kept on the row so lists can filter on it.

    Changing it writes the organisation's search outbox entry at flush, which reindexes it.
    """
    latest = db.session.scalar(
        select(func.max(Interaction.occurred_on)).where(Interaction.organization_id == organization.id)
    )
    organizations.apply_values(organization, {"last_contact_on": latest})
    db.session.flush()


# -- follow-ups -------------------------------------------------------------------------------


def open_follow_ups(author_id: int) -> list[Interaction]:
    """The next steps this person wrote and has not done yet, soonest first."""
    query = (
        select(Interaction)
        .where(
            Interaction.author_id == author_id,
            Interaction.next_step_on.is_not(None),
            Interaction.next_step_done_at.is_(None),
        )
        .options(selectinload(Interaction.organization))
        .order_by(Interaction.next_step_on, Interaction.id)
    )
    return list(db.session.scalars(query))


def is_open_follow_up(interaction: Interaction) -> bool:
    return interaction.next_step_on is not None and interaction.next_step_done_at is None


def is_overdue(interaction: Interaction, today: date) -> bool:
    return is_open_follow_up(interaction) and interaction.next_step_on < today


def can_complete(user: User, interaction: Interaction) -> bool:
    """Its author closes a follow-up; so may a partner_admin of the same partner (colleague away), and admins."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN or user.id == interaction.author_id:
        return True
    return user.role == Role.PARTNER_ADMIN and user.partner_id is not None and user.partner_id == interaction.partner_id


def mark_done(interaction: Interaction) -> bool:
    """Close the follow-up; returns False when it was already closed (a second click changes nothing)."""
    if interaction.next_step_done_at is not None:
        return False
    interaction.next_step_done_at = utcnow()
    db.session.flush()
    return True


# -- placements ---------------------------------------------------------------------------------


def placements(organization_id: int) -> list[Application]:
    """Accepted applications to this organisation's opportunities, the latest start first."""
    query = (
        select(Application)
        .join(Opportunity, Application.opportunity_id == Opportunity.id)
        .where(Opportunity.organization_id == organization_id, Application.status == ApplicationStatus.ACCEPTED)
        .options(selectinload(Application.opportunity), selectinload(Application.person))
        .order_by(Opportunity.start_date.desc().nulls_last(), Application.updated_at.desc(), Application.id.desc())
    )
    return list(db.session.scalars(query))
