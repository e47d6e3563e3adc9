"""Applying to an opportunity, withdrawing, and the organisation's moves through the pipeline.

Every change writes an ApplicationEvent and flushes; the request commits. Mails go through the
outbox in the same transaction, so a refused or rolled-back change never mails anybody.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from marketplace.accounts.models import Role, User
from marketplace.applications import pipeline
from marketplace.applications.models import (
    APPLICATION_STATUS_LABELS,
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationNote,
    ApplicationStatus,
)
from marketplace.candidates.models import Person
from marketplace.common import uploads
from marketplace.common.concurrency import StaleRecord
from marketplace.common.errors import Refused
from marketplace.extensions import db
from marketplace.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from marketplace.mail.models import OutgoingMail
from marketplace.opportunities.models import Edition, Opportunity, OpportunityStatus
from marketplace.opportunities.rules import ADULT_AGE, EDITION_KINDS
from marketplace.organizations.models import Contact, Organization

__all__ = ["StaleRecord"]

UPLOAD_KIND = "cvs"
CV_MAX_MB = 5
MESSAGE_MAX = 4000
NOTE_MAX = 4000
# How close to the end of the file a PDF's %%EOF marker must be (writers may add trailing whitespace).
EOF_WINDOW = 1024
# Enrolments that hold an edition's seat: a withdrawn or not selected person frees it.
SEAT_HOLDING = frozenset({ApplicationStatus.SENT, ApplicationStatus.UNDER_REVIEW, ApplicationStatus.INTERVIEW,
                          ApplicationStatus.ACCEPTED})  # fmt: skip


class ApplicationRefused(Refused):
    """The application cannot be sent, moved or withdrawn; `field` names the form field at fault, if one is."""

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# -- reading --------------------------------------------------------------------------------------


def get(application_id: int) -> Application | None:
    return db.session.get(Application, application_id)


def person_for_user(user: Any) -> Person | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(select(Person).where(Person.user_id == user.id))


def existing_application(opportunity_id: int, person_id: int) -> Application | None:
    query = select(Application).where(Application.opportunity_id == opportunity_id, Application.person_id == person_id)
    return db.session.scalar(query)


def for_person(person_id: int) -> list[Application]:
    query = (
        select(Application)
        .where(Application.person_id == person_id)
        .options(selectinload(Application.opportunity).selectinload(Opportunity.organization))
        .options(selectinload(Application.edition))
        .order_by(Application.created_at.desc(), Application.id.desc())
    )
    return list(db.session.scalars(query))


def for_opportunity(opportunity_id: int) -> dict[ApplicationStatus, list[Application]]:
    """The board: applicants per column, oldest first (first come, first looked at)."""
    query = (
        select(Application)
        .where(Application.opportunity_id == opportunity_id)
        .options(selectinload(Application.person), selectinload(Application.edition))
        .order_by(Application.created_at, Application.id)
    )
    board: dict[ApplicationStatus, list[Application]] = {status: [] for status in pipeline.COLUMNS}
    for application in db.session.scalars(query):
        board[application.status].append(application)
    return board


def counts_by_opportunity(opportunity_ids: list[int]) -> dict[int, dict[ApplicationStatus, int]]:
    """How many applicants each opportunity has in each state (for lists of opportunities)."""
    result: dict[int, dict[ApplicationStatus, int]] = {opportunity_id: {} for opportunity_id in opportunity_ids}
    if not opportunity_ids:
        return result
    query = (
        select(Application.opportunity_id, Application.status, func.count())
        .where(Application.opportunity_id.in_(opportunity_ids))
        .group_by(Application.opportunity_id, Application.status)
    )
    for opportunity_id, status, count in db.session.execute(query):
        result[opportunity_id][status] = count
    return result


def history(application_id: int) -> list[ApplicationEvent]:
    query = (
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == application_id)
        .order_by(ApplicationEvent.occurred_at, ApplicationEvent.id)
    )
    return list(db.session.scalars(query))


def histories(application_ids: list[int]) -> dict[int, list[ApplicationEvent]]:
    result: dict[int, list[ApplicationEvent]] = {application_id: [] for application_id in application_ids}
    if not application_ids:
        return result
    query = (
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id.in_(application_ids))
        .order_by(ApplicationEvent.occurred_at, ApplicationEvent.id)
    )
    for event in db.session.scalars(query):
        result[event.application_id].append(event)
    return result


def latest_organisation_message(events: list[ApplicationEvent]) -> ApplicationEvent | None:
    """The last move that came with a message for the candidate (the candidate's own sending excluded)."""
    for event in reversed(events):
        if event.message and event.from_status is not None and event.to_status != ApplicationStatus.WITHDRAWN:
            return event
    return None


def notes(application_id: int) -> list[ApplicationNote]:
    query = (
        select(ApplicationNote)
        .where(ApplicationNote.application_id == application_id)
        .order_by(ApplicationNote.created_at.desc(), ApplicationNote.id.desc())
    )
    return list(db.session.scalars(query))


def users_by_id(ids: set[int | None]) -> dict[int, User]:
    wanted = {user_id for user_id in ids if user_id is not None}
    if not wanted:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(wanted)))}


