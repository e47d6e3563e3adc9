"""The candidate's own profile page: created on the first save, edited afterwards.

There is no person id in the URL: the record is always the one linked to the signed-in account,
so nobody can reach another person's profile from here.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.access import roles
from marketplace.accounts.models import Role
from marketplace.candidates import profile_services as services
from marketplace.candidates.profile_forms import ProfileForm
from marketplace.common.urls import local_path
from marketplace.extensions import db
from marketplace.organizations import services as organization_services
from marketplace.organizations.forms import municipality_choices

bp = Blueprint("candidate_profile", __name__)


@bp.route("/il-mio-profilo", methods=["GET", "POST"])
@roles(Role.CANDIDATE)
def edit():
    if current_user.role != Role.CANDIDATE:
        abort(403)  # admins pass @roles, but a profile belongs to a candidate's own account
    next_url = local_path(request.values.get("next"))
    person = services.own_person(current_user)
    choices = municipality_choices(organization_services.municipalities(), blank=_("Non indicato"))
    form = ProfileForm(municipality_choices=choices)
    status = 200
    if not form.is_submitted():
        form.load(person, current_user.email)
    elif form.validate():
        created = person is None
        try:
            services.save(current_user, form.values(), expected_version=form.expected_version())
        except services.StaleRecord:
            db.session.rollback()
            flash(_("Il tuo profilo è stato modificato in un'altra finestra mentre compilavi il modulo: queste "
                    "modifiche non sono state salvate. Controlla i dati aggiornati e ripeti le modifiche."),
                  "danger")  # fmt: skip
            return redirect(url_for(".edit", next=next_url) if next_url else url_for(".edit"), code=303)
        except services.InvalidProfile as invalid:
            db.session.rollback()
            for name, message in invalid.errors.items():
                form[name].errors = [*form[name].errors, message]
        else:
            db.session.commit()
            flash(_("Profilo creato: ora puoi candidarti alle opportunità.") if created
                  else _("Profilo aggiornato."), "success")  # fmt: skip
            return redirect(next_url or url_for(".edit"), code=303)
    if form.is_submitted():
        status = 400
    return render_template(
        "candidates/profile.html", form=form, person=person, next_url=next_url,
        needs_privacy_consent=services.needs_privacy_consent(person), today=date.today(),
        min_age=services.MIN_AGE,
    ), status  # fmt: skip
