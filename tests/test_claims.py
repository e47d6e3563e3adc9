"""Company self-service: sign up as a company, find or propose the organisation, claim it;
partner staff verify the claims. Every decision is emailed (real SMTP) and audited."""

from __future__ import annotations

import html
import time
from email.header import decode_header, make_header

import pytest
from sqlalchemy import func, select
from stdnum import luhn

from marketplace.accounts.models import Role, User
from marketplace.audit.models import AuditEntry
from marketplace.extensions import db
from marketplace.mail.models import OutgoingMail
from marketplace.models_base import utcnow
from marketplace.organizations import claims
from marketplace.organizations.models import ClaimStatus, Organization, OrganizationClaim, OrganizationStatus
from tests import factories
from tests.conftest import csrf_token, login


def vat(n: int) -> str:
    """A valid partita IVA (company number n, provincial office 015)."""
    base = f"{n:07d}015"
    return base + luhn.calc_check_digit(base)


def _company(email: str = "titolare@example.org", **fields) -> User:
    return factories.user(Role.COMPANY, email=email, **fields)


def _signed_in(client, user: User):
    assert login(client, user.email, factories.PASSWORD).status_code == 302
    return client


def _post(client, path: str, data: dict, token_path: str | None = None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_path or path)})


def _claim_count() -> int:
    return db.session.scalar(select(func.count(OrganizationClaim.id))) or 0


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# -- registration ---------------------------------------------------------------------


def test_registering_as_a_company_creates_an_unlinked_company_account(client):
    response = _post(client, "/registrati", {
        "account_type": "company", "full_name": "Paola Brambilla", "email": "paola@officine.example.org",
        "password": "la nebbia sul naviglio", "confirm": "la nebbia sul naviglio", "privacy": "y",
    })  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"].endswith("/la-mia-organizzazione")
    user = db.session.scalar(select(User).where(User.email == "paola@officine.example.org"))
    assert user.role == Role.COMPANY and user.organization_id is None
    dashboard = _text(client.get("/area-personale"))
    assert "/la-mia-organizzazione" in dashboard and "non è ancora collegato" in dashboard


def test_register_page_offers_both_account_types_and_preselects_company_from_links(client):
    page = _text(client.get("/registrati"))
    assert "Sono una persona in cerca di opportunità" in page and "Rappresento un'azienda o un ente" in page
    assert 'value="candidate" checked' in page
    assert 'value="company" checked' in _text(client.get("/registrati?tipo=azienda"))


def test_an_unknown_account_type_is_refused_and_creates_nothing(client):
    response = _post(client, "/registrati", {
        "account_type": "admin", "full_name": "Mario Furbo", "email": "furbo@example.org",
        "password": "la nebbia sul naviglio", "confirm": "la nebbia sul naviglio", "privacy": "y",
    })  # fmt: skip
    assert response.status_code == 200
    assert "Chi sei" in _text(response)
    assert db.session.scalar(select(User).where(User.email == "furbo@example.org")) is None


# -- finding the organisation -------------------------------------------------------


def test_search_by_identifier_is_exact_and_by_name_is_a_literal_substring(db_session):
    officine = factories.organization("Officine Meccaniche Adda S.r.l.", vat_number=vat(1234567))
    factories.organization("Officine 100% Verdi", vat_number=vat(2345678))
    archived = factories.organization("Officine Chiuse", vat_number=vat(3456789), archived_at=utcnow())

    assert claims.search_organizations(f"IT {vat(1234567)}") == [officine]
    assert claims.search_organizations(vat(3456789)) == []  # archived: not claimable
    assert [o.name for o in claims.search_organizations("officine")] == [
        "Officine 100% Verdi", "Officine Meccaniche Adda S.r.l.",
    ]  # fmt: skip
    assert archived not in claims.search_organizations("Chiuse")
    # % and _ are plain characters, not wildcards.
    assert [o.name for o in claims.search_organizations("100%")] == ["Officine 100% Verdi"]
    assert claims.search_organizations("%%%") == []
    assert claims.search_organizations("of") == []  # too short to be useful


def test_name_search_shows_at_most_twenty(db_session):
    for n in range(25):
        factories.organization(f"Bar Centrale {n:02d}")
    assert len(claims.search_organizations("bar centrale")) == claims.NAME_SEARCH_LIMIT == 20


def test_a_merged_organisation_found_by_its_old_identifier_leads_to_the_survivor(db_session):
    survivor = factories.organization("Cooperativa Il Ponte")
    factories.organization("Il Ponte coop", vat_number=vat(4567890), merged_into_id=survivor.id,
                           archived_at=utcnow())  # fmt: skip
    assert claims.search_organizations(vat(4567890)) == [survivor]


