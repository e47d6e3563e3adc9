"""Forms of the organisation record. Each turns its input into the model values a service saves.

Identifiers are checked by checksum and stored in their canonical form; every message is an
Italian msgid shown next to its field.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from marketplace.common import identifiers
from marketplace.common.identifiers import InvalidIdentifier
from marketplace.organizations import services
from marketplace.organizations.models import (
    CONTACT_CHANNEL_LABELS,
    HOSTING_SCHEME_LABELS,
    OBLIGATION_68_THRESHOLD,
    ORGANIZATION_KIND_LABELS,
    ORGANIZATION_STATUS_LABELS,
    PREMISES_ACCESS_LABELS,
    SIZE_CLASS_LABELS,
    ContactChannel,
    InclusionProfile,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    PremisesAccess,
    SizeClass,
    size_class_for,
)
from marketplace.territory.models import Municipality

REQUIRED = _l("Campo obbligatorio.")
PUBLIC_FIELD = _l("Compare nella pagina pubblica dell'organizzazione.")
AUTOMATIC = "auto"
YES, NO, UNKNOWN = "1", "0", ""

# Roughly the Città metropolitana di Milano: a precise point outside it is almost surely a typo.
LATITUDE_RANGE = (45.1, 45.8)
LONGITUDE_RANGE = (8.7, 9.6)

# Languages most spoken in the area's inclusion services (ISO 639-1); names come from Babel.
LANGUAGE_CODES = (
    "it", "en", "fr", "es", "de", "pt", "ro", "sq", "ar", "zh", "uk", "ru", "pl", "tr",
    "bn", "ur", "hi", "pa", "ta", "si", "tl", "wo", "ff", "ti", "am", "so", "fa",
)  # fmt: skip

MAX_SECTORS = 20
MAX_ROLES = 30
MAX_ROLE_LENGTH = 120


# C0 control characters other than tab and newlines: PostgreSQL refuses NUL in text, and none belong in a form.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_control_characters(value: Any) -> Any:
    return _CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


class RecordForm(FlaskForm):
    """Base of this module's forms: every text input is cleaned of control characters."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            if issubclass(unbound_field.field_class, StringField):
                filters = (*unbound_field.kwargs.get("filters", ()), without_control_characters)
                options = {**options, "filters": filters}
            return unbound_field.bind(form=form, **options)


