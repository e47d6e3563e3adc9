"""The candidate's own personal record (Person) and profile (CandidateProfile), written by the candidate.

The rules live here rather than in the form so they hold for any caller: the age range, consents and
the guardian of a minor. Services flush; the request commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from marketplace.accounts.models import User
from marketplace.candidates.models import CandidateProfile, EducationLevel, Person
from marketplace.common.concurrency import StaleRecord
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.territory.models import Municipality

__all__ = ["InvalidProfile", "ProfileValues", "StaleRecord", "create", "own_person", "save", "update"]

MIN_AGE = 14
MAX_AGE = 99
ADULT_AGE = 18
MIN_TRAVEL_KM = 1
MAX_TRAVEL_KM = 200


class InvalidProfile(Exception):
    """The values break a rule; `errors` maps each form field to its Italian message."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


@dataclass
class ProfileValues:
    """What the candidate writes about themselves (already trimmed and normalised by the form)."""

    first_name: str
    last_name: str
    birth_date: date | None
    municipality_code: str | None = None
    phone: str | None = None
    email: str | None = None
    privacy_consent: bool = False
    guardian_name: str | None = None
    guardian_consent: bool = False
    education_level: EducationLevel | None = None
    skills: str = ""
    aspirations: str = ""
    languages: str = ""
    driving_licence: bool = False
    max_travel_km: int | None = None


def own_person(user: User) -> Person | None:
    """The record linked to this account; never anybody else's."""
    return db.session.scalar(select(Person).where(Person.user_id == user.id))


def age_on(birth_date: date, day: date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def is_minor(values: ProfileValues, today: date) -> bool:
    return values.birth_date is not None and age_on(values.birth_date, today) < ADULT_AGE


def check(values: ProfileValues, person: Person | None, today: date) -> dict[str, Any]:
    """{field: message} for every broken rule; empty when the values can be saved."""
    errors: dict[str, Any] = {}
    if not values.first_name.strip():
        errors["first_name"] = _l("Scrivi il tuo nome.")
    if not values.last_name.strip():
        errors["last_name"] = _l("Scrivi il tuo cognome.")
    if values.birth_date is None:
        errors["birth_date"] = _l("Scrivi la tua data di nascita.")
    elif values.birth_date > today:
        errors["birth_date"] = _l("La data di nascita è nel futuro: controllala.")
    else:
        age = age_on(values.birth_date, today)
        if age < MIN_AGE:
            errors["birth_date"] = _l("Per iscriverti devi avere almeno %(age)d anni.", age=MIN_AGE)
        elif age > MAX_AGE:
            errors["birth_date"] = _l("Controlla la data di nascita: l'età risulta superiore a %(age)d anni.",
                                      age=MAX_AGE)  # fmt: skip
    if values.municipality_code and db.session.get(Municipality, values.municipality_code) is None:
        errors["municipality_code"] = _l("Scegli un comune dell'elenco.")
    if values.max_travel_km is not None and not MIN_TRAVEL_KM <= values.max_travel_km <= MAX_TRAVEL_KM:
        errors["max_travel_km"] = _l("Indica una distanza tra %(low)d e %(high)d km.", low=MIN_TRAVEL_KM,
                                     high=MAX_TRAVEL_KM)  # fmt: skip
    if needs_privacy_consent(person) and not values.privacy_consent:
        errors["privacy_consent"] = _l("Per salvare il profilo serve il consenso al trattamento dei dati.")
    if "birth_date" not in errors and is_minor(values, today):
        if not (values.guardian_name or "").strip():
            errors["guardian_name"] = _l("Hai meno di 18 anni: scrivi il nome di un genitore o di chi ne fa le veci.")
        if needs_guardian_consent(person, values) and not values.guardian_consent:
            errors["guardian_consent"] = _l(
                "Hai meno di 18 anni: serve il consenso di un genitore o di chi ne fa le veci."
            )
    return errors


def needs_privacy_consent(person: Person | None) -> bool:
    """Asked until given once (an operator may have created the record without it)."""
    return person is None or person.privacy_consent_at is None


def needs_guardian_consent(person: Person | None, values: ProfileValues) -> bool:
    """A minor's guardian consents once; a different guardian must consent again."""
    if person is None or person.guardian_consent_at is None:
        return True
    return _clean(person.guardian_name) != _clean(values.guardian_name)


def create(user: User, values: ProfileValues, *, today: date | None = None, now: datetime | None = None) -> Person:
    """The candidate's first save: their Person and CandidateProfile. Raises InvalidProfile or StaleRecord."""
    today = today or date.today()
    if errors := check(values, None, today):
        raise InvalidProfile(errors)
    person = Person(user_id=user.id, first_name="", last_name="")
    try:
        with db.session.begin_nested():
            _apply(person, values, today, now or utcnow())
            db.session.add(person)
            db.session.flush()
    except IntegrityError:
        # The same account created its record in another tab a moment ago.
        raise StaleRecord() from None
    profile = CandidateProfile(person_id=person.id)
    _apply_profile(profile, values)
    db.session.add(profile)
    db.session.flush()
    return person


def update(
    person: Person,
    values: ProfileValues,
    *,
    expected_version: int | None,
    today: date | None = None,
    now: datetime | None = None,
) -> Person:
    """Save an edit made on a form opened at `expected_version`; an older form is refused (StaleRecord)."""
    today = today or date.today()
    if expected_version is None or person.version != expected_version:
        raise StaleRecord()
    if errors := check(values, person, today):
        raise InvalidProfile(errors)
    try:
        with db.session.begin_nested():
            _apply(person, values, today, now or utcnow())
            profile = person.profile
            if profile is None:
                profile = CandidateProfile(person_id=person.id)
                db.session.add(profile)
            _apply_profile(profile, values)
            # The profile has its own version: touch the person so every save bumps Person.version,
            # which is what the form's hidden field guards (and what re-indexes the person).
            person.updated_at = now or utcnow()
            db.session.flush()
    except StaleDataError:
        raise StaleRecord() from None
    return person


def save(user: User, values: ProfileValues, *, expected_version: int | None, today: date | None = None) -> Person:
    """Create the record on the first save, update it afterwards (the version says which form the user had)."""
    if not _clean(values.email):
        values.email = user.email  # the account's address unless the candidate gives another
    person = own_person(user)
    if person is None:
        if expected_version is not None:
            raise StaleRecord()  # the form was for a record that is gone
        return create(user, values, today=today)
    return update(person, values, expected_version=expected_version, today=today)


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _apply(person: Person, values: ProfileValues, today: date, now: datetime) -> None:
    person.first_name = values.first_name.strip()
    person.last_name = values.last_name.strip()
    person.birth_date = values.birth_date
    person.municipality_code = values.municipality_code or None
    person.phone = _clean(values.phone)
    person.email = _clean(values.email)
    if person.privacy_consent_at is None and values.privacy_consent:
        person.privacy_consent_at = now
    if is_minor(values, today):
        if needs_guardian_consent(person, values) and values.guardian_consent:
            person.guardian_consent_at = now
        person.guardian_name = _clean(values.guardian_name)
    # An adult's guardian fields are left as they were: a past consent is a record, not something to erase.


def _apply_profile(profile: CandidateProfile, values: ProfileValues) -> None:
    profile.education_level = values.education_level
    profile.skills = values.skills.strip()
    profile.aspirations = values.aspirations.strip()
    profile.languages = values.languages.strip()
    profile.driving_licence = values.driving_licence
    profile.max_travel_km = values.max_travel_km
