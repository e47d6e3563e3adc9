"""The public search form: every parameter validated, so no input can break the query."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import NumberRange, Optional, ValidationError

from marketplace.opportunities.models import OPPORTUNITY_KIND_LABELS

SORT_CHOICES = [
    ("relevance", _l("Pertinenza")),
    ("newest", _l("Più recenti")),
    ("deadline", _l("Scadenza più vicina")),
    ("closest", _l("Più vicine")),
]
TRISTATE = [("", _l("Indifferente")), ("1", _l("Sì")), ("0", _l("No"))]


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form: the state lives in the URL

    q = StringField(_l("Cosa cerchi"), validators=[Optional()])
    kind = SelectMultipleField(
        _l("Tipo di opportunità"),
        choices=[(k.value, label) for k, label in OPPORTUNITY_KIND_LABELS.items()],
        validators=[Optional()],
    )
    district = StringField(_l("Ambito"), validators=[Optional()])
    comune = SelectField(_l("Comune"), validators=[Optional()], validate_choice=True)
    km = IntegerField(_l("Entro km"), validators=[Optional(), NumberRange(min=1, max=100)])
    paid = SelectField(_l("Con indennità"), choices=TRISTATE, validators=[Optional()])
    minors = SelectField(_l("Aperta a minorenni"), choices=TRISTATE, validators=[Optional()])
    sort = SelectField(_l("Ordina per"), choices=SORT_CHOICES, default="relevance", validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=500)], default=1)

    def validate_kind(self, field: SelectMultipleField) -> None:
        known = {value for value, _label in field.choices}
        if any(value not in known for value in field.data or ()):
            raise ValidationError(_l("Tipo di opportunità non riconosciuto."))
