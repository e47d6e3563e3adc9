"""Forms of the applications pages. The CV's content is checked by the service, not here."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from marketplace.applications import pipeline
from marketplace.applications.models import ApplicationStatus
from marketplace.applications.services import MESSAGE_MAX, NOTE_MAX

TOO_LONG = _l("Al massimo %(max)d caratteri.")


def _to_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ApplyForm(FlaskForm):
    message = TextAreaField(
        _l("Messaggio all'organizzazione"),
        description=_l("Facoltativo. Presentati in poche righe: perché ti interessa, quando sei disponibile."),
        validators=[Optional(), Length(max=MESSAGE_MAX, message=TOO_LONG)],
    )
    # Choices and validity are checked by hand: a tampered value gets an Italian message, not WTForms' own.
    edition_id = SelectField(_l("Edizione"), coerce=_to_int, validate_choice=False)
    cv = FileField(_l("Curriculum (PDF)"))

    def __init__(self, *args: Any, edition_choices: list[tuple[int, str]] | None = None, cv_max_mb: int = 5,
                 **kwargs: Any) -> None:  # fmt: skip
        """`edition_choices`: the editions with seats left; None removes the field (no editions to choose)."""
        super().__init__(*args, **kwargs)
        if edition_choices is None:
            del self.edition_id
        else:
            self.edition_id.choices = [("", _l("Scegli un'edizione")), *edition_choices]
        self.cv.description = _l("Facoltativo. Solo file PDF, al massimo %(mb)d MB.", mb=cv_max_mb)

    def validate_edition_id(self, field: SelectField) -> None:
        offered = {value for value, _label in field.choices if value != ""}
        if field.data is None:
            raise ValidationError(_l("Scegli l'edizione a cui iscriverti."))
        if field.data not in offered:
            raise ValidationError(_l("Questa edizione non è disponibile: scegline un'altra."))


class MoveForm(FlaskForm):
    to_status = SelectField(_l("Nuovo stato"), validate_choice=False)
    message = TextAreaField(
        _l("Messaggio per la persona candidata"),
        description=_l("Facoltativo. Le arriva per email insieme al nuovo stato e lo vede tra le sue candidature."),
        validators=[Optional(), Length(max=MESSAGE_MAX, message=TOO_LONG)],
    )
    version = HiddenField()

    def __init__(self, *args: Any, current: ApplicationStatus, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.to_status.choices = [
            (status.value, pipeline.MOVE_LABELS[status]) for status in pipeline.allowed_moves(current)
        ]

    def validate_to_status(self, field: SelectField) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Questo passaggio non è possibile dallo stato attuale della candidatura."))

    def target(self) -> ApplicationStatus:
        return ApplicationStatus(self.to_status.data)

    def expected_version(self) -> int | None:
        return _to_int(self.version.data)


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("Nuova nota"),
        description=_l("Visibile solo a chi gestisce le candidature, mai alla persona candidata."),
        validators=[DataRequired(_l("Scrivi il testo della nota.")), Length(max=NOTE_MAX, message=TOO_LONG)],
    )


class WithdrawForm(FlaskForm):
    version = HiddenField()

    def expected_version(self) -> int | None:
        return _to_int(self.version.data)


class PersonSearchForm(FlaskForm):
    """GET form an operator uses to find the person to apply for."""

    class Meta:
        csrf = False

    q = StringField(_l("Cerca la persona"), validators=[Optional(), Length(max=100)],
                    description=_l("Nome, cognome, email o codice fiscale."))  # fmt: skip