def test_the_search_page_lists_only_public_fields(client):
    factories.organization("Officine Meccaniche Adda S.r.l.", vat_number=vat(1234567), email="segreto@example.org")
    _signed_in(client, _company())
    page = _text(client.get("/la-mia-organizzazione?q=meccaniche"))
    assert "Officine Meccaniche Adda S.r.l." in page and "Gorgonzola" in page
    assert "segreto@example.org" not in page and vat(1234567) not in page
    assert "Nessuna organizzazione trovata" in _text(client.get("/la-mia-organizzazione?q=inesistente"))


# -- claiming -------------------------------------------------------------------------


def test_claiming_creates_one_pending_claim_and_a_second_is_refused(client):
    first = factories.organization("Officine Meccaniche Adda S.r.l.")
    second = factories.organization("Logistica Martesana S.r.l.")
    user = _company()
    _signed_in(client, user)
    response = _post(client, f"/la-mia-organizzazione/richiedi/{first.id}", {"message": "Sono la titolare."})
    assert response.status_code == 302
    claim = db.session.scalar(select(OrganizationClaim).where(OrganizationClaim.user_id == user.id))
    assert (claim.organization_id, claim.status, claim.message) == (first.id, ClaimStatus.PENDING, "Sono la titolare.")

    refused = _post(client, f"/la-mia-organizzazione/richiedi/{second.id}", {"message": "Anche questa."},
                    token_path=f"/la-mia-organizzazione/richiedi/{first.id}")  # fmt: skip
    assert refused.status_code == 302
    assert "Hai già una richiesta in attesa" in _text(client.get("/la-mia-organizzazione"))
    assert _claim_count() == 1
    page = _text(client.get("/la-mia-organizzazione"))
    assert "In attesa di verifica" in page and "Officine Meccaniche Adda" in page
    assert "Cerca la tua organizzazione" not in page  # no new search while a claim waits


def test_a_second_employee_may_claim_an_organisation_that_already_has_a_company_user(client):
    organization = factories.organization("Cooperativa Il Ponte")
    _company("prima@ponte.example.org", organization_id=organization.id)
    user = _company("seconda@ponte.example.org")
    _signed_in(client, user)
    page = _text(client.get(f"/la-mia-organizzazione/richiedi/{organization.id}"))
    assert "già gestita da un altro account verificato" in page
    assert _post(client, f"/la-mia-organizzazione/richiedi/{organization.id}", {"message": ""}).status_code == 302
    assert claims.pending_claim_of(user.id).organization_id == organization.id


def test_a_linked_company_user_cannot_claim_another_organisation(client):
    own = factories.organization("Cooperativa Il Ponte")
    other = factories.organization("Logistica Martesana S.r.l.")
    _signed_in(client, _company(organization_id=own.id))
    assert "Il tuo account è collegato a Cooperativa Il Ponte" in _text(client.get("/la-mia-organizzazione"))
    _post(client, f"/la-mia-organizzazione/richiedi/{other.id}", {"message": "x"})
    assert _claim_count() == 0


def test_an_archived_organisation_cannot_be_claimed(client):
    archived = factories.organization("Officine Chiuse", archived_at=utcnow())
    _signed_in(client, _company())
    assert client.get(f"/la-mia-organizzazione/richiedi/{archived.id}").status_code == 404
    assert client.get("/la-mia-organizzazione/richiedi/999999").status_code == 404
    assert _claim_count() == 0


# -- proposing a new organisation ---------------------------------------------------


PROPOSAL = {"name": "Panificio Martesana S.n.c.", "kind": "snc", "tax_code": "", "municipality_code": "015142",
            "message": "Siamo un panificio di Melzo."}  # fmt: skip


