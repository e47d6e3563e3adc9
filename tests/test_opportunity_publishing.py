"""The opportunity editor on real services: writing every field, the review workflow with its
history, bad input refused in Italian with nothing changed, escaping, stale forms, editions,
and the hourly job that closes due opportunities and takes them out of search."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jobs.tasks.opportunities import close_due_opportunities
from marketplace.accounts.models import Role
from marketplace.applications.models import ApplicationStatus
from marketplace.extensions import db
from marketplace.indexing import services as indexing
from marketplace.opportunities.models import (
    Edition,
    Opportunity,
    OpportunityAction,
    OpportunityEvent,
    OpportunityKind,
    OpportunityStatus,
)
from marketplace.organizations.models import Site
from search import OpportunityQuery
from tests import factories
from tests import factories_relations as fr
from tests.conftest import csrf_token

TODAY = date.today()
BASE = "/gestione/opportunita"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@pytest.fixture
def world(db_session):
    partner = factories.partner("SIL Adda Martesana")
    org = factories.organization("Logistica Martesana S.r.l.", ateco_code="52.10", email="info@martesana.example")
    other = factories.organization("Panificio Ronchi S.n.c.")
    site = Site(organization_id=org.id, label="Magazzino", address="Via Milano 12", municipality_code="015108")
    foreign_site = Site(organization_id=other.id, label="Forno", address="Via Roma 1", municipality_code="015146")
    db.session.add_all([site, foreign_site])
    db.session.flush()
    users = {
        "candidate": fr.user(Role.CANDIDATE, "candidato@example.org"),
        "company": fr.user(Role.COMPANY, "azienda@example.org", full_name="Carla Azienda", organization_id=org.id),
        "other_company": fr.user(Role.COMPANY, "forno@example.org", organization_id=other.id),
        "operator": fr.user(Role.OPERATOR, "operatore@example.org", full_name="Omar Operatore", partner_id=partner.id),
        "partner_admin": fr.user(
            Role.PARTNER_ADMIN, "referente@example.org", full_name="Paola Referente", partner_id=partner.id
        ),
        "admin": fr.user(Role.ADMIN, "admin@example.org"),
    }
    db.session.commit()  # a request that rolls back (refused input) must not take the world with it
    return {"partner": partner, "org": org, "other": other, "site": site, "foreign_site": foreign_site, **users}


def client_for(app, user):
    return fr.sign_in(app.test_client(), user)


def form_values(**overrides) -> dict:
    values = {
        "kind": "internship",
        "title": "Tirocinio in magazzino a Gorgonzola",
        "description": "Affiancamento al capo magazzino: ricevimento merci, picking, inventario.",
        "site_id": "",
        "sector_code": "",
        "target_groups": ["young_neet", "disability"],
        "skills_required": ["forklift", "pick_orders"],
        "skills_preferred": ["teamwork"],
        "age_min": "18",
        "age_max": "29",
        "education_level": "lower_secondary",
        "languages-0-code": "it",
        "languages-0-level": "B1",
        "languages-1-code": "en",
        "languages-1-level": "A2",
        "languages-2-code": "",
        "languages-2-level": "",
        "driving_licence_required": "y",
        "hours_per_week": "30",
        "schedule": "Dal lunedì al venerdì, 8-14",
        "duration_months": "6",
        "total_hours": "",
        "start_date": (TODAY + timedelta(days=40)).isoformat(),
        "end_date": (TODAY + timedelta(days=220)).isoformat(),
        "application_deadline": (TODAY + timedelta(days=30)).isoformat(),
        "seats": "2",
        "allowance_eur": "500,50",
        "accessibility_notes": "Magazzino su un piano, servizi accessibili.",
        "contact_name": "Marta Colombo",
        "contact_email": "selezione@martesana.example",
        "contact_phone": "02 9505 1234",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def post_form(client, path: str, data: dict, *, form_path: str | None = None):
    page = client.get(form_path or path).get_data(as_text=True)
    token = CSRF_INPUT.search(page)
    assert token, f"no CSRF token on {form_path or path}"
    version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
    payload = {"csrf_token": token.group(1) or token.group(2), **data}
    if version and "version" not in data:
        payload["version"] = version.group(1) or version.group(2)
    return client.post(path, data=payload)


def post_action(client, opportunity_id: int, action: str, **data):
    token = csrf_token(client, f"{BASE}/")
    return client.post(f"{BASE}/{opportunity_id}/{action}", data={"csrf_token": token, **data})


def create_draft(app, world, **overrides) -> Opportunity:
    client = client_for(app, world["company"])
    response = post_form(client, f"{BASE}/nuova", form_values(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalars(select(Opportunity).order_by(Opportunity.id.desc())).first()


def opportunity_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Opportunity))


def history_of(opportunity: Opportunity) -> list[tuple]:
    events = db.session.scalars(
        select(OpportunityEvent).where(OpportunityEvent.opportunity_id == opportunity.id).order_by(OpportunityEvent.id)
    )
    return [
        (e.action.value, e.from_status.value if e.from_status else None, e.to_status.value, e.actor_id, e.reason)
        for e in events
    ]


def drain_and_search(backend, text: str) -> set[int]:
    while indexing.drain_once().applied:
        pass
    backend.refresh("opportunities")
    return {hit.id for hit in backend.search_opportunities(OpportunityQuery(text=text)).hits}


def flashes(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# -- writing -------------------------------------------------------------------------


def test_a_company_writes_a_draft_with_every_field(app, world):
    before = opportunity_count()
    opportunity = create_draft(app, world, site_id=str(world["site"].id))
    assert opportunity_count() == before + 1
    assert opportunity.organization_id == world["org"].id
    assert opportunity.status == OpportunityStatus.DRAFT
    assert opportunity.kind == OpportunityKind.INTERNSHIP
    assert opportunity.skills == [
        {"code": "forklift", "required": True},
        {"code": "pick_orders", "required": True},
        {"code": "teamwork", "required": False},
    ]
    assert opportunity.languages == [{"code": "it", "level": "B1"}, {"code": "en", "level": "A2"}]
    assert opportunity.target_groups == ["young_neet", "disability"]
    assert opportunity.allowance_eur == Decimal("500.50")
    assert opportunity.contact_phone == "+390295051234"  # normalised to E.164
    assert opportunity.municipality_code == "015108"  # the site's comune
    assert opportunity.sector_code == "52.10"  # the organisation's, left empty on the form
    assert opportunity.driving_licence_required and not opportunity.minors_allowed
    assert opportunity.created_by_id == world["company"].id and opportunity.on_behalf_partner_id is None
    assert history_of(opportunity) == [("created", None, "draft", world["company"].id, "")]

    # The edit page shows the saved values back.
    page = client_for(app, world["company"]).get(f"{BASE}/{opportunity.id}/modifica").get_data(as_text=True)
    assert 'value="500,50"' in page
    assert '<option selected value="forklift">' in page or 'value="forklift" selected' in page
    assert "Invia in revisione" in page


def test_an_empty_allowance_means_unpaid_and_no_site_means_the_organisations_comune(app, world):
    opportunity = create_draft(app, world, allowance_eur="", site_id="")
    assert opportunity.allowance_eur is None and not opportunity.is_paid
    assert opportunity.municipality_code == world["org"].municipality_code


def test_an_operator_publishes_on_a_companys_behalf(app, world):
    client = client_for(app, world["operator"])
    chooser = client.get(f"{BASE}/nuova?cerca=martesana").get_data(as_text=True)
    assert f"organizzazione={world['org'].id}" in chooser and "Panificio" not in chooser
    path = f"{BASE}/nuova?organizzazione={world['org'].id}"
    form = client.get(path).get_data(as_text=True)
    assert "info@martesana.example" in form  # the organisation's email as a starting contact
    response = post_form(client, path, form_values())
    assert response.status_code == 302
    opportunity = db.session.scalars(select(Opportunity).order_by(Opportunity.id.desc())).first()
    assert opportunity.organization_id == world["org"].id
    assert opportunity.on_behalf_partner_id == world["partner"].id
    assert opportunity.created_by_id == world["operator"].id
    # The operator's list shows what they created.
    listing = client.get(f"{BASE}/").get_data(as_text=True)
    assert "Tirocinio in magazzino a Gorgonzola" in listing


def test_a_company_list_shows_only_its_organisation_and_filters_by_status(app, world):
    mine = factories.opportunity(world["org"], title="Magazziniere notturno", status=OpportunityStatus.DRAFT)
    factories.opportunity(world["org"], title="Addetto alle spedizioni")
    factories.opportunity(world["other"], title="Aiuto fornaio")
    client = client_for(app, world["company"])
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert "Magazziniere notturno" in page and "Addetto alle spedizioni" in page
    assert "Aiuto fornaio" not in page
    drafts = client.get(f"{BASE}/?stato=draft").get_data(as_text=True)
    assert "Magazziniere notturno" in drafts and "Addetto alle spedizioni" not in drafts
    assert f"{BASE}/{mine.id}/modifica" in drafts and f"{BASE}/{mine.id}/storia" in drafts
    # A company cannot widen its list to another organisation.
    widened = client.get(f"{BASE}/?organizzazione={world['other'].id}&ambito=tutte").get_data(as_text=True)
    assert "Aiuto fornaio" not in widened
    # Staff choose: every organisation, or one.
    staff = client_for(app, world["partner_admin"])
    one = staff.get(f"{BASE}/?organizzazione={world['other'].id}").get_data(as_text=True)
    assert "Aiuto fornaio" in one and "Magazziniere notturno" not in one


def test_the_applicants_link_appears_only_when_the_pipeline_exists(app, world):
    opportunity = factories.opportunity(world["org"])
    page = client_for(app, world["company"]).get(f"{BASE}/").get_data(as_text=True)
    link = f"/gestione/opportunita/{opportunity.id}/candidati"
    assert (link in page) == ("applications.pipeline" in app.view_functions)


# -- the workflow ---------------------------------------------------------------------


def test_the_whole_workflow_with_its_history(app, world, backend):
    company, reviewer = world["company"], world["partner_admin"]
    as_company, as_reviewer = client_for(app, company), client_for(app, reviewer)
    opportunity = create_draft(app, world, title="Tirocinio di logistica sostenibile")
    oid = opportunity.id

    assert post_action(as_company, oid, "invia").status_code == 302
    assert db.session.get(Opportunity, oid).status == OpportunityStatus.IN_REVIEW
    queue = as_reviewer.get(f"{BASE}/revisione").get_data(as_text=True)
    assert "Tirocinio di logistica sostenibile" in queue

    # Rejected with a reason: back to draft, and the reason is above the form.
    reason = "Manca l'orario preciso e la descrizione delle mansioni è troppo generica."
    response = post_action(as_reviewer, oid, "respingi", **{f"reject-{oid}-reason": reason})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Opportunity, oid).status == OpportunityStatus.DRAFT
    edit_page = html.unescape(as_company.get(f"{BASE}/{oid}/modifica").get_data(as_text=True))
    assert reason in edit_page and 'id="rejection-reason"' in edit_page
    assert drain_and_search(backend, "logistica sostenibile") == set()  # drafts are never indexed

    # Edited and resubmitted, then approved: published and searchable.
    response = post_form(as_company, f"{BASE}/{oid}/modifica", form_values(
        title="Tirocinio di logistica sostenibile", schedule="Dal lunedì al venerdì, 8-14, pausa di 30 minuti",
    ))  # fmt: skip
    assert response.status_code == 302
    post_action(as_company, oid, "invia")
    post_action(as_reviewer, oid, "approva")
    db.session.expire_all()
    published = db.session.get(Opportunity, oid)
    assert published.status == OpportunityStatus.PUBLISHED and published.published_at is not None
    assert published.rejection_reason is None and published.reviewed_by_id == reviewer.id
    assert drain_and_search(backend, "logistica sostenibile") == {oid}

    # The company changes a published opportunity: it goes back to review and leaves search.
    response = post_form(as_company, f"{BASE}/{oid}/modifica", form_values(
        title="Tirocinio di logistica sostenibile", schedule="Dal lunedì al venerdì, 8-14, pausa di 30 minuti",
        seats="3",
    ))  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Opportunity, oid).status == OpportunityStatus.IN_REVIEW
    assert drain_and_search(backend, "logistica sostenibile") == set()
    post_action(as_reviewer, oid, "approva")
    assert drain_and_search(backend, "logistica sostenibile") == {oid}

    # Closed (withdrawn), reopened (back to review), archived.
    post_action(as_company, oid, "chiudi", **{"close-reason": "withdrawn"})
    db.session.expire_all()
    assert db.session.get(Opportunity, oid).status == OpportunityStatus.CLOSED
    assert drain_and_search(backend, "logistica sostenibile") == set()
    post_action(as_company, oid, "riapri")
    post_action(as_company, oid, "archivia")
    db.session.expire_all()
    assert db.session.get(Opportunity, oid).status == OpportunityStatus.ARCHIVED
    # Archived: no more editing, the history stays readable.
    assert as_company.get(f"{BASE}/{oid}/modifica").status_code == 403

    steps = [(action, before, after, actor) for action, before, after, actor, _reason in history_of(published)]
    c, r = company.id, reviewer.id
    assert steps == [
        ("created", None, "draft", c),
        ("submitted", "draft", "in_review", c),
        ("rejected", "in_review", "draft", r),
        ("edited", "draft", "draft", c),
        ("submitted", "draft", "in_review", c),
        ("approved", "in_review", "published", r),
        ("edited", "published", "in_review", c),
        ("approved", "in_review", "published", r),
        ("closed", "published", "closed", c),
        ("reopened", "closed", "in_review", c),
        ("archived", "in_review", "archived", c),
    ]
    reasons = [reason for *_rest, reason in history_of(published)]
    assert reasons[2] == reason and reasons[3] == "schedule" and reasons[6] == "seats"

    history = html.unescape(as_company.get(f"{BASE}/{oid}/storia").get_data(as_text=True))
    assert reason in history and "Paola Referente" in history and "Carla Azienda" in history
    assert "Ritirata dall'organizzazione" in history  # the close reason, in words
    assert "Respinta" in history and "Approvata e pubblicata" in history


def test_reject_needs_a_reason_and_changes_nothing_without_one(app, world):
    opportunity = factories.opportunity(world["org"], status=OpportunityStatus.IN_REVIEW)
    as_reviewer = client_for(app, world["partner_admin"])
    response = post_action(as_reviewer, opportunity.id, "respingi", **{f"reject-{opportunity.id}-reason": "  "})
    assert response.status_code == 302
    page = flashes(as_reviewer.get(response.headers["Location"]))
    assert "Spiega il motivo del rifiuto." in page
    db.session.expire_all()
    assert db.session.get(Opportunity, opportunity.id).status == OpportunityStatus.IN_REVIEW
    assert history_of(opportunity) == []


def test_a_refused_transition_flashes_its_reason_and_changes_nothing(app, world):
    late = factories.opportunity(
        world["org"], status=OpportunityStatus.IN_REVIEW, application_deadline=TODAY - timedelta(days=1)
    )
    as_reviewer = client_for(app, world["partner_admin"])
    response = post_action(as_reviewer, late.id, "approva")
    page = flashes(as_reviewer.get(response.headers["Location"]))
    assert "La scadenza delle candidature è già passata" in page
    db.session.expire_all()
    assert db.session.get(Opportunity, late.id).status == OpportunityStatus.IN_REVIEW

    # Submitting something already published is not a step the workflow has.
    published = factories.opportunity(world["org"])
    as_company = client_for(app, world["company"])
    response = post_action(as_company, published.id, "invia")
    page = flashes(as_company.get(response.headers["Location"]))
    assert "Questa operazione non è possibile nello stato attuale" in page
    db.session.expire_all()
    assert db.session.get(Opportunity, published.id).status == OpportunityStatus.PUBLISHED
    assert history_of(published) == []


def test_a_workflow_button_without_csrf_changes_nothing(app, world):
    draft = factories.opportunity(world["org"], status=OpportunityStatus.DRAFT)
    response = client_for(app, world["company"]).post(f"{BASE}/{draft.id}/invia", data={})
    assert response.status_code in {302, 400}
    db.session.expire_all()
    assert db.session.get(Opportunity, draft.id).status == OpportunityStatus.DRAFT


# -- bad input ------------------------------------------------------------------------

BAD_INPUT = [
    (
        {"start_date": (TODAY + timedelta(days=60)).isoformat(), "end_date": (TODAY + timedelta(days=50)).isoformat(),
         "application_deadline": (TODAY + timedelta(days=20)).isoformat()},
        "end_date", "La data di fine non può precedere la data di inizio.",
    ),
    ({"seats": "-3"}, "seats", "I posti devono essere tra 1 e 500."),
    ({"age_min": "25", "age_max": "20"}, "age_max", "L'età massima non può essere inferiore all'età minima."),
    (
        {"application_deadline": (TODAY - timedelta(days=1)).isoformat()},
        "application_deadline", "La scadenza delle candidature non può essere nel passato.",
    ),
    ({"contact_phone": "12"}, "contact_phone", "Numero di telefono non valido."),
    ({"seats": "tre"}, "seats", "Scrivi un numero intero."),
    ({"allowance_eur": "500 euro"}, "allowance_eur", "Scrivi l'importo in euro, per esempio 450 oppure 450,50."),
    ({"sector_code": "99.99"}, "sector_code", "Codice ATECO non trovato nella classificazione ATECO 2025."),
    ({"skills_required": ["not_a_skill"]}, "skills_required", "Scelta non valida: ricarica la pagina e riprova."),
    (
        {"skills_required": ["forklift"], "skills_preferred": ["forklift"]},
        "skills_preferred", "Una competenza non può essere sia richiesta sia gradita.",
    ),
    ({"languages-0-level": ""}, "languages", "Indica il livello richiesto (da A1 a C2)."),
    ({"languages-0-code": "xx"}, "languages", "Indica ogni lingua con un livello da A1 a C2."),
    ({"kind": "astronaut"}, "kind", "Scegli il tipo di opportunità."),
    ({"age_min": "16", "age_max": "20"}, "age_min", "indica che l'opportunità è aperta ai minorenni."),
    ({"title": "Ok"}, "title", "Il titolo deve avere tra 5 e 200 caratteri."),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT, ids=[case[1] for case in BAD_INPUT])
def test_bad_input_is_refused_in_italian_next_to_its_field_and_nothing_is_saved(app, world, overrides, field, message):
    client = client_for(app, world["company"])
    before = opportunity_count()
    response = post_form(client, f"{BASE}/nuova", form_values(**overrides))
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert opportunity_count() == before
    if field == "languages":
        shown = page[page.index('id="languages"') :]
    else:
        errors = re.search(rf'id="{field}-errors"[^>]*>(.*?)</div>', page, re.S)
        assert errors, f"no error next to {field}"
        shown = errors.group(1)
    assert message in shown
    assert "Controlla i dati inseriti" in page


def test_a_site_of_another_organisation_is_refused(app, world):
    client = client_for(app, world["company"])
    before = opportunity_count()
    response = post_form(client, f"{BASE}/nuova", form_values(site_id=str(world["foreign_site"].id)))
    assert response.status_code == 200
    assert "Scegli una sede dell'organizzazione." in html.unescape(response.get_data(as_text=True))
    assert opportunity_count() == before


def test_a_bad_edit_changes_nothing(app, world):
    opportunity = create_draft(app, world)
    version = opportunity.version
    client = client_for(app, world["company"])
    response = post_form(client, f"{BASE}/{opportunity.id}/modifica", form_values(seats="0", title="Nuovo titolo"))
    assert response.status_code == 200
    assert "I posti devono essere tra 1 e 500." in html.unescape(response.get_data(as_text=True))
    db.session.expire_all()
    again = db.session.get(Opportunity, opportunity.id)
    assert again.version == version and again.title == "Tirocinio in magazzino a Gorgonzola"


def test_a_stale_form_is_refused_and_keeps_the_newer_change(app, world):
    opportunity = create_draft(app, world)
    client = client_for(app, world["company"])
    page = client.get(f"{BASE}/{opportunity.id}/modifica").get_data(as_text=True)
    old_version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
    old_version = old_version.group(1) or old_version.group(2)
    # A colleague saves first.
    response = post_form(client_for(app, world["operator"]), f"{BASE}/{opportunity.id}/modifica",
                         form_values(title="Titolo scelto dalla collega"))  # fmt: skip
    assert response.status_code == 302
    response = post_form(client, f"{BASE}/{opportunity.id}/modifica",
                         form_values(title="Titolo ormai superato", version=old_version))  # fmt: skip
    assert response.status_code == 200
    assert "è stata modificata da un altro utente" in html.unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Opportunity, opportunity.id).title == "Titolo scelto dalla collega"


def test_markup_is_stored_as_text_and_shown_escaped(app, world):
    title = '<script>alert("titolo")</script> Tirocinio'
    description = 'Mansioni varie <img src=x onerror=alert(1)> e <a href="javascript:alert(2)">link</a> qui.'
    schedule = "<b onmouseover=alert(3)>9-13</b>"
    opportunity = create_draft(app, world, title=title, description=description, schedule=schedule)
    assert (opportunity.title, opportunity.description, opportunity.schedule) == (title, description, schedule)
    client = client_for(app, world["company"])
    post_action(client, opportunity.id, "invia")
    reason = "<script>alert('motivo')</script> Correggi la descrizione."
    post_action(client_for(app, world["partner_admin"]), opportunity.id, "respingi",
                **{f"reject-{opportunity.id}-reason": reason})  # fmt: skip

    pages = {
        "edit": client.get(f"{BASE}/{opportunity.id}/modifica").get_data(as_text=True),
        "history": client.get(f"{BASE}/{opportunity.id}/storia").get_data(as_text=True),
        "list": client.get(f"{BASE}/").get_data(as_text=True),
    }
    for name, page in pages.items():
        assert "<script>alert" not in page, name
        assert "<img src=x" not in page and "<b onmouseover" not in page, name
    assert "&lt;script&gt;alert(&#34;titolo&#34;)&lt;/script&gt;" in pages["edit"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages["edit"]  # inside the textarea, as text
    assert "&lt;b onmouseover=alert(3)&gt;9-13&lt;/b&gt;" in pages["edit"]
    assert "&lt;script&gt;alert(&#39;motivo&#39;)&lt;/script&gt;" in pages["edit"]  # the rejection reason
    assert "&lt;script&gt;alert(&#39;motivo&#39;)&lt;/script&gt;" in pages["history"]
    assert "&lt;script&gt;alert(&#34;titolo&#34;)&lt;/script&gt;" in pages["history"]


# -- editions -------------------------------------------------------------------------


def edition_values(**overrides) -> dict:
    values = {
        "label": "Edizione di primavera",
        "starts_on": (TODAY + timedelta(days=30)).isoformat(),
        "ends_on": (TODAY + timedelta(days=60)).isoformat(),
        "start_time": "09:00",
        "end_time": "13:00",
        "place": "Biblioteca civica",
        "municipality_code": "015108",
        "seats": "12",
    }
    values.update(overrides)
    return values


def test_editions_are_added_changed_and_deleted(app, world):
    workshop = factories.opportunity(world["org"], kind=OpportunityKind.WORKSHOP, status=OpportunityStatus.DRAFT)
    version = workshop.version
    client = client_for(app, world["company"])
    path = f"{BASE}/{workshop.id}/edizioni"
    assert post_form(client, path, edition_values()).status_code == 302
    edition = db.session.scalars(select(Edition).where(Edition.opportunity_id == workshop.id)).one()
    assert edition.seats == 12 and edition.place == "Biblioteca civica"
    db.session.expire_all()
    assert db.session.get(Opportunity, workshop.id).version > version  # the search document follows

    # Bad dates: Italian message, nothing changed.
    response = post_form(client, f"{path}/{edition.id}", edition_values(
        starts_on=(TODAY + timedelta(days=30)).isoformat(), ends_on=(TODAY + timedelta(days=10)).isoformat(),
    ))  # fmt: skip
    assert response.status_code == 200
    assert "La data di fine non può precedere la data di inizio." in html.unescape(response.get_data(as_text=True))
    response = post_form(client, f"{path}/{edition.id}", edition_values(seats="0"))
    assert "I posti devono essere tra 1 e 500." in html.unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Edition, edition.id).seats == 12

    assert post_form(client, f"{path}/{edition.id}", edition_values(seats="15")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Edition, edition.id).seats == 15
    listing = client.get(path).get_data(as_text=True)
    assert "Edizione di primavera" in listing
    token = csrf_token(client, path)
    assert client.post(f"{path}/{edition.id}/elimina", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Edition, edition.id) is None

    # Another company cannot touch them; kinds without editions have no editions page.
    assert client_for(app, world["other_company"]).get(path).status_code == 403
    internship = factories.opportunity(world["org"], status=OpportunityStatus.DRAFT)
    assert client.get(f"{BASE}/{internship.id}/edizioni").status_code == 404


# -- the hourly job -------------------------------------------------------------------


def test_the_job_closes_due_opportunities_and_takes_them_out_of_search(app, world, backend):
    past = factories.opportunity(world["org"], title="Scaduta ieri", application_deadline=TODAY - timedelta(days=1))
    full = factories.opportunity(world["org"], title="Posti esauriti", seats=1)
    open_one = factories.opportunity(world["org"], title="Ancora aperta", seats=2)
    person = factories.person()
    fr.application(full.id, person, ApplicationStatus.ACCEPTED)
    fr.application(open_one.id, factories.person(first_name="Luca"), ApplicationStatus.ACCEPTED)
    draft = factories.opportunity(world["org"], status=OpportunityStatus.DRAFT,
                                  application_deadline=TODAY - timedelta(days=3))  # fmt: skip
    while indexing.drain_once().applied:
        pass
    backend.refresh("opportunities")
    assert {past.id, full.id, open_one.id} <= set(backend.versions("opportunities"))

    assert sorted(close_due_opportunities()) == sorted([past.id, full.id])
    db.session.expire_all()  # the job ran in its own session, as on a worker
    assert db.session.get(Opportunity, past.id).close_reason.value == "deadline_passed"
    assert db.session.get(Opportunity, full.id).close_reason.value == "filled"
    assert db.session.get(Opportunity, open_one.id).status == OpportunityStatus.PUBLISHED
    assert db.session.get(Opportunity, draft.id).status == OpportunityStatus.DRAFT
    for closed in (past, full):
        assert history_of(closed) == [
            ("closed", "published", "closed", None, db.session.get(Opportunity, closed.id).close_reason.value)
        ]

    while indexing.drain_once().applied:
        pass
    backend.refresh("opportunities")
    indexed = set(backend.versions("opportunities"))
    assert past.id not in indexed and full.id not in indexed and open_one.id in indexed

    # Nothing left to do on the next run; the history page says who did it.
    assert close_due_opportunities() == []
    page = client_for(app, world["company"]).get(f"{BASE}/{full.id}/storia").get_data(as_text=True)
    assert "Automatico" in page and "Posti esauriti" in page


def test_the_job_is_scheduled_hourly():
    from jobs.schedule import periodic_jobs

    entry = next(item for item in periodic_jobs() if item.name == "close-due-opportunities")
    assert entry.func is close_due_opportunities and entry.every_seconds == 3600
    assert close_due_opportunities.spec.queue == "default"


def test_events_of_the_job_have_no_actor(app, world):
    opportunity = factories.opportunity(world["org"], application_deadline=TODAY - timedelta(days=2))
    close_due_opportunities()
    db.session.expire_all()
    event = db.session.scalars(select(OpportunityEvent).where(OpportunityEvent.opportunity_id == opportunity.id)).one()
    assert event.actor_id is None and event.action == OpportunityAction.CLOSED


def test_the_review_queue_shows_the_oldest_submission_first(app, world):
    from marketplace.models_base import utcnow

    newer = factories.opportunity(world["org"], title="Inviata oggi", status=OpportunityStatus.IN_REVIEW)
    older = factories.opportunity(
        world["other"], title="Inviata la settimana scorsa", status=OpportunityStatus.IN_REVIEW
    )
    newer.submitted_at, older.submitted_at = utcnow(), utcnow() - timedelta(days=7)
    factories.opportunity(world["org"], title="Già pubblicata")
    db.session.commit()
    page = client_for(app, world["partner_admin"]).get(f"{BASE}/revisione").get_data(as_text=True)
    assert page.index("Inviata la settimana scorsa") < page.index("Inviata oggi")
    assert "Già pubblicata" not in page


def test_setting_a_zero_allowance_on_an_unpaid_opportunity_is_a_change(app, world):
    from marketplace.opportunities import editing

    opportunity = create_draft(app, world, allowance_eur="")
    changed = editing.update(
        opportunity, {"allowance_eur": Decimal("0")}, actor=world["company"], expected_version=opportunity.version
    )
    assert changed == ["allowance_eur"] and opportunity.allowance_eur == 0
    # Blank and missing stay the same thing.
    assert editing.update(opportunity, {"schedule": "Dal lunedì al venerdì, 8-14"}, actor=world["company"],
                          expected_version=opportunity.version) == []  # fmt: skip


def test_staff_filter_their_list_by_organisation_name(app, world):
    factories.opportunity(world["org"], title="Magazziniere notturno")
    factories.opportunity(world["other"], title="Aiuto fornaio")
    db.session.commit()
    staff = client_for(app, world["operator"])
    page = staff.get(f"{BASE}/?nome=ronchi").get_data(as_text=True)
    assert "Aiuto fornaio" in page and "Magazziniere notturno" not in page
    # The typed text is literal: "%" matches no name rather than every name.
    assert "Nessuna opportunità da mostrare." in staff.get(f"{BASE}/?nome=%25").get_data(as_text=True)
    # Without a filter, staff see what they created (nothing yet).
    assert "Aiuto fornaio" not in staff.get(f"{BASE}/").get_data(as_text=True)
