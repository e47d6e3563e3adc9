"""The opportunity editor: companies and network staff write opportunities, send them to
review, and partner_admins approve or reject them. Every step is in the opportunity's history.

Access is checked twice: `@roles` keeps candidates and anonymous visitors out, and the
policy functions decide about the object in hand (a company only touches its own
organisation's opportunities; only reviewers approve).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from marketplace.access import roles
from marketplace.accounts.models import Role
from marketplace.common.concurrency import StaleRecord
from marketplace.common.errors import or_404
from marketplace.extensions import db
from marketplace.opportunities import editing, editor_services, policy, workflow
from marketplace.opportunities.editor_forms import (
    ActionForm,
    CloseForm,
    EditionForm,
    OpportunityForm,
    RejectForm,
)
from marketplace.opportunities.models import (
    CLOSE_REASON_LABELS,
    OPPORTUNITY_ACTION_LABELS,
    OPPORTUNITY_KIND_LABELS,
    OPPORTUNITY_STATUS_LABELS,
    CloseReason,
    Opportunity,
    OpportunityStatus,
)
from marketplace.opportunities.rules import EDITION_KINDS
from marketplace.opportunities.skills import skill_label
from marketplace.organizations import services as organization_services
from marketplace.organizations.models import Organization

bp = Blueprint("opportunity_editor", __name__, url_prefix="/gestione/opportunita")

EDITORS = (Role.COMPANY, Role.OPERATOR, Role.PARTNER_ADMIN)
REVIEWERS = (Role.PARTNER_ADMIN,)  # admins always pass @roles


# -- helpers -----------------------------------------------------------------------


def _opportunity_or_404(opportunity_id: int) -> Opportunity:
    return or_404(editor_services.get(opportunity_id))


def _editable_or_403(opportunity_id: int) -> Opportunity:
    opportunity = _opportunity_or_404(opportunity_id)
    if not policy.can_edit(current_user, opportunity):
        abort(403)
    return opportunity


def _may_follow(opportunity: Opportunity) -> bool:
    """Its editors may read its history and its archived version; nobody else."""
    return policy.is_network_staff(current_user) or policy.is_own_company(current_user, opportunity.organization_id)


def applicants_url(opportunity: Opportunity) -> str | None:
    """The applications pipeline, when that part of the site is there and the user may see it."""
    if "applications.pipeline" not in current_app.view_functions:
        return None
    if not policy.can_manage_applicants(current_user, opportunity):
        return None
    return url_for("applications.pipeline", opportunity_id=opportunity.id)


def preview_url(opportunity: Opportunity) -> str:
    return url_for("opportunities.detail", opportunity_id=opportunity.id)


def _edit_url(opportunity: Opportunity) -> str:
    if policy.can_edit(current_user, opportunity):
        return url_for(".edit", opportunity_id=opportunity.id)
    return url_for(".history", opportunity_id=opportunity.id)


def _place_errors(form: OpportunityForm, errors: dict[str, str]) -> None:
    for message in form.add_errors(errors):
        flash(message, "danger")


def _flatten_row_errors(form: OpportunityForm) -> None:
    """The language rows keep their own errors; the summary at the top wants plain sentences."""
    messages = []
    for row in form.languages:
        for errors in row.form.errors.values():
            messages.extend(str(error) for error in errors)
    form.languages.errors = [*dict.fromkeys(messages)]


def _page_context(opportunity: Opportunity | None) -> dict:
    return {
        "kind_labels": OPPORTUNITY_KIND_LABELS,
        "status_labels": OPPORTUNITY_STATUS_LABELS,
        "edition_kinds": {kind.value for kind in EDITION_KINDS},
        "applicants_url": applicants_url(opportunity) if opportunity is not None else None,
        "close_form": CloseForm(prefix="close"),
        "action_form": ActionForm(),
        "can_review": policy.can_review(current_user),
    }


# -- lists -------------------------------------------------------------------------


@bp.route("/")
@roles(*EDITORS)
def mine():
    args = request.args
    status = args.get("stato") or None
    status = status if status in {s.value for s in OpportunityStatus} else None
    organization_id = args.get("organizzazione", type=int)
    scope = "all" if args.get("ambito") == "tutte" else "mine"
    filters = editor_services.ListFilter(
        status=OpportunityStatus(status) if status else None,
        organization_id=organization_id if policy.is_network_staff(current_user) else None,
        organization_name=(args.get("nome") or "")[:100] if policy.is_network_staff(current_user) else "",
        scope=scope,
        page=args.get("pagina", 1, type=int) or 1,
    )
    result = editor_services.list_for(current_user, filters)
    organization = editor_services.get_organization(organization_id) if filters.organization_id else None
    own = editor_services.get_organization(current_user.organization_id) if current_user.organization_id else None

    def page_url(page: int) -> str:
        params = {key: value for key, value in args.items() if key != "pagina"}
        return url_for(".mine", pagina=page, **params)

    return render_template(
        "opportunities/editor/mine.html",
        result=result, filters=filters, organization=organization, own_organization=own,
        is_staff=policy.is_network_staff(current_user), page_url=page_url,
        applicants_url=applicants_url, can_edit=lambda o: policy.can_edit(current_user, o),
        kind_labels=OPPORTUNITY_KIND_LABELS, status_labels=OPPORTUNITY_STATUS_LABELS,
    )  # fmt: skip


@bp.route("/revisione")
@roles(*REVIEWERS)
def review_queue():
    if not policy.can_review(current_user):
        abort(403)
    result = editor_services.review_queue(request.args.get("pagina", 1, type=int) or 1)
    return render_template(
        "opportunities/editor/review_queue.html", result=result, kind_labels=OPPORTUNITY_KIND_LABELS,
        reject_forms={o.id: RejectForm(prefix=f"reject-{o.id}") for o in result.items}, action_form=ActionForm(),
        preview_url=preview_url,
        page_url=lambda page: url_for(".review_queue", pagina=page),
    )  # fmt: skip


# -- creating and editing ----------------------------------------------------------


def _organization_for_new() -> Organization | Response:
    """The organisation a new opportunity belongs to: the company's own, or the one staff chose."""
    if current_user.role == Role.COMPANY:
        if current_user.organization_id is None:
            # Not a refusal but a step not yet taken: send them to the page where it is taken.
            flash(_("Il tuo account non è ancora collegato a un'organizzazione. Cercala e chiedi di gestirla: un "
                    "referente della rete verificherà la richiesta."), "info")  # fmt: skip
            return redirect(url_for("claims.mine"))
        organization = editor_services.get_organization(current_user.organization_id)
    else:
        organization_id = request.args.get("organizzazione", type=int)
        if organization_id is None:
            text = request.args.get("cerca", "")
            return render_template(
                "opportunities/editor/choose_organization.html",
                text=text[:100], matches=editor_services.matching_organizations(text[:100]),
            )  # fmt: skip
        organization = editor_services.get_organization(organization_id)
    if organization is None:
        abort(404)
    if not policy.can_create_for(current_user, organization):
        abort(403)
    return organization


