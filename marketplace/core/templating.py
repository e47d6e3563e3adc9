"""Template globals shared by every page."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

from marketplace.accounts.models import ROLE_LABELS, Role
from marketplace.common.markdown import render_markdown
from marketplace.i18n import SUPPORTED_LOCALES, moment_text

LOCALE_NAMES = {"it": "Italiano", "en": "English"}


def init_app(app: Flask) -> None:
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(moment_text, "moment")

    @app.context_processor
    def globals_for_templates() -> dict:
        return {
            "current_locale": str(get_locale() or "it"),
            "supported_locales": SUPPORTED_LOCALES,
            "locale_names": LOCALE_NAMES,
            "Role": Role,
            "role_labels": ROLE_LABELS,
            "embedded_mode": app.config["SETTINGS"].embedded,
        }
