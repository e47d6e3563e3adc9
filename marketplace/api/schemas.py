"""The JSON shapes of the API: request bodies (validated by pydantic), responses, and error messages.

Pydantic checks types only (a number is a number, a date is a date, a kind is a known kind);
the rules that make an opportunity publishable (dates in order, seats, ages…) are
`marketplace.opportunities.rules`, applied by `editing`, so the API and the web form refuse
the same things with the same messages. Pydantic's own English messages never reach a client:
`field_errors` turns each error type into an Italian message, translated through Babel.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from marketplace.candidates.models import EducationLevel
from marketplace.common.identifiers import InvalidIdentifier, phone_e164
from marketplace.opportunities.models import CEFR_LEVELS, CloseReason, OpportunityKind, OpportunityStatus, TargetGroup

DB_ID = Annotated[int, Field(ge=1, le=2_147_483_647)]
# No rule bounds these texts, the columns do: a longer value would fail in the database.
CONTACT_NAME_MAX, EMAIL_MAX, PHONE_MAX = 200, 254, 20
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CefrLevel = Literal[CEFR_LEVELS]  # type: ignore[valid-type]


class _Strict(BaseModel):
    # An unknown field is refused, not ignored: a typo ("deadline" for "application_deadline")
    # must not silently leave a value unset.
    model_config = ConfigDict(extra="forbid")


class SkillIn(_Strict):
    code: str = Field(max_length=80, description="Codice di una competenza dell'elenco del progetto.")
    required: bool = Field(default=False, description="Richiesta (true) o preferibile (false).")


class LanguageIn(_Strict):
    code: str = Field(max_length=8, description="Codice ISO 639-1 della lingua (it, en, fr…).")
    level: CefrLevel = Field(description="Livello QCER richiesto, da A1 a C2.")


class _Editable(_Strict):
    """Every field an editor may set. In an update, a field left out keeps its value."""

    title: str | None = Field(default=None, description="Titolo, da 5 a 200 caratteri.")
    description: str | None = Field(
        default=None, description="Descrizione in Markdown (da 20 a 20.000 caratteri); la pagina pubblica la ripulisce."
    )
    kind: OpportunityKind | None = None
    sector_code: str | None = Field(
        default=None, max_length=12, description="Codice ATECO 2025; se manca, quello dell'organizzazione."
    )
    site_id: DB_ID | None = Field(default=None, description="Una sede dell'organizzazione: ne prende il comune.")
    municipality_code: str | None = Field(
        default=None, min_length=6, max_length=6, description="Codice ISTAT del comune (se non si indica una sede)."
    )
    skills: list[SkillIn] | None = Field(default=None, max_length=100)
    target_groups: list[TargetGroup] | None = Field(default=None, max_length=20)
    education_level: EducationLevel | None = Field(default=None, description="Titolo di studio minimo.")
    languages: list[LanguageIn] | None = Field(default=None, max_length=30)
    driving_licence_required: bool | None = None
    hours_per_week: int | None = None
    schedule: str | None = Field(default=None, description="Orario, in breve (al massimo 300 caratteri).")
    duration_months: int | None = None
    total_hours: int | None = Field(default=None, description="Ore complessive (corsi e laboratori).")
    start_date: date | None = None
    end_date: date | None = None
    application_deadline: date | None = None
    seats: int | None = None
    allowance_eur: Decimal | None = Field(
        default=None,
        decimal_places=2,
        allow_inf_nan=False,
        description="Indennità mensile in euro; 0 o null se non retribuita.",
    )
    minors_allowed: bool | None = Field(default=None, description="Aperta anche a chi ha tra 14 e 17 anni.")
    age_min: int | None = None
    age_max: int | None = None
    accessibility_notes: str | None = None
    contact_name: str | None = Field(default=None, max_length=CONTACT_NAME_MAX)
    contact_email: str | None = Field(default=None, max_length=EMAIL_MAX)
    contact_phone: str | None = Field(default=None, max_length=40, description="Numero di telefono; salvato in E.164.")

    @field_validator("*")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        # PostgreSQL refuses NUL in text, and no field needs other control characters (tabs and
        # line breaks stay): dropped, as the organisation forms do.
        return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        from email_validator import EmailNotValidError, validate_email

        if value is None or not value.strip():
            return None
        try:
            return validate_email(value.strip(), check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValueError("email") from None

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            return phone_e164(value)
        except InvalidIdentifier:
            raise ValueError("phone") from None

    def editing_values(self, *, only_set: bool) -> dict[str, Any]:
        """The values as `editing.create/update` take them (model attribute names, plain JSON lists)."""
        fields = self.model_fields_set if only_set else set(type(self).model_fields)
        values: dict[str, Any] = {}
        for name in fields:
            if name in {"organization_id", "submit", "version"}:
                continue
            value = getattr(self, name)
            if name in {"skills", "languages"} and value is not None:
                value = [item.model_dump() for item in value]
            elif name == "target_groups" and value is not None:
                value = [group.value for group in value]
            values[name] = value
        return values


class OpportunityCreate(_Editable):
    """A new opportunity: a draft, sent for review when `submit` is true."""

    organization_id: DB_ID = Field(description="L'organizzazione per cui si pubblica.")
    title: str = Field(description="Titolo, da 5 a 200 caratteri.")
    description: str = Field(description="Descrizione in Markdown, da 20 a 20.000 caratteri.")
    kind: OpportunityKind
    seats: int = Field(default=1, description="Posti disponibili, da 1 a 500.")
    submit: bool = Field(default=False, description="Invia subito in revisione alla rete (che la approva).")


class OpportunityUpdate(_Editable):
    """A change: only the fields sent are changed; `version` is the one last read."""

    version: int = Field(description="La versione letta per ultima: se nel frattempo è cambiata, la risposta è 409.")
    submit: bool = Field(default=False, description="Invia in revisione (se è una bozza) dopo la modifica.")


# -- responses ----------------------------------------------------------------------------


class OrganizationRef(BaseModel):
    id: int
    name: str


class MunicipalityRef(BaseModel):
    code: str
    name: str


class EditionOut(BaseModel):
    id: int
    label: str
    starts_on: date
    ends_on: date
    start_time: time | None
    end_time: time | None
    place: str
    municipality_code: str | None
    seats: int


class OpportunitySummary(BaseModel):
    id: int
    title: str
    kind: OpportunityKind
    kind_label: str
    status: OpportunityStatus
    organization: OrganizationRef
    municipality: MunicipalityRef | None
    sector_code: str | None
    start_date: date | None
    end_date: date | None
    application_deadline: date | None
    seats: int
    allowance_eur: float | None
    paid: bool
    minors_allowed: bool
    published_at: datetime | None
    url: str = Field(description="La pagina pubblica dell'opportunità.")
    api_url: str


class SkillOut(BaseModel):
    code: str
    required: bool


class LanguageOut(BaseModel):
    code: str
    level: str


class OpportunityOut(OpportunitySummary):
    """Everything the public page shows. Texts are plain JSON strings (the description is Markdown source)."""

    version: int = Field(description="Da rimandare con PUT.")
    description: str
    close_reason: CloseReason | None
    close_reason_label: str | None
    closed_at: datetime | None
    site_id: int | None
    skills: list[SkillOut]
    target_groups: list[str]
    education_level: EducationLevel | None
    languages: list[LanguageOut]
    driving_licence_required: bool
    hours_per_week: int | None
    schedule: str
    duration_months: int | None
    total_hours: int | None
    age_min: int | None
    age_max: int | None
    accessibility_notes: str
    contact_name: str
    contact_email: str | None
    contact_phone: str | None
    editions: list[EditionOut]


class FacetValue(BaseModel):
    value: str
    count: int
    label: str | None = None


class PageLinks(BaseModel):
    self: str
    first: str
    prev: str | None
    next: str | None


class OpportunityPage(BaseModel):
    items: list[OpportunitySummary]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[FacetValue]]
    links: PageLinks


class ErrorBody(BaseModel):
    code: int
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


class ValidationErrorResponse(BaseModel):
    """422: one Italian (or, with Accept-Language: en, English) message per field or parameter."""

    errors: dict[str, str]


# -- pydantic errors as field messages -----------------------------------------------------

_TYPE_MESSAGES = {
    "missing": _l("Campo obbligatorio."),
    "extra_forbidden": _l("Campo sconosciuto."),
    "int_type": _l("Deve essere un numero intero."),
    "int_parsing": _l("Deve essere un numero intero."),
    "int_from_float": _l("Deve essere un numero intero."),
    "decimal_type": _l("Deve essere un numero."),
    "decimal_parsing": _l("Deve essere un numero."),
    "finite_number": _l("Deve essere un numero."),
    "decimal_max_places": _l("Al massimo due decimali."),
    "decimal_max_digits": _l("Numero troppo grande."),
    "decimal_whole_digits": _l("Numero troppo grande."),
    "bool_type": _l("Deve essere true o false."),
    "bool_parsing": _l("Deve essere true o false."),
    "string_type": _l("Deve essere un testo."),
    "list_type": _l("Deve essere un elenco."),
    "model_type": _l("Deve essere un oggetto."),
    "model_attributes_type": _l("Deve essere un oggetto."),
    "dict_type": _l("Deve essere un oggetto."),
    "enum": _l("Valore non previsto."),
    "literal_error": _l("Valore non previsto."),
    "date_type": _l("Data non valida: usa il formato AAAA-MM-GG."),
    "date_parsing": _l("Data non valida: usa il formato AAAA-MM-GG."),
    "date_from_datetime_parsing": _l("Data non valida: usa il formato AAAA-MM-GG."),
    "date_from_datetime_inexact": _l("Data non valida: usa il formato AAAA-MM-GG."),
    "too_long": _l("Elenco troppo lungo."),
}


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "string_too_long":
        return str(_l("Testo troppo lungo (al massimo %(max)d caratteri).", max=context.get("max_length", 0)))
    if kind == "string_too_short":
        return str(_l("Testo troppo corto (almeno %(min)d caratteri).", min=context.get("min_length", 0)))
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return str(_l("Valore fuori dall'intervallo ammesso."))
    if kind == "value_error":
        reason = str(context.get("error", ""))
        if reason == "email":
            return str(_l("Indirizzo email non valido."))
        if reason == "phone":
            return str(_l("Numero di telefono non valido."))
    if kind in {"enum", "literal_error"} and context.get("expected"):
        return str(_l("Valore non previsto: i valori ammessi sono %(values)s.", values=context["expected"]))
    message = _TYPE_MESSAGES.get(kind)
    return str(message) if message is not None else str(_l("Valore non valido."))


def field_errors(error: ValidationError) -> dict[str, str]:
    """{top-level field: message}; for an item of a list, the message names its position."""
    errors: dict[str, str] = {}
    for item in error.errors(include_url=False):
        location = item["loc"]
        field = str(location[0]) if location else "body"
        if field in errors:
            continue
        message = _message(item)
        positions = [str(part + 1) for part in location[1:] if isinstance(part, int)]
        if positions:
            message = str(_l("Elemento %(n)s: %(message)s", n=positions[0], message=message))
        errors[field] = message
    return errors
