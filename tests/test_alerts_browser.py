"""Saving a search and managing alerts in a real Chromium, with axe-core on every page."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.alerts.models import AlertFrequency, SavedSearch
from marketplace.extensions import db
from marketplace.indexing import services as indexing
from marketplace.models_base import utcnow
from tests import factories
from tests.browser_support import AXE, WCAG_TAGS, serious_violations

pytestmark = pytest.mark.browser


def assert_accessible(page) -> None:
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)


def assert_section_accessible(page, selector: str) -> None:
    """axe-core on one part of a page another helper owns (the search page): only the alert form here."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "([selector, tags]) => axe.run(document.querySelector(selector), {runOnly: {type: 'tag', values: tags}})",
        [selector, WCAG_TAGS],
    )
    serious = [v["id"] for v in result["violations"] if v["impact"] in {"serious", "critical"}]
    assert serious == [], json.dumps(result["violations"], indent=1)


def test_a_candidate_saves_a_search_manages_it_and_unsubscribes(app, live_server, page):
    candidate = factories.user(Role.CANDIDATE, email="chiara@example.org")
    opportunity = factories.opportunity(title="Tirocinio in magazzino", published_at=utcnow() - timedelta(hours=1))
    db.session.commit()
    search = app.extensions["search"]
    search.drop_indexes()  # ids restart in these committed tests: no old document may hold them
    search.ensure_indexes()
    assert search.apply([indexing.opportunity_action(opportunity.id)]).failed == []
    search.refresh("opportunities")

    # A visitor is asked to log in, and comes back to the same search.
    page.goto(f"{live_server}/opportunita/?q=magazzino")
    page.get_by_role("link", name="Accedi per salvare la ricerca").click()
    page.get_by_label("Email").fill(candidate.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{live_server}/opportunita/?q=magazzino")
    # A form inside the search's GET form would be dropped by the HTML parser (its fields would go to the search).
    nested = page.locator("form[method=get] .app-save-search").count()
    assert nested == 0, "the search page must include alerts/_save_search.html outside its GET <form>"
    assert_section_accessible(page, ".app-save-search")

    page.get_by_label("Nome dell'avviso").fill("Magazzino vicino a casa")
    # Bootstrap Italia draws the radio on its label: a person clicks the words.
    page.locator(".app-save-search").get_by_text("Ogni giorno", exact=True).click()
    assert page.get_by_label("Ogni giorno").is_checked()
    page.get_by_role("button", name="Salva la ricerca").click()
    page.wait_for_url(f"{live_server}/opportunita/?q=magazzino")
    assert page.get_by_text("Avviso «Magazzino vicino a casa» salvato").is_visible()

    page.locator("#main").get_by_role("link", name="I miei avvisi").click()
    page.wait_for_url(f"{live_server}/avvisi/")
    assert page.get_by_role("link", name="Magazzino vicino a casa").is_visible()
    assert_accessible(page)
    page.get_by_label("Frequenza: Magazzino vicino a casa").select_option("weekly")
    page.get_by_role("button", name="Cambia la frequenza di Magazzino vicino a casa").click()
    page.wait_for_url(f"{live_server}/avvisi/")
    assert page.get_by_text("Frequenza aggiornata.").is_visible()
    db.session.expire_all()
    saved = db.session.scalar(select(SavedSearch).where(SavedSearch.owner_id == candidate.id))
    assert saved.frequency == AlertFrequency.WEEKLY and saved.query_string == "q=magazzino"

    # On a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/avvisi/")
    assert_accessible(page)

    # The link in the mail, in a browser that never logged in.
    page.context.clear_cookies()
    page.goto(f"{live_server}/avvisi/disiscrizione/{saved.unsubscribe_token}")
    assert_accessible(page)
    page.get_by_role("button", name="Disattiva questo avviso").click()
    assert page.get_by_text("è disattivato").is_visible()
    db.session.expire_all()
    assert db.session.get(SavedSearch, saved.id).unsubscribed_at is not None
