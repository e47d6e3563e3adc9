"""Duplicate organisations: likely pairs, and merges that move everything and keep both histories."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from stdnum import luhn

from marketplace.accounts.models import Role, User
from marketplace.agreements.models import Agreement, AgreementKind, AgreementStatus
from marketplace.audit.models import AuditEntry
from marketplace.extensions import db
from marketplace.indexing import services as indexing
from marketplace.interactions.models import Interaction, InteractionKind, InteractionOutcome
from marketplace.models_base import utcnow
from marketplace.opportunities.models import Opportunity
from marketplace.organizations import claims, merge
from marketplace.organizations.models import (
    Contact,
    InclusionProfile,
    OrganizationClaim,
    OrganizationKind,
    OrganizationStatus,
    PartnerNote,
    PremisesAccess,
    Site,
)
from search import OpportunityQuery, OrganizationQuery
from tests import factories
from tests.conftest import csrf_token, login

GORGONZOLA, MELZO, MILANO = "015108", "015142", "015146"


def vat(n: int) -> str:
    base = f"{n:07d}015"
    return base + luhn.calc_check_digit(base)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _pairs(**kwargs) -> set[tuple[int, int]]:
    return {c.key for c in merge.find_candidates(**kwargs)}


# -- names and candidate pairs ------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Logistica Martesana S.r.l.", "LOGISTICA MARTESANA SRL"),
        ("Cooperativa Sociale Il Ponte ONLUS", "Il Ponte soc. coop. sociale"),
        ("Officine dell'Adda S.p.A.", "officine dell adda spa"),
        ("Caffè Società Benefit s.n.c.", "caffe societa benefit snc"),
        ("Associazione La Fenice ETS", "Associazione  La Fenice"),
    ],
)
def test_names_are_normalised_without_case_accents_punctuation_and_legal_forms(first, second):
    assert merge.normalize_name(first) == merge.normalize_name(second)


def test_normalised_names_keep_what_tells_organisations_apart():
    assert merge.normalize_name("Ponte S.r.l.") != merge.normalize_name("Ponte Nuovo S.r.l.")
    assert merge.normalize_name("S.r.l.") == "srl"  # a name made only of legal words is kept as it is


def test_pairs_by_identifier_across_the_two_columns(db_session):
    first = factories.organization("Officine Adda", vat_number=vat(1234567))
    second = factories.organization("Officine Meccaniche", tax_code=vat(1234567), municipality_code=MELZO)
    factories.organization("Altra", vat_number=vat(2345678), tax_code=vat(2345678))  # its own P.IVA and CF
    candidates = merge.find_candidates()
    assert [(c.key, c.same_identifier) for c in candidates] == [((first.id, second.id), True)]


def test_pairs_by_near_identical_names_in_the_same_comune_only(db_session):
    a = factories.organization("Logistica Martesana S.r.l.")
    b = factories.organization("Logistica Martesna srl")  # a typo
    c = factories.organization("LOGISTICA MARTESANA", municipality_code=MELZO)  # another comune
    d = factories.organization("Logistica Adda S.r.l.")  # a different company
    e = factories.organization("Cooperativa Il Ponte")
    f = factories.organization("Il Ponte coop")
    archived = factories.organization("Logistica Martesana", archived_at=utcnow())
    pairs = _pairs()
    assert (a.id, b.id) in pairs and (e.id, f.id) in pairs
    assert not any(c.id in pair or d.id in pair or archived.id in pair for pair in pairs)
    similarity = {cand.key: cand.similarity for cand in merge.find_candidates()}
    assert similarity[(e.id, f.id)] == 1.0 and 0.9 <= similarity[(a.id, b.id)] < 1.0


def test_merged_organisations_are_no_longer_candidates(db_session):
    a = factories.organization("Cooperativa Il Ponte")
    b = factories.organization("Il Ponte coop", merged_into_id=a.id, archived_at=utcnow())
    assert (a.id, b.id) not in _pairs()


def test_a_large_comune_still_finds_typos_anywhere_in_the_name(db_session):
    # Milano holds most organisations: its pairs come from the sorted neighbourhood, not from all pairs.
    rows = [merge.Row(i, f"Impresa {word} {i:05d}", None, None, MILANO)
            for i, word in enumerate(["Rossi", "Bianchi", "Verdi", "Colombo", "Ferrari"] * 400)]  # fmt: skip
    rows += [
        merge.Row(90001, "Trasporti Brambilla Giovanni", None, None, MILANO),
        merge.Row(90002, "Trasporti Brambila Giovanni", None, None, MILANO),  # typo in the middle
        merge.Row(90003, "Fraschetteria Lombarda Nord", None, None, MILANO),
        merge.Row(90004, "Frascheteria Lombarda Nord", None, None, MILANO),  # typo near the start
        merge.Row(90005, "Zanzariere Moderne Sud", None, None, MILANO),
        merge.Row(90006, "Zanzariere Moderne Sudd", None, None, MILANO),  # typo at the end
    ]
    pairs = _pairs(rows=rows)
    assert {(90001, 90002), (90003, 90004), (90005, 90006)} <= pairs
    # "Impresa Rossi 00001" and "Impresa Rossi 00011" differ by one digit: near-identical names are pairs.
    assert all(a < b for a, b in pairs)


# -- resolve and audit subjects -------------------------------------------------------


def test_resolve_follows_merge_chains(db_session):
    final = factories.organization("Finale")
    middle = factories.organization("Intermedia", merged_into_id=final.id, archived_at=utcnow())
    first = factories.organization("Prima", merged_into_id=middle.id, archived_at=utcnow())
    unrelated = factories.organization("Altra")
    assert merge.resolve(first.id) == final.id
    assert merge.resolve(final.id) == final.id
    assert merge.resolve(unrelated.id) == unrelated.id
    assert merge.resolve(10_000_000) is None
    assert merge.audit_subject_ids(final.id) == [final.id, middle.id, first.id]
    assert merge.audit_subject_ids(unrelated.id) == [unrelated.id]


# -- the merge itself -------------------------------------------------------------------


@pytest.fixture
def pair(db_session):
    partner = factories.partner("SIL Martesana")
    staff = factories.user(Role.PARTNER_ADMIN, email="referente@sil.example.org", partner_id=partner.id)
    survivor = factories.organization(
        "Cooperativa Il Ponte", kind=OrganizationKind.SOCIAL_COOP_B, email="info@ponte.example.org",
        website=None, employees=8,
    )  # fmt: skip
    duplicate = factories.organization(
        "Il Ponte coop. sociale", kind=OrganizationKind.SOCIAL_COOP_A, vat_number=vat(4567890),
        email="segreteria@ponte.example.org", website="https://ponte.example.org", employees=20,
        last_contact_on=date.today() - timedelta(days=3),
    )  # fmt: skip
    db_session.add_all([
        Site(organization_id=duplicate.id, label="Laboratorio", address="Via Milano 1", municipality_code=MELZO),
        Contact(organization_id=duplicate.id, full_name="Anna Riva"),
        PartnerNote(organization_id=duplicate.id, partner_id=partner.id, body="Referente molto disponibile."),
        Agreement(organization_id=duplicate.id, partner_id=partner.id, kind=AgreementKind.INCLUSION_INTERNSHIP,
                  status=AgreementStatus.ACTIVE, valid_from=date.today(), valid_to=date.today() + timedelta(days=365)),
        Interaction(organization_id=duplicate.id, kind=InteractionKind.CALL, occurred_on=date.today(),
                    summary="Disponibili per un tirocinio.", outcome=InteractionOutcome.POSITIVE),
        InclusionProfile(organization_id=survivor.id, schemes=["inclusion_internship"], languages=["it"],
                         premises_access=PremisesAccess.UNKNOWN),
        InclusionProfile(organization_id=duplicate.id, schemes=["work_grant", "inclusion_internship"],
                         languages=["en"], capacity=2, tutor_available=True,
                         premises_access=PremisesAccess.ACCESSIBLE),
    ])  # fmt: skip
    db_session.flush()
    company_user = factories.user(Role.COMPANY, email="staff@ponte.example.org", organization_id=duplicate.id)
    claim = claims.claim(factories.user(Role.COMPANY, email="nuovo@ponte.example.org"), duplicate, "")
    opportunity = factories.opportunity(duplicate, title="Laboratorio di falegnameria")
    return {"survivor": survivor, "duplicate": duplicate, "staff": staff, "company_user": company_user,
            "claim": claim, "opportunity": opportunity, "partner": partner}  # fmt: skip


def _count(model, organization_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.organization_id == organization_id))


def test_merge_moves_every_child_row_copies_chosen_values_and_archives_the_duplicate(pair):
    survivor, duplicate = pair["survivor"], pair["duplicate"]
    children = (Site, Contact, PartnerNote, Agreement, Interaction, OrganizationClaim, Opportunity, User)
    assert [_count(model, duplicate.id) for model in children] == [1] * len(children)

    report = merge.merge(survivor, duplicate, take_from_duplicate=["employees"])

    assert [_count(model, duplicate.id) for model in children] == [0] * len(children)
    assert [_count(model, survivor.id) for model in children] == [1] * len(children)
    assert report.moved["opportunities"] == 1 and report.moved["company_users"] == 1
    # Conflicts: the survivor's value unless chosen otherwise; gaps are filled from the duplicate.
    assert survivor.name == "Cooperativa Il Ponte" and survivor.kind == OrganizationKind.SOCIAL_COOP_B
    assert survivor.email == "info@ponte.example.org" and survivor.website == "https://ponte.example.org"
    assert survivor.employees == 20 and survivor.obligated_68  # derived from the chosen head count
    assert survivor.last_contact_on == date.today() - timedelta(days=3)
    # The P.IVA moved: the duplicate let go of it first (the column is unique).
    assert survivor.vat_number == vat(4567890) and duplicate.vat_number is None
    assert duplicate.merged_into_id == survivor.id and duplicate.archived_at is not None
    assert duplicate.status == OrganizationStatus.INACTIVE


def test_merge_unions_the_inclusion_profiles(pair):
    survivor, duplicate = pair["survivor"], pair["duplicate"]
    merge.merge(survivor, duplicate)
    profile = db.session.scalar(select(InclusionProfile).where(InclusionProfile.organization_id == survivor.id))
    assert profile.schemes == ["inclusion_internship", "work_grant"]
    assert profile.languages == ["it", "en"]
    assert (profile.capacity, profile.tutor_available, profile.premises_access) == (
        2, True, PremisesAccess.ACCESSIBLE,
    )  # fmt: skip


def test_the_duplicates_profile_moves_when_the_survivor_has_none(db_session):
    survivor = factories.organization("Bar Centrale")
    duplicate = factories.organization("Bar Centrale snc")
    db_session.add(InclusionProfile(organization_id=duplicate.id, schemes=["pcto"]))
    db_session.flush()
    merge.merge(survivor, duplicate)
    query = select(InclusionProfile.schemes).where(InclusionProfile.organization_id == survivor.id)
    assert db.session.scalar(query) == ["pcto"]


def test_both_histories_are_kept_and_reachable_from_the_survivor(pair):
    survivor, duplicate = pair["survivor"], pair["duplicate"]
    duplicate.phone = "+390295000000"
    db.session.flush()
    merge.merge(survivor, duplicate)

    def entries(subject_id: int) -> list[AuditEntry]:
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.subject_id == subject_id)))

    merged = [e for e in entries(survivor.id) + entries(duplicate.id) if e.action == "merged"]
    assert {e.subject_id for e in merged} == {survivor.id, duplicate.id}
    assert all(f"#{duplicate.id}" in e.new_value and f"#{survivor.id}" in e.new_value for e in merged)
    # The duplicate's own history stays under its id…
    assert any(e.field == "phone" and e.new_value == "+390295000000" for e in entries(duplicate.id))
    # …and an audit page for the survivor can read both.
    subjects = merge.audit_subject_ids(survivor.id)
    assert set(subjects) == {survivor.id, duplicate.id}
    combined = db.session.scalars(select(AuditEntry).where(AuditEntry.subject_id.in_(subjects))).all()
    assert any(e.field == "phone" for e in combined) and any(e.field == "vat_number" for e in combined)


@pytest.mark.parametrize("case", ["itself", "archived", "already_merged", "stale"])
def test_refused_merges_change_nothing(db_session, case):
    survivor = factories.organization("Cooperativa Il Ponte")
    duplicate = factories.organization("Il Ponte coop", vat_number=vat(4567890))
    site = Site(organization_id=duplicate.id, address="Via Roma 1", municipality_code=GORGONZOLA)
    db_session.add(site)
    db_session.flush()
    versions = (survivor.version, duplicate.version)
    if case == "itself":
        survivor = duplicate
    elif case == "archived":
        survivor.archived_at = utcnow()
    elif case == "already_merged":
        survivor.merged_into_id = factories.organization("Terza").id
        survivor.archived_at = utcnow()
    elif case == "stale":
        duplicate.description = "Cambiata da un collega nel frattempo."
    db_session.flush()
    with pytest.raises(merge.MergeRefused):
        merge.merge(survivor, duplicate, expected_versions=versions)
    assert duplicate.vat_number == vat(4567890) and duplicate.merged_into_id is None
    assert site.organization_id == duplicate.id


# -- the pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), (Role.CANDIDATE, 403), (Role.COMPANY, 403), (Role.OPERATOR, 403),
     (Role.PARTNER_ADMIN, 200), (Role.ADMIN, 200)],
)  # fmt: skip
def test_only_partner_admins_and_admins_see_and_merge_duplicates(client, role, expected):
    survivor = factories.organization("Cooperativa Il Ponte")
    duplicate = factories.organization("Il Ponte coop")
    if role != "anonymous":
        user = factories.user(role, email=f"{role.value}-merge@example.org", organization_id=None)
        login(client, user.email, factories.PASSWORD)
    path = f"/banca-dati/organizzazioni/{survivor.id}/unisci/{duplicate.id}"
    assert client.get("/banca-dati/duplicati").status_code == expected
    assert client.get(path).status_code == expected
    token = csrf_token(client, "/registrati" if role == "anonymous" else "/area-personale")
    posted = client.post(path, data={"csrf_token": token, "survivor_version": survivor.version,
                                     "duplicate_version": duplicate.version})  # fmt: skip
    db.session.refresh(duplicate)
    if expected == 200:
        assert posted.status_code == 302 and duplicate.merged_into_id == survivor.id
    else:
        assert posted.status_code == expected and duplicate.merged_into_id is None


def _staff_client(client, pair):
    login(client, pair["staff"].email, factories.PASSWORD)
    return client


def test_the_duplicates_page_lists_the_pair_with_both_directions(client, pair):
    _staff_client(client, pair)
    body = _text(client.get("/banca-dati/duplicati"))
    s, d = pair["survivor"].id, pair["duplicate"].id
    first, second = min(s, d), max(s, d)
    assert f"/banca-dati/organizzazioni/{first}/unisci/{second}" in body
    assert f"/banca-dati/organizzazioni/{second}/unisci/{first}" in body
    assert "Nomi simili al 100% nello stesso comune" in body


def test_the_comparison_page_shows_conflicts_and_what_moves(client, pair):
    _staff_client(client, pair)
    body = _text(client.get(f"/banca-dati/organizzazioni/{pair['survivor'].id}/unisci/{pair['duplicate'].id}"))
    assert 'name="keep_email" value="survivor" checked' in body
    assert "segreteria@ponte.example.org" in body and "Preso dal doppione" in body
    assert "Cooperativa sociale di tipo A" in body and "Cooperativa sociale di tipo B" in body


def test_merging_through_the_page_uses_the_choices(client, pair):
    survivor, duplicate = pair["survivor"], pair["duplicate"]
    _staff_client(client, pair)
    path = f"/banca-dati/organizzazioni/{survivor.id}/unisci/{duplicate.id}"
    response = client.post(path, data={
        "csrf_token": csrf_token(client, path), "survivor_version": survivor.version,
        "duplicate_version": duplicate.version, "keep_email": "duplicate", "keep_kind": "survivor",
        "keep_name": "survivor", "keep_employees": "survivor",
    })  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/banca-dati/organizzazioni/{survivor.id}")
    db.session.refresh(survivor)
    assert survivor.email == "segreteria@ponte.example.org" and survivor.kind == OrganizationKind.SOCIAL_COOP_B
    assert survivor.employees == 8
    merged = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "merged")).all()
    assert {e.actor_id for e in merged} == {pair["staff"].id}


@pytest.mark.parametrize("case", ["itself", "into_merged", "stale", "bad_choice"])
def test_refused_merges_through_the_page_say_why_in_italian(client, pair, case):
    survivor, duplicate = pair["survivor"], pair["duplicate"]
    _staff_client(client, pair)
    path = f"/banca-dati/organizzazioni/{survivor.id}/unisci/{duplicate.id}"
    data = {"csrf_token": csrf_token(client, path), "survivor_version": survivor.version,
            "duplicate_version": duplicate.version}  # fmt: skip
    expected = {
        "itself": "Non si può unire un'organizzazione con sé stessa",
        "into_merged": "è già stata unita a un'altra organizzazione",
        "stale": "Nel frattempo una delle due organizzazioni è stata modificata",
        "bad_choice": "Non è una opzione valida",
    }[case]
    if case == "itself":
        path = f"/banca-dati/organizzazioni/{survivor.id}/unisci/{survivor.id}"
    elif case == "into_merged":
        third = factories.organization("Terza")
        merge.merge(third, survivor)
    elif case == "stale":
        survivor.description = "Modificata da un collega mentre si confrontava."
        db.session.flush()
    elif case == "bad_choice":
        data["keep_email"] = "entrambe"
    response = client.post(path, data=data, follow_redirects=True)
    assert response.status_code == 200 and expected in _text(response)
    db.session.refresh(duplicate)
    assert duplicate.merged_into_id is None and duplicate.vat_number == vat(4567890)
    assert _count(Site, duplicate.id) == 1


# -- the search index after the merge -----------------------------------------------


def test_the_search_index_follows_the_merge_after_a_drain(backend, pair):
    survivor, duplicate, opportunity = pair["survivor"], pair["duplicate"], pair["opportunity"]
    # A duplicate edited many times has a higher row version than the survivor: the moved
    # opportunity's document must still replace the old one.
    for n in range(20):
        duplicate.description = f"Revisione {n}"
        db.session.flush()
    while indexing.drain_once().applied:
        pass
    backend.refresh("organizations")
    backend.refresh("opportunities")
    before = {hit.id for hit in backend.search_organizations(OrganizationQuery(text="ponte")).hits}
    assert before == {survivor.id, duplicate.id}

    merge.merge(survivor, duplicate)
    while indexing.drain_once().applied:
        pass
    backend.refresh("organizations")
    backend.refresh("opportunities")

    listed = backend.search_organizations(OrganizationQuery(text="ponte")).hits
    assert [hit.id for hit in listed] == [survivor.id]
    assert listed[0].source["vat_number"] == vat(4567890)
    everything = backend.search_organizations(OrganizationQuery(text="ponte", include_inactive=True)).hits
    leftover = [hit.source for hit in everything if hit.id == duplicate.id]
    # Gone from even the widest list, or kept there marked as no longer active.
    assert leftover == [] or (leftover[0]["status"] == "inactive" and leftover[0].get("archived", True))
    [found] = backend.search_opportunities(OpportunityQuery(text="falegnameria")).hits
    assert found.id == opportunity.id and found.source["organization_id"] == survivor.id


# -- embedded mode (SQLite, jobs in-process, embedded search) ----------------------------


def test_claims_and_merge_work_in_embedded_mode(embedded_app):
    app = embedded_app
    with app.app_context():
        staff = factories.user(Role.PARTNER_ADMIN, email="referente@sil.example.org")
        survivor = factories.organization("Cooperativa Il Ponte")
        duplicate = factories.organization("Il Ponte coop", vat_number=vat(4567890))
        factories.opportunity(duplicate, title="Laboratorio di ceramica")
        db.session.commit()
        ids = staff.email, survivor.id, duplicate.id
        db.session.remove()

    company = app.test_client()
    token = csrf_token(company, "/registrati")
    company.post("/registrati", data={
        "account_type": "company", "full_name": "Paola Brambilla", "email": "paola@ponte.example.org",
        "password": "la nebbia sul naviglio", "confirm": "la nebbia sul naviglio", "privacy": "y", "csrf_token": token,
    })  # fmt: skip
    assert "Cooperativa Il Ponte" in _text(company.get("/la-mia-organizzazione?q=ponte"))
    path = f"/la-mia-organizzazione/richiedi/{ids[2]}"
    assert company.post(path, data={"message": "", "csrf_token": csrf_token(company, path)}).status_code == 302

    partner_admin = app.test_client()
    assert login(partner_admin, ids[0], factories.PASSWORD).status_code == 302
    assert "Il Ponte coop" in _text(partner_admin.get("/banca-dati/duplicati"))
    path = f"/banca-dati/organizzazioni/{ids[1]}/unisci/{ids[2]}"
    comparison = partner_admin.get(path)
    assert comparison.status_code == 200
    versions = re.findall(r'name="(survivor_version|duplicate_version)" type="hidden" value="(\d+)"', _text(comparison))
    response = partner_admin.post(path, data={"csrf_token": csrf_token(partner_admin, path), **dict(versions)})
    assert response.status_code == 302
    queue = _text(partner_admin.get("/banca-dati/richieste"))
    assert "Cooperativa Il Ponte" in queue  # the claim followed the merge
    with app.app_context():
        claim_id = db.session.scalar(select(OrganizationClaim.id))
        db.session.remove()
    review = f"/banca-dati/richieste/{claim_id}"
    partner_admin.post(f"{review}/approva", data={"csrf_token": csrf_token(partner_admin, review)})
    assert f"/organizzazioni/{ids[1]}/gestione" in _text(company.get("/area-personale"))
    with app.app_context():
        from search import OpportunityQuery

        [hit] = app.extensions["search"].search_opportunities(OpportunityQuery(text="ceramica")).hits
        assert hit.source["organization_id"] == ids[1]
        db.session.remove()


# -- in a real browser, with axe-core ------------------------------------------------------


@pytest.mark.browser
def test_claim_and_merge_pages_in_a_browser_have_no_accessibility_violations(app, live_server, page):
    import json

    from tests.browser_support import serious_violations

    staff = factories.user(Role.PARTNER_ADMIN, email="referente@sil.example.org")
    survivor = factories.organization("Cooperativa Il Ponte", email="info@ponte.example.org")
    duplicate = factories.organization("Il Ponte coop", email="segreteria@ponte.example.org", vat_number=vat(4567890))
    db.session.commit()

    def no_violations() -> None:
        violations = serious_violations(page)
        assert violations == [], f"{page.url}: {json.dumps(violations, indent=1)}"

    page.goto(f"{live_server}/registrati?tipo=azienda")
    assert page.get_by_label("Rappresento un'azienda o un ente").is_checked()
    page.get_by_label("Nome e cognome").fill("Paola Brambilla")
    page.get_by_label("Email").fill("paola@ponte.example.org")
    page.get_by_label("Password", exact=True).fill("la nebbia sul naviglio")
    page.get_by_label("Ripeti la password").fill("la nebbia sul naviglio")
    page.get_by_text("Ho letto l'informativa").click()  # Bootstrap Italia draws the box over its label
    page.get_by_role("button", name="Registrati").click()
    page.wait_for_url(f"{live_server}/la-mia-organizzazione")
    no_violations()

    page.goto(f"{live_server}/la-mia-organizzazione/nuova")
    page.get_by_role("button", name="Invia la proposta").click()
    assert page.get_by_role("alert").is_visible()
    no_violations()

    page.goto(f"{live_server}/la-mia-organizzazione")
    page.get_by_label("Partita IVA, codice fiscale o nome").fill("ponte")
    page.get_by_role("button", name="Cerca").click()
    page.get_by_role("link", name=re.compile(r"^È la mia organizzazione\s*: Il Ponte coop$")).click()
    no_violations()
    page.get_by_label("Messaggio per chi verifica la richiesta").fill("Sono la presidente.")
    page.get_by_role("button", name="Invia la richiesta").click()
    assert page.get_by_text("In attesa di verifica").is_visible()
    no_violations()
    page.get_by_role("button", name="Esci").click()

    page.goto(f"{live_server}/accedi")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{live_server}/area-personale")
    page.goto(f"{live_server}/banca-dati/richieste")
    no_violations()
    page.get_by_role("link", name=re.compile(r"^Esamina\s*la richiesta per Il Ponte coop$")).click()
    page.get_by_role("button", name="Respingi la richiesta").click()
    assert page.get_by_text("Scrivi il motivo del rifiuto").first.is_visible()
    no_violations()

    page.goto(f"{live_server}/banca-dati/duplicati")
    no_violations()
    # Set aside as different, then offered again: both buttons work and the decided list is accessible.
    page.get_by_role("button", name="Non sono la stessa organizzazione").click()
    page.get_by_text("la coppia non compare più tra i possibili doppioni").wait_for()
    assert page.get_by_role("link", name="Tieni «Cooperativa Il Ponte»").count() == 0
    no_violations()
    page.get_by_role("button", name="Riproponi come possibile doppione").click()
    page.get_by_text("La coppia torna tra i possibili doppioni").wait_for()
    page.get_by_role("link", name="Tieni «Cooperativa Il Ponte»").click()
    no_violations()
    page.get_by_text("segreteria@ponte.example.org").click()
    page.get_by_role("button", name="Conferma e unisci").click()
    page.wait_for_url(f"{live_server}/banca-dati/organizzazioni/{survivor.id}")
    db.session.expire_all()
    assert db.session.get(type(duplicate), duplicate.id).merged_into_id == survivor.id
    assert db.session.get(type(survivor), survivor.id).email == "segreteria@ponte.example.org"
