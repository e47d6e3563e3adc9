"""The opportunity editor in a real Chromium at phone size: the form, its errors, the review
queue and the history, each without serious accessibility violations (axe-core, WCAG 2.1 AA)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.opportunities.models import Opportunity, OpportunityStatus
from marketplace.organizations.models import Site
from tests import factories
from tests.browser_support import serious_violations

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _sign_in(page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accedi")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(lambda url: "/accedi" not in url)


def test_write_fix_an_error_submit_and_review_on_a_phone(live_server, page):
    partner = factories.partner("SIL Adda Martesana")
    org = factories.organization("Cucina Solidale Cooperativa")
    db.session.add(Site(organization_id=org.id, label="Cucina", address="Via Roma 3", municipality_code="015108"))
    company = factories.user(Role.COMPANY, email="cucina@example.org", organization_id=org.id)
    reviewer = factories.user(Role.PARTNER_ADMIN, email="revisione@example.org", partner_id=partner.id)
    db.session.commit()
    page.set_viewport_size(PHONE)
    base = live_server

    _sign_in(page, base, company.email)
    page.goto(f"{base}/gestione/opportunita/nuova")
    assert serious_violations(page) == []
    page.get_by_label("Tipo di opportunità").select_option("workshop")
    page.get_by_label("Titolo", exact=True).fill("Laboratorio di cucina per ragazzi")
    page.get_by_label("Descrizione").fill("Impari a preparare piatti semplici con un cuoco, in gruppo.")
    page.get_by_label("Sede").select_option(label="Cucina")
    page.get_by_label("Competenze richieste").select_option(["food_hygiene", "cooking_techniques"])
    page.get_by_label("Età minima").fill("30")
    page.get_by_label("Età massima").fill("20")
    page.get_by_label("Telefono di riferimento").fill("333 123 4567")
    page.get_by_role("button", name="Salva la bozza").click()

    # The error is next to its field and in the summary; nothing was saved.
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "L'età massima non può essere inferiore all'età minima." in page.locator("#age_max-errors").inner_text()
    assert db.session.query(Opportunity).count() == 0
    assert serious_violations(page) == []
    page.get_by_label("Età massima").fill("35")
    page.get_by_role("button", name="Salva la bozza").click()
    page.get_by_text("Bozza salvata").wait_for()
    opportunity = db.session.query(Opportunity).one()
    assert opportunity.contact_phone == "+393331234567"
    assert set(opportunity.required_skill_codes) == {"food_hygiene", "cooking_techniques"}

    # A workshop runs in editions.
    page.get_by_role("link", name="Edizioni (0)").click()
    page.get_by_label("Primo giorno").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_label("Ultimo giorno").fill((date.today() + timedelta(days=40)).isoformat())
    page.get_by_label("Posti", exact=True).fill("8")
    page.get_by_role("button", name="Salva l'edizione").click()
    page.get_by_text("Edizione aggiunta.").wait_for()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Torna all'opportunità").click()

    page.get_by_role("button", name="Invia in revisione").click()
    page.get_by_text("Inviata in revisione").first.wait_for()
    db.session.expire_all()
    assert db.session.get(Opportunity, opportunity.id).status == OpportunityStatus.IN_REVIEW

    # The reviewer rejects it with a reason; the company reads it above the form.
    _sign_in(page, base, reviewer.email)
    page.goto(f"{base}/gestione/opportunita/revisione")
    assert serious_violations(page) == []
    page.get_by_label("Motivo del rifiuto").fill("Indica gli orari del laboratorio.")
    page.get_by_role("button", name="Respingi Laboratorio di cucina per ragazzi").click()
    page.get_by_text("Opportunità respinta").wait_for()
    _sign_in(page, base, company.email)
    page.goto(f"{base}/gestione/opportunita/{opportunity.id}/modifica")
    assert "Indica gli orari del laboratorio." in page.locator("#rejection-reason").inner_text()
    page.goto(f"{base}/gestione/opportunita/{opportunity.id}/storia")
    assert "Respinta" in page.locator("table").inner_text()
    assert serious_violations(page) == []
