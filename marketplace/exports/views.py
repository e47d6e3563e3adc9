"""The asker's exports: their progress, and the file to download while it is kept."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from marketplace.access import roles
from marketplace.accounts.models import Role
from marketplace.common.errors import or_404
from marketplace.common.spreadsheets import MIMETYPES
from marketplace.common.uploads import stored_download
from marketplace.exports import services
from marketplace.exports.models import EXPORT_STATUS_LABELS, ExportRun
from marketplace.extensions import db

bp = Blueprint("exports", __name__, url_prefix="/banca-dati/esportazioni")
STAFF = (Role.OPERATOR, Role.PARTNER_ADMIN)


def _own_run(run_id: int) -> ExportRun:
    # Somebody else's export answers 404, like a missing one.
    run = or_404(services.visible_run(current_user, run_id))
    if services.recover_if_stalled(run):
        db.session.commit()
    return run


def _page_context() -> dict:
    return {"status_labels": EXPORT_STATUS_LABELS, "expires_at": services.expires_at,
            "download_name": services.download_name}  # fmt: skip


@bp.route("")
@roles(*STAFF)
def index():
    return render_template("exports/index.html", runs=services.runs_of(current_user), **_page_context())


@bp.route("/<int:run_id>")
@roles(*STAFF)
def detail(run_id: int):
    run = _own_run(run_id)
    return render_template("exports/detail.html", run=run, state=services.status_payload(run),
                           ready=services.stored_file(run) is not None, **_page_context())  # fmt: skip


@bp.route("/<int:run_id>/stato.json")
@roles(*STAFF)
def status(run_id: int):
    response = jsonify(services.status_payload(_own_run(run_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:run_id>/file")
@roles(*STAFF)
def download(run_id: int):
    run = _own_run(run_id)
    path = or_404(services.stored_file(run))
    return stored_download(path, services.download_name(run), MIMETYPES[run.file_format])
