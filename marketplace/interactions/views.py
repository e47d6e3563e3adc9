"""Relationship history with an organisation, my follow-ups due, and placements."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.access import roles
from marketplace.accounts.models import Role
from marketplace.agreements.views import frozen_reason, organization_record_url
from marketplace.common.errors import or_404
from marketplace.extensions import db
from marketplace.interactions import services
from marketplace.interactions.forms import FollowUpDoneForm, InteractionForm
from marketplace.interactions.models import INTERACTION_KIND_LABELS, INTERACTION_OUTCOME_LABELS
from marketplace.opportunities.models import OPPORTUNITY_KIND_LABELS
from marketplace.organizations import services as organizations
from marketplace.organizations.models import Organization

bp = Blueprint("interactions", __name__, url_prefix="/banca-dati")


def _organization_or_404(organization_id: int) -> Organization:
    return or_404(organizations.get(organization_id))


@bp.route("/organizzazioni/<int:organization_id>/relazioni", methods=["GET", "POST"])
@roles(Role.OPERATOR, Role.PARTNER_ADMIN)
def for_organization(organization_id: int):
    organization = _organization_or_404(organization_id)
    frozen = frozen_reason(organization)
    if frozen is not None and request.method == "POST":
        flash(frozen, "warning")
        return redirect(url_for(".for_organization", organization_id=organization_id))
    form = InteractionForm(contacts=services.contacts_of(organization_id))
    if form.validate_on_submit():
        services.log(organization, form.values(), author=current_user)
        db.session.commit()
        flash(_("Contatto registrato."), "success")
        return redirect(url_for(".for_organization", organization_id=organization_id))
    interactions = services.history(organization_id)
    today = date.today()
    # Rows written before this page existed (imports, demo data) may carry either date alone.
    known = [organization.last_contact_on, interactions[0].occurred_on if interactions else None]
    last_contact = max((day for day in known if day is not None), default=None)
    return render_template(
        "interactions/for_organization.html", organization=organization, form=form, interactions=interactions,
        back_url=organization_record_url(organization_id), today=today, last_contact=last_contact, frozen=frozen,
        can_complete={i.id: services.can_complete(current_user, i) for i in interactions},
        is_open=services.is_open_follow_up, is_overdue=services.is_overdue,
        kind_labels=INTERACTION_KIND_LABELS, outcome_labels=INTERACTION_OUTCOME_LABELS,
    )  # fmt: skip


@bp.route("/scadenze")
@roles(Role.OPERATOR, Role.PARTNER_ADMIN)
def my_follow_ups():
    return render_template(
        "interactions/my_follow_ups.html", follow_ups=services.open_follow_ups(current_user.id), today=date.today(),
        kind_labels=INTERACTION_KIND_LABELS,
    )  # fmt: skip


@bp.route("/scadenze/<int:interaction_id>/fatto", methods=["POST"])
@roles(Role.OPERATOR, Role.PARTNER_ADMIN)
def complete_follow_up(interaction_id: int):
    interaction = or_404(services.get(interaction_id))
    if not services.can_complete(current_user, interaction):
        abort(403)
    form = FollowUpDoneForm()
    if not form.validate_on_submit():
        abort(400)  # only a missing or stale CSRF token gets here
    if services.mark_done(interaction):
        db.session.commit()
        flash(_("Prossimo passo segnato come fatto."), "success")
    # Back to the page the button was on: the organisation's history, or the list of follow-ups.
    if request.args.get("da") == "relazioni":
        return redirect(url_for(".for_organization", organization_id=interaction.organization_id))
    return redirect(url_for(".my_follow_ups"))


@bp.route("/organizzazioni/<int:organization_id>/inserimenti")
@roles(Role.OPERATOR, Role.PARTNER_ADMIN)
def placements(organization_id: int):
    # Staff only (the roles above): the page names the people placed, which is personal data.
    organization = _organization_or_404(organization_id)
    return render_template(
        "interactions/placements.html", organization=organization, placements=services.placements(organization_id),
        back_url=organization_record_url(organization_id), kind_labels=OPPORTUNITY_KIND_LABELS,
    )  # fmt: skip
