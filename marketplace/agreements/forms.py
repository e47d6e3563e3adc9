"""The agreement form. The document's content is checked by the service, not here."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from marketplace.accounts.models import Partner
from marketplace.agreements.models import AGREEMENT_KIND_LABELS, AGREEMENT_STATUS_LABELS, AgreementKind, AgreementStatus

REQUIRED = _l("Campo obbligatorio.")


class AgreementForm(FlaskForm):
    partner_id = SelectField(_l("Ente promotore"), coerce=int, validators=[DataRequired(REQUIRED)])
    kind = SelectField(
        _l("Tipo di convenzione"),
        choices=[(kind.value, label) for kind, label in AGREEMENT_KIND_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    reference = StringField(
        _l("Numero di protocollo"),
        description=_l("Facoltativo."),
        validators=[Optional(), Length(max=80, message=_l("Al massimo 80 caratteri."))],
    )
    # InputRequired, not DataRequired: a mistyped date keeps its own "not a valid date" message.
    valid_from = DateField(_l("Valida dal"), validators=[InputRequired(REQUIRED)])
    valid_to = DateField(_l("Valida fino al"), validators=[InputRequired(REQUIRED)])
    status = SelectField(
        _l("Stato"),
        choices=[(status.value, label) for status, label in AGREEMENT_STATUS_LABELS.items()],
        default=AgreementStatus.DRAFT.value,
        validators=[DataRequired(REQUIRED)],
    )
    document = FileField(_l("Convenzione firmata (PDF)"))

    def __init__(self, *args: Any, partners: list[Partner] | None = None, max_mb: int = 5, **kwargs: Any) -> None:
        """`partners`: the choice an admin has; None removes the field (a partner_admin promotes for their own)."""
        super().__init__(*args, **kwargs)
        if partners is None:
            del self.partner_id
        else:
            self.partner_id.choices = [(partner.id, partner.name) for partner in partners]
        self.document.description = _l("Solo file PDF, al massimo %(mb)d MB.", mb=max_mb)

    def validate_valid_to(self, field: DateField) -> None:
        start = self.valid_from.data
        if start is not None and field.data is not None and field.data <= start:
            raise ValidationError(_l("La data di fine deve essere successiva alla data di inizio."))

    def values(self) -> dict[str, Any]:
        return {
            "kind": AgreementKind(self.kind.data),
            "status": AgreementStatus(self.status.data),
            "reference": (self.reference.data or "").strip() or None,
            "valid_from": self.valid_from.data,
            "valid_to": self.valid_to.data,
        }
