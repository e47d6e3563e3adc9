"""Account forms. Messages are Italian msgids translated through Babel."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from marketplace.accounts.passwords import MAX_LENGTH, password_problem

REQUIRED = _l("Campo obbligatorio.")


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=MAX_LENGTH)])
    remember = BooleanField(_l("Ricordami su questo dispositivo"))


class _NewPasswordMixin:
    def validate_password(self, field) -> None:
        email = getattr(self, "email", None)
        full_name = getattr(self, "full_name", None)
        problem = password_problem(
            field.data or "",
            email=email.data or "" if email else "",
            full_name=full_name.data or "" if full_name else "",
        )
        if problem:
            raise ValidationError(problem)


ACCOUNT_TYPES = [
    ("candidate", _l("Sono una persona in cerca di opportunità")),
    ("company", _l("Rappresento un'azienda o un ente")),
]


class RegisterForm(_NewPasswordMixin, FlaskForm):
    # Without a choice (older links, scripts) the account is a candidate's, as it always was.
    account_type = RadioField(_l("Chi sei"), choices=ACCOUNT_TYPES, default="candidate", validate_choice=True)
    full_name = StringField(_l("Nome e cognome"), validators=[DataRequired(REQUIRED), Length(max=200)])
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(REQUIRED), Email(_l("Indirizzo email non valido.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        description=_l("Almeno 8 caratteri. Una frase lunga è più sicura e più facile da ricordare."),
        validators=[DataRequired(REQUIRED)],
    )
    confirm = PasswordField(
        _l("Ripeti la password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("Le due password non coincidono."))],
    )
    privacy = BooleanField(
        _l("Ho letto l'informativa sulla privacy e acconsento al trattamento dei miei dati"),
        validators=[DataRequired(_l("Per registrarti devi accettare l'informativa sulla privacy."))],
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(REQUIRED), Email(_l("Indirizzo email non valido.")), Length(max=254)],
    )


class ResetPasswordForm(_NewPasswordMixin, FlaskForm):
    password = PasswordField(_l("Nuova password"), validators=[DataRequired(REQUIRED)])
    confirm = PasswordField(
        _l("Ripeti la nuova password"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("Le due password non coincidono."))],
    )
