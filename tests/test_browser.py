"""End to end in a real Chromium (Debian's), driven by Playwright, with axe-core checks."""

from __future__ import annotations

import json

import pytest

from marketplace.accounts.models import Role
from marketplace.extensions import db
from tests import factories
from tests.browser_support import serious_violations

pytestmark = pytest.mark.browser


def test_login_reaches_the_dashboard(live_server, page):
    org = factories.organization("Cooperativa Sociale Il Girasole")
    factories.user(Role.COMPANY, email="girasole@example.org", organization_id=org.id)
    db.session.commit()

    page.goto(f"{live_server}/accedi")
    page.get_by_label("Email").fill("girasole@example.org")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{live_server}/area-personale")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Area personale"
    assert "Utente Prova" in page.content()


def test_home_page_has_no_serious_accessibility_violations(live_server, page):
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "it"
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
