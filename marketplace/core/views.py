"""Home page, language switch, health check, the developer mail page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from sqlalchemy import text

from marketplace.access import public
from marketplace.extensions import db
from marketplace.i18n import SUPPORTED_LOCALES
from marketplace.mail.services import delivers_by_smtp, recent_messages

bp = Blueprint("core", __name__)


@bp.route("/")
@public
def home():
    return render_template("core/home.html")


@bp.route("/lingua/<code>", methods=["POST"])
@public
def set_language(code: str):
    if code not in SUPPORTED_LOCALES:
        abort(404)
    session["locale"] = code
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("core.home")
    return redirect(target)


def _database_state() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:
        db.session.rollback()
        return f"error: {type(error).__name__}"
    return "ok"


def _redis_state() -> str:
    settings = current_app.config["SETTINGS"]
    if not settings.redis_url:
        return "disabled"
    try:
        current_app.extensions["jobs"].connection.ping()
    except Exception as error:
        return f"error: {type(error).__name__}"
    return "ok"


def _search_state() -> str:
    backend = current_app.extensions["search"]
    state = backend.health()
    return state if backend.name == "elasticsearch" else f"embedded: {state}"


@bp.route("/healthz")
@public
def healthz():
    checks = {"database": _database_state(), "redis": _redis_state(), "elasticsearch": _search_state()}
    healthy = all(value == "ok" or value.startswith(("disabled", "embedded: ok")) for value in checks.values())
    return jsonify(status="ok" if healthy else "degraded", checks=checks), 200 if healthy else 503


@bp.route("/sviluppo/email")
@public
def dev_mail():
    """Embedded mode only: messages are shown here instead of being sent.

    Never on a full-stack site, even one whose SMTP is not configured yet: the page
    would show password-reset links to anyone.
    """
    if delivers_by_smtp() or not current_app.config["SETTINGS"].embedded:
        abort(404)
    return render_template("core/dev_mail.html", messages=recent_messages())
