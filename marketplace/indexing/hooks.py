"""Session hooks: every flush that touches a searchable row writes outbox entries.

Like warehouse's search hooks, changes are collected at flush time; unlike a plain
after-commit enqueue, they are stored in the same transaction, so a crash, a Redis
outage or an Elasticsearch outage cannot lose them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, inspect, literal
from sqlalchemy.orm import Session

from marketplace.agreements.models import Agreement
from marketplace.candidates.models import CandidateProfile, Person
from marketplace.indexing.models import SearchOutboxEntry
from marketplace.indexing.registry import dependent_targets, direct_target
from marketplace.models_base import utcnow
from marketplace.organizations.models import InclusionProfile, Organization, Site

CHANGED_KEY = "search_outbox_written"


@event.listens_for(Session, "before_flush")
def _bump_person_for_profile_changes(session: Session, flush_context: Any, instances: Any) -> None:
    # A person's document includes the profile: its version must move when the profile does.
    profiles = [obj for obj in (*session.new, *session.dirty, *session.deleted) if isinstance(obj, CandidateProfile)]
    with session.no_autoflush:
        for profile in profiles:
            person = profile.person or session.get(Person, profile.person_id)
            if person is not None and person not in session.deleted:
                person.updated_at = utcnow()


@event.listens_for(Session, "before_flush")
def _bump_organization_for_related_changes(session: Session, flush_context: Any, instances: Any) -> None:
    # An organisation's document includes its sites, inclusion profile and agreements:
    # touching the organisation makes its version (and its outbox entry) follow them.
    modified = [obj for obj in session.dirty if session.is_modified(obj) and _indexed_change(obj)]
    touched = [*session.new, *session.deleted, *modified]
    related = [obj for obj in touched if isinstance(obj, Site | InclusionProfile | Agreement)]
    changed = {owner for row in related for owner in _owner_ids(row)}
    # A site removed from `organization.sites` is only deleted (as an orphan) during the flush.
    changed |= {
        obj.id
        for obj in session.dirty
        if isinstance(obj, Organization) and obj.id is not None
        and session.is_modified(obj) and not session.is_modified(obj, include_collections=False)
    }  # fmt: skip
    with session.no_autoflush:
        for organization_id in changed:
            organization = session.get(Organization, organization_id)
            if organization is not None and organization not in session.deleted:
                organization.updated_at = utcnow()


# The agreement fields its organisation's document reads; bookkeeping such as the expiry job's
# `expiry_notified_at` must not re-index (nor bump a version a user's open form relies on).
AGREEMENT_INDEXED_FIELDS = ("organization_id", "status", "valid_from", "valid_to")


def _indexed_change(row: Any) -> bool:
    if not isinstance(row, Agreement):
        return True
    state = inspect(row)
    return any(state.attrs[field].history.has_changes() for field in AGREEMENT_INDEXED_FIELDS)


def _owner_ids(row: Site | InclusionProfile | Agreement) -> set[int]:
    """The organisation a row belongs to, and the one it left (a merge moves sites and agreements)."""
    owners = set(inspect(row).attrs.organization_id.history.deleted)
    if row.organization_id is not None:
        owners.add(row.organization_id)
    else:
        owner = row.__dict__.get("organization")  # set through the relationship, not flushed yet
        if owner is not None and owner.id is not None:
            owners.add(owner.id)
    return {owner for owner in owners if owner is not None}


def _changed(session: Session) -> list[Any]:
    dirty = [obj for obj in session.dirty if session.is_modified(obj, include_collections=False)]
    return [*session.new, *dirty, *session.deleted]


@event.listens_for(Session, "after_flush")
def _write_outbox(session: Session, flush_context: Any) -> None:
    now = utcnow()
    rows: set[tuple[str, int]] = set()
    dependents = []
    for obj in _changed(session):
        target = direct_target(obj)
        if target is not None:
            rows.add(target)
        dependent = dependent_targets(obj)
        if dependent is not None and obj not in session.new:
            dependents.append(dependent)
    if not rows and not dependents:
        return
    connection = session.connection()
    if rows:
        entries = [{"index_name": index, "doc_id": doc_id, "created_at": now, "attempts": 0} for index, doc_id in rows]
        connection.execute(insert(SearchOutboxEntry), entries)
    for index, ids in dependents:
        selected = ids.add_columns(literal(index), literal(now), literal(0))
        connection.execute(
            insert(SearchOutboxEntry).from_select(["doc_id", "index_name", "created_at", "attempts"], selected)
        )
    session.info[CHANGED_KEY] = True


@event.listens_for(Session, "after_commit")
def _drain_after_commit(session: Session) -> None:
    if session.info.pop(CHANGED_KEY, False):
        from jobs import dispatch
        from jobs.tasks.search import drain_search_outbox

        dispatch(drain_search_outbox)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(CHANGED_KEY, None)
