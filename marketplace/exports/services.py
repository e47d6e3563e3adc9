"""Background exports: ask for one, let the job write the file, download it within a day.

A list short enough to build within the request is downloaded at once (the list pages decide);
a longer one becomes an export run. Its job searches again with the list's filters, writes
the file in the asker's language, and keeps it for RETENTION; then the run and its file go.
Only the person who asked sees the run and downloads the file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update
from werkzeug.datastructures import MultiDict

from marketplace.accounts.models import User
from marketplace.common import uploads
from marketplace.common.runs import progress_payload
from marketplace.common.spreadsheets import to_spreadsheet
from marketplace.exports.models import EXPORT_STATUS_LABELS, ExportRun, ExportStatus
from marketplace.extensions import db
from marketplace.models_base import as_utc, utcnow
from search import SearchUnavailable

log = logging.getLogger(__name__)

UPLOAD_KIND = "exports"
FORMATS = ("csv", "xlsx")
# Up to this many rows the list pages hand the file over at once (~1 s as XLSX); beyond, a job writes it.
INLINE_LIMIT = 2_000
RETENTION = timedelta(hours=24)
ABANDONED = timedelta(days=7)
SHOWN_RUNS = 20
# Progress is committed every so many rows: the page moves, the job does not spend its time on it.
PROGRESS_EVERY = 1_000
STALLED_QUEUED = timedelta(minutes=2)
STALLED_RUNNING = timedelta(minutes=15)
FINISHED = frozenset({ExportStatus.DONE, ExportStatus.FAILED})

Progress = Callable[..., None]


def inline_limit() -> int:
    return int(current_app.config.get("EXPORT_INLINE_LIMIT", INLINE_LIMIT))


@dataclass(frozen=True)
class Subject:
    """Something that can be exported: the files' name, and the table the list's URL parameters select."""

    file_stem: str
    table: Callable[[MultiDict], Any]


def _subjects() -> dict[str, Subject]:
    from marketplace.organizations import list_services

    return {"organizations": Subject(list_services.EXPORT_FILE_STEM, list_services.export_table)}


# -- asking, looking ---------------------------------------------------------------------


def request_export(user: User, subject: str, file_format: str, query_string: str, locale: str) -> ExportRun:
    """Record the run and queue its job (sent once the caller commits)."""
    if subject not in _subjects() or file_format not in FORMATS:
        raise ValueError(f"cannot export {subject!r} as {file_format!r}")
    run = ExportRun(user_id=user.id, subject=subject, file_format=file_format, query_string=query_string,
                    locale=locale, status=ExportStatus.QUEUED)  # fmt: skip
    db.session.add(run)
    db.session.flush()
    _enqueue(run)
    return run


def _enqueue(run: ExportRun) -> None:
    from jobs.dispatch import enqueue_after_commit
    from jobs.tasks.exports import write_export

    enqueue_after_commit(db.session, write_export, run.id)


def visible_run(user: User, run_id: int) -> ExportRun | None:
    """The asker's own run, while it is kept; nobody else's (an export is what its asker could see)."""
    run = db.session.get(ExportRun, run_id)
    if run is None or run.user_id != user.id or expired(run):
        return None
    return run


def runs_of(user: User) -> list[ExportRun]:
    query = select(ExportRun).where(ExportRun.user_id == user.id).order_by(ExportRun.id.desc()).limit(SHOWN_RUNS)
    return [run for run in db.session.scalars(query) if not expired(run)]


def expires_at(run: ExportRun) -> datetime | None:
    return as_utc(run.finished_at) + RETENTION if run.finished_at else None


def expired(run: ExportRun, now: datetime | None = None) -> bool:
    ends = expires_at(run)
    return ends is not None and ends <= (now or utcnow())


def download_name(run: ExportRun) -> str:
    stem = _subjects()[run.subject].file_stem
    return f"{stem}-{as_utc(run.created_at).strftime('%Y%m%d')}-{run.id}.{run.file_format}"


def stored_file(run: ExportRun) -> str | None:
    """The path of a finished run's file, or None (not ready, or gone)."""
    if run.status != ExportStatus.DONE or not run.file_key:
        return None
    try:
        return str(uploads.open_stored(UPLOAD_KIND, run.file_key))
    except uploads.StoredFileMissing:
        return None


def status_payload(run: ExportRun) -> dict[str, Any]:
    return progress_payload(run.status, str(EXPORT_STATUS_LABELS[run.status]), run.processed_rows, run.total_rows,
                            done=run.status == ExportStatus.DONE, finished=run.status in FINISHED)  # fmt: skip


