"""Opportunità: the Flask application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from marketplace.config import PROJECT_ROOT, Settings


def create_app(overrides: dict[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    """Build the app. `settings` defaults to the environment; `overrides` patch Flask config."""
    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.from_mapping(settings.flask_config())
    if overrides:
        app.config.update(overrides)
    if proxies := app.config["TRUSTED_PROXIES"]:
        # The client's address and scheme as the proxies saw them: rate limits, logs and
        # external URLs then concern the real client, not the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("marketplace", "jobs", "search"):
        logging.getLogger(name).setLevel(logging.INFO)

    _init_extensions(app)
    _register_blueprints(app)
    _init_services(app)

    from marketplace import access, cli
    from marketplace.core import errors, templating

    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    access.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    # Importing the models registers them (and the session hooks) before first use.
    from marketplace import (
        i18n,
        models,  # noqa: F401
    )
    from marketplace.accounts import services as account_services
    from marketplace.extensions import babel, csrf, db, limiter, login_manager, migrate
    from marketplace.indexing import hooks  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "marketplace" / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Accedi per continuare.")
    login_manager.user_loader(account_services.find_by_session_token)


def _register_blueprints(app: Flask) -> None:
    from marketplace.accounts.views import bp as accounts_bp
    from marketplace.candidates.views import bp as candidates_bp
    from marketplace.core.views import bp as core_bp
    from marketplace.opportunities.views import bp as opportunities_bp
    from marketplace.organizations.views import bp as organizations_bp

    for blueprint in (core_bp, accounts_bp, opportunities_bp, organizations_bp, candidates_bp):
        app.register_blueprint(blueprint)
    # The company database's agreements and relationship history.
    from marketplace.agreements.views import bp as agreements_bp
    from marketplace.interactions.views import bp as interactions_bp

    app.register_blueprint(agreements_bp)
    app.register_blueprint(interactions_bp)
    # Company self-service claims and the merge of duplicate organisations.
    from marketplace.organizations.claim_views import bp as claims_bp
    from marketplace.organizations.merge_views import bp as merge_bp

    app.register_blueprint(claims_bp)
    app.register_blueprint(merge_bp)
    # The company database's list, exports and saved filters.
    from marketplace.organizations.list_views import bp as organization_list_bp

    app.register_blueprint(organization_list_bp)
    # Spreadsheet imports of organisations.
    from marketplace.imports.views import bp as imports_bp

    app.register_blueprint(imports_bp)
    # Long exports, written by a job and downloaded from their own page.
    from marketplace.exports.views import bp as exports_bp

    app.register_blueprint(exports_bp)
    # The opportunity editor: writing, review and the workflow history.
    from marketplace.opportunities.editor_views import bp as opportunity_editor_bp

    app.register_blueprint(opportunity_editor_bp)
    # Saved searches and their alert digests.
    from marketplace.alerts.views import bp as alerts_bp

    app.register_blueprint(alerts_bp)
    # Applications (candidature) and the organisation's pipeline of applicants.
    from marketplace.applications.views import bp as applications_bp

    app.register_blueprint(applications_bp)
    # The candidate's own personal record and profile.
    from marketplace.candidates.profile_views import bp as candidate_profile_bp

    app.register_blueprint(candidate_profile_bp)
    # The JSON API (/api/v1) and the pages where partner_admins manage its tokens.
    from marketplace.api.token_views import bp as api_tokens_bp
    from marketplace.api.views import bp as api_v1_bp

    app.register_blueprint(api_v1_bp)
    app.register_blueprint(api_tokens_bp)


def _init_services(app: Flask) -> None:
    from jobs.dispatch import init_app as init_jobs
    from marketplace.extensions import db
    from search import build_backend

    settings: Settings = app.config["SETTINGS"]
    init_jobs(app)
    from marketplace.common.cache import build_cache

    app.extensions["cache"] = build_cache(settings.redis_url)
    with app.app_context():
        engine = db.engine
    app.extensions["search"] = build_backend(
        elasticsearch_url=settings.elasticsearch_url, index_prefix=settings.search_index_prefix, engine=engine
    )
