"""Forms of the API token pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from marketplace.api.tokens import NAME_MAX


class NewTokenForm(FlaskForm):
    name = StringField(
        _l("Nome del token"),
        description=_l("Per riconoscerlo nell'elenco: per esempio il sistema che lo userà."),
        validators=[
            DataRequired(_l("Campo obbligatorio.")),
            Length(max=NAME_MAX, message=_l("Al massimo %(max)d caratteri.", max=NAME_MAX)),
        ],
    )


class RevokeTokenForm(FlaskForm):
    """Only the CSRF token: revoking is a POST."""