@bp.route("/nuova", methods=["GET", "POST"])
@roles(*EDITORS)
def new():
    organization = _organization_for_new()
    if not isinstance(organization, Organization):
        return organization
    form = OpportunityForm(sites=editor_services.site_choices(organization.id))
    if not form.is_submitted():
        form.contact_email.data = organization.email
        form.contact_phone.data = organization.phone
    elif form.validate():
        try:
            opportunity = editing.create(organization, form.values(), actor=current_user)
        except editing.InvalidOpportunity as invalid:
            _place_errors(form, invalid.errors)
        else:
            db.session.commit()
            flash(_("Bozza salvata. Quando è pronta, inviala in revisione."), "success")
            return redirect(url_for(".edit", opportunity_id=opportunity.id))
    else:
        _flatten_row_errors(form)
    return render_template(
        "opportunities/editor/form.html", form=form, organization=organization, opportunity=None,
        **_page_context(None),
    )  # fmt: skip


@bp.route("/<int:opportunity_id>/modifica", methods=["GET", "POST"])
@roles(*EDITORS)
def edit(opportunity_id: int):
    opportunity = _editable_or_403(opportunity_id)
    form = OpportunityForm(sites=editor_services.site_choices(opportunity.organization_id))
    if not form.is_submitted():
        form.load(opportunity)
    elif form.validate():
        previous = opportunity.status
        try:
            changed = editing.update(
                opportunity, form.values(), actor=current_user, expected_version=form.expected_version()
            )
        except editing.InvalidOpportunity as invalid:
            _place_errors(form, invalid.errors)
        except StaleRecord:
            flash(
                _(
                    "Questa opportunità è stata modificata da un altro utente mentre la compilavi: le tue "
                    "modifiche non sono state salvate. Ricarica la pagina per vedere i dati aggiornati e ripeti "
                    "le modifiche."
                ),
                "danger",
            )
        else:
            db.session.commit()
            if not changed:
                flash(_("Nessuna modifica da salvare."), "info")
            elif previous == OpportunityStatus.PUBLISHED and opportunity.status == OpportunityStatus.IN_REVIEW:
                flash(
                    _(
                        "Modifiche salvate. L'opportunità torna in revisione: sarà di nuovo visibile quando "
                        "la rete l'avrà approvata."
                    ),
                    "warning",
                )
            else:
                flash(_("Modifiche salvate."), "success")
            return redirect(url_for(".edit", opportunity_id=opportunity.id))
    else:
        _flatten_row_errors(form)
    return render_template(
        "opportunities/editor/form.html", form=form, organization=opportunity.organization,
        opportunity=opportunity, **_page_context(opportunity),
    )  # fmt: skip


