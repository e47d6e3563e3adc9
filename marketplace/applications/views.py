"""Applications: the candidate applies and follows their applications; the organisation moves its applicants."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from marketplace.access import roles, signed_in
from marketplace.accounts.models import Role
from marketplace.applications import pipeline, services
from marketplace.applications.forms import ApplyForm, MoveForm, NoteForm, PersonSearchForm, WithdrawForm
from marketplace.applications.models import APPLICATION_STATUS_LABELS, OPEN_STATUSES, Application
from marketplace.candidates.models import EDUCATION_LABELS, Person
from marketplace.common.errors import or_404
from marketplace.common.uploads import StoredFileMissing, pdf_download
from marketplace.core.errors import handle_http_error
from marketplace.extensions import db
from marketplace.opportunities import policy
from marketplace.opportunities.models import OPPORTUNITY_KIND_LABELS, Opportunity

bp = Blueprint("applications", __name__)


def _stale_message() -> str:
    return _(
        "Nel frattempo questa candidatura è stata aggiornata da un'altra persona: il tuo passaggio non è stato "
        "salvato. Controlla lo stato attuale e, se serve, ripeti l'operazione."
    )


def _opportunity_or_404(opportunity_id: int) -> Opportunity:
    return or_404(db.session.get(Opportunity, opportunity_id))


def _application_or_404(application_id: int) -> Application:
    return or_404(services.get(application_id))


def _edition_label(edition) -> str:
    when = f"{edition.starts_on:%d/%m/%Y} – {edition.ends_on:%d/%m/%Y}"
    return f"{edition.label} ({when})" if edition.label else when


def _common_context() -> dict:
    return {"status_labels": APPLICATION_STATUS_LABELS, "education_labels": EDUCATION_LABELS,
            "kind_labels": OPPORTUNITY_KIND_LABELS, "today": date.today()}  # fmt: skip


# -- applying ---------------------------------------------------------------------------------------


@bp.route("/opportunita/<int:opportunity_id>/candidatura", methods=["GET", "POST"])
@roles(Role.CANDIDATE, Role.OPERATOR, Role.PARTNER_ADMIN)
def apply(opportunity_id: int):
    opportunity = _opportunity_or_404(opportunity_id)
    if not policy.can_view(current_user, opportunity):
        abort(404)
    on_behalf = policy.is_network_staff(current_user)
    if on_behalf:
        person_id = request.args.get("persona", type=int)
        if person_id is None:
            return _choose_person(opportunity)
        person = db.session.get(Person, person_id)
        if person is None:
            abort(404)
    else:
        person = services.person_for_user(current_user)
    if person is not None and not policy.can_apply_for(current_user, person):
        abort(403)

    reason = services.refusal(opportunity, person, for_self=not on_behalf)
    editions = services.open_editions(opportunity) if services.needs_edition(opportunity) else None
    edition_choices = None if editions is None else [
        (edition.id, _("%(edition)s · posti liberi: %(left)d", edition=_edition_label(edition), left=left))
        for edition, left in editions
    ]  # fmt: skip
    form = ApplyForm(edition_choices=edition_choices, cv_max_mb=services.cv_max_mb())
    status = 200
    if reason is None and form.validate_on_submit():
        cv, cv_ok = _checked_cv(form)
        if cv_ok:
            try:
                application = services.apply(
                    opportunity, person, actor=current_user, message=form.message.data or "",
                    edition_id=form.edition_id.data if "edition_id" in form else None, cv=cv,
                )  # fmt: skip
            except services.ApplicationRefused as refused:
                db.session.rollback()
                if refused.field and refused.field in form:
                    form[refused.field].errors = [*form[refused.field].errors, refused.message]
                else:
                    reason = refused.message
            else:
                db.session.commit()
                if on_behalf:
                    flash(_("Candidatura inviata per conto di %(name)s.", name=person.full_name), "success")
                    return redirect(url_for(".manage", application_id=application.id), code=303)
                flash(_("Candidatura inviata. Riceverai un'email di conferma e gli aggiornamenti dell'organizzazione."),
                      "success")  # fmt: skip
                return redirect(url_for(".mine"), code=303)
    if request.method == "POST":
        status = 409 if reason else 400 if form.errors else 200
    existing = services.existing_application(opportunity.id, person.id) if person is not None else None
    return render_template(
        "applications/apply.html", opportunity=opportunity, person=person, form=form, reason=reason,
        on_behalf=on_behalf, existing=existing, **_common_context(),
    ), status  # fmt: skip


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    """A body over the server's limit never reaches the form: say which limit the CV has."""
    if request.endpoint != "applications.apply":
        return handle_http_error(error)
    message = _(
        "Il file che hai inviato è troppo grande. Il curriculum deve essere un PDF di al massimo %(mb)d MB: "
        "torna indietro e scegli un file più piccolo.",
        mb=services.cv_max_mb(),
    )
    return render_template("errors/error.html", code=413, title=_("File troppo grande"), message=message), 413


