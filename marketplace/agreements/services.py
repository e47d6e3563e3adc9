"""Agreements (convenzioni): who may change them, their signed PDF, and the expiry warnings."""

from __future__ import annotations

import enum
import hashlib
import io
import itertools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Partner, Role, User
from marketplace.agreements.models import AGREEMENT_KIND_LABELS, EXPIRY_WARNING_DAYS, Agreement, AgreementStatus
from marketplace.common import uploads
from marketplace.extensions import db
from marketplace.models_base import utcnow

UPLOAD_KIND = "agreements"
# How close to the end of the file a PDF's %%EOF marker must be (writers may add a little trailing whitespace).
EOF_WINDOW = 1024


# -- what a person sees: the state computed from status and dates --------------------


class AgreementState(enum.StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    UPCOMING = "upcoming"  # signed, but its validity starts later
    DRAFT = "draft"
    TERMINATED = "terminated"


STATE_LABELS = {
    AgreementState.VALID: _l("valida"),
    AgreementState.EXPIRING: _l("in scadenza (entro 60 giorni)"),
    AgreementState.EXPIRED: _l("scaduta"),
    AgreementState.UPCOMING: _l("firmata, non ancora in vigore"),
    AgreementState.DRAFT: _l("in preparazione"),
    AgreementState.TERMINATED: _l("cessata"),
}


def state_of(agreement: Agreement, today: date) -> AgreementState:
    if agreement.status == AgreementStatus.TERMINATED:
        return AgreementState.TERMINATED
    if agreement.status == AgreementStatus.DRAFT:
        return AgreementState.DRAFT
    if agreement.valid_to < today:
        return AgreementState.EXPIRED
    if agreement.valid_from > today:
        return AgreementState.UPCOMING
    if agreement.valid_to <= today + timedelta(days=EXPIRY_WARNING_DAYS):
        return AgreementState.EXPIRING
    return AgreementState.VALID


# -- reading ---------------------------------------------------------------------------


def get(agreement_id: int) -> Agreement | None:
    return db.session.get(Agreement, agreement_id)


def for_organization(organization_id: int) -> list[Agreement]:
    query = (
        select(Agreement)
        .where(Agreement.organization_id == organization_id)
        .options(selectinload(Agreement.partner))
        .order_by(Agreement.valid_to.desc(), Agreement.id.desc())
    )
    return list(db.session.scalars(query))


def _expiring_query(today: date):
    return select(Agreement).where(
        Agreement.status == AgreementStatus.ACTIVE,
        Agreement.valid_to >= today,
        Agreement.valid_to <= today + timedelta(days=EXPIRY_WARNING_DAYS),
    )


def expiring(today: date, partner_id: int | None) -> list[Agreement]:
    """Active agreements ending within the warning window; all partners' when partner_id is None."""
    query = _expiring_query(today).options(selectinload(Agreement.organization), selectinload(Agreement.partner))
    if partner_id is not None:
        query = query.where(Agreement.partner_id == partner_id)
    return list(db.session.scalars(query.order_by(Agreement.valid_to, Agreement.id)))


def partners() -> list[Partner]:
    return list(db.session.scalars(select(Partner).order_by(Partner.name)))


# -- who may change an agreement --------------------------------------------------------


def can_edit(user: User, agreement: Agreement) -> bool:
    """Admins edit any agreement; a partner_admin only those their own partner promotes."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.PARTNER_ADMIN and user.partner_id is not None and user.partner_id == agreement.partner_id


def can_create(user: User) -> bool:
    if not user.is_authenticated:
        return False
    return user.role == Role.ADMIN or (user.role == Role.PARTNER_ADMIN and user.partner_id is not None)


# -- the signed document ------------------------------------------------------------------


class DocumentRejected(ValueError):
    """The upload is not an acceptable signed PDF; the message is for the person who sent it."""


@dataclass(frozen=True)
class CheckedDocument:
    data: bytes
    filename: str


def max_document_bytes() -> int:
    return current_app.config["SETTINGS"].max_document_mb * 1024 * 1024


def read_upload(stream: Any, filename: str | None) -> CheckedDocument:
    """Read at most one byte past the limit (never the whole of a huge upload) and check the content."""
    limit = max_document_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise DocumentRejected(
            _("Il file supera la dimensione massima di %(mb)d MB.", mb=current_app.config["SETTINGS"].max_document_mb)
        )
    check_pdf(data)
    return CheckedDocument(data=data, filename=display_filename(filename))


def check_pdf(data: bytes) -> None:
    """Accept only a readable PDF, judged by its bytes: names and declared types are easy to fake."""
    if not data:
        raise DocumentRejected(_("Il file è vuoto."))
    not_pdf = _("Il file non è un PDF: carica la convenzione firmata in formato PDF.")
    if not data.startswith(b"%PDF-"):
        raise DocumentRejected(not_pdf)
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise DocumentRejected(_("Il PDF sembra incompleto o danneggiato: prova a salvarlo di nuovo e ricaricarlo."))
    _parse_pdf(data)


def _parse_pdf(data: bytes) -> None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        # Signed PDFs are often encrypted with an empty user password (permissions only): those open.
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentRejected(_("Il PDF è protetto da password: carica una copia senza password."))
        if len(reader.pages) < 1:
            raise DocumentRejected(_("Il PDF non contiene pagine."))
    except DocumentRejected:
        raise
    except Exception as error:
        # The bytes are untrusted: any failure to parse them, whatever its type, means a broken file.
        raise DocumentRejected(
            _("Il PDF sembra incompleto o danneggiato: prova a salvarlo di nuovo e ricaricarlo.")
        ) from error


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]+")


def display_filename(filename: str | None) -> str:
    """The name offered on download: the user's own, without paths or control characters, ending in .pdf."""
    name = _UNSAFE_NAME.sub(" ", (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip()
    if not name.lower().endswith(".pdf"):
        name = f"{name or 'convenzione'}.pdf"
    if len(name) > 200:
        name = name[:196] + ".pdf"
    return name


def _attach(agreement: Agreement, document: CheckedDocument) -> None:
    """Store the new file now; drop the old one only once the change is committed."""
    session = db.session()
    old_key = agreement.document_key
    key = uploads.store_bytes(UPLOAD_KIND, document.data)
    uploads.discard_on_rollback(session, UPLOAD_KIND, key)
    agreement.document_key = key
    agreement.document_filename = document.filename
    agreement.document_size = len(document.data)
    agreement.document_sha256 = hashlib.sha256(document.data).hexdigest()
    if old_key:
        uploads.delete_after_commit(session, UPLOAD_KIND, old_key)


def document_path(agreement: Agreement):
    """The stored file; raises uploads.StoredFileMissing when there is none."""
    if not agreement.document_key:
        raise uploads.StoredFileMissing(f"agreement {agreement.id}")
    return uploads.open_stored(UPLOAD_KIND, agreement.document_key)


# -- writing ----------------------------------------------------------------------------------


FIELDS = ("kind", "reference", "valid_from", "valid_to", "status")


def create(
    organization_id: int,
    values: dict[str, Any],
    *,
    partner_id: int,
    author: User,
    document: CheckedDocument | None = None,
) -> Agreement:
    agreement = Agreement(organization_id=organization_id, partner_id=partner_id, created_by_id=author.id)
    for field in FIELDS:
        setattr(agreement, field, values[field])
    if document is not None:
        _attach(agreement, document)
    db.session.add(agreement)
    db.session.flush()
    _check_expiry_after_commit()
    return agreement


def update(
    agreement: Agreement,
    values: dict[str, Any],
    *,
    partner_id: int | None = None,
    document: CheckedDocument | None = None,
) -> None:
    extended = values["valid_to"] > agreement.valid_to
    for field in FIELDS:
        if getattr(agreement, field) != values[field]:
            setattr(agreement, field, values[field])
    if partner_id is not None and partner_id != agreement.partner_id:
        agreement.partner_id = partner_id
        agreement.expiry_notified_at = None  # the new owner has not been warned
    if extended:
        # A renewed agreement can expire again: let the daily job warn about the new end date.
        agreement.expiry_notified_at = None
    if document is not None:
        _attach(agreement, document)
    db.session.flush()
    _check_expiry_after_commit()


def _check_expiry_after_commit() -> None:
    # The daily job also runs after a change, so an agreement saved already close to its end is
    # flagged the same day; in embedded mode (no scheduler) this is what runs it at all.
    from jobs import enqueue_after_commit
    from jobs.tasks.agreements import flag_expiring_agreements

    enqueue_after_commit(db.session(), flag_expiring_agreements)


# -- the daily expiry warning --------------------------------------------------------------


def _partner_admins(partner_id: int) -> list[User]:
    query = select(User).where(
        User.partner_id == partner_id, User.role == Role.PARTNER_ADMIN, User.is_active_account.is_(True)
    )
    return list(db.session.scalars(query.order_by(User.id)))


def warn_owners_of_expiring(today: date) -> int:
    """One digest per owning partner, sent to each of its partner_admins; returns the mails queued.

    Only agreements not yet warned about are included, and each is marked when its digest is
    queued, so running twice sends nothing new. Rows another run is handling are skipped.
    """
    from marketplace.mail.services import queue_mail

    query = (
        _expiring_query(today)
        .where(Agreement.expiry_notified_at.is_(None))
        .order_by(Agreement.partner_id, Agreement.valid_to, Agreement.id)
        .with_for_update(skip_locked=True, of=Agreement)
    )
    due = list(db.session.scalars(query))
    queued = 0
    now = utcnow()
    for partner_id, group in itertools.groupby(due, key=lambda row: row.partner_id):
        agreements = list(group)
        admins = _partner_admins(partner_id)
        if not admins:
            continue  # nobody to tell yet: stays unflagged and is warned once a partner_admin exists
        partner = db.session.get(Partner, partner_id)
        for admin in admins:
            with force_locale(admin.locale or "it"):
                subject = _("Convenzioni in scadenza: %(count)d", count=len(agreements))
                queue_mail(admin.email, subject, "mail/agreements_expiring.txt", user=admin, partner=partner,
                           agreements=agreements, kind_labels=AGREEMENT_KIND_LABELS,
                           warning_days=EXPIRY_WARNING_DAYS)  # fmt: skip
            queued += 1
        for agreement in agreements:
            agreement.expiry_notified_at = now
    db.session.flush()
    return queued
