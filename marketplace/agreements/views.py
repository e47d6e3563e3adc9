"""Agreements (convenzioni) of an organisation, their signed PDF, and the ones about to expire."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from marketplace.access import roles
from marketplace.accounts.models import Role
from marketplace.agreements import services
from marketplace.agreements.forms import AgreementForm
from marketplace.agreements.models import AGREEMENT_KIND_LABELS, Agreement
from marketplace.common.errors import or_404
from marketplace.common.uploads import StoredFileMissing, pdf_download
from marketplace.extensions import db
from marketplace.organizations import services as organizations
from marketplace.organizations.models import Organization

bp = Blueprint("agreements", __name__, url_prefix="/banca-dati")


def organization_record_url(organization_id: int) -> str:
    """The organisation's record in the company database, or its public page while there is none."""
    if "organizations.record" in current_app.view_functions:
        try:
            return url_for("organizations.record", organization_id=organization_id)
        except BuildError:
            pass  # a record page with other parameters: fall back rather than fail the page
    return url_for("organizations.page", organization_id=organization_id)


def frozen_reason(organization: Organization) -> str | None:
    """Why nothing new may be recorded on this organisation, if so: merged and archived records are read-only."""
    if organization.merged_into_id is not None:
        return _("Questa organizzazione è stata unita a un'altra: registra convenzioni e contatti su quella.")
    if organization.archived_at is not None:
        return _("Questa organizzazione è archiviata: ripristinala per aggiungere convenzioni o contatti.")
    return None


def _organization_or_404(organization_id: int) -> Organization:
    return or_404(organizations.get(organization_id))


def _agreement_or_404(agreement_id: int) -> Agreement:
    return or_404(services.get(agreement_id))


def _form(**kwargs) -> AgreementForm:
    # Only an admin chooses the promoter; a partner_admin's agreements are always their partner's.
    partners = services.partners() if current_user.role == Role.ADMIN else None
    max_mb = current_app.config["SETTINGS"].max_document_mb
    return AgreementForm(partners=partners, max_mb=max_mb, **kwargs)


def _checked_document(form: AgreementForm) -> tuple[bool, services.CheckedDocument | None]:
    """(ok, document): no file is fine; a bad file puts its Italian message on the field."""
    upload = form.document.data
    if upload is None or not getattr(upload, "filename", ""):
        return True, None
    try:
        return True, services.read_upload(upload.stream, upload.filename)
    except services.DocumentRejected as rejected:
        form.document.errors = [*form.document.errors, str(rejected)]
        return False, None


def _render_form(organization: Organization, form: AgreementForm, agreement: Agreement | None = None):
    return render_template(
        "agreements/form.html", organization=organization, form=form, agreement=agreement,
        back_url=organization_record_url(organization.id),
    )  # fmt: skip


@bp.route("/organizzazioni/<int:organization_id>/convenzioni")
@roles(Role.OPERATOR, Role.PARTNER_ADMIN)
def for_organization(organization_id: int):
    organization = _organization_or_404(organization_id)
    today = date.today()
    rows = [
        (agreement, services.state_of(agreement, today), services.can_edit(current_user, agreement))
        for agreement in services.for_organization(organization_id)
    ]
    return render_template(
        "agreements/for_organization.html", organization=organization, rows=rows,
        can_create=services.can_create(current_user), frozen=frozen_reason(organization),
        back_url=organization_record_url(organization_id),
        kind_labels=AGREEMENT_KIND_LABELS, state_labels=services.STATE_LABELS,
    )  # fmt: skip


@bp.route("/organizzazioni/<int:organization_id>/convenzioni/nuova", methods=["GET", "POST"])
@roles(Role.PARTNER_ADMIN)
def create(organization_id: int):
    organization = _organization_or_404(organization_id)
    if not services.can_create(current_user):
        abort(403)
    if (reason := frozen_reason(organization)) is not None:
        flash(reason, "warning")
        return redirect(url_for(".for_organization", organization_id=organization_id))
    form = _form()
    if form.validate_on_submit():
        ok, document = _checked_document(form)
        if ok:
            partner_id = form.partner_id.data if current_user.role == Role.ADMIN else current_user.partner_id
            services.create(organization_id, form.values(), partner_id=partner_id, author=current_user,
                            document=document)  # fmt: skip
            db.session.commit()
            flash(_("Convenzione salvata."), "success")
            return redirect(url_for(".for_organization", organization_id=organization_id))
    return _render_form(organization, form)


@bp.route("/convenzioni/<int:agreement_id>/modifica", methods=["GET", "POST"])
@roles(Role.PARTNER_ADMIN)
def edit(agreement_id: int):
    agreement = _agreement_or_404(agreement_id)
    if not services.can_edit(current_user, agreement):
        abort(403)
    if (reason := frozen_reason(agreement.organization)) is not None:
        flash(reason, "warning")
        return redirect(url_for(".for_organization", organization_id=agreement.organization_id))
    form = _form(obj=agreement)
    if form.validate_on_submit():
        ok, document = _checked_document(form)
        if ok:
            partner_id = form.partner_id.data if current_user.role == Role.ADMIN else None
            services.update(agreement, form.values(), partner_id=partner_id, document=document)
            db.session.commit()
            flash(_("Convenzione aggiornata."), "success")
            return redirect(url_for(".for_organization", organization_id=agreement.organization_id))
    return _render_form(agreement.organization, form, agreement)


@bp.route("/convenzioni/<int:agreement_id>/documento")
@roles(Role.OPERATOR, Role.PARTNER_ADMIN)
def document(agreement_id: int):
    agreement = _agreement_or_404(agreement_id)
    try:
        path = services.document_path(agreement)
    except StoredFileMissing:
        abort(404)
    return pdf_download(path, agreement.document_filename or f"convenzione-{agreement.id}.pdf")


@bp.route("/convenzioni/in-scadenza")
@roles(Role.PARTNER_ADMIN)
def expiring():
    is_admin = current_user.role == Role.ADMIN
    if is_admin or current_user.partner_id is not None:
        agreements = services.expiring(date.today(), None if is_admin else current_user.partner_id)
    else:
        agreements = []  # a partner_admin not attached to a partner owns no agreement
    return render_template(
        "agreements/expiring.html", agreements=agreements, all_partners=is_admin,
        kind_labels=AGREEMENT_KIND_LABELS, record_url=organization_record_url,
    )  # fmt: skip
