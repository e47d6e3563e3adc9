"""Organisation pages: the public page, the company's own management, and the staff record.

Staff pages live under /banca-dati/organizzazioni/<id>: operators read, partner_admins and
admins edit. A company user edits its own public data and sites under /organizzazioni/<id>/gestione.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from marketplace.access import (
    can_delete_note,
    can_edit_public_data,
    can_edit_record,
    can_manage_organization,
    can_write_notes,
    note_partner_scope,
    public,
    roles,
)
from marketplace.accounts.models import Role
from marketplace.common.errors import or_404
from marketplace.extensions import db
from marketplace.opportunities.models import OPPORTUNITY_KIND_LABELS
from marketplace.organizations import history, merge, services
from marketplace.organizations.forms import (
    ActionForm,
    CompanyProfileForm,
    ContactForm,
    InclusionProfileForm,
    NoteForm,
    OrganizationForm,
    SiteForm,
    language_choices,
    municipality_choices,
)
from marketplace.organizations.models import (
    CONTACT_CHANNEL_LABELS,
    HOSTING_SCHEME_LABELS,
    ORGANIZATION_KIND_LABELS,
    ORGANIZATION_STATUS_LABELS,
    PREMISES_ACCESS_LABELS,
    SIZE_CLASS_LABELS,
    Organization,
)

bp = Blueprint("organizations", __name__)

STAFF = (Role.OPERATOR, Role.PARTNER_ADMIN)
EDITORS = (Role.PARTNER_ADMIN,)
LABELS = {
    "kind_labels": ORGANIZATION_KIND_LABELS,
    "status_labels": ORGANIZATION_STATUS_LABELS,
    "size_labels": SIZE_CLASS_LABELS,
    "channel_labels": CONTACT_CHANNEL_LABELS,
    "scheme_labels": HOSTING_SCHEME_LABELS,
    "premises_labels": PREMISES_ACCESS_LABELS,
}


@bp.app_context_processor
def _record_nav_context() -> dict[str, Any]:
    # The record's tabs show only pages that exist in this installation.
    return {"view_endpoints": current_app.view_functions}


def _organization_or_404(organization_id: int) -> Organization:
    return or_404(services.get_for_record(organization_id))


def _record_url(organization: Organization) -> str:
    return url_for("organizations.record", organization_id=organization.id)


def _refuse_if_frozen(organization: Organization, back: str) -> Any:
    """Archived or merged records are read-only until restored: edits would go unseen."""
    if organization.merged_into_id is not None:
        flash(_("Questa organizzazione è stata unita a un'altra: modifica quella."), "warning")
        return redirect(back)
    if organization.is_archived:
        flash(_("Questa organizzazione è archiviata: ripristinala per modificarla."), "warning")
        return redirect(back)
    return None


def _page_number() -> int:
    page = request.args.get("pagina", 1, type=int) or 1
    return max(1, min(page, 100_000))


# -- public page and the company's own management ------------------------------------------


@bp.route("/organizzazioni/<int:organization_id>")
@public
def page(organization_id: int):
    organization = or_404(services.get_for_record(organization_id))
    if organization.merged_into_id is not None:
        # A merged duplicate lives on in the organisation it was merged into (possibly through a chain).
        survivor_id = merge.resolve(organization_id)
        if survivor_id is not None and survivor_id != organization_id:
            return redirect(url_for("organizations.page", organization_id=survivor_id), 301)
    if organization.is_archived:
        abort(404)
    comuni = sorted({site.municipality.name for site in organization.sites if site.municipality})
    return render_template(
        "organizations/page.html", organization=organization, site_comuni=comuni,
        opportunities=services.published_opportunities(organization_id),
        opportunity_kind_labels=OPPORTUNITY_KIND_LABELS, **LABELS,
    )  # fmt: skip


@bp.route("/organizzazioni/<int:organization_id>/gestione")
@roles(Role.COMPANY, Role.PARTNER_ADMIN)
def manage(organization_id: int):
    organization = _organization_or_404(organization_id)
    if not can_manage_organization(current_user, organization_id):
        abort(403)
    return render_template(
        "organizations/manage.html", organization=organization, action_form=ActionForm(),
        opportunities=services.all_opportunities(organization_id),
        opportunity_kind_labels=OPPORTUNITY_KIND_LABELS, **LABELS,
    )  # fmt: skip


def _own_organization(organization_id: int) -> Organization:
    organization = _organization_or_404(organization_id)
    if not can_edit_public_data(current_user, organization):
        abort(403)
    return organization


@bp.route("/organizzazioni/<int:organization_id>/gestione/dati", methods=["GET", "POST"])
@roles(Role.COMPANY, Role.PARTNER_ADMIN)
def company_edit(organization_id: int):
    organization = _own_organization(organization_id)
    back = url_for("organizations.manage", organization_id=organization_id)
    if (refused := _refuse_if_frozen(organization, back)) is not None:
        return refused
    form = CompanyProfileForm()
    form.municipality_code.choices = municipality_choices(services.municipalities(), blank=_("Non indicato"))
    if not form.is_submitted():
        form.load(organization)
    elif form.validate() and _save_record(organization, form):
        flash(_("Dati dell'organizzazione salvati."), "success")
        return redirect(back)
    return render_template("organizations/company_edit.html", organization=organization, form=form)


@bp.route("/organizzazioni/<int:organization_id>/gestione/sedi/nuova", methods=["GET", "POST"])
@roles(Role.COMPANY, Role.PARTNER_ADMIN)
def company_site_new(organization_id: int):
    organization = _own_organization(organization_id)
    return _site_form(organization, None, url_for("organizations.manage", organization_id=organization_id), True)


@bp.route("/organizzazioni/<int:organization_id>/gestione/sedi/<int:site_id>", methods=["GET", "POST"])
@roles(Role.COMPANY, Role.PARTNER_ADMIN)
def company_site_edit(organization_id: int, site_id: int):
    organization = _own_organization(organization_id)
    site = services.site_of(organization, site_id) or abort(404)
    return _site_form(organization, site, url_for("organizations.manage", organization_id=organization_id), True)


@bp.route("/organizzazioni/<int:organization_id>/gestione/sedi/<int:site_id>/elimina", methods=["POST"])
@roles(Role.COMPANY, Role.PARTNER_ADMIN)
def company_site_delete(organization_id: int, site_id: int):
    organization = _own_organization(organization_id)
    return _delete_site(organization, site_id, url_for("organizations.manage", organization_id=organization_id))


# -- the staff record ----------------------------------------------------------------------


@bp.route("/banca-dati/organizzazioni/<int:organization_id>")
@roles(*STAFF)
def record(organization_id: int):
    organization = _organization_or_404(organization_id)
    profile = organization.inclusion_profile
    merged_into = services.get(organization.merged_into_id) if organization.merged_into_id else None
    return render_template(
        "organizations/record.html", organization=organization, profile=profile, merged_into=merged_into,
        provenance=services.provenance(organization), action_form=ActionForm(),
        language_names=dict(language_choices()),
        sector_titles=services.sector_titles(list(profile.recruiting_sectors or []) if profile else []),
        can_edit=can_edit_record(current_user), active_tab="record", **LABELS,
    )  # fmt: skip


@bp.route("/banca-dati/organizzazioni/nuova", methods=["GET", "POST"])
@roles(*EDITORS)
def create():
    form = OrganizationForm()
    form.municipality_code.choices = municipality_choices(services.municipalities(), blank=_("Non indicato"))
    if form.validate_on_submit():
        try:
            organization = services.create_checked(
                form.values(), user_id=current_user.id, partner_id=current_user.partner_id
            )
        except services.DuplicateIdentifier as duplicate:
            form.vat_number.errors = [*form.vat_number.errors, _duplicate_message(duplicate.existing)]
        else:
            db.session.commit()
            flash(_("Organizzazione creata."), "success")
            return redirect(_record_url(organization))
    return render_template("organizations/edit.html", form=form, organization=None)


@bp.route("/banca-dati/organizzazioni/<int:organization_id>/modifica", methods=["GET", "POST"])
@roles(*EDITORS)
def edit(organization_id: int):
    organization = _organization_or_404(organization_id)
    if (refused := _refuse_if_frozen(organization, _record_url(organization))) is not None:
        return refused
    form = OrganizationForm()
    form.municipality_code.choices = municipality_choices(services.municipalities(), blank=_("Non indicato"))
    if not form.is_submitted():
        form.load(organization)
    elif form.validate() and _save_record(organization, form):
        flash(_("Modifiche salvate."), "success")
        return redirect(_record_url(organization))
    return render_template("organizations/edit.html", form=form, organization=organization, active_tab="edit")


def _save_record(organization: Organization, form: OrganizationForm | CompanyProfileForm) -> bool:
    """Save a record form; on a conflict the form gets the Italian reason and nothing is saved."""
    try:
        services.update(organization, form.values(), expected_version=form.expected_version())
    except services.StaleRecord:
        flash(
            _(
                "Questa scheda è stata modificata da un altro utente mentre la compilavi: le tue modifiche "
                "non sono state salvate. Ricarica la pagina per vedere i dati aggiornati e ripeti le modifiche."
            ),
            "danger",
        )
        return False
    except services.DuplicateIdentifier as duplicate:
        form.vat_number.errors = [*form.vat_number.errors, _duplicate_message(duplicate.existing)]
        return False
    db.session.commit()
    return True


def _duplicate_message(existing: Organization) -> Markup:
    link = url_for("organizations.record", organization_id=existing.id)
    return Markup(
        escape(_("Questa partita IVA o questo codice fiscale appartiene già a un'altra organizzazione:"))
        + Markup(' <a href="{}">{}</a>.').format(link, existing.name)
    )


@bp.route("/banca-dati/organizzazioni/<int:organization_id>/archivia", methods=["POST"])
@roles(*EDITORS)
def archive(organization_id: int):
    organization = _organization_or_404(organization_id)
    if ActionForm().validate_on_submit() and services.archive(organization):
        db.session.commit()
        flash(_("Organizzazione archiviata: non compare più negli elenchi né nella pagina pubblica."), "success")
    return redirect(_record_url(organization))


@bp.route("/banca-dati/organizzazioni/<int:organization_id>/ripristina", methods=["POST"])
@roles(*EDITORS)
def restore(organization_id: int):
    organization = _organization_or_404(organization_id)
    if ActionForm().validate_on_submit() and services.restore(organization):
        db.session.commit()
        flash(_("Organizzazione ripristinata."), "success")
    return redirect(_record_url(organization))


# -- sites and contacts --------------------------------------------------------------------


def _sites_url(organization: Organization) -> str:
    return url_for("organizations.sites", organization_id=organization.id)


@bp.route("/banca-dati/organizzazioni/<int:organization_id>/sedi")
@roles(*STAFF)
def sites(organization_id: int):
    organization = _organization_or_404(organization_id)
    return render_template(
        "organizations/sites.html", organization=organization, action_form=ActionForm(),
        can_edit=can_edit_record(current_user), active_tab="sites", **LABELS,
    )  # fmt: skip


@bp.route("/banca-dati/organizzazioni/<int:organization_id>/sedi/nuova", methods=["GET", "POST"])
@roles(*EDITORS)
def site_new(organization_id: int):
    organization = _organization_or_404(organization_id)
    return _site_form(organization, None, _sites_url(organization), False)


@bp.route("/banca-dati/organizzazioni/<int:organization_id>/sedi/<int:site_id>", methods=["GET", "POST"])
@roles(*EDITORS)
def site_edit(organization_id: int, site_id: int):
    organization = _organization_or_404(organization_id)
    site = services.site_of(organization, site_id) or abort(404)
    return _site_form(organization, site, _sites_url(organization), False)


@bp.route("/banca-dati/organizzazioni/<int:organization_id>/sedi/<int:site_id>/elimina", methods=["POST"])
@roles(*EDITORS)
def site_delete(organization_id: int, site_id: int):
    organization = _organization_or_404(organization_id)
    return _delete_site(organization, site_id, _sites_url(organization))


def _site_form(organization: Organization, site: Any, back: str, for_company: bool):
    if (refused := _refuse_if_frozen(organization, back)) is not None:
        return refused
    form = SiteForm()
    form.municipality_code.choices = municipality_choices(services.municipalities())
    if not form.is_submitted() and site is not None:
        form.load(site)
    elif form.validate_on_submit():
        services.save_site(organization, site, form.values())
        db.session.commit()
        flash(_("Sede salvata."), "success")
        return redirect(back)
    return render_template(
        "organizations/site_form.html", organization=organization, site=site, form=form, back=back,
        for_company=for_company, active_tab="sites",
    )  # fmt: skip


def _delete_site(organization: Organization, site_id: int, back: str):
    site = services.site_of(organization, site_id) or abort(404)
    if (refused := _refuse_if_frozen(organization, back)) is not None:
        return refused
    if ActionForm().validate_on_submit():
        services.delete_site(site)
        db.session.commit()
        flash(_("Sede eliminata."), "success")
    return redirect(back)


@bp.route("/banca-dati/organizzazioni/<int:organization_id>/referenti/nuovo", methods=["GET", "POST"])
@roles(*EDITORS)
def contact_new(organization_id: int):
    organization = _organization_or_404(organization_id)
    return _contact_form(organization, None)


@bp.route("/banca-dati/organizzazioni/<int:organization_id>/referenti/<int:contact_id>", methods=["GET", "POST"])
@roles(*EDITORS)
def contact_edit(organization_id: int, contact_id: int):
    organization = _organization_or_404(organization_id)
    contact = services.contact_of(organization, contact_id) or abort(404)
    return _contact_form(organization, contact)


def _contact_form(organization: Organization, contact: Any):
    back = _sites_url(organization)
    if (refused := _refuse_if_frozen(organization, back)) is not None:
        return refused
    form = ContactForm()
    if not form.is_submitted() and contact is not None:
        form.load(contact)
    elif form.validate_on_submit():
        services.save_contact(organization, contact, form.values())
        db.session.commit()
        flash(_("Referente salvato."), "success")
        return redirect(back)
    return render_template(
        "organizations/contact_form.html", organization=organization, contact=contact, form=form, back=back,
        active_tab="sites",
    )  # fmt: skip


@bp.route("/banca-dati/organizzazioni/<int:organization_id>/referenti/<int:contact_id>/elimina", methods=["POST"])
@roles(*EDITORS)
def contact_delete(organization_id: int, contact_id: int):
    organization = _organization_or_404(organization_id)
    contact = services.contact_of(organization, contact_id) or abort(404)
    back = _sites_url(organization)
    if (refused := _refuse_if_frozen(organization, back)) is not None:
        return refused
    if ActionForm().validate_on_submit():
        try:
            services.delete_contact(contact)
        except services.ContactInUse as in_use:
            flash(
                _(
                    "Questo referente compare in %(count)d contatti registrati e non può essere eliminato: "
                    "puoi togliere il consenso o aggiornarne i dati.",
                    count=in_use.interactions,
                ),
                "danger",
            )
        else:
            db.session.commit()
            flash(_("Referente eliminato."), "success")
    return redirect(back)


# -- inclusion profile, notes, audit log ---------------------------------------------------


@bp.route("/banca-dati/organizzazioni/<int:organization_id>/profilo-inclusione", methods=["GET", "POST"])
@roles(*EDITORS)
def inclusion_profile(organization_id: int):
    organization = _organization_or_404(organization_id)
    if (refused := _refuse_if_frozen(organization, _record_url(organization))) is not None:
        return refused
    form = InclusionProfileForm()
    if not form.is_submitted():
        form.load(organization.inclusion_profile)
    elif form.validate():
        services.save_inclusion_profile(organization, form.values())
        db.session.commit()
        flash(_("Profilo di inclusione salvato."), "success")
        return redirect(_record_url(organization))
    return render_template(
        "organizations/inclusion_profile.html", organization=organization, form=form, active_tab="profile"
    )


@bp.route("/banca-dati/organizzazioni/<int:organization_id>/note", methods=["GET", "POST"])
@roles(*STAFF)
def notes(organization_id: int):
    organization = _organization_or_404(organization_id)
    may_read, partner_id = note_partner_scope(current_user)
    if not may_read:
        abort(403)
    may_write = can_write_notes(current_user)
    form = NoteForm()
    if form.is_submitted():
        if not may_write:
            abort(403)
        if form.validate():
            services.add_note(
                organization, partner_id=current_user.partner_id, author_id=current_user.id, body=form.body.data.strip()
            )
            db.session.commit()
            flash(_("Nota salvata."), "success")
            return redirect(url_for("organizations.notes", organization_id=organization_id))
    items = services.notes_for(organization_id, partner_id)
    return render_template(
        "organizations/notes.html", organization=organization, notes=items, form=form, may_write=may_write,
        action_form=ActionForm(), can_delete=lambda note: can_delete_note(current_user, note),
        authors=services.names_of_users({n.author_id for n in items if n.author_id}),
        partners=services.names_of_partners({n.partner_id for n in items}),
        show_partner=partner_id is None, active_tab="notes",
    )  # fmt: skip


@bp.route("/banca-dati/organizzazioni/<int:organization_id>/note/<int:note_id>/elimina", methods=["POST"])
@roles(*EDITORS)
def note_delete(organization_id: int, note_id: int):
    organization = _organization_or_404(organization_id)
    note = services.note_of(organization, note_id) or abort(404)
    if not can_delete_note(current_user, note):
        abort(403)
    if ActionForm().validate_on_submit():
        services.delete_note(note)
        db.session.commit()
        flash(_("Nota eliminata."), "success")
    return redirect(url_for("organizations.notes", organization_id=organization_id))


@bp.route("/banca-dati/organizzazioni/<int:organization_id>/registro")
@roles(*EDITORS)
def audit_log(organization_id: int):
    organization = _organization_or_404(organization_id)
    page = _page_number()
    entries, total = services.audit_page(organization_id, page)
    return render_template(
        "organizations/audit_log.html", organization=organization, rows=history.describe(entries),
        total=total, page=page, page_size=services.AUDIT_PAGE_SIZE, active_tab="audit",
    )  # fmt: skip
