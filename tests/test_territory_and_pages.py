"""Territory data, the health check, error pages, languages, and the embedded mode."""

from __future__ import annotations

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.territory.models import District, Municipality, Sector


def test_every_comune_of_the_metropolitan_city_is_loaded(db_session):
    assert db_session.scalar(select(func.count()).select_from(Municipality)) == 133
    gorgonzola = db_session.get(Municipality, "015108")
    assert gorgonzola.name == "Gorgonzola" and gorgonzola.district.code == "cernusco"
    assert 45.50 < gorgonzola.latitude < 45.56 and 9.37 < gorgonzola.longitude < 9.44
    cassina = db_session.scalar(select(Municipality).where(Municipality.name == "Cassina de' Pecchi"))
    assert cassina.district.code == "cernusco"


def test_districts_group_the_adda_martesana(db_session):
    counts = dict(
        db_session.execute(
            select(District.code, func.count(Municipality.istat_code)).join(Municipality).group_by(District.code)
        ).all()
    )
    assert counts == {"melzo": 8, "pioltello": 4, "cernusco": 9, "trezzo": 7}


def test_ateco_2025_sectors_are_loaded(db_session):
    warehousing = db_session.get(Sector, "52.10")
    assert warehousing is not None and warehousing.section_code == "H"
    assert db_session.scalar(select(func.count()).select_from(Sector).where(Sector.level == "section")) >= 21


def test_healthz_reports_every_service(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "redis": "ok", "elasticsearch": "ok"}


def test_home_is_italian_by_default_and_switches_to_english(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="it"' in page and "Opportunità" in page and "Vai al contenuto principale" in page
    from tests.conftest import csrf_token

    token = csrf_token(client, "/")
    client.post("/lingua/en", data={"csrf_token": token, "next": "/"})
    english = client.get("/").get_data(as_text=True)
    assert '<html lang="en"' in english and "Skip to main content" in english


def test_error_pages_are_italian(client):
    missing = client.get("/non-esiste")
    assert missing.status_code == 404 and "Pagina non trovata" in missing.get_data(as_text=True)
    wrong_method = client.post("/healthz")
    assert wrong_method.status_code in {400, 405}


def test_too_large_upload_gets_413_page(app, client):
    response = client.post("/accedi", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
                           content_type="application/octet-stream")  # fmt: skip
    assert response.status_code == 413
    assert "File troppo grande" in response.get_data(as_text=True)


def test_unexpected_errors_get_the_italian_500_page(app, client):
    from marketplace.core.errors import handle_unexpected

    with app.test_request_context("/qualcosa"):
        body, status = handle_unexpected(RuntimeError("boom"))
    assert status == 500 and "Errore del sistema" in body


def test_search_page_never_fails_on_bad_parameters(client):
    for query in ("?km=-5&comune=999999", "?page=abc", "?sort=drop", "?q=%22((", "?kind=nope"):
        assert client.get(f"/opportunita/{query}").status_code == 200, query


def test_embedded_mode_boots_and_serves_the_italian_home(tmp_path, monkeypatch):
    """`make run`'s mode: SQLite file, no Redis, no Elasticsearch."""
    from flask_migrate import upgrade

    from marketplace import create_app
    from marketplace.config import Settings

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"})
    assert settings.embedded and settings.cookie_secure is False
    app = create_app({"TESTING": True}, settings=settings)
    with app.app_context():
        upgrade()
        from marketplace.territory.services import load_all

        load_all()
        db.session.commit()
        app.extensions["search"].ensure_indexes()
        db.session.remove()
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 200 and '<html lang="it"' in page.get_data(as_text=True)
    health = client.get("/healthz").json
    assert health["checks"] == {"database": "ok", "redis": "disabled", "elasticsearch": "embedded: ok"}
    assert client.get("/opportunita/?q=tirocinio").status_code == 200
    assert client.get("/sviluppo/email").status_code == 200


def test_search_page_degrades_when_elasticsearch_is_unreachable(app, client, monkeypatch):
    from search.elastic import ElasticBackend

    # A real client pointed at a closed port: what the page sees when the cluster is down.
    dead = ElasticBackend("http://127.0.0.1:9", index_prefix="nowhere")
    dead.client = dead.client.options(max_retries=0, request_timeout=2)
    monkeypatch.setitem(app.extensions, "search", dead)
    response = client.get("/opportunita/?q=tirocinio")
    assert response.status_code == 503
    assert "La ricerca non è disponibile" in response.get_data(as_text=True)


def test_developer_mail_page_is_never_served_by_a_full_stack_site(client):
    assert client.get("/sviluppo/email").status_code == 404
