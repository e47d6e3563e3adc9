"""Calendar downloads for workshop and course editions, parsed back with icalendar."""

from __future__ import annotations

from datetime import date, datetime, time

import icalendar
import pytest
from flask.testing import FlaskClient

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.opportunities.models import Edition, Opportunity, OpportunityKind, OpportunityStatus
from tests import factories
from tests.factories_relations import sign_in, user


def workshop(**fields) -> tuple[Opportunity, Edition, Edition]:
    opportunity = factories.opportunity(
        kind=OpportunityKind.WORKSHOP, title="Laboratorio di falegnameria", allowance_eur=None,
        schedule="lunedì e mercoledì", **fields,
    )  # fmt: skip
    timed = Edition(
        opportunity=opportunity, label="Primavera", starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 3),
        start_time=time(9, 30), end_time=time(13), place="Sala civica, via Verdi 2", municipality_code="015108",
        seats=8,
    )  # fmt: skip
    all_day = Edition(opportunity=opportunity, starts_on=date(2027, 5, 10), ends_on=date(2027, 5, 11), seats=4)
    db.session.add_all([timed, all_day])
    db.session.flush()
    return opportunity, timed, all_day


def calendar_from(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.data)


def events_of(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    return list(calendar.walk("VEVENT"))


def test_all_editions_in_one_file(client: FlaskClient) -> None:
    opportunity, _, _ = workshop()
    response = client.get(f"/opportunita/{opportunity.id}/edizioni.ics")
    calendar = calendar_from(response)
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="opportunita-{opportunity.id}-edizioni.ics"'
    )
    events = events_of(calendar)
    assert len(events) == 2
    first, second = events
    assert str(first["SUMMARY"]) == "Laboratorio di falegnameria – Primavera"
    assert str(second["SUMMARY"]) == "Laboratorio di falegnameria"
    start, end = first.decoded("DTSTART"), first.decoded("DTEND")
    assert start == datetime(2027, 3, 1, 9, 30, tzinfo=start.tzinfo) and str(start.tzinfo) == "Europe/Rome"
    assert end.hour == 13 and end.date() == date(2027, 3, 1)
    assert first["DTSTART"].params["TZID"] == "Europe/Rome"
    rule = first["RRULE"]
    assert rule["FREQ"] == ["DAILY"] and rule["UNTIL"][0].date() == date(2027, 3, 3)
    assert str(first["LOCATION"]) == "Sala civica, via Verdi 2, Gorgonzola"
    assert str(first["URL"]).endswith(f"/opportunita/{opportunity.id}")
    assert "lunedì e mercoledì" in str(first["DESCRIPTION"])
    # Without times: an all-day event whose end is the day after the last one (RFC 5545).
    assert second.decoded("DTSTART") == date(2027, 5, 10) and second.decoded("DTEND") == date(2027, 5, 12)
    assert "RRULE" not in second
    # The time zone travels with the file, for calendars that do not know it.
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]


def test_one_edition_alone_and_the_same_uid_every_time(client: FlaskClient) -> None:
    opportunity, timed, _ = workshop()
    path = f"/opportunita/{opportunity.id}/edizioni/{timed.id}.ics"
    first = events_of(calendar_from(client.get(path)))
    again = events_of(calendar_from(client.get(path)))
    everything = events_of(calendar_from(client.get(f"/opportunita/{opportunity.id}/edizioni.ics")))
    assert len(first) == 1
    assert str(first[0]["UID"]) == str(again[0]["UID"]) == str(everything[0]["UID"])
    assert str(first[0]["UID"]) != str(everything[1]["UID"])
    response = client.get(path)
    assert f'filename="opportunita-{opportunity.id}-edizione-{timed.id}.ics"' in response.headers["Content-Disposition"]


def test_an_edition_of_another_opportunity_is_404(client: FlaskClient) -> None:
    opportunity, _, _ = workshop()
    _, foreign, _ = workshop()
    assert client.get(f"/opportunita/{opportunity.id}/edizioni/{foreign.id}.ics").status_code == 404
    assert client.get(f"/opportunita/{opportunity.id}/edizioni/99999999.ics").status_code == 404


def test_no_editions_no_calendar(client: FlaskClient) -> None:
    opportunity = factories.opportunity()
    assert client.get(f"/opportunita/{opportunity.id}/edizioni.ics").status_code == 404


def test_a_closed_workshop_still_gives_its_calendar(client: FlaskClient) -> None:
    opportunity, _, _ = workshop(status=OpportunityStatus.CLOSED)
    assert len(events_of(calendar_from(client.get(f"/opportunita/{opportunity.id}/edizioni.ics")))) == 2


@pytest.mark.parametrize("status", [OpportunityStatus.DRAFT, OpportunityStatus.IN_REVIEW, OpportunityStatus.ARCHIVED])
def test_unpublished_calendars_follow_the_page_rules(client: FlaskClient, status: OpportunityStatus) -> None:
    opportunity, timed, _ = workshop(status=status, published_at=None)
    for path in (
        f"/opportunita/{opportunity.id}/edizioni.ics",
        f"/opportunita/{opportunity.id}/edizioni/{timed.id}.ics",
    ):
        assert client.get(path).status_code == 404, path
    sign_in(client, user(Role.CANDIDATE))
    assert client.get(f"/opportunita/{opportunity.id}/edizioni.ics").status_code == 404
    sign_in(client, user(Role.COMPANY, organization_id=opportunity.organization_id))
    response = client.get(f"/opportunita/{opportunity.id}/edizioni.ics")
    assert len(events_of(calendar_from(response))) == 2
    assert response.headers["Cache-Control"] == "private, no-store"


def test_times_that_make_no_sense_give_an_all_day_event(client: FlaskClient) -> None:
    opportunity = factories.opportunity(kind=OpportunityKind.COURSE)
    odd = Edition(opportunity=opportunity, starts_on=date(2027, 6, 1), ends_on=date(2027, 6, 1),
                  start_time=time(18), end_time=time(9), seats=5)  # fmt: skip
    db.session.add(odd)
    db.session.flush()
    (event,) = events_of(calendar_from(client.get(f"/opportunita/{opportunity.id}/edizioni.ics")))
    assert event.decoded("DTSTART") == date(2027, 6, 1) and event.decoded("DTEND") == date(2027, 6, 2)
