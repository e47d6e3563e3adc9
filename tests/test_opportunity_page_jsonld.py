"""The schema.org JobPosting on the opportunity page, read back from the served HTML and checked
against Google's required and recommended JobPosting properties.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from marketplace.extensions import db
from marketplace.opportunities import page as detail_page
from marketplace.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus
from marketplace.organizations.models import Site
from tests import factories
from tests.test_opportunity_page import links_of

# Google's JobPosting employmentType values.
GOOGLE_EMPLOYMENT_TYPES = {
    "FULL_TIME",
    "PART_TIME",
    "CONTRACTOR",
    "TEMPORARY",
    "INTERN",
    "VOLUNTEER",
    "PER_DIEM",
    "OTHER",
}
SALARY_UNITS = {"HOUR", "DAY", "WEEK", "MONTH", "YEAR"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_moment(value: str) -> datetime:
    """A schema.org Date or DateTime; a DateTime must say its offset (Google reads it literally)."""
    if ISO_DATE.match(value):
        return datetime.fromisoformat(value).replace(tzinfo=detail_page.ROME)
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None, f"{value} has no UTC offset"
    return moment


def job_posting_problems(data: dict[str, Any]) -> list[str]:
    """What Google's structured-data check would flag in a JobPosting (required, then recommended)."""
    problems: list[str] = []

    def need(condition: bool, message: str) -> None:
        if not condition:
            problems.append(message)

    need(data.get("@context") in {"https://schema.org/", "https://schema.org", "http://schema.org"}, "@context")
    need(data.get("@type") == "JobPosting", "@type")
    for key in ("title", "description"):
        need(isinstance(data.get(key), str) and bool(data[key].strip()), f"{key} missing")
    posted = None
    try:
        posted = _parse_moment(data["datePosted"])
    except (KeyError, TypeError, ValueError, AssertionError):
        problems.append("datePosted missing or not ISO 8601")
    hiring = data.get("hiringOrganization") or {}
    need(hiring.get("@type") == "Organization" and bool(hiring.get("name")), "hiringOrganization.name")
    if "sameAs" in hiring:
        need(str(hiring["sameAs"]).startswith(("http://", "https://")), "hiringOrganization.sameAs is not a URL")
    locations = data.get("jobLocation")
    locations = locations if isinstance(locations, list) else [locations]
    for location in locations:
        location = location or {}
        address = location.get("address") or {}
        need(location.get("@type") == "Place", "jobLocation.@type")
        need(address.get("@type") == "PostalAddress", "jobLocation.address.@type")
        need(re.fullmatch(r"[A-Z]{2}", str(address.get("addressCountry", ""))) is not None, "addressCountry")
        need(any(address.get(k) for k in ("addressLocality", "addressRegion", "postalCode")), "address is empty")
        if "geo" in location:
            geo = location["geo"]
            need(geo.get("@type") == "GeoCoordinates", "geo.@type")
            need(-90 <= float(geo.get("latitude", 999)) <= 90, "geo.latitude")
            need(-180 <= float(geo.get("longitude", 999)) <= 180, "geo.longitude")
    # Recommended.
    if "validThrough" in data:
        try:
            through = _parse_moment(data["validThrough"])
            need(posted is None or through >= posted, "validThrough before datePosted")
        except (TypeError, ValueError, AssertionError):
            problems.append("validThrough not ISO 8601 with offset")
    kinds = data.get("employmentType")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    need(all(kind in GOOGLE_EMPLOYMENT_TYPES for kind in kinds), f"employmentType {kinds}")
    if "baseSalary" in data:
        salary = data["baseSalary"]
        value = salary.get("value") or {}
        need(salary.get("@type") == "MonetaryAmount", "baseSalary.@type")
        need(re.fullmatch(r"[A-Z]{3}", str(salary.get("currency", ""))) is not None, "baseSalary.currency")
        need(value.get("@type") == "QuantitativeValue", "baseSalary.value.@type")
        need(value.get("unitText") in SALARY_UNITS, "baseSalary.value.unitText")
        amounts = [value.get(k) for k in ("value", "minValue", "maxValue") if k in value]
        need(bool(amounts) and all(isinstance(a, int | float) and a > 0 for a in amounts), "baseSalary amount")
    if "directApply" in data:
        need(isinstance(data["directApply"], bool), "directApply is not a boolean")
    if "identifier" in data:
        need(data["identifier"].get("@type") == "PropertyValue" and data["identifier"].get("value"), "identifier")
    if "totalJobOpenings" in data:
        need(isinstance(data["totalJobOpenings"], int) and data["totalJobOpenings"] > 0, "totalJobOpenings")
    return problems


