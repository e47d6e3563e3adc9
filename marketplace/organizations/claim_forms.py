"""Forms of the claim flow: search, claim, propose a new organisation, decide."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from marketplace.common import identifiers
from marketplace.organizations.models import ORGANIZATION_KIND_LABELS

REQUIRED = _l("Campo obbligatorio.")
MESSAGE_MAX = 2000


class OrganizationSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search: the state lives in the URL

    q = StringField(
        _l("Partita IVA, codice fiscale o nome dell'organizzazione"),
        description=_l(
            "Con la partita IVA o il codice fiscale la trovi con certezza; per nome servono almeno 3 lettere."
        ),
        validators=[Optional(), Length(max=200, message=_l("Al massimo 200 caratteri."))],
    )


class ClaimForm(FlaskForm):
    message = TextAreaField(
        _l("Messaggio per chi verifica la richiesta"),
        description=_l("Per esempio il tuo ruolo nell'organizzazione e un recapito per la verifica."),
        validators=[Optional(), Length(max=MESSAGE_MAX, message=_l("Al massimo 2000 caratteri."))],
    )


def _identifier_check(parse):
    def check(form, field) -> None:
        if not field.data:
            field.data = None
            return
        try:
            field.data = parse(field.data)
        except identifiers.InvalidIdentifier as error:
            raise ValidationError(error.message) from None

    return check


class ProposalForm(ClaimForm):
    name = StringField(
        _l("Ragione sociale"),
        validators=[DataRequired(REQUIRED), Length(max=250, message=_l("Al massimo 250 caratteri."))],
    )
    kind = SelectField(
        _l("Forma giuridica"),
        choices=[("", "—")] + [(kind.value, label) for kind, label in ORGANIZATION_KIND_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    vat_number = StringField(
        _l("Partita IVA"),
        description=_l("11 cifre. Indica almeno la partita IVA o il codice fiscale."),
        validators=[Optional(), Length(max=20, message=_l("Partita IVA non valida: controlla le 11 cifre.")),
                    _identifier_check(identifiers.vat_number)],
    )  # fmt: skip
    tax_code = StringField(
        _l("Codice fiscale"),
        description=_l("Il codice fiscale dell'organizzazione (spesso coincide con la partita IVA)."),
        validators=[Optional(), Length(max=20, message=_l("Codice fiscale non valido.")),
                    _identifier_check(identifiers.tax_code)],
    )  # fmt: skip
    municipality_code = SelectField(_l("Comune della sede legale"), validators=[DataRequired(REQUIRED)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not (self.vat_number.data or self.tax_code.data):
            self.vat_number.errors.append(_l("Indica la partita IVA o il codice fiscale dell'organizzazione."))
            return False
        return valid


class DecisionForm(FlaskForm):
    """Approving needs nothing but the CSRF token; rejecting needs a reason."""


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Motivo"),
        description=_l("La persona che ha fatto la richiesta lo riceverà per email."),
        validators=[DataRequired(_l("Scrivi il motivo del rifiuto.")),
                    Length(max=MESSAGE_MAX, message=_l("Al massimo 2000 caratteri."))],
    )  # fmt: skip
