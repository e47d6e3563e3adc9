"""Opportunities on real Elasticsearch: versioned writes, visibility, Italian text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from marketplace.indexing import services as indexing
from marketplace.opportunities.models import OpportunityStatus
from search import OpportunityQuery
from search.analysis import prepare, prepare_folded
from search.queries import GeoFilter
from tests import factories


def _index(backend, *opportunities) -> None:
    outcome = backend.apply([indexing.opportunity_action(o.id) for o in opportunities])
    assert outcome.failed == []
    backend.refresh("opportunities")


def _ids(backend, **query) -> list[int]:
    return [hit.id for hit in backend.search_opportunities(OpportunityQuery(**query)).hits]


def test_prepare_drops_elisions_and_folds_accents():
    assert prepare("Corso dell'informatica di base") == "Corso informatica di base"
    assert prepare("Cassano d’Adda") == "Cassano Adda"
    assert prepare_folded("Perché l'attività") == "perche attivita"


def test_italian_stemming_elisions_and_accents(backend):
    internship = factories.opportunity(title="Tirocinio in magazzino", description="Magazzinieri cercasi perché sì")
    course = factories.opportunity(title="Corso dell'informatica di base", description="Attività al computer")
    _index(backend, internship, course)
    assert _ids(backend, text="tirocini") == [internship.id]
    assert _ids(backend, text="informatica") == [course.id]
    assert _ids(backend, text="perche") == [internship.id]
    assert _ids(backend, text="Magazziniere") == [internship.id]
    assert _ids(backend, text="tirocinno") == [internship.id]


def test_drafts_and_expired_never_appear(backend):
    published = factories.opportunity(title="Borsa lavoro in cucina")
    draft = factories.opportunity(title="Borsa lavoro in cucina bozza", status=OpportunityStatus.DRAFT)
    expired = factories.opportunity(title="Borsa lavoro in cucina scaduta",
                                    application_deadline=date.today() - timedelta(days=1))  # fmt: skip
    _index(backend, published, draft, expired)
    assert _ids(backend, text="cucina") == [published.id]


def test_stale_versions_never_overwrite_newer_ones(backend, db_session):
    opportunity = factories.opportunity(title="Laboratorio di falegnameria")
    old = indexing.opportunity_action(opportunity.id)
    opportunity.title = "Laboratorio di ceramica"
    db_session.flush()
    new = indexing.opportunity_action(opportunity.id)
    assert new.version == old.version + 1
    outcome = backend.apply([new])
    assert outcome.failed == []
    outcome = backend.apply([old])  # arrives late: a 409 that counts as done
    assert outcome.failed == [] and outcome.done == [old]
    backend.refresh("opportunities")
    assert _ids(backend, text="ceramica") == [opportunity.id]
    assert _ids(backend, text="falegnameria") == []


def test_unpublishing_removes_the_document(backend, db_session):
    opportunity = factories.opportunity(title="Volontariato all'emporio solidale")
    _index(backend, opportunity)
    assert _ids(backend, text="emporio") == [opportunity.id]
    opportunity.status = OpportunityStatus.CLOSED
    db_session.flush()
    _index(backend, opportunity)
    assert _ids(backend, text="emporio") == []


def test_filters_facets_and_distance(backend):
    melzo = factories.opportunity(title="Tirocinio a Melzo", municipality_code="015142")
    trezzo = factories.opportunity(title="Tirocinio a Trezzo", municipality_code="015221", allowance_eur=None)
    _index(backend, melzo, trezzo)
    result = backend.search_opportunities(OpportunityQuery(text="tirocinio"))
    districts = {facet.value: facet.count for facet in result.facets["district"]}
    assert districts == {"melzo": 1, "trezzo": 1}
    assert _ids(backend, text="tirocinio", district="trezzo") == [trezzo.id]
    assert _ids(backend, text="tirocinio", paid=True) == [melzo.id]
    gorgonzola = GeoFilter(45.5295, 9.4095, 8)
    assert _ids(backend, text="tirocinio", near=gorgonzola) == [melzo.id]


@pytest.mark.parametrize("nasty", ['"', "(((", "tirocinio AND", "-", "*", "a~~~", "\\", "' OR 1=1 --", "🙂"])
def test_no_user_string_breaks_a_query(backend, nasty):
    _index(backend, factories.opportunity())
    backend.search_opportunities(OpportunityQuery(text=nasty))


def test_outbox_is_written_in_the_same_transaction(db_session):
    from sqlalchemy import select

    from marketplace.indexing.models import SearchOutboxEntry

    opportunity = factories.opportunity(title="Apprendistato come manutentore del verde")
    pending = set(db_session.execute(select(SearchOutboxEntry.index_name, SearchOutboxEntry.doc_id)).all())
    assert ("opportunities", opportunity.id) in pending
    assert ("organizations", opportunity.organization_id) in pending


def test_renaming_an_organization_reindexes_its_opportunities(db_session):
    from sqlalchemy import delete, select

    from marketplace.indexing.models import SearchOutboxEntry

    first = factories.opportunity(title="Tirocinio uno")
    second = factories.opportunity(first.organization, title="Tirocinio due")
    db_session.execute(delete(SearchOutboxEntry))
    before = indexing.opportunity_action(first.id).version
    first.organization.name = "Nuovo Nome Cooperativa"
    db_session.flush()
    pending = set(db_session.execute(select(SearchOutboxEntry.index_name, SearchOutboxEntry.doc_id)).all())
    assert {("opportunities", first.id), ("opportunities", second.id)} <= pending
    # The document embeds the organisation, so its version moves with it.
    assert indexing.opportunity_action(first.id).version == before + 1


def test_profile_changes_bump_the_person_document(db_session):
    person = factories.person()
    version = person.version
    person.profile.skills = "cucina, HACCP"
    db_session.flush()
    assert person.version == version + 1


def test_feminine_and_plural_job_titles(backend):
    """Hunspell it_IT maps "cuoca" to the verb "cuocere", which "cuoco" also yields; the
    plural "cuochi" only yields "cuoco", and "cucina" is another lemma. So "cuoca" finds
    "cuoco" (through the lemma, and through the typo-tolerant clause) but misses "cuochi"
    and "cucina": a known, accepted gap of a dictionary-only stemmer."""
    cook = factories.opportunity(title="Aiuto cuoco in mensa")
    cooks = factories.opportunity(title="Cercasi cuochi per catering")
    kitchen = factories.opportunity(title="Borsa lavoro in cucina")
    _index(backend, cook, cooks, kitchen)
    found = _ids(backend, text="cuoca")
    assert cook.id in found
    assert kitchen.id not in found
    assert set(_ids(backend, text="cuochi")) == {cook.id, cooks.id}


@pytest.mark.parametrize(
    ("typed", "code"),
    [("Cassina de' Pecchi", "015060"), ("cassina de pecchi", "015060"), ("Cassano d'Adda", "015059"),
     ("cassano dadda", None), ("Cassano d’Adda", "015059")],
)  # fmt: skip
def test_comuni_with_apostrophes_match(backend, typed, code):
    cassina = factories.opportunity(title="Tirocinio in biblioteca", municipality_code="015060")
    cassano = factories.opportunity(title="Tirocinio in biblioteca", municipality_code="015059")
    _index(backend, cassina, cassano)
    found = _ids(backend, text=f"biblioteca {typed}")
    expected = {"015060": [cassina.id], "015059": [cassano.id]}.get(code)
    if expected is None:
        # Without the apostrophe "dadda" is one unknown word: stated as a miss, not hidden.
        assert found == []
    else:
        assert found == expected


def test_documents_are_read_with_plain_rows_including_missing_places_and_sectors(db_session):
    """The indexing loader joins the organisation, comune, ambito and sector; any may be absent."""
    org = factories.organization("Cooperativa Il Faro")
    placed = factories.opportunity(org, title="Tirocinio in officina", sector_code="C")
    nowhere = factories.opportunity(org, title="Corso a distanza", municipality_code=None, sector_code=None)
    found = {action.doc_id: action for action in indexing.actions_for("opportunities", [placed.id, nowhere.id, 0])}
    assert found[0].op == "delete"  # no such row: its document goes
    placed_doc, nowhere_doc = found[placed.id].document, found[nowhere.id].document
    assert found[placed.id].version == placed.version + org.version
    assert placed_doc["organization_name"] == "Cooperativa Il Faro"
    assert (placed_doc["sector_section"], placed_doc["municipality_code"]) == ("C", "015108")
    assert placed_doc["district"] and placed_doc["location"]["lat"]
    assert nowhere_doc["municipality_code"] is None and nowhere_doc["location"] is None
    assert nowhere_doc["sector_section"] is None and nowhere_doc["district"] is None
