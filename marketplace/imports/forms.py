"""Import forms: the upload, and the column mapping built from the file's own headers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField

from marketplace.imports import rows
from marketplace.imports.reading import FORMATS, column_letter

FIELD_PREFIX = "col_"

FIELD_HELP = {
    "name": _l("Obbligatoria."),
    "vat_number": _l("Serve la partita IVA o il codice fiscale (almeno uno)."),
    "tax_code": _l("Serve la partita IVA o il codice fiscale (almeno uno)."),
    "municipality": _l("Serve il comune o il codice ISTAT (almeno uno)."),
    "municipality_code": _l("Serve il comune o il codice ISTAT (almeno uno)."),
}


class UploadForm(FlaskForm):
    file = FileField(
        _l("File da importare"),
        validators=[
            FileRequired(_l("Scegli il file da caricare.")),
            FileAllowed(list(FORMATS), _l("Sono accettati solo file CSV (.csv) o Excel (.xlsx).")),
        ],
    )


def mapping_form(headers: list[str]) -> type[FlaskForm]:
    """A form with one select per target field, offering every column of the file."""
    choices = [("", _l("— non importare —"))]
    choices += [(str(index), f"{column_letter(index)} · {header}") for index, header in enumerate(headers)]
    attributes = {
        FIELD_PREFIX + target.key: SelectField(
            target.label,
            choices=choices,
            default="",
            description=FIELD_HELP.get(target.key),
            # Any value is accepted here and checked by the service, which explains in Italian.
            validate_choice=False,
        )
        for target in rows.FIELDS
    }
    return type("MappingForm", (FlaskForm,), attributes)


def form_data(mapping: dict[str, int]) -> dict[str, str]:
    return {FIELD_PREFIX + key: str(column) for key, column in mapping.items()}


def mapping_of(form: FlaskForm) -> dict[str, int]:
    """field -> column index from the submitted selects; anything but a column number means "not imported"."""
    mapping = {}
    for target in rows.FIELDS:
        value = (getattr(form, FIELD_PREFIX + target.key).data or "").strip()
        if value.isdigit():
            mapping[target.key] = int(value)
    return mapping


def mapping_fields(form: FlaskForm) -> list:
    return [getattr(form, FIELD_PREFIX + target.key) for target in rows.FIELDS]
