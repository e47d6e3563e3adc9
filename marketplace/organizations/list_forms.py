"""Forms of the company-database list: the filters (a GET form, state in the URL) and saved filters."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from marketplace.organizations.models import (
    HOSTING_SCHEME_LABELS,
    ORGANIZATION_KIND_LABELS,
    ORGANIZATION_STATUS_LABELS,
    SIZE_CLASS_LABELS,
)

MAX_QUERY_LENGTH = 200
MAX_PAGE = 500  # 20 per page: the search engine's 10,000 shallow results
MAX_RADIUS_KM = 100
MAX_MONTHS = 120
SORT_CHOICES = [
    ("relevance", _l("Pertinenza")),
    ("name", _l("Nome (A-Z)")),
    ("newest", _l("Inserite di recente")),
    ("last_contact", _l("Contatto meno recente")),
    ("closest", _l("Più vicine")),
]


class WholeNumberField(IntegerField):
    """An integer with an Italian message when the text is not one (wtforms' own reads badly)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or valuelist[0] in ("", None):
            return
        try:
            self.data = int(str(valuelist[0]).strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("Scrivi un numero intero, per esempio 10.")) from None


class ChoiceField(SelectField):
    """A select whose unknown values get an Italian message."""

    def pre_validate(self, form: Any) -> None:
        if self.data in ("", None):
            return
        if self.data not in {str(value) for value, _label in self.choices}:
            raise ValidationError(_l("Valore non riconosciuto: scegli dall'elenco."))


def _choices(labels: dict[Any, Any]) -> list[tuple[str, Any]]:
    return [(key.value, label) for key, label in labels.items()]


class OrganizationListForm(FlaskForm):
    """Every parameter of the list. A field with errors is reported and left out of the search."""

    class Meta:
        csrf = False  # a GET form: the state lives in the URL

    q = StringField(
        _l("Nome, P.IVA o codice fiscale"),
        validators=[Optional(), Length(max=MAX_QUERY_LENGTH, message=_l("Scrivi al massimo 200 caratteri."))],
    )
    district = ChoiceField(_l("Ambito"), validators=[Optional()])
    comune = ChoiceField(_l("Comune"), validators=[Optional()])
    km = WholeNumberField(
        _l("Entro km"),
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_RADIUS_KM, message=_l("Scegli una distanza tra 1 e 100 km.")),
        ],
    )
    ateco = ChoiceField(_l("Settore ATECO (sezione)"), validators=[Optional()])
    division = StringField(
        _l("Divisione ATECO"),
        description=_l("Le prime due cifre del codice, per esempio 56 per la ristorazione."),
        validators=[Optional(), Regexp(r"^\d{2}$", message=_l("Scrivi le due cifre della divisione, per esempio 56."))],
    )
    kind = SelectMultipleField(
        _l("Tipo di organizzazione"), choices=_choices(ORGANIZATION_KIND_LABELS), validate_choice=False
    )
    size = SelectMultipleField(_l("Dimensione"), choices=_choices(SIZE_CLASS_LABELS), validate_choice=False)
    status = SelectMultipleField(_l("Stato"), choices=_choices(ORGANIZATION_STATUS_LABELS), validate_choice=False)
    scheme = SelectMultipleField(
        _l("Disponibile a ospitare"), choices=_choices(HOSTING_SCHEME_LABELS), validate_choice=False
    )
    agreement = BooleanField(_l("Con convenzione valida oggi"))
    l68 = BooleanField(_l("Obbligate L. 68/99 con quota scoperta"))
    months = WholeNumberField(
        _l("Nessun contatto da almeno (mesi)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_MONTHS, message=_l("Scegli un numero di mesi tra 1 e 120.")),
        ],
    )
    archived = BooleanField(_l("Includi le organizzazioni archiviate"))
    sort = ChoiceField(_l("Ordina per"), choices=SORT_CHOICES, default="relevance", validators=[Optional()])
    page = WholeNumberField(
        _l("Pagina"),
        default=1,
        validators=[Optional(), NumberRange(min=1, max=MAX_PAGE, message=_l("Scegli una pagina tra 1 e 500."))],
    )

    def validate_kind(self, field: Field) -> None:
        _known_values(field, _l("Tipo di organizzazione non riconosciuto."))

    def validate_size(self, field: Field) -> None:
        _known_values(field, _l("Dimensione non riconosciuta."))

    def validate_status(self, field: Field) -> None:
        _known_values(field, _l("Stato non riconosciuto."))

    def validate_scheme(self, field: Field) -> None:
        _known_values(field, _l("Tipo di percorso non riconosciuto."))

    def validate_division(self, field: Field) -> None:
        divisions: dict[str, str] = getattr(self, "divisions", {})
        if not field.data:
            return
        if field.data not in divisions:
            raise ValidationError(_l("Questa divisione ATECO non esiste."))
        if self.ateco.data and not self.ateco.errors and divisions[field.data] != self.ateco.data:
            raise ValidationError(_l("Questa divisione non appartiene alla sezione ATECO scelta."))

    def valid(self, name: str) -> Any:
        """The field's value when it passed validation, else None (it is then ignored)."""
        field = self[name]
        return None if field.errors else field.data


def _known_values(field: Field, message: Any) -> None:
    known = {value for value, _label in field.choices}
    if any(value not in known for value in field.data or ()):
        raise ValidationError(message)


class SaveFilterForm(FlaskForm):
    name = StringField(
        _l("Nome del filtro"),
        validators=[
            DataRequired(message=_l("Dai un nome al filtro.")),
            Length(max=120, message=_l("Il nome può avere al massimo 120 caratteri.")),
        ],
    )
    # The list's query string when the form was shown; cleaned again before it is stored.
    query_string = HiddenField()


# A list's URL is far shorter; a longer one was not written by the list page.
MAX_EXPORT_QUERY = 4000
CHOOSE_A_FORMAT = _l("Scegli il formato dell'esportazione: CSV o Excel.")


class ExportRequestForm(FlaskForm):
    """Ask for a long list's export, written in the background; the button pressed says the format."""

    file_format = SelectField(
        choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")],
        validators=[InputRequired(message=CHOOSE_A_FORMAT)],
    )
    # The list's query string when the page was shown; cleaned again before it is used.
    query_string = HiddenField(
        validators=[Length(max=MAX_EXPORT_QUERY, message=_l("I filtri dell'elenco sono troppo lunghi da esportare."))]
    )

    def first_problem(self) -> str:
        # An unknown format gets WTForms' "not a valid choice"; saying what to choose helps more.
        return str(self.query_string.errors[0] if self.query_string.errors else CHOOSE_A_FORMAT)


class DeleteFilterForm(FlaskForm):
    """Only the CSRF token: deleting is a POST."""
