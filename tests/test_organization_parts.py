"""The parts of an organisation record: sites, contacts, inclusion profile, private notes, the audit
log page, the company's own editing and the public page. Real PostgreSQL, audit hook active.
"""

from __future__ import annotations

import pytest

from marketplace.audit.models import AuditEntry
from marketplace.extensions import db
from marketplace.interactions.models import Interaction, InteractionKind, InteractionOutcome
from marketplace.models_base import utcnow
from marketplace.organizations import services
from marketplace.organizations.models import Contact, ContactChannel, PartnerNote, PremisesAccess, Site
from tests import factories
from tests.factories_organization_record import (
    GORGONZOLA,
    MELZO,
    PIVA_A,
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


def base(world: World) -> str:
    return f"/banca-dati/organizzazioni/{world.org.id}"


# -- sites --------------------------------------------------------------------------------


def test_partner_admin_adds_a_site_at_the_comune_centroid_and_one_with_a_precise_point(app, world):
    client = client_for(app, world, "partner_admin")
    path = f"{base(world)}/sedi/nuova"
    first = post_form(client, path, {"label": "Magazzino", "address": "Via Verdi 3", "municipality_code": MELZO})
    assert first.status_code == 302 and first.headers["Location"].endswith(f"{base(world)}/sedi")
    second = post_form(client, path, {
        "label": "Negozio", "address": "Piazza Unità 1", "postal_code": "20064", "municipality_code": GORGONZOLA,
        "latitude": "45,5301", "longitude": "9.4052",
    })  # fmt: skip
    assert second.status_code == 302
    db.session.expire_all()
    sites = {site.label: site for site in world.org.sites}
    assert sites["Magazzino"].latitude is None and not sites["Magazzino"].has_precise_point
    assert sites["Negozio"].point == (45.5301, 9.4052) and sites["Negozio"].postal_code == "20064"
    page = text_of(client.get(f"{base(world)}/sedi"))
    assert "Centro del comune" in page and "Punto preciso" in page and "Melzo" in page
    created = audit_rows(world.org.id, entity="site", action="create")
    assert len(created) == 2 and all(e.actor_id == world.users["partner_admin"].id for e in created)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"latitude": "45.5"}, "sia la latitudine sia la longitudine"),
        ({"longitude": "9.4"}, "sia la latitudine sia la longitudine"),
        ({"latitude": "41.9", "longitude": "12.5"}, "fuori dalla Città metropolitana"),
        ({"latitude": "45.5", "longitude": "10.2"}, "fuori dalla Città metropolitana"),
        ({"latitude": "nord", "longitude": "9.4"}, "Scrivi un numero"),
        ({"postal_code": "2006"}, "5 cifre"),
        ({"postal_code": "2006A"}, "5 cifre"),
        ({"address": ""}, "Campo obbligatorio"),
        ({"municipality_code": "058091"}, "Non è una opzione valida"),  # Roma: not in the Città metropolitana
        ({"municipality_code": ""}, "Campo obbligatorio"),
    ],
)
def test_bad_site_input_gets_an_italian_message_and_saves_nothing(app, world, changes, message):
    client = client_for(app, world, "partner_admin")
    data = {"label": "Sede", "address": "Via Verdi 3", "municipality_code": MELZO, **changes}
    response = post_form(client, f"{base(world)}/sedi/nuova", data)
    assert response.status_code == 200 and message in text_of(response)
    assert count(Site) == 0


def test_editing_and_deleting_a_site_is_audited(app, world):
    site = services.save_site(world.org, None, {"label": "Vecchia", "address": "Via A 1", "municipality_code": MELZO})
    db.session.commit()
    client = client_for(app, world, "admin")
    edit_path = f"{base(world)}/sedi/{site.id}"
    page = text_of(client.get(edit_path))
    assert 'value="Vecchia"' in page
    response = post_form(client, edit_path, {"label": "Nuova", "address": "Via B 2", "municipality_code": GORGONZOLA})
    assert response.status_code == 302
    changes = {e.field: (e.old_value, e.new_value) for e in audit_rows(world.org.id, entity="site", action="update")}
    assert changes["label"] == ("Vecchia", "Nuova") and changes["municipality_code"] == (MELZO, GORGONZOLA)

    response = post_form(client, f"{base(world)}/sedi", {}, action=f"{edit_path}/elimina")
    assert response.status_code == 302
    assert db.session.get(Site, site.id) is None
    assert len(audit_rows(world.org.id, entity="site", action="delete")) == 1


