"""Spreadsheet imports of organisations: one run per uploaded file, with its rejected rows."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import enum_column
from marketplace.extensions import db
from marketplace.models_base import TimestampMixin


class ImportStatus(enum.StrEnum):
    UPLOADED = "uploaded"  # file read, waiting for the column mapping
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # the job itself failed (not individual rows)


IMPORT_STATUS_LABELS = {
    ImportStatus.UPLOADED: _l("Caricato, da configurare"),
    ImportStatus.QUEUED: _l("In coda"),
    ImportStatus.RUNNING: _l("In corso"),
    ImportStatus.DONE: _l("Completato"),
    ImportStatus.FAILED: _l("Non riuscito"),
}


class ImportRun(TimestampMixin, db.Model):
    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    original_filename: Mapped[str] = mapped_column(String(200), nullable=False)
    file_key: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    file_format: Mapped[str] = mapped_column(String(8), nullable=False)  # csv | xlsx
    encoding: Mapped[str | None] = mapped_column(String(20))
    delimiter: Mapped[str | None] = mapped_column(String(1))
    headers: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)  # field -> column index
    status: Mapped[ImportStatus] = mapped_column(
        enum_column(ImportStatus), nullable=False, default=ImportStatus.UPLOADED
    )
    job_id: Mapped[str | None] = mapped_column(String(64))
    total_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unchanged_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    rejections: Mapped[list[ImportRejection]] = relationship(
        back_populates="run", order_by="ImportRejection.row_number", cascade="all, delete-orphan"
    )


class ImportRejection(db.Model):
    __tablename__ = "import_rejections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id"), nullable=False, index=True)
    row_number: Mapped[int] = mapped_column(Integer, nullable=False)  # as the user sees it in the spreadsheet
    reasons: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    values: Mapped[list[str]] = mapped_column(JSON, nullable=False)  # the original cells

    run: Mapped[ImportRun] = relationship(back_populates="rejections")
