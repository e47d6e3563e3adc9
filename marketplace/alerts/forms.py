"""Forms of saved searches: saving one from the search page, changing how often, deleting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from marketplace.alerts.models import ALERT_FREQUENCY_LABELS, AlertFrequency
from marketplace.alerts.services import MAX_NAME_LENGTH

FREQUENCY_CHOICES = [(frequency.value, label) for frequency, label in ALERT_FREQUENCY_LABELS.items()]
FREQUENCY_REQUIRED = _l("Scegli ogni quanto ricevere l'avviso.")


class SaveSearchForm(FlaskForm):
    # Ids are prefixed: the form sits inside the search page, next to its own fields.
    query_string = HiddenField(id="alert-query-string")
    name = StringField(
        _l("Nome dell'avviso"),
        id="alert-name",
        description=_l("Facoltativo: se lo lasci vuoto usiamo una descrizione della ricerca."),
        validators=[
            Optional(),
            Length(max=MAX_NAME_LENGTH, message=_l("Scrivi al massimo %(max)d caratteri.", max=MAX_NAME_LENGTH)),
        ],
    )
    frequency = RadioField(
        _l("Ricevi le novità"),
        id="alert-frequency",
        choices=FREQUENCY_CHOICES,
        default=AlertFrequency.WEEKLY.value,
        validators=[InputRequired(message=FREQUENCY_REQUIRED)],
    )
    # Network staff only: whom the alert is for (empty: themselves). Choices come from the view.
    person_id = SelectField(
        _l("Per chi"), id="alert-person", choices=[], validate_choice=False, validators=[Optional()]
    )


class FrequencyForm(FlaskForm):
    frequency = SelectField(
        _l("Frequenza"), choices=FREQUENCY_CHOICES, validators=[InputRequired(message=FREQUENCY_REQUIRED)]
    )


class ConfirmForm(FlaskForm):
    """A button that changes something (delete, reactivate): the CSRF token is its only field."""


class UnsubscribeForm(FlaskForm):
    """The button on the unsubscribe page. The token in the URL is the credential: no session needed,
    so the link works from any device and after any time."""

    class Meta:
        csrf = False
