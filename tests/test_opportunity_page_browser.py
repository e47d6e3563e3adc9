"""The opportunity page in a real Chromium at phone size: what shows first, axe-core, login then apply."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.opportunities import page as detail_page
from marketplace.opportunities.models import CloseReason, Edition, OpportunityKind, OpportunityStatus
from tests import factories
from tests.browser_support import serious_violations

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 740}
# Set to a folder to keep a screenshot of every page checked (for looking at the layout).
SCREENSHOTS = os.environ.get("OPPORTUNITY_SCREENSHOTS")


def _check(tab, name: str) -> list[dict]:
    if SCREENSHOTS:
        tab.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
    return [{"page": name, **violation} for violation in serious_violations(tab)]


def test_on_a_phone_the_facts_and_the_button_come_before_the_long_text(live_server, page) -> None:
    org = factories.organization("Cooperativa Sociale Il Ponte")
    opportunity = factories.opportunity(
        org, kind=OpportunityKind.WORKSHOP, title="Laboratorio di cucina", allowance_eur=None,
        description="## Cosa farai\n\n" + "Cucinerai insieme al gruppo. " * 40 + "\n\n- pasta fresca\n- pane",
        application_deadline=datetime.now(detail_page.ROME).date() + timedelta(days=9),
        contact_name="Marta Colombo", contact_email="marta@example.org", accessibility_notes="Ascensore.",
    )  # fmt: skip
    db.session.add(
        Edition(opportunity=opportunity, label="Autunno", starts_on=date(2027, 10, 4), ends_on=date(2027, 10, 8),
                start_time=time(14), end_time=time(17), place="Cucina sociale", municipality_code="015108", seats=6)
    )  # fmt: skip
    closed = factories.opportunity(org, status=OpportunityStatus.CLOSED, close_reason=CloseReason.DEADLINE_PASSED)
    factories.user(Role.CANDIDATE, email="giovane@example.org")
    db.session.commit()

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/opportunita/{opportunity.id}")
    apply = page.get_by_role("link", name="Candidati")
    assert apply.is_visible()
    description = page.get_by_role("heading", name="Cosa farai", exact=True).first
    assert apply.bounding_box()["y"] < description.bounding_box()["y"]
    assert page.get_by_text("mancano 9 giorni").is_visible()
    assert page.locator("h4", has_text="Cosa farai").count() == 1  # the author's heading, demoted below the h2
    # Nothing may be wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    violations = _check(page, "opportunity-phone")
    page.goto(f"{live_server}/opportunita/{closed.id}")
    assert page.get_by_text("Questa opportunità è chiusa").is_visible()
    assert page.get_by_role("link", name="Candidati").count() == 0
    violations += _check(page, "opportunity-closed")
    assert violations == [], json.dumps(violations, indent=1)

    # A visitor who taps "Candidati" signs in and lands on the application form.
    page.goto(f"{live_server}/opportunita/{opportunity.id}")
    page.get_by_role("link", name="Candidati").click()
    page.get_by_label("Email").fill("giovane@example.org")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{live_server}/opportunita/{opportunity.id}/candidatura")