def find_people(text: str, limit: int = 20) -> list[Person]:
    """People an operator may apply for, by name, surname, e-mail or tax code."""
    words = [word for word in re.split(r"\s+", (text or "").strip())[:4] if word]
    if not words:
        return []
    query = select(Person)
    for word in words:
        cleaned = re.sub(r"[\\%_]", "", word[:100])  # LIKE wildcards typed by the user are taken literally
        pattern = f"%{cleaned}%"
        query = query.where(or_(Person.first_name.ilike(pattern), Person.last_name.ilike(pattern),
                                Person.email.ilike(pattern), Person.tax_code.ilike(pattern)))  # fmt: skip
    return list(db.session.scalars(query.order_by(Person.last_name, Person.first_name, Person.id).limit(limit)))


# -- editions -------------------------------------------------------------------------------------


def needs_edition(opportunity: Opportunity) -> bool:
    """Workshops and courses with editions enrol people in one of them."""
    return opportunity.kind in EDITION_KINDS and bool(opportunity.editions)


def taken_seats(edition_ids: list[int]) -> dict[int, int]:
    if not edition_ids:
        return {}
    query = (
        select(Application.edition_id, func.count())
        .where(Application.edition_id.in_(edition_ids), Application.status.in_(SEAT_HOLDING))
        .group_by(Application.edition_id)
    )
    return {edition_id: count for edition_id, count in db.session.execute(query)}


def open_editions(opportunity: Opportunity, today: date | None = None) -> list[tuple[Edition, int]]:
    """Editions not yet started that still have seats, with the seats left."""
    today = today or date.today()
    upcoming = [edition for edition in opportunity.editions if edition.starts_on >= today]
    taken = taken_seats([edition.id for edition in upcoming])
    result = []
    for edition in upcoming:
        left = edition.seats - taken.get(edition.id, 0)
        if left > 0:
            result.append((edition, left))
    return result


# -- the CV ---------------------------------------------------------------------------------------


class CvRejected(ValueError):
    """The upload is not an acceptable CV; the message is for the person who sent it."""


@dataclass(frozen=True)
class CheckedCv:
    data: bytes
    filename: str
    sha256: str


def read_cv(stream: Any, filename: str | None) -> CheckedCv:
    """Read at most one byte past the limit (never the whole of a huge upload), then judge the bytes."""
    limit = CV_MAX_MB * 1024 * 1024
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise CvRejected(_("Il curriculum supera la dimensione massima di %(mb)d MB.", mb=CV_MAX_MB))
    check_pdf(data)
    return CheckedCv(data=data, filename=display_filename(filename), sha256=hashlib.sha256(data).hexdigest())


