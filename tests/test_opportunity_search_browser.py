"""The public search on a phone-sized Chromium: typeahead, a facet, the URL as state, the back button."""

from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from marketplace.extensions import db
from marketplace.indexing import services as indexing
from marketplace.opportunities.models import OpportunityKind
from tests import factories
from tests.browser_support import serious_violations

pytestmark = pytest.mark.browser


def test_phone_search_with_typeahead_facet_and_back_button(app, live_server, page):
    today = date.today()
    org = factories.organization("Cooperativa Sociale Il Melograno")
    course = factories.opportunity(org, title="Corso di cucina per principianti", kind=OpportunityKind.COURSE,
                                   description="Cucina di base e igiene.", allowance_eur=None,
                                   start_date=today + timedelta(days=15))  # fmt: skip
    kitchen = factories.opportunity(org, title="Tirocinio in cucina", kind=OpportunityKind.INTERNSHIP,
                                    description="Aiuto in mensa.", municipality_code="015142")  # fmt: skip
    other = factories.opportunity(org, title="Magazziniere", description="Carico e scarico.")
    db.session.commit()
    search = app.extensions["search"]
    search.drop_indexes()  # ids restart in these committed tests: no old document may hold them
    search.ensure_indexes()
    assert search.apply([indexing.opportunity_action(o.id) for o in (course, kitchen, other)]).failed == []
    search.refresh("opportunities")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/opportunita/")
    assert page.get_by_role("heading", level=2, name="3 opportunità").is_visible()

    # Typing offers suggestions in an accessible listbox; picking one searches for it.
    # The script made the search box a combobox.
    combo = page.get_by_role("combobox", name="Cosa cerchi")
    combo.click()
    combo.press_sequentially("cuc", delay=60)
    listbox = page.get_by_role("listbox", name="Suggerimenti")
    listbox.wait_for(state="visible")
    assert combo.get_attribute("aria-expanded") == "true"
    option = listbox.get_by_role("option", name="Tirocinio in cucina")
    assert option.is_visible()
    combo.press("ArrowDown")
    assert combo.get_attribute("aria-activedescendant")
    option.click()
    page.wait_for_url("**/opportunita/?q=Tirocinio+in+cucina*")
    assert page.get_by_role("heading", level=2, name="1 opportunità").is_visible()
    assert page.get_by_role("link", name="Tirocinio in cucina", exact=True).is_visible()

    # A broader search, submitted from the keyboard (no suggestion chosen). Empty fields of the
    # GET form are not kept: the page redirects to the canonical URL.
    combo.fill("cucina")
    combo.press("Enter")
    page.wait_for_url("**/opportunita/?q=cucina")
    # Let the page settle (scripts, a late suggestion request of the previous page) before the filters.
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=2, name="2 opportunità").is_visible()

    # On a phone the filters fold behind a button; a facet with its count narrows the results.
    filters = page.get_by_role("button", name="Filtri")
    assert filters.is_visible()
    facet = page.get_by_role("checkbox", name="Corso di formazione")
    assert not facet.is_visible()
    filters.click()
    facet.wait_for(state="visible")
    label = page.locator("label[for='kind-course']")
    assert "(1)" in label.inner_text()
    label.click()  # Bootstrap Italia draws the box on the label
    assert facet.is_checked()
    page.get_by_role("button", name="Applica i filtri").click()
    try:
        page.wait_for_url("**/opportunita/?q=cucina&kind=course")
    except Exception as error:  # say where the browser ended up, not only that it timed out
        raise AssertionError(f"after applying the filters the page is at {page.url}") from error
    assert parse_qs(urlparse(page.url).query) == {"q": ["cucina"], "kind": ["course"]}
    assert page.get_by_role("heading", level=2, name="1 opportunità").is_visible()
    assert page.get_by_role("link", name="Corso di cucina per principianti", exact=True).is_visible()
    assert page.get_by_role("link", name="Tirocinio in cucina", exact=True).count() == 0
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)

    # Back restores the previous results and the form with them.
    page.go_back()
    page.wait_for_url("**/opportunita/?q=cucina")
    assert page.get_by_role("heading", level=2, name="2 opportunità").is_visible()
    assert page.get_by_role("link", name="Tirocinio in cucina", exact=True).is_visible()
    assert page.get_by_role("combobox", name="Cosa cerchi").input_value() == "cucina"
