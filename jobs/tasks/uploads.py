"""The daily sweep of stored files that no row refers to (CVs are personal data: none may linger)."""

from __future__ import annotations

from sqlalchemy import select

from jobs.registry import job
from marketplace.agreements.models import Agreement
from marketplace.agreements.services import UPLOAD_KIND as AGREEMENTS
from marketplace.applications.models import Application
from marketplace.applications.services import UPLOAD_KIND as CVS
from marketplace.common import uploads
from marketplace.exports.models import ExportRun
from marketplace.exports.services import UPLOAD_KIND as EXPORTS
from marketplace.extensions import db
from marketplace.imports.models import ImportRun
from marketplace.imports.services import UPLOAD_KIND as IMPORTS

# Older than a day: far beyond any transaction that could still commit a reference to it.
ORPHAN_AGE_S = 24 * 3600
REFERENCES = {
    AGREEMENTS: Agreement.document_key,
    CVS: Application.cv_key,
    IMPORTS: ImportRun.file_key,
    EXPORTS: ExportRun.file_key,
}


@job("default")
def sweep_orphan_uploads() -> dict[str, int]:
    """Remove, per kind, the stored files older than a day that no row refers to."""
    removed = {}
    for kind, column in REFERENCES.items():
        referenced = set(db.session.scalars(select(column).where(column.is_not(None))))
        removed[kind] = uploads.sweep_orphans(kind, referenced, ORPHAN_AGE_S)
    return removed
