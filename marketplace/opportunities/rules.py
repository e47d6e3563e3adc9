"""The rules an opportunity must satisfy, whoever writes it (web form, partner API, import).

`check(values, today=…)` returns {field: message}; empty means valid. Views show the
messages next to their fields, the API returns them as a 422. Nothing here touches the
database except to check that referenced codes exist.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from marketplace.candidates.models import EducationLevel
from marketplace.opportunities.models import CEFR_LEVELS, OpportunityKind, TargetGroup

TITLE_MIN, TITLE_MAX = 5, 200
DESCRIPTION_MIN, DESCRIPTION_MAX = 20, 20_000
SEATS_MAX = 500
AGE_MIN, AGE_MAX = 14, 99
ADULT_AGE = 18
ALLOWANCE_MAX = Decimal("5000")
HOURS_PER_WEEK_MAX = 60
DURATION_MONTHS_MAX = 36
TOTAL_HOURS_MAX = 5000
SHORT_TEXT_MAX = 300
NAME_MAX = 200
# Kinds that run in editions (dates, place, seats of their own).
EDITION_KINDS = frozenset({OpportunityKind.WORKSHOP, OpportunityKind.COURSE, OpportunityKind.GUIDANCE})

Errors = dict[str, str]


def check(values: dict[str, Any], *, today: date, deadline_changed: bool = True) -> Errors:
    """Every rule for a complete set of opportunity values (model attribute names).

    `deadline_changed` is False when an edit keeps a deadline that has since passed: the
    deadline rule applies only to a date somebody is setting now.
    """
    errors: Errors = {}
    _check_texts(values, errors)
    _check_choices(values, errors)
    _check_numbers(values, errors)
    _check_ages(values, errors)
    _check_dates(values, errors, today=today, deadline_changed=deadline_changed)
    _check_lists(values, errors)
    return errors


def _check_texts(values: dict[str, Any], errors: Errors) -> None:
    title = (values.get("title") or "").strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        errors["title"] = str(_l("Il titolo deve avere tra %(min)d e %(max)d caratteri.", min=TITLE_MIN, max=TITLE_MAX))
    description = (values.get("description") or "").strip()
    if not DESCRIPTION_MIN <= len(description) <= DESCRIPTION_MAX:
        errors["description"] = str(
            _l(
                "La descrizione deve avere tra %(min)d e %(max)d caratteri.",
                min=DESCRIPTION_MIN,
                max=DESCRIPTION_MAX,
            )
        )
    for field, maximum in (("schedule", SHORT_TEXT_MAX), ("contact_name", NAME_MAX)):
        if len(values.get(field) or "") > maximum:
            errors[field] = str(_l("Testo troppo lungo (al massimo %(max)d caratteri).", max=maximum))
    if len(values.get("accessibility_notes") or "") > DESCRIPTION_MAX:
        errors["accessibility_notes"] = str(_l("Testo troppo lungo."))


def _check_choices(values: dict[str, Any], errors: Errors) -> None:
    if not _is_member(values.get("kind"), OpportunityKind):
        errors["kind"] = str(_l("Scegli il tipo di opportunità."))
    level = values.get("education_level")
    if level not in (None, "") and not _is_member(level, EducationLevel):
        errors["education_level"] = str(_l("Titolo di studio non riconosciuto."))


def _check_numbers(values: dict[str, Any], errors: Errors) -> None:
    seats = values.get("seats")
    if seats is None or not 1 <= seats <= SEATS_MAX:
        errors["seats"] = str(_l("I posti devono essere tra 1 e %(max)d.", max=SEATS_MAX))
    allowance = values.get("allowance_eur")
    if allowance is not None and not Decimal(0) <= Decimal(str(allowance)) <= ALLOWANCE_MAX:
        errors["allowance_eur"] = str(_l("L'indennità deve essere tra 0 e %(max)s euro al mese.", max=ALLOWANCE_MAX))
    bounds = {
        "hours_per_week": (HOURS_PER_WEEK_MAX, _l("Le ore settimanali devono essere tra 1 e %(max)d.")),
        "duration_months": (DURATION_MONTHS_MAX, _l("La durata deve essere tra 1 e %(max)d mesi.")),
        "total_hours": (TOTAL_HOURS_MAX, _l("Le ore totali devono essere tra 1 e %(max)d.")),
    }
    for field, (maximum, message) in bounds.items():
        value = values.get(field)
        if value is not None and not 1 <= value <= maximum:
            errors[field] = str(message) % {"max": maximum}


def _check_ages(values: dict[str, Any], errors: Errors) -> None:
    age_min, age_max = values.get("age_min"), values.get("age_max")
    for field, age in (("age_min", age_min), ("age_max", age_max)):
        if age is not None and not AGE_MIN <= age <= AGE_MAX:
            errors[field] = str(_l("L'età deve essere tra %(min)d e %(max)d anni.", min=AGE_MIN, max=AGE_MAX))
    if "age_min" in errors or "age_max" in errors:
        return
    if age_min is not None and age_max is not None and age_max < age_min:
        errors["age_max"] = str(_l("L'età massima non può essere inferiore all'età minima."))
    elif values.get("minors_allowed") and age_min is not None and age_min >= ADULT_AGE:
        errors["minors_allowed"] = str(_l("È aperta ai minorenni, ma l'età minima è di almeno 18 anni."))
    elif not values.get("minors_allowed") and age_min is not None and age_min < ADULT_AGE:
        errors["age_min"] = str(_l("L'età minima è sotto i 18 anni: indica che l'opportunità è aperta ai minorenni."))


def _check_dates(values: dict[str, Any], errors: Errors, *, today: date, deadline_changed: bool) -> None:
    start, end, deadline = values.get("start_date"), values.get("end_date"), values.get("application_deadline")
    if start and end and end < start:
        errors["end_date"] = str(_l("La data di fine non può precedere la data di inizio."))
    if deadline and deadline_changed and deadline < today:
        errors["application_deadline"] = str(_l("La scadenza delle candidature non può essere nel passato."))
    elif deadline and end and deadline > end:
        errors["application_deadline"] = str(_l("La scadenza delle candidature non può seguire la data di fine."))


def _check_lists(values: dict[str, Any], errors: Errors) -> None:
    from marketplace.opportunities.skills import SKILLS

    groups = values.get("target_groups") or []
    if any(not _is_member(group, TargetGroup) for group in groups):
        errors["target_groups"] = str(_l("Destinatari non riconosciuti."))
    skills = values.get("skills") or []
    codes = [item.get("code") for item in skills if isinstance(item, dict)]
    if len(codes) != len(skills) or any(code not in SKILLS for code in codes) or len(set(codes)) != len(codes):
        errors["skills"] = str(_l("Competenze non riconosciute o ripetute."))
    languages = values.get("languages") or []
    if any(
        not isinstance(item, dict) or not _is_language(item.get("code")) or item.get("level") not in CEFR_LEVELS
        for item in languages
    ):
        errors["languages"] = str(_l("Indica ogni lingua con un livello da A1 a C2."))


def check_edition(values: dict[str, Any]) -> Errors:
    errors: Errors = {}
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if starts_on is None:
        errors["starts_on"] = str(_l("Indica la data di inizio dell'edizione."))
    if ends_on is None:
        errors["ends_on"] = str(_l("Indica la data di fine dell'edizione."))
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = str(_l("La data di fine non può precedere la data di inizio."))
    start_time, end_time = values.get("start_time"), values.get("end_time")
    if start_time and end_time and starts_on == ends_on and end_time <= start_time:
        errors["end_time"] = str(_l("L'orario di fine deve seguire quello di inizio."))
    seats = values.get("seats")
    if seats is None or not 1 <= seats <= SEATS_MAX:
        errors["seats"] = str(_l("I posti devono essere tra 1 e %(max)d.", max=SEATS_MAX))
    if len(values.get("place") or "") > 250:
        errors["place"] = str(_l("Testo troppo lungo (al massimo %(max)d caratteri).", max=250))
    return errors


def message_unknown_code() -> str:
    return str(_l("Codice non riconosciuto."))


def message_foreign_site() -> str:
    return str(_l("Scegli una sede dell'organizzazione."))


def _is_member(value: Any, enum_cls: type) -> bool:
    try:
        enum_cls(value)
    except ValueError:
        return False
    return True


def _is_language(code: Any) -> bool:
    from marketplace.opportunities.languages import LANGUAGES

    return isinstance(code, str) and code in LANGUAGES
