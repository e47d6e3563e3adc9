"""The company-database list for operators and partners: page, filters, export, saved filters, access."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.indexing.models import SearchOutboxEntry
from marketplace.indexing.registry import REGISTRY
from marketplace.indexing.services import action_for
from marketplace.models_base import utcnow
from marketplace.organizations.models import (
    COMPANY_KINDS,
    OrganizationKind,
    OrganizationStatus,
    SavedFilter,
    SizeClass,
)
from tests import factories
from tests import factories_org_list as more
from tests.conftest import csrf_token, login

LIST = "/banca-dati/organizzazioni"
TODAY = date.today()


@pytest.fixture
def backend(app, db_session):
    """Elasticsearch with a new, empty organisations index (the other indexes are left alone: faster).

    Recreated rather than emptied: deleted documents leave versioned tombstones that would
    refuse a new document reusing the id (ids restart after tests that truncate tables).
    """
    search = app.extensions["search"]
    alias = search.alias("organizations")
    if search.client.indices.exists_alias(name=alias):
        for name in search.client.indices.get_alias(name=alias):
            search.client.indices.delete(index=name)
    search.ensure_indexes()
    return search


def index(backend, *orgs) -> None:
    model = REGISTRY["organizations"]
    assert backend.apply([action_for(model, org.id, org) for org in orgs]).failed == []
    backend.refresh("organizations")


def signed_in(client, role: Role):
    user = factories.user(role)
    assert login(client, user.email, factories.PASSWORD).status_code == 302
    return user


@pytest.fixture
def world(backend, db_session):
    melzo = factories.organization(
        "Officine Melzo S.r.l.", kind=OrganizationKind.SRL, municipality_code="015142", vat_number="01234567897",
        size_class=SizeClass.SMALL, employees=30, obligated_68=True, quota_68_covered=False,
        last_contact_on=TODAY - timedelta(days=400),
    )  # fmt: skip
    more.profile(melzo, "pcto", "hiring")
    more.agreement(melzo, TODAY - timedelta(days=100), TODAY + timedelta(days=200))
    coop = factories.organization(
        "Cooperativa Sociale Il Melograno", kind=OrganizationKind.SOCIAL_COOP_B, municipality_code="015108",
        size_class=SizeClass.MICRO, employees=8, last_contact_on=TODAY - timedelta(days=10),
    )  # fmt: skip
    more.profile(coop, "inclusion_internship")
    more.site(coop, "015221")  # Trezzo sull'Adda
    more.agreement(coop, TODAY - timedelta(days=400), TODAY - timedelta(days=1))
    closed = factories.organization("Officine Chiuse S.p.A.", kind=OrganizationKind.SPA,
                                    status=OrganizationStatus.INACTIVE)  # fmt: skip
    archived = factories.organization("Officine Archiviate S.n.c.", kind=OrganizationKind.SNC, archived_at=utcnow())
    orgs = {"melzo": melzo, "coop": coop, "closed": closed, "archived": archived}
    index(backend, *orgs.values())
    return orgs


def names_on(page: str, world: dict) -> set[str]:
    return {key for key, org in world.items() if f">{org.name}</a>" in page}


# -- access --------------------------------------------------------------------------


def test_only_staff_open_the_list_and_its_exports(app, backend, db_session):
    paths = (LIST, f"{LIST}/export.csv", f"{LIST}/export.xlsx")
    for path in paths:
        response = app.test_client().get(path)
        assert response.status_code == 302 and "/accedi" in response.headers["Location"], path
    for role, expected in ((Role.CANDIDATE, 403), (Role.COMPANY, 403), (Role.OPERATOR, 200),
                           (Role.PARTNER_ADMIN, 200), (Role.ADMIN, 200)):  # fmt: skip
        client = app.test_client()
        signed_in(client, role)
        assert [client.get(path).status_code for path in paths] == [expected] * 3, role


def test_saved_filter_actions_are_staff_only(app, db_session):
    owner = factories.user(Role.OPERATOR)
    saved = SavedFilter(user_id=owner.id, scope="organizations", name="Mio", query_string="agreement=1")
    db_session.add(saved)
    db_session.flush()
    for role in (Role.CANDIDATE, Role.COMPANY):
        client = app.test_client()
        signed_in(client, role)
        token = csrf_token(client, "/")
        assert client.get(f"{LIST}/filtri/{saved.id}").status_code == 403
        assert client.post(f"{LIST}/filtri", data={"csrf_token": token, "name": "x"}).status_code == 403
        assert client.post(f"{LIST}/filtri/{saved.id}/elimina", data={"csrf_token": token}).status_code == 403
    assert app.test_client().get(f"{LIST}/filtri/{saved.id}").status_code == 302
    assert db_session.get(SavedFilter, saved.id) is not None


# -- the page ----------------------------------------------------------------------------


def test_list_finds_by_name_and_links_to_the_record(client, world):
    signed_in(client, Role.OPERATOR)
    page = client.get(f"{LIST}?q=melograno").get_data(as_text=True)
    assert names_on(page, world) == {"coop"}
    assert "1 organizzazione trovata" in page
    assert f'href="/banca-dati/organizzazioni/{world["coop"].id}"' in page
    by_vat = client.get(f"{LIST}?q=01234567897").get_data(as_text=True)
    assert names_on(by_vat, world) == {"melzo"}


def test_default_list_hides_inactive_and_archived(client, world):
    signed_in(client, Role.PARTNER_ADMIN)
    assert names_on(client.get(LIST).get_data(as_text=True), world) == {"melzo", "coop"}
    assert names_on(client.get(f"{LIST}?status=inactive").get_data(as_text=True), world) == {"closed"}
    assert names_on(client.get(f"{LIST}?archived=1").get_data(as_text=True), world) == {"melzo", "coop", "archived"}


FILTER_CASES = [
    ("agreement=1", {"melzo"}),
    ("l68=1", {"melzo"}),
    ("months=6", {"melzo"}),
    ("months=24", set()),
    ("scheme=pcto", {"melzo"}),
    ("scheme=pcto&scheme=inclusion_internship", {"melzo", "coop"}),
    ("district=trezzo", {"coop"}),  # through its site
    ("comune=015221", {"coop"}),
    ("comune=015108&km=8&sort=closest", {"melzo", "coop"}),
    ("comune=015221&km=3", {"coop"}),
    ("kind=srl", {"melzo"}),
    ("size=micro", {"coop"}),
    ("ateco=C", set()),
    ("status=active&status=inactive", {"melzo", "coop", "closed"}),
    ("kind=srl&kind=social_coop_b&agreement=1&months=6&sort=name", {"melzo"}),
]


def test_each_filter_through_the_page(client, world):
    signed_in(client, Role.OPERATOR)
    for params, expected in FILTER_CASES:
        response = client.get(f"{LIST}?{params}")
        assert response.status_code == 200, params
        assert names_on(response.get_data(as_text=True), world) == expected, params


def test_rows_say_what_an_operator_needs(client, world):
    signed_in(client, Role.OPERATOR)
    page = client.get(f"{LIST}?kind=srl").get_data(as_text=True)
    until = (TODAY + timedelta(days=200)).strftime("%d/%m/%Y")
    assert "Convenzione valida fino al <time datetime=" in page and until in page
    assert "quota scoperta" in page and "PCTO" in page and "Assunzione" in page
    coop_page = client.get(f"{LIST}?kind=social_coop_b").get_data(as_text=True)
    assert "Nessuna convenzione valida oggi" in coop_page and "Gorgonzola e sedi in un altro comune" in coop_page


# (parameters, the message, what is listed once the bad part is ignored)
BAD_CASES = [
    ("page=-1", "Scegli una pagina tra 1 e 500.", {"melzo", "coop"}),
    ("page=abc", "Scrivi un numero intero", {"melzo", "coop"}),
    ("page=99999999999999999999999", "Scegli una pagina tra 1 e 500.", {"melzo", "coop"}),
    ("km=abc", "Scrivi un numero intero", {"melzo", "coop"}),
    ("comune=015108&km=abc", "Scrivi un numero intero", {"coop"}),  # the comune alone still applies
    ("comune=015108&km=500", "Scegli una distanza tra 1 e 100 km.", {"coop"}),
    ("sort=sideways", "Valore non riconosciuto", {"melzo", "coop"}),
    ("q=" + "a" * 10_000, "Scrivi al massimo 200 caratteri.", {"melzo", "coop"}),
    ("kind=bogus", "Tipo di organizzazione non riconosciuto.", {"melzo", "coop"}),
    ("scheme=<script>", "Tipo di percorso non riconosciuto.", {"melzo", "coop"}),
    ("months=0", "Scegli un numero di mesi tra 1 e 120.", {"melzo", "coop"}),
    ("months=-5", "Scegli un numero di mesi tra 1 e 120.", {"melzo", "coop"}),
    ("division=00", "Questa divisione ATECO non esiste.", {"melzo", "coop"}),
    ("division=abc", "Scrivi le due cifre della divisione", {"melzo", "coop"}),
    ("ateco=A&division=25", "Questa divisione non appartiene alla sezione ATECO scelta.", set()),
    ("ateco=ZZ", "Valore non riconosciuto", {"melzo", "coop"}),
    ("district=atlantide", "Valore non riconosciuto", {"melzo", "coop"}),
    ("comune=999999", "Valore non riconosciuto", {"melzo", "coop"}),
    ("km=10", "Per cercare entro una distanza scegli anche un comune.", {"melzo", "coop"}),
    ("sort=closest", "Per ordinare dalla più vicina scegli un comune e una distanza.", {"melzo", "coop"}),
]


def test_bad_parameters_get_a_message_and_are_ignored(client, world):
    signed_in(client, Role.OPERATOR)
    for params, message, expected in BAD_CASES:
        response = client.get(f"{LIST}?{params}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200, params
        assert message in page, params
        assert names_on(page, world) == expected, params
    # The same parameters never break an export either.
    for params, _message, expected in BAD_CASES:
        response = client.get(f"{LIST}/export.csv?{params}")
        assert response.status_code == 200, params
        assert len(csv_rows(response)) == len(expected) + 1, params


def test_pages_keep_the_filters(client, backend, db_session):
    orgs = [factories.organization(f"Impresa Adda {n:02d}", kind=OrganizationKind.SRL) for n in range(23)]
    index(backend, *orgs, factories.organization("Altra Cooperativa", kind=OrganizationKind.SOCIAL_COOP_A))
    signed_in(client, Role.OPERATOR)
    first = client.get(f"{LIST}?kind=srl&sort=name").get_data(as_text=True)
    assert "23 organizzazioni trovate" in first
    assert "page=2" in first and "kind=srl" in first
    second = client.get(f"{LIST}?kind=srl&sort=name&page=2").get_data(as_text=True)
    assert [org.name for org in orgs[20:] if f">{org.name}</a>" in second] == [o.name for o in orgs[20:]]
    assert f">{orgs[0].name}</a>" not in second and "Altra Cooperativa" not in second


def test_empty_result_suggests_what_to_do(client, world):
    signed_in(client, Role.OPERATOR)
    page = client.get(f"{LIST}?q=nessunacorrispondenza").get_data(as_text=True)
    assert "Nessuna organizzazione corrisponde alla ricerca." in page
    assert "partita IVA o codice fiscale" in page


def test_list_answers_503_when_the_search_engine_is_down(app, client, world, monkeypatch):
    from search.elastic import ElasticBackend

    signed_in(client, Role.OPERATOR)
    dead = ElasticBackend("http://127.0.0.1:9", index_prefix="nowhere")
    dead.client = dead.client.options(max_retries=0, request_timeout=2)
    monkeypatch.setitem(app.extensions, "search", dead)
    for path in (LIST, f"{LIST}/export.csv"):
        response = client.get(path)
        assert response.status_code == 503
        assert "La ricerca non è disponibile" in response.get_data(as_text=True)


# -- export ----------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    text = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_export_has_the_whole_filtered_list_in_its_order(client, backend, db_session):
    orgs = [factories.organization(f"Impresa Martesana {n:02d}", kind=OrganizationKind.SRL) for n in range(25)]
    formula = factories.organization('=HYPERLINK("http://example.org";"clic")', kind=OrganizationKind.SRL)
    other = factories.organization("Cooperativa Fuori Elenco", kind=OrganizationKind.SOCIAL_COOP_A)
    index(backend, *orgs, formula, other)
    signed_in(client, Role.OPERATOR)
    response = client.get(f"{LIST}/export.csv?kind=srl&sort=name&page=2")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:3] == ["ID", "Denominazione", "Tipo"]
    # Every page, not just the one on screen; the list's own order (folded names: "=" sorts first).
    assert [row[1] for row in rows[1:]] == ["'" + formula.name] + [org.name for org in orgs]
    assert rows[1][2] == "Altra impresa" or rows[1][2].startswith("Società")

    workbook = load_workbook(io.BytesIO(client.get(f"{LIST}/export.xlsx?kind=srl&sort=name").get_data()))
    sheet = workbook.active
    assert sheet.cell(1, 2).value == "Denominazione"
    assert sheet.cell(2, 2).value == formula.name and sheet.cell(2, 2).data_type == "s"
    assert sheet.max_row == 27


def test_export_rows_carry_the_database_fields(client, world):
    signed_in(client, Role.PARTNER_ADMIN)
    rows = csv_rows(client.get(f"{LIST}/export.csv?kind=srl"))
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "Convenzione valida fino al" in header
    assert row["Denominazione"] == "Officine Melzo S.r.l." and row["Partita IVA"] == "01234567897"
    assert row["Obbligo L. 68/99"] == "Sì" and row["Quota L. 68/99 coperta"] == "No"
    assert row["Convenzione valida fino al"] == (TODAY + timedelta(days=200)).strftime("%d/%m/%Y")
    assert row["Disponibile a ospitare"] == "PCTO (alternanza scuola-lavoro), Assunzione"
    assert row["Comune (sede legale)"] == "Melzo" and row["Ambito"] == "Ambito di Melzo"


def test_export_is_capped_and_the_list_says_so(app, client, world):
    signed_in(client, Role.OPERATOR)
    app.config["ORGANIZATION_EXPORT_LIMIT"] = 1
    try:
        assert len(csv_rows(client.get(f"{LIST}/export.csv"))) == 2  # the header and one row
        assert "comprende solo le prime 1 organizzazioni" in client.get(LIST).get_data(as_text=True)
    finally:
        del app.config["ORGANIZATION_EXPORT_LIMIT"]
    assert "comprende solo le prime" not in client.get(LIST).get_data(as_text=True)


# -- saved filters ------------------------------------------------------------------------------


def save(client, name: str, query_string: str):
    token = csrf_token(client, LIST)
    return client.post(f"{LIST}/filtri", data={"csrf_token": token, "name": name, "query_string": query_string})


def test_save_apply_and_delete_a_filter(client, world, db_session):
    user = signed_in(client, Role.OPERATOR)
    response = save(client, "Convenzionate", "agreement=1&page=3&evil=1&q=")
    assert response.status_code == 302
    saved = db_session.scalars(select(SavedFilter).where(SavedFilter.user_id == user.id)).one()
    # Only the list's own parameters are kept: no page, no unknown or empty ones.
    assert saved.query_string == "agreement=1" and saved.scope == "organizations"
    page = client.get(LIST).get_data(as_text=True)
    assert "Convenzionate" in page and f"{LIST}/filtri/{saved.id}" in page
    applied = client.get(f"{LIST}/filtri/{saved.id}")
    assert applied.status_code == 302 and applied.headers["Location"].endswith(f"{LIST}?agreement=1")
    assert names_on(client.get(applied.headers["Location"]).get_data(as_text=True), world) == {"melzo"}
    token = csrf_token(client, LIST)
    assert client.post(f"{LIST}/filtri/{saved.id}/elimina", data={"csrf_token": token}).status_code == 302
    assert db_session.get(SavedFilter, saved.id) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Dai un nome al filtro."), ("x" * 121, "Il nome può avere al massimo 120 caratteri."),
     ("  convenzionate ", "Hai già un filtro con questo nome")],
)  # fmt: skip
def test_bad_filter_names_are_refused(client, world, db_session, name, message):
    user = signed_in(client, Role.OPERATOR)
    assert save(client, "Convenzionate", "agreement=1").status_code == 302
    response = save(client, name, "l68=1")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    # The list is shown with the filters that were being saved.
    assert names_on(page, world) == {"melzo"}
    assert db_session.scalars(select(SavedFilter.name).where(SavedFilter.user_id == user.id)).all() == ["Convenzionate"]


def test_saving_needs_the_csrf_token(client, db_session):
    user = signed_in(client, Role.OPERATOR)
    assert client.post(f"{LIST}/filtri", data={"name": "Senza token"}).status_code == 400
    assert db_session.scalars(select(SavedFilter).where(SavedFilter.user_id == user.id)).all() == []


def test_nobody_sees_or_deletes_another_users_filters(app, world, db_session):
    owner_client, other_client = app.test_client(), app.test_client()
    signed_in(owner_client, Role.OPERATOR)
    assert save(owner_client, "Solo mio", "l68=1").status_code == 302
    saved = db_session.scalars(select(SavedFilter).where(SavedFilter.name == "Solo mio")).one()
    signed_in(other_client, Role.PARTNER_ADMIN)
    assert "Solo mio" not in other_client.get(LIST).get_data(as_text=True)
    assert other_client.get(f"{LIST}/filtri/{saved.id}").status_code == 404
    token = csrf_token(other_client, LIST)
    assert other_client.post(f"{LIST}/filtri/{saved.id}/elimina", data={"csrf_token": token}).status_code == 404
    assert db_session.get(SavedFilter, saved.id) is not None


# -- the document follows its sites, profile and agreements --------------------------------------


def test_organization_version_moves_with_sites_profiles_and_agreements(db_session):
    org = factories.organization("Cartiera Adda")
    db_session.execute(SearchOutboxEntry.__table__.delete())

    def bumped(change) -> bool:
        before = org.version
        change()
        db_session.flush()
        queued = db_session.scalars(select(SearchOutboxEntry.doc_id).where(
            SearchOutboxEntry.index_name == "organizations")).all()  # fmt: skip
        db_session.execute(SearchOutboxEntry.__table__.delete())
        return org.version > before and org.id in queued

    assert bumped(lambda: more.site(org, "015221"))
    assert bumped(lambda: setattr(org.sites[0], "address", "Via Milano 2"))
    assert bumped(lambda: org.sites.remove(org.sites[0]))
    profile = more.profile(org, "pcto")
    assert bumped(lambda: setattr(profile, "schemes", ["pcto", "hiring"]))
    agreement = more.agreement(org, TODAY, TODAY + timedelta(days=30))
    assert bumped(lambda: setattr(agreement, "valid_to", TODAY + timedelta(days=60)))
    # The expiry job's bookkeeping is not in the document: no re-index, no version a user's form would trip on.
    assert not bumped(lambda: setattr(agreement, "expiry_notified_at", utcnow()))
    assert bumped(lambda: db_session.delete(agreement))
    document = action_for(REGISTRY["organizations"], org.id, org).document
    assert document["schemes"] == ["hiring", "pcto"] and document["agreement_periods"] == []
    # A merge moves sites to the surviving organisation: both documents change.
    moved, other = more.site(org, "015060"), factories.organization("Cartiera Ticino")
    before = (org.version, other.version)
    moved.organization_id = other.id
    db_session.flush()
    assert org.version > before[0] and other.version > before[1]


# -- embedded mode and demo data ------------------------------------------------------------


def test_embedded_mode_serves_the_list_from_demo_data(tmp_path):
    """`make run`: SQLite, embedded search, demo data with legal forms, profiles, agreements, contacts."""
    from flask_migrate import upgrade
    from sqlalchemy import func

    from marketplace import create_app
    from marketplace.agreements.models import Agreement
    from marketplace.config import Settings
    from marketplace.demo import DEMO_PASSWORD, seed_demo
    from marketplace.demo.accounts import OPERATOR_EMAIL
    from marketplace.extensions import db
    from marketplace.indexing.services import reindex
    from marketplace.organizations.models import Contact, InclusionProfile, Organization, Site
    from marketplace.territory.services import load_all
    from tests.conftest import IsolatedClient

    settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
                                  "INSTANCE_PATH": str(tmp_path)})  # fmt: skip
    settings.secret_key = "embedded-list"
    app = create_app({"TESTING": True}, settings=settings)
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
        load_all()
        seed_demo(db.session, scale=200, seed=11)
        db.session.commit()
        assert reindex("organizations") == 50 + 2  # 50 drawn, and two entered twice for the duplicates page
        kinds = set(db.session.scalars(select(Organization.kind)))
        assert {OrganizationKind.SRL, OrganizationKind.SOCIAL_COOP_B} <= kinds and len(kinds & COMPANY_KINDS) >= 3
        assert db.session.scalar(select(func.count()).where(Organization.size_class.is_(None))) == 0
        assert db.session.scalar(select(func.count()).where(Organization.quota_68_covered.is_(False))) >= 1
        for model in (Site, Contact, InclusionProfile, Agreement):
            assert db.session.scalar(select(func.count()).select_from(model)) > 0, model
        phones = [p for p in db.session.scalars(select(Contact.phone)) if p]
        assert phones and all(p.startswith("+39") and p[1:].isdigit() for p in phones)
        listed_with_agreement = db.session.scalar(
            select(func.count(Organization.id.distinct()))
            .join(Agreement, Agreement.organization_id == Organization.id)
            .where(Agreement.status == "active", Agreement.valid_from <= TODAY, Agreement.valid_to >= TODAY,
                   Organization.status != "inactive", Organization.archived_at.is_(None))
        )  # fmt: skip
    assert listed_with_agreement > 0
    client = app.test_client()
    assert login(client, OPERATOR_EMAIL, DEMO_PASSWORD).status_code == 302
    everything = client.get(f"{LIST}?status=active&status=prospect&status=inactive&archived=1")
    assert everything.status_code == 200 and "52 organizzazioni trovate" in everything.get_data(as_text=True)
    with_agreement = client.get(f"{LIST}?agreement=1").get_data(as_text=True)
    assert f"{listed_with_agreement} organizzazion" in with_agreement and "Convenzione valida fino al" in with_agreement
    for params in ("scheme=pcto", "comune=015108&km=10&sort=closest", "l68=1", "months=6&sort=last_contact",
                   "q=cooperativa", "size=micro&kind=srl"):  # fmt: skip
        assert client.get(f"{LIST}?{params}").status_code == 200, params
    export = client.get(f"{LIST}/export.csv?scheme=pcto")
    assert export.status_code == 200 and len(csv_rows(export)) >= 2
