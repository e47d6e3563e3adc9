"""Spreadsheet imports of organisations: upload, column mapping with preview, the job's work, the report.

The job imports the valid rows and records every other row with its reasons. Rows are
matched to existing organisations by P.IVA or codice fiscale, so importing the same file
twice updates (or leaves unchanged) what the first run created and never duplicates it.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Role, User
from marketplace.audit.context import acting_as
from marketplace.common import uploads
from marketplace.common.runs import progress_payload
from marketplace.extensions import db
from marketplace.imports import reading, rows
from marketplace.imports.models import ImportRejection, ImportRun, ImportStatus
from marketplace.models_base import as_utc, utcnow
from marketplace.organizations import services as organizations
from marketplace.organizations.models import (
    ORGANIZATION_KIND_LABELS,
    ORGANIZATION_STATUS_LABELS,
    Organization,
    OrganizationKind,
    OrganizationStatus,
)

log = logging.getLogger(__name__)

UPLOAD_KIND = "imports"
PAGE_SIZE = 25
REJECTIONS_PAGE_SIZE = 50
PREVIEW_ROWS = 10
# Rows written per transaction: progress moves visibly and memory stays flat on big files.
BATCH_SIZE = 500
MAX_ROWS = 100_000
MAX_FILENAME = 200
# How long a run may sit without any change before its page sends it again (queued) or closes it (running).
STALLED_QUEUED = timedelta(minutes=2)
STALLED_RUNNING = timedelta(minutes=15)
FINISHED = frozenset({ImportStatus.DONE, ImportStatus.FAILED})

Progress = Callable[..., None]


class MappingRejected(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# -- who sees which run ------------------------------------------------------------------


def can_view_run(user: User, run: ImportRun) -> bool:
    """Admins see every run; a partner_admin the runs of their own partner (or their own runs)."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.PARTNER_ADMIN:
        return False
    if run.user_id == user.id:
        return True
    return user.partner_id is not None and run.partner_id == user.partner_id


def visible_run(user: User, run_id: int) -> ImportRun | None:
    run = db.session.get(ImportRun, run_id)
    return run if run is not None and can_view_run(user, run) else None


