"""The form to log an interaction with an organisation, and the one-button follow-up form."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from marketplace.interactions.models import (
    INTERACTION_KIND_LABELS,
    INTERACTION_OUTCOME_LABELS,
    InteractionKind,
    InteractionOutcome,
)
from marketplace.organizations.models import Contact

REQUIRED = _l("Campo obbligatorio.")


class InteractionForm(FlaskForm):
    kind = SelectField(
        _l("Tipo di contatto"),
        choices=[(kind.value, label) for kind, label in INTERACTION_KIND_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    # InputRequired, not DataRequired: a mistyped date keeps its own "not a valid date" message.
    occurred_on = DateField(_l("Data"), default=date.today, validators=[InputRequired(REQUIRED)])
    contact_id = SelectField(_l("Referente"), choices=[], validate_choice=True)
    summary = TextAreaField(
        _l("Com'è andata"),
        validators=[DataRequired(REQUIRED), Length(max=5000, message=_l("Al massimo 5000 caratteri."))],
    )
    outcome = SelectField(
        _l("Esito"),
        choices=[(outcome.value, label) for outcome, label in INTERACTION_OUTCOME_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    next_step = TextAreaField(
        _l("Prossimo passo"),
        description=_l("Facoltativo. Se lo indichi, scrivi anche entro quando: lo ritroverai nelle tue scadenze."),
        validators=[Optional(), Length(max=1000, message=_l("Al massimo 1000 caratteri."))],
    )
    next_step_on = DateField(_l("Entro il"), validators=[Optional()])

    def __init__(self, *args: Any, contacts: list[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contact_id.choices = [("", _l("Nessun referente in particolare"))] + [
            (str(contact.id), contact.full_name + (f" ({contact.job_title})" if contact.job_title else ""))
            for contact in contacts
        ]

    def validate_occurred_on(self, field: DateField) -> None:
        if field.data is not None and field.data > date.today():
            raise ValidationError(_l("La data non può essere nel futuro: registra i contatti già avvenuti."))

    def validate_next_step_on(self, field: DateField) -> None:
        if field.data is not None and field.data < date.today():
            raise ValidationError(_l("La data del prossimo passo non può essere nel passato."))
        if field.data is not None and not (self.next_step.data or "").strip():
            raise ValidationError(_l("Scrivi anche qual è il prossimo passo."))

    def validate_next_step(self, field: TextAreaField) -> None:
        date_typed = any(self.next_step_on.raw_data or [""])  # a mistyped date gets its own message
        if (field.data or "").strip() and not date_typed:
            raise ValidationError(_l("Indica entro quando fare il prossimo passo."))

    def values(self) -> dict[str, Any]:
        next_step = (self.next_step.data or "").strip() or None
        return {
            "kind": InteractionKind(self.kind.data),
            "occurred_on": self.occurred_on.data,
            "contact_id": int(self.contact_id.data) if self.contact_id.data else None,
            "summary": self.summary.data.strip(),
            "outcome": InteractionOutcome(self.outcome.data),
            "next_step": next_step,
            "next_step_on": self.next_step_on.data if next_step else None,
        }


class FollowUpDoneForm(FlaskForm):
    """Only the CSRF token: marking a follow-up done is a POST."""
