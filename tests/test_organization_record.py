"""The staff record of an organisation: who may read and write it, validation, locking, audit, archive.

Runs on the real PostgreSQL with the audit hook active: every assertion about the audit log
reads the rows the flush wrote.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from marketplace.extensions import db
from marketplace.opportunities.models import OpportunityStatus
from marketplace.organizations import services
from marketplace.organizations.models import Organization, OrganizationKind, OrganizationStatus, SizeClass
from tests import factories
from tests.conftest import csrf_token
from tests.factories_organization_record import (
    GORGONZOLA,
    MELZO,
    PERSON_CF,
    PIVA_A,
    PIVA_B,
    PIVA_C,
    World,
    audit_rows,
    build_world,
    client_for,
    count,
    post_form,
    text_of,
)


@pytest.fixture
def world(db_session) -> World:
    return build_world()


def record_form_data(org: Organization, **changes) -> dict:
    data = {
        "name": org.name, "kind": org.kind.value, "vat_number": org.vat_number or "", "tax_code": org.tax_code or "",
        "ateco_code": org.ateco_code or "", "status": org.status.value, "description": org.description or "",
        "address": org.address or "", "municipality_code": org.municipality_code or "", "website": org.website or "",
        "email": org.email or "", "phone": org.phone or "",
        "employees": "" if org.employees is None else str(org.employees),
        "size_class": "auto", "obligated_68": "auto", "quota_68_covered": "", "version": str(org.version),
    }  # fmt: skip
    data.update(changes)
    return data


def org_count() -> int:
    return count(Organization)


# -- who may open what -----------------------------------------------------------------

OK, LOGIN, FORBIDDEN = 200, 302, 403
ROLES = ("anonymous", "candidate", "company_other", "company_own", "operator", "partner_admin", "admin")
READ = (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK)
WRITE = (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)
OWN = (LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, OK, OK)
PAGES = {
    "/banca-dati/organizzazioni/{org}": READ,
    "/banca-dati/organizzazioni/{org}/sedi": READ,
    "/banca-dati/organizzazioni/{org}/note": READ,
    "/banca-dati/organizzazioni/nuova": WRITE,
    "/banca-dati/organizzazioni/{org}/modifica": WRITE,
    "/banca-dati/organizzazioni/{org}/sedi/nuova": WRITE,
    "/banca-dati/organizzazioni/{org}/sedi/{site}": WRITE,
    "/banca-dati/organizzazioni/{org}/referenti/nuovo": WRITE,
    "/banca-dati/organizzazioni/{org}/referenti/{contact}": WRITE,
    "/banca-dati/organizzazioni/{org}/profilo-inclusione": WRITE,
    "/banca-dati/organizzazioni/{org}/registro": WRITE,
    "/organizzazioni/{org}/gestione": OWN,
    "/organizzazioni/{org}/gestione/dati": OWN,
    "/organizzazioni/{org}/gestione/sedi/nuova": OWN,
    "/organizzazioni/{org}/gestione/sedi/{site}": OWN,
    "/organizzazioni/{org}": (OK,) * len(ROLES),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_exactly_the_pages_it_may(app, world, role):
    site = services.save_site(world.org, None, {"address": "Via Roma 1", "municipality_code": GORGONZOLA})
    contact = services.save_contact(world.org, None, {"full_name": "Paola Neri", "consent_to_contact": True})
    client = client_for(app, world, role)
    wrong = []
    for template, expected in PAGES.items():
        path = template.format(org=world.org.id, site=site.id, contact=contact.id)
        status = client.get(path).status_code
        if status != expected[ROLES.index(role)]:
            wrong.append(f"{path}: {status}, expected {expected[ROLES.index(role)]}")
    assert wrong == []


@pytest.mark.parametrize("role", ["operator", "company_own", "candidate"])
def test_roles_that_only_read_cannot_write_the_record(app, world, role):
    client = client_for(app, world, role)
    # Every page carries a CSRF token (the language switch): a valid one, so only the role decides.
    own_token = csrf_token(client, "/")
    base = f"/banca-dati/organizzazioni/{world.org.id}"
    attempts = {
        f"{base}/modifica": record_form_data(world.org, name="Nome cambiato"),
        f"{base}/archivia": {},
        f"{base}/sedi/nuova": {"address": "Via X 1", "municipality_code": GORGONZOLA},
        f"{base}/referenti/nuovo": {"full_name": "Intruso"},
        f"{base}/profilo-inclusione": {"capacity": "3"},
        "/banca-dati/organizzazioni/nuova": record_form_data(world.org, vat_number=PIVA_B, tax_code=""),
    }
    for path, data in attempts.items():
        assert client.post(path, data={**data, "csrf_token": own_token}).status_code == 403, path
    db.session.refresh(world.org)
    assert world.org.name == "Logistica Adda S.r.l." and world.org.archived_at is None
    assert world.org.sites == [] and world.org.contacts == [] and world.org.inclusion_profile is None
    assert services.find_by_identifiers(PIVA_B, None) is None


def test_there_is_no_delete_route_for_an_organization(app, world):
    client = client_for(app, world, "admin")
    token = csrf_token(client, f"/banca-dati/organizzazioni/{world.org.id}")
    for path in (f"/banca-dati/organizzazioni/{world.org.id}/elimina", f"/banca-dati/organizzazioni/{world.org.id}"):
        assert client.post(path, data={"csrf_token": token}).status_code in (404, 405)
    assert client.delete(f"/banca-dati/organizzazioni/{world.org.id}").status_code in (404, 405)
    assert db.session.get(Organization, world.org.id) is not None


# -- the record page -------------------------------------------------------------------


def test_record_shows_identity_sites_contacts_profile_and_provenance(app, world):
    org = services.create(
        {"name": "Officine Melzo S.p.A.", "kind": OrganizationKind.SPA, "vat_number": PIVA_C, "ateco_code": "56.11",
         "employees": 120, "municipality_code": MELZO, "website": "https://officine.example.org",
         "phone": "+390212345678"},
        user_id=world.users["partner_admin"].id, partner_id=world.partner_a.id,
    )  # fmt: skip
    services.save_site(org, None, {"label": "Magazzino", "address": "Via Verdi 3", "municipality_code": MELZO})
    services.save_site(
        org, None,
        {"label": "Negozio", "address": "Piazza Unità 1", "municipality_code": GORGONZOLA,
         "latitude": 45.53, "longitude": 9.40},
    )  # fmt: skip
    services.save_contact(org, None, {"full_name": "Marta Sala", "job_title": "HR", "consent_to_contact": True})
    services.save_contact(org, None, {"full_name": "Gino Riva", "consent_to_contact": False})
    services.save_inclusion_profile(org, {"schemes": ["work_grant", "hiring"], "capacity": 2, "languages": ["ar"]})

    page = text_of(client_for(app, world, "operator").get(f"/banca-dati/organizzazioni/{org.id}"))
    for expected in (
        "Officine Melzo S.p.A.", "Società per azioni (S.p.A.)", PIVA_C, "56.11", "Attività di ristoranti",
        "Media (50–249 addetti)", "120",
        "Sì, è obbligata", "non nota", "Melzo", "https://officine.example.org", "+390212345678",
        "Magazzino", "Centro del comune", "Negozio", "Punto preciso", "Marta Sala", "Gino Riva",
        "Non contattare", "Borsa lavoro", "Assunzione", "Arabo", "Utente referente", "SIL Martesana",
    ):  # fmt: skip
        assert expected in page, expected
    # Only the contact without consent carries the mark.
    assert page.count("app-do-not-contact") == 1
    # Operators read: no edit or archive buttons.
    assert "/modifica" not in page and "/archivia" not in page


def test_record_tabs_follow_the_role(app, world):
    operator_page = text_of(client_for(app, world, "operator").get(f"/banca-dati/organizzazioni/{world.org.id}"))
    admin_page = text_of(client_for(app, world, "partner_admin").get(f"/banca-dati/organizzazioni/{world.org.id}"))
    assert "Sedi e referenti" in operator_page and "Note del tuo ente" in operator_page
    assert "Registro modifiche" not in operator_page and "Profilo di inclusione</a>" not in operator_page
    assert "Registro modifiche" in admin_page and "/profilo-inclusione" in admin_page and "/modifica" in admin_page


def test_unknown_organization_is_404(app, world):
    client = client_for(app, world, "admin")
    assert client.get("/banca-dati/organizzazioni/999999").status_code == 404
    assert client.get("/banca-dati/organizzazioni/999999/modifica").status_code == 404
    assert client.get("/organizzazioni/999999").status_code == 404


# -- creating --------------------------------------------------------------------------


def test_partner_admin_creates_an_organization_recording_who_and_from_which_partner(app, world):
    client = client_for(app, world, "partner_admin")
    data = record_form_data(
        world.org, name="Bar Centrale di Melzo", kind="sole_proprietorship", vat_number=f"IT {PIVA_B}",
        tax_code=PERSON_CF.lower(), ateco_code="56.11", municipality_code=MELZO, website="www.barcentrale.example.org",
        email="bar@example.org", phone="02 9573 1234", employees="16", description="", address="",
    )  # fmt: skip
    del data["version"]
    response = post_form(client, "/banca-dati/organizzazioni/nuova", data)
    assert response.status_code == 302, text_of(response)
    created = services.find_by_identifiers(PIVA_B, None)
    assert created is not None and response.headers["Location"].endswith(f"/banca-dati/organizzazioni/{created.id}")
    assert created.vat_number == PIVA_B and created.tax_code == PERSON_CF
    assert created.kind == OrganizationKind.SOLE_PROPRIETORSHIP
    assert created.website == "https://www.barcentrale.example.org"
    assert created.phone == "+390295731234"
    assert created.size_class == SizeClass.SMALL and created.obligated_68 is True
    assert created.created_by_user_id == world.users["partner_admin"].id
    assert created.created_by_partner_id == world.partner_a.id
    created_entry = audit_rows(created.id, action="create")
    assert len(created_entry) == 1 and created_entry[0].actor_id == world.users["partner_admin"].id
    assert created_entry[0].actor_partner_id == world.partner_a.id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"vat_number": "12345678901"}, "Partita IVA non valida"),
        ({"vat_number": "", "tax_code": "RSSMRA80A01F205Z"}, "Codice fiscale non valido"),
        ({"vat_number": "", "tax_code": ""}, "Indica la partita IVA o il codice fiscale"),
        ({"ateco_code": "99.99"}, "Codice ATECO non trovato"),
        ({"employees": "-3"}, "Indica un numero da 0 in su"),
        ({"employees": "tanti"}, "Scrivi un numero intero"),
        ({"website": "javascript:alert(1)"}, "Indirizzo del sito non valido"),
        ({"website": "non un sito"}, "Indirizzo del sito non valido"),
        ({"email": "non-una-email"}, "Indirizzo email non valido"),
        ({"phone": "12"}, "Numero di telefono non valido"),
        ({"municipality_code": "999999"}, "Non è una opzione valida"),
        ({"kind": "multinazionale"}, "Non è una opzione valida"),
        ({"name": ""}, "Campo obbligatorio"),
        ({"employees": "5", "quota_68_covered": "1"}, "solo per le organizzazioni obbligate"),
        ({"obligated_68": "0", "quota_68_covered": "0"}, "solo per le organizzazioni obbligate"),
    ],
)
def test_create_rejects_bad_input_in_italian_and_saves_nothing(app, world, changes, message):
    client = client_for(app, world, "partner_admin")
    before = org_count()
    data = record_form_data(
        world.org, **{"name": "Nuova Impresa S.r.l.", "vat_number": PIVA_B, "tax_code": "", **changes}
    )
    response = post_form(client, "/banca-dati/organizzazioni/nuova", data)
    assert response.status_code == 200
    assert message in text_of(response)
    assert 'id="error-summary"' in text_of(response)
    assert org_count() == before


@pytest.mark.parametrize(
    ("vat_number", "tax_code"),
    [(PIVA_A, ""), ("", PIVA_A), (PIVA_B, PIVA_A)],
    ids=["same-piva", "cf-equal-to-existing-piva", "cf-of-another"],
)
def test_create_refuses_identifiers_of_another_organization_naming_it(app, world, vat_number, tax_code):
    client = client_for(app, world, "partner_admin")
    before = org_count()
    data = record_form_data(world.org, name="Copia", vat_number=vat_number, tax_code=tax_code)
    page = text_of(post_form(client, "/banca-dati/organizzazioni/nuova", data))
    assert "appartiene già a un&#39;altra organizzazione" in page or "appartiene già a un'altra organizzazione" in page
    assert f'href="/banca-dati/organizzazioni/{world.org.id}"' in page and "Logistica Adda S.r.l." in page
    assert org_count() == before


# -- editing, locking, audit -------------------------------------------------------------


def test_editing_a_field_writes_an_audit_entry_with_old_new_and_actor(app, world):
    client = client_for(app, world, "partner_admin")
    path = f"/banca-dati/organizzazioni/{world.org.id}/modifica"
    data = record_form_data(world.org, name="Logistica Adda S.p.A.", kind="spa", employees="8", phone="0295731234")
    response = post_form(client, path, data)
    assert response.status_code == 302, text_of(response)
    db.session.refresh(world.org)
    assert world.org.name == "Logistica Adda S.p.A." and world.org.phone == "+390295731234"
    # 8 employees: micro, no longer obliged, and the quota no longer means anything.
    assert world.org.size_class == SizeClass.MICRO and world.org.obligated_68 is False
    assert world.org.quota_68_covered is None
    changes = {e.field: (e.old_value, e.new_value) for e in audit_rows(world.org.id, action="update")}
    assert changes["name"] == ("Logistica Adda S.r.l.", "Logistica Adda S.p.A.")
    assert changes["kind"] == ("srl", "spa")
    assert changes["employees"] == ("40", "8")
    assert changes["obligated_68"] == ("true", "false")
    name_entry = audit_rows(world.org.id, field="name", action="update")[0]
    assert name_entry.actor_id == world.users["partner_admin"].id
    assert name_entry.actor_partner_id == world.partner_a.id and name_entry.source == "web"


def test_explicit_l68_choice_overrides_the_head_count(app, world):
    client = client_for(app, world, "partner_admin")
    data = record_form_data(world.org, employees="20", obligated_68="0", size_class="medium")
    assert post_form(client, f"/banca-dati/organizzazioni/{world.org.id}/modifica", data).status_code == 302
    db.session.refresh(world.org)
    assert world.org.obligated_68 is False and world.org.size_class == SizeClass.MEDIUM
    # The edit form shows explicit choices as such, not as "automatic".
    page = text_of(client.get(f"/banca-dati/organizzazioni/{world.org.id}/modifica"))
    assert re.search(r'<option selected value="0">|<option value="0" selected>', page)


def test_a_stale_form_does_not_overwrite_someone_elses_changes(app, world):
    client = client_for(app, world, "partner_admin")
    path = f"/banca-dati/organizzazioni/{world.org.id}/modifica"
    form_page = text_of(client.get(path))
    opened = re.search(r'name="version" type="hidden" value="(\d+)"|value="(\d+)"[^>]*name="version"', form_page)
    assert opened, "the form carries the record version"
    stale = record_form_data(world.org, name="Il mio nome", version=opened.group(1) or opened.group(2))
    # Meanwhile another partner_admin saves.
    services.update(world.org, {"name": "Il nome del collega"}, expected_version=world.org.version)
    db.session.commit()
    response = post_form(client, path, stale)
    assert response.status_code == 200
    assert "modificata da un altro utente" in text_of(response)
    db.session.refresh(world.org)
    assert world.org.name == "Il nome del collega"


def test_a_tampered_version_is_treated_as_stale_not_as_an_error(app, world):
    client = client_for(app, world, "partner_admin")
    path = f"/banca-dati/organizzazioni/{world.org.id}/modifica"
    response = post_form(client, path, record_form_data(world.org, name="Altro", version="abc"))
    assert response.status_code == 200 and "modificata da un altro utente" in text_of(response)
    db.session.refresh(world.org)
    assert world.org.name == "Logistica Adda S.r.l."


def test_edit_refuses_an_identifier_held_by_another_organization(app, world):
    world.other_org.vat_number = PIVA_B
    db.session.flush()
    client = client_for(app, world, "admin")
    path = f"/banca-dati/organizzazioni/{world.org.id}/modifica"
    page = text_of(post_form(client, path, record_form_data(world.org, tax_code=PIVA_B)))
    assert "Cooperativa Il Ponte" in page and f"/banca-dati/organizzazioni/{world.other_org.id}" in page
    db.session.refresh(world.org)
    assert world.org.tax_code == PIVA_A
    # Its own P.IVA repeated as codice fiscale is fine.
    assert post_form(client, path, record_form_data(world.org, tax_code=PIVA_A, name="Ok")).status_code == 302


# -- archive ------------------------------------------------------------------------------


def test_archive_hides_the_public_page_keeps_opportunities_and_restore_brings_it_back(app, world):
    opportunity = factories.opportunity(world.org)
    client = client_for(app, world, "partner_admin")
    record_path = f"/banca-dati/organizzazioni/{world.org.id}"
    response = post_form(client, record_path, {}, action=f"{record_path}/archivia")
    assert response.status_code == 302
    db.session.refresh(world.org)
    assert world.org.archived_at is not None
    assert "Organizzazione archiviata il" in text_of(client.get(record_path))
    assert app.test_client().get(f"/organizzazioni/{world.org.id}").status_code == 404
    db.session.refresh(opportunity)
    assert opportunity.status == OpportunityStatus.PUBLISHED
    assert [e.field for e in audit_rows(world.org.id, action="update")] == ["archived_at"]
    # While archived the record is read-only.
    edit = post_form(client, record_path, record_form_data(world.org, name="X"), action=f"{record_path}/modifica")
    assert edit.status_code == 302 and edit.headers["Location"].endswith(record_path)
    db.session.refresh(world.org)
    assert world.org.name == "Logistica Adda S.r.l."

    assert post_form(client, record_path, {}, action=f"{record_path}/ripristina").status_code == 302
    db.session.refresh(world.org)
    assert world.org.archived_at is None
    assert app.test_client().get(f"/organizzazioni/{world.org.id}").status_code == 200


def test_archive_without_csrf_token_changes_nothing(app, world):
    client = client_for(app, world, "partner_admin")
    response = client.post(f"/banca-dati/organizzazioni/{world.org.id}/archivia")
    assert response.status_code == 400
    db.session.refresh(world.org)
    assert world.org.archived_at is None


def test_merged_record_shows_a_banner_and_its_public_page_leads_to_the_survivor(app, world):
    world.org.merged_into_id = world.other_org.id
    db.session.flush()
    page = text_of(client_for(app, world, "operator").get(f"/banca-dati/organizzazioni/{world.org.id}"))
    assert "Unita a un" in page and "Cooperativa Il Ponte" in page
    response = app.test_client().get(f"/organizzazioni/{world.org.id}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/organizzazioni/{world.other_org.id}")


def test_a_save_racing_another_one_is_refused_by_the_row_version_and_the_session_stays_usable(world):
    # Another request bumps the row after this one read it (the identity map still holds version 1).
    db.session.connection().execute(
        text("UPDATE organizations SET version = version + 1, name = 'Salvato prima' WHERE id = :id"),
        {"id": world.org.id},
    )
    with pytest.raises(services.StaleRecord):
        services.update(world.org, {"name": "Salvato dopo"}, expected_version=world.org.version)
    name = db.session.scalar(select(Organization.name).where(Organization.id == world.org.id))
    assert name == "Salvato prima"
    assert audit_rows(world.org.id, action="update", field="name") == []


def test_losing_a_race_for_the_same_piva_names_the_winner_instead_of_failing(app, committed, settings):
    import threading
    import time

    from sqlalchemy import create_engine

    # Another request inserts the same P.IVA and commits while this one is already writing.
    other = create_engine(settings.database_url).connect()
    other.execute(
        text("INSERT INTO organizations (name, kind, vat_number, status, obligated_68, version, created_at, updated_at)"
             " VALUES ('Arrivata prima', 'srl', :vat, 'active', false, 1, now(), now())"),
        {"vat": PIVA_B},
    )  # fmt: skip
    committer = threading.Timer(0.5, other.commit)
    committer.start()
    started = time.monotonic()
    try:
        with pytest.raises(services.DuplicateIdentifier) as refused:
            services.create_checked(
                {"name": "Arrivata dopo", "kind": OrganizationKind.SRL, "vat_number": PIVA_B},
                user_id=None,
                partner_id=None,
            )
    finally:
        committer.join()
        other.close()
    assert time.monotonic() - started >= 0.4  # it really waited on the other transaction's row
    assert refused.value.existing.name == "Arrivata prima"
    # The session is still usable after the failed insert.
    assert db.session.scalar(select(Organization.name).where(Organization.vat_number == PIVA_B)) == "Arrivata prima"


def test_record_pages_render_in_english_too(app, world):
    services.save_inclusion_profile(world.org, {"languages": ["ar"], "schemes": ["hiring"]})
    services.update(world.org, {"status": OrganizationStatus.INACTIVE}, expected_version=world.org.version)
    client = client_for(app, world, "admin")
    with client.session_transaction() as session:
        session["locale"] = "en"
    for path in ("", "/modifica", "/sedi", "/profilo-inclusione", "/note", "/registro"):
        response = client.get(f"/banca-dati/organizzazioni/{world.org.id}{path}")
        assert response.status_code == 200, path
        assert '<html lang="en">' in text_of(response), path
    # Language names come from the locale's own data, not from Italian msgids.
    assert "Arabic" in text_of(client.get(f"/banca-dati/organizzazioni/{world.org.id}"))
