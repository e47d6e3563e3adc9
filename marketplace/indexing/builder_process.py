"""Build search documents in a child process, so that a full reindex uses both cores.

Reading rows and building documents is Python work that holds the interpreter lock; in a
thread it competes with the bulk sender. A forked child has its own interpreter: it reads
the database on its own connections, builds and JSON-serialises the documents, and hands
windows of ready bytes to the parent, which only sends them.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import queue
from collections.abc import Iterator
from typing import Any

import orjson
from elastic_transport import JsonSerializer
from flask import Flask, current_app
from sqlalchemy.engine import Engine

from marketplace.extensions import db, drop_inherited_connections

SerialisedDocument = tuple[int, int, bytes]
POLL_S = 1.0
_DOCS, _END, _ERROR = "docs", "end", "error"
# What orjson does not know (decimals, UUIDs) becomes JSON exactly as the Elasticsearch client
# would make it; dates and datetimes orjson writes in the same ISO form itself.
_to_json_value = JsonSerializer().default


@contextlib.contextmanager
def child_builder(index: str, window: int, depth: int = 4) -> Iterator[Iterator[SerialisedDocument]]:
    """Every searchable row of `index` as (id, version, JSON bytes), built by a forked child.

    The child starts on entry, so it reads its first rows while the caller creates the new
    index; it is stopped on exit, whether or not its documents were all taken.
    """
    context = multiprocessing.get_context("fork")
    windows: Any = context.Queue(maxsize=depth)
    app = current_app._get_current_object()
    child = context.Process(target=_produce, args=(app, index, window, windows), name=f"reindex-{index}", daemon=True)
    child.start()
    try:
        yield _received(windows, child, index)
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=10)
        windows.close()


def _received(windows: Any, child: Any, index: str) -> Iterator[SerialisedDocument]:
    while True:
        kind, payload = _next_window(windows, child, index)
        if kind == _END:
            return
        if kind == _ERROR:
            raise RuntimeError(f"building the {index} documents failed: {payload}")
        yield from payload


def _next_window(windows: Any, child: Any, index: str) -> tuple[str, Any]:
    """The child's next message; a child that died without saying so is an error, not a hang."""
    while True:
        try:
            return windows.get(timeout=POLL_S)
        except queue.Empty:
            if child.is_alive():
                continue
        try:  # it may have written its last words just before exiting
            return windows.get(timeout=POLL_S)
        except queue.Empty:
            raise RuntimeError(f"the {index} document builder exited (code {child.exitcode})") from None


def can_fork_builder() -> bool:
    """Only with a real connection pool: a child cannot share a connection (or a test's open transaction)."""
    return isinstance(db.engine, Engine) and db.engine.dialect.name != "sqlite"


def _produce(app: Flask, index: str, window: int, windows: Any) -> None:
    from marketplace.indexing.services import documents

    with app.app_context():
        try:
            drop_inherited_connections()
            # Everything inherited from the parent lives as long as the child: frozen, the
            # collector stops scanning it each time building documents allocates enough.
            gc.freeze()
            batch: list[SerialisedDocument] = []
            # The first windows are small: the parent's first bulk request should leave early.
            for doc_id, version, document in documents(index, first_window=window):
                batch.append((doc_id, version, dumps(document)))
                if len(batch) >= window:
                    windows.put((_DOCS, batch))
                    batch = []
            windows.put((_DOCS, batch))
            windows.put((_END, None))
        except BaseException as error:  # reported to the parent, which raises it
            windows.put((_ERROR, f"{type(error).__name__}: {error}"))


def dumps(document: dict[str, Any]) -> bytes:
    return orjson.dumps(document, default=_to_json_value)