# -- editions ----------------------------------------------------------------------


def _edition_page(opportunity: Opportunity, form: EditionForm, edition=None):
    return render_template(
        "opportunities/editor/editions.html", opportunity=opportunity, form=form, edition=edition,
        delete_form=ActionForm(), kind_labels=OPPORTUNITY_KIND_LABELS,
    )  # fmt: skip


def _editions_allowed(opportunity: Opportunity) -> None:
    if opportunity.kind not in EDITION_KINDS:
        abort(404)


@bp.route("/<int:opportunity_id>/edizioni", methods=["GET", "POST"])
@roles(*EDITORS)
def editions(opportunity_id: int):
    opportunity = _editable_or_403(opportunity_id)
    _editions_allowed(opportunity)
    form = EditionForm(municipalities=organization_services.municipalities())
    if form.validate_on_submit():
        try:
            editing.save_edition(opportunity, None, form.values(), actor=current_user)
        except editing.InvalidOpportunity as invalid:
            form_errors(form, invalid.errors)
        else:
            db.session.commit()
            flash(_("Edizione aggiunta."), "success")
            return redirect(url_for(".editions", opportunity_id=opportunity.id))
    return _edition_page(opportunity, form)


@bp.route("/<int:opportunity_id>/edizioni/<int:edition_id>", methods=["GET", "POST"])
@roles(*EDITORS)
def edition_edit(opportunity_id: int, edition_id: int):
    opportunity = _editable_or_403(opportunity_id)
    _editions_allowed(opportunity)
    edition = or_404(editor_services.edition_of(opportunity, edition_id))
    form = EditionForm(obj=edition, municipalities=organization_services.municipalities())
    if form.validate_on_submit():
        try:
            editing.save_edition(opportunity, edition, form.values(), actor=current_user)
        except editing.InvalidOpportunity as invalid:
            form_errors(form, invalid.errors)
        else:
            db.session.commit()
            flash(_("Edizione aggiornata."), "success")
            return redirect(url_for(".editions", opportunity_id=opportunity.id))
    return _edition_page(opportunity, form, edition)


@bp.route("/<int:opportunity_id>/edizioni/<int:edition_id>/elimina", methods=["POST"])
@roles(*EDITORS)
def edition_delete(opportunity_id: int, edition_id: int):
    opportunity = _editable_or_403(opportunity_id)
    _editions_allowed(opportunity)
    edition = or_404(editor_services.edition_of(opportunity, edition_id))
    if ActionForm().validate_on_submit():
        editing.delete_edition(opportunity, edition, actor=current_user)
        db.session.commit()
        flash(_("Edizione eliminata."), "success")
    else:
        flash(_("Il modulo è scaduto: riprova."), "danger")
    return redirect(url_for(".editions", opportunity_id=opportunity.id))


def form_errors(form, errors: dict[str, str]) -> None:
    for field, message in errors.items():
        if field in form._fields:
            form[field].errors = [*form[field].errors, message]
        else:
            flash(message, "danger")


# -- workflow ----------------------------------------------------------------------


