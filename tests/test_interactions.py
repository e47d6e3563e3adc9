"""Relationship history: logging interactions, my follow-ups due, placements; who may see and do what."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import func, select
from werkzeug.serving import make_server

from marketplace.accounts.models import Role
from marketplace.applications.models import ApplicationStatus
from marketplace.extensions import db
from marketplace.indexing.models import SearchOutboxEntry
from marketplace.interactions.models import Interaction, InteractionKind, InteractionOutcome
from marketplace.models_base import utcnow
from tests import factories
from tests import factories_relations as fr
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, serious_violations
from tests.conftest import csrf_token

TODAY = date.today()
ROLES = ("anonymous", "candidate", "company", "operator", "partner_admin", "admin")
STAFF = {"anonymous": 302, "candidate": 403, "company": 403, "operator": 200, "partner_admin": 200, "admin": 200}


@pytest.fixture
def world(db_session):
    own = factories.partner("SIL Adda Martesana")
    other = factories.partner("Cooperativa Partner Sud")
    org = factories.organization("Officine Adda S.r.l.")
    elsewhere = factories.organization("Cooperativa Il Ponte")
    users = {
        "candidate": fr.user(Role.CANDIDATE, "candidato@example.org"),
        "company": fr.user(Role.COMPANY, "azienda@example.org", organization_id=org.id),
        "operator": fr.user(Role.OPERATOR, "operatore@example.org", partner_id=own.id, full_name="Luca Operatore"),
        "colleague": fr.user(Role.OPERATOR, "collega@example.org", partner_id=own.id),
        "partner_admin": fr.user(Role.PARTNER_ADMIN, "referente@example.org", partner_id=own.id),
        "other_admin": fr.user(Role.PARTNER_ADMIN, "referente-sud@example.org", partner_id=other.id),
        "other_operator": fr.user(Role.OPERATOR, "operatore-sud@example.org", partner_id=other.id),
        "admin": fr.user(Role.ADMIN, "admin@example.org"),
    }
    return {"own": own, "other": other, "org": org, "elsewhere": elsewhere, "users": users}


def as_user(app, world, role):
    return fr.sign_in(app.test_client(), world["users"].get(role))


def history_path(org) -> str:
    return f"/banca-dati/organizzazioni/{org.id}/relazioni"


def log_data(client, org, **values):
    data = {
        "csrf_token": csrf_token(client, history_path(org)),
        "kind": "visit",
        "occurred_on": (TODAY - timedelta(days=2)).isoformat(),
        "contact_id": "",
        "summary": "Visita in azienda: reparto magazzino, disponibili per un tirocinio da settembre.",
        "outcome": "positive",
        "next_step": "Inviare la bozza di progetto formativo",
        "next_step_on": (TODAY + timedelta(days=7)).isoformat(),
    }
    data.update(values)
    return data


def count_interactions() -> int:
    return db.session.scalar(select(func.count()).select_from(Interaction))


# -- the history page and logging ------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_history_page_is_for_staff_only(app, world, role):
    fr.interaction(world["org"], world["users"]["operator"], summary="Riservato: colloquio con il titolare.")
    response = as_user(app, world, role).get(history_path(world["org"]))
    assert response.status_code == STAFF[role]
    assert ("Riservato: colloquio con il titolare." in response.get_data(as_text=True)) is (STAFF[role] == 200)


@pytest.mark.parametrize("role", ["candidate", "company"])
def test_company_and_candidate_cannot_log_an_interaction(app, world, role):
    client = as_user(app, world, role)
    token = csrf_token(client, "/area-personale")
    response = client.post(history_path(world["org"]), data={"csrf_token": token, "kind": "call",
                                                              "occurred_on": TODAY.isoformat(), "summary": "x",
                                                              "outcome": "positive"})  # fmt: skip
    assert response.status_code == 403
    assert count_interactions() == 0


def test_anonymous_cannot_log_an_interaction(app, world):
    client = app.test_client()
    token = csrf_token(client, "/accedi")
    data = {"csrf_token": token, "kind": "call", "occurred_on": TODAY.isoformat(), "summary": "x"}
    response = client.post(history_path(world["org"]), data=data)
    assert response.status_code == 302 and "/accedi" in response.headers["Location"]
    assert count_interactions() == 0


@pytest.mark.parametrize("role", ["operator", "partner_admin", "admin"])
def test_staff_log_an_interaction_which_updates_the_last_contact_and_reindexes(app, world, role):
    org = world["org"]
    person = fr.contact(org, "Marta Colombo", job_title="Responsabile del personale")
    client = as_user(app, world, role)
    response = client.post(history_path(org), data=log_data(client, org, contact_id=str(person.id)))
    assert response.status_code == 302
    saved = db.session.scalar(select(Interaction))
    author = world["users"][role]
    assert (saved.author_id, saved.partner_id, saved.contact_id) == (author.id, author.partner_id, person.id)
    assert saved.kind == InteractionKind.VISIT and saved.outcome == InteractionOutcome.POSITIVE
    assert saved.next_step_on == TODAY + timedelta(days=7)
    db.session.refresh(org)
    assert org.last_contact_on == TODAY - timedelta(days=2)
    queued = db.session.scalar(select(func.count()).select_from(SearchOutboxEntry).where(
        SearchOutboxEntry.index_name == "organizations", SearchOutboxEntry.doc_id == org.id))  # fmt: skip
    assert queued >= 1  # the organisation's document is rewritten with its new last contact
    page = client.get(history_path(org)).get_data(as_text=True)
    assert "Marta Colombo" in page and "Inviare la bozza di progetto formativo" in page


def test_an_older_interaction_does_not_move_the_last_contact_back(app, world):
    org = world["org"]
    client = as_user(app, world, "operator")
    client.post(history_path(org), data=log_data(client, org, occurred_on=TODAY.isoformat()))
    client.post(history_path(org), data=log_data(client, org, occurred_on=(TODAY - timedelta(days=30)).isoformat()))
    assert count_interactions() == 2
    db.session.refresh(org)
    assert org.last_contact_on == TODAY


def test_the_history_is_newest_first(app, world):
    org, operator = world["org"], world["users"]["operator"]
    fr.interaction(org, operator, occurred_on=TODAY - timedelta(days=40), summary="Primo incontro in fiera.")
    fr.interaction(org, operator, occurred_on=TODAY - timedelta(days=3), summary="Telefonata di richiamo.")
    fr.interaction(org, operator, occurred_on=TODAY - timedelta(days=10), summary="Visita al magazzino.")
    body = as_user(app, world, "partner_admin").get(history_path(org)).get_data(as_text=True)
    positions = [body.index(text) for text in ("Telefonata di richiamo.", "Visita al magazzino.",
                                               "Primo incontro in fiera.")]  # fmt: skip
    assert positions == sorted(positions)
    assert "Officine Adda S.r.l." in body


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"occurred_on": (TODAY + timedelta(days=1)).isoformat()}, "La data non può essere nel futuro"),
        ({"next_step_on": (TODAY - timedelta(days=1)).isoformat()},
         "La data del prossimo passo non può essere nel passato."),
        ({"next_step_on": ""}, "Indica entro quando fare il prossimo passo."),
        ({"next_step": "", "next_step_on": (TODAY + timedelta(days=3)).isoformat()},
         "Scrivi anche qual è il prossimo passo."),
        ({"summary": "   "}, "Campo obbligatorio."),
        ({"occurred_on": "ieri"}, "Non è una data valida"),
        ({"outcome": "benissimo"}, "Non è una opzione valida"),
    ],
)  # fmt: skip
def test_bad_input_gets_an_italian_message_and_changes_nothing(app, world, values, message):
    org = world["org"]
    client = as_user(app, world, "operator")
    response = client.post(history_path(org), data=log_data(client, org, **values))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count_interactions() == 0
    db.session.refresh(org)
    assert org.last_contact_on is None


def test_a_contact_of_another_organisation_cannot_be_chosen(app, world):
    stranger = fr.contact(world["elsewhere"], "Paolo Estraneo")
    client = as_user(app, world, "operator")
    page = client.get(history_path(world["org"])).get_data(as_text=True)
    assert "Paolo Estraneo" not in page
    response = client.post(history_path(world["org"]), data=log_data(client, world["org"], contact_id=str(stranger.id)))
    assert response.status_code == 200
    assert "Non è una opzione valida" in response.get_data(as_text=True)
    assert count_interactions() == 0


def test_today_is_allowed_for_both_dates(app, world):
    org = world["org"]
    client = as_user(app, world, "operator")
    data = log_data(client, org, occurred_on=TODAY.isoformat(), next_step_on=TODAY.isoformat())
    assert client.post(history_path(org), data=data).status_code == 302
    assert count_interactions() == 1


def test_an_unknown_organisation_answers_404(app, world):
    assert as_user(app, world, "operator").get("/banca-dati/organizzazioni/999999/relazioni").status_code == 404


# -- my follow-ups due -------------------------------------------------------------------------


@pytest.fixture
def follow_ups(world):
    org, other_org = world["org"], world["elsewhere"]
    me, colleague = world["users"]["operator"], world["users"]["colleague"]
    items = {
        "overdue": fr.interaction(org, me, occurred_on=TODAY - timedelta(days=20), next_step="Richiamare il titolare",
                                  next_step_on=TODAY - timedelta(days=2)),
        "today": fr.interaction(other_org, me, next_step="Mandare il calendario dei colloqui", next_step_on=TODAY),
        "later": fr.interaction(org, me, next_step="Portare la convenzione firmata",
                                next_step_on=TODAY + timedelta(days=14)),
        "done": fr.interaction(org, me, next_step="Inviare la brochure", next_step_on=TODAY + timedelta(days=1),
                               next_step_done_at=utcnow()),
        "no_step": fr.interaction(org, me, summary="Solo un saluto."),
        "colleague": fr.interaction(org, colleague, next_step="Passo della collega",
                                    next_step_on=TODAY + timedelta(days=3)),
    }  # fmt: skip
    return items


@pytest.mark.parametrize("role", ROLES)
def test_the_follow_ups_page_is_for_staff_only(app, world, role):
    assert as_user(app, world, role).get("/banca-dati/scadenze").status_code == STAFF[role]


def test_my_follow_ups_lists_my_open_next_steps_soonest_first_with_the_overdue_marked(app, world, follow_ups):
    body = as_user(app, world, "operator").get("/banca-dati/scadenze").get_data(as_text=True)
    steps = ["Richiamare il titolare", "Mandare il calendario dei colloqui", "Portare la convenzione firmata"]
    positions = [body.index(step) for step in steps]
    assert positions == sorted(positions)
    for absent in ("Inviare la brochure", "Passo della collega"):
        assert absent not in body

    def row(step: str) -> str:
        start = body.rindex("<tr>", 0, body.index(step))
        return body[start : body.index("</tr>", start)]

    assert "scaduto" in row("Richiamare il titolare")
    assert "oggi" in row("Mandare il calendario dei colloqui") and "scaduto" not in row("Mandare il calendario")
    assert "in programma" in row("Portare la convenzione firmata")
    # Each one links to its organisation's history.
    assert f'href="/banca-dati/organizzazioni/{world["elsewhere"].id}/relazioni"' in row("Mandare il calendario")
    assert "Cooperativa Il Ponte" in row("Mandare il calendario")


def test_the_history_marks_an_overdue_next_step(app, world, follow_ups):
    body = as_user(app, world, "operator").get(history_path(world["org"])).get_data(as_text=True)
    start = body.index("Richiamare il titolare")
    assert "scaduto" in body[start : body.index("</article>", start)]


def complete(app, world, role, interaction, origin=None):
    client = as_user(app, world, role)
    token = csrf_token(client, "/area-personale")
    path = f"/banca-dati/scadenze/{interaction.id}/fatto" + (f"?da={origin}" if origin else "")
    return client.post(path, data={"csrf_token": token})


def test_the_author_marks_a_follow_up_done(app, world, follow_ups):
    item = follow_ups["overdue"]
    response = complete(app, world, "operator", item)
    assert response.status_code == 302 and response.headers["Location"].endswith("/banca-dati/scadenze")
    db.session.refresh(item)
    assert item.next_step_done_at is not None
    body = as_user(app, world, "operator").get("/banca-dati/scadenze").get_data(as_text=True)
    assert "Richiamare il titolare" not in body


def test_a_partner_admin_of_the_same_partner_marks_a_colleagues_follow_up_done(app, world, follow_ups):
    item = follow_ups["later"]
    response = complete(app, world, "partner_admin", item, origin="relazioni")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(history_path(world["org"]))
    db.session.refresh(item)
    assert item.next_step_done_at is not None


@pytest.mark.parametrize(("role", "expected"), [("colleague", 403), ("other_admin", 403), ("other_operator", 403),
                                                ("company", 403), ("candidate", 403)])  # fmt: skip
def test_others_cannot_mark_a_follow_up_done(app, world, follow_ups, role, expected):
    item = follow_ups["later"]
    assert complete(app, world, role, item).status_code == expected
    db.session.refresh(item)
    assert item.next_step_done_at is None


def test_the_done_button_shows_only_to_who_may_press_it(app, world, follow_ups):
    path = history_path(world["org"])
    mine = f"/banca-dati/scadenze/{follow_ups['later'].id}/fatto"
    assert mine in as_user(app, world, "operator").get(path).get_data(as_text=True)
    assert mine in as_user(app, world, "partner_admin").get(path).get_data(as_text=True)
    assert mine not in as_user(app, world, "colleague").get(path).get_data(as_text=True)
    assert mine not in as_user(app, world, "other_admin").get(path).get_data(as_text=True)


def test_marking_done_without_a_csrf_token_is_refused(app, world, follow_ups):
    item = follow_ups["later"]
    response = as_user(app, world, "operator").post(f"/banca-dati/scadenze/{item.id}/fatto")
    assert response.status_code == 400
    db.session.refresh(item)
    assert item.next_step_done_at is None


def test_marking_done_twice_keeps_the_first_time(app, world, follow_ups):
    item = follow_ups["later"]
    complete(app, world, "operator", item)
    db.session.refresh(item)
    first = item.next_step_done_at
    assert complete(app, world, "operator", item).status_code == 302
    db.session.refresh(item)
    assert item.next_step_done_at == first


# -- placements ----------------------------------------------------------------------------------


@pytest.fixture
def placements(world):
    org = world["org"]
    early = factories.opportunity(org, title="Tirocinio in magazzino", start_date=TODAY - timedelta(days=200))
    recent = factories.opportunity(org, title="Borsa lavoro in officina", start_date=TODAY - timedelta(days=10))
    foreign = factories.opportunity(world["elsewhere"], title="Tirocinio altrove")
    giulia = factories.person(first_name="Giulia", last_name="Bianchi", tax_code="BNCGLI04E57F205X")
    omar = factories.person(first_name="Omar", last_name="Haddad")
    sara = factories.person(first_name="Sara", last_name="Ferri")
    fr.application(early.id, giulia, ApplicationStatus.ACCEPTED)
    fr.application(recent.id, omar, ApplicationStatus.ACCEPTED)
    fr.application(recent.id, sara, ApplicationStatus.INTERVIEW)
    fr.application(foreign.id, sara, ApplicationStatus.ACCEPTED)
    return org


@pytest.mark.parametrize("role", ROLES)
def test_the_placements_page_names_people_to_staff_only(app, world, placements, role):
    response = as_user(app, world, role).get(f"/banca-dati/organizzazioni/{placements.id}/inserimenti")
    assert response.status_code == STAFF[role]
    body = response.get_data(as_text=True)
    assert ("Omar Haddad" in body) is (STAFF[role] == 200)


def test_placements_list_accepted_applications_newest_first_without_sensitive_fields(app, world, placements):
    body = (
        as_user(app, world, "operator")
        .get(f"/banca-dati/organizzazioni/{placements.id}/inserimenti")
        .get_data(as_text=True)
    )
    assert body.index("Omar Haddad") < body.index("Giulia Bianchi")  # the latest start first
    assert "Borsa lavoro in officina" in body and "Tirocinio in magazzino" in body
    assert "Sara Ferri" not in body  # an interview is not a placement, nor a placement elsewhere
    assert "Tirocinio altrove" not in body
    assert "BNCGLI04E57F205X" not in body and "17/05/2004" not in body  # no tax code, no birth date
    assert (TODAY - timedelta(days=10)).strftime("%d/%m/%Y") in body
    assert "Officine Adda S.r.l." in body


# -- links and accessibility ------------------------------------------------------------------


def test_pages_link_back_to_the_organisation_record(app, world):
    from flask import url_for

    org = world["org"]
    endpoint = "organizations.record" if "organizations.record" in app.view_functions else "organizations.page"
    with app.test_request_context():
        expected = url_for(endpoint, organization_id=org.id)
    client = as_user(app, world, "operator")
    for path in (history_path(org), f"/banca-dati/organizzazioni/{org.id}/inserimenti",
                 f"/banca-dati/organizzazioni/{org.id}/convenzioni"):  # fmt: skip
        assert f'href="{expected}"' in client.get(path).get_data(as_text=True), path


@pytest.mark.browser
def test_the_relationship_pages_have_no_serious_accessibility_violations(app, committed):
    own = factories.partner("SIL Browser")
    org = factories.organization("Officine Browser S.r.l.")
    admin = fr.user(Role.PARTNER_ADMIN, "pa-browser@example.org", partner_id=own.id)
    fr.contact(org, "Marta Colombo")
    fr.interaction(org, admin, next_step="Richiamare", next_step_on=TODAY - timedelta(days=1))
    fr.agreement(org, own.id, reference="BR-1", valid_to=TODAY + timedelta(days=20))
    opportunity = factories.opportunity(org)
    fr.application(opportunity.id, factories.person(), ApplicationStatus.ACCEPTED)
    db.session.commit()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(locale="it-IT")
            page.goto(f"{base}/accedi")
            page.get_by_label("Email").fill("pa-browser@example.org")
            page.get_by_label("Password").fill(factories.PASSWORD)
            page.get_by_role("button", name="Accedi").click()
            page.wait_for_url(f"{base}/area-personale")
            found = {}
            for path in (f"/banca-dati/organizzazioni/{org.id}/convenzioni",
                         f"/banca-dati/organizzazioni/{org.id}/convenzioni/nuova",
                         f"/banca-dati/organizzazioni/{org.id}/relazioni",
                         f"/banca-dati/organizzazioni/{org.id}/inserimenti",
                         "/banca-dati/scadenze", "/banca-dati/convenzioni/in-scadenza"):  # fmt: skip
                page.goto(base + path)
                assert page.get_by_role("heading", level=1).count() == 1, path
                found[path] = serious_violations(page)
            # A form sent back with errors: the summary and the invalid fields must stay accessible too.
            page.goto(f"{base}/banca-dati/organizzazioni/{org.id}/relazioni")
            page.get_by_label("Com'è andata").fill("")
            page.get_by_role("button", name="Registra il contatto").click()
            page.wait_for_selector("#error-summary")
            found["relazioni (errori)"] = serious_violations(page)
            browser.close()
    finally:
        server.shutdown()
    assert {path: v for path, v in found.items() if v} == {}, json.dumps(found, indent=1)


@pytest.mark.parametrize("frozen_by", ["merged", "archived"])
def test_no_interaction_is_logged_on_a_merged_or_archived_organisation(app, world, frozen_by):
    org = world["org"]
    if frozen_by == "merged":
        org.merged_into_id = world["elsewhere"].id
    else:
        org.archived_at = utcnow()
    db.session.flush()
    client = as_user(app, world, "operator")
    response = client.post(history_path(org), data=log_data(client, org))
    assert response.status_code == 302
    assert count_interactions() == 0
    page = client.get(history_path(org)).get_data(as_text=True)
    assert "Registra il contatto" not in page
    assert ("stata unita a un" in page) if frozen_by == "merged" else ("archiviata" in page)
