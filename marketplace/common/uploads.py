"""Uploaded files kept outside the web root, under random keys.

Files live in the instance folder (or `UPLOAD_FOLDER` when configured), one folder per
kind ("agreements", "imports"…). The name on disk is a random key, never the name the
user gave, so nothing about it can be guessed, traversed or served by the static route:
files reach users only through views that check who is asking.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from flask import Response, current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# session.info keys: files to remove when the transaction ends one way or the other.
_DELETE_ON_COMMIT = "uploads_delete_on_commit"
_DELETE_ON_ROLLBACK = "uploads_delete_on_rollback"

_KIND = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_KEY = re.compile(r"^[0-9a-f]{64}$")


class StoredFileMissing(LookupError):
    """No stored file under this kind and key."""


def upload_root() -> Path:
    configured = current_app.config.get("UPLOAD_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def _path(kind: str, key: str) -> Path:
    # Both parts are checked so a key read from the database or a URL can never leave the folder.
    if not _KIND.match(kind):
        raise ValueError(f"invalid upload kind {kind!r}")
    if not _KEY.match(key):
        raise ValueError("invalid upload key")
    return upload_root() / kind / key


def store_bytes(kind: str, data: bytes) -> str:
    """Write the bytes under a new random key and return the key."""
    key = secrets.token_hex(32)
    target = _path(kind, key)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename: a crash never leaves a half-written file under a valid key.
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return key


def open_stored(kind: str, key: str) -> Path:
    """The path of a stored file; raises StoredFileMissing when it is not there."""
    path = _path(kind, key)
    if not path.is_file():
        raise StoredFileMissing(f"{kind}/{key}")
    return path


def stored_download(path: Path, filename: str, mimetype: str) -> Response:
    """A stored file as a download (an attachment, never rendered inline), kept private."""
    return private(send_file(path, mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0))


def pdf_download(path: Path, filename: str) -> Response:
    return stored_download(path, filename, "application/pdf")


def private(response: Response) -> Response:
    """No proxy keeps the response (it holds personal data) and no browser sniffs it into another type."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def delete_stored(kind: str, key: str) -> bool:
    """Remove a stored file; returns whether there was one."""
    path = _path(kind, key)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def sweep_orphans(kind: str, referenced: set[str], older_than_s: float, now: float | None = None) -> int:
    """Remove files of `kind` no row refers to, and half-written leftovers; returns how many went.

    Only files older than `older_than_s`: a file just stored belongs to a transaction that
    may not have committed yet. Covers what the commit/rollback hooks below cannot: a
    process that died between storing a file and ending its transaction.
    """
    folder = upload_root() / kind
    if not _KIND.match(kind) or not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - older_than_s
    removed = 0
    for path in folder.iterdir():
        stored = _KEY.match(path.name) is not None
        if not (stored or path.name.startswith(".incoming-")) or (stored and path.name in referenced):
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # gone meanwhile
    return removed


# -- tying files to the transaction that records them ------------------------------------


def delete_after_commit(session: Session, kind: str, key: str) -> None:
    """Remove a replaced file once the change that replaced it commits (kept if it rolls back)."""
    session.info.setdefault(_DELETE_ON_COMMIT, []).append((kind, key))


def discard_on_rollback(session: Session, kind: str, key: str) -> None:
    """Remove a just-stored file if the row that points to it is never committed."""
    session.info.setdefault(_DELETE_ON_ROLLBACK, []).append((kind, key))


def _delete_all(files: list[tuple[str, str]]) -> None:
    # Runs after the transaction ended: a file that cannot be removed is logged, never raised,
    # or a committed change would look failed to the person who made it.
    for kind, key in files:
        try:
            delete_stored(kind, key)
        except OSError:
            log.warning("could not remove stored file %s/%s", kind, key, exc_info=True)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_DELETE_ON_ROLLBACK, None)
    _delete_all(session.info.pop(_DELETE_ON_COMMIT, []))


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_DELETE_ON_COMMIT, None)
        _delete_all(session.info.pop(_DELETE_ON_ROLLBACK, []))
