"""The whole marketplace journey in a real Chromium at phone size, on real services and a real RQ worker.

A company writes an opportunity and sends it for review; a partner_admin approves it; a young
person finds it by searching in Italian (a plural form of a word in the title) and applies; the
company moves the application to "colloquio"; the young person sees the new state, and the email
telling them so arrives through the outbox, the worker and a real SMTP server.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.applications.models import Application, ApplicationStatus
from marketplace.extensions import db
from marketplace.opportunities.models import Opportunity, OpportunityStatus
from marketplace.organizations.models import Site
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.worker]
PHONE = {"width": 390, "height": 844}
TITLE = "Tirocinio di magazziniere a Gorgonzola"


def _sign_in(page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accedi")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(lambda url: "/accedi" not in url)


def _search_until_found(page, base: str, text: str, timeout: float = 15.0) -> None:
    """Search like a person would: type, submit; the worker indexes in the background, so retry briefly."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(f"{base}/opportunita/")
        box = page.get_by_role("combobox", name="Cosa cerchi")
        box.fill(text)
        box.press("Enter")
        page.wait_for_url(lambda url: "q=" in url)
        if page.get_by_role("link", name=TITLE).count():
            return
        assert time.monotonic() < deadline, "the approved opportunity never became searchable"
        time.sleep(0.5)


def _people(app_db) -> tuple:
    """The cast, committed so that the live server and the worker see them."""
    partner = factories.partner("Consorzio Adda Martesana")
    reviewer = factories.user(Role.PARTNER_ADMIN, email="revisore@example.org", partner_id=partner.id)
    org = factories.organization("Logistica Martesana S.r.l.")
    site = Site(organization_id=org.id, label="Magazzino", address="Via Milano 12", municipality_code="015108")
    app_db.add(site)
    company = factories.user(Role.COMPANY, email="hr@logistica.example.org", organization_id=org.id)
    candidate = factories.user(Role.CANDIDATE, email="giovane@example.org")
    person = factories.person(with_user=candidate, first_name="Luca", last_name="Ferrari", email="giovane@example.org")
    app_db.commit()
    return org, reviewer, company, candidate, person


def test_publish_review_search_apply_move_and_see_the_new_state(app, live_server, page, start_worker, smtp_sink):
    # Earlier tests reuse ids after truncating their tables: documents they left behind (with higher
    # versions) would make the index refuse ours.
    search = app.extensions["search"]
    search.drop_indexes()
    search.ensure_indexes()
    _org, reviewer, company, candidate, person = _people(db.session)
    start_worker()
    page.set_viewport_size(PHONE)
    base = live_server

    # The company writes the opportunity and sends it for review.
    _sign_in(page, base, company.email)
    page.goto(f"{base}/gestione/opportunita/nuova")
    page.get_by_label("Tipo di opportunità").select_option("internship")
    page.get_by_label("Titolo").fill(TITLE)
    page.get_by_label("Descrizione").fill(
        "Impari a ricevere la merce, a preparare gli ordini e a usare il palmare. Ti segue un tutor."
    )
    page.get_by_label("Sede").select_option(label="Magazzino")
    page.get_by_label("Posti disponibili").fill("2")
    page.get_by_label("Scadenza delle candidature").fill((date.today() + timedelta(days=20)).isoformat())
    page.get_by_label("Indennità mensile (€)").fill("600")
    page.get_by_role("button", name="Salva").first.click()
    page.get_by_text("Bozza salvata").wait_for()
    page.get_by_role("button", name="Invia in revisione").click()
    page.get_by_role("alert").filter(has_text="revisione").first.wait_for()
    opportunity = db.session.query(Opportunity).filter_by(title=TITLE).one()
    assert opportunity.status == OpportunityStatus.IN_REVIEW

    # The partner_admin approves it from the review queue.
    _sign_in(page, base, reviewer.email)
    page.goto(f"{base}/gestione/opportunita/revisione")
    page.get_by_role("button", name=f"Approva e pubblica {TITLE}").click()
    page.get_by_role("alert").first.wait_for()
    db.session.expire_all()
    assert db.session.get(Opportunity, opportunity.id).status == OpportunityStatus.PUBLISHED

    # A young person searches in Italian ("magazzinieri" finds "magazziniere") and applies.
    _sign_in(page, base, candidate.email)
    _search_until_found(page, base, "tirocini magazzinieri")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Candidati").click()
    page.get_by_label("Messaggio all'organizzazione").fill("Ho lavorato in un magazzino d'estate, sono disponibile.")
    page.get_by_role("button", name="Invia la candidatura").click()
    page.wait_for_url(lambda url: "/candidatura" not in url)
    application = db.session.query(Application).filter_by(person_id=person.id).one()
    assert application.status == ApplicationStatus.SENT

    # The company moves the application to "colloquio", with a message for the candidate.
    _sign_in(page, base, company.email)
    page.goto(f"{base}/gestione/opportunita/{opportunity.id}/candidati")
    page.get_by_role("link", name="Luca Ferrari").first.click()
    page.get_by_label("Nuovo stato").select_option("interview")
    page.get_by_label("Messaggio per la persona candidata").fill("Ti aspettiamo giovedì alle 10 in via Milano 12.")
    page.get_by_role("button", name="Salva il nuovo stato").click()
    page.get_by_role("alert").first.wait_for()
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == ApplicationStatus.INTERVIEW

    # The candidate sees the new state and the message on their applications page…
    _sign_in(page, base, candidate.email)
    page.goto(f"{base}/candidature/")
    card = page.locator("article, li, .card").filter(has_text=TITLE).first
    assert "Colloquio" in card.inner_text()
    assert page.get_by_text("Ti aspettiamo giovedì alle 10").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # …and the worker has mailed them about it through the real SMTP server.
    deadline = time.monotonic() + 20
    while not any("giovane@example.org" in message.get("To", "") and "Ti aspettiamo giovedì" in _text_of(message)
                  for message in smtp_sink.messages):  # fmt: skip
        assert time.monotonic() < deadline, "no email about the move reached the SMTP server"
        time.sleep(0.3)


def _text_of(message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    texts = []
    for part in parts:
        payload = part.get_payload(decode=True)
        if payload and part.get_content_maintype() == "text":
            texts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return "\n".join(texts)