def test_a_site_of_another_organization_cannot_be_reached_through_this_one(app, world):
    foreign = services.save_site(world.other_org, None, {"address": "Via C 3", "municipality_code": MELZO})
    client = client_for(app, world, "partner_admin")
    assert client.get(f"{base(world)}/sedi/{foreign.id}").status_code == 404
    response = post_form(client, f"{base(world)}/sedi", {}, action=f"{base(world)}/sedi/{foreign.id}/elimina")
    assert response.status_code == 404
    assert db.session.get(Site, foreign.id) is not None


# -- contacts -----------------------------------------------------------------------------


def test_contact_consent_is_recorded_with_its_date_and_cleared_when_withdrawn(app, world):
    client = client_for(app, world, "partner_admin")
    response = post_form(client, f"{base(world)}/referenti/nuovo", {
        "full_name": "Marta Sala", "job_title": "Responsabile HR", "email": "marta@example.org",
        "phone": "333 123 4567", "preferred_channel": "whatsapp", "consent_to_contact": "y",
    })  # fmt: skip
    assert response.status_code == 302
    contact = db.session.query(Contact).filter_by(organization_id=world.org.id).one()
    assert contact.phone == "+393331234567" and contact.preferred_channel == ContactChannel.WHATSAPP
    assert contact.consent_to_contact and contact.consent_recorded_at is not None
    recorded = contact.consent_recorded_at

    edit_path = f"{base(world)}/referenti/{contact.id}"
    same = {"full_name": "Marta Sala", "phone": "+393331234567", "consent_to_contact": "y"}
    assert post_form(client, edit_path, same).status_code == 302
    db.session.refresh(contact)
    assert contact.consent_recorded_at == recorded  # re-saving does not move the date

    assert post_form(client, edit_path, {"full_name": "Marta Sala"}).status_code == 302
    db.session.refresh(contact)
    assert not contact.consent_to_contact and contact.consent_recorded_at is None
    assert "Non contattare" in text_of(client.get(f"{base(world)}/sedi"))
    consent = audit_rows(world.org.id, entity="contact", field="consent_to_contact", action="update")
    assert [(e.old_value, e.new_value) for e in consent] == [("true", "false")]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phone": "123"}, "Numero di telefono non valido"),
        ({"email": "marta@"}, "Indirizzo email non valido"),
        ({"full_name": ""}, "Campo obbligatorio"),
        ({"preferred_channel": "piccione"}, "Non è una opzione valida"),
    ],
)
def test_bad_contact_input_gets_an_italian_message_and_saves_nothing(app, world, changes, message):
    client = client_for(app, world, "partner_admin")
    data = {"full_name": "Marta Sala", **changes}
    response = post_form(client, f"{base(world)}/referenti/nuovo", data)
    assert response.status_code == 200 and message in text_of(response)
    assert count(Contact) == 0


def test_a_contact_named_in_logged_interactions_is_not_deleted(app, world):
    contact = services.save_contact(world.org, None, {"full_name": "Gino Riva", "consent_to_contact": True})
    db.session.add(Interaction(
        organization_id=world.org.id, contact_id=contact.id, kind=InteractionKind.CALL, occurred_on=utcnow().date(),
        summary="Telefonata di presentazione", outcome=InteractionOutcome.POSITIVE,
    ))  # fmt: skip
    db.session.flush()
    client = client_for(app, world, "partner_admin")
    delete = f"{base(world)}/referenti/{contact.id}/elimina"
    response = post_form(client, f"{base(world)}/sedi", {}, action=delete)
    assert response.status_code == 302
    assert "non può essere eliminato" in text_of(client.get(f"{base(world)}/sedi"))
    assert db.session.get(Contact, contact.id) is not None

    spare = services.save_contact(world.org, None, {"full_name": "Da togliere"})
    response = post_form(client, f"{base(world)}/sedi", {}, action=f"{base(world)}/referenti/{spare.id}/elimina")
    assert response.status_code == 302 and db.session.get(Contact, spare.id) is None


