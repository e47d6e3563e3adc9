"""Session hooks: every flush that touches a searchable row writes outbox entries.

Like warehouse's search hooks, changes are collected at flush time; unlike a plain
after-commit enqueue, they are stored in the same transaction, so a crash, a Redis
outage or an Elasticsearch outage cannot lose them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from marketplace.indexing.models import SearchOutboxEntry
from marketplace.models_base import utcnow

CHANGED_KEY = "search_outbox_written"


def _entries_for(session: Session) -> list[dict[str, Any]]:
    entries = []
    for obj in (*session.new, *session.dirty):
        index = getattr(obj, "__search_index__", None)
        if index and (obj in session.new or session.is_modified(obj, include_collections=False)):
            entries.append({"index_name": index, "doc_id": obj.id, "deleted_version": None})
    for obj in session.deleted:
        index = getattr(obj, "__search_index__", None)
        if index:
            entries.append({"index_name": index, "doc_id": obj.id, "deleted_version": obj.version + 1})
    return entries


@event.listens_for(Session, "after_flush")
def _write_outbox(session: Session, flush_context: Any) -> None:
    entries = _entries_for(session)
    if not entries:
        return
    now = utcnow()
    session.connection().execute(
        insert(SearchOutboxEntry), [{**e, "created_at": now, "attempts": 0} for e in entries]
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
