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
    """Index `rows` as the outbox drain does: read back through the index's own loader."""
    outcome = backend.apply(indexing.actions_for(index, [row.id for row in rows]))
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


def facet_counts(result, name: str) -> dict[str, int]:
    return {f.value: f.count for f in result.facets[name]}


@pytest.fixture
def catalogue(db_session):
    """Four opportunities that between them exercise the search page's newer filters and facets."""
    from datetime import UTC, datetime

    from marketplace.opportunities.models import Edition

    today = date.today()
    org = factories.organization("Cooperativa L'Aurora")
    kitchen = factories.opportunity(
        org, title="Aiuto cuoco in mensa", sector_code="56", target_groups=["young_neet", "migrants"],
        start_date=today + timedelta(days=10), municipality_code="015142", hours_per_week=20,
        skills=[{"code": "cucina", "required": True}, {"code": "haccp", "required": False}],
        languages=[{"code": "it", "level": "A2"}], published_at=datetime(2026, 1, 10, 9, tzinfo=UTC),
    )  # fmt: skip
    warehouse = factories.opportunity(
        org, title="Magazziniere", sector_code="52.10.10", target_groups=["young_neet"],
        start_date=today + timedelta(days=60), application_deadline=today + timedelta(days=50),
        published_at=datetime(2026, 2, 10, 9, tzinfo=UTC),
    )  # fmt: skip
    # A course whose own start is far away, but whose next edition starts in 20 days.
    course = factories.opportunity(
        org, title="Corso di saldatura", kind=OpportunityKind.COURSE, sector_code="25.62.00",
        target_groups=["students"], start_date=today + timedelta(days=300),
        published_at=datetime(2026, 3, 10, 9, tzinfo=UTC),
    )  # fmt: skip
    db_session.add_all([
        Edition(opportunity=course, starts_on=today - timedelta(days=5), ends_on=today + timedelta(days=5)),
        Edition(opportunity=course, starts_on=today + timedelta(days=20), ends_on=today + timedelta(days=40)),
    ])  # fmt: skip
    undated = factories.opportunity(org, title="Volontariato in biblioteca", start_date=None, target_groups=[],
                                    published_at=datetime(2026, 4, 10, 9, tzinfo=UTC))  # fmt: skip
    db_session.flush()
    db_session.expire(course, ["editions"])
    return {"kitchen": kitchen, "warehouse": warehouse, "course": course, "undated": undated}


def test_documents_carry_what_results_show(backend, catalogue):
    put(backend, "opportunities", *catalogue.values())
    result = backend.search_opportunities(OpportunityQuery(text="cuoco"))
    source = result.hits[0].source
    assert source["organization_display"] == "Cooperativa L'Aurora"
    assert source["municipality_name"] == "Melzo" and source["district"] == "melzo"
    assert source["district_name"] == "Ambito di Melzo"
    assert source["sector_section"] == "I" and source["hours_per_week"] == 20
    assert source["target_groups"] == ["migrants", "young_neet"]
    assert source["skill_codes"] == ["cucina", "haccp"] and source["required_skill_codes"] == ["cucina"]
    assert source["languages"] == ["it"] and source["language_levels"] == ["it:A2"]
    course = backend.search_opportunities(OpportunityQuery(text="saldatura")).hits[0].source
    # The edition that already began does not count: the next one does.
    assert course["next_start"] == (date.today() + timedelta(days=20)).isoformat()


def test_target_group_filter_and_facet(backend, catalogue):
    ids_of = {name: row.id for name, row in catalogue.items()}
    put(backend, "opportunities", *catalogue.values())
    everything = backend.search_opportunities(OpportunityQuery())
    assert facet_counts(everything, "target_groups") == {"young_neet": 2, "migrants": 1, "students": 1}
    neet = backend.search_opportunities(OpportunityQuery(target_groups=("young_neet",)))
    assert sorted(ids(neet)) == sorted([ids_of["kitchen"], ids_of["warehouse"]])
    # Any of the chosen groups; the facet ignores its own filter.
    either = backend.search_opportunities(OpportunityQuery(target_groups=("students", "migrants")))
    assert sorted(ids(either)) == sorted([ids_of["kitchen"], ids_of["course"]])
    assert facet_counts(either, "target_groups") == {"young_neet": 2, "migrants": 1, "students": 1}
    # Other facets count under it.
    assert facet_counts(neet, "kind") == {"internship": 2}