def json_ld_of(client: FlaskClient, opportunity: Opportunity) -> dict[str, Any]:
    response = client.get(f"/opportunita/{opportunity.id}")
    assert response.status_code == 200
    blocks = links_of(response.get_data(as_text=True)).json_ld
    assert len(blocks) == 1, blocks
    return json.loads(blocks[0])


def paid_internship_with_site() -> Opportunity:
    org = factories.organization("Logistica Adda S.p.A.", website="https://logistica-adda.example.it",
                                 address="Via Roma 1")  # fmt: skip
    place = Site(organization=org, municipality_code="015108", address="Via Milano 12", postal_code="20064",
                 latitude=45.5401, longitude=9.4072)  # fmt: skip
    db.session.add(place)
    db.session.flush()
    return factories.opportunity(
        org, site_id=place.id, title="Tirocinio in magazzino", allowance_eur=600, seats=3,
        description="Carico e **scarico** merci.\n\n- muletto\n- inventario",
        application_deadline=date.today() + timedelta(days=20),
    )  # fmt: skip


def test_the_served_json_ld_passes_the_job_posting_check(client: FlaskClient) -> None:
    opportunity = paid_internship_with_site()
    data = json_ld_of(client, opportunity)
    assert job_posting_problems(data) == []
    assert data["title"] == "Tirocinio in magazzino"
    assert "<strong>scarico</strong>" in data["description"] and "<li>muletto</li>" in data["description"]
    assert data["employmentType"] == "INTERN"
    assert data["hiringOrganization"] == {
        "@type": "Organization", "name": "Logistica Adda S.p.A.", "sameAs": "https://logistica-adda.example.it",
    }  # fmt: skip
    assert data["jobLocation"]["address"] == {
        "@type": "PostalAddress", "streetAddress": "Via Milano 12", "addressLocality": "Gorgonzola",
        "postalCode": "20064", "addressRegion": "MI", "addressCountry": "IT",
    }  # fmt: skip
    assert data["jobLocation"]["geo"] == {"@type": "GeoCoordinates", "latitude": 45.5401, "longitude": 9.4072}
    assert data["baseSalary"] == {
        "@type": "MonetaryAmount", "currency": "EUR",
        "value": {"@type": "QuantitativeValue", "value": 600.0, "unitText": "MONTH"},
    }  # fmt: skip
    assert data["directApply"] is True
    assert data["identifier"]["value"] == str(opportunity.id)
    assert data["totalJobOpenings"] == 3
    assert data["url"].endswith(f"/opportunita/{opportunity.id}")


def test_dates_are_the_publication_day_and_the_deadline_end_of_day_in_rome(client: FlaskClient) -> None:
    # 23:30 UTC on 31 March is already 1 April in Rome (summer time, UTC+2).
    published = datetime(2026, 3, 31, 23, 30, tzinfo=detail_page.ZoneInfo("UTC"))
    opportunity = factories.opportunity(published_at=published, application_deadline=date(2026, 4, 30))
    data = json_ld_of(client, opportunity)
    assert data["datePosted"] == "2026-04-01"
    assert data["validThrough"] == "2026-04-30T23:59:59+02:00"
    winter = factories.opportunity(published_at=published, application_deadline=date(2026, 12, 1))
    assert json_ld_of(client, winter)["validThrough"] == "2026-12-01T23:59:59+01:00"


def test_unpaid_opportunities_have_no_salary(client: FlaskClient) -> None:
    data = json_ld_of(client, factories.opportunity(kind=OpportunityKind.VOLUNTEERING, allowance_eur=None))
    assert job_posting_problems(data) == []
    assert "baseSalary" not in data and data["employmentType"] == "VOLUNTEER"


def test_without_a_site_the_address_is_the_comune(client: FlaskClient) -> None:
    data = json_ld_of(client, factories.opportunity(municipality_code="015146"))
    assert job_posting_problems(data) == []
    assert data["jobLocation"]["address"]["addressLocality"] == "Milano"
    assert "geo" not in data["jobLocation"]


