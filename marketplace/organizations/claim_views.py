"""Company users claim their organisation; partner staff verify the claims."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from marketplace.access import roles
from marketplace.accounts.models import Role
from marketplace.common.errors import or_404
from marketplace.extensions import db
from marketplace.organizations import claims, services
from marketplace.organizations.claim_forms import (
    ClaimForm,
    DecisionForm,
    OrganizationSearchForm,
    ProposalForm,
    RejectForm,
)
from marketplace.organizations.forms import municipality_choices
from marketplace.organizations.models import (
    CLAIM_STATUS_LABELS,
    ORGANIZATION_KIND_LABELS,
    ORGANIZATION_STATUS_LABELS,
    ClaimStatus,
)

bp = Blueprint("claims", __name__)


def _company_only():
    """Admins pass `@roles` everywhere, but only company accounts have an organisation to claim."""
    if current_user.role != Role.COMPANY:
        flash(_("Questa pagina serve agli account di aziende ed enti."), "info")
        return redirect(url_for("claims.queue"))
    return None


def _can_start_claim() -> bool:
    return current_user.organization_id is None and claims.pending_claim_of(current_user.id) is None


@bp.route("/la-mia-organizzazione")
@roles(Role.COMPANY)
def mine():
    if (elsewhere := _company_only()) is not None:
        return elsewhere
    form = OrganizationSearchForm(MultiDict(request.args))
    results = None
    if _can_start_claim() and request.args.get("q") is not None and form.validate():
        results = claims.search_organizations(form.q.data or "")
    organization = services.get(current_user.organization_id) if current_user.organization_id else None
    return render_template(
        "organizations/claims/mine.html", form=form, results=results, organization=organization,
        history=claims.claims_of(current_user.id), can_claim=_can_start_claim(),
        min_length=claims.NAME_SEARCH_MIN_LENGTH, limit=claims.NAME_SEARCH_LIMIT,
        kind_labels=ORGANIZATION_KIND_LABELS, status_labels=CLAIM_STATUS_LABELS, ClaimStatus=ClaimStatus,
    )  # fmt: skip


@bp.route("/la-mia-organizzazione/richiedi/<int:organization_id>", methods=["GET", "POST"])
@roles(Role.COMPANY)
def claim(organization_id: int):
    if (elsewhere := _company_only()) is not None:
        return elsewhere
    organization = services.get(organization_id)
    if organization is None or organization.is_archived:
        abort(404)
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            claims.claim(current_user, organization, form.message.data or "")
        except claims.ClaimRefused as refused:
            flash(str(refused.message), "danger")
        else:
            db.session.commit()
            flash(_("Richiesta inviata. Ti scriveremo appena sarà verificata."), "success")
        return redirect(url_for("claims.mine"))
    return render_template(
        "organizations/claims/claim.html", form=form, organization=organization,
        company_users=claims.company_user_count(organization.id), kind_labels=ORGANIZATION_KIND_LABELS,
    )  # fmt: skip


@bp.route("/la-mia-organizzazione/nuova", methods=["GET", "POST"])
@roles(Role.COMPANY)
def propose():
    if (elsewhere := _company_only()) is not None:
        return elsewhere
    form = ProposalForm()
    form.municipality_code.choices = municipality_choices(services.municipalities(), blank="—")
    taken = None
    if form.validate_on_submit():
        proposal = claims.Proposal(
            name=form.name.data, kind=form.kind.data, vat_number=form.vat_number.data or None,
            tax_code=form.tax_code.data or None, municipality_code=form.municipality_code.data,
        )  # fmt: skip
        try:
            claims.propose(current_user, proposal, form.message.data or "")
        except claims.IdentifierTaken as refused:
            taken = refused.organization
            field = form.vat_number if form.vat_number.data else form.tax_code
            field.errors.append(refused.message)
        except claims.ClaimRefused as refused:
            flash(str(refused.message), "danger")
            return redirect(url_for("claims.mine"))
        else:
            db.session.commit()
            flash(_("Organizzazione proposta e richiesta inviata. Ti scriveremo appena sarà verificata."), "success")
            return redirect(url_for("claims.mine"))
    return render_template("organizations/claims/propose.html", form=form, taken=taken)


# -- the verification queue ----------------------------------------------------------


@bp.route("/banca-dati/richieste")
@roles(Role.PARTNER_ADMIN)
def queue():
    pending = claims.pending_claims()
    decided = claims.recent_decisions()
    return render_template(
        "organizations/claims/queue.html", pending=pending, decided=decided,
        users=claims.users_by_id(pending + decided), status_labels=CLAIM_STATUS_LABELS,
        org_status_labels=ORGANIZATION_STATUS_LABELS, ClaimStatus=ClaimStatus,
    )  # fmt: skip


def _review_page(item, reject_form: RejectForm, status: int = 200):
    return render_template(
        "organizations/claims/review.html", claim=item, user=claims.users_by_id([item]).get(item.user_id),
        decider=claims.users_by_id([item]).get(item.decided_by_id), approve_form=DecisionForm(),
        reject_form=reject_form, company_users=claims.company_user_count(item.organization_id),
        other_claims=[c for c in claims.claims_of(item.user_id) if c.id != item.id],
        status_labels=CLAIM_STATUS_LABELS, kind_labels=ORGANIZATION_KIND_LABELS,
        org_status_labels=ORGANIZATION_STATUS_LABELS, ClaimStatus=ClaimStatus,
    ), status  # fmt: skip


@bp.route("/banca-dati/richieste/<int:claim_id>")
@roles(Role.PARTNER_ADMIN)
def review(claim_id: int):
    item = or_404(claims.get(claim_id))
    return _review_page(item, RejectForm(formdata=None))


@bp.route("/banca-dati/richieste/<int:claim_id>/approva", methods=["POST"])
@roles(Role.PARTNER_ADMIN)
def approve(claim_id: int):
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    item = or_404(claims.get_for_decision(claim_id))
    manage_url = url_for("organizations.manage", organization_id=item.organization_id, _external=True)
    try:
        claims.approve(item, current_user, manage_url)
    except claims.ClaimRefused as refused:
        db.session.rollback()
        flash(str(refused.message), "danger")
        return redirect(url_for("claims.review", claim_id=claim_id))
    db.session.commit()
    flash(claims.decision_message(ClaimStatus.APPROVED), "success")
    return redirect(url_for("claims.queue"))


@bp.route("/banca-dati/richieste/<int:claim_id>/respingi", methods=["POST"])
@roles(Role.PARTNER_ADMIN)
def reject(claim_id: int):
    form = RejectForm()
    item = or_404(claims.get_for_decision(claim_id))
    if item.status != ClaimStatus.PENDING:
        db.session.rollback()
        flash(_("Questa richiesta è già stata decisa: non è cambiato nulla."), "danger")
        return redirect(url_for("claims.review", claim_id=claim_id))
    if not form.validate_on_submit():
        db.session.rollback()
        return _review_page(item, form)
    try:
        archived = claims.reject(item, current_user, form.reason.data, url_for("claims.mine", _external=True))
    except claims.ClaimRefused as refused:
        db.session.rollback()
        flash(str(refused.message), "danger")
        return redirect(url_for("claims.review", claim_id=claim_id))
    db.session.commit()
    flash(claims.decision_message(ClaimStatus.REJECTED), "success")
    if archived:
        flash(_("L'organizzazione era stata proposta con questa richiesta e non ha altri dati: è stata archiviata "
                "(si può ripristinare dalla sua scheda)."), "info")  # fmt: skip
    return redirect(url_for("claims.queue"))
