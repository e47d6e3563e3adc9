"""One contract, two backends: Elasticsearch and the embedded (SQLite FTS5) backend.

The same documents go to both, the same typed queries must give the same answers.
Relevance subtleties (stemming, typos) are Elasticsearch's alone: see test_search.py.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine

from marketplace.accounts.models import Role
from marketplace.indexing import services as indexing
from marketplace.indexing.registry import REGISTRY
from marketplace.opportunities.models import OpportunityKind, OpportunityStatus
from marketplace.organizations.models import OrganizationKind, OrganizationStatus
from search import IndexAction, OpportunityQuery
from search.embedded import EmbeddedBackend
from search.queries import GeoFilter, OrganizationQuery, PeopleQuery, QueryError
from tests import factories

GORGONZOLA = GeoFilter(45.5295, 9.4095, 8)


@pytest.fixture(params=["elasticsearch", "embedded"])
def backend(request, app, db_session, tmp_path):
    if request.param == "elasticsearch":
        backend = app.extensions["search"]
    else:
        backend = EmbeddedBackend(create_engine(f"sqlite:///{tmp_path / 'search.sqlite3'}"))
    backend.drop_indexes()
    backend.ensure_indexes()
    return backend


def put(backend, index: str, *rows) -> None:
    model = REGISTRY[index]
    outcome = backend.apply([indexing.action_for(model, row.id, row) for row in rows])
    assert outcome.failed == []
    backend.refresh(index)


def ids(result) -> list[int]:
    return [hit.id for hit in result.hits]


def test_only_published_and_open_opportunities_are_found(backend):
    today = date.today()
    open_one = factories.opportunity(title="Tirocinio in lavanderia")
    draft = factories.opportunity(title="Tirocinio in lavanderia", status=OpportunityStatus.DRAFT)
    expired = factories.opportunity(title="Tirocinio in lavanderia", application_deadline=today - timedelta(days=1))
    put(backend, "opportunities", open_one, draft, expired)
    assert ids(backend.search_opportunities(OpportunityQuery(text="lavanderia"))) == [open_one.id]


def test_filters_and_facets_agree(backend):
    org = factories.organization()
    melzo = factories.opportunity(org, title="Borsa lavoro a Melzo", kind=OpportunityKind.WORK_GRANT,
                                  municipality_code="015142", allowance_eur=300)  # fmt: skip
    trezzo = factories.opportunity(org, title="Corso a Trezzo", kind=OpportunityKind.COURSE,
                                   municipality_code="015221", allowance_eur=None, minors_allowed=True)  # fmt: skip
    cassina = factories.opportunity(org, title="Corso a Cassina", kind=OpportunityKind.COURSE,
                                    municipality_code="015060", allowance_eur=None)  # fmt: skip
    put(backend, "opportunities", melzo, trezzo, cassina)

    everything = backend.search_opportunities(OpportunityQuery())
    assert everything.total == 3
    kinds = {f.value: f.count for f in everything.facets["kind"]}
    assert kinds == {"work_grant": 1, "course": 2}
    assert {f.value: f.count for f in everything.facets["paid"]} == {"true": 1, "false": 2}

    courses = backend.search_opportunities(OpportunityQuery(kinds=("course",)))
    assert sorted(ids(courses)) == sorted([trezzo.id, cassina.id])
    # The kind facet still counts the other kinds, so the user can widen the choice.
    assert {f.value: f.count for f in courses.facets["kind"]} == {"work_grant": 1, "course": 2}
    assert ids(backend.search_opportunities(OpportunityQuery(minors_allowed=True))) == [trezzo.id]
    assert ids(backend.search_opportunities(OpportunityQuery(district="melzo"))) == [melzo.id]
    assert ids(backend.search_opportunities(OpportunityQuery(paid=True))) == [melzo.id]


def test_distance_filter_and_closest_sort(backend):
    cassina = factories.opportunity(municipality_code="015060")  # ~5 km from Gorgonzola
    melzo = factories.opportunity(municipality_code="015142")  # ~7 km
    trezzo = factories.opportunity(municipality_code="015221")  # ~13 km
    put(backend, "opportunities", cassina, melzo, trezzo)
    result = backend.search_opportunities(OpportunityQuery(near=GORGONZOLA, sort="closest"))
    assert ids(result) == [cassina.id, melzo.id]
    assert all(0 < hit.distance_km <= 8 for hit in result.hits)
    assert result.hits[0].distance_km < result.hits[1].distance_km


def test_cursor_pages_walk_every_result_once_in_order(backend):
    rows = [factories.opportunity(title=f"Laboratorio numero {n}") for n in range(7)]
    put(backend, "opportunities", *rows)
    by_page = []
    for page in (1, 2, 3, 4):
        by_page += ids(backend.search_opportunities(OpportunityQuery(sort="newest", per_page=2, page=page)))
    by_cursor, after = [], None
    while True:
        result = backend.search_opportunities(OpportunityQuery(sort="newest", per_page=2, after=after))
        if not result.hits:
            break
        by_cursor += ids(result)
        after = result.cursor
    assert by_cursor == by_page and sorted(by_cursor) == sorted(r.id for r in rows)


def test_stale_writes_and_deletes(backend):
    opportunity = factories.opportunity(title="Apprendistato in officina")
    newer = IndexAction("opportunities", opportunity.id, 10, "index",
                        indexing.opportunity_action(opportunity.id, opportunity).document)  # fmt: skip
    older = IndexAction("opportunities", opportunity.id, 3, "delete")
    assert backend.apply([newer]).failed == []
    assert backend.apply([older]).failed == []  # stale: counts as done, changes nothing
    backend.refresh("opportunities")
    assert ids(backend.search_opportunities(OpportunityQuery(text="officina"))) == [opportunity.id]
    assert backend.apply([IndexAction("opportunities", opportunity.id, 11, "delete")]).failed == []
    backend.refresh("opportunities")
    assert ids(backend.search_opportunities(OpportunityQuery(text="officina"))) == []
    assert backend.versions("opportunities") == {}


def test_organizations_by_name_comune_and_status(backend):
    coop = factories.organization("Cooperativa Sociale Il Melograno", kind=OrganizationKind.SOCIAL_COOP_B,
                                  municipality_code="015060")  # fmt: skip
    closed = factories.organization("Melograno Servizi S.r.l.", status=OrganizationStatus.INACTIVE)
    put(backend, "organizations", coop, closed)
    assert ids(backend.search_organizations(OrganizationQuery(text="melograno"))) == [coop.id]
    everyone = backend.search_organizations(OrganizationQuery(text="melograno", include_inactive=True))
    assert sorted(ids(everyone)) == sorted([coop.id, closed.id])
    assert ids(backend.search_organizations(OrganizationQuery(text="Cassina de' Pecchi"))) == [coop.id]
    assert ids(backend.search_organizations(OrganizationQuery(kinds=("social_coop_b",)))) == [coop.id]


def test_people_only_for_operators(backend):
    with pytest.raises(QueryError):
        PeopleQuery(viewer_role=Role.CANDIDATE.value)
    with pytest.raises(QueryError):
        PeopleQuery(viewer_role=Role.COMPANY.value)
    young = factories.person(first_name="Luca", last_name="Sala", birth_date=date(2006, 3, 1))
    older = factories.person(first_name="Maria", last_name="Neri", birth_date=date(1980, 3, 1))
    put(backend, "people", young, older)
    result = backend.search_people(PeopleQuery(viewer_role="operator", text="magazzino"))
    assert sorted(ids(result)) == sorted([young.id, older.id])
    under_30 = backend.search_people(PeopleQuery(viewer_role="operator", max_age=29, today=date(2026, 11, 22)))
    assert ids(under_30) == [young.id]


def test_suggestions_complete_a_prefix(backend):
    put(backend, "opportunities", factories.opportunity(title="Magazziniere notturno"))
    assert any("Magazziniere" in s or "magazziniere" in s.lower() for s in backend.suggest("opportunities", "magaz"))


@pytest.mark.parametrize("nasty", ['"', "(((", "a AND", "-", "*", "~~~", "\\", "' OR 1=1 --", "NEAR(a b)", "🙂"])
def test_no_user_string_breaks_either_backend(backend, nasty):
    put(backend, "opportunities", factories.opportunity())
    backend.search_opportunities(OpportunityQuery(text=nasty))
    backend.search_organizations(OrganizationQuery(text=nasty))
    backend.search_people(PeopleQuery(viewer_role="operator", text=nasty))
    backend.suggest("opportunities", nasty)