def test_without_any_place_the_registered_office_is_used(client: FlaskClient) -> None:
    org = factories.organization("Studio Grafico Martesana", address="Piazza Italia 3", municipality_code="015108")
    data = json_ld_of(client, factories.opportunity(org, municipality_code=None))
    assert job_posting_problems(data) == []
    assert data["jobLocation"]["address"]["streetAddress"] == "Piazza Italia 3"


def test_a_website_that_is_not_a_url_is_left_out(client: FlaskClient) -> None:
    org = factories.organization("Forno di Melzo", website="javascript:alert(1)")
    data = json_ld_of(client, factories.opportunity(org))
    assert "sameAs" not in data["hiringOrganization"]


@pytest.mark.parametrize(
    ("kind", "hours", "expected"),
    [
        (OpportunityKind.INTERNSHIP, None, "INTERN"),
        (OpportunityKind.INCLUSION_INTERNSHIP, 20, "INTERN"),
        (OpportunityKind.CURRICULAR_STAGE, None, "INTERN"),
        (OpportunityKind.PCTO, None, "INTERN"),
        (OpportunityKind.WORK_GRANT, None, "INTERN"),
        (OpportunityKind.VOLUNTEERING, 4, "VOLUNTEER"),
        (OpportunityKind.JOB, 20, "PART_TIME"),
        (OpportunityKind.JOB, 29, "PART_TIME"),
        (OpportunityKind.JOB, 30, "FULL_TIME"),
        (OpportunityKind.JOB, None, "FULL_TIME"),
        (OpportunityKind.APPRENTICESHIP, 40, "FULL_TIME"),
        (OpportunityKind.APPRENTICESHIP, 24, "PART_TIME"),
        (OpportunityKind.COURSE, 10, "OTHER"),
        (OpportunityKind.WORKSHOP, None, "OTHER"),
        (OpportunityKind.GUIDANCE, None, "OTHER"),
    ],
)
def test_employment_type_follows_the_kind_and_hours(
    client: FlaskClient, kind: OpportunityKind, hours: int | None, expected: str
) -> None:
    data = json_ld_of(client, factories.opportunity(kind=kind, hours_per_week=hours))
    assert data["employmentType"] == expected
    assert job_posting_problems(data) == []


def test_every_kind_has_an_employment_type() -> None:
    for kind in OpportunityKind:
        assert detail_page.employment_type(Opportunity(kind=kind)) in detail_page.EMPLOYMENT_TYPES


def test_a_title_cannot_break_out_of_the_script_element(client: FlaskClient) -> None:
    title = "</script><script>alert(1)</script>"
    opportunity = factories.opportunity(title=title, description="Fine </SCRIPT > <!-- e & \u2028")
    html = client.get(f"/opportunita/{opportunity.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    blocks = links_of(html).json_ld
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["title"] == title, "the title survives intact once parsed"
    assert "</" not in blocks[0] and "<!--" not in blocks[0]
    assert job_posting_problems(data) == []


def test_the_checker_itself_catches_broken_postings() -> None:
    """Our checker must be able to fail, or the tests above prove nothing."""
    assert "hiringOrganization.name" in job_posting_problems({"@type": "JobPosting"})
    bad = {
        "@context": "https://schema.org/", "@type": "JobPosting", "title": "x", "description": "y",
        "datePosted": "2026-05-10", "validThrough": "2026-05-01T23:59:59+02:00", "employmentType": "STAGE",
        "hiringOrganization": {"@type": "Organization", "name": "z"},
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Melzo"}},
        "baseSalary": {"@type": "MonetaryAmount", "currency": "EUR", "value": {"@type": "QuantitativeValue"}},
    }  # fmt: skip
    problems = job_posting_problems(bad)
    for expected in ("validThrough before datePosted", "employmentType ['STAGE']", "addressCountry",
                     "baseSalary.value.unitText", "baseSalary amount"):  # fmt: skip
        assert expected in problems, (expected, problems)


@pytest.mark.parametrize("status", [OpportunityStatus.CLOSED, OpportunityStatus.DRAFT])
def test_only_published_opportunities_carry_structured_data(client: FlaskClient, status: OpportunityStatus) -> None:
    from marketplace.accounts.models import Role
    from tests.factories_relations import sign_in, user

    opportunity = factories.opportunity(status=status)
    sign_in(client, user(Role.ADMIN))
    html = client.get(f"/opportunita/{opportunity.id}").get_data(as_text=True)
    assert links_of(html).json_ld == []
