"""Forms of the opportunity editor. They only parse types; the rules live in `rules.check`,
so the web form and the partner API refuse the same values with the same messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from marketplace.candidates.models import EDUCATION_LABELS
from marketplace.common import identifiers
from marketplace.common.identifiers import InvalidIdentifier
from marketplace.opportunities.languages import language_choices
from marketplace.opportunities.models import (
    CEFR_LEVELS,
    OPPORTUNITY_KIND_LABELS,
    TARGET_GROUP_LABELS,
    CloseReason,
    Opportunity,
)
from marketplace.opportunities.skills import grouped_choices
from marketplace.organizations.forms import municipality_choices
from marketplace.territory.models import Municipality

REQUIRED = _l("Campo obbligatorio.")
NOT_A_NUMBER = _l("Scrivi un numero intero.")
NOT_A_DATE = _l("Data non valida: usa il calendario o scrivila come gg/mm/aaaa.")
NOT_A_TIME = _l("Orario non valido: scrivilo come hh:mm.")
LANGUAGE_ROWS = 3
MARKDOWN_NOTE = _l(
    "Puoi usare il formato Markdown: **grassetto**, *corsivo*, elenchi puntati (righe che iniziano con «- ») "
    "e collegamenti [testo](https://…). Immagini, HTML e script non vengono mostrati."
)


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _site_id(value: str | None) -> int | None:
    if not value:
        return None
    return int(value) if value.isdigit() and len(value) < 10 else -1


class ChoiceListField(SelectMultipleField):
    """A multiple choice whose unknown values get an Italian message (WTForms' own is English)."""

    def pre_validate(self, form: Any) -> None:
        choices = self.choices.items() if isinstance(self.choices, dict) else [(None, self.choices)]
        known = {str(value) for _group, items in choices for value, *_rest in items}
        if any(value not in known for value in self.data or ()):
            raise ValidationError(_l("Scelta non valida: ricarica la pagina e riprova."))


class CheckboxListField(ChoiceListField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The shared form macros draw checkboxes for fields of this type name.
        self.type = "SelectMultipleField"


class LanguageRowForm(Form):
    """One language asked for, with its CEFR level; an empty row is ignored."""

    # Unknown values are left to rules.check, which names them in Italian.
    code = SelectField(_l("Lingua"), validators=[Optional()], validate_choice=False)
    level = SelectField(
        _l("Livello"),
        choices=[("", "—"), *[(level, level) for level in CEFR_LEVELS]],
        validators=[Optional()],
        validate_choice=False,
    )

    # Optional() stops the chain on an empty field, so each check sits on the field that has a value.
    def validate_code(self, field: SelectField) -> None:
        if field.data and not self.level.data:
            raise ValidationError(_l("Indica il livello richiesto (da A1 a C2)."))

    def validate_level(self, field: SelectField) -> None:
        if field.data and not self.code.data:
            raise ValidationError(_l("Scegli la lingua per questo livello."))


class OpportunityForm(FlaskForm):
    version = HiddenField()
    kind = SelectField(
        _l("Tipo di opportunità"),
        choices=[("", "—")] + [(kind.value, label) for kind, label in OPPORTUNITY_KIND_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
        validate_choice=False,
    )
    title = StringField(_l("Titolo"), validators=[DataRequired(REQUIRED)])
    description = TextAreaField(_l("Descrizione"), description=MARKDOWN_NOTE, validators=[DataRequired(REQUIRED)])
    site_id = SelectField(
        _l("Sede"),
        description=_l("Dove si svolge. Senza sede vale il comune dell'organizzazione."),
        validators=[Optional()],
        validate_choice=False,
    )
    sector_code = StringField(
        _l("Settore (codice ATECO)"),
        description=_l("Se lo lasci vuoto vale quello dell'organizzazione."),
        validators=[Optional(), Length(max=12)],
    )
    skills_required = ChoiceListField(_l("Competenze richieste"), validators=[Optional()])
    skills_preferred = ChoiceListField(_l("Competenze gradite"), validators=[Optional()])
    target_groups = CheckboxListField(
        _l("A chi si rivolge"),
        choices=[(group.value, label) for group, label in TARGET_GROUP_LABELS.items()],
        validators=[Optional()],
    )
    age_min = IntegerField(_l("Età minima"), invalid_value_message=NOT_A_NUMBER, validators=[Optional()])
    age_max = IntegerField(_l("Età massima"), invalid_value_message=NOT_A_NUMBER, validators=[Optional()])
    minors_allowed = BooleanField(_l("Aperta a minorenni (14-17 anni)"))
    education_level = SelectField(
        _l("Livello di istruzione minimo"),
        choices=[("", _l("Nessun requisito"))] + [(level.value, label) for level, label in EDUCATION_LABELS.items()],
        validators=[Optional()],
        validate_choice=False,
    )
    languages = FieldList(FormField(LanguageRowForm), min_entries=LANGUAGE_ROWS, max_entries=10)
    driving_licence_required = BooleanField(_l("Serve la patente di guida"))
    hours_per_week = IntegerField(_l("Ore settimanali"), invalid_value_message=NOT_A_NUMBER, validators=[Optional()])
    schedule = StringField(
        _l("Orario"), description=_l("Per esempio: dal lunedì al venerdì, 9-13."), validators=[Optional()]
    )
    duration_months = IntegerField(_l("Durata (mesi)"), invalid_value_message=NOT_A_NUMBER, validators=[Optional()])
    total_hours = IntegerField(
        _l("Ore totali"),
        description=_l("Per corsi e laboratori."),
        invalid_value_message=NOT_A_NUMBER,
        validators=[Optional()],
    )
    start_date = DateField(_l("Data di inizio"), invalid_value_message=NOT_A_DATE, validators=[Optional()])
    end_date = DateField(_l("Data di fine"), invalid_value_message=NOT_A_DATE, validators=[Optional()])
    application_deadline = DateField(
        _l("Scadenza delle candidature"), invalid_value_message=NOT_A_DATE, validators=[Optional()]
    )
    seats = IntegerField(
        _l("Posti disponibili"), default=1, invalid_value_message=NOT_A_NUMBER, validators=[InputRequired(REQUIRED)]
    )
    allowance_eur = StringField(
        _l("Indennità mensile (€)"),
        description=_l("Lascia vuoto se non è prevista un'indennità."),
        validators=[Optional()],
    )
    accessibility_notes = TextAreaField(
        _l("Accessibilità"),
        description=_l("Barriere architettoniche, accompagnamento, adattamenti possibili."),
        validators=[Optional()],
    )
    contact_name = StringField(_l("Persona di riferimento"), validators=[Optional()])
    contact_email = StringField(
        _l("Email di riferimento"),
        validators=[Optional(), Length(max=254), Email(_l("Indirizzo email non valido."))],
    )
    contact_phone = StringField(_l("Telefono di riferimento"), validators=[Optional(), Length(max=30)])

    def __init__(self, *args: Any, sites: list[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site_id.choices = [("", _l("Nessuna sede indicata")), *list(sites)]
        skills = grouped_choices()
        self.skills_required.choices = skills
        self.skills_preferred.choices = skills
        languages = [("", "—"), *language_choices()]
        for row in self.languages:
            row.form.code.choices = languages

    def load(self, opportunity: Opportunity) -> None:
        """Fill the fields from a saved opportunity (GET of the edit page)."""
        for name in (
            "title", "description", "sector_code", "age_min", "age_max", "minors_allowed", "hours_per_week",
            "schedule", "duration_months", "total_hours", "start_date", "end_date", "application_deadline",
            "seats", "accessibility_notes", "contact_name", "contact_email", "contact_phone",
            "driving_licence_required",
        ):  # fmt: skip
            self[name].data = getattr(opportunity, name)
        self.kind.data = opportunity.kind.value
        self.site_id.data = str(opportunity.site_id) if opportunity.site_id else ""
        self.education_level.data = opportunity.education_level.value if opportunity.education_level else ""
        self.target_groups.data = list(opportunity.target_groups or [])
        self.skills_required.data = opportunity.required_skill_codes
        self.skills_preferred.data = opportunity.preferred_skill_codes
        allowance = opportunity.allowance_eur
        self.allowance_eur.data = "" if allowance is None else f"{allowance:.2f}".replace(".", ",").removesuffix(",00")
        rows = list(opportunity.languages or [])
        while len(self.languages) < max(LANGUAGE_ROWS, len(rows) + 1):
            self.languages.append_entry()
        languages = [("", "—"), *language_choices()]
        for row, item in zip(self.languages, rows + [{}] * len(self.languages), strict=False):
            row.form.code.choices = languages
            row.form.code.data = item.get("code", "")
            row.form.level.data = item.get("level", "")
        self.version.data = str(opportunity.version)

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None

    def validate_skills_preferred(self, field: SelectMultipleField) -> None:
        both = set(field.data or ()) & set(self.skills_required.data or ())
        if both:
            raise ValidationError(_l("Una competenza non può essere sia richiesta sia gradita."))

    def validate_sector_code(self, field: StringField) -> None:
        from marketplace.organizations import services as organizations

        if not _blank(field.data):
            return
        try:
            code, _title = identifiers.ateco_code(field.data)
        except InvalidIdentifier as error:
            raise ValidationError(error.message) from None
        if not organizations.sector_exists(code):
            raise ValidationError(_l("Codice ATECO non trovato nella classificazione ATECO 2025."))
        field.data = code

    def validate_contact_phone(self, field: Field) -> None:
        if _blank(field.data):
            try:
                field.data = identifiers.phone_e164(field.data)
            except InvalidIdentifier as error:
                raise ValidationError(error.message) from None

    def validate_allowance_eur(self, field: StringField) -> None:
        text = (field.data or "").strip().replace("€", "").replace(" ", "")
        if not text:
            self._allowance = None
            return
        # Italian decimals use a comma; a dot is accepted too, thousands separators are not.
        try:
            amount = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_l("Scrivi l'importo in euro, per esempio 450 oppure 450,50.")) from None
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(_l("Scrivi l'importo in euro, per esempio 450 oppure 450,50."))
        self._allowance = amount

    def values(self) -> dict[str, Any]:
        """Model attribute names → values, ready for editing.create/update."""
        skills = [{"code": code, "required": True} for code in self.skills_required.data or ()]
        skills += [{"code": code, "required": False} for code in self.skills_preferred.data or ()]
        languages = [
            {"code": row.form.code.data, "level": row.form.level.data} for row in self.languages if row.form.code.data
        ]
        return {
            "kind": self.kind.data,
            "title": self.title.data or "",
            "description": self.description.data or "",
            # A forged id is refused by editing ("scegli una sede dell'organizzazione").
            "site_id": _site_id(self.site_id.data),
            # Without a site the organisation's comune applies (filled in by editing).
            "municipality_code": None,
            "sector_code": _blank(self.sector_code.data),
            "skills": skills,
            "target_groups": list(self.target_groups.data or ()),
            "age_min": self.age_min.data,
            "age_max": self.age_max.data,
            "minors_allowed": bool(self.minors_allowed.data),
            "education_level": self.education_level.data or None,
            "languages": languages,
            "driving_licence_required": bool(self.driving_licence_required.data),
            "hours_per_week": self.hours_per_week.data,
            "schedule": self.schedule.data or "",
            "duration_months": self.duration_months.data,
            "total_hours": self.total_hours.data,
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "application_deadline": self.application_deadline.data,
            "seats": self.seats.data,
            "allowance_eur": getattr(self, "_allowance", None),
            "accessibility_notes": self.accessibility_notes.data or "",
            "contact_name": self.contact_name.data or "",
            "contact_email": _blank(self.contact_email.data),
            "contact_phone": _blank(self.contact_phone.data),
        }

    # Which form field shows a rules.check error for a model attribute.
    ERROR_FIELDS = {"skills": "skills_required", "municipality_code": "site_id"}

    def add_errors(self, errors: dict[str, str]) -> list[str]:
        """Put the service's messages next to their fields; returns those without a field."""
        unplaced = []
        for attribute, message in errors.items():
            name = self.ERROR_FIELDS.get(attribute, attribute)
            if name in self._fields:
                # A FieldList's own errors are per-row dicts: only sentences belong in the summary.
                existing = [error for error in self[name].errors if isinstance(error, str)]
                self[name].errors = [*existing, message]
            else:
                unplaced.append(message)
        return unplaced


class EditionForm(FlaskForm):
    label = StringField(
        _l("Nome dell'edizione"), description=_l("Per esempio: «Edizione di primavera»."), validators=[Optional()]
    )
    starts_on = DateField(_l("Primo giorno"), invalid_value_message=NOT_A_DATE, validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("Ultimo giorno"), invalid_value_message=NOT_A_DATE, validators=[InputRequired(REQUIRED)])
    start_time = TimeField(_l("Ora di inizio"), invalid_value_message=NOT_A_TIME, validators=[Optional()])
    end_time = TimeField(_l("Ora di fine"), invalid_value_message=NOT_A_TIME, validators=[Optional()])
    place = StringField(_l("Luogo"), description=_l("Indirizzo o nome della sede."), validators=[Optional()])
    municipality_code = SelectField(_l("Comune"), validators=[Optional()])
    seats = IntegerField(
        _l("Posti"), default=1, invalid_value_message=NOT_A_NUMBER, validators=[InputRequired(REQUIRED)]
    )

    def __init__(self, *args: Any, municipalities: Sequence[Municipality] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipality_code.choices = municipality_choices(list(municipalities), blank=_l("Non indicato"))

    def values(self) -> dict[str, Any]:
        return {
            "label": (self.label.data or "").strip(),
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "start_time": self.start_time.data,
            "end_time": self.end_time.data,
            "place": (self.place.data or "").strip(),
            "municipality_code": self.municipality_code.data or None,
            "seats": self.seats.data,
        }


class ActionForm(FlaskForm):
    """A workflow button: only the CSRF token."""


class CloseForm(FlaskForm):
    reason = SelectField(
        _l("Motivo della chiusura"),
        choices=[(CloseReason.FILLED.value, _l("Posti esauriti")), (CloseReason.WITHDRAWN.value, _l("Ritirata"))],
        validators=[DataRequired(REQUIRED)],
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Motivo del rifiuto"),
        description=_l("Chi ha scritto l'opportunità lo leggerà per correggerla."),
        validators=[DataRequired(_l("Spiega il motivo del rifiuto.")), Length(max=2000)],
    )
