"""Deny by default, and the first role × object rules."""

from __future__ import annotations

from marketplace.access import ACCESS_ATTR
from marketplace.accounts.models import Role
from tests import factories
from tests.conftest import login


def test_every_endpoint_declares_who_may_open_it(app):
    undeclared = [
        rule.endpoint for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], ACCESS_ATTR, None) is None
    ]  # fmt: skip
    assert undeclared == []


def test_an_undeclared_view_is_refused(app):
    # A view someone forgot to declare must not be reachable.
    from flask import Flask

    probe = Flask(__name__)
    from marketplace import access

    probe.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    access.init_app(probe)
    assert probe.test_client().get("/forgotten").status_code == 403


def test_anonymous_is_sent_to_login_for_private_pages(client):
    response = client.get("/operatori/persone")
    assert response.status_code == 302 and "/accedi" in response.headers["Location"]


def test_candidate_cannot_open_an_operator_page(client):
    factories.user(Role.CANDIDATE, email="cand@example.org")
    login(client, "cand@example.org", factories.PASSWORD)
    response = client.get("/operatori/persone")
    assert response.status_code == 403
    assert "Accesso non consentito" in response.get_data(as_text=True)


def test_operator_and_partner_admin_open_the_people_page(client):
    factories.person(first_name="Marco", last_name="Galli")
    for role in (Role.OPERATOR, Role.PARTNER_ADMIN, Role.ADMIN):
        email = f"{role.value}@example.org"
        factories.user(role, email=email)
        login(client, email, factories.PASSWORD)
        response = client.get("/operatori/persone")
        assert response.status_code == 200, role
        assert "Galli" in response.get_data(as_text=True)
        client.delete_cookie("session")


def test_company_manages_its_own_organization_only(client):
    own = factories.organization("Cooperativa Il Ponte")
    other = factories.organization("Officine Adda S.p.A.")
    factories.user(Role.COMPANY, email="staff@ponte.example.org", organization_id=own.id)
    login(client, "staff@ponte.example.org", factories.PASSWORD)
    assert client.get(f"/organizzazioni/{own.id}/gestione").status_code == 200
    assert client.get(f"/organizzazioni/{other.id}/gestione").status_code == 403


def test_candidate_and_operator_cannot_manage_organizations(client):
    org = factories.organization()
    for role in (Role.CANDIDATE, Role.OPERATOR):
        email = f"m-{role.value}@example.org"
        factories.user(role, email=email)
        login(client, email, factories.PASSWORD)
        assert client.get(f"/organizzazioni/{org.id}/gestione").status_code == 403, role
        client.delete_cookie("session")


def test_public_pages_are_open(client):
    org = factories.organization("Cooperativa Sociale La Rete")
    opportunity = factories.opportunity(org)
    assert client.get(f"/organizzazioni/{org.id}").status_code == 200
    assert client.get(f"/opportunita/{opportunity.id}").status_code == 200


def test_drafts_are_not_public(client):
    from marketplace.opportunities.models import OpportunityStatus

    draft = factories.opportunity(status=OpportunityStatus.DRAFT, published_at=None)
    assert client.get(f"/opportunita/{draft.id}").status_code == 404