def test_sector_section_filter_and_facet(backend, catalogue):
    put(backend, "opportunities", *catalogue.values())
    everything = backend.search_opportunities(OpportunityQuery())
    assert facet_counts(everything, "sector_section") == {"I": 1, "H": 1, "C": 1}
    assert ids(backend.search_opportunities(OpportunityQuery(sector_section="C"))) == [catalogue["course"].id]
    transport = backend.search_opportunities(OpportunityQuery(sector_section="H"))
    assert ids(transport) == [catalogue["warehouse"].id]
    assert facet_counts(transport, "sector_section") == {"I": 1, "H": 1, "C": 1}


def test_starting_within_filter_and_facet(backend, catalogue):
    ids_of = {name: row.id for name, row in catalogue.items()}
    put(backend, "opportunities", *catalogue.values())
    everything = backend.search_opportunities(OpportunityQuery())
    # Cumulative windows; the undated one is in none of them.
    assert facet_counts(everything, "starting_within") == {"30": 2, "90": 3, "180": 3}
    soon = backend.search_opportunities(OpportunityQuery(starting_within_days=30))
    assert sorted(ids(soon)) == sorted([ids_of["kitchen"], ids_of["course"]])
    assert facet_counts(soon, "starting_within") == {"30": 2, "90": 3, "180": 3}
    assert facet_counts(soon, "kind") == {"internship": 1, "course": 1}
    # Counted under the other filters: only courses.
    courses = backend.search_opportunities(OpportunityQuery(kinds=("course",)))
    assert facet_counts(courses, "starting_within") == {"30": 1, "90": 1, "180": 1}
    # Days are counted from the query's day.
    later = backend.search_opportunities(
        OpportunityQuery(starting_within_days=30, today=date.today() + timedelta(days=45))
    )
    assert ids(later) == [ids_of["warehouse"]]


def test_published_after(backend, catalogue):
    from datetime import UTC, datetime, timezone

    put(backend, "opportunities", *catalogue.values())
    after = OpportunityQuery(published_after=datetime(2026, 2, 10, 9, tzinfo=UTC), sort="newest")
    assert ids(backend.search_opportunities(after)) == [catalogue["undated"].id, catalogue["course"].id]
    # The same instant in another zone gives the same answer (strictly after).
    rome = timezone(timedelta(hours=1))
    same = OpportunityQuery(published_after=datetime(2026, 2, 10, 10, tzinfo=rome), sort="newest")
    assert ids(backend.search_opportunities(same)) == ids(backend.search_opportunities(after))
    assert backend.search_opportunities(OpportunityQuery(published_after=datetime(2026, 5, 1, tzinfo=UTC))).total == 0


def test_place_facets_and_filters(backend, catalogue):
    put(backend, "opportunities", *catalogue.values())
    everything = backend.search_opportunities(OpportunityQuery())
    assert facet_counts(everything, "district") == {"cernusco": 3, "melzo": 1}
    assert facet_counts(everything, "municipality_code") == {"015108": 3, "015142": 1}
    assert facet_counts(everything, "minors_allowed") == {"false": 4}
    in_gorgonzola = backend.search_opportunities(OpportunityQuery(municipality_code="015108"))
    assert in_gorgonzola.total == 3
    assert facet_counts(in_gorgonzola, "municipality_code") == {"015108": 3, "015142": 1}
    assert facet_counts(in_gorgonzola, "district") == {"cernusco": 3}


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
                        indexing.opportunity_action(opportunity.id).document)  # fmt: skip
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


# -- the company database list (issue 4): every filter, sort and the export ids -------------

TODAY = date(2026, 3, 15)


@pytest.fixture
def company_database(db_session):
    """Five organisations that between them exercise every list filter."""
    from marketplace.models_base import utcnow
    from marketplace.organizations.models import SizeClass
    from tests import factories_org_list as more

    melzo = factories.organization(
        "Officine Melzo S.r.l.", kind=OrganizationKind.SRL, municipality_code="015142", ateco_code="25.62.00",
        size_class=SizeClass.SMALL, employees=30, obligated_68=True, quota_68_covered=False,
        last_contact_on=TODAY - timedelta(days=700),
    )  # fmt: skip
    more.profile(melzo, "pcto", "hiring")
    more.agreement(melzo, TODAY - timedelta(days=100), TODAY + timedelta(days=200))
    coop = factories.organization(
        "Cooperativa Sociale Il Melograno", kind=OrganizationKind.SOCIAL_COOP_B, municipality_code="015108",
        size_class=SizeClass.MICRO, employees=8, last_contact_on=TODAY - timedelta(days=10),
    )  # fmt: skip
    more.profile(coop, "inclusion_internship", "pcto")
    more.site(coop, "015221")  # a site in Trezzo sull'Adda
    more.agreement(coop, TODAY - timedelta(days=500), TODAY - timedelta(days=1))  # expired yesterday
    association = factories.organization(
        "Associazione Amici di Cassina", kind=OrganizationKind.ASSOCIATION, municipality_code="015060",
        status=OrganizationStatus.PROSPECT, obligated_68=True, quota_68_covered=True,
    )  # fmt: skip
    more.agreement(association, TODAY - timedelta(days=30), TODAY + timedelta(days=30), status="draft")
    archived = factories.organization("Officine Archiviate S.n.c.", kind=OrganizationKind.SNC, archived_at=utcnow())
    inactive = factories.organization("Officine Chiuse S.p.A.", kind=OrganizationKind.SPA,
                                      status=OrganizationStatus.INACTIVE)  # fmt: skip
    return {"melzo": melzo, "coop": coop, "association": association, "archived": archived, "inactive": inactive}


