"""Apply outbox entries to the search backend; rebuild indexes; find and repair drift."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, insert, select

from marketplace.common.sql import among
from marketplace.extensions import db
from marketplace.indexing.builder_process import can_fork_builder, child_builder
from marketplace.indexing.models import SearchOutboxEntry
from marketplace.indexing.registry import DELETED_VERSION, REGISTRY, IndexedModel
from marketplace.models_base import utcnow
from search import IndexAction, SearchBackend

DRAIN_BATCH = 1000
WINDOW = 1000
# Documents the reindex builder hands over at a time: small enough that the first bulk request
# leaves soon after the start, large enough that the hand-over costs little.
HANDOFF = 250
REINDEX_LOCK_SECONDS = 3600


class ReindexRunning(RuntimeError):
    """Another reindex of the same index holds the lock."""


def backend() -> SearchBackend:
    return current_app.extensions["search"]


def spec(index: str) -> IndexedModel:
    try:
        return REGISTRY[index]
    except KeyError:
        raise ValueError(f"unknown index {index!r}; known: {', '.join(REGISTRY)}") from None


def action_for(model: IndexedModel, doc_id: int, row: Any | None) -> IndexAction:
    if row is None:
        return IndexAction(model.index, doc_id, DELETED_VERSION, "delete")
    if not model.searchable(row):
        return IndexAction(model.index, doc_id, model.version(row), "delete")
    return IndexAction(model.index, doc_id, model.version(row), "index", model.document(row))


def actions_for(index: str, ids: list[int]) -> list[IndexAction]:
    """The writes that bring these documents up to date, from the rows as they are now."""
    model = spec(index)
    rows = model.load(ids)
    return [action_for(model, doc_id, rows.get(doc_id)) for doc_id in ids]


def opportunity_action(doc_id: int) -> IndexAction:
    return actions_for("opportunities", [doc_id])[0]


def _actions_for(entries: list[SearchOutboxEntry]) -> list[IndexAction]:
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        wanted.setdefault(entry.index_name, set()).add(entry.doc_id)
    return [action for index, ids in wanted.items() for action in actions_for(index, sorted(ids))]


@dataclass
class DrainReport:
    applied: int = 0
    failed: int = 0


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
    failed = {(action.index, action.doc_id): error for action, error in outcome.failed}
    done_ids = []
    for entry in entries:
        error = failed.get((entry.index_name, entry.doc_id))
        if error is None:
            done_ids.append(entry.id)
        else:
            entry.attempts += 1
            entry.last_error = error
    if done_ids:
        db.session.execute(delete(SearchOutboxEntry).where(among(SearchOutboxEntry.id, done_ids)))
    db.session.flush()
    return DrainReport(applied=len(done_ids), failed=len(failed))


def pending_count() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchOutboxEntry)) or 0


def oldest_pending_age_seconds() -> float | None:
    oldest = db.session.scalar(select(func.min(SearchOutboxEntry.created_at)))
    if oldest is None:
        return None
    if oldest.tzinfo is None:  # SQLite returns naive datetimes
        oldest = oldest.replace(tzinfo=utcnow().tzinfo)
    return max(0.0, (utcnow() - oldest).total_seconds())


def documents(index: str, first_window: int = WINDOW) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """Every searchable row of an index as (id, version, document), read in id windows.

    Windows start at `first_window` rows and double up to WINDOW, so the first documents come
    quickly and the rest in few queries.
    """
    model = spec(index)
    only_searchable = [model.searchable_where()] if model.searchable_where else []
    last_id, size = 0, min(first_window, WINDOW)
    while True:
        ids = list(db.session.scalars(
            select(model.model.id).where(model.model.id > last_id, *only_searchable)
            .order_by(model.model.id).limit(size)
        ))  # fmt: skip
        size = min(size * 2, WINDOW)
        if not ids:
            return
        rows = model.load(ids)
        for doc_id in ids:
            row = rows[doc_id]
            if model.searchable(row):
                yield doc_id, model.version(row), model.document(row)
        last_id = ids[-1]
        db.session.expunge_all()  # keeps memory flat across 100k rows


@contextlib.contextmanager
def _reindex_lock(index: str) -> Iterator[None]:
    """One reindex per index at a time, across every worker (Redis lock); in-process otherwise."""
    redis = getattr(current_app.extensions["jobs"], "connection", None)
    if redis is None:
        yield
        return
    lock = redis.lock(f"opportunita:reindex:{index}", timeout=REINDEX_LOCK_SECONDS, blocking=False)
    if not lock.acquire():
        raise ReindexRunning(index)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            lock.release()


def prefetched(index: str, depth: int = 4) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """`documents(index)`, read and built in a background thread.

    Used where a child process cannot be (the embedded backend, or a test's open transaction
    that another process could not see): building the next windows while the previous ones
    are written still overlaps the two.
    """
    app = current_app._get_current_object()
    windows: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                windows.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        with app.app_context():
            try:
                window: list[tuple[int, int, dict[str, Any]]] = []
                for item in documents(index):
                    window.append(item)
                    if len(window) >= WINDOW:
                        if not put(window):
                            return  # the consumer gave up
                        window = []
                put(window)
            except BaseException as error:  # handed to the consumer, which raises it
                put(error)
            finally:
                put(_END)

    producer = threading.Thread(target=produce, name=f"reindex-{index}", daemon=True)
    producer.start()
    try:
        while (item := windows.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield from item
    finally:
        stop.set()
        producer.join(timeout=10)


_END = object()


def reindex(index: str, progress: Callable[[int], None] | None = None) -> int:
    spec(index)
    with _reindex_lock(index):
        search = backend()
        search.ensure_indexes()
        if getattr(search, "takes_serialised_documents", False) and can_fork_builder():
            with child_builder(index, HANDOFF) as built:
                count = search.replace_all(index, built, progress)
        else:
            count = search.replace_all(index, prefetched(index), progress)
    _check_after_rebuild(index)
    return count


def _check_after_rebuild(index: str) -> None:
    """Queue a drift check of the rebuilt index.

    A change drained while the new index was being filled went to the old one (the alias
    still pointed there); if the rebuild had read that row before the change, the new index
    holds the older version. The check finds it and queues its repair.
    """
    from jobs.dispatch import dispatch
    from jobs.tasks.search import reconcile_index

    dispatch(reconcile_index, index)


@dataclass
class Drift:
    index: str
    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.extra)


def drift(index: str) -> Drift:
    """Compare (id, version) in the database with the index."""
    model = spec(index)
    expected = dict(db.session.execute(model.expected()).all())
    indexed = backend().versions(index)
    report = Drift(index)
    for doc_id, version in expected.items():
        found = indexed.get(doc_id)
        if found is None:
            report.missing.append(doc_id)
        elif found != version:
            report.stale.append(doc_id)
    report.extra = [doc_id for doc_id in indexed if doc_id not in expected]
    return report


def repair(report: Drift) -> int:
    """Queue outbox entries for every drifted document; the drain job fixes them."""
    ids = [*report.missing, *report.stale, *report.extra]
    if ids:
        now = utcnow()
        rows = [{"index_name": report.index, "doc_id": doc_id, "created_at": now, "attempts": 0} for doc_id in ids]
        db.session.execute(insert(SearchOutboxEntry), rows)
        db.session.flush()
    return len(ids)


def indexes() -> list[str]:
    return list(REGISTRY)
