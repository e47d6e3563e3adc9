"""Locale selection: the visitor's choice, else their account's, else Italian."""

from __future__ import annotations

from flask import has_request_context, session
from flask_login import current_user

SUPPORTED_LOCALES = ("it", "en")
DEFAULT_LOCALE = "it"


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT_LOCALE  # jobs and CLI commands: callers pick a recipient's language explicitly
    chosen = session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in SUPPORTED_LOCALES:
        return current_user.locale
    return DEFAULT_LOCALE