def test_proposing_creates_a_prospect_organisation_and_a_pending_claim(client):
    user = _company()
    _signed_in(client, user)
    response = _post(client, "/la-mia-organizzazione/nuova", {**PROPOSAL, "vat_number": f"IT {vat(5678901)}"})
    assert response.status_code == 302
    organization = db.session.scalar(select(Organization).where(Organization.vat_number == vat(5678901)))
    assert organization.name == "Panificio Martesana S.n.c." and organization.status == OrganizationStatus.PROSPECT
    assert organization.created_by_user_id == user.id and organization.municipality_code == "015142"
    claim = claims.pending_claim_of(user.id)
    assert claim.organization_id == organization.id and claim.message == "Siamo un panificio di Melzo."


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"vat_number": "12345678901"}, "Partita IVA non valida"),
        ({"vat_number": "", "tax_code": "RSSMRA80A01F205Z"}, "Codice fiscale non valido"),
        ({"vat_number": ""}, "Indica la partita IVA o il codice fiscale"),
        ({"vat_number": vat(5678901), "name": ""}, "Campo obbligatorio"),
        ({"vat_number": vat(5678901), "municipality_code": "999999"}, "Comune della sede legale"),
        ({"vat_number": vat(5678901), "kind": "multinazionale"}, "Forma giuridica"),
    ],
)
def test_a_bad_proposal_gets_an_italian_message_and_changes_nothing(client, changes, message):
    _signed_in(client, _company())
    before = db.session.scalar(select(func.count(Organization.id)))
    response = _post(client, "/la-mia-organizzazione/nuova", {**PROPOSAL, **changes})
    assert response.status_code == 200
    assert message in _text(response)
    assert db.session.scalar(select(func.count(Organization.id))) == before
    assert _claim_count() == 0


def test_proposing_an_identifier_already_in_the_database_points_to_the_existing_organisation(client):
    existing = factories.organization("Panificio Martesana", tax_code=vat(5678901))
    _signed_in(client, _company())
    # The P.IVA typed is held as another organisation's codice fiscale: still the same company.
    response = _post(client, "/la-mia-organizzazione/nuova", {**PROPOSAL, "vat_number": vat(5678901)})
    assert response.status_code == 200
    page = _text(response)
    assert "Esiste già un'organizzazione con questa partita IVA" in page
    assert f"/la-mia-organizzazione/richiedi/{existing.id}" in page
    assert db.session.scalar(select(func.count(Organization.id))) == 1 and _claim_count() == 0


# -- who may open what --------------------------------------------------------------


ROLE_CASES = ("anonymous", Role.CANDIDATE, Role.COMPANY, Role.OPERATOR, Role.PARTNER_ADMIN, Role.ADMIN)


def _as(client, role):
    if role != "anonymous":
        user = factories.user(role, email=f"{role.value}-chi@example.org")
        _signed_in(client, user)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), (Role.CANDIDATE, 403), (Role.COMPANY, 403), (Role.OPERATOR, 403),
     (Role.PARTNER_ADMIN, 200), (Role.ADMIN, 200)],
)  # fmt: skip
def test_only_partner_admins_and_admins_open_the_queue_and_a_claim(client, role, expected):
    organization = factories.organization()
    claim = claims.claim(_company("richiedente@example.org"), organization, "")
    _as(client, role)
    assert client.get("/banca-dati/richieste").status_code == expected
    assert client.get(f"/banca-dati/richieste/{claim.id}").status_code == expected


