"""Locale selection: the visitor's choice, else their account's, else Italian."""

from __future__ import annotations

from flask import session
from flask_login import current_user

SUPPORTED_LOCALES = ("it", "en")
DEFAULT_LOCALE = "it"


def select_locale() -> str:
    chosen = session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in SUPPORTED_LOCALES:
        return current_user.locale
    return DEFAULT_LOCALE
