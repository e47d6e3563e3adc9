"""The company-database list in a real Chromium: filters, a saved filter, the phone layout, axe-core."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.organizations.models import OrganizationKind
from tests import factories
from tests import factories_org_list as more
from tests.browser_support import serious_violations
from tests.test_organization_list import LIST, TODAY, index

pytestmark = pytest.mark.browser


def test_list_in_a_browser_saves_a_filter_without_accessibility_violations(app, live_server, page):
    operator = factories.user(Role.OPERATOR)
    melzo = factories.organization("Officine Melzo S.r.l.", kind=OrganizationKind.SRL, municipality_code="015142")
    more.profile(melzo, "pcto")
    more.agreement(melzo, TODAY - timedelta(days=10), TODAY + timedelta(days=100))
    coop = factories.organization("Cooperativa Il Melograno", kind=OrganizationKind.SOCIAL_COOP_B)
    db.session.commit()
    search = app.extensions["search"]
    search.drop_indexes()  # ids restart in these committed tests: no old document may hold them
    search.ensure_indexes()
    index(search, melzo, coop)

    page.goto(f"{live_server}/accedi")
    page.get_by_label("Email").fill(operator.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{live_server}/area-personale")
    page.goto(f"{live_server}{LIST}?scheme=pcto&agreement=1")
    assert page.get_by_role("heading", level=2, name="1 organizzazione trovata").is_visible()
    assert page.get_by_role("link", name="Officine Melzo S.r.l.").is_visible()
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)

    page.get_by_label("Nome del filtro").fill("PCTO convenzionate")
    page.get_by_role("button", name="Salva il filtro").click()
    page.wait_for_url(f"{live_server}{LIST}?scheme=pcto&agreement=1")
    page.goto(f"{live_server}{LIST}")
    page.get_by_role("link", name="PCTO convenzionate").click()
    page.wait_for_url(f"{live_server}{LIST}?scheme=pcto&agreement=1")
    assert page.get_by_role("heading", level=2, name="1 organizzazione trovata").is_visible()

    # Mobile first: on a phone the filters fold behind a button, and the page still passes axe.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}{LIST}")
    toggle = page.get_by_role("button", name="Mostra o nascondi i filtri")
    assert toggle.is_visible() and not page.get_by_label("Ambito").is_visible()
    toggle.click()
    page.get_by_label("Ambito").wait_for(state="visible")
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
