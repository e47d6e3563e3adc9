"""Pages where partner_admins create and revoke their partner's API tokens (admins see all)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.access import roles
from marketplace.accounts.models import Role
from marketplace.api import tokens
from marketplace.api.forms import NewTokenForm, RevokeTokenForm
from marketplace.common.errors import or_404
from marketplace.extensions import db

bp = Blueprint("api_tokens", __name__, url_prefix="/gestione/token-api")


def _index(form: NewTokenForm, status: int = 200):
    page = render_template(
        "api_tokens/index.html", tokens=tokens.visible_to(current_user), form=form,
        can_create=tokens.can_create(current_user),
        show_partner=current_user.role == Role.ADMIN,
    )  # fmt: skip
    return page, status


@bp.route("/")
@roles(Role.PARTNER_ADMIN)
def index():
    return _index(NewTokenForm())


@bp.route("/nuovo", methods=["POST"])
@roles(Role.PARTNER_ADMIN)
def create():
    if not tokens.can_create(current_user):
        abort(403)
    form = NewTokenForm()
    if not form.validate_on_submit():
        return _index(form, 422)
    created = tokens.create(partner_id=current_user.partner_id, name=form.name.data, created_by=current_user)
    db.session.commit()
    # Shown on this response only (never flashed into the session cookie) and never cached.
    response = render_template("api_tokens/created.html", token=created.token, secret=created.secret)
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/<int:token_id>/revoca", methods=["POST"])
@roles(Role.PARTNER_ADMIN)
def revoke(token_id: int):
    token = or_404(tokens.get(token_id))
    if not tokens.can_manage(current_user, token):
        abort(403)
    if not RevokeTokenForm().validate_on_submit():
        abort(400)  # only a missing or stale CSRF token gets here
    if tokens.revoke(token, actor=current_user):
        db.session.commit()
        flash(_("Token «%(name)s» revocato: da adesso non funziona più.", name=token.name), "success")
    else:
        flash(_("Il token «%(name)s» era già revocato.", name=token.name), "info")
    return redirect(url_for(".index"))
