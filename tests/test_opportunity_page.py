"""The opportunity page: what it shows, who sees it, its call to action and its notices.

Real PostgreSQL through the app; the structured data and the calendar have their own files.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

from marketplace.accounts.models import Role
from marketplace.candidates.models import EducationLevel
from marketplace.extensions import db
from marketplace.opportunities import page as detail_page
from marketplace.opportunities.models import (
    CLOSE_REASON_LABELS,
    CloseReason,
    Edition,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    TargetGroup,
)
from marketplace.opportunities.skills import SKILLS
from marketplace.organizations.models import Organization, Site
from tests import factories
from tests.factories_relations import sign_in, user

ROME_NOW = datetime.now(detail_page.ROME)


class Links(HTMLParser):
    """The page's links and its JSON-LD blocks, read the way a browser would."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
        if tag == "script" and values.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld[-1] += data


def links_of(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def page_of(client: FlaskClient, opportunity: Opportunity, expected: int = 200) -> str:
    response = client.get(f"/opportunita/{opportunity.id}")
    assert response.status_code == expected, response.status_code
    return response.get_data(as_text=True)


def full_opportunity(**fields) -> Opportunity:
    org = factories.organization("Cooperativa Sociale Il Ponte", website="https://ponte.example.org")
    place = Site(organization=org, municipality_code="015108", address="Via Milano 12", postal_code="20064",
                 latitude=45.54, longitude=9.41, label="Laboratorio di Gorgonzola")  # fmt: skip
    db.session.add(place)
    db.session.flush()
    skills = list(SKILLS.values())
    values = {
        "title": "Tirocinio in cucina",
        "description": "Aiuterai in cucina.\n\n- preparazione\n- **pulizia**\n\n<script>alert('x')</script>",
        "site_id": place.id,
        "kind": OpportunityKind.INTERNSHIP,
        "hours_per_week": 25,
        "schedule": "dal lunedì al venerdì, 9-14",
        "duration_months": 6,
        "end_date": date.today() + timedelta(days=220),
        "skills": [{"code": skills[0].code, "required": True}, {"code": "codice_sparito", "required": False}],
        "languages": [{"code": "en", "level": "B1"}],
        "target_groups": [TargetGroup.YOUNG_NEET.value, TargetGroup.DISABILITY.value],
        "education_level": EducationLevel.LOWER_SECONDARY,
        "driving_licence_required": True,
        "age_min": 18,
        "age_max": 29,
        "accessibility_notes": "Locali senza barriere architettoniche.",
        "contact_name": "Marta Colombo",
        "contact_email": "marta@ponte.example.org",
        "contact_phone": "+390291234567",
        "application_deadline": ROME_NOW.date() + timedelta(days=12),
        **fields,
    }
    return factories.opportunity(org, **values)


# -- what the page shows ----------------------------------------------------------------------


def test_a_published_page_shows_what_a_young_person_needs(client: FlaskClient) -> None:
    opportunity = full_opportunity()
    html = page_of(client, opportunity)
    skill = next(iter(SKILLS.values()))
    for expected in (
        "Tirocinio in cucina",
        "Tirocinio extracurricolare",
        "non è un contratto di lavoro",  # the kind, explained in one plain sentence
        "500 € al mese",
        "25 ore a settimana",
        "dal lunedì al venerdì, 9-14",
        "6 mesi",
        "Via Milano 12",
        "20064",
        "Gorgonzola",
        "Laboratorio di Gorgonzola",
        "mancano 12 giorni",
        "da 18 a 29 anni",
        "No, solo maggiorenni",
        "Giovani che non studiano e non lavorano (NEET)",
        "Persone con disabilità (L. 68/1999)",
        "almeno: Licenza media",
        "livello B1",
        "Serve la patente di guida",
        str(skill.label),
        "codice_sparito",
        "Locali senza barriere architettoniche.",
        "Marta Colombo",
        "+39 02 9123 4567",
    ):
        assert expected in html, expected
    assert "inglese" in html.lower()
    links = links_of(html)
    assert f"/organizzazioni/{opportunity.organization_id}" in links.hrefs
    assert any(href.startswith("https://www.openstreetmap.org/?mlat=45.54") for href in links.hrefs)
    assert "mailto:marta@ponte.example.org" in links.hrefs and "tel:+390291234567" in links.hrefs


def test_the_description_is_markdown_and_cannot_run_script(client: FlaskClient) -> None:
    html = page_of(client, full_opportunity())
    assert "<li><strong>pulizia</strong></li>" in html
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html or "&lt;script&gt;alert('x')" in html


def test_requirements_split_required_and_preferred_skills(client: FlaskClient) -> None:
    skill = next(iter(SKILLS.values()))
    html = page_of(client, full_opportunity())
    required = html.index("Competenze richieste")
    preferred = html.index("Competenze gradite")
    assert required < html.index(str(skill.label)) < preferred < html.index("codice_sparito")


def test_unpaid_opportunities_say_so(client: FlaskClient) -> None:
    opportunity = factories.opportunity(kind=OpportunityKind.VOLUNTEERING, allowance_eur=None)
    html = page_of(client, opportunity)
    assert "Non retribuita" in html and "al mese" not in html


@pytest.mark.parametrize(
    ("days", "text"),
    [(0, "Ultimo giorno: scade oggi"), (1, "manca 1 giorno"), (30, "mancano 30 giorni")],
)
def test_the_deadline_counts_the_days_left(client: FlaskClient, days: int, text: str) -> None:
    opportunity = factories.opportunity(application_deadline=ROME_NOW.date() + timedelta(days=days))
    assert text in page_of(client, opportunity)


def test_an_archived_organisation_is_named_but_not_linked(client: FlaskClient) -> None:
    org = factories.organization("Bar Sociale Chiuso", archived_at=ROME_NOW)
    opportunity = factories.opportunity(org)
    html = page_of(client, opportunity)
    assert "Bar Sociale Chiuso" in html
    assert f"/organizzazioni/{org.id}" not in links_of(html).hrefs


def test_without_a_site_the_page_names_the_comune(client: FlaskClient) -> None:
    html = page_of(client, factories.opportunity(municipality_code="015146"))  # Milano
    assert "Milano" in html


# -- the call to action -----------------------------------------------------------------------


def apply_path(opportunity: Opportunity) -> str:
    return f"/opportunita/{opportunity.id}/candidatura"


def test_anonymous_visitors_are_sent_to_login_then_back_to_apply(client: FlaskClient) -> None:
    opportunity = factories.opportunity()
    hrefs = links_of(page_of(client, opportunity)).hrefs
    assert f"/accedi?next=/opportunita/{opportunity.id}/candidatura" in hrefs, hrefs
    assert apply_path(opportunity) not in hrefs


def test_a_candidate_gets_the_apply_button(client: FlaskClient) -> None:
    opportunity = factories.opportunity()
    sign_in(client, user(Role.CANDIDATE))
    html = page_of(client, opportunity)
    assert apply_path(opportunity) in links_of(html).hrefs and "Candidati" in html


def test_an_operator_gets_the_apply_button_to_apply_for_a_person(client: FlaskClient) -> None:
    opportunity = factories.opportunity()
    sign_in(client, user(Role.OPERATOR, partner_id=factories.partner().id))
    assert apply_path(opportunity) in links_of(page_of(client, opportunity)).hrefs


def test_company_staff_get_no_apply_button(client: FlaskClient) -> None:
    opportunity = factories.opportunity()
    sign_in(client, user(Role.COMPANY, organization_id=opportunity.organization_id))
    hrefs = links_of(page_of(client, opportunity)).hrefs
    assert not any("candidatura" in href for href in hrefs)


def test_no_apply_button_once_the_deadline_has_passed(client: FlaskClient) -> None:
    opportunity = factories.opportunity(application_deadline=ROME_NOW.date() - timedelta(days=1))
    html = page_of(client, opportunity)
    assert not any("candidatura" in href for href in links_of(html).hrefs)
    assert "Il termine per candidarsi è scaduto." in html


# -- closed, drafts, archived -----------------------------------------------------------------


def test_a_closed_opportunity_keeps_its_page_with_the_reason_and_no_button(client: FlaskClient) -> None:
    closed_at = datetime(2026, 3, 2, 22, 30, tzinfo=detail_page.ROME)
    opportunity = factories.opportunity(
        status=OpportunityStatus.CLOSED, close_reason=CloseReason.FILLED, closed_at=closed_at
    )
    html = page_of(client, opportunity)
    assert "Questa opportunità è chiusa" in html
    assert str(CLOSE_REASON_LABELS[CloseReason.FILLED]) in html
    assert '<time datetime="2026-03-02">02/03/2026</time>' in html
    assert not any("candidatura" in href for href in links_of(html).hrefs)
    assert links_of(html).json_ld == [], "no structured data for a posting that takes no applications"


def _status_fixture(status: OpportunityStatus) -> tuple[Organization, Opportunity]:
    org = factories.organization("Officina Martesana")
    opportunity = factories.opportunity(org, status=status, published_at=None)
    return org, opportunity


def _who(role: str, org: Organization):
    other = factories.organization("Altra Azienda S.r.l.")
    return {
        "anonymous": None,
        "candidate": user(Role.CANDIDATE),
        "other_company": user(Role.COMPANY, organization_id=other.id),
        "own_company": user(Role.COMPANY, organization_id=org.id),
        "operator": user(Role.OPERATOR, partner_id=factories.partner().id),
        "partner_admin": user(Role.PARTNER_ADMIN, partner_id=factories.partner().id),
        "admin": user(Role.ADMIN),
    }[role]


HIDDEN_FROM = ("anonymous", "candidate", "other_company")
EDITORS = ("own_company", "operator", "partner_admin", "admin")


@pytest.mark.parametrize("status", [OpportunityStatus.DRAFT, OpportunityStatus.IN_REVIEW])
@pytest.mark.parametrize("role", HIDDEN_FROM)
def test_unpublished_opportunities_are_404_for_everybody_else(
    client: FlaskClient, status: OpportunityStatus, role: str
) -> None:
    org, opportunity = _status_fixture(status)
    sign_in(client, _who(role, org))
    page_of(client, opportunity, expected=404)


@pytest.mark.parametrize("status", [OpportunityStatus.DRAFT, OpportunityStatus.IN_REVIEW])
@pytest.mark.parametrize("role", EDITORS)
def test_its_editors_see_a_preview(client: FlaskClient, status: OpportunityStatus, role: str) -> None:
    org, opportunity = _status_fixture(status)
    sign_in(client, _who(role, org))
    response = client.get(f"/opportunita/{opportunity.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Anteprima: non ancora pubblicata." in html
    assert response.headers["Cache-Control"] == "private, no-store"
    assert '<meta name="robots" content="noindex">' in html
    assert links_of(html).json_ld == []
    assert not any("candidatura" in href for href in links_of(html).hrefs)


@pytest.mark.parametrize("role", HIDDEN_FROM)
def test_archived_opportunities_are_404_for_the_public(client: FlaskClient, role: str) -> None:
    org, opportunity = _status_fixture(OpportunityStatus.ARCHIVED)
    sign_in(client, _who(role, org))
    page_of(client, opportunity, expected=404)


@pytest.mark.parametrize("role", ("anonymous", "candidate", "other_company", "own_company", "operator"))
def test_published_and_closed_are_public(client: FlaskClient, role: str) -> None:
    org = factories.organization("Panificio Solidale")
    published = factories.opportunity(org)
    closed = factories.opportunity(org, status=OpportunityStatus.CLOSED, close_reason=CloseReason.WITHDRAWN)
    sign_in(client, _who(role, org))
    assert "Anteprima" not in page_of(client, published)
    assert "Ritirata dall&#39;organizzazione" in page_of(client, closed)


def test_an_unknown_opportunity_is_404(client: FlaskClient) -> None:
    assert client.get("/opportunita/987654321").status_code == 404


def test_editions_are_listed_with_calendar_links(client: FlaskClient) -> None:
    opportunity = factories.opportunity(kind=OpportunityKind.WORKSHOP, allowance_eur=None)
    first = Edition(
        opportunity=opportunity,
        label="Primavera",
        starts_on=date(2027, 3, 1),
        ends_on=date(2027, 3, 5),
        start_time=time(9, 30),
        end_time=time(13),
        place="Sala civica",
        municipality_code="015108",
        seats=8,
    )
    second = Edition(opportunity=opportunity, starts_on=date(2027, 5, 10), ends_on=date(2027, 5, 10), seats=1)
    db.session.add_all([first, second])
    db.session.flush()
    html = page_of(client, opportunity)
    assert "Primavera" in html and "Edizione 2" in html
    assert "dalle 09:30 alle 13:00" in html and "Sala civica, Gorgonzola" in html
    assert "8 posti" in html and "1 posto" in html
    hrefs = links_of(html).hrefs
    assert f"/opportunita/{opportunity.id}/edizioni/{first.id}.ics" in hrefs
    assert f"/opportunita/{opportunity.id}/edizioni/{second.id}.ics" in hrefs
    assert f"/opportunita/{opportunity.id}/edizioni.ics" in hrefs


def test_odd_stored_lists_do_not_break_the_page(client: FlaskClient) -> None:
    opportunity = factories.opportunity(
        languages=[{"level": "B2"}, {"code": "fr"}], target_groups=["gone_group", TargetGroup.STUDENTS.value]
    )
    html = page_of(client, opportunity)
    assert "francese" in html.lower() and "Studenti" in html and "gone_group" not in html