class WholeNumberField(IntegerField):
    """An integer field whose parse error is a plain Italian sentence (WTForms' own reads oddly)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            try:
                self.data = int(text)
            except ValueError:
                raise ValueError(_l("Scrivi un numero intero, per esempio 12.")) from None


class CheckboxListField(SelectMultipleField):
    """A list of checkboxes; an unknown value gets an Italian message (WTForms' own is English)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The shared form macros draw checkboxes for fields of this type name.
        self.type = "SelectMultipleField"

    def pre_validate(self, form: Any) -> None:
        known = {str(value) for value, _label in self.choices or ()}
        if any(str(value) not in known for value in self.data or ()):
            raise ValidationError(_l("Una delle scelte non è valida: ricarica la pagina e riprova."))


def language_choices() -> list[tuple[str, str]]:
    """Language names in the page's language ("inglese" in Italian, "English" in English)."""
    names = Locale.parse(str(get_locale() or "it")).languages
    return [(code, names.get(code, code)[:1].upper() + names.get(code, code)[1:]) for code in LANGUAGE_CODES]


def municipality_choices(municipalities: list[Municipality], *, blank: Any = None) -> list[tuple[str, Any]]:
    choices = [(m.istat_code, m.name) for m in municipalities]
    return [("", blank), *choices] if blank is not None else [("", _l("Scegli il comune")), *choices]


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def website_url(value: str) -> str:
    """An http(s) address; "www.example.it" gets https:// in front."""
    text = value.strip()
    if "://" not in text:
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        host, parts = "", None
    if parts is None or parts.scheme not in {"http", "https"} or "." not in host or re.search(r"\s", text):
        raise ValidationError(_l("Indirizzo del sito non valido: scrivilo come www.esempio.it."))
    if len(text) > 250:
        raise ValidationError(_l("Indirizzo del sito troppo lungo."))
    return text


def _tristate(value: bool | None) -> str:
    return UNKNOWN if value is None else (YES if value else NO)


def _from_tristate(value: str | None) -> bool | None:
    return {YES: True, NO: False}.get(value or "")


def _validate_phone(field: Field) -> None:
    if _blank(field.data):
        try:
            field.data = identifiers.phone_e164(field.data)
        except InvalidIdentifier as error:
            raise ValidationError(error.message) from None


def _validate_website(field: Field) -> None:
    if _blank(field.data):
        field.data = website_url(field.data)


class _PublicDataMixin:
    """The fields a company may edit itself: they appear on its public page."""

    def validate_website(self, field: Field) -> None:
        _validate_website(field)

    def validate_phone(self, field: Field) -> None:
        _validate_phone(field)

    def public_values(self) -> dict[str, Any]:
        return {
            "description": _blank(self.description.data),
            "website": _blank(self.website.data),
            "email": _blank(self.email.data),
            "phone": _blank(self.phone.data),
            "address": _blank(self.address.data),
            "municipality_code": self.municipality_code.data or None,
        }


class OrganizationForm(_PublicDataMixin, RecordForm):
    """The whole shared record, for partner_admins and admins."""

    name = StringField(_l("Ragione sociale"), validators=[DataRequired(REQUIRED), Length(max=250)])
    kind = SelectField(
        _l("Forma giuridica"), choices=[(k.value, label) for k, label in ORGANIZATION_KIND_LABELS.items()]
    )
    vat_number = StringField(
        _l("Partita IVA"), description=_l("11 cifre. Serve la partita IVA o il codice fiscale."),
        validators=[Optional(), Length(max=20)],
    )  # fmt: skip
    tax_code = StringField(
        _l("Codice fiscale"),
        description=_l("Per le società è spesso uguale alla partita IVA."),
        validators=[Optional(), Length(max=20)],
    )
    ateco_code = StringField(
        _l("Codice ATECO"), description=_l("Classificazione ATECO 2025, per esempio 52.10."),
        validators=[Optional(), Length(max=12)],
    )  # fmt: skip
    status = SelectField(
        _l("Stato"),
        choices=[(s.value, label) for s, label in ORGANIZATION_STATUS_LABELS.items()],
        default=OrganizationStatus.ACTIVE.value,
    )
    description = TextAreaField(_l("Descrizione"), description=PUBLIC_FIELD, validators=[Optional(), Length(max=5000)])
    address = StringField(_l("Indirizzo della sede legale"), validators=[Optional(), Length(max=250)])
    municipality_code = SelectField(_l("Comune della sede legale"), default="", validators=[Optional()])
    website = StringField(_l("Sito web"), description=PUBLIC_FIELD, validators=[Optional(), Length(max=250)])
    email = EmailField(
        _l("Email generale"),
        description=PUBLIC_FIELD,
        validators=[Optional(), Email(_l("Indirizzo email non valido.")), Length(max=254)],
    )
    phone = StringField(_l("Telefono generale"), description=PUBLIC_FIELD, validators=[Optional(), Length(max=30)])
    employees = WholeNumberField(
        _l("Numero di addetti"),
        validators=[Optional(), NumberRange(min=0, max=1_000_000, message=_l("Indica un numero da 0 in su."))],
    )
    size_class = SelectField(
        _l("Dimensione"),
        choices=[(AUTOMATIC, _l("Calcolata dal numero di addetti"))]
        + [(s.value, label) for s, label in SIZE_CLASS_LABELS.items()],
        default=AUTOMATIC,
    )
    obligated_68 = SelectField(
        _l("Obbligo di assunzione L. 68/1999"),
        description=_l("In automatico è obbligata chi ha almeno 15 addetti."),
        choices=[
            (AUTOMATIC, _l("Calcolato dal numero di addetti")),
            (YES, _l("Sì, è obbligata")),
            (NO, _l("No, non è obbligata")),
        ],
        default=AUTOMATIC,
    )
    quota_68_covered = SelectField(
        _l("Quota L. 68/1999 coperta"),
        description=_l("Solo per le organizzazioni obbligate."),
        choices=[(UNKNOWN, _l("Non so")), (YES, _l("Sì, coperta")), (NO, _l("No, scoperta"))],
        default=UNKNOWN,
    )
    version = HiddenField()

    def load(self, organization: Organization) -> None:
        """Fill an unsubmitted form from the record, showing derived values as "automatic"."""
        self.process(obj=organization)
        self.kind.data = organization.kind.value
        self.status.data = organization.status.value
        self.municipality_code.data = organization.municipality_code or ""
        derived_size = size_class_for(organization.employees)
        self.size_class.data = (
            AUTOMATIC if organization.size_class in (None, derived_size) else organization.size_class.value
        )
        derived_68 = (organization.employees or 0) >= OBLIGATION_68_THRESHOLD
        self.obligated_68.data = (
            AUTOMATIC
            if organization.employees is not None and organization.obligated_68 == derived_68
            else _tristate(organization.obligated_68)
        )
        self.quota_68_covered.data = _tristate(organization.quota_68_covered)
        self.version.data = str(organization.version)

    def validate_vat_number(self, field: Field) -> None:
        if _blank(field.data):
            try:
                field.data = identifiers.vat_number(field.data)
            except InvalidIdentifier as error:
                raise ValidationError(error.message) from None

    def validate_tax_code(self, field: Field) -> None:
        if _blank(field.data):
            try:
                field.data = identifiers.tax_code(field.data)
            except InvalidIdentifier as error:
                raise ValidationError(error.message) from None

    def validate_ateco_code(self, field: Field) -> None:
        if _blank(field.data):
            field.data = _checked_sector(field.data)

    def validate_quota_68_covered(self, field: Field) -> None:
        if field.data == UNKNOWN or self.employees.errors:
            return
        obligated = _from_tristate(self.obligated_68.data)
        if obligated is None and self.employees.data is not None:
            obligated = self.employees.data >= OBLIGATION_68_THRESHOLD
        if obligated is False:
            raise ValidationError(_l("La quota si indica solo per le organizzazioni obbligate alla L. 68/1999."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not _blank(self.vat_number.data) and not _blank(self.tax_code.data):
            self.vat_number.errors = [*self.vat_number.errors, _l("Indica la partita IVA o il codice fiscale.")]
            return False
        return valid

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "name": self.name.data.strip(),
            "kind": OrganizationKind(self.kind.data),
            "status": OrganizationStatus(self.status.data),
            "vat_number": _blank(self.vat_number.data),
            "tax_code": _blank(self.tax_code.data),
            "ateco_code": _blank(self.ateco_code.data),
            "employees": self.employees.data,
            "quota_68_covered": _from_tristate(self.quota_68_covered.data),
            **self.public_values(),
        }
        # Left out when automatic, so services.apply_values derives them from the head count.
        if self.size_class.data != AUTOMATIC:
            values["size_class"] = SizeClass(self.size_class.data)
        elif self.employees.data is None:
            values["size_class"] = None
        if self.obligated_68.data != AUTOMATIC:
            values["obligated_68"] = self.obligated_68.data == YES
        return values


class CompanyProfileForm(_PublicDataMixin, RecordForm):
    """What a company user may change about its own organisation."""

    description = TextAreaField(
        _l("Descrizione"),
        description=_l("Chi siete e di cosa vi occupate: compare nella pagina pubblica."),
        validators=[Optional(), Length(max=5000)],
    )
    website = StringField(_l("Sito web"), validators=[Optional(), Length(max=250)])
    email = EmailField(
        _l("Email pubblica"), validators=[Optional(), Email(_l("Indirizzo email non valido.")), Length(max=254)]
    )
    phone = StringField(_l("Telefono pubblico"), validators=[Optional(), Length(max=30)])
    address = StringField(_l("Indirizzo della sede legale"), validators=[Optional(), Length(max=250)])
    municipality_code = SelectField(_l("Comune della sede legale"), default="", validators=[Optional()])
    version = HiddenField()

    def load(self, organization: Organization) -> None:
        self.process(obj=organization)
        self.municipality_code.data = organization.municipality_code or ""
        self.version.data = str(organization.version)

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None

    def values(self) -> dict[str, Any]:
        return self.public_values()


def _checked_sector(value: str) -> str:
    try:
        code, _title = identifiers.ateco_code(value)
    except InvalidIdentifier as error:
        raise ValidationError(error.message) from None
    if not services.sector_exists(code):
        raise ValidationError(_l("Codice ATECO non trovato nella classificazione ATECO 2025."))
    return code


def _coordinate(field: Field, bounds: tuple[float, float]) -> float | None:
    text = (field.data or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValidationError(_l("Scrivi un numero, per esempio 45,53.")) from None
    if not bounds[0] <= value <= bounds[1]:
        raise ValidationError(_l("Il punto è fuori dalla Città metropolitana di Milano: controlla le coordinate."))
    return value


class SiteForm(RecordForm):
    label = StringField(
        _l("Nome della sede"), description=_l("Per esempio: magazzino, negozio di Melzo."),
        validators=[Optional(), Length(max=120)],
    )  # fmt: skip
    address = StringField(_l("Indirizzo"), validators=[DataRequired(REQUIRED), Length(max=250)])
    postal_code = StringField(_l("CAP"), validators=[Optional(), Length(max=5)])
    municipality_code = SelectField(_l("Comune"), validators=[DataRequired(REQUIRED)])
    latitude = StringField(
        _l("Latitudine"),
        description=_l("Facoltativa, insieme alla longitudine: senza, la sede è posta al centro del comune."),
        validators=[Optional(), Length(max=20)],
    )
    longitude = StringField(_l("Longitudine"), validators=[Optional(), Length(max=20)])

    def load(self, site: Any) -> None:
        self.process(obj=site)
        self.latitude.data = "" if site.latitude is None else f"{site.latitude:.6f}"
        self.longitude.data = "" if site.longitude is None else f"{site.longitude:.6f}"

    def validate_postal_code(self, field: Field) -> None:
        if _blank(field.data) and not re.fullmatch(r"\d{5}", field.data.strip()):
            raise ValidationError(_l("Il CAP è fatto di 5 cifre."))

    def validate_latitude(self, field: Field) -> None:
        _coordinate(field, LATITUDE_RANGE)

    def validate_longitude(self, field: Field) -> None:
        _coordinate(field, LONGITUDE_RANGE)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and bool(_blank(self.latitude.data)) != bool(_blank(self.longitude.data)):
            self.longitude.errors = [_l("Indica sia la latitudine sia la longitudine, oppure nessuna delle due.")]
            return False
        return valid

    def values(self) -> dict[str, Any]:
        return {
            "label": (self.label.data or "").strip(),
            "address": self.address.data.strip(),
            "postal_code": _blank(self.postal_code.data),
            "municipality_code": self.municipality_code.data,
            "latitude": _coordinate(self.latitude, LATITUDE_RANGE),
            "longitude": _coordinate(self.longitude, LONGITUDE_RANGE),
        }


class ContactForm(RecordForm):
    full_name = StringField(_l("Nome e cognome"), validators=[DataRequired(REQUIRED), Length(max=200)])
    job_title = StringField(_l("Ruolo"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(_l("Indirizzo email non valido.")), Length(max=254)])
    phone = StringField(_l("Telefono"), validators=[Optional(), Length(max=30)])
    preferred_channel = SelectField(
        _l("Canale preferito"),
        choices=[("", _l("Nessuna preferenza"))] + [(c.value, label) for c, label in CONTACT_CHANNEL_LABELS.items()],
        default="",
    )
    consent_to_contact = BooleanField(
        _l("Ha dato il consenso a essere contattato/a"),
        description=_l("Senza consenso il referente è segnato come da non contattare."),
    )

    def load(self, contact: Any) -> None:
        self.process(obj=contact)
        self.preferred_channel.data = contact.preferred_channel.value if contact.preferred_channel else ""

    def validate_phone(self, field: Field) -> None:
        _validate_phone(field)

    def values(self) -> dict[str, Any]:
        return {
            "full_name": self.full_name.data.strip(),
            "job_title": _blank(self.job_title.data),
            "email": _blank(self.email.data),
            "phone": _blank(self.phone.data),
            "preferred_channel": ContactChannel(self.preferred_channel.data) if self.preferred_channel.data else None,
            "consent_to_contact": bool(self.consent_to_contact.data),
        }


def _split_codes(text: str | None) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def _split_lines(text: str | None) -> list[str]:
    seen: dict[str, None] = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if line and line.casefold() not in {key.casefold() for key in seen}:
            seen[line] = None
    return list(seen)


class InclusionProfileForm(RecordForm):
    schemes = CheckboxListField(
        _l("Percorsi che può ospitare"), choices=[(s.value, label) for s, label in HOSTING_SCHEME_LABELS.items()]
    )
    capacity = WholeNumberField(
        _l("Persone ospitabili contemporaneamente"),
        validators=[Optional(), NumberRange(min=0, max=10_000, message=_l("Indica un numero da 0 in su."))],
    )
    tutor_available = BooleanField(_l("Ha un tutor aziendale disponibile"))
    premises_access = SelectField(
        _l("Accessibilità dei locali"),
        choices=[(p.value, label) for p, label in PREMISES_ACCESS_LABELS.items()],
        default=PremisesAccess.UNKNOWN.value,
    )
    accessibility_notes = TextAreaField(_l("Note sull'accessibilità"), validators=[Optional(), Length(max=2000)])
    languages = CheckboxListField(_l("Lingue parlate"))
    recruiting_sectors = StringField(
        _l("Settori in cui cerca personale"),
        description=_l("Codici ATECO separati da virgole, per esempio 52.10, 56.10."),
        validators=[Optional(), Length(max=400)],
    )
    recruiting_roles = TextAreaField(
        _l("Ruoli ricercati"),
        description=_l("Uno per riga, per esempio: magazziniere, aiuto cuoco."),
        validators=[Optional(), Length(max=4000)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages.choices = language_choices()

    def load(self, profile: InclusionProfile | None) -> None:
        if profile is None:
            self.premises_access.data = PremisesAccess.UNKNOWN.value
            return
        self.schemes.data = list(profile.schemes or [])
        self.capacity.data = profile.capacity
        self.tutor_available.data = profile.tutor_available
        self.premises_access.data = profile.premises_access.value
        self.accessibility_notes.data = profile.accessibility_notes
        self.languages.data = list(profile.languages or [])
        self.recruiting_sectors.data = ", ".join(profile.recruiting_sectors or [])
        self.recruiting_roles.data = "\n".join(profile.recruiting_roles or [])

    def validate_recruiting_sectors(self, field: Field) -> None:
        codes = _split_codes(field.data)
        if len(codes) > MAX_SECTORS:
            raise ValidationError(_l("Indica al massimo 20 settori."))
        checked = []
        for code in codes:
            try:
                canonical = _checked_sector(code)
            except ValidationError:
                raise ValidationError(
                    _l("Il codice ATECO %(code)s non esiste nella classificazione ATECO 2025.", code=code)
                ) from None
            if canonical not in checked:
                checked.append(canonical)
        self._sectors = checked

    def validate_recruiting_roles(self, field: Field) -> None:
        roles = _split_lines(field.data)
        if len(roles) > MAX_ROLES:
            raise ValidationError(_l("Indica al massimo 30 ruoli."))
        if any(len(role) > MAX_ROLE_LENGTH for role in roles):
            raise ValidationError(_l("Ogni ruolo può avere al massimo 120 caratteri."))

    def values(self) -> dict[str, Any]:
        return {
            "schemes": list(self.schemes.data or []),
            "capacity": self.capacity.data,
            "tutor_available": bool(self.tutor_available.data),
            "premises_access": PremisesAccess(self.premises_access.data),
            "accessibility_notes": _blank(self.accessibility_notes.data),
            "languages": list(self.languages.data or []),
            "recruiting_sectors": list(getattr(self, "_sectors", [])),
            "recruiting_roles": _split_lines(self.recruiting_roles.data),
        }


class NoteForm(RecordForm):
    body = TextAreaField(
        _l("Nuova nota"),
        description=_l("La leggono solo gli operatori e i referenti del tuo ente."),
        validators=[DataRequired(REQUIRED), Length(max=5000)],
    )


class ActionForm(RecordForm):
    """A button that changes something (archive, restore, delete): only its CSRF token is checked."""