def runs_page(user: User, page: int) -> tuple[list[ImportRun], int]:
    query = select(ImportRun)
    if user.role != Role.ADMIN:
        visible = ImportRun.user_id == user.id
        if user.partner_id is not None:
            visible = visible | (ImportRun.partner_id == user.partner_id)
        query = query.where(visible)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(
        query.order_by(ImportRun.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return list(items), total


# -- upload ------------------------------------------------------------------------------


def create_run(user: User, filename: str, data: bytes) -> ImportRun:
    """Check the file by its content, keep it outside the web root, record the run (flushed).

    Raises reading.UnreadableFile before anything is stored.
    """
    facts = reading.inspect_upload(filename, data)
    key = uploads.store_bytes(UPLOAD_KIND, data)
    uploads.discard_on_rollback(db.session, UPLOAD_KIND, key)
    run = ImportRun(
        user_id=user.id,
        partner_id=user.partner_id,
        original_filename=(filename or "file")[-MAX_FILENAME:],
        file_key=key,
        file_format=facts.file_format,
        encoding=facts.encoding,
        delimiter=facts.delimiter,
        headers=facts.headers,
        mapping={},
        status=ImportStatus.UPLOADED,
    )
    db.session.add(run)
    db.session.flush()
    return run


def _table(run: ImportRun):
    path = uploads.open_stored(UPLOAD_KIND, run.file_key)
    return reading.open_table(path, run.file_format, run.encoding, run.delimiter)


# -- mapping and preview -----------------------------------------------------------------


def initial_mapping(run: ImportRun) -> dict[str, int]:
    return {key: int(column) for key, column in run.mapping.items()} if run.mapping else rows.guess_mapping(run.headers)


@dataclass
class PreviewRow:
    row_number: int
    shown: dict[str, str]  # field -> the value as it will be stored (or the cell, when it is wrong)
    problems: list[str]
    outcome: str


def _shown(key: str, value: Any, resolver: rows.Resolver) -> str:
    if key == "municipality_code":
        return f"{resolver.names.get(value, value)} ({value})"
    if key == "kind":
        return str(ORGANIZATION_KIND_LABELS[value])
    if key == "status":
        return str(ORGANIZATION_STATUS_LABELS[value])
    return str(value)


def preview(run: ImportRun, mapping: dict[str, int], limit: int = PREVIEW_ROWS) -> list[PreviewRow]:
    """The first rows as the job will read them, with each row's problems and expected outcome."""
    resolver = rows.Resolver.load()
    duplicates = rows.FileDuplicates()
    with _table(run) as table:
        first_rows = list(itertools.islice(table.rows, limit))
    parsed = [rows.parse_row(number, cells, mapping, resolver) for number, cells in first_rows]
    for row in parsed:
        if row.ok:
            duplicates.check(row)
        if row.ok:
            duplicates.remember(row)
    existing = _existing_by_identifier(row for row in parsed if row.ok)
    result = []
    for row in parsed:
        shown = {}
        for key in mapping:
            value_key = "municipality_code" if key in rows.MUNICIPALITY_FIELDS else key
            if value_key in row.values:
                shown[key] = _shown(value_key, row.values[value_key], resolver)
            else:
                shown[key] = rows.cell_text(row.cells, mapping, key)
        matches = _matches(row, existing)
        if not row.ok:
            outcome = _("Sarà scartata")
        elif len(matches) > 1:
            outcome = _("Sarà scartata")
            row.problems.append(_conflict_message(matches))
        elif matches:
            outcome = _("Aggiornerà «%(name)s»", name=matches[0].name)
        else:
            outcome = _("Nuova organizzazione")
        result.append(PreviewRow(row.row_number, shown, row.problems, outcome))
    return result


def _enqueue(run: ImportRun) -> None:
    from jobs.dispatch import enqueue_after_commit
    from jobs.tasks.imports import import_organizations

    enqueue_after_commit(db.session, import_organizations, run.id)


def start(run: ImportRun, mapping: dict[str, int]) -> None:
    """Save the mapping and queue the job (sent once the caller commits)."""
    problems = rows.mapping_problems(mapping)
    if any(column < 0 or column >= len(run.headers) for column in mapping.values()):
        problems.append(_("Una delle colonne indicate non esiste nel file."))
    if problems:
        raise MappingRejected(problems)
    run.mapping = dict(mapping)
    run.status = ImportStatus.QUEUED
    db.session.flush()
    _enqueue(run)


def recover_if_stalled(run: ImportRun, now: datetime | None = None) -> bool:
    """Looked at from the run's page: send its job again, or close it, when nothing has moved for too long.

    A queued run whose job never reached Redis (down at that moment) is sent again; the job's
    claim makes a second delivery harmless. A running run whose worker died (no batch committed
    for a long time) is closed as failed, so nobody waits on it: the rows already saved stay,
    and importing the same file again completes it without duplicates. The caller commits.
    """
    now = now or utcnow()
    last_change = as_utc(run.updated_at)
    if run.status == ImportStatus.QUEUED and now - last_change > STALLED_QUEUED:
        run.updated_at = now  # at most one new delivery per period
        _enqueue(run)
        return True
    if run.status == ImportStatus.RUNNING and now - last_change > STALLED_RUNNING:
        run.status = ImportStatus.FAILED
        run.finished_at = now
        run.error = _(
            "L'importazione si è interrotta perché il processo che la eseguiva si è fermato. Le righe già "
            "elaborate sono salve: carica di nuovo lo stesso file per completarla (non si creano doppioni)."
        )
        uploads.delete_after_commit(db.session, UPLOAD_KIND, run.file_key)
        return True
    return False


# -- the job -----------------------------------------------------------------------------


def _no_progress(current: int, total: int | None = None, *, done: bool = False) -> None:
    return None


def execute(run_id: int, progress: Progress = _no_progress, job_id: str | None = None) -> ImportRun | None:
    """Import a queued run. Safe to call twice: only the first call finds it queued."""
    run = _claim(run_id, job_id)
    if run is None:
        return None
    # Reasons are stored, so they are written in Italian whoever started the run (and jobs have no request).
    with force_locale("it"), acting_as(run.user_id, run.partner_id, f"importazione n. {run.id}"):
        try:
            _import(run, progress)
        except reading.UnreadableFile as error:
            db.session.rollback()
            _finish(run_id, ImportStatus.FAILED, str(error.message))
        except uploads.StoredFileMissing:
            db.session.rollback()
            _finish(run_id, ImportStatus.FAILED, _("Il file caricato non è più disponibile: caricalo di nuovo."))
        except Exception:
            db.session.rollback()
            log.exception("import run %s failed", run_id)
            message = _("L'importazione si è interrotta per un errore imprevisto. Le righe già elaborate sono salve.")
            _finish(run_id, ImportStatus.FAILED, message)
            raise
    progress(run.processed_rows, run.total_rows, done=True)
    return run


def _claim(run_id: int, job_id: str | None) -> ImportRun | None:
    # An UPDATE … WHERE status = queued, so two deliveries of the same job cannot both run it.
    claimed = db.session.execute(
        update(ImportRun)
        .where(ImportRun.id == run_id, ImportRun.status == ImportStatus.QUEUED)
        .values(status=ImportStatus.RUNNING, started_at=utcnow(), job_id=job_id)
    ).rowcount
    db.session.commit()
    return db.session.get(ImportRun, run_id) if claimed else None


def _finish(run_id: int, status: ImportStatus, error: str | None = None) -> None:
    run = db.session.get(ImportRun, run_id)
    run.status = status
    run.error = error
    run.finished_at = utcnow()
    db.session.commit()
    # The file may hold contact details: once the run is over, only the rejected rows are kept.
    uploads.delete_stored(UPLOAD_KIND, run.file_key)


def _count_rows(run: ImportRun) -> int:
    with _table(run) as table:
        return sum(1 for _row in table.rows)


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _import(run: ImportRun, progress: Progress) -> None:
    resolver = rows.Resolver.load()
    # A first pass counts the rows (for the progress bar) and finds a damaged file before any write.
    total = _count_rows(run)
    if total > MAX_ROWS:
        raise reading.UnreadableFile(
            _("Il file ha %(count)s righe: al massimo se ne importano %(limit)s per volta. Dividilo in più file.",
              count=total, limit=MAX_ROWS)
        )  # fmt: skip
    run.total_rows = total
    db.session.commit()
    progress(0, total)
    mapping = {key: int(column) for key, column in run.mapping.items()}
    duplicates = rows.FileDuplicates()
    with _table(run) as table:
        for batch in _batches(table.rows, BATCH_SIZE):
            counts = _import_batch(run, batch, mapping, resolver, duplicates)
            run.created_count += counts["created"]
            run.updated_count += counts["updated"]
            run.unchanged_count += counts["unchanged"]
            run.rejected_count += counts["rejected"]
            run.processed_rows += len(batch)
            db.session.commit()
            progress(run.processed_rows, total)
    run_id = run.id
    _finish(run_id, ImportStatus.DONE)


def _existing_by_identifier(candidates: Iterable[rows.ParsedRow]) -> dict[str, Organization]:
    """Organisations already holding any of these P.IVA / codici fiscali: one query per batch."""
    wanted = sorted({value for row in candidates for _key, value in row.identifiers})
    if not wanted:
        return {}
    query = select(Organization).where(Organization.vat_number.in_(wanted) | Organization.tax_code.in_(wanted))
    found: dict[str, Organization] = {}
    for organization in db.session.scalars(query.order_by(Organization.id)):
        for value in (organization.vat_number, organization.tax_code):
            if value:
                found.setdefault(value, organization)
    return found


def _matches(row: rows.ParsedRow, existing: dict[str, Organization]) -> list[Organization]:
    by_id = {existing[value].id: existing[value] for _key, value in row.identifiers if value in existing}
    return list(by_id.values())


def _conflict_message(matches: Sequence[Organization]) -> str:
    names = ", ".join(f"«{item.name}» (n. {item.id})" for item in matches)
    return _(
        "La partita IVA e il codice fiscale appartengono a organizzazioni diverse già presenti: %(names)s.",
        names=names,
    )


# The columns an import can fill, plus the ones apply_values derives from the head count.
_NEW_ROW_COLUMNS = (
    "vat_number", "tax_code", "ateco_code", "municipality_code", "address", "website", "email", "phone",
    "description", "employees", "size_class", "quota_68_covered",
)  # fmt: skip


def _write(run: ImportRun, row: rows.ParsedRow, existing: Organization | None) -> str:
    if existing is not None:
        return "updated" if organizations.apply_values(existing, row.values) else "unchanged"
    # organizations.create() flushes once per row; here the whole batch is flushed at once, with the
    # same defaults (benchmarks/import_organizations.py measures both). Every new row names the same
    # columns, even empty ones, so SQLAlchemy can send the batch as a few multi-row INSERTs.
    organization = Organization(
        created_by_user_id=run.user_id, created_by_partner_id=run.partner_id, **dict.fromkeys(_NEW_ROW_COLUMNS)
    )
    organizations.apply_values(
        organization, {"kind": OrganizationKind.COMPANY, "status": OrganizationStatus.ACTIVE, **row.values}
    )
    db.session.add(organization)
    return "created"


def _import_batch(
    run: ImportRun,
    batch: list[tuple[int, list[str]]],
    mapping: dict[str, int],
    resolver: rows.Resolver,
    duplicates: rows.FileDuplicates,
) -> Counter:
    parsed = [rows.parse_row(number, cells, mapping, resolver) for number, cells in batch]
    for row in parsed:
        if row.ok:
            duplicates.check(row)
        if row.ok:
            duplicates.remember(row)
    existing = _existing_by_identifier(row for row in parsed if row.ok)
    planned: list[tuple[rows.ParsedRow, Organization | None]] = []
    for row in (row for row in parsed if row.ok):
        matches = _matches(row, existing)
        if len(matches) > 1:
            row.problems.append(_conflict_message(matches))
        else:
            planned.append((row, matches[0] if matches else None))

    counts: Counter = Counter()
    try:
        with db.session.begin_nested():
            for row, organization in planned:
                counts[_write(run, row, organization)] += 1
    except IntegrityError:
        # Someone else wrote the same P.IVA meanwhile: redo the batch row by row, rejecting the clashes.
        counts = _write_one_by_one(run, planned)
    rejected = [row for row in parsed if not row.ok]
    db.session.add_all(
        ImportRejection(run_id=run.id, row_number=row.row_number, reasons=row.problems, values=row.cells)
        for row in rejected
    )
    counts["rejected"] = len(rejected)
    return counts


def _write_one_by_one(run: ImportRun, planned: list[tuple[rows.ParsedRow, Organization | None]]) -> Counter:
    counts: Counter = Counter()
    for row, _organization in planned:
        try:
            with db.session.begin_nested():
                found = organizations.find_by_identifiers(row.values.get("vat_number"), row.values.get("tax_code"))
                outcome = _write(run, row, found)
        except IntegrityError:
            row.problems.append(
                _("La partita IVA o il codice fiscale sono già usati da un'altra organizzazione: riga non importata.")
            )
        else:
            counts[outcome] += 1
    return counts


# -- the report --------------------------------------------------------------------------


def rejections_page(run: ImportRun, page: int) -> list[ImportRejection]:
    query = (
        select(ImportRejection)
        .where(ImportRejection.run_id == run.id)
        .order_by(ImportRejection.row_number)
        .offset((page - 1) * REJECTIONS_PAGE_SIZE)
        .limit(REJECTIONS_PAGE_SIZE)
    )
    return list(db.session.scalars(query))


def report_header(run: ImportRun) -> list[str]:
    # The original columns first, in their places: the fixed report can be imported again as is.
    return [*run.headers, _("Riga"), _("Motivo")]


def report_rows(run: ImportRun) -> Iterator[list[Any]]:
    width = len(run.headers)
    query = (
        select(ImportRejection)
        .where(ImportRejection.run_id == run.id)
        .order_by(ImportRejection.row_number)
        .execution_options(yield_per=1000)
    )
    for rejection in db.session.scalars(query):
        cells = (list(rejection.values) + [""] * width)[:width]
        yield [*cells, rejection.row_number, "; ".join(rejection.reasons)]


def status_payload(run: ImportRun) -> dict[str, Any]:
    from marketplace.imports.models import IMPORT_STATUS_LABELS

    return progress_payload(run.status, str(IMPORT_STATUS_LABELS[run.status]), run.processed_rows, run.total_rows,
                            done=run.status == ImportStatus.DONE, finished=run.status in FINISHED)  # fmt: skip
