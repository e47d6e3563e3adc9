"""The candidate's own profile form. It checks formats; the rules (age, consents, guardian) are the service's."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, EmailField, Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, Length, Optional, ValidationError

from marketplace.candidates.models import EDUCATION_LABELS, EducationLevel, Person
from marketplace.candidates.profile_services import MAX_TRAVEL_KM, MIN_TRAVEL_KM, ProfileValues
from marketplace.common import identifiers
from marketplace.common.identifiers import InvalidIdentifier
from marketplace.organizations.forms import RecordForm, WholeNumberField

TOO_LONG = _l("Al massimo %(max)d caratteri.")
NOT_A_DATE = _l("Data non valida: usa il calendario o scrivila come gg/mm/aaaa.")
TEXT_MAX = 2000


def _text(value: str | None) -> str:
    return (value or "").strip()


class ProfileForm(RecordForm):
    first_name = StringField(_l("Nome"), validators=[Length(max=100, message=TOO_LONG)])
    last_name = StringField(_l("Cognome"), validators=[Length(max=100, message=TOO_LONG)])
    birth_date = DateField(
        _l("Data di nascita"), format=["%Y-%m-%d", "%d/%m/%Y"], invalid_value_message=NOT_A_DATE,
        validators=[Optional()],
    )  # fmt: skip
    municipality_code = SelectField(
        _l("Comune di residenza"), description=_l("Facoltativo. Serve a proporti le opportunità vicine a te."),
        validate_choice=False, default="",
    )  # fmt: skip
    phone = StringField(
        _l("Telefono"), description=_l("Facoltativo. Per esempio 333 123 4567."),
        validators=[Optional(), Length(max=30, message=TOO_LONG)],
    )  # fmt: skip
    email = EmailField(
        _l("Email"), description=_l("Le organizzazioni a cui ti candidi ti scriveranno qui."),
        validators=[Optional(), Email(_l("Indirizzo email non valido.")), Length(max=254, message=TOO_LONG)],
    )  # fmt: skip
    privacy_consent = BooleanField(
        _l("Acconsento al trattamento dei miei dati personali per la ricerca di opportunità e per le candidature")
    )
    guardian_name = StringField(
        _l("Nome e cognome del genitore o tutore"),
        description=_l("Solo se hai meno di 18 anni."),
        validators=[Length(max=200, message=TOO_LONG)],
    )
    guardian_consent = BooleanField(
        _l("Il genitore o tutore acconsente al trattamento dei miei dati e alle candidature"),
        description=_l("Solo se hai meno di 18 anni."),
    )
    education_level = SelectField(
        _l("Titolo di studio"),
        choices=[("", _l("Non indicato")), *((level.value, label) for level, label in EDUCATION_LABELS.items())],
        invalid_choice_message=_l("Scegli un titolo di studio dell'elenco."),
        default="",
    )
    skills = TextAreaField(
        _l("Competenze"), description=_l("Che cosa sai fare: esperienze, corsi, attività di volontariato."),
        validators=[Length(max=TEXT_MAX, message=TOO_LONG)],
    )  # fmt: skip
    aspirations = TextAreaField(
        _l("Aspirazioni"), description=_l("Che lavoro o che percorso ti piacerebbe fare."),
        validators=[Length(max=TEXT_MAX, message=TOO_LONG)],
    )  # fmt: skip
    languages = StringField(
        _l("Lingue"), description=_l("Per esempio: italiano, inglese (base), arabo."),
        validators=[Length(max=200, message=TOO_LONG)],
    )  # fmt: skip
    driving_licence = BooleanField(_l("Ho la patente di guida"))
    max_travel_km = WholeNumberField(
        _l("Distanza massima (km)"),
        description=_l(
            "Facoltativo. Quanto lontano da casa puoi spostarti, da %(low)d a %(high)d km.",
            low=MIN_TRAVEL_KM,
            high=MAX_TRAVEL_KM,
        ),
        validators=[Optional()],
    )
    # The Person's row version when the form was opened: empty on the first save.
    version = HiddenField()

    def __init__(self, *args: Any, municipality_choices: list[tuple[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipality_code.choices = municipality_choices or [("", _l("Non indicato"))]

    def validate_municipality_code(self, field: Field) -> None:
        if field.data and field.data not in {value for value, _label in self.municipality_code.choices}:
            raise ValidationError(_l("Scegli un comune dell'elenco."))

    def validate_phone(self, field: Field) -> None:
        if _text(field.data):
            try:
                field.data = identifiers.phone_e164(field.data)
            except InvalidIdentifier as error:
                raise ValidationError(error.message) from None

    def load(self, person: Person | None, account_email: str) -> None:
        """Fill an unsubmitted form: the record if there is one, else just the account's email."""
        if person is None:
            self.email.data = account_email
            return
        self.process(obj=person)
        self.municipality_code.data = person.municipality_code or ""
        self.version.data = str(person.version)
        self.privacy_consent.data = person.privacy_consent_at is not None
        self.guardian_consent.data = person.guardian_consent_at is not None
        profile = person.profile
        if profile is not None:
            self.education_level.data = profile.education_level.value if profile.education_level else ""
            self.skills.data = profile.skills
            self.aspirations.data = profile.aspirations
            self.languages.data = profile.languages
            self.driving_licence.data = profile.driving_licence
            self.max_travel_km.data = profile.max_travel_km

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None

    def values(self) -> ProfileValues:
        return ProfileValues(
            first_name=_text(self.first_name.data),
            last_name=_text(self.last_name.data),
            birth_date=self.birth_date.data,
            municipality_code=self.municipality_code.data or None,
            phone=_text(self.phone.data) or None,
            email=_text(self.email.data) or None,
            privacy_consent=bool(self.privacy_consent.data),
            guardian_name=_text(self.guardian_name.data) or None,
            guardian_consent=bool(self.guardian_consent.data),
            education_level=EducationLevel(self.education_level.data) if self.education_level.data else None,
            skills=_text(self.skills.data),
            aspirations=_text(self.aspirations.data),
            languages=_text(self.languages.data),
            driving_licence=bool(self.driving_licence.data),
            max_travel_km=self.max_travel_km.data,
        )