# -- inclusion profile ------------------------------------------------------------------


def test_inclusion_profile_is_saved_and_every_list_change_is_audited(app, world):
    client = client_for(app, world, "partner_admin")
    path = f"{base(world)}/profilo-inclusione"
    page = text_of(client.get(path))
    assert "Tirocinio di inclusione" in page and "Arabo" in page  # Italian labels for schemes and languages
    response = post_form(client, path, {
        "schemes": ["inclusion_internship", "work_grant"], "capacity": "2", "tutor_available": "y",
        "premises_access": "partial", "accessibility_notes": "Un gradino all'ingresso",
        "languages": ["it", "ar"], "recruiting_sectors": "52.10, 56.11",
        "recruiting_roles": "magazziniere\nMagazziniere\naiuto cuoco",
    })  # fmt: skip
    assert response.status_code == 302, text_of(response)
    db.session.expire_all()
    profile = world.org.inclusion_profile
    assert profile.schemes == ["inclusion_internship", "work_grant"] and profile.capacity == 2
    assert profile.tutor_available and profile.premises_access == PremisesAccess.PARTIAL
    assert profile.languages == ["it", "ar"] and profile.recruiting_sectors == ["52.10", "56.11"]
    assert profile.recruiting_roles == ["magazziniere", "aiuto cuoco"]

    response = post_form(client, path, {
        "schemes": ["work_grant", "hiring"], "capacity": "2", "premises_access": "partial",
        "languages": ["it", "ar"], "recruiting_sectors": "52.10, 56.11",
        "recruiting_roles": "magazziniere\naiuto cuoco",
    })  # fmt: skip
    assert response.status_code == 302
    updates = {e.field: (e.old_value, e.new_value) for e in audit_rows(world.org.id, entity="inclusion_profile")
               if e.action == "update"}  # fmt: skip
    assert updates["schemes"] == ("inclusion_internship, work_grant", "work_grant, hiring")
    assert updates["tutor_available"] == ("true", "false")
    assert "languages" not in updates  # unchanged lists write nothing
    record = text_of(client.get(base(world)))
    assert "Borsa lavoro, Assunzione" in record and "Magazzinaggio e deposito" in record and "Parzialmente" in record


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"recruiting_sectors": "52.10, 99.99"}, "Il codice ATECO 99.99 non esiste"),
        ({"capacity": "-1"}, "Indica un numero da 0 in su"),
        ({"schemes": ["astronauta"]}, "Una delle scelte non è valida"),
        ({"languages": ["xx"]}, "Una delle scelte non è valida"),
        ({"capacity": "due"}, "Scrivi un numero intero"),
        ({"premises_access": "forse"}, "Non è una opzione valida"),
        ({"recruiting_roles": "\n".join(f"ruolo {n}" for n in range(31))}, "al massimo 30 ruoli"),
    ],
)
def test_bad_inclusion_profile_input_changes_nothing(app, world, changes, message):
    client = client_for(app, world, "partner_admin")
    data = {"schemes": ["work_grant"], "capacity": "1", "premises_access": "accessible", **changes}
    response = post_form(client, f"{base(world)}/profilo-inclusione", data)
    assert response.status_code == 200
    assert message.lower() in text_of(response).lower()
    db.session.expire_all()
    assert world.org.inclusion_profile is None


# -- private partner notes ---------------------------------------------------------------

SECRET = "Il titolare è difficile da raggiungere il lunedì"


