"""Creating and editing opportunities and their editions, whoever does it (web form, partner API).

Every write goes through `rules.check`, so the form and the API refuse the same things with
the same messages. Services flush; the request or job commits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from marketplace.accounts.models import User
from marketplace.common.concurrency import StaleRecord
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.opportunities import policy, rules
from marketplace.opportunities.models import (
    Edition,
    Opportunity,
    OpportunityAction,
    OpportunityEvent,
    OpportunityStatus,
)
from marketplace.organizations.models import Organization, Site
from marketplace.territory.models import Municipality, Sector

# The attributes an editor sets; everything else is workflow bookkeeping.
EDITABLE_FIELDS = (
    "title", "description", "kind", "sector_code", "site_id", "municipality_code", "skills", "target_groups",
    "education_level", "languages", "driving_licence_required", "hours_per_week", "schedule", "duration_months",
    "total_hours", "start_date", "end_date", "application_deadline", "seats", "allowance_eur", "minors_allowed",
    "age_min", "age_max", "accessibility_notes", "contact_name", "contact_email", "contact_phone",
)  # fmt: skip
EDITION_FIELDS = ("label", "starts_on", "ends_on", "start_time", "end_time", "place", "municipality_code", "seats")


class InvalidOpportunity(Exception):
    """The values break a rule; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


def create(
    organization: Organization, values: dict[str, Any], *, actor: User, today: date | None = None
) -> Opportunity:
    """A new draft for `organization`; the actor's partner is recorded when staff act on its behalf."""
    values = _complete(organization, {field: values.get(field) for field in EDITABLE_FIELDS})
    _validate(organization, values, today=today or date.today(), deadline_changed=True)
    opportunity = Opportunity(organization=organization, status=OpportunityStatus.DRAFT, created_by_id=actor.id)
    if policy.is_network_staff(actor):
        opportunity.on_behalf_partner_id = actor.partner_id
    _assign(opportunity, values)
    db.session.add(opportunity)
    db.session.flush()
    record_event(opportunity, actor, OpportunityAction.CREATED, from_status=None)
    return opportunity


def update(
    opportunity: Opportunity,
    values: dict[str, Any],
    *,
    actor: User,
    expected_version: int | None,
    today: date | None = None,
) -> list[str]:
    """Save an edit made on a form opened at `expected_version`; returns the changed fields.

    A company's change to a published opportunity goes back to review, so that what the public
    sees has always been approved by the network.
    """
    if expected_version is None or opportunity.version != expected_version:
        raise StaleRecord()
    merged = {field: getattr(opportunity, field) for field in EDITABLE_FIELDS}
    merged.update({field: value for field, value in values.items() if field in EDITABLE_FIELDS})
    merged = _complete(opportunity.organization, merged)
    deadline_changed = merged.get("application_deadline") != opportunity.application_deadline
    _validate(opportunity.organization, merged, today=today or date.today(), deadline_changed=deadline_changed)
    changed = [field for field in EDITABLE_FIELDS if _differs(getattr(opportunity, field), merged.get(field))]
    if not changed:
        return []
    try:
        with db.session.begin_nested():
            _assign(opportunity, merged)
            previous = opportunity.status
            if previous == OpportunityStatus.PUBLISHED and policy.edits_need_review(actor):
                opportunity.status = OpportunityStatus.IN_REVIEW
                opportunity.submitted_at = utcnow()
            db.session.flush()
    except StaleDataError:
        raise StaleRecord() from None
    record_event(opportunity, actor, OpportunityAction.EDITED, from_status=previous, reason=", ".join(changed))
    return changed


def save_edition(opportunity: Opportunity, edition: Edition | None, values: dict[str, Any], *, actor: User) -> Edition:
    """Create (edition None) or change one edition; the opportunity's version grows so its document is rewritten."""
    values = {field: values.get(field) for field in EDITION_FIELDS}
    errors = rules.check_edition(values)
    if errors:
        raise InvalidOpportunity(errors)
    if edition is None:
        edition = Edition(opportunity=opportunity)
        db.session.add(edition)
    for field, value in values.items():
        setattr(edition, field, value if value is not None or field not in {"label", "place"} else "")
    _touch(opportunity)
    return edition


def delete_edition(opportunity: Opportunity, edition: Edition, *, actor: User) -> None:
    db.session.delete(edition)
    _touch(opportunity)


def record_event(
    opportunity: Opportunity,
    actor: User | None,
    action: OpportunityAction,
    *,
    from_status: OpportunityStatus | None,
    reason: str = "",
) -> OpportunityEvent:
    event = OpportunityEvent(
        opportunity_id=opportunity.id,
        actor_id=actor.id if actor is not None else None,
        action=action,
        from_status=from_status,
        to_status=opportunity.status,
        reason=reason,
    )
    db.session.add(event)
    db.session.flush()
    return event


def _complete(organization: Organization, values: dict[str, Any]) -> dict[str, Any]:
    """Derived values: the comune comes from the chosen site, the sector defaults to the organisation's."""
    values = dict(values)
    site = db.session.get(Site, values["site_id"]) if values.get("site_id") else None
    if site is not None and site.organization_id == organization.id:
        values["municipality_code"] = site.municipality_code
    elif not values.get("municipality_code"):
        # No site and no comune given: it happens where the organisation is (search by place still finds it).
        values["municipality_code"] = organization.municipality_code
    if not values.get("sector_code"):
        values["sector_code"] = organization.ateco_code
    for field in ("schedule", "accessibility_notes", "contact_name", "description"):
        values[field] = (values.get(field) or "").strip()
    for field in ("skills", "target_groups", "languages"):
        values[field] = list(values.get(field) or [])
    values["minors_allowed"] = bool(values.get("minors_allowed"))
    values["driving_licence_required"] = bool(values.get("driving_licence_required"))
    if values.get("title"):
        values["title"] = values["title"].strip()
    return values


def _validate(organization: Organization, values: dict[str, Any], *, today: date, deadline_changed: bool) -> None:
    errors = rules.check(values, today=today, deadline_changed=deadline_changed)
    site_id = values.get("site_id")
    if site_id:
        site = db.session.get(Site, site_id)
        if site is None or site.organization_id != organization.id:
            errors["site_id"] = str(rules.message_foreign_site())
    if values.get("sector_code") and db.session.get(Sector, values["sector_code"]) is None:
        errors["sector_code"] = str(rules.message_unknown_code())
    if values.get("municipality_code") and db.session.get(Municipality, values["municipality_code"]) is None:
        errors["municipality_code"] = str(rules.message_unknown_code())
    if errors:
        raise InvalidOpportunity(errors)


def _assign(opportunity: Opportunity, values: dict[str, Any]) -> None:
    for field in EDITABLE_FIELDS:
        setattr(opportunity, field, values.get(field))


def _differs(current: Any, new: Any) -> bool:
    current = getattr(current, "value", current)
    new = getattr(new, "value", new)
    if current is None and new is None:
        return False
    if current is None or new is None:
        # None, "", [] and False all mean "not set"; 0 is a value (an allowance of 0 €, say).
        other = new if current is None else current
        if isinstance(other, bool | str | list):
            return bool(other)
        return True
    try:
        return type(new)(current) != new
    except (TypeError, ValueError):
        return current != new


def _touch(opportunity: Opportunity) -> None:
    # An UPDATE on the opportunity bumps its version: the search document then embeds the new editions.
    opportunity.updated_at = utcnow()
    db.session.flush()
