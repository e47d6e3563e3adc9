"""Public organisation pages and the organisation's own management page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from marketplace.access import can_manage_organization, public, roles
from marketplace.accounts.models import Role
from marketplace.opportunities.models import OPPORTUNITY_KIND_LABELS
from marketplace.organizations import services
from marketplace.organizations.models import ORGANIZATION_KIND_LABELS

bp = Blueprint("organizations", __name__, url_prefix="/organizzazioni")


@bp.route("/<int:organization_id>")
@public
def page(organization_id: int):
    organization = services.get(organization_id)
    if organization is None:
        abort(404)
    return render_template(
        "organizations/page.html", organization=organization,
        opportunities=services.published_opportunities(organization_id),
        kind_labels=ORGANIZATION_KIND_LABELS, opportunity_kind_labels=OPPORTUNITY_KIND_LABELS,
    )  # fmt: skip


@bp.route("/<int:organization_id>/gestione")
@roles(Role.COMPANY, Role.PARTNER_ADMIN)
def manage(organization_id: int):
    organization = services.get(organization_id)
    if organization is None:
        abort(404)
    if not can_manage_organization(current_user, organization_id):
        abort(403)
    return render_template(
        "organizations/manage.html", organization=organization,
        opportunities=services.all_opportunities(organization_id),
        opportunity_kind_labels=OPPORTUNITY_KIND_LABELS,
    )  # fmt: skip