def recover_if_stalled(run: ExportRun, now: datetime | None = None) -> bool:
    """Looked at from the run's page: send its job again, or close it, when nothing has moved for too long.

    A queued run whose job never reached Redis is sent again (the job's claim makes a second
    delivery harmless); a running one whose worker died is closed as failed. The caller commits.
    """
    now = now or utcnow()
    idle = now - as_utc(run.updated_at)
    if run.status == ExportStatus.QUEUED and idle > STALLED_QUEUED:
        run.updated_at = now  # at most one new delivery per period
        _enqueue(run)
        return True
    if run.status == ExportStatus.RUNNING and idle > STALLED_RUNNING:
        run.status, run.finished_at = ExportStatus.FAILED, now
        run.error = _(
            "L'esportazione si è interrotta perché il processo che la preparava si è fermato: richiedila di nuovo."
        )
        return True
    return False


# -- the job -----------------------------------------------------------------------------


def _no_progress(current: int, total: int | None = None, *, done: bool = False) -> None:
    return None


def execute(run_id: int, progress: Progress = _no_progress, job_id: str | None = None) -> ExportRun | None:
    """Write a queued run's file. Safe to call twice: only the first call finds it queued."""
    run = _claim(run_id, job_id)
    if run is None:
        return None
    with force_locale(run.locale):
        try:
            data = _write(run, progress)
        except SearchUnavailable:
            db.session.rollback()
            message = _("La ricerca non è disponibile in questo momento: richiedi di nuovo l'esportazione tra poco.")
            return _finish(run_id, ExportStatus.FAILED, error=message)
        except Exception:
            db.session.rollback()
            log.exception("export run %s failed", run_id)
            _finish(run_id, ExportStatus.FAILED, error=_("L'esportazione si è interrotta per un errore imprevisto."))
            raise
    key = uploads.store_bytes(UPLOAD_KIND, data)
    uploads.discard_on_rollback(db.session, UPLOAD_KIND, key)
    run = _finish(run_id, ExportStatus.DONE, file_key=key)
    progress(run.processed_rows, run.total_rows, done=True)
    return run


def _claim(run_id: int, job_id: str | None) -> ExportRun | None:
    # An UPDATE … WHERE status = queued, so two deliveries of the same job cannot both run it.
    claimed = db.session.execute(
        update(ExportRun)
        .where(ExportRun.id == run_id, ExportRun.status == ExportStatus.QUEUED)
        .values(status=ExportStatus.RUNNING, started_at=utcnow(), job_id=job_id)
    ).rowcount
    db.session.commit()
    return db.session.get(ExportRun, run_id) if claimed else None


def _write(run: ExportRun, progress: Progress) -> bytes:
    table = _subjects()[run.subject].table(MultiDict(parse_qsl(run.query_string)))
    _save_progress(run.id, 0, table.total)
    progress(0, table.total)
    rows = _counted(run.id, table.rows, table.total, progress)
    return to_spreadsheet(table.header, rows, run.file_format, table.title)


def _counted(run_id: int, rows: Iterator[list[Any]], total: int, progress: Progress) -> Iterator[list[Any]]:
    count = 0
    for count, row in enumerate(rows, start=1):
        yield row
        if count % PROGRESS_EVERY == 0:
            _save_progress(run_id, count, total)
            progress(count, total)
    _save_progress(run_id, count, total)


def _save_progress(run_id: int, processed: int, total: int) -> None:
    values = {"processed_rows": processed, "total_rows": total}
    db.session.execute(update(ExportRun).where(ExportRun.id == run_id).values(**values))
    db.session.commit()


def _finish(run_id: int, status: ExportStatus, *, error: str | None = None, file_key: str | None = None) -> ExportRun:
    run = db.session.get(ExportRun, run_id)
    run.status, run.error, run.file_key, run.finished_at = status, error, file_key, utcnow()
    db.session.commit()
    return run


# -- housekeeping ------------------------------------------------------------------------


def remove_expired(now: datetime | None = None) -> int:
    """Delete the runs finished more than RETENTION ago (their files once that commits), and abandoned ones.

    A run nobody looked at again after its job was lost never finishes (recovery happens when its
    page is opened): after ABANDONED it goes too.
    """
    now = now or utcnow()
    gone = db.session.execute(
        select(ExportRun.id, ExportRun.file_key).where(
            or_(ExportRun.finished_at < now - RETENTION, ExportRun.created_at < now - ABANDONED)
        )
    ).all()
    if not gone:
        return 0
    db.session.execute(delete(ExportRun).where(ExportRun.id.in_([run_id for run_id, _key in gone])))
    for _run_id, key in gone:
        if key:
            uploads.delete_after_commit(db.session, UPLOAD_KIND, key)
    return len(gone)
