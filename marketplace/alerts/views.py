"""Saved searches and alerts: save from the search page, manage them, unsubscribe from a mail."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.access import public, roles
from marketplace.accounts.models import Role
from marketplace.alerts import services
from marketplace.alerts.forms import ConfirmForm, FrequencyForm, SaveSearchForm, UnsubscribeForm
from marketplace.alerts.models import ALERT_FREQUENCY_LABELS, AlertFrequency
from marketplace.candidates.models import Person
from marketplace.common.errors import or_404
from marketplace.extensions import csrf, db

bp = Blueprint("alerts", __name__, url_prefix="/avvisi")
SAVERS = (Role.CANDIDATE, Role.OPERATOR, Role.PARTNER_ADMIN)


def _search_url(query_string: str) -> str:
    url = url_for("opportunities.search")
    return f"{url}?{query_string}" if query_string else url


@bp.app_template_global("alert_form")
def alert_form(query_string: str) -> dict:
    """What the search page's partial needs: the form, a suggested name and, for staff, the people."""
    if not services.can_save(current_user):
        return {"can_save": False}
    canonical, _dropped = services.canonical_query_string(query_string)
    form = SaveSearchForm(formdata=None, query_string=canonical)
    people = services.people_for(current_user)
    form.person_id.choices = [("", _("Per me"))] + [(str(p.id), p.full_name) for p in people]
    return {
        "form": form,
        "summary": services.summary_of(canonical),
        "can_save": services.can_save(current_user),
        "for_people": services.is_staff(current_user),
    }


@bp.route("/salva", methods=["POST"])
@roles(*SAVERS)
def create():
    form = SaveSearchForm()
    raw = (form.query_string.data or "")[: services.MAX_QUERY_STRING_LENGTH + 1]
    back = _search_url(services.canonical_query_string(raw)[0])
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
        return redirect(back)
    person = None
    if form.person_id.data:
        person = db.session.get(Person, int(form.person_id.data)) if form.person_id.data.isdigit() else None
        if person is None or not services.can_save_for(current_user, person):
            flash(_("Puoi salvare ricerche solo per le persone seguite dal tuo ente."), "danger")
            return redirect(back)
    try:
        saved = services.save(
            current_user, raw, frequency=AlertFrequency(form.frequency.data), name=form.name.data, person=person
        )
    except services.AlertRefused as refused:
        flash(refused.message, "danger")
        return redirect(back)
    db.session.commit()
    flash(
        _(
            "Avviso «%(name)s» salvato: riceverai le nuove opportunità %(frequency)s. Lo trovi in «I miei avvisi».",
            name=saved.name,
            frequency=_("ogni giorno") if saved.frequency == AlertFrequency.DAILY else _("ogni settimana"),
        ),
        "success",
    )
    return redirect(_search_url(saved.query_string))


@bp.route("/")
@roles(*SAVERS)
def mine():
    alerts = services.alerts_of(current_user)
    forms = {alert.id: FrequencyForm(formdata=None, frequency=alert.frequency.value) for alert in alerts}
    return render_template(
        "alerts/mine.html", alerts=alerts, frequency_forms=forms, confirm_form=ConfirmForm(),
        frequency_labels=ALERT_FREQUENCY_LABELS, search_url=_search_url, limit=services.MAX_ALERTS_PER_OWNER,
    )  # fmt: skip


def _manageable_or_404(alert_id: int):
    saved = or_404(services.manageable(current_user, alert_id))
    return saved


@bp.route("/<int:alert_id>/frequenza", methods=["POST"])
@roles(*SAVERS)
def update_frequency(alert_id: int):
    saved = _manageable_or_404(alert_id)
    form = FrequencyForm()
    if form.validate_on_submit():
        services.set_frequency(saved, AlertFrequency(form.frequency.data))
        db.session.commit()
        flash(_("Frequenza aggiornata."), "success")
    else:
        flash(_("Scegli una frequenza dall'elenco."), "danger")
    return redirect(url_for("alerts.mine"))


@bp.route("/<int:alert_id>/riattiva", methods=["POST"])
@roles(*SAVERS)
def resume(alert_id: int):
    saved = _manageable_or_404(alert_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.resume(saved)
    except services.AlertRefused as refused:
        flash(refused.message, "danger")
        return redirect(url_for("alerts.mine"))
    db.session.commit()
    flash(_("Avviso riattivato: riceverai le opportunità pubblicate da adesso."), "success")
    return redirect(url_for("alerts.mine"))


@bp.route("/<int:alert_id>/elimina", methods=["POST"])
@roles(*SAVERS)
def delete(alert_id: int):
    saved = _manageable_or_404(alert_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete(saved)
    db.session.commit()
    flash(_("Avviso eliminato."), "success")
    return redirect(url_for("alerts.mine"))


@bp.route("/disiscrizione/<token>", methods=["GET", "POST"])
@public
@csrf.exempt  # the token is the credential: the link must work without a session, from any mail client
def unsubscribe(token: str):
    saved = services.by_token(token)
    if saved is None:
        return render_template("alerts/unsubscribe_unknown.html"), 404
    form = UnsubscribeForm()
    done = False
    if form.validate_on_submit():
        done = saved.unsubscribed_at is None
        services.unsubscribe(saved)
        db.session.commit()
    return render_template(
        "alerts/unsubscribe.html", alert=saved, form=form, done=done,
        summary=services.summary_of(saved.query_string), search_url=_search_url(saved.query_string),
        frequency_labels=ALERT_FREQUENCY_LABELS,
    )  # fmt: skip
