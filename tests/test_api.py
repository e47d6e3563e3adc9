"""The JSON API /api/v1 on real PostgreSQL, Redis (rate limits) and Elasticsearch.

Auth rule under test: a token belongs to a partner and acts as the partner_admin who created
it. Network staff may publish for any active organisation on the web, so a partner's token may
too (no 403 for "another partner's company"); it gets 403 only where the web refuses staff as
well (an archived or merged organisation) or when its creator is no longer that partner's
partner_admin.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.api import tokens
from marketplace.api.models import ApiToken
from marketplace.extensions import db
from marketplace.indexing import services as indexing
from marketplace.indexing.models import SearchOutboxEntry
from marketplace.models_base import utcnow
from marketplace.opportunities.models import (
    CloseReason,
    Opportunity,
    OpportunityEvent,
    OpportunityKind,
    OpportunityStatus,
)
from marketplace.opportunities.search_params import parse_search_args
from tests import factories

TODAY = date.today()


def _index(backend, *opportunities) -> None:
    outcome = backend.apply([indexing.opportunity_action(o.id) for o in opportunities])
    assert outcome.failed == []
    backend.refresh("opportunities")


@pytest.fixture
def staff(db_session):
    """A partner_admin with a token of their partner, and a company to publish for."""
    admin = factories.user(Role.PARTNER_ADMIN, email="referente@example.org")
    new = tokens.create(partner_id=admin.partner_id, name="Gestionale", created_by=admin)
    org = factories.organization("Cooperativa Sociale Il Ponte")
    db.session.commit()
    return {"user": admin, "token": new.token, "secret": new.secret, "org": org}


def _auth(secret: str, **headers) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **headers}


def _valid_body(org_id: int, **overrides) -> dict:
    body = {
        "organization_id": org_id,
        "title": "Tirocinio in cucina",
        "description": "Aiuto cuoco in una cucina di comunità, con tutor dedicato.",
        "kind": "internship",
        "seats": 2,
        "start_date": (TODAY + timedelta(days=40)).isoformat(),
        "end_date": (TODAY + timedelta(days=200)).isoformat(),
        "application_deadline": (TODAY + timedelta(days=30)).isoformat(),
        "allowance_eur": 500,
        "municipality_code": "015108",
        "target_groups": ["young_neet"],
        "languages": [{"code": "it", "level": "B1"}],
    }
    body.update(overrides)
    return body


# -- public reads -------------------------------------------------------------------------------


@pytest.fixture
def catalogue(backend):
    """Published opportunities of several kinds and places, plus a draft that must never show."""
    coop = factories.organization("Cooperativa Sociale La Rete")
    shop = factories.organization("Panificio Brambilla")
    items = [
        factories.opportunity(coop, title="Tirocinio in magazzino a Melzo", municipality_code="015142"),
        factories.opportunity(coop, title="Tirocinio in cucina a Trezzo", municipality_code="015221", allowance_eur=0),
        factories.opportunity(shop, title="Tirocinio al bancone del pane", municipality_code="015108"),
        factories.opportunity(shop, title="Laboratorio di panificazione", kind=OpportunityKind.WORKSHOP),
        factories.opportunity(coop, title="Corso di sicurezza sul lavoro", kind=OpportunityKind.COURSE),
    ]
    draft = factories.opportunity(coop, title="Tirocinio in bozza", status=OpportunityStatus.DRAFT, published_at=None)
    _index(backend, *items, draft)
    return {"items": items, "draft": draft}


PAGE_LINK = re.compile(r'href="/opportunita/(\d+)"')


def _page_ids(html: str) -> list[int]:
    """The opportunities a search page links to, in order (each once)."""
    return [int(i) for i in dict.fromkeys(PAGE_LINK.findall(html))]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "tirocinio"},
        {"q": "tirocinio", "paid": "1"},
        {"kind": ["workshop", "course"]},
        {"q": "tirocinio", "district": "melzo"},
        {"comune": "015108", "km": "15", "sort": "closest"},
        {},
    ],
)
def test_list_matches_the_search_page(client, app, catalogue, params):
    api = client.get("/api/v1/opportunities", query_string=params)
    assert api.status_code == 200, api.json
    body = api.json
    # The same parser, the same engine: the page and the API list the same ids in the same order.
    query, errors = parse_search_args(params)
    assert errors == {}
    expected = app.extensions["search"].search_opportunities(query)
    assert [item["id"] for item in body["items"]] == [hit.id for hit in expected.hits]
    assert body["total"] == expected.total
    assert {name: [(f["value"], f["count"]) for f in values] for name, values in body["facets"].items()} == {
        name: [(f.value, f.count) for f in values] for name, values in expected.facets.items()
    }
    page = client.get("/opportunita/", query_string=params)
    assert page.status_code == 200
    assert _page_ids(page.get_data(as_text=True)) == [item["id"] for item in body["items"]]
    assert catalogue["draft"].id not in [item["id"] for item in body["items"]]


def test_list_filters_facets_and_items(client, catalogue):
    response = client.get("/api/v1/opportunities", query_string={"q": "tirocinio", "paid": "1"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=30"
    assert "Accept-Language" in response.headers["Vary"]
    body = response.json
    titles = {item["title"] for item in body["items"]}
    assert titles == {"Tirocinio in magazzino a Melzo", "Tirocinio al bancone del pane"}
    assert all(item["paid"] and item["status"] == "published" for item in body["items"])
    kinds = {facet["value"]: facet for facet in body["facets"]["kind"]}
    assert kinds["internship"]["label"] == "Tirocinio extracurricolare"
    item = body["items"][0]
    assert item["url"].endswith(f"/opportunita/{item['id']}")
    assert item["api_url"].endswith(f"/api/v1/opportunities/{item['id']}")


def test_list_pagination_and_links(client, catalogue):
    everything = client.get("/api/v1/opportunities", query_string={"sort": "newest", "per_page": "100"}).json
    assert everything["total"] == 5 and everything["links"]["next"] is None
    first = client.get("/api/v1/opportunities", query_string={"sort": "newest", "per_page": "2"}).json
    assert first["page"] == 1 and first["per_page"] == 2 and first["links"]["prev"] is None
    seen = [item["id"] for item in first["items"]]
    next_url = first["links"]["next"]
    while next_url:
        assert "sort=newest" in next_url and "per_page=2" in next_url
        page = client.get(next_url).json
        seen += [item["id"] for item in page["items"]]
        next_url = page["links"]["next"]
    assert seen == [item["id"] for item in everything["items"]]
    last = client.get("/api/v1/opportunities", query_string={"sort": "newest", "per_page": "2", "page": "3"}).json
    assert len(last["items"]) == 1 and last["links"]["prev"].endswith("page=2&per_page=2")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "astronave"}, "kind"),
        ({"comune": "999999"}, "comune"),
        ({"km": "abc", "comune": "015108"}, "km"),
        ({"page": "0"}, "page"),
        ({"page": "100000"}, "page"),
        ({"per_page": "1000"}, "per_page"),
        ({"per_page": "-1"}, "per_page"),
        ({"per_page": "²"}, "per_page"),
        ({"sort": "casuale"}, "sort"),
        ({"paid": "forse"}, "paid"),
    ],
)
def test_invalid_search_parameters_are_422(client, backend, params, field):
    response = client.get("/api/v1/opportunities", query_string=params)
    assert response.status_code == 422
    assert response.mimetype == "application/json"
    assert field in response.json["errors"] and response.json["errors"][field]


QUERY_GARBAGE = [
    "",
    " ",
    "-1",
    "0",
    "1e3",
    "10" * 30,
    "\x00",
    "%",
    "'",
    '"',
    "<script>",
    "🙂",
    "a" * 500,
    "1.5",
    "015108",
]


def test_no_query_parameter_causes_a_server_error(client, app, backend, monkeypatch):
    from marketplace.opportunities.search_params import PARAMS

    monkeypatch.setitem(app.config, "API_READ_LIMIT", "10000 per minute")
    for name in (*PARAMS, "per_page"):
        for value in QUERY_GARBAGE:
            response = client.get("/api/v1/opportunities", query_string={name: value})
            assert response.status_code in {200, 422}, (name, value, response.status_code)
            assert response.mimetype == "application/json"


@pytest.mark.parametrize("name", ["page", "km", "starting"])
def test_unicode_digits_in_search_parameters(client, backend, name):
    response = client.get("/api/v1/opportunities", query_string={name: "²", "comune": "015108"})
    assert response.status_code == 422


def test_detail_of_published_and_closed_but_not_drafts(client, db_session):
    published = factories.opportunity(title="Tirocinio in biblioteca")
    closed = factories.opportunity(
        title="Tirocinio chiuso", status=OpportunityStatus.CLOSED, close_reason=CloseReason.FILLED, closed_at=utcnow()
    )
    hidden = [
        factories.opportunity(status=status, published_at=None)
        for status in (OpportunityStatus.DRAFT, OpportunityStatus.IN_REVIEW, OpportunityStatus.ARCHIVED)
    ]
    body = client.get(f"/api/v1/opportunities/{published.id}").json
    assert body["title"] == "Tirocinio in biblioteca" and body["status"] == "published"
    assert body["organization"]["name"] == "Logistica Martesana S.r.l."
    assert body["municipality"] == {"code": "015108", "name": "Gorgonzola"}
    body = client.get(f"/api/v1/opportunities/{closed.id}").json
    assert body["status"] == "closed" and body["close_reason"] == "filled"
    assert body["close_reason_label"] == "Posti esauriti"
    for opportunity in hidden:
        response = client.get(f"/api/v1/opportunities/{opportunity.id}")
        assert response.status_code == 404 and response.json["error"]["code"] == 404
    assert client.get("/api/v1/opportunities/999999").status_code == 404


def test_unknown_routes_and_methods_answer_json(client, db_session):
    for response, code in (
        (client.get("/api/v1/nulla"), 404),
        (client.patch("/api/v1/opportunities/1"), 405),
        (client.delete("/api/v1/opportunities"), 405),
        (client.post("/api/v1/openapi.json"), 405),
    ):
        assert response.status_code == code
        assert response.mimetype == "application/json"
        assert response.json["error"]["code"] == code


# -- writes --------------------------------------------------------------------------------------


def test_create_a_draft_and_submit_it(client, staff):
    response = client.post("/api/v1/opportunities", json=_valid_body(staff["org"].id), headers=_auth(staff["secret"]))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "draft" and body["title"] == "Tirocinio in cucina"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Location"].endswith(f"/api/v1/opportunities/{body['id']}")
    created = db.session.get(Opportunity, body["id"])
    # The write acts as the token's creator, on the company's behalf, for the token's partner.
    assert created.created_by_id == staff["user"].id
    assert created.on_behalf_partner_id == staff["token"].partner_id
    assert created.target_groups == ["young_neet"] and created.languages == [{"code": "it", "level": "B1"}]
    # A draft is not public.
    assert client.get(f"/api/v1/opportunities/{body['id']}").status_code == 404

    body = client.post(
        "/api/v1/opportunities", json=_valid_body(staff["org"].id, submit=True), headers=_auth(staff["secret"])
    ).json
    submitted = db.session.get(Opportunity, body["id"])
    assert body["status"] == "in_review" and submitted.status == OpportunityStatus.IN_REVIEW
    actions = db.session.scalars(
        select(OpportunityEvent.action).where(OpportunityEvent.opportunity_id == submitted.id)
    ).all()
    assert [a.value for a in actions] == ["created", "submitted"]
    # The network still approves: in review is not public either.
    assert client.get(f"/api/v1/opportunities/{submitted.id}").status_code == 404


def test_update_with_the_current_version(client, staff):
    created = client.post(
        "/api/v1/opportunities", json=_valid_body(staff["org"].id), headers=_auth(staff["secret"])
    ).json
    url = f"/api/v1/opportunities/{created['id']}"
    response = client.put(url, json={"version": created["version"], "seats": 4}, headers=_auth(staff["secret"]))
    assert response.status_code == 200, response.json
    assert response.json["seats"] == 4 and response.json["title"] == "Tirocinio in cucina"  # the rest is kept
    assert response.json["version"] > created["version"]
    # The version read before that change is stale now: 409, nothing changes.
    stale = client.put(url, json={"version": created["version"], "seats": 9}, headers=_auth(staff["secret"]))
    assert stale.status_code == 409 and stale.json["error"]["code"] == 409
    assert db.session.get(Opportunity, created["id"]).seats == 4
    submitted = client.put(
        url, json={"version": response.json["version"], "submit": True}, headers=_auth(staff["secret"])
    )
    assert submitted.status_code == 200 and submitted.json["status"] == "in_review"


def test_staff_edit_of_a_published_one_stays_published(client, staff):
    published = factories.opportunity(staff["org"], title="Tirocinio pubblicato")
    db.session.commit()
    response = client.put(
        f"/api/v1/opportunities/{published.id}",
        json={"version": published.version, "title": "Tirocinio pubblicato e corretto"},
        headers=_auth(staff["secret"]),
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "published" and response.json["title"] == "Tirocinio pubblicato e corretto"
    refused = client.put(
        f"/api/v1/opportunities/{published.id}",
        json={"version": response.json["version"], "submit": True},
        headers=_auth(staff["secret"]),
    )
    assert refused.status_code == 409


def test_delete_withdraws(client, staff):
    published = factories.opportunity(staff["org"], title="Tirocinio da ritirare")
    draft = factories.opportunity(staff["org"], status=OpportunityStatus.DRAFT, published_at=None)
    in_review = factories.opportunity(staff["org"], status=OpportunityStatus.IN_REVIEW, published_at=None)
    db.session.commit()
    for opportunity in (published, draft, in_review):
        response = client.delete(f"/api/v1/opportunities/{opportunity.id}", headers=_auth(staff["secret"]))
        assert response.status_code == 204 and response.data == b""
    for opportunity in (published, draft, in_review):
        db.session.refresh(opportunity)
    assert published.status == OpportunityStatus.CLOSED and published.close_reason == CloseReason.WITHDRAWN
    assert draft.status == in_review.status == OpportunityStatus.ARCHIVED
    # The public link of the withdrawn one says why it closed.
    detail = client.get(f"/api/v1/opportunities/{published.id}").json
    assert detail["status"] == "closed" and detail["close_reason"] == "withdrawn"
    # Archived ones are gone.
    assert client.delete(f"/api/v1/opportunities/{draft.id}", headers=_auth(staff["secret"])).status_code == 404
    edit = client.put(
        f"/api/v1/opportunities/{draft.id}", json={"version": draft.version}, headers=_auth(staff["secret"])
    )
    assert edit.status_code == 404


# -- authentication and authorisation -------------------------------------------------------------


def test_writes_need_a_valid_token(client, staff):
    body = _valid_body(staff["org"].id)
    before = db.session.scalar(select(func.count()).select_from(Opportunity))
    cases = [
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer non-un-token"},
        {"Authorization": "Bearer opp_00000000_" + "x" * 43},
        # The right prefix with a wrong secret.
        {"Authorization": f"Bearer opp_{staff['token'].prefix}_" + "y" * 43},
    ]
    for headers in cases:
        response = client.post("/api/v1/opportunities", json=body, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json["error"]["code"] == 401
    assert client.put("/api/v1/opportunities/1", json={"version": 1}).status_code == 401
    assert client.delete("/api/v1/opportunities/1").status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Opportunity)) == before


def test_a_revoked_token_stops_working_at_once(client, staff):
    first = client.post("/api/v1/opportunities", json=_valid_body(staff["org"].id), headers=_auth(staff["secret"]))
    assert first.status_code == 201
    tokens.revoke(staff["token"], actor=staff["user"])
    db.session.commit()
    response = client.post("/api/v1/opportunities", json=_valid_body(staff["org"].id), headers=_auth(staff["secret"]))
    assert response.status_code == 401 and "revocato" in response.json["error"]["message"]


def test_a_token_dies_with_its_creators_role(client, staff):
    staff["user"].role = Role.OPERATOR
    db.session.commit()
    response = client.post("/api/v1/opportunities", json=_valid_body(staff["org"].id), headers=_auth(staff["secret"]))
    assert response.status_code == 403 and response.json["error"]["code"] == 403


def test_any_active_organisation_but_not_archived_or_merged_ones(client, staff):
    # Another partner's company: staff act for any organisation on the web, so the token may too.
    other_company = factories.organization("Officina Meccanica Rossi")
    archived = factories.organization("Ditta Chiusa", archived_at=utcnow())
    merged = factories.organization("Doppione Il Ponte", merged_into_id=staff["org"].id)
    db.session.commit()
    ok = client.post("/api/v1/opportunities", json=_valid_body(other_company.id), headers=_auth(staff["secret"]))
    assert ok.status_code == 201
    for org in (archived, merged):
        response = client.post("/api/v1/opportunities", json=_valid_body(org.id), headers=_auth(staff["secret"]))
        assert response.status_code == 403
    missing = client.post("/api/v1/opportunities", json=_valid_body(999999), headers=_auth(staff["secret"]))
    assert missing.status_code == 422 and "organization_id" in missing.json["errors"]


def test_token_use_is_recorded_without_touching_searchable_rows(client, staff):
    assert staff["token"].last_used_at is None
    outbox_before = db.session.scalar(select(func.count()).select_from(SearchOutboxEntry))
    response = client.delete("/api/v1/opportunities/999999", headers=_auth(staff["secret"]))
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, staff["token"].id).last_used_at is not None
    assert db.session.scalar(select(func.count()).select_from(SearchOutboxEntry)) == outbox_before


# -- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"start_date": str(TODAY + timedelta(days=60)), "end_date": str(TODAY + timedelta(days=50)),
             "application_deadline": str(TODAY + timedelta(days=10))},
            "end_date", "La data di fine non può precedere la data di inizio.",
        ),
        ({"seats": -3}, "seats", "I posti devono essere tra 1 e 500."),
        ({"seats": 0}, "seats", "I posti devono essere tra 1 e 500."),
        ({"age_min": 25, "age_max": 20}, "age_max", "L'età massima non può essere inferiore all'età minima."),
        ({"application_deadline": (TODAY - timedelta(days=1)).isoformat()}, "application_deadline",
         "La scadenza delle candidature non può essere nel passato."),
        ({"kind": "astronave"}, "kind", "Valore non previsto"),
        ({"seats": "tre"}, "seats", "Deve essere un numero intero."),
        ({"seats": 2.5}, "seats", "Deve essere un numero intero."),
        ({"start_date": "domani"}, "start_date", "Data non valida: usa il formato AAAA-MM-GG."),
        ({"minors_allowed": "forse"}, "minors_allowed", "Deve essere true o false."),
        ({"title": ["una", "lista"]}, "title", "Deve essere un testo."),
        ({"target_groups": "young_neet"}, "target_groups", "Deve essere un elenco."),
        ({"languages": [{"code": "it", "level": "Z9"}]}, "languages", "Elemento 1: Valore non previsto"),
        ({"allowance_eur": 10.555}, "allowance_eur", "Al massimo due decimali."),
        ({"contact_email": "non-una-email"}, "contact_email", "Indirizzo email non valido."),
        ({"contact_phone": "12"}, "contact_phone", "Numero di telefono non valido."),
        ({"municipality_code": "999999"}, "municipality_code", "Comune non riconosciuto."),
        ({"sector_code": "ZZ.99"}, "sector_code", "Codice ATECO non trovato"),
        ({"status": "published"}, "status", "Campo sconosciuto."),
        ({"title": None}, "title", "Deve essere un testo."),
        ({"organization_id": -1}, "organization_id", "Valore fuori dall'intervallo ammesso."),
        ({"site_id": 10**30}, "site_id", "Valore fuori dall'intervallo ammesso."),
    ],
)  # fmt: skip
def test_field_errors_are_422_in_italian_and_change_nothing(client, staff, overrides, field, message):
    before = db.session.scalar(select(func.count()).select_from(Opportunity))
    response = client.post(
        "/api/v1/opportunities", json=_valid_body(staff["org"].id, **overrides), headers=_auth(staff["secret"])
    )
    assert response.status_code == 422, response.json
    assert message in response.json["errors"][field]
    assert db.session.scalar(select(func.count()).select_from(Opportunity)) == before


def test_missing_fields_and_english_messages(client, staff):
    body = {"organization_id": staff["org"].id, "description": "x" * 30, "kind": "internship"}
    italian = client.post("/api/v1/opportunities", json=body, headers=_auth(staff["secret"]))
    assert italian.json["errors"]["title"] == "Campo obbligatorio."
    english = client.post(
        "/api/v1/opportunities",
        json={**body, "contact_email": "nope"},
        headers=_auth(staff["secret"], **{"Accept-Language": "en-GB,en;q=0.9"}),
    )
    assert english.status_code == 422 and english.headers["Content-Language"] == "en"
    assert english.json["errors"] == {"title": "Required field.", "contact_email": "Invalid email address."}


def test_update_rules_apply_to_the_merged_values(client, staff):
    created = client.post("/api/v1/opportunities", json=_valid_body(staff["org"].id), headers=_auth(staff["secret"]))
    created = created.json
    # Only age_max is sent; together with the stored age_min it breaks the rule.
    first = client.put(
        f"/api/v1/opportunities/{created['id']}",
        json={"version": created["version"], "age_min": 18},
        headers=_auth(staff["secret"]),
    ).json
    response = client.put(
        f"/api/v1/opportunities/{created['id']}",
        json={"version": first["version"], "age_max": 17},
        headers=_auth(staff["secret"]),
    )
    assert response.status_code == 422 and "age_max" in response.json["errors"]
    assert db.session.get(Opportunity, created["id"]).age_max is None
    missing_version = client.put(
        f"/api/v1/opportunities/{created['id']}", json={"seats": 3}, headers=_auth(staff["secret"])
    )
    assert missing_version.status_code == 422 and missing_version.json["errors"]["version"] == "Campo obbligatorio."


@pytest.mark.parametrize(
    ("data", "content_type", "code"),
    [
        ("{non è json", "application/json", 400),
        ('{"title": "a",}', "application/json", 400),
        ("[1, 2, 3]", "application/json", 400),
        ('"solo una stringa"', "application/json", 400),
        ("", "application/json", 400),
        (b"\xff\xfe\x00", "application/json", 400),
        ("[" * 5000 + "]" * 5000, "application/json", 400),
        ("title=Tirocinio", "application/x-www-form-urlencoded", 415),
        ('{"title": "Tirocinio"}', "text/plain", 415),
        ("x" * (300 * 1024), "application/json", 413),
    ],
)
def test_malformed_bodies_get_clear_json_errors(client, staff, data, content_type, code):
    response = client.post(
        "/api/v1/opportunities", data=data, content_type=content_type, headers=_auth(staff["secret"])
    )
    assert response.status_code == code
    assert response.mimetype == "application/json"
    assert response.json["error"]["code"] == code and response.json["error"]["message"]


GARBAGE = [None, "", "   ", [], {}, [None], [{}], 10**40, -(10**40), -1, 0, 1.5, True, "x" * 5000, "<b>", "2026-02-30"]


def test_no_value_in_any_field_causes_a_server_error(client, app, staff, monkeypatch):
    from marketplace.api.schemas import OpportunityCreate

    monkeypatch.setitem(app.config, "API_WRITE_LIMIT", "10000 per minute")
    monkeypatch.setitem(app.config, "API_WRITE_IP_LIMIT", "10000 per minute")
    created = client.post("/api/v1/opportunities", json=_valid_body(staff["org"].id), headers=_auth(staff["secret"]))
    url = f"/api/v1/opportunities/{created.json['id']}"
    for field in OpportunityCreate.model_fields:
        for value in GARBAGE:
            response = client.post(
                "/api/v1/opportunities",
                json=_valid_body(staff["org"].id, **{field: value}),
                headers=_auth(staff["secret"]),
            )
            assert response.status_code in {201, 422}, (field, value, response.status_code)
            assert response.mimetype == "application/json"
            version = db.session.get(Opportunity, created.json["id"]).version
            response = client.put(url, json={"version": version, field: value}, headers=_auth(staff["secret"]))
            assert response.status_code in {200, 409, 422}, (field, value, response.status_code)


def test_control_characters_are_dropped(client, staff):
    body = _valid_body(
        staff["org"].id, title="Tiro\x00cinio\x07 in cucina", description="Riga uno\nriga\x00 due, abbastanza."
    )
    response = client.post("/api/v1/opportunities", json=body, headers=_auth(staff["secret"]))
    assert response.status_code == 201, response.json
    assert response.json["title"] == "Tirocinio in cucina"
    assert response.json["description"] == "Riga uno\nriga due, abbastanza."


def test_not_a_number_is_a_field_error(client, staff):
    for value in ("NaN", "Infinity", "-Infinity"):
        raw = json.dumps(_valid_body(staff["org"].id)).replace('"allowance_eur": 500', f'"allowance_eur": {value}')
        response = client.post(
            "/api/v1/opportunities", data=raw, content_type="application/json", headers=_auth(staff["secret"])
        )
        assert response.status_code == 422 and response.json["errors"] == {"allowance_eur": "Deve essere un numero."}


def test_text_with_html_is_stored_and_returned_as_plain_json_strings(client, staff, backend):
    title = '<script>alert("x")</script> Tirocinio'
    description = '<img src=x onerror="alert(1)"> Descrizione **in Markdown** lunga abbastanza.'
    response = client.post(
        "/api/v1/opportunities",
        json=_valid_body(staff["org"].id, title=title, description=description, schedule="<b>9-13</b>"),
        headers=_auth(staff["secret"]),
    )
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.json["title"] == title and response.json["description"] == description
    stored = db.session.get(Opportunity, response.json["id"])
    assert stored.title == title and stored.schedule == "<b>9-13</b>"
    # Published, it reads back the same through the public detail.
    stored.status, stored.published_at = OpportunityStatus.PUBLISHED, utcnow()
    db.session.commit()
    assert client.get(f"/api/v1/opportunities/{stored.id}").json["title"] == title


# -- rate limits ----------------------------------------------------------------------------------


def test_reads_are_rate_limited_per_address(client, db_session):
    for _ in range(60):
        assert client.get("/api/v1/openapi.json").status_code == 200
    response = client.get("/api/v1/opportunities/1")
    assert response.status_code == 429
    assert response.mimetype == "application/json" and response.json["error"]["code"] == 429
    assert "Retry-After" in response.headers
    # Another address has its own allowance.
    other = client.get("/api/v1/openapi.json", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200


def test_writes_are_rate_limited_per_token(client, staff):
    other_admin = factories.user(Role.PARTNER_ADMIN)
    other = tokens.create(partner_id=other_admin.partner_id, name="Altro", created_by=other_admin)
    db.session.commit()
    for _ in range(60):
        response = client.delete("/api/v1/opportunities/999999", headers=_auth(staff["secret"]))
        assert response.status_code == 404
    limited = client.delete("/api/v1/opportunities/999999", headers=_auth(staff["secret"]))
    assert limited.status_code == 429 and limited.json["error"]["code"] == 429
    # Another token (same address) still works.
    assert client.delete("/api/v1/opportunities/999999", headers=_auth(other.secret)).status_code == 404


# -- OpenAPI --------------------------------------------------------------------------------------


def test_openapi_document_validates_and_documents_every_route(client, app, db_session):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    validate(document)
    assert document["openapi"].startswith("3.1")
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api_v1."):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method.lower()))
    documented = {(path, verb) for path, item in document["paths"].items() for verb in item if verb != "parameters"}
    assert routes and routes == documented
    schemas = document["components"]["schemas"]
    assert {"OpportunityCreate", "OpportunityUpdate", "OpportunityOut", "OpportunityPage"} <= set(schemas)
    assert set(schemas["OpportunityCreate"]["required"]) == {"organization_id", "title", "description", "kind"}
    # Every search parameter of the page is documented on the list.
    listed = {p["name"] for p in document["paths"]["/api/v1/opportunities"]["get"]["parameters"]}
    from marketplace.opportunities.search_params import PARAMS

    assert set(PARAMS) | {"per_page"} == listed
    writes = [document["paths"]["/api/v1/opportunities"]["post"]]
    assert all(op["security"] == [{"partnerToken": []}] for op in writes)
