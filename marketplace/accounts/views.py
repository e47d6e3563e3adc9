"""Sign up, sign in, sign out, password reset, the personal dashboard."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from marketplace.access import public, signed_in
from marketplace.accounts import services, throttle
from marketplace.accounts.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from marketplace.accounts.models import ROLE_LABELS, Role
from marketplace.common.urls import local_path
from marketplace.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    return local_path(target) or url_for("accounts.dashboard")


@bp.route("/accedi", methods=["GET", "POST"])
@limiter.limit(throttle.ip_limit, key_func=throttle.ip_key, methods=["POST"])
@limiter.limit(throttle.account_limit, key_func=throttle.account_key, methods=["POST"], deduct_when=throttle.failed)
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            db.session.commit()
            response = redirect(_safe_next(request.args.get("next")))
            throttle.remember_device(response, user.email)
            return response
        throttle.mark_failed()
        flash(_("Email o password non corretti."), "danger")
    return render_template("accounts/login.html", form=form)


@bp.route("/esci", methods=["POST"])
@public
def logout():
    logout_user()
    flash(_("Sei uscito dal tuo account."), "info")
    return redirect(url_for("core.home"))


@bp.route("/registrati", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.dashboard"))
    form = RegisterForm()
    if request.method == "GET" and request.args.get("tipo") == "azienda":
        form.account_type.data = "company"  # links meant for companies preselect their choice
    if form.validate_on_submit():
        role = Role.COMPANY if form.account_type.data == "company" else Role.CANDIDATE
        try:
            user = services.create_user(form.email.data, form.password.data, form.full_name.data, role)
        except services.EmailTaken:
            form.email.errors.append(
                _("Esiste già un account con questa email. Puoi accedere o reimpostare la password.")
            )
        else:
            db.session.commit()
            login_user(user)
            flash(_("Benvenuto/a! Il tuo account è stato creato."), "success")
            if role == Role.COMPANY:
                # A company account is useful only once linked: start with finding the organisation.
                return redirect(url_for("claims.mine"))
            return redirect(url_for("accounts.dashboard"))
    return render_template("accounts/register.html", form=form)


@bp.route("/password-dimenticata", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(
            form.email.data, lambda token: url_for("accounts.reset_password", token=token, _external=True)
        )
        db.session.commit()
        flash(
            _("Se l'indirizzo è registrato, riceverai a breve un'email con il link per reimpostare la password."),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reimposta-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        flash(_("Il link non è valido o è scaduto. Richiedine uno nuovo."), "danger")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        db.session.commit()
        logout_user()
        flash(_("Password aggiornata. Ora puoi accedere."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/area-personale")
@signed_in
def dashboard():
    return render_template("accounts/dashboard.html", role_label=ROLE_LABELS[current_user.role])