def test_notes_are_read_only_by_the_writing_partner_and_admins_and_appear_nowhere_else(app, world):
    writer = client_for(app, world, "partner_admin")
    response = post_form(writer, f"{base(world)}/note", {"body": SECRET})
    assert response.status_code == 302
    note = db.session.query(PartnerNote).one()
    assert note.partner_id == world.partner_a.id and note.author_id == world.users["partner_admin"].id

    same_partner = client_for(app, world, "operator")
    assert SECRET in text_of(same_partner.get(f"{base(world)}/note"))
    admin_page = text_of(client_for(app, world, "admin").get(f"{base(world)}/note"))
    assert SECRET in admin_page and "SIL Martesana" in admin_page

    for who in ("operator_b", "partner_admin_b"):
        other = client_for(app, world, who)
        response = other.get(f"{base(world)}/note")
        assert response.status_code == 200 and SECRET not in text_of(response), who
        assert SECRET not in text_of(other.get(base(world))), who
    # Nowhere else either: not on the shared record, the audit log, the public page, the company page.
    for who, path in (
        ("partner_admin", base(world)),
        ("partner_admin", f"{base(world)}/registro"),
        ("partner_admin_b", f"{base(world)}/registro"),
        ("anonymous", f"/organizzazioni/{world.org.id}"),
        ("company_own", f"/organizzazioni/{world.org.id}/gestione"),
    ):
        assert SECRET not in text_of(client_for(app, world, who).get(path)), (who, path)
    assert db.session.query(AuditEntry).filter(AuditEntry.new_value.contains("lunedì")).count() == 0
    for who in ("company_own", "candidate"):
        assert client_for(app, world, who).get(f"{base(world)}/note").status_code == 403


def test_operators_cannot_write_notes_and_another_partner_cannot_delete_them(app, world):
    operator = client_for(app, world, "operator")
    assert post_form(operator, f"{base(world)}/note", {"body": "Tentativo"}).status_code == 403
    assert count(PartnerNote) == 0

    note = services.add_note(world.org, partner_id=world.partner_a.id, author_id=None, body=SECRET)
    other_admin = client_for(app, world, "partner_admin_b")
    delete = f"{base(world)}/note/{note.id}/elimina"
    assert post_form(other_admin, f"{base(world)}/note", {}, action=delete).status_code == 403
    assert db.session.get(PartnerNote, note.id) is not None
    own_admin = client_for(app, world, "partner_admin")
    assert post_form(own_admin, f"{base(world)}/note", {}, action=delete).status_code == 302
    assert db.session.get(PartnerNote, note.id) is None


def test_an_empty_note_is_refused(app, world):
    response = post_form(client_for(app, world, "partner_admin"), f"{base(world)}/note", {"body": "   "})
    assert response.status_code == 200 and "Campo obbligatorio" in text_of(response)
    assert count(PartnerNote) == 0


# -- the audit log page ------------------------------------------------------------------


def test_audit_log_lists_changes_newest_first_with_italian_labels(app, world):
    client = client_for(app, world, "partner_admin")
    services.update(world.org, {"kind": "social_coop_b", "status": "inactive"}, expected_version=world.org.version)
    db.session.commit()
    page = text_of(client.get(f"{base(world)}/registro"))
    assert "Forma giuridica" in page and "Società a responsabilità limitata (S.r.l.)" in page
    assert "Cooperativa sociale di tipo B" in page and "Non attiva" in page
    assert page.index("Cooperativa sociale di tipo B") < page.index("Valore iniziale")  # newest first
    assert client_for(app, world, "operator").get(f"{base(world)}/registro").status_code == 403


def test_audit_log_names_the_actor_and_partner_and_is_paginated(app, world):
    client = client_for(app, world, "partner_admin")
    for n in range(30):
        services.update(world.org, {"name": f"Nome {n}", "employees": n}, expected_version=world.org.version)
    db.session.commit()
    post_form(client, f"{base(world)}/modifica", {
        "name": "Scelto dal referente", "kind": "srl", "vat_number": PIVA_A, "status": "active",
        "size_class": "auto", "obligated_68": "auto", "quota_68_covered": "", "version": str(world.org.version),
    })  # fmt: skip
    first = text_of(client.get(f"{base(world)}/registro"))
    assert "Scelto dal referente" in first and "Utente referente" in first and "SIL Martesana" in first
    assert "Pagina 1 di 2" in first
    second = text_of(client.get(f"{base(world)}/registro?pagina=2"))
    assert "Pagina 2 di 2" in second and "Creazione" in second and "Creazione" not in first
    assert client.get(f"{base(world)}/registro?pagina=abc").status_code == 200
    assert client.get(f"{base(world)}/registro?pagina=99").status_code == 200


