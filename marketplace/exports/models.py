"""One export run per requested download that is too long to build within the request."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.accounts.models import enum_column
from marketplace.extensions import db
from marketplace.models_base import TimestampMixin


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


EXPORT_STATUS_LABELS = {
    ExportStatus.QUEUED: _l("In coda"),
    ExportStatus.RUNNING: _l("In preparazione"),
    ExportStatus.DONE: _l("Pronta"),
    ExportStatus.FAILED: _l("Non riuscita"),
}


class ExportRun(TimestampMixin, db.Model):
    __tablename__ = "export_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    subject: Mapped[str] = mapped_column(String(40), nullable=False)  # what is exported: "organizations"
    file_format: Mapped[str] = mapped_column(String(8), nullable=False)  # csv | xlsx
    query_string: Mapped[str] = mapped_column(Text, nullable=False, default="")  # the list's filters
    locale: Mapped[str] = mapped_column(String(8), nullable=False)  # headers and labels in the asker's language
    status: Mapped[ExportStatus] = mapped_column(enum_column(ExportStatus), nullable=False, default=ExportStatus.QUEUED)
    job_id: Mapped[str | None] = mapped_column(String(64))
    total_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    file_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
