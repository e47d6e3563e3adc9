"""API tokens in a real Chromium: create one, use it against the running API, revoke it; axe on each page."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from marketplace.accounts.models import Role
from marketplace.extensions import db
from tests import factories
from tests.browser_support import serious_violations

pytestmark = pytest.mark.browser


def _post_json(url: str, body: dict, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_create_use_and_revoke_a_token_in_a_browser(live_server, page):
    admin = factories.user(Role.PARTNER_ADMIN, email="referente.api@example.org")
    org = factories.organization("Cooperativa Sociale Il Ponte")
    db.session.commit()
    violations = []

    page.goto(f"{live_server}/accedi")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{live_server}/area-personale")

    page.goto(f"{live_server}/gestione/token-api/")
    violations += serious_violations(page)
    page.get_by_label("Nome del token").fill("Gestionale del SIL")
    page.get_by_role("button", name="Crea il token").click()
    secret = page.get_by_label("Token «Gestionale del SIL»").input_value()
    assert secret.startswith("opp_")
    violations += serious_violations(page)

    body = {
        "organization_id": org.id,
        "title": "Tirocinio in falegnameria",
        "description": "Affiancamento a un artigiano esperto, con tutor.",
        "kind": "internship",
    }
    status, created = _post_json(f"{live_server}/api/v1/opportunities", body, secret)
    assert status == 201 and created["status"] == "draft"

    page.get_by_role("link", name="Ho copiato il token").click()
    row = page.get_by_role("row", name="Gestionale del SIL")
    assert secret not in page.content()
    row.get_by_role("button", name="Revoca").click()
    page.get_by_text("revocato: da adesso non funziona più").wait_for()
    violations += serious_violations(page)
    status, refused = _post_json(f"{live_server}/api/v1/opportunities", body, secret)
    assert status == 401 and refused["error"]["code"] == 401

    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    violations += serious_violations(page)
    assert violations == []