def org_ids(backend, **fields) -> list[int]:
    return sorted(ids(backend.search_organizations(OrganizationQuery(today=TODAY, per_page=50, **fields))))


def test_organization_list_filters_agree(backend, company_database):
    orgs = {name: org.id for name, org in company_database.items()}
    put(backend, "organizations", *company_database.values())
    assert org_ids(backend) == sorted([orgs["melzo"], orgs["coop"], orgs["association"]])
    assert org_ids(backend, include_archived=True, include_inactive=True) == sorted(orgs.values())
    assert org_ids(backend, statuses=("inactive",)) == [orgs["inactive"]]
    assert org_ids(backend, statuses=("prospect",)) == [orgs["association"]]
    assert org_ids(backend, kinds=("srl", "association")) == sorted([orgs["melzo"], orgs["association"]])
    assert org_ids(backend, size_classes=("micro",)) == [orgs["coop"]]
    assert org_ids(backend, ateco_section="C", ateco_division="25") == [orgs["melzo"]]
    # Schemes match any of the chosen ones.
    assert org_ids(backend, schemes=("pcto",)) == sorted([orgs["melzo"], orgs["coop"]])
    assert org_ids(backend, schemes=("hiring", "inclusion_internship")) == sorted([orgs["melzo"], orgs["coop"]])
    assert org_ids(backend, schemes=("workshop",)) == []
    # A site counts for the place filters: the coop's registered office is in Gorgonzola.
    assert org_ids(backend, district="trezzo") == [orgs["coop"]]
    assert org_ids(backend, municipality_code="015221") == [orgs["coop"]]
    assert org_ids(backend, district="cernusco") == sorted([orgs["coop"], orgs["association"]])
    # Signed and valid today: not the expired one, not the draft.
    assert org_ids(backend, agreement_valid=True) == [orgs["melzo"]]
    assert org_ids(backend, quota_68_uncovered=True) == [orgs["melzo"]]
    assert org_ids(backend, obligated_68=True) == sorted([orgs["melzo"], orgs["association"]])
    # Never contacted counts as "not contacted for 6 months".
    assert org_ids(backend, not_contacted_months=6) == sorted([orgs["melzo"], orgs["association"]])
    assert org_ids(backend, not_contacted_months=24) == [orgs["association"]]
    combined = org_ids(backend, schemes=("pcto",), agreement_valid=True, not_contacted_months=12, district="melzo")
    assert combined == [orgs["melzo"]]


def test_organization_facets_count_sites_and_schemes(backend, company_database):
    put(backend, "organizations", *company_database.values())
    result = backend.search_organizations(OrganizationQuery(today=TODAY, schemes=("hiring",)))
    facets = {name: {f.value: f.count for f in values} for name, values in result.facets.items()}
    # The schemes facet ignores its own filter; every other facet counts under it.
    assert facets["schemes"] == {"pcto": 2, "hiring": 1, "inclusion_internship": 1}
    assert facets["kind"] == {"srl": 1}
    everything = backend.search_organizations(OrganizationQuery(today=TODAY))
    facets = {name: {f.value: f.count for f in values} for name, values in everything.facets.items()}
    assert facets["districts"] == {"cernusco": 2, "melzo": 1, "trezzo": 1}
    assert facets["size_class"] == {"small": 1, "micro": 1}
    assert facets["status"] == {"active": 2, "prospect": 1}


