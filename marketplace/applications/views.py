"""Applications: the candidate applies and follows their applications; the organisation moves its applicants."""

from __future__ import annotations

from flask import Blueprint, abort

from marketplace.access import roles, signed_in
from marketplace.accounts.models import Role

bp = Blueprint("applications", __name__)


@bp.route("/opportunita/<int:opportunity_id>/candidatura", methods=["GET", "POST"])
@signed_in
def apply(opportunity_id: int):
    abort(404)


@bp.route("/candidature/")
@signed_in
def mine():
    abort(404)


@bp.route("/gestione/opportunita/<int:opportunity_id>/candidati")
@roles(Role.COMPANY, Role.OPERATOR, Role.PARTNER_ADMIN)
def pipeline(opportunity_id: int):
    abort(404)


@bp.route("/gestione/candidature/<int:application_id>", methods=["GET", "POST"])
@roles(Role.COMPANY, Role.OPERATOR, Role.PARTNER_ADMIN)
def manage(application_id: int):
    abort(404)


@bp.route("/gestione/candidature/<int:application_id>/cv")
@signed_in
def cv(application_id: int):
    abort(404)
