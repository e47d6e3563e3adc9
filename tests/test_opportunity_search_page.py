"""The public search page and its typeahead, on real PostgreSQL and Elasticsearch."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest

from marketplace.indexing import services as indexing
from marketplace.opportunities.models import OpportunityKind
from tests import factories


def _index(backend, *opportunities) -> None:
    outcome = backend.apply([indexing.opportunity_action(o.id) for o in opportunities])
    assert outcome.failed == []
    backend.refresh("opportunities")


@pytest.fixture
def listed(backend, db_session):
    today = date.today()
    org = factories.organization("Cooperativa L'Aurora")
    kitchen = factories.opportunity(
        org, title="Aiuto cuoco in mensa", kind=OpportunityKind.WORK_GRANT, sector_code="56",
        municipality_code="015142", target_groups=["young_neet"], minors_allowed=True,
        start_date=today + timedelta(days=10),
    )  # fmt: skip
    course = factories.opportunity(
        org, title="Corso di cucina per principianti", kind=OpportunityKind.COURSE, allowance_eur=None,
        municipality_code="015108", target_groups=["students"], start_date=today + timedelta(days=120),
    )  # fmt: skip
    warehouse = factories.opportunity(org, title="Magazziniere", municipality_code="015221",
                                      start_date=today + timedelta(days=60))  # fmt: skip
    _index(backend, kitchen, course, warehouse)
    return {"kitchen": kitchen, "course": course, "warehouse": warehouse}


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def test_page_lists_results_with_facet_counts(client, listed):
    response = client.get("/opportunita/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = _text(response)
    assert "3 opportunità" in text
    for row in listed.values():
        assert f'/opportunita/{row.id}"' in html
    # Facets are checkable options with counts.
    assert re.search(r'type="checkbox" name="kind" id="kind-course" value="course"', html)
    assert "Corso di formazione (1)" in text and "Borsa lavoro (1)" in text
    assert re.search(r'name="starting"[^>]*value="30"', html) and "Entro 30 giorni (1)" in text
    assert "Entro 3 mesi (2)" in text and "Entro 6 mesi (3)" in text
    assert "Ambito di Melzo (1)" in text and "Ambito di Cernusco sul Naviglio (1)" in text
    assert "Studenti (1)" in text
    assert re.search(r'name="sector"[^>]*value="I"', html)
    assert re.search(r'<option value="015142">Melzo \(1\)</option>', html)
    # A result card: organisation, comune, kind, allowance, deadline, minors badge.
    card = next(part for part in html.split("<article")[1:] if f'/opportunita/{listed["kitchen"].id}"' in part)
    card = card[: card.index("</article>")]
    assert "Cooperativa L&#39;Aurora" in card and "Melzo" in card and "Borsa lavoro" in card
    assert "Aperta a minorenni" in card and "Candidature entro il" in card and "Con indennità" in card


def test_filters_narrow_and_the_url_is_the_state(client, listed):
    response = client.get("/opportunita/?kind=course&kind=work_grant&paid=0")
    html = response.get_data(as_text=True)
    assert "1 opportunità" in _text(response)
    assert f'/opportunita/{listed["course"].id}"' in html
    assert f'/opportunita/{listed["kitchen"].id}"' not in html
    # The form shows the state back.
    assert re.search(r'id="kind-course" value="course" checked', html)
    assert re.search(r'id="kind-work_grant" value="work_grant" checked', html)
    assert re.search(r'id="paid-0" value="0" checked', html)
    # Each chip removes its own filter; the link is canonical.
    assert 'href="/opportunita/?kind=work_grant&amp;paid=0"' in html
    assert 'href="/opportunita/?kind=course&amp;kind=work_grant"' in html


def test_distance_and_closest_sort(client, listed):
    response = client.get("/opportunita/?comune=015108&km=8&sort=closest")
    html, text = response.get_data(as_text=True), _text(response)
    assert "entro 8 km da Gorgonzola" in text
    assert "2 opportunità" in text  # Gorgonzola and Melzo; Trezzo is ~13 km away
    first, second = (html.index(f'/opportunita/{listed[name].id}"') for name in ("course", "kitchen"))
    assert first < second
    assert re.search(r'<option value="closest" selected>', html)


def test_target_starting_and_sector_filters(client, listed):
    assert "1 opportunità" in _text(client.get("/opportunita/?target=students"))
    assert "1 opportunità" in _text(client.get("/opportunita/?starting=30"))
    response = client.get("/opportunita/?sector=I")
    assert "1 opportunità" in _text(response)
    assert f'/opportunita/{listed["kitchen"].id}"' in response.get_data(as_text=True)


def test_empty_state_helps(client, listed):
    response = client.get("/opportunita/?q=astronauta&comune=015108&km=5&kind=course")
    text, html = _text(response), response.get_data(as_text=True)
    assert response.status_code == 200
    assert "0 opportunità" in text and "Nessuna opportunità corrisponde alla ricerca." in text
    assert "cerca più lontano: entro 10 km" in text
    assert "km=10" in html
    # Clear every filter but keep the words.
    assert 'href="/opportunita/?q=astronauta"' in html
    assert 'href="/opportunita/"' in html


@pytest.mark.parametrize(
    "args", ["kind=nope", "page=abc", "page=99999", "km=7", "comune=xyz", "sort=closest", "starting=7",
             "paid=forse", "sector=%3Cb%3E", "district=%00"],
)  # fmt: skip
def test_invalid_params_give_a_page_with_a_message(client, listed, args):
    response = client.get(f"/opportunita/?{args}")
    assert response.status_code == 200
    text = _text(response)
    assert "Alcuni filtri non erano validi e non sono stati usati" in text
    assert "3 opportunità" in text  # the bad parameter was ignored, the rest searched


def test_text_is_escaped(client, listed):
    nasty = '"><script>alert(1)</script>'
    response = client.get("/opportunita/", query_string={"q": nasty})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_saved_search_partial_gets_the_query_string(client, listed, app):
    from marketplace.opportunities import search_page

    assert search_page.search_url  # the page hands `query_string` to alerts/_save_search.html
    with app.test_request_context("/opportunita/?kind=course&page=2&q=cucina"):
        from flask import render_template_string, request

        from marketplace.opportunities.search_params import parse_search_args

        query, _errors = parse_search_args(request.args)
        view = search_page.build(query, None, {})
        assert view.query_string == "q=cucina&kind=course"  # page 1: an alert is about the search, not a page
        assert render_template_string("{{ v.query_string }}", v=view) == "q=cucina&amp;kind=course"


def test_typeahead_json(client, listed):
    response = client.get("/opportunita/suggerimenti?q=cuc")
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    assert data["q"] == "cuc"
    # Any word of a title completes the whole title.
    assert "Corso di cucina per principianti" in data["suggestions"]
    assert "Aiuto cuoco in mensa" not in data["suggestions"]
    both = client.get("/opportunita/suggerimenti?q=cu").get_json()["suggestions"]
    assert {"Corso di cucina per principianti", "Aiuto cuoco in mensa"} <= set(both)
    assert len(data["suggestions"]) == len({s.casefold() for s in data["suggestions"]})
    assert client.get("/opportunita/suggerimenti?q=c").get_json()["suggestions"] == []
    assert client.get("/opportunita/suggerimenti").get_json()["suggestions"] == []
    for nasty in ['"', "<script>", "((((", "\\", "a" * 500]:
        response = client.get("/opportunita/suggerimenti", query_string={"q": nasty})
        assert response.status_code == 200 and isinstance(response.get_json()["suggestions"], list)


def test_submitted_form_redirects_to_the_canonical_url(client, listed):
    response = client.get("/opportunita/?q=+cucina+&comune=&km=&paid=&starting=&sort=relevance&page=1&kind=course")
    assert response.status_code == 302
    assert response.headers["Location"] == "/opportunita/?q=cucina&kind=course"
    assert client.get(response.headers["Location"]).status_code == 200  # no loop
    # Characters that need escaping survive the round trip without a second redirect.
    response = client.get("/opportunita/", query_string={"q": "caffè & co+ 100%", "sort": "newest"})
    assert response.status_code == 200
    assert client.get("/opportunita/?sort=relevance&km=").headers["Location"] == "/opportunita/"
    # A hand-written URL without empty fields is served as it is.
    assert client.get("/opportunita/?q=cucina&page=1").status_code == 200


def test_pages_and_sorts_keep_the_search(client, backend, db_session):
    org = factories.organization("Impresa dei Turni")
    rows = [factories.opportunity(org, title=f"Turno di lavoro {n:02d}") for n in range(23)]
    _index(backend, *rows)
    first = client.get("/opportunita/?q=turno&sort=newest")
    html = first.get_data(as_text=True)
    assert "23 opportunità" in _text(first)
    assert html.count('class="card card-bg app-result') == 20
    assert 'href="/opportunita/?q=turno&amp;sort=newest&amp;page=2"' in html
    second = client.get("/opportunita/?q=turno&sort=newest&page=2")
    html = second.get_data(as_text=True)
    assert html.count('class="card card-bg app-result') == 3
    assert 'aria-current="page"' in html and 'rel="prev"' in html
    assert re.search(r'<option value="newest" selected>', html)
    # Beyond the last page: a way back to the first.
    beyond = client.get("/opportunita/?q=turno&page=9")
    assert "Questa pagina non ha risultati." in _text(beyond)


def test_the_page_reads_the_embedded_backend_the_same_way(app, client, db_session, tmp_path, monkeypatch):
    from sqlalchemy import create_engine

    from search.embedded import EmbeddedBackend

    embedded = EmbeddedBackend(create_engine(f"sqlite:///{tmp_path / 'search.sqlite3'}"))
    embedded.ensure_indexes()
    monkeypatch.setitem(app.extensions, "search", embedded)
    today = date.today()
    course = factories.opportunity(title="Corso di cucina", kind=OpportunityKind.COURSE, target_groups=["students"],
                                   start_date=today + timedelta(days=5))  # fmt: skip
    other = factories.opportunity(title="Magazziniere", start_date=today + timedelta(days=100))
    _index(embedded, course, other)
    response = client.get("/opportunita/?starting=30")
    text = _text(response)
    assert "1 opportunità" in text
    assert "Entro 30 giorni (1)" in text and "Entro 6 mesi (2)" in text and "Studenti (1)" in text
    assert client.get("/opportunita/suggerimenti?q=cuc").get_json()["suggestions"] == ["Corso di cucina"]