def _choose_person(opportunity: Opportunity):
    search = PersonSearchForm(request.args)
    people = services.find_people(search.q.data or "") if search.validate() else []
    return render_template("applications/choose_person.html", opportunity=opportunity, search=search,
                           people=people, searched=bool((search.q.data or "").strip()))  # fmt: skip


def _checked_cv(form: ApplyForm) -> tuple[services.CheckedCv | None, bool]:
    """(cv, ok): no file is fine; a bad file puts its Italian message on the field."""
    upload = form.cv.data
    if upload is None or not getattr(upload, "filename", ""):
        return None, True
    try:
        return services.read_cv(upload.stream, upload.filename), True
    except services.CvRejected as rejected:
        form.cv.errors = [*form.cv.errors, str(rejected)]
        return None, False


# -- the candidate's own applications ------------------------------------------------------------------


@bp.route("/candidature/")
@roles(Role.CANDIDATE)
def mine():
    person = services.person_for_user(current_user)
    applications = services.for_person(person.id) if person is not None else []
    histories = services.histories([application.id for application in applications])
    latest = {app_id: services.latest_organisation_message(events) for app_id, events in histories.items()}
    return render_template(
        "applications/mine.html", person=person, applications=applications, histories=histories, latest=latest,
        open_statuses=OPEN_STATUSES, withdraw_form=WithdrawForm(), **_common_context(),
    )  # fmt: skip


@bp.route("/candidature/<int:application_id>/ritira", methods=["POST"])
@roles(Role.CANDIDATE, Role.OPERATOR, Role.PARTNER_ADMIN)
def withdraw(application_id: int):
    application = _application_or_404(application_id)
    if not policy.can_withdraw(current_user, application):
        abort(403)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    back = url_for(".mine") if policy.is_applicant(current_user, application) else url_for(
        ".manage", application_id=application.id)  # fmt: skip
    try:
        services.withdraw(application, actor=current_user, expected_version=form.expected_version())
    except services.StaleRecord:
        db.session.rollback()
        flash(_stale_message(), "danger")
    except services.ApplicationRefused as refused:
        db.session.rollback()
        flash(refused.message, "danger")
    else:
        db.session.commit()
        flash(_("Candidatura ritirata. L'organizzazione ne è stata informata."), "success")
    return redirect(back, code=303)


# -- the organisation's side ------------------------------------------------------------------------


@bp.route("/gestione/opportunita/<int:opportunity_id>/candidati", endpoint="pipeline")
@roles(Role.COMPANY, Role.OPERATOR, Role.PARTNER_ADMIN)
def pipeline_board(opportunity_id: int):
    opportunity = _opportunity_or_404(opportunity_id)
    if not policy.can_manage_applicants(current_user, opportunity):
        abort(403)
    board = services.for_opportunity(opportunity.id)
    return render_template(
        "applications/pipeline.html", opportunity=opportunity, board=board, columns=pipeline.COLUMNS,
        total=sum(len(rows) for rows in board.values()), **_common_context(),
    )  # fmt: skip


