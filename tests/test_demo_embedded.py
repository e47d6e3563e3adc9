"""`make run`'s path: embedded mode, demo data, a working login for every role, search with facets."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade

from marketplace import create_app
from marketplace.config import Settings
from marketplace.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_demo
from marketplace.extensions import db
from tests.conftest import IsolatedClient, login


@pytest.fixture(scope="module")
def embedded_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("embedded")
    settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}", "INSTANCE_PATH": str(folder)})
    settings.secret_key = "embedded-test"
    app = create_app({"TESTING": True}, settings=settings)
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--scale", "120"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "admin@demo.opportunita.it" in result.output
    return app


def test_every_demo_role_can_sign_in(embedded_app):
    for _label, email in DEMO_LOGINS:
        client = embedded_app.test_client()
        response = login(client, email, DEMO_PASSWORD)
        assert response.status_code == 302, email
        assert client.get("/area-personale").status_code == 200, email


def test_embedded_search_finds_demo_opportunities_with_facets(embedded_app):
    from search import OpportunityQuery

    with embedded_app.app_context():
        backend = embedded_app.extensions["search"]
        everything = backend.search_opportunities(OpportunityQuery(per_page=100))
        assert everything.total > 50
        kinds = {facet.value for facet in everything.facets["kind"]}
        assert len(kinds) >= 8
        word = everything.hits[0].source["display_title"].split()[0]
        assert backend.search_opportunities(OpportunityQuery(text=word)).total >= 1
    page = embedded_app.test_client().get("/opportunita/?q=tirocinio")
    assert page.status_code == 200 and "opportunit" in page.get_data(as_text=True)


def test_the_demo_partner_admin_finds_organisations_entered_twice(embedded_app):
    import html

    from sqlalchemy import select

    from marketplace.demo.accounts import PARTNER_ADMIN_EMAIL
    from marketplace.organizations.models import Organization

    with embedded_app.app_context():
        # The look-alikes are seeded last: the two newest organisations.
        retyped, association = db.session.scalars(select(Organization).order_by(Organization.id.desc()).limit(2))
        retyped, association = association, retyped
        assert retyped.vat_number is None and retyped.tax_code is None
        assert association.vat_number and association.tax_code is None
        names = (retyped.name, association.name)
        db.session.remove()
    client = embedded_app.test_client()
    login(client, PARTNER_ADMIN_EMAIL, DEMO_PASSWORD)
    page = html.unescape(client.get("/banca-dati/duplicati").get_data(as_text=True))
    assert all(name in page for name in names), names
    assert "Stessa partita IVA o codice fiscale" in page  # the association's codice fiscale entered as a P.IVA


def test_demo_data_is_deterministic(tmp_path):
    def titles(path):
        settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{path}", "INSTANCE_PATH": str(tmp_path)})
        settings.secret_key = "x"
        app = create_app({"TESTING": True}, settings=settings)
        with app.app_context():
            upgrade()
            from marketplace.territory.services import load_all

            load_all()
            seed_demo(db.session, scale=40, seed=7)
            db.session.commit()
            from sqlalchemy import select

            from marketplace.opportunities.models import Opportunity

            return list(db.session.scalars(select(Opportunity.title).order_by(Opportunity.id)))

    assert titles(tmp_path / "a.sqlite3") == titles(tmp_path / "b.sqlite3")