def check_pdf(data: bytes) -> None:
    """A readable PDF, judged by its content: a renamed executable has a .pdf name too."""
    if not data:
        raise CvRejected(_("Il file del curriculum è vuoto."))
    if not data.startswith(b"%PDF-"):
        raise CvRejected(_("Il curriculum deve essere un file PDF: questo file non lo è."))
    damaged = _("Il PDF del curriculum sembra incompleto o danneggiato: salvalo di nuovo e riprova.")
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise CvRejected(damaged)
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise CvRejected(_("Il PDF del curriculum è protetto da password: carica una copia senza password."))
        if len(reader.pages) < 1:
            raise CvRejected(_("Il PDF del curriculum non contiene pagine."))
    except CvRejected:
        raise
    except Exception as error:
        # Untrusted bytes: whatever the parser trips on, the file is broken for us.
        raise CvRejected(damaged) from error


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\\"]+")


def display_filename(filename: str | None) -> str:
    """The name offered on download: the user's own, without paths or control characters, ending in .pdf."""
    name = _UNSAFE_NAME.sub(" ", (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip()
    if not name.lower().endswith(".pdf"):
        name = f"{name or 'curriculum'}.pdf"
    if len(name) > 200:
        name = name[:196] + ".pdf"
    return name


def cv_path(application: Application) -> Path:
    """The stored CV; raises uploads.StoredFileMissing when there is none."""
    if not application.cv_key:
        raise uploads.StoredFileMissing(f"application {application.id}")
    return uploads.open_stored(UPLOAD_KIND, application.cv_key)


# -- applying -------------------------------------------------------------------------------------


def refusal(
    opportunity: Opportunity, person: Person | None, today: date | None = None, *, for_self: bool = True
) -> str | None:
    """Why this person cannot apply to this opportunity now, or None (`for_self`: the person is asking)."""
    today = today or date.today()
    if person is None:
        return _("Per candidarti serve la tua scheda personale, che ancora non c'è: compila il tuo profilo, "
                 "ci vogliono pochi minuti.")  # fmt: skip
    if opportunity.status != OpportunityStatus.PUBLISHED:
        return _("Le candidature per questa opportunità sono chiuse.")
    if opportunity.application_deadline is not None and opportunity.application_deadline < today:
        return _("La scadenza per candidarsi a questa opportunità è passata.")
    if existing_application(opportunity.id, person.id) is not None:
        if not for_self:
            return _("Esiste già una candidatura di questa persona per questa opportunità.")
        return _("Hai già inviato una candidatura per questa opportunità: puoi seguirla nella pagina delle tue "
                 "candidature.")  # fmt: skip
    if (reason := _age_refusal(opportunity, person, today)) is not None:
        return reason
    if needs_edition(opportunity) and not open_editions(opportunity, today):
        return _("Tutte le edizioni di questa opportunità sono al completo.")
    return None


def _age_refusal(opportunity: Opportunity, person: Person, today: date) -> str | None:
    """The age rules the organisation set (a minor may only join what is open to minors).

    An unknown birth date is not refused: operators register people whose papers they have not seen yet.
    """
    age = person.age_on(today)
    if age is None:
        return None
    if age < ADULT_AGE and not opportunity.minors_allowed:
        return _("Questa opportunità è riservata a chi ha compiuto 18 anni.")
    if opportunity.age_min is not None and age < opportunity.age_min:
        return _("Questa opportunità è per chi ha almeno %(n)d anni.", n=opportunity.age_min)
    if opportunity.age_max is not None and age > opportunity.age_max:
        return _("Questa opportunità è per chi ha al massimo %(n)d anni.", n=opportunity.age_max)
    return None


def apply(
    opportunity: Opportunity,
    person: Person,
    *,
    actor: User,
    message: str = "",
    edition_id: int | None = None,
    cv: CheckedCv | None = None,
    today: date | None = None,
) -> Application:
    """Send an application; raises ApplicationRefused (nothing written) when it cannot go.

    The CV is stored only once the row exists, so a refused application leaves no file behind.
    """
    today = today or date.today()
    if (reason := refusal(opportunity, person, today, for_self=actor.id == person.user_id)) is not None:
        raise ApplicationRefused(reason)
    edition = _chosen_edition(opportunity, edition_id, today)
    application = Application(
        opportunity_id=opportunity.id, person_id=person.id, status=ApplicationStatus.SENT,
        message=(message or "").strip()[:MESSAGE_MAX], edition_id=edition.id if edition else None,
        submitted_by_id=actor.id,
    )  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(application)
            db.session.flush()
    except IntegrityError:
        # Another request for the same person won the race (double click, two tabs).
        raise ApplicationRefused(_("Esiste già una candidatura di questa persona per questa opportunità.")) from None
    if cv is not None:
        _attach_cv(application, cv)
    event = _record(application, actor, None, ApplicationStatus.SENT, "")
    _mail_candidate(application, "mail/application_sent_candidate.txt",
                    _l("Candidatura inviata: %(title)s", title=opportunity.title), event=event,
                    on_behalf=actor.id != person.user_id)  # fmt: skip
    _mail_organisation(application, "mail/application_sent_organization.txt",
                       _l("Nuova candidatura: %(title)s", title=opportunity.title))  # fmt: skip
    db.session.flush()
    return application


def _chosen_edition(opportunity: Opportunity, edition_id: int | None, today: date) -> Edition | None:
    if not needs_edition(opportunity):
        return None
    if edition_id is None:
        raise ApplicationRefused(_("Scegli l'edizione a cui iscriverti."), field="edition_id")
    # The row lock makes two people taking the last seat at once wait for each other.
    edition = db.session.scalar(
        select(Edition).where(Edition.id == edition_id, Edition.opportunity_id == opportunity.id).with_for_update()
    )
    if edition is None or edition.starts_on < today:
        raise ApplicationRefused(_("Questa edizione non è disponibile: scegline un'altra."), field="edition_id")
    if taken_seats([edition.id]).get(edition.id, 0) >= edition.seats:
        raise ApplicationRefused(_("Questa edizione è al completo: scegline un'altra."), field="edition_id")
    return edition


def _attach_cv(application: Application, cv: CheckedCv) -> None:
    session = db.session()
    key = uploads.store_bytes(UPLOAD_KIND, cv.data)
    uploads.discard_on_rollback(session, UPLOAD_KIND, key)
    application.cv_key = key
    application.cv_filename = cv.filename
    application.cv_size = len(cv.data)
    application.cv_sha256 = cv.sha256
    db.session.flush()


# -- moving ---------------------------------------------------------------------------------------


def move(
    application: Application,
    to_status: ApplicationStatus,
    *,
    actor: User,
    expected_version: int | None,
    message: str = "",
) -> ApplicationEvent:
    """The organisation's move; refused when not allowed from here, StaleRecord when someone moved first."""
    if expected_version is None or application.version != expected_version:
        raise StaleRecord()
    if not pipeline.can_move(application.status, to_status):
        raise ApplicationRefused(_("Questo passaggio non è possibile dallo stato attuale della candidatura."))
    event = _change_status(application, to_status, actor, message)
    _mail_candidate(application, "mail/application_status_candidate.txt",
                    _l("La tua candidatura: %(title)s", title=application.opportunity.title), event=event,
                    status_label=APPLICATION_STATUS_LABELS[to_status])  # fmt: skip
    db.session.flush()
    return event


def withdraw(application: Application, *, actor: User, expected_version: int | None = None) -> ApplicationEvent:
    """The candidate withdraws (or an operator for them); the organisation is told."""
    if expected_version is not None and application.version != expected_version:
        raise StaleRecord()
    if application.status not in OPEN_STATUSES:
        raise ApplicationRefused(_("Questa candidatura non si può più ritirare: è già conclusa."))
    event = _change_status(application, ApplicationStatus.WITHDRAWN, actor, "")
    _mail_organisation(application, "mail/application_withdrawn_organization.txt",
                       _l("Candidatura ritirata: %(title)s", title=application.opportunity.title))  # fmt: skip
    db.session.flush()
    return event


def _change_status(
    application: Application, to_status: ApplicationStatus, actor: User, message: str
) -> ApplicationEvent:
    from_status = application.status
    try:
        with db.session.begin_nested():
            application.status = to_status
            db.session.flush()
    except StaleDataError:
        # Changed by someone else between our read and this write (the ORM checks the version).
        raise StaleRecord() from None
    return _record(application, actor, from_status, to_status, (message or "").strip()[:MESSAGE_MAX])


def _record(
    application: Application,
    actor: User | None,
    from_status: ApplicationStatus | None,
    to_status: ApplicationStatus,
    message: str,
) -> ApplicationEvent:
    event = ApplicationEvent(application_id=application.id, actor_id=actor.id if actor else None,
                             from_status=from_status, to_status=to_status, message=message)  # fmt: skip
    db.session.add(event)
    db.session.flush()
    return event


def add_note(application: Application, *, author: User, body: str) -> ApplicationNote:
    body = (body or "").strip()
    if not body:
        raise ApplicationRefused(_("La nota è vuota."), field="body")
    if len(body) > NOTE_MAX:
        raise ApplicationRefused(_("La nota è troppo lunga (al massimo %(n)d caratteri).", n=NOTE_MAX), field="body")
    note = ApplicationNote(application_id=application.id, author_id=author.id, body=body)
    db.session.add(note)
    db.session.flush()
    return note


# -- who is told ----------------------------------------------------------------------------------


def candidate_recipient(person: Person) -> tuple[str | None, str | None]:
    """(e-mail, locale) of the person: their account's, else the address an operator recorded."""
    if person.user_id is not None:
        user = db.session.get(User, person.user_id)
        if user is not None and user.email:
            return user.email, user.locale
    return person.email or None, None


def organisation_recipients(opportunity: Opportunity) -> list[tuple[str, str | None]]:
    """The opportunity's own contact; else the organisation's users, its address, then its referents."""
    if opportunity.contact_email:
        return [(opportunity.contact_email, None)]
    org_id = opportunity.organization_id
    company_users = select(User).where(
        User.organization_id == org_id, User.role == Role.COMPANY, User.is_active_account.is_(True)
    )
    users = db.session.scalars(company_users.order_by(User.id)).all()
    if users:
        return [(user.email, user.locale) for user in users]
    organization = db.session.get(Organization, org_id)
    if organization is not None and organization.email:
        return [(organization.email, None)]
    contacts = db.session.scalars(
        select(Contact).where(Contact.organization_id == org_id, Contact.email.is_not(None)).order_by(Contact.id)
    ).all()
    return [(contact.email, None) for contact in contacts if contact.email][:3]


def _external_url(endpoint: str, **values: Any) -> str:
    try:
        return url_for(endpoint, _external=True, **values)
    except RuntimeError:
        return ""  # outside a request and without SERVER_NAME: the mail goes without the link


def _send(recipient: str, locale: str | None, subject: Any, template: str, **context: Any) -> OutgoingMail:
    from marketplace.mail.services import queue_mail

    with force_locale(locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE):
        return queue_mail(recipient, str(subject), template, **context)


def _mail_candidate(application: Application, template: str, subject: Any, *, event: ApplicationEvent,
                    **context: Any) -> None:  # fmt: skip
    person = db.session.get(Person, application.person_id)
    email, locale = candidate_recipient(person)
    if not email:
        return  # nobody to tell by mail: the operator following the person tells them
    mail = _send(email, locale, subject, template, application=application, person=person,
                 opportunity=application.opportunity, event=event, edition=application.edition,
                 mine_url=_external_url("applications.mine"), **context)  # fmt: skip
    event.notified_mail_id = mail.id


def _mail_organisation(application: Application, template: str, subject: Any) -> None:
    opportunity = application.opportunity
    person = db.session.get(Person, application.person_id)
    manage_url = _external_url("applications.manage", application_id=application.id)
    for email, locale in organisation_recipients(opportunity):
        _send(email, locale, subject, template, application=application, person=person, opportunity=opportunity,
              edition=application.edition, manage_url=manage_url)  # fmt: skip


def cv_max_mb() -> int:
    return CV_MAX_MB


def max_request_mb() -> int:
    return int(current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
