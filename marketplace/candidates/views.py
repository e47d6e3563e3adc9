"""Operator pages about people."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from marketplace.access import roles
from marketplace.accounts.models import Role
from marketplace.candidates import services
from marketplace.candidates.models import EDUCATION_LABELS

bp = Blueprint("candidates", __name__, url_prefix="/operatori")


@bp.route("/persone")
@roles(Role.OPERATOR, Role.PARTNER_ADMIN)
def people():
    page = request.args.get("pagina", 1, type=int) or 1
    page = max(1, min(page, 10_000))
    people, total = services.people_page(page)
    return render_template(
        "candidates/people.html", people=people, total=total, page=page,
        page_size=services.PAGE_SIZE, education_labels=EDUCATION_LABELS,
    )  # fmt: skip
