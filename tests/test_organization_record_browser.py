"""The organisation record in a real Chromium: an edit with a mistake fixed, and axe-core on every page."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from marketplace.extensions import db
from marketplace.organizations import services
from tests.browser_support import serious_violations
from tests.factories import PASSWORD
from tests.factories_organization_record import GORGONZOLA, MELZO, build_world

pytestmark = pytest.mark.browser
# Set to a folder to keep a screenshot of every page checked (for looking at the layout).
SCREENSHOTS = os.environ.get("RECORD_SCREENSHOTS")


def _check(tab, name: str) -> list[dict]:
    if SCREENSHOTS:
        tab.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
    return [{"page": name, **violation} for violation in serious_violations(tab)]


def _sign_in(tab, server: str, email: str) -> None:
    tab.goto(f"{server}/accedi")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Accedi").click()
    tab.wait_for_url(f"{server}/area-personale")


def test_record_pages_work_in_a_browser_and_pass_axe(live_server, page):
    world = build_world()
    org = world.org
    services.save_site(org, None, {"label": "Magazzino", "address": "Via Verdi 3", "municipality_code": MELZO})
    precise = {"latitude": 45.53, "longitude": 9.4, "municipality_code": GORGONZOLA}
    services.save_site(org, None, {"label": "Negozio", "address": "Piazza 1", **precise})
    services.save_contact(
        org, None, {"full_name": "Marta Sala", "email": "marta@example.org", "consent_to_contact": True}
    )
    services.save_contact(org, None, {"full_name": "Gino Riva"})
    services.save_inclusion_profile(org, {"schemes": ["work_grant"], "languages": ["ar"], "capacity": 2})
    services.add_note(org, partner_id=world.partner_a.id, author_id=world.users["partner_admin"].id, body="Nota")
    db.session.commit()
    record = f"{live_server}/banca-dati/organizzazioni/{org.id}"
    violations = []

    _sign_in(page, live_server, world.users["partner_admin"].email)
    page.goto(record)
    violations += _check(page, "record")

    # An edit with a wrong P.IVA: the error is announced, then fixed and saved.
    page.goto(f"{record}/modifica")
    page.get_by_label("Ragione sociale").fill("Logistica Adda Group S.r.l.")
    page.get_by_label("Partita IVA").fill("12345678901")
    page.get_by_role("button", name="Salva").click()
    assert page.locator("#error-summary").is_visible()
    assert "Partita IVA non valida" in page.locator("#error-summary").inner_text()
    violations += _check(page, "edit-with-errors")
    page.get_by_label("Partita IVA").fill(org.vat_number)
    page.get_by_role("button", name="Salva").click()
    page.wait_for_url(record)
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Logistica Adda Group S.r.l."
    assert "Modifiche salvate" in page.content()

    for name, path in (
        ("sites", "/sedi"), ("site-form", "/sedi/nuova"), ("contact-form", "/referenti/nuovo"),
        ("inclusion-profile", "/profilo-inclusione"), ("notes", "/note"), ("audit-log", "/registro"),
    ):  # fmt: skip
        page.goto(record + path)
        violations += _check(page, name)
    page.goto(f"{live_server}/banca-dati/organizzazioni/nuova")
    violations += _check(page, "create")

    page.context.clear_cookies()
    _sign_in(page, live_server, world.users["company_own"].email)
    for name, path in (("manage", "/gestione"), ("company-edit", "/gestione/dati"), ("public", "")):
        page.goto(f"{live_server}/organizzazioni/{org.id}{path}")
        violations += _check(page, name)
    assert violations == [], json.dumps(violations, indent=1)