# -- company self-service -------------------------------------------------------------------


def test_company_user_edits_its_public_data_and_sites_only(app, world):
    company = client_for(app, world, "company_own")
    path = f"/organizzazioni/{world.org.id}/gestione/dati"
    response = post_form(company, path, {
        "description": "Spediamo in tutta la Lombardia.", "website": "logistica-adda.example.org",
        "email": "lavora@logistica-adda.example.org", "phone": "02 9573 1234", "address": "Via Milano 12",
        "municipality_code": GORGONZOLA, "version": str(world.org.version),
        # Not on the company form: must be ignored.
        "vat_number": "00000000000", "name": "Ribattezzata", "obligated_68": "0", "status": "inactive",
    })  # fmt: skip
    assert response.status_code == 302, text_of(response)
    db.session.refresh(world.org)
    assert world.org.description == "Spediamo in tutta la Lombardia."
    assert world.org.website == "https://logistica-adda.example.org" and world.org.phone == "+390295731234"
    assert world.org.vat_number == PIVA_A and world.org.name == "Logistica Adda S.r.l."
    assert world.org.obligated_68 is True and world.org.status.value == "active"
    entry = audit_rows(world.org.id, field="description", action="update")[0]
    assert entry.actor_id == world.users["company_own"].id

    site_path = f"/organizzazioni/{world.org.id}/gestione/sedi/nuova"
    response = post_form(company, site_path, {"label": "Deposito", "address": "Via Po 4", "municipality_code": MELZO})
    assert response.status_code == 302
    manage = text_of(company.get(f"/organizzazioni/{world.org.id}/gestione"))
    assert "Deposito" in manage and "Spediamo in tutta la Lombardia." in manage


def test_company_form_rejects_bad_input_and_stale_versions(app, world):
    company = client_for(app, world, "company_own")
    path = f"/organizzazioni/{world.org.id}/gestione/dati"
    bad = post_form(company, path, {"website": "http://", "phone": "1", "version": str(world.org.version)})
    assert bad.status_code == 200
    assert "Indirizzo del sito non valido" in text_of(bad) and "Numero di telefono non valido" in text_of(bad)
    stale = post_form(company, path, {"description": "Vecchia bozza", "version": str(world.org.version - 1)})
    assert "modificata da un altro utente" in text_of(stale)
    db.session.refresh(world.org)
    assert world.org.description == "Magazzino e spedizioni per la Martesana."


def test_company_user_of_another_organization_is_refused(app, world):
    site = services.save_site(world.org, None, {"address": "Via A 1", "municipality_code": MELZO})
    other = client_for(app, world, "company_other")
    prefix = f"/organizzazioni/{world.org.id}/gestione"
    for path in (prefix, f"{prefix}/dati", f"{prefix}/sedi/nuova", f"{prefix}/sedi/{site.id}"):
        assert other.get(path).status_code == 403, path
    token_page = f"/organizzazioni/{world.other_org.id}/gestione"
    attempts = {
        f"{prefix}/dati": {"description": "Presa!", "version": str(world.org.version)},
        f"{prefix}/sedi/nuova": {"address": "Via B 2", "municipality_code": MELZO},
        f"{prefix}/sedi/{site.id}/elimina": {},
    }
    for path, data in attempts.items():
        assert post_form(other, token_page, data, action=path).status_code == 403, path
    db.session.refresh(world.org)
    assert world.org.description != "Presa!" and [s.id for s in world.org.sites] == [site.id]
    # Its own sites cannot reach another organisation's site either.
    own_prefix = f"/organizzazioni/{world.other_org.id}/gestione"
    assert other.get(f"{own_prefix}/sedi/{site.id}").status_code == 404


