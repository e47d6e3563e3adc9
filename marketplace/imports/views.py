"""Import of organisations from CSV/XLSX: upload, column mapping with preview, live progress, report."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.access import roles
from marketplace.accounts.models import Role
from marketplace.common import uploads
from marketplace.common.errors import or_404
from marketplace.common.spreadsheets import spreadsheet_download
from marketplace.extensions import db
from marketplace.imports import forms, reading, rows, services
from marketplace.imports.models import IMPORT_STATUS_LABELS, ImportRun, ImportStatus

bp = Blueprint("imports", __name__, url_prefix="/banca-dati/importazioni")

MAX_PAGE = 10_000


def _page() -> int:
    return max(1, min(request.args.get("pagina", 1, type=int) or 1, MAX_PAGE))


def _visible_run(run_id: int) -> ImportRun:
    # Another partner's run answers 404, like a missing one: its existence is not theirs to know.
    run = or_404(services.visible_run(current_user, run_id))
    return run


def _filename(raw: str | None) -> str:
    return (raw or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "file"


@bp.route("", methods=["GET", "POST"])
@roles(Role.PARTNER_ADMIN)
def index():
    form = forms.UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            run = services.create_run(current_user, _filename(upload.filename), upload.read())
        except reading.UnreadableFile as error:
            form.file.errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("File caricato: ora indica quali colonne importare."), "success")
            return redirect(url_for("imports.columns", run_id=run.id))
    page = _page()
    runs, total = services.runs_page(current_user, page)
    return render_template(
        "imports/index.html", form=form, runs=runs, total=total, page=page, page_size=services.PAGE_SIZE,
        status_labels=IMPORT_STATUS_LABELS,
        max_mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
    )  # fmt: skip


@bp.route("/<int:run_id>/colonne", methods=["GET", "POST"])
@roles(Role.PARTNER_ADMIN)
def columns(run_id: int):
    run = _visible_run(run_id)
    if run.status != ImportStatus.UPLOADED:
        return redirect(url_for("imports.detail", run_id=run.id))
    form_class = forms.mapping_form(run.headers)
    if request.method == "POST":
        form = form_class()
        mapping = forms.mapping_of(form)
    else:
        mapping = services.initial_mapping(run)
        form = form_class(data=forms.form_data(mapping))
    start_problems: list[str] = []
    if form.validate_on_submit() and request.form.get("azione") == "avvia":
        try:
            services.start(run, mapping)
        except services.MappingRejected as rejected:
            start_problems = rejected.problems
        else:
            db.session.commit()
            flash(_("Importazione avviata."), "success")
            return redirect(url_for("imports.detail", run_id=run.id))
    try:
        preview = services.preview(run, mapping)
        preview_error = None
    except reading.UnreadableFile as error:
        preview, preview_error = [], str(error.message)
    except uploads.StoredFileMissing:
        preview, preview_error = [], _("Il file caricato non è più disponibile: caricalo di nuovo.")
    return render_template(
        "imports/columns.html", run=run, form=form, fields=forms.mapping_fields(form), mapping=mapping,
        targets=rows.FIELDS_BY_KEY, preview=preview, preview_error=preview_error, start_problems=start_problems,
        mapping_problems=rows.mapping_problems(mapping), preview_size=services.PREVIEW_ROWS,
    )  # fmt: skip


@bp.route("/<int:run_id>")
@roles(Role.PARTNER_ADMIN)
def detail(run_id: int):
    run = _visible_run(run_id)
    if services.recover_if_stalled(run):
        db.session.commit()
    page = _page()
    return render_template(
        "imports/detail.html", run=run, state=services.status_payload(run), status_labels=IMPORT_STATUS_LABELS,
        rejections=services.rejections_page(run, page) if run.rejected_count else [],
        page=page, page_size=services.REJECTIONS_PAGE_SIZE,
        name_column=run.mapping.get("name"), shown_columns=_shown_columns(run),
    )  # fmt: skip


def _shown_columns(run: ImportRun) -> list[tuple[str, int]]:
    """The few original columns that identify a rejected row on the page (the download has them all)."""
    keys = ("vat_number", "tax_code", "municipality")
    return [(run.headers[run.mapping[key]], run.mapping[key]) for key in keys if key in run.mapping]


@bp.route("/<int:run_id>/stato.json")
@roles(Role.PARTNER_ADMIN)
def status(run_id: int):
    run = _visible_run(run_id)
    if services.recover_if_stalled(run):
        db.session.commit()
    response = jsonify(services.status_payload(run))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:run_id>/scarti.<any(csv, xlsx):file_format>")
@roles(Role.PARTNER_ADMIN)
def report(run_id: int, file_format: str):
    run = _visible_run(run_id)
    header, body = services.report_header(run), services.report_rows(run)
    return spreadsheet_download(header, body, file_format, title=_("Righe scartate"),
                                filename=f"scarti-importazione-{run.id}")  # fmt: skip
