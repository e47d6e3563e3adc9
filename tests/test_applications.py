"""Applications: applying (with a CV checked by content), the refusals, withdrawing, the organisation's
pipeline with its history, mails, optimistic lock and private notes, and who may do what."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.applications import services
from marketplace.applications.models import Application, ApplicationEvent, ApplicationNote, ApplicationStatus
from marketplace.extensions import db
from marketplace.mail.models import OutgoingMail
from marketplace.opportunities.models import Edition, OpportunityKind, OpportunityStatus
from tests import factories
from tests import factories_relations as fr
from tests.conftest import csrf_token
from tests.factories_relations import pdf_bytes
from tests.uploads_support import stored_files

pytestmark = pytest.mark.usefixtures("upload_folder")  # every test stores into its own folder
TODAY = date.today()
Status = ApplicationStatus

# A Windows executable's first bytes: what a renamed .exe starts with.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot"


@pytest.fixture
def world(db_session):
    own_partner = factories.partner("SIL Adda Martesana")
    org = factories.organization("Officine Adda S.r.l.")
    other_org = factories.organization("Logistica Sud S.r.l.")
    users = {
        "candidate": fr.user(Role.CANDIDATE, "giulia@example.org", full_name="Giulia Bianchi"),
        "other_candidate": fr.user(Role.CANDIDATE, "marco@example.org", full_name="Marco Verdi"),
        "company": fr.user(Role.COMPANY, "hr@officine.example.org", organization_id=org.id),
        "other_company": fr.user(Role.COMPANY, "hr@sud.example.org", organization_id=other_org.id),
        "operator": fr.user(Role.OPERATOR, "operatore@example.org", partner_id=own_partner.id),
        "partner_admin": fr.user(Role.PARTNER_ADMIN, "referente@example.org", partner_id=own_partner.id),
        "admin": fr.user(Role.ADMIN, "admin@example.org"),
    }
    person = factories.person(users["candidate"], tax_code="BNCGLI04E57F205X", phone="+393331234567",
                              guardian_name="Tutore Segreto")  # fmt: skip
    other_person = factories.person(users["other_candidate"], first_name="Marco", last_name="Verdi")
    opportunity = factories.opportunity(
        org, title="Tirocinio in magazzino", contact_email="selezione@officine.example.org"
    )
    # Committed (into the test's outer transaction): a refused request rolls its own session back.
    db.session.commit()
    return {"org": org, "other_org": other_org, "users": users, "person": person, "other_person": other_person,
            "opportunity": opportunity}  # fmt: skip


def client_for(app, world, who: str | None):
    return fr.sign_in(app.test_client(), world["users"][who] if who else None)


def apply_path(opportunity_id: int, persona: int | None = None) -> str:
    path = f"/opportunita/{opportunity_id}/candidatura"
    return f"{path}?persona={persona}" if persona else path


def post_apply(client, opportunity_id: int, *, cv=None, persona: int | None = None, **values):
    path = apply_path(opportunity_id, persona)
    data = {"csrf_token": csrf_token(client, "/area-personale"), "message": "Mi interessa molto.", **values}
    if cv is not None:
        data["cv"] = cv
    return client.post(path, data=data, content_type="multipart/form-data")


def applications_of(opportunity_id: int) -> list[Application]:
    db.session.expire_all()
    return list(db.session.scalars(select(Application).where(Application.opportunity_id == opportunity_id)))


def mails_to(recipient: str) -> list[OutgoingMail]:
    return list(db.session.scalars(select(OutgoingMail).where(OutgoingMail.recipient == recipient)))


def events_of(application_id: int) -> list[ApplicationEvent]:
    db.session.expire_all()
    return services.history(application_id)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def sent_application(world, status: Status = Status.SENT, person=None) -> Application:
    """An application as if sent through the page (with its first event)."""
    person = person or world["person"]
    application = fr.application(world["opportunity"].id, person, status)
    db.session.add(ApplicationEvent(application_id=application.id, from_status=None, to_status=Status.SENT))
    db.session.commit()
    return application


# -- applying -----------------------------------------------------------------------------------------


def test_the_apply_page_shows_what_will_be_shared_and_nothing_sensitive(app, world):
    client = client_for(app, world, "candidate")
    response = client.get(apply_path(world["opportunity"].id))
    assert response.status_code == 200
    page = text_of(response)
    assert "Cosa vedrà l&#39;organizzazione" in page or "Cosa vedrà l'organizzazione" in page
    assert "Giulia Bianchi" in page and "magazzino, patente B" in page
    assert "BNCGLI04E57F205X" not in page and "Tutore Segreto" not in page
    assert 'name="cv"' in page and 'name="edition_id"' not in page  # an internship has no editions


def test_a_candidate_applies_with_a_pdf_cv_and_both_sides_are_told(app, world, upload_folder, smtp_sink):
    from jobs.tasks.mail import send_mail

    client = client_for(app, world, "candidate")
    opportunity = world["opportunity"]
    cv = (BytesIO(pdf_bytes()), "CV Giulia.pdf", "application/pdf")
    response = post_apply(client, opportunity.id, cv=cv, message="Ho lavorato in un magazzino per sei mesi.")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/candidature/")

    [application] = applications_of(opportunity.id)
    assert application.status == Status.SENT and application.person_id == world["person"].id
    assert application.message == "Ho lavorato in un magazzino per sei mesi."
    assert application.submitted_by_id == world["users"]["candidate"].id
    assert application.cv_filename == "CV Giulia.pdf" and application.cv_size == len(pdf_bytes())
    assert len(stored_files(upload_folder)) == 1
    [event] = events_of(application.id)
    assert (event.from_status, event.to_status) == (None, Status.SENT)

    [confirmation] = mails_to("giulia@example.org")
    assert confirmation.subject == "Candidatura inviata: Tirocinio in magazzino"
    assert "Officine Adda S.r.l." in confirmation.body_text and "/candidature/" in confirmation.body_text
    assert event.notified_mail_id == confirmation.id
    [notice] = mails_to("selezione@officine.example.org")
    assert notice.subject == "Nuova candidatura: Tirocinio in magazzino"
    assert "Giulia Bianchi" in notice.body_text and f"/gestione/candidature/{application.id}" in notice.body_text

    # The mail really leaves through the outbox job, over SMTP.
    smtp_sink.clear()
    assert send_mail(confirmation.id) == "sent"
    assert smtp_sink.wait_for("giulia@example.org")["Subject"] == "Candidatura inviata: Tirocinio in magazzino"

    # The applicant downloads their own CV.
    download = client.get(f"/gestione/candidature/{application.id}/cv")
    assert download.status_code == 200 and download.data == pdf_bytes()
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_without_an_opportunity_contact_the_company_users_are_told(app, world):
    opportunity = factories.opportunity(world["org"], title="Borsa lavoro in cucina", contact_email=None)
    db.session.commit()
    response = post_apply(client_for(app, world, "candidate"), opportunity.id)
    assert response.status_code == 303
    [notice] = mails_to("hr@officine.example.org")
    assert "Borsa lavoro in cucina" in notice.subject
    assert mails_to("hr@sud.example.org") == []


def test_applying_twice_is_refused_and_nothing_more_is_stored(app, world, upload_folder):
    client = client_for(app, world, "candidate")
    opportunity = world["opportunity"]
    assert post_apply(client, opportunity.id).status_code == 303
    mails_before = db.session.scalar(select(func.count()).select_from(OutgoingMail))
    again = post_apply(client, opportunity.id, cv=(BytesIO(pdf_bytes()), "cv.pdf", "application/pdf"))
    assert again.status_code == 409
    assert "Hai già inviato una candidatura per questa opportunità" in text_of(again)
    assert len(applications_of(opportunity.id)) == 1
    assert stored_files(upload_folder) == []
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == mails_before


def test_the_race_between_two_sends_is_caught_by_the_unique_constraint(app, world, monkeypatch, upload_folder):
    opportunity = world["opportunity"]
    sent_application(world)  # the other tab's request, committed after our check
    monkeypatch.setattr(services, "existing_application", lambda *args: None)
    client = client_for(app, world, "candidate")
    response = post_apply(client, opportunity.id, cv=(BytesIO(pdf_bytes()), "cv.pdf", "application/pdf"))
    assert response.status_code == 409
    assert "Esiste già una candidatura di questa persona per questa opportunità" in text_of(response)
    assert len(applications_of(opportunity.id)) == 1
    assert stored_files(upload_folder) == []
    assert mails_to("selezione@officine.example.org") == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": OpportunityStatus.CLOSED}, "Le candidature per questa opportunità sono chiuse."),
        (
            {"application_deadline": TODAY - timedelta(days=1)},
            "La scadenza per candidarsi a questa opportunità è passata.",
        ),
    ],
    ids=["closed", "past-deadline"],
)
def test_closed_or_past_deadline_opportunities_refuse_applications(app, world, fields, message):
    opportunity = factories.opportunity(world["org"], **fields)
    db.session.commit()
    client = client_for(app, world, "candidate")
    page = client.get(apply_path(opportunity.id))
    assert message in text_of(page) and 'name="message"' not in text_of(page)
    response = post_apply(client, opportunity.id)
    assert response.status_code == 409 and message in text_of(response)
    assert applications_of(opportunity.id) == []


@pytest.mark.parametrize(
    ("birth_date", "fields", "message"),
    [
        (TODAY.replace(year=TODAY.year - 16), {"minors_allowed": False}, "riservata a chi ha compiuto 18 anni"),
        (TODAY.replace(year=TODAY.year - 20), {"age_min": 25, "age_max": 40}, "per chi ha almeno 25 anni"),
        (TODAY.replace(year=TODAY.year - 40), {"age_min": 18, "age_max": 29}, "per chi ha al massimo 29 anni"),
    ],
    ids=["minor-not-allowed", "too-young", "too-old"],
)
def test_the_age_rules_of_the_opportunity_are_kept(app, world, birth_date, fields, message):
    world["person"].birth_date = birth_date
    opportunity = factories.opportunity(world["org"], **fields)
    db.session.commit()
    response = post_apply(client_for(app, world, "candidate"), opportunity.id)
    assert response.status_code == 409 and message in text_of(response)
    assert applications_of(opportunity.id) == []


def test_a_minor_may_apply_where_minors_are_welcome(app, world):
    world["person"].birth_date = TODAY.replace(year=TODAY.year - 16)
    opportunity = factories.opportunity(world["org"], minors_allowed=True, age_min=14, age_max=18)
    db.session.commit()
    assert post_apply(client_for(app, world, "candidate"), opportunity.id).status_code == 303
    assert len(applications_of(opportunity.id)) == 1


def test_unpublished_opportunities_do_not_exist_for_candidates(app, world):
    draft = factories.opportunity(world["org"], status=OpportunityStatus.IN_REVIEW)
    db.session.commit()
    assert post_apply(client_for(app, world, "candidate"), draft.id).status_code == 404
    assert applications_of(draft.id) == []


def test_a_candidate_without_a_personal_record_is_told_what_to_do(app, world, db_session):
    lonely = fr.user(Role.CANDIDATE, "senza-scheda@example.org")
    db.session.commit()
    client = fr.sign_in(app.test_client(), lonely)
    response = post_apply(client, world["opportunity"].id)
    assert response.status_code == 409
    assert "serve la tua scheda personale" in text_of(response)
    assert applications_of(world["opportunity"].id) == []
    assert "La tua scheda personale non c" in text_of(client.get("/candidature/"))


def test_not_signed_in_goes_to_the_login_page(app, world):
    response = app.test_client().get(apply_path(world["opportunity"].id))
    assert response.status_code == 302 and "/accedi" in response.headers["Location"]


def test_an_exe_renamed_pdf_is_refused_and_nothing_is_stored(app, world, upload_folder):
    client = client_for(app, world, "candidate")
    response = post_apply(client, world["opportunity"].id, cv=(BytesIO(EXE_BYTES), "curriculum.pdf", "application/pdf"))
    assert response.status_code == 400
    assert "Il curriculum deve essere un file PDF: questo file non lo è." in text_of(response)
    assert applications_of(world["opportunity"].id) == [] and stored_files(upload_folder) == []
    assert mails_to("selezione@officine.example.org") == []


def test_a_cv_over_five_megabytes_gets_a_form_error(app, world, upload_folder):
    big = pdf_bytes() + b" " * (services.CV_MAX_MB * 1024 * 1024)
    client = client_for(app, world, "candidate")
    response = post_apply(client, world["opportunity"].id, cv=(BytesIO(big), "cv.pdf", "application/pdf"))
    assert response.status_code == 400
    assert "Il curriculum supera la dimensione massima di 5 MB." in text_of(response)
    assert applications_of(world["opportunity"].id) == [] and stored_files(upload_folder) == []


def test_a_fifty_megabyte_upload_gets_the_italian_413_page(app, world, upload_folder):
    client = client_for(app, world, "candidate")
    huge = b"%PDF-1.7\n" + b"0" * (50 * 1024 * 1024)
    response = post_apply(client, world["opportunity"].id, cv=(BytesIO(huge), "cv.pdf", "application/pdf"))
    assert response.status_code == 413
    assert "File troppo grande" in text_of(response) and "al massimo 5 MB" in text_of(response)
    assert applications_of(world["opportunity"].id) == [] and stored_files(upload_folder) == []


def test_workshops_enrol_in_an_edition_with_seats_left(app, world):
    workshop = factories.opportunity(world["org"], kind=OpportunityKind.WORKSHOP, title="Laboratorio di cucina")
    full = Edition(opportunity_id=workshop.id, label="Autunno", starts_on=TODAY + timedelta(days=10),
                   ends_on=TODAY + timedelta(days=20), seats=1)  # fmt: skip
    free = Edition(opportunity_id=workshop.id, label="Inverno", starts_on=TODAY + timedelta(days=40),
                   ends_on=TODAY + timedelta(days=50), seats=3)  # fmt: skip
    db.session.add_all([full, free])
    db.session.flush()
    taker = fr.application(workshop.id, world["other_person"], Status.SENT)
    taker.edition_id = full.id
    db.session.commit()
    db.session.expire(workshop)

    client = client_for(app, world, "candidate")
    page = text_of(client.get(apply_path(workshop.id)))
    assert "Inverno" in page and "posti liberi: 3" in page and "Autunno" not in page

    missing = post_apply(client, workshop.id)
    assert missing.status_code == 400 and "edizione a cui iscriverti." in text_of(missing)
    tampered = post_apply(client, workshop.id, edition_id=str(full.id))
    assert tampered.status_code == 400 and "Questa edizione non è disponibile" in text_of(tampered)
    assert post_apply(client, workshop.id, edition_id=str(free.id)).status_code == 303
    mine = [a for a in applications_of(workshop.id) if a.person_id == world["person"].id]
    assert [a.edition_id for a in mine] == [free.id]

    # When every edition is full, the page says so and takes nothing.
    free.seats = 1
    third_user = fr.user(Role.CANDIDATE, "terza@example.org")
    factories.person(third_user, first_name="Sara")
    db.session.commit()
    refused = post_apply(fr.sign_in(app.test_client(), third_user), workshop.id)
    assert refused.status_code == 409
    assert "Tutte le edizioni di questa opportunità sono al completo." in text_of(refused)


def test_an_operator_applies_on_behalf_of_a_person(app, world):
    client = client_for(app, world, "operator")
    opportunity = world["opportunity"]
    chooser = client.get(apply_path(opportunity.id) + "?q=Bianchi")
    assert chooser.status_code == 200 and f"persona={world['person'].id}" in text_of(chooser)
    page = client.get(apply_path(opportunity.id, world["person"].id))
    assert "per conto di Giulia Bianchi" in text_of(page)
    response = post_apply(client, opportunity.id, persona=world["person"].id)
    assert response.status_code == 303
    [application] = applications_of(opportunity.id)
    assert application.submitted_by_id == world["users"]["operator"].id
    assert response.headers["Location"].endswith(f"/gestione/candidature/{application.id}")
    [confirmation] = mails_to("giulia@example.org")
    assert "un operatore della rete ha inviato per te la candidatura" in confirmation.body_text
    # Twice for the same person: refused, and the page leads to the existing application.
    again = client.get(apply_path(opportunity.id, world["person"].id))
    assert "Esiste già una candidatura di questa persona per questa opportunità." in text_of(again)
    assert f"/gestione/candidature/{application.id}" in text_of(again)


def test_a_company_user_cannot_apply(app, world):
    response = post_apply(client_for(app, world, "company"), world["opportunity"].id)
    assert response.status_code == 403
    assert applications_of(world["opportunity"].id) == []


# -- the candidate's page and withdrawing ------------------------------------------------------------------


def test_a_candidate_withdraws_and_the_organisation_is_told(app, world):
    application = sent_application(world)
    client = client_for(app, world, "candidate")
    page = text_of(client.get("/candidature/"))
    assert "Tirocinio in magazzino" in page and "Inviata" in page and "Ritira la candidatura" in page
    token = csrf_token(client, "/candidature/")
    response = client.post(f"/candidature/{application.id}/ritira", data={"csrf_token": token,
                                                                          "version": application.version})  # fmt: skip
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == Status.WITHDRAWN
    assert [(e.from_status, e.to_status) for e in events_of(application.id)][-1] == (Status.SENT, Status.WITHDRAWN)
    [notice] = mails_to("selezione@officine.example.org")
    assert notice.subject == "Candidatura ritirata: Tirocinio in magazzino"
    # A final application cannot be withdrawn again.
    again = client.post(f"/candidature/{application.id}/ritira", data={"csrf_token": token}, follow_redirects=True)
    assert "non si può più ritirare" in text_of(again)
    assert len(events_of(application.id)) == 2


# -- the organisation's pipeline ------------------------------------------------------------------------


def move(client, application: Application, to_status: str, message: str = "", version: int | None = None):
    path = f"/gestione/candidature/{application.id}"
    data = {"csrf_token": csrf_token(client, path), "to_status": to_status, "message": message,
            "version": application.version if version is None else version}  # fmt: skip
    return client.post(f"{path}/stato", data=data)


def test_the_board_groups_applicants_by_state(app, world):
    sent_application(world)
    sent_application(world, Status.INTERVIEW, person=world["other_person"])
    page = text_of(client_for(app, world, "company").get(f"/gestione/opportunita/{world['opportunity'].id}/candidati"))
    sent_column = page.index('id="col-sent"')
    interview_column = page.index('id="col-interview"')
    accepted_column = page.index('id="col-accepted"')
    assert sent_column < page.index("Giulia Bianchi") < interview_column
    assert interview_column < page.index("Marco Verdi") < accepted_column


def test_moves_write_history_and_mail_the_candidate(app, world):
    application = sent_application(world)
    client = client_for(app, world, "company")
    response = move(client, application, "interview", "Ti aspettiamo martedì alle 10 in via Roma 3.")
    assert response.status_code == 303
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.status == Status.INTERVIEW
    last = events_of(application.id)[-1]
    assert (last.from_status, last.to_status) == (Status.SENT, Status.INTERVIEW)
    assert last.actor_id == world["users"]["company"].id
    [mail] = mails_to("giulia@example.org")
    assert last.notified_mail_id == mail.id
    assert "Colloquio" in mail.body_text and "Ti aspettiamo martedì" in mail.body_text

    # The candidate sees the new state, the organisation's latest message and the history.
    mine = text_of(client_for(app, world, "candidate").get("/candidature/"))
    assert "Colloquio" in mine and "Ti aspettiamo martedì alle 10 in via Roma 3." in mine
    assert "Ultimo messaggio dell" in mine

    # Not allowed from here: back to "in valutazione", or withdrawing for the candidate.
    for target in ("under_review", "withdrawn", "sent"):
        refused = move(client, application, target)
        assert refused.status_code == 400 and "Questo passaggio non è possibile" in text_of(refused)
    assert move(client, application, "accepted").status_code == 303
    db.session.expire_all()
    assert [e.to_status for e in events_of(application.id)] == [Status.SENT, Status.INTERVIEW, Status.ACCEPTED]
    # Final: no move form any more.
    assert "La candidatura è conclusa" in text_of(client.get(f"/gestione/candidature/{application.id}"))


def test_a_move_on_a_stale_form_is_refused(app, world):
    application = sent_application(world)
    opened_at = application.version
    operator = client_for(app, world, "operator")
    assert move(operator, application, "under_review").status_code == 303
    company = client_for(app, world, "company")
    stale = move(company, application, "not_selected", "Ci dispiace.", version=opened_at)
    assert stale.status_code == 409
    assert "Nel frattempo questa candidatura è stata aggiornata da un" in text_of(stale)
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == Status.UNDER_REVIEW
    assert len(events_of(application.id)) == 2
    assert len(mails_to("giulia@example.org")) == 1


def test_the_service_refuses_a_move_that_lost_the_race(app, world):
    application = sent_application(world)
    with pytest.raises(services.StaleRecord):
        services.move(application, Status.INTERVIEW, actor=world["users"]["company"], expected_version=None)
    with pytest.raises(services.StaleRecord):
        services.move(application, Status.INTERVIEW, actor=world["users"]["company"],
                      expected_version=application.version - 1)  # fmt: skip


def test_notes_stay_with_the_staff_and_sensitive_data_is_not_shown(app, world):
    application = sent_application(world)
    company = client_for(app, world, "company")
    path = f"/gestione/candidature/{application.id}"
    response = company.post(f"{path}/note", data={"csrf_token": csrf_token(company, path),
                                                   "body": "Sembra motivata, richiamare lunedì."})  # fmt: skip
    assert response.status_code == 303
    assert db.session.scalar(select(ApplicationNote.body)) == "Sembra motivata, richiamare lunedì."
    empty = company.post(f"{path}/note", data={"csrf_token": csrf_token(company, path), "body": "  "})
    assert empty.status_code == 400 and "Scrivi il testo della nota." in text_of(empty)

    page = text_of(company.get(path))
    assert "Sembra motivata, richiamare lunedì." in page and "magazzino, patente B" in page
    assert "BNCGLI04E57F205X" not in page and "Tutore Segreto" not in page

    candidate = client_for(app, world, "candidate")
    assert "richiamare" not in text_of(candidate.get("/candidature/"))
    assert candidate.get(path).status_code == 403


# -- who may do what -------------------------------------------------------------------------------------

ROLES = ["anonymous", "candidate_own", "candidate_other", "company_own", "company_other", "operator",
         "partner_admin", "admin"]  # fmt: skip
# For each action: the roles allowed.
ALLOWED = {
    "pipeline": {"company_own", "operator", "partner_admin", "admin"},
    "manage": {"company_own", "operator", "partner_admin", "admin"},
    "cv": {"candidate_own", "company_own", "operator", "partner_admin", "admin"},
    "move": {"company_own", "operator", "partner_admin", "admin"},
    "note": {"company_own", "operator", "partner_admin", "admin"},
    "withdraw": {"candidate_own", "operator", "partner_admin", "admin"},
}
USER_OF = {"candidate_own": "candidate", "candidate_other": "other_candidate", "company_own": "company",
           "company_other": "other_company", "operator": "operator", "partner_admin": "partner_admin",
           "admin": "admin"}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ALLOWED))
def test_role_by_action(app, world, upload_folder, role, action):
    cv = services.CheckedCv(data=pdf_bytes(), filename="cv.pdf", sha256="0" * 64)
    application = services.apply(world["opportunity"], world["person"], actor=world["users"]["candidate"], cv=cv)
    db.session.commit()
    client = client_for(app, world, USER_OF.get(role))
    base = f"/gestione/candidature/{application.id}"
    # Any page's form carries the session's CSRF token: the personal area is open to every signed-in user.
    token = csrf_token(client, "/area-personale" if role != "anonymous" else "/accedi")
    if action == "pipeline":
        response = client.get(f"/gestione/opportunita/{world['opportunity'].id}/candidati")
    elif action == "manage":
        response = client.get(base)
    elif action == "cv":
        response = client.get(f"{base}/cv")
    elif action == "move":
        response = client.post(f"{base}/stato", data={"csrf_token": token, "to_status": "under_review",
                                                       "version": application.version})  # fmt: skip
    elif action == "note":
        response = client.post(f"{base}/note", data={"csrf_token": token, "body": "Nota di prova"})
    else:
        response = client.post(f"/candidature/{application.id}/ritira", data={"csrf_token": token})

    db.session.expire_all()
    current = db.session.get(Application, application.id)
    if role == "anonymous":
        assert response.status_code == 302 and "/accedi" in response.headers["Location"]
    elif role in ALLOWED[action]:
        assert response.status_code in (200, 303), response.status_code
    else:
        assert response.status_code == 403
    changed = {
        "move": current.status == Status.UNDER_REVIEW,
        "note": db.session.scalar(select(func.count()).select_from(ApplicationNote)) == 1,
        "withdraw": current.status == Status.WITHDRAWN,
    }
    if action in changed:
        assert changed[action] == (role in ALLOWED[action])
    if action == "cv" and role in ALLOWED[action]:
        assert response.data == pdf_bytes() and response.headers["X-Content-Type-Options"] == "nosniff"