def _manage_page(application: Application, *, move_form: MoveForm | None = None,
                 note_form: NoteForm | None = None, status: int = 200):  # fmt: skip
    events = services.history(application.id)
    notes = services.notes(application.id)
    people = services.users_by_id({event.actor_id for event in events} | {note.author_id for note in notes})
    if move_form is None:
        move_form = MoveForm(current=application.status, formdata=None, data={"version": application.version})
    move_form.version.data = application.version
    return render_template(
        "applications/manage.html", application=application, opportunity=application.opportunity,
        person=application.person, events=events, notes=notes, people=people, move_form=move_form,
        note_form=note_form or NoteForm(formdata=None), withdraw_form=WithdrawForm(formdata=None),
        can_withdraw=policy.can_withdraw(current_user, application) and application.status in OPEN_STATUSES,
        **_common_context(),
    ), status  # fmt: skip


def _managed_or_403(application_id: int) -> Application:
    application = _application_or_404(application_id)
    if not policy.can_manage_applicants(current_user, application.opportunity):
        abort(403)
    return application


@bp.route("/gestione/candidature/<int:application_id>")
@roles(Role.COMPANY, Role.OPERATOR, Role.PARTNER_ADMIN)
def manage(application_id: int):
    return _manage_page(_managed_or_403(application_id))


@bp.route("/gestione/candidature/<int:application_id>/stato", methods=["POST"])
@roles(Role.COMPANY, Role.OPERATOR, Role.PARTNER_ADMIN)
def move(application_id: int):
    application = _managed_or_403(application_id)
    form = MoveForm(current=application.status)
    submitted_version = form.expected_version()
    if submitted_version is not None and submitted_version != application.version:
        # Checked before the choices: a stale form may name a move that is no longer offered.
        flash(_stale_message(), "danger")
        return _manage_page(application, status=409)
    if not form.validate_on_submit():
        return _manage_page(application, move_form=form, status=400)
    try:
        services.move(application, form.target(), actor=current_user, expected_version=submitted_version,
                      message=form.message.data or "")  # fmt: skip
    except services.StaleRecord:
        db.session.rollback()
        flash(_stale_message(), "danger")
        return _manage_page(application, status=409)
    except services.ApplicationRefused as refused:
        db.session.rollback()
        form.to_status.errors = [*form.to_status.errors, refused.message]
        return _manage_page(application, move_form=form, status=400)
    db.session.commit()
    flash(_("Stato aggiornato: %(status)s.", status=APPLICATION_STATUS_LABELS[application.status]), "success")
    return redirect(url_for(".manage", application_id=application.id), code=303)


@bp.route("/gestione/candidature/<int:application_id>/note", methods=["POST"])
@roles(Role.COMPANY, Role.OPERATOR, Role.PARTNER_ADMIN)
def add_note(application_id: int):
    application = _managed_or_403(application_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _manage_page(application, note_form=form, status=400)
    try:
        services.add_note(application, author=current_user, body=form.body.data)
    except services.ApplicationRefused as refused:
        db.session.rollback()
        form.body.errors = [*form.body.errors, refused.message]
        return _manage_page(application, note_form=form, status=400)
    db.session.commit()
    flash(_("Nota salvata."), "success")
    return redirect(url_for(".manage", application_id=application.id) + "#note", code=303)


@bp.route("/gestione/candidature/<int:application_id>/cv")
@signed_in
def cv(application_id: int):
    application = _application_or_404(application_id)
    if not policy.can_read_cv(current_user, application):
        abort(403)
    try:
        path = services.cv_path(application)
    except StoredFileMissing:
        abort(404)
    return pdf_download(path, application.cv_filename or f"curriculum-{application.id}.pdf")