def _transition(opportunity: Opportunity, form, step, done: str, back: str) -> Response:
    """Run one workflow step; a refused step flashes its reason and changes nothing."""
    if not form.validate_on_submit():
        messages = [str(error) for errors in form.errors.values() for error in errors]
        flash(messages[0] if messages else _("Il modulo è scaduto: riprova."), "danger")
        return redirect(back)
    try:
        step()
    except workflow.TransitionRefused as refused:
        # Refused before any change: the request ends without a commit, so nothing is written.
        flash(refused.message, "danger")
        return redirect(back)
    db.session.commit()
    flash(done, "success")
    return redirect(back)


@bp.route("/<int:opportunity_id>/invia", methods=["POST"])
@roles(*EDITORS)
def submit(opportunity_id: int):
    opportunity = _editable_or_403(opportunity_id)
    return _transition(
        opportunity, ActionForm(), lambda: workflow.submit(opportunity, actor=current_user),
        _("Inviata in revisione: la rete la controllerà prima di pubblicarla."),
        url_for(".edit", opportunity_id=opportunity.id),
    )  # fmt: skip


@bp.route("/<int:opportunity_id>/chiudi", methods=["POST"])
@roles(*EDITORS)
def close(opportunity_id: int):
    opportunity = _editable_or_403(opportunity_id)
    form = CloseForm(prefix="close")

    def step() -> None:
        workflow.close(opportunity, actor=current_user, reason=CloseReason(form.reason.data))

    return _transition(
        opportunity, form, step, _("Opportunità chiusa: non compare più nella ricerca."),
        url_for(".edit", opportunity_id=opportunity.id),
    )  # fmt: skip


@bp.route("/<int:opportunity_id>/riapri", methods=["POST"])
@roles(*EDITORS)
def reopen(opportunity_id: int):
    opportunity = _editable_or_403(opportunity_id)
    return _transition(
        opportunity, ActionForm(), lambda: workflow.reopen(opportunity, actor=current_user),
        _("Opportunità riaperta: torna in revisione prima di essere di nuovo pubblicata."),
        url_for(".edit", opportunity_id=opportunity.id),
    )  # fmt: skip


@bp.route("/<int:opportunity_id>/archivia", methods=["POST"])
@roles(*EDITORS)
def archive(opportunity_id: int):
    opportunity = _editable_or_403(opportunity_id)
    return _transition(
        opportunity, ActionForm(), lambda: workflow.archive(opportunity, actor=current_user),
        _("Opportunità archiviata."), url_for(".history", opportunity_id=opportunity.id),
    )  # fmt: skip


@bp.route("/<int:opportunity_id>/approva", methods=["POST"])
@roles(*REVIEWERS)
def approve(opportunity_id: int):
    opportunity = _opportunity_or_404(opportunity_id)
    if not policy.can_review(current_user):
        abort(403)
    return _transition(
        opportunity, ActionForm(), lambda: workflow.approve(opportunity, actor=current_user),
        _("Opportunità approvata e pubblicata."), url_for(".review_queue"),
    )  # fmt: skip


@bp.route("/<int:opportunity_id>/respingi", methods=["POST"])
@roles(*REVIEWERS)
def reject(opportunity_id: int):
    opportunity = _opportunity_or_404(opportunity_id)
    if not policy.can_review(current_user):
        abort(403)
    form = RejectForm(prefix=f"reject-{opportunity.id}")
    return _transition(
        opportunity, form, lambda: workflow.reject(opportunity, actor=current_user, reason=form.reason.data),
        _("Opportunità respinta: chi l'ha scritta vedrà il motivo."), url_for(".review_queue"),
    )  # fmt: skip


# -- history -----------------------------------------------------------------------


@bp.route("/<int:opportunity_id>/storia")
@roles(*EDITORS)
def history(opportunity_id: int):
    opportunity = _opportunity_or_404(opportunity_id)
    if not _may_follow(opportunity):
        abort(403)
    events = editor_services.history(opportunity.id)
    names = editor_services.names_of_users({e.actor_id for e in events if e.actor_id is not None})
    return render_template(
        "opportunities/editor/history.html", opportunity=opportunity, events=events, names=names,
        action_labels=OPPORTUNITY_ACTION_LABELS, status_labels=OPPORTUNITY_STATUS_LABELS,
        close_reason_labels={reason.value: label for reason, label in CLOSE_REASON_LABELS.items()},
        can_edit=policy.can_edit(current_user, opportunity), kind_labels=OPPORTUNITY_KIND_LABELS,
        skill_label=skill_label,
    )  # fmt: skip
