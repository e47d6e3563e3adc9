"""The candidate's own profile: created on the first save, edited with an optimistic lock, the rules on
age and consents, the safe `next` redirect, who may open the page, and applying once the profile exists."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.applications.models import Application
from marketplace.candidates.models import CandidateProfile, EducationLevel, Person
from marketplace.extensions import db
from tests import factories
from tests import factories_relations as fr
from tests.conftest import csrf_token

PATH = "/il-mio-profilo"
TODAY = date.today()
MILANO = "015146"


def born(years_ago: int) -> date:
    # 1 January: the age is exactly `years_ago` on every day of the year.
    return date(TODAY.year - years_ago, 1, 1)


@pytest.fixture
def world(db_session):
    org = factories.organization("Officine Adda S.r.l.")
    users = {
        "candidate": fr.user(Role.CANDIDATE, "sara@example.org", full_name="Sara Colombo"),
        "other_candidate": fr.user(Role.CANDIDATE, "marco@example.org", full_name="Marco Verdi"),
        "company": fr.user(Role.COMPANY, "hr@officine.example.org", organization_id=org.id),
        "operator": fr.user(Role.OPERATOR, "operatore@example.org", partner_id=factories.partner("SIL").id),
        "partner_admin": fr.user(Role.PARTNER_ADMIN, "referente@example.org", partner_id=factories.partner("Ente").id),
        "admin": fr.user(Role.ADMIN, "admin@example.org"),
    }
    other_person = factories.person(users["other_candidate"], first_name="Marco", last_name="Verdi",
                                    phone="+393339876543", email="marco.privato@example.org")  # fmt: skip
    opportunity = factories.opportunity(org, title="Tirocinio in magazzino")
    db.session.commit()
    return {"users": users, "other_person": other_person, "opportunity": opportunity}


def client_for(app, world, who: str | None):
    return fr.sign_in(app.test_client(), world["users"][who] if who else None)


def form_data(client, **overrides) -> dict:
    data = {
        "csrf_token": csrf_token(client, PATH),
        "first_name": "Sara",
        "last_name": "Colombo",
        "birth_date": born(20).isoformat(),
        "municipality_code": MILANO,
        "phone": "333 123 4567",
        "email": "",
        "privacy_consent": "y",
        "guardian_name": "",
        "education_level": EducationLevel.UPPER_SECONDARY.value,
        "skills": "Magazzino, muletto",
        "aspirations": "Lavorare nella logistica",
        "languages": "italiano, inglese",
        "driving_licence": "y",
        "max_travel_km": "25",
        "version": "",
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def person_of(user) -> Person | None:
    db.session.expire_all()
    return db.session.scalar(select(Person).where(Person.user_id == user.id))


def people_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Person)) or 0


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# -- creating and editing ----------------------------------------------------------------------------


def test_a_candidate_creates_then_edits_their_profile(app, world):
    user = world["users"]["candidate"]
    client = client_for(app, world, "candidate")
    page = client.get(PATH)
    assert page.status_code == 200
    assert 'value="sara@example.org"' in text_of(page)  # the account's email is offered
    assert "Marco" not in text_of(page) and "marco.privato" not in text_of(page)

    response = client.post(PATH, data=form_data(client))
    assert response.status_code == 303 and response.headers["Location"].endswith(PATH)
    person = person_of(user)
    assert person is not None
    assert (person.first_name, person.last_name, person.birth_date) == ("Sara", "Colombo", born(20))
    assert person.phone == "+393331234567"  # normalised to E.164
    assert person.email == "sara@example.org"  # left blank: the account's
    assert person.municipality_code == MILANO
    assert person.privacy_consent_at is not None
    assert person.guardian_name is None and person.guardian_consent_at is None
    profile = person.profile
    assert profile.education_level == EducationLevel.UPPER_SECONDARY
    assert (profile.skills, profile.aspirations, profile.languages) == (
        "Magazzino, muletto", "Lavorare nella logistica", "italiano, inglese")  # fmt: skip
    assert profile.driving_licence is True and profile.max_travel_km == 25
    first_consent = person.privacy_consent_at
    first_version = person.version

    page = text_of(client.get(PATH))
    assert f'name="version" type="hidden" value="{first_version}"' in page or f'value="{first_version}"' in page
    assert "Hai dato il consenso al trattamento dei dati" in page

    # Only profile fields change: the person's version still moves (it is what the form's lock guards).
    response = client.post(PATH, data=form_data(
        client, privacy_consent=None, version=str(first_version), driving_licence=None, max_travel_km="",
        email="sara.lavoro@example.org", phone="", municipality_code="", education_level="", skills="Cucina",
    ))  # fmt: skip
    assert response.status_code == 303
    person = person_of(user)
    assert person.version > first_version
    assert person.privacy_consent_at == first_consent  # given once, kept
    assert person.email == "sara.lavoro@example.org"
    assert person.phone is None and person.municipality_code is None
    assert person.profile.driving_licence is False and person.profile.max_travel_km is None
    assert person.profile.education_level is None and person.profile.skills == "Cucina"
    assert db.session.scalar(select(func.count()).select_from(CandidateProfile)
                             .where(CandidateProfile.person_id == person.id)) == 1  # fmt: skip


def test_a_minor_saves_with_a_guardian_and_their_consent(app, world):
    user = world["users"]["candidate"]
    client = client_for(app, world, "candidate")
    response = client.post(PATH, data=form_data(
        client, birth_date=born(16).isoformat(), guardian_name="Anna Colombo", guardian_consent="y"))  # fmt: skip
    assert response.status_code == 303
    person = person_of(user)
    assert person.guardian_name == "Anna Colombo" and person.guardian_consent_at is not None
    consent = person.guardian_consent_at

    # The same guardian: the consent on record stands. Another guardian must consent again.
    same = client.post(PATH, data=form_data(client, birth_date=born(16).isoformat(), guardian_name="Anna Colombo",
                                            privacy_consent=None, version=str(person.version)))  # fmt: skip
    assert same.status_code == 303
    person = person_of(user)
    assert person.guardian_consent_at == consent
    other = client.post(PATH, data=form_data(client, birth_date=born(16).isoformat(), guardian_name="Paolo Colombo",
                                             privacy_consent=None, version=str(person.version)))  # fmt: skip
    assert other.status_code == 400
    assert "serve il consenso di un genitore" in text_of(other)
    assert person_of(user).guardian_name == "Anna Colombo"


def test_birth_date_accepts_the_italian_way_of_writing_it(app, world):
    client = client_for(app, world, "candidate")
    written = born(22)
    response = client.post(PATH, data=form_data(client, birth_date=written.strftime("%d/%m/%Y")))
    assert response.status_code == 303
    assert person_of(world["users"]["candidate"]).birth_date == written


# -- bad input changes nothing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"privacy_consent": None}, "serve il consenso al trattamento dei dati"),
        ({"birth_date": (TODAY + timedelta(days=1)).isoformat()}, "La data di nascita è nel futuro"),
        ({"birth_date": born(13).isoformat()}, "devi avere almeno 14 anni"),
        ({"birth_date": born(100).isoformat()}, "superiore a 99 anni"),
        ({"birth_date": ""}, "Scrivi la tua data di nascita."),
        ({"birth_date": "31/02/2005"}, "Data non valida"),
        ({"birth_date": born(16).isoformat()}, "scrivi il nome di un genitore"),
        ({"birth_date": born(16).isoformat(), "guardian_name": "Anna Colombo"}, "serve il consenso di un genitore"),
        ({"first_name": "  "}, "Scrivi il tuo nome."),
        ({"last_name": ""}, "Scrivi il tuo cognome."),
        ({"phone": "12"}, "Numero di telefono non valido."),
        ({"email": "non-una-email"}, "Indirizzo email non valido."),
        ({"municipality_code": "058091"}, "Scegli un comune dell'elenco."),  # Roma: not in the area
        ({"max_travel_km": "0"}, "Indica una distanza tra 1 e 200 km."),
        ({"max_travel_km": "500"}, "Indica una distanza tra 1 e 200 km."),
        ({"max_travel_km": "dieci"}, "Scrivi un numero intero"),
        ({"education_level": "phd"}, "Scegli un titolo di studio dell'elenco."),
    ],
)
def test_bad_input_on_creation_saves_nothing_and_says_why(app, world, overrides, message):
    client = client_for(app, world, "candidate")
    before = people_count()
    response = client.post(PATH, data=form_data(client, **overrides))
    assert response.status_code == 400
    assert message in text_of(response)
    assert 'id="error-summary"' in text_of(response)
    assert person_of(world["users"]["candidate"]) is None
    assert people_count() == before


def test_bad_input_on_an_edit_changes_nothing(app, world):
    user = world["users"]["candidate"]
    client = client_for(app, world, "candidate")
    assert client.post(PATH, data=form_data(client)).status_code == 303
    person = person_of(user)
    version, skills = person.version, person.profile.skills
    changes = {"privacy_consent": None, "birth_date": born(13).isoformat(), "skills": "Cambiato"}
    response = client.post(PATH, data=form_data(client, version=str(version), **changes))
    assert response.status_code == 400 and "devi avere almeno 14 anni" in text_of(response)
    person = person_of(user)
    assert person.version == version and person.birth_date == born(20) and person.profile.skills == skills


def test_a_record_an_operator_made_without_consent_asks_for_it(app, world):
    user = world["users"]["candidate"]
    person = factories.person(user, first_name="Sara", last_name="Colombo")
    db.session.commit()
    client = client_for(app, world, "candidate")
    page = text_of(client.get(PATH))
    assert 'name="privacy_consent"' in page and "Hai dato il consenso" not in page
    refused = client.post(PATH, data=form_data(client, privacy_consent=None, version=str(person.version)))
    assert refused.status_code == 400 and "serve il consenso al trattamento dei dati" in text_of(refused)
    assert person_of(user).privacy_consent_at is None
    accepted = client.post(PATH, data=form_data(client, version=str(person.version)))
    assert accepted.status_code == 303
    assert person_of(user).privacy_consent_at is not None


# -- optimistic lock -------------------------------------------------------------------------------------


def test_a_stale_form_saves_nothing_and_says_so(app, world):
    user = world["users"]["candidate"]
    first_tab = client_for(app, world, "candidate")
    assert first_tab.post(PATH, data=form_data(first_tab)).status_code == 303
    opened_at = person_of(user).version

    second_tab = client_for(app, world, "candidate")
    saved = second_tab.post(PATH, data=form_data(second_tab, privacy_consent=None, version=str(opened_at),
                                                 aspirations="Fare il cuoco"))  # fmt: skip
    assert saved.status_code == 303
    after_second = person_of(user)

    stale = first_tab.post(PATH, data=form_data(first_tab, privacy_consent=None, version=str(opened_at),
                                                aspirations="Fare il magazziniere", first_name="Sarah"))  # fmt: skip
    assert stale.status_code == 303 and stale.headers["Location"].endswith(PATH)
    person = person_of(user)
    assert person.version == after_second.version
    assert person.profile.aspirations == "Fare il cuoco" and person.first_name == "Sara"
    assert "modificato in un'altra finestra" in text_of(first_tab.get(PATH))


def test_a_second_creation_form_does_not_make_a_second_record(app, world):
    user = world["users"]["candidate"]
    first_tab = client_for(app, world, "candidate")
    second_tab = client_for(app, world, "candidate")
    data_second = form_data(second_tab, first_name="Seconda")  # opened before the record exists
    assert first_tab.post(PATH, data=form_data(first_tab)).status_code == 303
    before = people_count()
    response = second_tab.post(PATH, data=data_second)
    assert response.status_code == 303
    assert people_count() == before
    assert person_of(user).first_name == "Sara"


# -- next ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("next_value", "expected"),
    [
        ("/candidature/", "/candidature/"),
        ("https://evil.example.org/phish", PATH),
        ("//evil.example.org/phish", PATH),
        ("/\\evil.example.org", PATH),
        ("javascript:alert(1)", PATH),
    ],
)
def test_next_is_followed_only_when_it_is_a_local_path(app, world, next_value, expected):
    client = client_for(app, world, "candidate")
    response = client.post(PATH, query_string={"next": next_value}, data=form_data(client))
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.endswith(expected) and "evil" not in location
    assert person_of(world["users"]["candidate"]) is not None


def test_the_form_keeps_next_and_cancel_goes_back_there(app, world):
    client = client_for(app, world, "candidate")
    page = text_of(client.get(PATH, query_string={"next": "/candidature/"}))
    assert 'action="/il-mio-profilo?next=/candidature/"' in page or "next=%2Fcandidature%2F" in page
    assert 'href="/candidature/"' in page
    evil = text_of(client.get(PATH, query_string={"next": "https://evil.example.org/"}))
    # (The language switcher repeats the current URL for itself; the form and its links ignore `next`.)
    assert 'action="/il-mio-profilo"' in evil and 'href="https://evil.example.org/"' not in evil


# -- who may open the page -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["company", "operator", "partner_admin", "admin"])
def test_other_roles_are_refused(app, world, who):
    client = client_for(app, world, who)
    assert client.get(PATH).status_code == 403
    before = people_count()
    response = client.post(PATH, data=form_data(client_for(app, world, "candidate")))
    assert response.status_code in (400, 403)  # the CSRF token of another session, or the role: never a save
    assert people_count() == before


def test_anonymous_goes_to_the_login_page(app, world):
    response = app.test_client().get(PATH)
    assert response.status_code == 302 and "/accedi" in response.headers["Location"]


def test_a_candidate_never_sees_or_changes_another_persons_record(app, world):
    other = world["other_person"]
    other_version = other.version
    client = client_for(app, world, "candidate")
    page = text_of(client.get(PATH, query_string={"persona": other.id, "person_id": other.id}))
    assert "Verdi" not in page and "marco.privato@example.org" not in page and "+393339876543" not in page

    # A form carrying the other person's version (and id) is no way into their record.
    response = client.post(PATH, query_string={"persona": other.id}, data=form_data(
        client, version=str(other_version), person_id=str(other.id), first_name="Intruso"))  # fmt: skip
    assert response.status_code == 303
    db.session.expire_all()
    other = db.session.get(Person, other.id)
    assert other.first_name == "Marco" and other.version == other_version
    assert person_of(world["users"]["candidate"]) is None

    # With a record of their own, a save only ever touches that record.
    assert client.post(PATH, data=form_data(client)).status_code == 303
    own = person_of(world["users"]["candidate"])
    assert client.post(PATH, data=form_data(client, version=str(own.version), privacy_consent=None,
                                            person_id=str(other.id), last_name="Rossi")).status_code == 303  # fmt: skip
    db.session.expire_all()
    assert db.session.get(Person, other.id).last_name == "Verdi"
    assert person_of(world["users"]["candidate"]).last_name == "Rossi"


# -- then applying ----------------------------------------------------------------------------------------


def test_after_creating_the_profile_the_candidate_can_apply(app, world):
    user = world["users"]["candidate"]
    opportunity = world["opportunity"]
    apply_path = f"/opportunita/{opportunity.id}/candidatura"
    client = client_for(app, world, "candidate")

    refused = client.post(apply_path, data={"csrf_token": csrf_token(client, PATH), "message": "Ciao"},
                          content_type="multipart/form-data")  # fmt: skip
    assert refused.status_code == 409
    assert "compila il tuo profilo" in text_of(refused)
    assert f"/il-mio-profilo?next=/opportunita/{opportunity.id}/candidatura" in text_of(refused).replace("%2F", "/")
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0

    created = client.post(PATH, query_string={"next": apply_path}, data=form_data(client))
    assert created.status_code == 303 and created.headers["Location"].endswith(apply_path)
    form_page = client.get(apply_path)
    assert form_page.status_code == 200 and "Invia la candidatura" in text_of(form_page)
    assert "Sara Colombo" in text_of(form_page)

    sent = client.post(apply_path, data={"csrf_token": csrf_token(client, PATH), "message": "Mi interessa."},
                       content_type="multipart/form-data")  # fmt: skip
    assert sent.status_code == 303
    db.session.expire_all()
    application = db.session.scalar(select(Application).where(Application.opportunity_id == opportunity.id))
    assert application is not None and application.person_id == person_of(user).id


def test_the_dashboard_links_candidates_to_their_profile(app, world):
    page = text_of(client_for(app, world, "candidate").get("/area-personale"))
    assert 'href="/il-mio-profilo"' in page
    assert 'href="/il-mio-profilo"' not in text_of(client_for(app, world, "operator").get("/area-personale"))


# -- in a real browser -------------------------------------------------------------------------------------


def tick(page, field_id: str) -> None:
    """Bootstrap Italia draws the checkbox on its label: people click the label."""
    page.locator(f"label[for={field_id}]").click()
    assert page.locator(f"#{field_id}").is_checked()


@pytest.mark.browser
def test_from_the_refusal_to_the_profile_and_back_in_a_phone_sized_browser(live_server, page):
    import json

    from tests.browser_support import serious_violations

    org = factories.organization("Officine Adda S.r.l.")
    candidate = factories.user(Role.CANDIDATE, email="sara@example.org")
    # Sara is 16: the opportunity must be open to minors for her to apply.
    opportunity = factories.opportunity(org, title="Laboratorio in magazzino", minors_allowed=True, age_min=14)
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/accedi")
    page.get_by_label("Email").fill(candidate.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{live_server}/area-personale")

    apply_url = f"{live_server}/opportunita/{opportunity.id}/candidatura"
    page.goto(apply_url)
    page.get_by_role("link", name="Completa il profilo").click()
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Completa il tuo profilo"
    assert json.dumps(serious_violations(page)) == "[]"

    page.get_by_label("Nome", exact=True).fill("Sara")
    page.get_by_label("Cognome", exact=True).fill("Colombo")
    page.get_by_label("Data di nascita").fill(born(16).isoformat())
    page.get_by_label("Comune di residenza").select_option(label="Milano")
    tick(page, "privacy_consent")
    page.get_by_role("button", name="Crea il profilo").click()
    # Under 18 without a guardian: the page says so and keeps what was typed.
    assert "scrivi il nome di un genitore" in page.content()
    assert page.get_by_label("Cognome", exact=True).input_value() == "Colombo"
    assert json.dumps(serious_violations(page)) == "[]"

    page.get_by_label("Nome e cognome del genitore o tutore").fill("Anna Colombo")
    tick(page, "guardian_consent")
    assert page.locator("#privacy_consent").is_checked()  # kept from the first try
    page.get_by_role("button", name="Crea il profilo").click()
    page.wait_for_url(apply_url)
    assert "Profilo creato" in page.content()
    assert page.get_by_role("button", name="Invia la candidatura").is_visible()
