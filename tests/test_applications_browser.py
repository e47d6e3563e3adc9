"""Applying and moving an applicant in a real Chromium: the pages work with a mouse and a file picker,
and have no serious accessibility violations."""

from __future__ import annotations

import json

import pytest

from marketplace.accounts.models import Role
from marketplace.applications.models import Application, ApplicationStatus
from marketplace.extensions import db
from tests import factories
from tests.browser_support import serious_violations
from tests.factories_relations import pdf_bytes

pytestmark = pytest.mark.browser


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accedi")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{base}/area-personale")


def sign_out(page) -> None:
    page.get_by_role("button", name="Esci").click()


def assert_accessible(page) -> None:
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, indent=1)


def test_a_candidate_applies_and_the_company_invites_them(live_server, page, tmp_path, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    org = factories.organization("Officine Adda S.r.l.")
    company = factories.user(Role.COMPANY, email="hr@officine.example.org", organization_id=org.id)
    candidate = factories.user(Role.CANDIDATE, email="giulia@example.org")
    factories.person(candidate)
    opportunity = factories.opportunity(org, title="Tirocinio in magazzino")
    db.session.commit()
    cv = tmp_path / "curriculum.pdf"
    cv.write_bytes(pdf_bytes())

    sign_in(page, live_server, candidate.email)
    page.goto(f"{live_server}/opportunita/{opportunity.id}/candidatura")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Candidati"
    assert_accessible(page)
    page.get_by_label("Messaggio all'organizzazione").fill("Ho lavorato sei mesi in un magazzino.")
    page.get_by_label("Curriculum (PDF)").set_input_files(str(cv))
    page.get_by_role("button", name="Invia la candidatura").click()
    page.wait_for_url(f"{live_server}/candidature/")
    assert "Candidatura inviata" in page.content() and "Tirocinio in magazzino" in page.content()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, live_server, company.email)
    page.goto(f"{live_server}/gestione/opportunita/{opportunity.id}/candidati")
    assert_accessible(page)
    page.get_by_role("link", name="Giulia Bianchi").click()
    assert page.get_by_role("link", name="Scarica il curriculum (curriculum.pdf)").is_visible()
    assert_accessible(page)
    page.get_by_label("Nuovo stato").select_option("interview")
    page.get_by_label("Messaggio per la persona candidata").fill("Ti aspettiamo martedì alle 10.")
    page.get_by_role("button", name="Salva il nuovo stato").click()
    page.wait_for_selector("text=Stato aggiornato: Colloquio.")
    sign_out(page)

    db.session.expire_all()
    application = db.session.query(Application).one()
    assert application.status == ApplicationStatus.INTERVIEW and application.cv_filename == "curriculum.pdf"
    sign_in(page, live_server, candidate.email)
    page.goto(f"{live_server}/candidature/")
    assert "Ti aspettiamo martedì alle 10." in page.content()