# -- the public page ------------------------------------------------------------------------


def test_public_page_shows_public_data_and_never_internal_fields(app, world):
    services.save_site(world.org, None, {"address": "Via Po 4", "municipality_code": MELZO})
    services.save_contact(world.org, None, {
        "full_name": "Ornella Vanoni Referente", "email": "referente.privato@example.org", "phone": "+393339876543",
        "consent_to_contact": True,
    })  # fmt: skip
    services.add_note(world.org, partner_id=world.partner_a.id, author_id=None, body=SECRET)
    services.save_inclusion_profile(world.org, {"accessibility_notes": "Nota interna sui locali"})
    world.org.website = "https://logistica-adda.example.org"
    factories.opportunity(world.org, title="Tirocinio in magazzino")
    db.session.flush()

    page = text_of(client_for(app, world, "anonymous").get(f"/organizzazioni/{world.org.id}"))
    for shown in ("Logistica Adda S.r.l.", "Magazzino e spedizioni", "https://logistica-adda.example.org",
                  "Melzo", "Gorgonzola", "Tirocinio in magazzino"):  # fmt: skip
        assert shown in page, shown
    for hidden in ("Ornella Vanoni", "referente.privato@example.org", "+393339876543", SECRET, "68/1999",
                   "Nota interna", PIVA_A, "addetti", "SIL Martesana"):  # fmt: skip
        assert hidden not in page, hidden


# -- no input breaks a page ----------------------------------------------------------------

GARBAGE = ("\x00", "x" * 6000, "'; DROP TABLE organizations; --", "<script>alert(1)</script>", "🙂" * 300, "-1e309")


@pytest.mark.parametrize("value", GARBAGE)
def test_garbage_in_every_field_of_every_form_never_causes_an_error_page(app, world, value):
    site = services.save_site(world.org, None, {"address": "Via A 1", "municipality_code": MELZO})
    contact = services.save_contact(world.org, None, {"full_name": "Gino Riva"})
    db.session.commit()
    fields = (
        "name", "kind", "vat_number", "tax_code", "ateco_code", "status", "description", "address", "municipality_code",
        "website", "email", "phone", "employees", "size_class", "obligated_68", "quota_68_covered", "version", "label",
        "postal_code", "latitude", "longitude", "full_name", "job_title", "preferred_channel", "consent_to_contact",
        "schemes", "capacity", "tutor_available", "premises_access", "accessibility_notes", "languages",
        "recruiting_sectors", "recruiting_roles", "body",
    )  # fmt: skip
    data = dict.fromkeys(fields, value)
    staff = client_for(app, world, "partner_admin")
    company = client_for(app, world, "company_own")
    forms = [
        (staff, "/banca-dati/organizzazioni/nuova"),
        (staff, f"{base(world)}/modifica"),
        (staff, f"{base(world)}/sedi/nuova"),
        (staff, f"{base(world)}/sedi/{site.id}"),
        (staff, f"{base(world)}/referenti/nuovo"),
        (staff, f"{base(world)}/referenti/{contact.id}"),
        (staff, f"{base(world)}/profilo-inclusione"),
        (staff, f"{base(world)}/note"),
        (company, f"/organizzazioni/{world.org.id}/gestione/dati"),
        (company, f"/organizzazioni/{world.org.id}/gestione/sedi/nuova"),
    ]
    statuses = {path: post_form(client, path, data).status_code for client, path in forms}
    assert all(status in (200, 302) for status in statuses.values()), statuses
    assert all("\x00" not in note.body for note in db.session.query(PartnerNote))


def test_control_characters_are_dropped_from_saved_text(app, world):
    client = client_for(app, world, "partner_admin")
    assert post_form(client, f"{base(world)}/note", {"body": "Richiamare\x00 a\x07 settembre"}).status_code == 302
    assert db.session.query(PartnerNote).one().body == "Richiamare a settembre"