def test_agreement_validity_is_decided_on_the_query_day(backend, db_session):
    from tests import factories_org_list as more

    renewed = factories.organization("Logistica con rinnovo")
    more.agreement(renewed, date(2025, 1, 1), date(2025, 12, 31))
    more.agreement(renewed, date(2026, 4, 1), date(2027, 3, 31))  # a gap in between
    put(backend, "organizations", renewed)
    for day, expected in ((date(2025, 6, 1), [renewed.id]), (date(2026, 2, 1), []), (date(2026, 4, 1), [renewed.id]),
                          (date(2027, 3, 31), [renewed.id]), (date(2027, 4, 1), [])):  # fmt: skip
        found = ids(backend.search_organizations(OrganizationQuery(agreement_valid=True, today=day)))
        assert found == expected, day


def test_organization_sorts(backend, db_session):
    from datetime import UTC, datetime

    from tests import factories_org_list as more

    def made(year: int) -> datetime:
        return datetime(year, 1, 1, tzinfo=UTC)

    ancora = factories.organization("Àncora Servizi", municipality_code="015221", created_at=made(2024))
    beta = factories.organization("beta logistica", municipality_code="015142", created_at=made(2025),
                                  last_contact_on=date(2025, 5, 1))  # fmt: skip
    cappa = factories.organization("Cappa Impianti", municipality_code="015221", created_at=made(2023),
                                   last_contact_on=date(2024, 5, 1))  # fmt: skip
    more.site(cappa, "015060")  # Cassina de' Pecchi: ~5 km from Gorgonzola, nearer than Melzo
    put(backend, "organizations", ancora, beta, cappa)

    def order(**fields) -> list[int]:
        return ids(backend.search_organizations(OrganizationQuery(**fields)))

    # Folded and case-insensitive: "Àncora" before "beta" before "Cappa".
    assert order(sort="name") == [ancora.id, beta.id, cappa.id]
    assert order(sort="newest") == [beta.id, ancora.id, cappa.id]
    assert order(sort="last_contact") == [ancora.id, cappa.id, beta.id]  # never contacted first
    closest = backend.search_organizations(OrganizationQuery(near=GORGONZOLA, sort="closest"))
    assert ids(closest) == [cappa.id, beta.id]  # the site in Cassina counts; Trezzo (~13 km) is out
    assert 3 < closest.hits[0].distance_km < 6


def test_export_ids_follow_the_list_order(backend, db_session):
    rows = [factories.organization(f"Impresa numero {n:02d}") for n in range(12)]
    put(backend, "organizations", *rows)
    by_pages = []
    for page in (1, 2, 3):
        by_pages += ids(backend.search_organizations(OrganizationQuery(sort="name", per_page=5, page=page)))
    found, total = backend.search_organization_ids(OrganizationQuery(sort="name"), limit=100)
    assert found == by_pages and total == 12
    capped, total = backend.search_organization_ids(OrganizationQuery(sort="name", text="impresa"), limit=7)
    assert capped == by_pages[:7] and total == 12


def test_organizations_by_partita_iva(backend, db_session):
    org = factories.organization("Trasporti Rapidi", vat_number="01234567897")
    other = factories.organization("Trasporti Lenti")
    put(backend, "organizations", org, other)
    assert ids(backend.search_organizations(OrganizationQuery(text="01234567897"))) == [org.id]
    assert ids(backend.search_organizations(OrganizationQuery(text="IT 01234567897"))) == [org.id]


def test_bad_months_are_refused():
    with pytest.raises(QueryError):
        OrganizationQuery(not_contacted_months=0)
    with pytest.raises(QueryError):
        OrganizationQuery(not_contacted_months=1000)


def test_embedded_tables_of_an_older_definition_are_rebuilt(tmp_path, db_session):
    from sqlalchemy import inspect, text

    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    old_table = ("CREATE TABLE embedded_search_organizations (id INTEGER PRIMARY KEY, version INTEGER, body TEXT, "
                 "search_text TEXT, latitude FLOAT, longitude FLOAT, district VARCHAR(40))")  # fmt: skip
    with engine.begin() as conn:  # as an earlier release created it: no list filters
        conn.execute(text(old_table))
    backend = EmbeddedBackend(engine)
    backend.ensure_indexes()
    columns = {column["name"] for column in inspect(engine).get_columns("embedded_search_organizations")}
    assert {"archived", "last_contact_on", "size_class"} <= columns and "district" not in columns
    org = factories.organization("Serramenti Brianza", kind=OrganizationKind.SAS)
    put(backend, "organizations", org)
    assert ids(backend.search_organizations(OrganizationQuery(kinds=("sas",)))) == [org.id]
