"""The company-database list for operators and partners: search, filters, export, saved filters."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from marketplace.access import roles
from marketplace.accounts.models import Role
from marketplace.common.errors import or_404
from marketplace.common.spreadsheets import spreadsheet_download
from marketplace.exports import services as exports
from marketplace.extensions import db
from marketplace.organizations import list_services as listing
from marketplace.organizations.list_forms import MAX_EXPORT_QUERY, DeleteFilterForm, ExportRequestForm, SaveFilterForm
from marketplace.organizations.models import (
    HOSTING_SCHEME_LABELS,
    ORGANIZATION_KIND_LABELS,
    ORGANIZATION_STATUS_LABELS,
    SIZE_CLASS_LABELS,
)
from search import SearchUnavailable

bp = Blueprint("organization_list", __name__, url_prefix="/banca-dati/organizzazioni")
STAFF = (Role.OPERATOR, Role.PARTNER_ADMIN)


def _render(args: MultiDict, save_form: SaveFilterForm | None = None):
    choices = listing.list_choices()
    form = listing.list_form(args, choices)
    query, notes = listing.query_from(form, choices)
    result, unavailable = None, False
    try:
        result = listing.search(query)
    except SearchUnavailable:
        unavailable = True
    current = listing.query_string_of(args)
    save_form = save_form or SaveFilterForm(formdata=None, query_string=current)
    page = render_template(
        "organizations/list.html", form=form, query=query, result=result, notes=notes, choices=choices,
        args=args, search_unavailable=unavailable, per_page=listing.PER_PAGE, current_query=current,
        export_limit=listing.export_limit(), export_limit_text=f"{listing.export_limit():,}".replace(",", "."),
        record_endpoint=_record_endpoint(), saved_filters=listing.saved_filters(current_user.id),
        save_form=save_form, export_inline_limit=exports.inline_limit(),
        export_form=ExportRequestForm(formdata=None, query_string=listing.list_parameters(args.items(multi=True))),
        kind_labels=_by_value(ORGANIZATION_KIND_LABELS), status_labels=_by_value(ORGANIZATION_STATUS_LABELS),
        size_labels=_by_value(SIZE_CLASS_LABELS), scheme_labels=_by_value(HOSTING_SCHEME_LABELS),
        valid_until=listing.valid_until,
    )  # fmt: skip
    return page, 503 if unavailable else 200


def _record_endpoint() -> str:
    # The staff record page is built alongside this list; until it exists, the public page.
    return "organizations.record" if "organizations.record" in current_app.view_functions else "organizations.page"


def _by_value(labels: dict) -> dict[str, str]:
    return {key.value: label for key, label in labels.items()}


@bp.route("")
@roles(*STAFF)
def index():
    return _render(request.args)


def _export(kind: str):
    """The list as a file, at once: the page links here while the list is short enough."""
    try:
        table = listing.export_table(request.args)
    except SearchUnavailable:
        return _render(request.args)
    return spreadsheet_download(table.header, table.rows, kind, title=table.title,
                                filename=f"{listing.EXPORT_FILE_STEM}-{date.today().strftime('%Y%m%d')}")  # fmt: skip


@bp.route("/export.csv")
@roles(*STAFF)
def export_csv():
    return _export("csv")


@bp.route("/export.xlsx")
@roles(*STAFF)
def export_xlsx():
    return _export("xlsx")


@bp.route("/esporta", methods=["POST"])
@roles(*STAFF)
def request_export():
    """A long list's export, written by a job: the asker follows it on the export's page."""
    form = ExportRequestForm()
    query_string = listing.list_parameters(parse_qsl(form.query_string.data or ""))
    if not form.validate_on_submit():
        flash(form.first_problem(), "danger")
        shown = query_string if len(query_string) <= MAX_EXPORT_QUERY else ""
        return redirect(url_for("organization_list.index") + (f"?{shown}" if shown else ""))
    run = exports.request_export(current_user, "organizations", form.file_format.data, query_string,
                                 str(get_locale()))  # fmt: skip
    db.session.commit()
    flash(_("Esportazione richiesta: il file sarà pronto tra poco in questa pagina."), "success")
    return redirect(url_for("exports.detail", run_id=run.id))


# -- saved filters ---------------------------------------------------------------------


@bp.route("/filtri", methods=["POST"])
@roles(*STAFF)
def save_filter():
    form = SaveFilterForm()
    query_string = listing.clean_query_string(form.query_string.data or "")
    if form.validate_on_submit():
        try:
            listing.save_filter(current_user.id, form.name.data, query_string)
        except listing.DuplicateFilterName:
            form.name.errors.append(_("Hai già un filtro con questo nome: scegline un altro."))
        else:
            db.session.commit()
            flash(_("Filtro salvato."), "success")
            return redirect(url_for("organization_list.index") + (f"?{query_string}" if query_string else ""))
    # The list stays as it was, with the error next to the name.
    return _render(MultiDict(listing.parse_query_string(query_string)), save_form=form)


@bp.route("/filtri/<int:filter_id>")
@roles(*STAFF)
def apply_filter(filter_id: int):
    saved = or_404(listing.own_filter(current_user.id, filter_id))
    suffix = f"?{saved.query_string}" if saved.query_string else ""
    return redirect(url_for("organization_list.index") + suffix)


@bp.route("/filtri/<int:filter_id>/elimina", methods=["POST"])
@roles(*STAFF)
def delete_filter(filter_id: int):
    saved = or_404(listing.own_filter(current_user.id, filter_id))
    form = DeleteFilterForm()
    if not form.validate_on_submit():
        abort(400)
    listing.delete_filter(saved)
    db.session.commit()
    flash(_("Filtro eliminato."), "success")
    return redirect(url_for("organization_list.index"))
