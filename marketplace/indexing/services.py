"""Apply outbox entries to the search backend; rebuild indexes; report drift."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.indexing.models import SearchOutboxEntry
from marketplace.models_base import utcnow
from marketplace.opportunities.models import Opportunity
from marketplace.territory.models import Municipality
from search import IndexAction, SearchBackend
from search.documents import opportunity_document, opportunity_is_searchable

DRAIN_BATCH = 1000
WINDOW = 1000


def backend() -> SearchBackend:
    return current_app.extensions["search"]


def _load_opportunities(ids: list[int]) -> dict[int, Opportunity]:
    query = (
        select(Opportunity)
        .where(Opportunity.id.in_(ids))
        .options(
            selectinload(Opportunity.organization),
            selectinload(Opportunity.sector),
            selectinload(Opportunity.municipality).selectinload(Municipality.district),
        )
    )
    return {o.id: o for o in db.session.scalars(query)}


def opportunity_action(doc_id: int, row: Opportunity | None, deleted_version: int | None) -> IndexAction:
    if row is None:
        return IndexAction("opportunities", doc_id, deleted_version or 1, "delete")
    if not opportunity_is_searchable(row):
        return IndexAction("opportunities", doc_id, row.version, "delete")
    return IndexAction("opportunities", doc_id, row.version, "index", opportunity_document(row))


def _actions_for(entries: list[SearchOutboxEntry]) -> list[IndexAction]:
    latest: dict[tuple[str, int], SearchOutboxEntry] = {}
    for entry in entries:
        latest[(entry.index_name, entry.doc_id)] = entry
    opportunity_ids = [doc_id for (index, doc_id) in latest if index == "opportunities"]
    rows = _load_opportunities(opportunity_ids)
    return [
        opportunity_action(doc_id, rows.get(doc_id), entry.deleted_version)
        for (index, doc_id), entry in latest.items()
        if index == "opportunities"
    ]


@dataclass
class DrainReport:
    applied: int = 0
    failed: int = 0
    remaining: int = 0


def drain_once(limit: int = DRAIN_BATCH) -> DrainReport:
    """Apply up to `limit` entries. Entries whose write failed stay for the next run."""
    query = select(SearchOutboxEntry).order_by(SearchOutboxEntry.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        # Two workers draining at once take disjoint batches.
        query = query.with_for_update(skip_locked=True)
    entries = list(db.session.scalars(query))
    if not entries:
        return DrainReport()
    outcome = backend().apply(_actions_for(entries))
    failed_keys = {(a.index, a.doc_id): error for a, error in outcome.failed}
    done_ids = []
    for entry in entries:
        error = failed_keys.get((entry.index_name, entry.doc_id))
        if error is None:
            # Entries of indexes with no document builder yet are simply consumed.
            done_ids.append(entry.id)
        else:
            entry.attempts += 1
            entry.last_error = error
    if done_ids:
        db.session.execute(delete(SearchOutboxEntry).where(SearchOutboxEntry.id.in_(done_ids)))
    db.session.flush()
    return DrainReport(applied=len(done_ids), failed=len(failed_keys))


def pending_count() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchOutboxEntry)) or 0


def oldest_pending_age_seconds() -> float | None:
    oldest = db.session.scalar(select(func.min(SearchOutboxEntry.created_at)))
    if oldest is None:
        return None
    if oldest.tzinfo is None:  # SQLite returns naive datetimes
        oldest = oldest.replace(tzinfo=utcnow().tzinfo)
    return (utcnow() - oldest).total_seconds()


def opportunity_documents() -> Iterator[tuple[int, int, dict[str, Any]]]:
    """Every searchable opportunity, read in id windows so memory stays flat."""
    last_id = 0
    while True:
        ids = list(db.session.scalars(
            select(Opportunity.id).where(Opportunity.id > last_id).order_by(Opportunity.id).limit(WINDOW)
        ))  # fmt: skip
        if not ids:
            return
        rows = _load_opportunities(ids)
        for doc_id in ids:
            row = rows[doc_id]
            if opportunity_is_searchable(row):
                yield row.id, row.version, opportunity_document(row)
        last_id = ids[-1]
        db.session.expunge_all()


def reindex(index: str = "opportunities") -> int:
    if index != "opportunities":
        raise ValueError(f"unknown index {index!r}")
    return backend().replace_all(index, opportunity_documents())