@pytest.mark.parametrize("role", ["anonymous", Role.CANDIDATE, Role.COMPANY, Role.OPERATOR])
def test_nobody_else_can_decide_a_claim(client, role):
    organization = factories.organization()
    claim = claims.claim(_company("richiedente@example.org"), organization, "")
    _as(client, role)
    token = csrf_token(client, "/registrati" if role == "anonymous" else "/area-personale")
    for action, data in (("approva", {}), ("respingi", {"reason": "no"})):
        response = client.post(f"/banca-dati/richieste/{claim.id}/{action}", data={**data, "csrf_token": token})
        assert response.status_code == (302 if role == "anonymous" else 403)
        if role == "anonymous":
            assert "/accedi" in response.headers["Location"]
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.PENDING


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), (Role.CANDIDATE, 403), (Role.COMPANY, 200), (Role.OPERATOR, 403),
     (Role.PARTNER_ADMIN, 403), (Role.ADMIN, 302)],
)  # fmt: skip
def test_only_company_accounts_use_the_claim_pages(client, role, expected):
    organization = factories.organization()
    _as(client, role)
    for path in ("/la-mia-organizzazione", f"/la-mia-organizzazione/richiedi/{organization.id}",
                 "/la-mia-organizzazione/nuova"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == expected, path
        if role == Role.ADMIN:  # admins pass every role check: they are sent to the queue instead
            assert response.headers["Location"].endswith("/banca-dati/richieste")


# -- decisions ----------------------------------------------------------------------


@pytest.fixture
def pending(db_session):
    organization = factories.organization("Officine Meccaniche Adda S.r.l.", vat_number=vat(1234567))
    requester = _company("paola@officine.example.org")
    claim = claims.claim(requester, organization, "Sono la responsabile del personale.")
    staff = factories.user(Role.PARTNER_ADMIN, email="referente@sil.example.org")
    return {"organization": organization, "requester": requester, "claim": claim, "staff": staff}


def _entries(organization_id: int, action: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.subject_id == organization_id, AuditEntry.action == action)
    return list(db.session.scalars(query))


def _delivered(smtp_sink, recipient: str, subject_part: str) -> str:
    """The body of the message delivered to `recipient` whose subject has `subject_part`."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for message in smtp_sink.messages:
            subject = str(make_header(decode_header(message.get("Subject", ""))))
            if recipient in message.get("To", "") and subject_part in subject:
                return message.get_payload(decode=True).decode()
        time.sleep(0.1)
    raise AssertionError(f"no mail to {recipient} about {subject_part!r}")


def _mail_to(recipient: str) -> list[OutgoingMail]:
    return list(db.session.scalars(select(OutgoingMail).where(OutgoingMail.recipient == recipient)))


def test_the_queue_lists_pending_claims_with_who_asks(client, pending):
    _signed_in(client, pending["staff"])
    page = _text(client.get("/banca-dati/richieste"))
    assert "Officine Meccaniche Adda S.r.l." in page and "paola@officine.example.org" in page
    review = _text(client.get(f"/banca-dati/richieste/{pending['claim'].id}"))
    assert "Sono la responsabile del personale." in review and vat(1234567) in review


def test_approval_links_the_account_audits_and_emails_over_smtp(client, pending, smtp_sink):
    from jobs.tasks.mail import send_mail

    claim, requester, organization = pending["claim"], pending["requester"], pending["organization"]
    _signed_in(client, pending["staff"])
    response = _post(client, f"/banca-dati/richieste/{claim.id}/approva", {},
                     token_path=f"/banca-dati/richieste/{claim.id}")  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"].endswith("/banca-dati/richieste")
    db.session.refresh(claim)
    db.session.refresh(requester)
    assert claim.status == ClaimStatus.APPROVED and claim.decided_by_id == pending["staff"].id
    assert claim.decided_at is not None and requester.organization_id == organization.id
    [entry] = _entries(organization.id, "claim_approved")
    assert entry.actor_id == pending["staff"].id and "paola@officine.example.org" in entry.new_value

    [message] = _mail_to("paola@officine.example.org")
    assert "accettata" in message.subject
    assert send_mail(message.id) == "sent"
    body = _delivered(smtp_sink, "paola@officine.example.org", "richiesta è stata accettata")
    assert "Officine Meccaniche Adda S.r.l." in body and f"/organizzazioni/{organization.id}/gestione" in body

    # The company user now reaches the organisation's management page from the dashboard.
    company = client.application.test_client()
    _signed_in(company, requester)
    assert f"/organizzazioni/{organization.id}/gestione" in _text(company.get("/area-personale"))
    assert company.get(f"/organizzazioni/{organization.id}/gestione").status_code == 200
    assert "Verificata" in _text(company.get("/la-mia-organizzazione"))


def test_rejection_needs_a_reason(client, pending):
    claim = pending["claim"]
    _signed_in(client, pending["staff"])
    response = _post(client, f"/banca-dati/richieste/{claim.id}/respingi", {"reason": "   "},
                     token_path=f"/banca-dati/richieste/{claim.id}")  # fmt: skip
    assert response.status_code == 200 and "Scrivi il motivo del rifiuto" in _text(response)
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.PENDING
    assert _mail_to("paola@officine.example.org") == [] and _entries(claim.organization_id, "claim_rejected") == []


def _proposed(email: str, number: int) -> OrganizationClaim:
    proposal = claims.Proposal("Forno Prova S.r.l.", "company", vat(number), None, "015142")
    return claims.propose(_company(email), proposal, "Vorrei gestire la scheda.")


def _reject_through_the_page(client, claim) -> str:
    response = _post(client, f"/banca-dati/richieste/{claim.id}/respingi", {"reason": "Nessun riscontro."},
                     token_path=f"/banca-dati/richieste/{claim.id}")  # fmt: skip
    assert response.status_code == 302
    return _text(client.get(response.headers["Location"]))


def test_rejecting_the_claim_that_proposed_an_empty_prospect_archives_it(client, pending):
    claim = _proposed("nuovo@forno.example.org", 7654321)
    _signed_in(client, pending["staff"])
    page = _reject_through_the_page(client, claim)
    assert "è stata archiviata (si può ripristinare dalla sua scheda)" in page
    organization = db.session.get(Organization, claim.organization_id)
    db.session.refresh(organization)
    assert organization.archived_at is not None and organization.name == "Forno Prova S.r.l."  # kept, not deleted

    # Asking again with the same P.IVA and corrected details reopens that record for a new review.
    requester = db.session.get(User, claim.user_id)
    corrected = claims.Proposal("Forno Prova di Melzo S.r.l.", "company", vat(7654321), None, "015142")
    again = claims.propose(requester, corrected, "Ora con la visura camerale.")
    db.session.refresh(organization)
    assert again.organization_id == organization.id and again.status == ClaimStatus.PENDING
    assert organization.archived_at is None and organization.name == "Forno Prova di Melzo S.r.l."


def test_rejection_never_archives_an_organisation_that_holds_anything_else(client, pending):
    # The claim of an organisation the network registered (the fixture's), and a proposed one
    # that meanwhile got an opportunity: both stay where they are.
    _signed_in(client, pending["staff"])
    page = _reject_through_the_page(client, pending["claim"])
    assert "archiviata" not in page
    assert db.session.get(Organization, pending["organization"].id).archived_at is None
    claim = _proposed("altro@forno.example.org", 7654322)
    factories.opportunity(db.session.get(Organization, claim.organization_id), title="Tirocinio in forno")
    _reject_through_the_page(client, claim)
    assert db.session.get(Organization, claim.organization_id).archived_at is None


def test_rejection_keeps_the_account_unlinked_audits_and_emails_the_reason(client, pending, smtp_sink):
    from jobs.tasks.mail import send_mail

    claim, requester = pending["claim"], pending["requester"]
    _signed_in(client, pending["staff"])
    reason = "Non risulta tra il personale dell'azienda."
    response = _post(client, f"/banca-dati/richieste/{claim.id}/respingi", {"reason": reason},
                     token_path=f"/banca-dati/richieste/{claim.id}")  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(claim)
    db.session.refresh(requester)
    assert claim.status == ClaimStatus.REJECTED and claim.decision_reason == reason
    assert requester.organization_id is None
    [entry] = _entries(claim.organization_id, "claim_rejected")
    assert reason in entry.new_value

    [message] = _mail_to("paola@officine.example.org")
    assert send_mail(message.id) == "sent"
    body = _delivered(smtp_sink, "paola@officine.example.org", "non è stata accettata")
    assert reason in body and "/la-mia-organizzazione" in body

    company = client.application.test_client()
    _signed_in(company, requester)
    page = _text(company.get("/la-mia-organizzazione"))
    assert "Respinta" in page and "Non risulta tra il personale" in page
    assert "Cerca la tua organizzazione" in page  # free to try again


def test_deciding_an_already_decided_claim_changes_nothing(client, pending):
    claim = pending["claim"]
    _signed_in(client, pending["staff"])
    review = f"/banca-dati/richieste/{claim.id}"
    assert _post(client, f"{review}/approva", {}, token_path=review).status_code == 302
    for action, data in (("approva", {}), ("respingi", {"reason": "Ci ho ripensato."})):
        response = _post(client, f"{review}/{action}", data, token_path=review)
        assert response.status_code == 302 and response.headers["Location"].endswith(review)
        assert "è già stata decisa" in _text(client.get(review))
    db.session.refresh(claim)
    assert claim.status == ClaimStatus.APPROVED and claim.decision_reason is None
    assert len(_entries(claim.organization_id, "claim_approved")) == 1
    assert _entries(claim.organization_id, "claim_rejected") == []
    assert len(_mail_to("paola@officine.example.org")) == 1


def test_approving_for_an_account_linked_elsewhere_in_the_meantime_is_refused(client, pending):
    claim, requester = pending["claim"], pending["requester"]
    other = factories.organization("Altra S.r.l.")
    requester.organization_id = other.id  # linked by an admin while the claim waited
    db.session.flush()
    _signed_in(client, pending["staff"])
    review = f"/banca-dati/richieste/{claim.id}"
    _post(client, f"{review}/approva", {}, token_path=review)
    assert "già collegato a un'altra organizzazione" in _text(client.get(review))
    db.session.refresh(claim)
    db.session.refresh(requester)
    assert claim.status == ClaimStatus.PENDING and requester.organization_id == other.id


def test_a_decision_without_csrf_token_is_refused(client, pending):
    _signed_in(client, pending["staff"])
    response = client.post(f"/banca-dati/richieste/{pending['claim'].id}/approva")
    assert response.status_code == 400
    db.session.refresh(pending["claim"])
    assert pending["claim"].status == ClaimStatus.PENDING
