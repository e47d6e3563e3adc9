"""The merge confirmation form: one choice per conflicting field, and the versions seen."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField
from wtforms.validators import DataRequired

KEEP_SURVIVOR = "survivor"
KEEP_DUPLICATE = "duplicate"
FIELD_PREFIX = "keep_"

FIELD_LABELS = {
    "name": _l("Ragione sociale"),
    "kind": _l("Forma giuridica"),
    "status": _l("Stato"),
    "vat_number": _l("Partita IVA"),
    "tax_code": _l("Codice fiscale"),
    "ateco_code": _l("Codice ATECO"),
    "municipality_code": _l("Comune della sede legale"),
    "address": _l("Indirizzo"),
    "website": _l("Sito web"),
    "email": _l("Email"),
    "phone": _l("Telefono"),
    "description": _l("Descrizione"),
    "employees": _l("Addetti"),
    "quota_68_covered": _l("Quota L. 68/1999 coperta"),
}


class MergeForm(FlaskForm):
    # The versions the partner compared: a change in between makes the choices unreliable.
    survivor_version = HiddenField(validators=[DataRequired()])
    duplicate_version = HiddenField(validators=[DataRequired()])

    def versions(self) -> tuple[int, int] | None:
        try:
            return int(self.survivor_version.data), int(self.duplicate_version.data)
        except (TypeError, ValueError):
            return None

    def choices_from_duplicate(self, conflicts: list[str]) -> list[str]:
        return [name for name in conflicts if getattr(self, FIELD_PREFIX + name).data == KEEP_DUPLICATE]


def merge_form_class(conflicts: list[str]) -> type[MergeForm]:
    """A form class with a radio choice for each conflicting field (the survivor's by default)."""

    class _MergeForm(MergeForm):
        pass

    for name in conflicts:
        field = RadioField(
            FIELD_LABELS.get(name, name),
            choices=[(KEEP_SURVIVOR, KEEP_SURVIVOR), (KEEP_DUPLICATE, KEEP_DUPLICATE)],
            default=KEEP_SURVIVOR,
            validate_choice=True,
        )
        setattr(_MergeForm, FIELD_PREFIX + name, field)
    return _MergeForm


class DecisionForm(FlaskForm):
    """A "these are different" / "offer them again" button on the duplicates list: its CSRF token only."""
