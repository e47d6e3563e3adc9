"""Saved searches: saving one from the search page, managing them, and the digest of new matches.

A saved search stores the public search's query string in its canonical form (only the
parameters the search page validates, no page number), so the digest job replays exactly
what the person saw, and a parameter the page would reject never reaches the search engine.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from marketplace.accounts.models import Role, User
from marketplace.alerts.models import AlertFrequency, SavedSearch
from marketplace.candidates.models import Person
from marketplace.common.errors import Refused
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.opportunities.models import (
    OPPORTUNITY_KIND_LABELS,
    TARGET_GROUP_LABELS,
    Opportunity,
)
from marketplace.territory.models import District, Municipality, Sector

# Enough for anyone's real needs; stops a script from filling the table (and the digest job).
MAX_ALERTS_PER_OWNER = 20
MAX_NAME_LENGTH = 120
MAX_QUERY_STRING_LENGTH = 2000
# Opportunities listed in one digest; the mail links to the full search for the rest.
DIGEST_SIZE = 10
# How many of the newest matches are read from the search engine per alert.
DIGEST_FETCH = 50
PERIODS = {AlertFrequency.DAILY: timedelta(days=1), AlertFrequency.WEEKLY: timedelta(days=7)}
# The hourly job's slot can start a few minutes late: without slack a daily alert would drift
# an hour later every day.
DUE_SLACK = timedelta(minutes=30)
# Publishing reaches the index within seconds: the window of one digest ends this long before
# the run, so an opportunity published during the run is in the next digest, not lost between two.
INDEX_LAG = timedelta(minutes=2)
# Who may save a search, and who may save one for a person they follow.
SAVER_ROLES = frozenset({Role.CANDIDATE, Role.OPERATOR, Role.PARTNER_ADMIN, Role.ADMIN})
STAFF_ROLES = frozenset({Role.OPERATOR, Role.PARTNER_ADMIN, Role.ADMIN})
PEOPLE_CHOICES_LIMIT = 500
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


class AlertRefused(Refused):
    """A save that cannot be done as asked."""


# -- query strings ----------------------------------------------------------------------------


def _search_params():
    from marketplace.opportunities import search_params

    return search_params


def parse_query_string(query_string: str) -> MultiDict:
    return MultiDict(parse_qsl(query_string or "", keep_blank_values=False))


def canonical_query_string(raw: str) -> tuple[str, dict[str, str]]:
    """The canonical form of a search query string and the parameters that were dropped (with why).

    Anything the search page would not accept is left out; the page number never belongs to
    a saved search.
    """
    params = _search_params()
    query, errors = params.parse_search_args(parse_query_string((raw or "")[: MAX_QUERY_STRING_LENGTH * 2]))
    pairs = [(key, value) for key, value in parse_qsl(params.query_string_for(query)) if key != "page"]
    return urlencode(pairs), errors


def query_for(saved: SavedSearch):
    """The saved search as a search-engine query (re-validated: the rules may have changed since)."""
    query, _errors = _search_params().parse_search_args(parse_query_string(saved.query_string))
    return query


def summary_of(query_string: str) -> str:
    """A readable Italian name for a search, from its canonical query string."""
    args = parse_query_string(query_string)
    parts: list[str] = []
    if text := args.get("q", "").strip():
        parts.append(f"«{text[:60]}»")
    kind_labels = {kind.value: str(label) for kind, label in OPPORTUNITY_KIND_LABELS.items()}
    parts.extend(kind_labels[kind] for kind in args.getlist("kind") if kind in kind_labels)
    target_labels = {group.value: str(label) for group, label in TARGET_GROUP_LABELS.items()}
    parts.extend(target_labels[group] for group in args.getlist("target") if group in target_labels)
    if section := args.get("sector"):
        sector = db.session.get(Sector, section)
        parts.append(_("settore %(name)s", name=sector.title if sector else section))
    comune = db.session.get(Municipality, args["comune"]) if args.get("comune") else None
    if comune and args.get("km"):
        parts.append(_("entro %(km)s km da %(comune)s", km=args["km"], comune=comune.name))
    elif comune:
        parts.append(_("a %(comune)s", comune=comune.name))
    elif code := args.get("district"):
        district = db.session.scalar(select(District).where(District.code == code))
        parts.append(_("ambito %(name)s", name=district.name if district else code))
    if args.get("paid") == "1":
        parts.append(_("con indennità"))
    elif args.get("paid") == "0":
        parts.append(_("senza indennità"))
    if args.get("minors") == "1":
        parts.append(_("aperte a minorenni"))
    if days := args.get("starting"):
        parts.append(_("che iniziano entro %(days)s giorni", days=days))
    if not parts:
        return _("Tutte le opportunità")
    return " · ".join(parts)[:MAX_NAME_LENGTH]


# -- who may save for whom ---------------------------------------------------------------------


def can_save(user: User) -> bool:
    return bool(user.is_authenticated and user.role in SAVER_ROLES)


def is_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.role in STAFF_ROLES)


def can_save_for(user: User, person: Person) -> bool:
    """Network staff save for a person their partner follows (registered by it); admins for anyone."""
    if not user.is_authenticated or user.role not in STAFF_ROLES:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.partner_id is not None and person.registered_by_partner_id == user.partner_id


def people_for(user: User) -> list[Person]:
    """The people `user` may save a search for, by name (for the form's select)."""
    if not user.is_authenticated or user.role not in STAFF_ROLES:
        return []
    query = select(Person).order_by(Person.last_name, Person.first_name, Person.id).limit(PEOPLE_CHOICES_LIMIT)
    if user.role != Role.ADMIN:
        if user.partner_id is None:
            return []
        query = query.where(Person.registered_by_partner_id == user.partner_id)
    return list(db.session.scalars(query))


# -- saving and managing -----------------------------------------------------------------------


def active_count(owner_id: int) -> int:
    query = (
        select(func.count())
        .select_from(SavedSearch)
        .where(SavedSearch.owner_id == owner_id, SavedSearch.unsubscribed_at.is_(None))
    )
    return db.session.scalar(query) or 0


def clean_name(name: str | None) -> str:
    return " ".join(CONTROL_CHARACTERS.sub(" ", name or "").split())[:MAX_NAME_LENGTH]


def save(
    owner: User,
    raw_query_string: str,
    *,
    frequency: AlertFrequency,
    name: str | None = None,
    person: Person | None = None,
) -> SavedSearch:
    """Save a search for `owner` (or for `person`, followed by `owner`); raises AlertRefused.

    The same search saved twice for the same recipient is the existing alert, made active again.
    """
    if not can_save(owner):
        raise AlertRefused(_("Il tuo account non può salvare ricerche."))
    if person is not None and not can_save_for(owner, person):
        raise AlertRefused(_("Puoi salvare ricerche solo per le persone seguite dal tuo ente."))
    if len(raw_query_string or "") > MAX_QUERY_STRING_LENGTH:
        raise AlertRefused(_("Questa ricerca è troppo lunga per essere salvata: togli qualche filtro."))
    query_string, _dropped = canonical_query_string(raw_query_string)
    existing = db.session.scalar(
        select(SavedSearch).where(
            SavedSearch.owner_id == owner.id,
            SavedSearch.person_id == person.id if person else SavedSearch.person_id.is_(None),
            SavedSearch.query_string == query_string,
        )
    )
    if existing is not None:
        if not existing.is_active:
            _check_limit(owner)
            existing.unsubscribed_at = None
            existing.last_sent_at = utcnow()  # no backlog of what was published while it was off
        existing.frequency = frequency
        db.session.flush()
        return existing
    _check_limit(owner)
    saved = SavedSearch(
        owner_id=owner.id,
        person_id=person.id if person else None,
        name=clean_name(name) or summary_of(query_string),
        query_string=query_string,
        frequency=frequency,
    )
    db.session.add(saved)
    db.session.flush()
    return saved


def _check_limit(owner: User) -> None:
    if active_count(owner.id) >= MAX_ALERTS_PER_OWNER:
        raise AlertRefused(
            _(
                "Hai già %(count)d avvisi attivi, il massimo: eliminane uno che non ti serve più prima di salvarne"
                " un altro.",
                count=MAX_ALERTS_PER_OWNER,
            )
        )


def _visible_to(user: User):
    """Alerts a user manages: the ones they saved, and the ones an operator saved for them."""
    own_person = select(Person.id).where(Person.user_id == user.id).scalar_subquery()
    return or_(SavedSearch.owner_id == user.id, SavedSearch.person_id == own_person)


def alerts_of(user: User) -> list[SavedSearch]:
    query = (
        select(SavedSearch)
        .where(_visible_to(user))
        .options(selectinload(SavedSearch.person), selectinload(SavedSearch.owner))
        .order_by(SavedSearch.unsubscribed_at.is_not(None), SavedSearch.created_at.desc(), SavedSearch.id.desc())
    )
    return list(db.session.scalars(query))


def manageable(user: User, alert_id: int) -> SavedSearch | None:
    """The alert if `user` may change it; None otherwise (the view answers 404, revealing nothing)."""
    if not user.is_authenticated:
        return None
    return db.session.scalar(select(SavedSearch).where(SavedSearch.id == alert_id, _visible_to(user)))


def set_frequency(saved: SavedSearch, frequency: AlertFrequency) -> None:
    saved.frequency = frequency
    db.session.flush()


def resume(saved: SavedSearch) -> None:
    if saved.is_active:
        return
    owner = db.session.get(User, saved.owner_id)
    if owner is not None:
        _check_limit(owner)
    saved.unsubscribed_at = None
    saved.last_sent_at = utcnow()
    db.session.flush()


def delete(saved: SavedSearch) -> None:
    db.session.delete(saved)
    db.session.flush()


def by_token(token: str) -> SavedSearch | None:
    # Tokens are URL-safe base64: anything else (a NUL byte PostgreSQL would refuse) is simply unknown.
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    return db.session.scalar(select(SavedSearch).where(SavedSearch.unsubscribe_token == token))


def unsubscribe(saved: SavedSearch, now: datetime | None = None) -> None:
    if saved.unsubscribed_at is None:
        saved.unsubscribed_at = now or utcnow()
        db.session.flush()


# -- the digest --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    locale: str
    # Set when an operator saved the search for someone else: the mail says who.
    saved_by: str | None


def recipient_of(saved: SavedSearch) -> Recipient | None:
    """The person the search was saved for (their e-mail), else the owner; None when nobody can get it.

    A followed person without an e-mail address: the operator who saved it receives the digest to pass on.
    """
    owner = saved.owner
    person = saved.person
    if person is not None:
        account = db.session.get(User, person.user_id) if person.user_id else None
        email = person.email or (account.email if account and account.is_active_account else None)
        if email:
            saved_by = owner.full_name if owner and owner.id != person.user_id else None
            locale = (account.locale if account else None) or "it"
            return Recipient(email, person.full_name, locale, saved_by)
    if owner is None or not owner.is_active_account:
        return None
    return Recipient(owner.email, owner.full_name, owner.locale or "it", None)


def _due_condition(now: datetime):
    daily = and_(
        SavedSearch.frequency == AlertFrequency.DAILY,
        SavedSearch.last_sent_at <= now - PERIODS[AlertFrequency.DAILY] + DUE_SLACK,
    )
    weekly = and_(
        SavedSearch.frequency == AlertFrequency.WEEKLY,
        SavedSearch.last_sent_at <= now - PERIODS[AlertFrequency.WEEKLY] + DUE_SLACK,
    )
    return and_(SavedSearch.unsubscribed_at.is_(None), or_(SavedSearch.last_sent_at.is_(None), daily, weekly))


def due(now: datetime, *, after_id: int = 0, limit: int = 100) -> list[SavedSearch]:
    """Active alerts whose period has passed, locked; rows another run is handling are skipped."""
    query = (
        select(SavedSearch)
        .where(_due_condition(now), SavedSearch.id > after_id)
        .order_by(SavedSearch.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=SavedSearch)
    )
    return list(db.session.scalars(query))


def new_matches(saved: SavedSearch, since: datetime, until: datetime, today: date) -> tuple[list[Opportunity], int]:
    """Published, still open opportunities matching the search, published in (since, until].

    The search engine finds the matches (newest first); the rows are read back from the
    database so a digest never lists something closed since it was indexed.
    Raises SearchUnavailable when the engine cannot answer.
    """
    from marketplace.opportunities import services as opportunity_services

    query = dataclasses.replace(
        query_for(saved), published_after=since, sort="newest", page=1, per_page=DIGEST_FETCH, after=None
    )
    result = opportunity_services.search(query)
    ids = [hit.id for hit in result.hits]
    if not ids:
        return [], 0
    matches = opportunity_services.published_in_order(
        ids,
        Opportunity.published_at > since,
        Opportunity.published_at <= until,
        or_(Opportunity.application_deadline.is_(None), Opportunity.application_deadline >= today),
    )
    # Hits beyond the first fetch are counted as the engine counted them.
    total = len(matches) + max(result.total - len(ids), 0)
    return matches, total


def public_base_url() -> str:
    """Where links in mails point when no request is around (the digest runs in a job)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


@contextmanager
def external_urls() -> Iterator[None]:
    """A request context for url_for(_external=True) inside a job; the request's own one otherwise."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context("/", base_url=public_base_url()):
        yield


def search_url(query_string: str) -> str:
    url = url_for("opportunities.search", _external=True)
    return f"{url}?{query_string}" if query_string else url


def send_digest(saved: SavedSearch, now: datetime) -> bool:
    """Queue the digest for one due alert if there is anything new; moves its window either way.

    Returns True when a mail was queued. SearchUnavailable propagates: the window stays, so the
    next run covers the same period.
    """
    from marketplace.mail.services import queue_mail

    until = now - INDEX_LAG
    since = saved.last_sent_at or saved.created_at
    recipient = recipient_of(saved)
    queued = False
    if recipient is not None and since < until:
        matches, total = new_matches(saved, since, until, now.date())
        if matches:
            with force_locale(recipient.locale):
                subject = ngettext(
                    "Avviso %(name)s: %(num)d nuova opportunità",
                    "Avviso %(name)s: %(num)d nuove opportunità",
                    total,
                    name=saved.name,
                )
                unsubscribe_url = url_for("alerts.unsubscribe", token=saved.unsubscribe_token, _external=True)
                queue_mail(
                    recipient.email, subject, "mail/alert_digest.txt",
                    # One-click unsubscribe (RFC 8058): mail clients POST to the link, which needs no session.
                    extra_headers={
                        "List-Unsubscribe": f"<{unsubscribe_url}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    },
                    alert=saved, reader=recipient, opportunities=matches[:DIGEST_SIZE], total=total,
                    search_url=search_url(saved.query_string), unsubscribe_url=unsubscribe_url,
                    manage_url=url_for("alerts.mine", _external=True),
                    detail_url=lambda item: url_for("opportunities.detail", opportunity_id=item.id, _external=True),
                    frequency=saved.frequency,
                )  # fmt: skip
            queued = True
    saved.last_sent_at = max(until, since)
    db.session.flush()
    return queued


def send_due_digests(now: datetime | None = None, *, after_id: int = 0, limit: int = 100) -> tuple[int, int | None]:
    """One batch of due alerts: (mails queued, id to continue after, or None when no more)."""
    from search import SearchUnavailable

    now = now or utcnow()
    batch = due(now, after_id=after_id, limit=limit)
    queued = 0
    with external_urls():
        for saved in batch:
            try:
                queued += send_digest(saved, now)
            except SearchUnavailable:
                current_app.logger.warning("alert %s: search unavailable, retried next run", saved.id)
    return queued, (batch[-1].id if len(batch) == limit else None)
