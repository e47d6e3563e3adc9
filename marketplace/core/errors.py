"""Italian-first error pages; JSON for the API."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("Richiesta non valida"),
        _l("La richiesta non è valida o il modulo è scaduto. Ricarica la pagina e riprova."),
    ),
    403: (_l("Accesso non consentito"), _l("Non hai i permessi per vedere questa pagina.")),
    404: (_l("Pagina non trovata"), _l("La pagina che cerchi non esiste o è stata spostata.")),
    405: (_l("Operazione non consentita"), _l("Questa operazione non è consentita su questa pagina.")),
    413: (_l("File troppo grande"), _l("Il file che hai inviato supera la dimensione massima consentita.")),
    429: (
        _l("Troppi tentativi"),
        _l("Hai fatto troppi tentativi in poco tempo. Attendi qualche minuto e riprova."),
    ),
    500: (
        _l("Errore del sistema"),
        _l("Si è verificato un errore imprevisto. Il problema è stato registrato: riprova più tardi."),
    ),
}


def _render(code: int):
    title, message = MESSAGES.get(code) or MESSAGES[400 if code < 500 else 500]
    if request.path.startswith("/api/"):
        return jsonify(error={"code": code, "message": str(message)}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def handle_http_error(error: HTTPException):
    return _render(error.code or 500)


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    log.exception("unhandled error on %s", request.path)
    return _render(InternalServerError.code)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
