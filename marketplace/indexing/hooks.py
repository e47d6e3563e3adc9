"""Session hooks: every flush that touches a searchable row writes outbox entries.

Like warehouse's search hooks, changes are collected at flush time; unlike a plain
after-commit enqueue, they are stored in the same transaction, so a crash, a Redis
outage or an Elasticsearch outage cannot lose them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, literal
from sqlalchemy.orm import Session

from marketplace.candidates.models import CandidateProfile, Person
from marketplace.indexing.models import SearchOutboxEntry
from marketplace.indexing.registry import dependent_targets, direct_target
from marketplace.models_base import utcnow

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
