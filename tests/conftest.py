"""Shared fixtures: the app on real PostgreSQL, Redis and Elasticsearch.

The services come from `scripts/services.sh` (started by `make test`). A missing
service is an error, never a skip: these tests exist to exercise the real thing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import text

from marketplace import create_app
from marketplace.config import Settings
from marketplace.extensions import db
from tests.browser_support import chromium_page, serve
from tests.smtp import SmtpSink

REQUIRED_ENV = ("TEST_DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL")
# Parallel runs (several checkouts on one machine) can each set their own prefix.
TEST_INDEX_PREFIX = os.environ.get("TEST_SEARCH_PREFIX", "test-opportunita")
TERRITORY_TABLES = {"districts", "municipalities", "sectors", "alembic_version"}


def pytest_configure(config: pytest.Config) -> None:
    missing = [name for name in REQUIRED_ENV if not os.environ.get(name)]
    if missing:
        raise pytest.UsageError(
            f"missing {', '.join(missing)}: run the suite with `make test`, which starts the services"
        )


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def settings(smtp_sink: SmtpSink, tmp_path_factory) -> Settings:
    return Settings(
        # Never the developer's instance/uploads: workers started by tests sweep what they store.
        upload_folder=str(tmp_path_factory.mktemp("uploads")),
        database_url=os.environ["TEST_DATABASE_URL"],
        redis_url=os.environ["REDIS_URL"],
        elasticsearch_url=os.environ["ELASTICSEARCH_URL"],
        secret_key="test-secret-key-not-for-production",
        cookie_secure=True,
        mail_server="127.0.0.1",
        mail_port=smtp_sink.port,
        search_index_prefix=TEST_INDEX_PREFIX,
    )


def _reset_database() -> None:
    """Drop everything and rebuild through the migrations: they are under test too."""
    from flask_migrate import upgrade

    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade()


class IsolatedClient(FlaskClient):
    """Each request gets a fresh `g`, as it would in production.

    Tests keep an app context pushed (for factories and the shared transaction) and
    Flask reuses it for test requests; without this, per-request caches kept on `g`
    (Flask-Login's current user, Flask-WTF's CSRF token) would leak between clients.
    """

    def open(self, *args, **kwargs):
        if not has_app_context():
            return super().open(*args, **kwargs)
        saved = dict(g.__dict__)
        g.__dict__.clear()
        try:
            return super().open(*args, **kwargs)
        finally:
            g.__dict__.clear()
            g.__dict__.update(saved)


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app({"TESTING": True}, settings=settings)
    app.test_client_class = IsolatedClient
    from marketplace.extensions import limiter

    app.extensions["test_limiter_storage"] = (limiter._storage, limiter._limiter)
    with app.app_context():
        _reset_database()
        from marketplace.territory.services import load_all

        load_all()
        db.session.commit()
        backend = app.extensions["search"]
        backend.drop_indexes()
        backend.ensure_indexes()
        db.session.remove()
    yield app


@pytest.fixture(autouse=True)
def _fresh_redis(settings: Settings, app: Flask) -> None:
    """Rate-limit counters and queued jobs never leak from one test into the next.

    The limiter is one module-level object: a test that builds a second (embedded) app re-binds
    it to that app's in-memory storage, whose counters no flush would clear. Bind it back to the
    session app's Redis storage.
    """
    from marketplace.extensions import limiter

    storage, strategy = app.extensions["test_limiter_storage"]
    limiter._storage, limiter._limiter = storage, strategy
    Redis.from_url(settings.redis_url).flushdb()


@pytest.fixture
def db_session(app: Flask) -> Iterator:
    """A session inside a transaction rolled back after the test.

    Code under test commits as usual; with join_transaction_mode="create_savepoint"
    those commits release savepoints of the outer transaction instead.
    """
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        engines = db.engines
        real_engine = engines[None]
        engines[None] = connection  # every session now joins this transaction
        original_session = db.session
        db.session = db._make_scoped_session({"join_transaction_mode": "create_savepoint"})
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original_session
            engines[None] = real_engine
            outer.rollback()
            connection.close()


@pytest.fixture
def backend(app: Flask, db_session):
    """The Elasticsearch backend with empty indexes (test modules may override it)."""
    search = app.extensions["search"]
    search.drop_indexes()
    search.ensure_indexes()
    return search


@pytest.fixture
def committed(app: Flask) -> Iterator:
    """Real commits, for tests where another process (a worker) must see the data."""
    with app.app_context():
        yield db.session
        db.session.remove()
        tables = [t for t in db.metadata.sorted_tables if t.name not in TERRITORY_TABLES]
        with db.engine.begin() as conn:
            names = ", ".join(t.name for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        # Ids start again from 1, so documents indexed under them must go too: a later test's
        # row 1 (version 2) would otherwise lose, as stale, to this test's row 1 (version 5).
        search = app.extensions["search"]
        search.drop_indexes()
        search.ensure_indexes()


def worker_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "ELASTICSEARCH_URL": settings.elasticsearch_url or "",
        "SECRET_KEY": settings.secret_key,
        "SEARCH_INDEX_PREFIX": settings.search_index_prefix,
        "MAIL_SERVER": settings.mail_server or "",
        "MAIL_PORT": str(settings.mail_port),
        "UPLOAD_FOLDER": settings.upload_folder or "",
    }


@pytest.fixture
def start_worker(settings: Settings) -> Iterator:
    """Start real RQ worker processes (`python -m jobs.worker`); all are stopped afterwards."""
    started: list[subprocess.Popen] = []

    def start(*args: str) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "-m", "jobs.worker", *args], env=worker_env(settings))
        started.append(process)
        return process

    yield start
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def upload_folder(app: Flask, tmp_path, monkeypatch) -> Path:
    """A folder of the test's own for uploaded files, so that what is (not) stored can be counted."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


EMBEDDED_STAFF_EMAIL = "embedded.staff@example.org"


@pytest.fixture(scope="module")
def embedded_app(tmp_path_factory) -> Flask:
    """The app in embedded mode (SQLite, no Redis or Elasticsearch) with one partner_admin: jobs run in-process."""
    from flask_migrate import upgrade

    from marketplace.accounts.models import Role
    from marketplace.territory.services import load_all
    from tests import factories

    folder = tmp_path_factory.mktemp("embedded")
    settings = Settings.from_env(
        {"DATABASE_URL": f"sqlite:///{folder / 'embedded.sqlite3'}", "INSTANCE_PATH": str(folder)}
    )
    settings.secret_key = "embedded-test"
    embedded = create_app({"TESTING": True}, settings=settings)
    embedded.test_client_class = IsolatedClient
    with embedded.app_context():
        upgrade()
        embedded.extensions["search"].ensure_indexes()  # the SQLite full-text tables
        load_all()
        factories.user(Role.PARTNER_ADMIN, email=EMBEDDED_STAFF_EMAIL)
        db.session.commit()
        db.session.remove()
    return embedded


@pytest.fixture
def client(app: Flask, db_session) -> FlaskClient:
    return app.test_client()


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login(client: FlaskClient, email: str, password: str, **extra):
    token = csrf_token(client, "/accedi")
    return client.post("/accedi", data={"email": email, "password": password, "csrf_token": token, **extra})


def logout(client: FlaskClient):
    token = csrf_token(client, "/area-personale")
    return client.post("/esci", data={"csrf_token": token})


@pytest.fixture
def live_server(app: Flask, committed) -> Iterator[str]:
    yield from serve(app)


@pytest.fixture
def page() -> Iterator:
    yield from chromium_page()
