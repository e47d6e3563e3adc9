"""Locale selection (the visitor's choice, else their account's, else Italian) and how moments are written."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, session
from flask_babel import format_datetime
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


def moment_text(value: datetime | None) -> str:
    """A moment as the pages write it (30/11/2026 14:05, in the site's time zone); empty when None."""
    return format_datetime(value, "dd/MM/yyyy HH:mm") if value else ""
