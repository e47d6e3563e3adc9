"""What an opportunity's public page shows: plain facts, its schema.org JobPosting and its calendar.

The view stays thin: it asks `build()` for a `DetailPage` and renders it. The structured data
and the calendar are built here from the same facts, so the page, the search engines and the
young person's calendar never disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import icalendar
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from marketplace.candidates.models import EDUCATION_LABELS
from marketplace.common.identifiers import phone_for_display
from marketplace.common.markdown import markdown_to_text, render_markdown
from marketplace.opportunities import policy
from marketplace.opportunities.languages import language_name
from marketplace.opportunities.models import (
    CLOSE_REASON_LABELS,
    OPPORTUNITY_KIND_LABELS,
    OPPORTUNITY_STATUS_LABELS,
    TARGET_GROUP_LABELS,
    Edition,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    TargetGroup,
)
from marketplace.opportunities.skills import SKILLS

ROME = ZoneInfo("Europe/Rome")
# Every comune on the platform is in the Città metropolitana di Milano.
REGION_CODE = "MI"
COUNTRY_CODE = "IT"
# Under this many hours a week a job is part-time (the usual Italian full-time week is 36-40 hours).
PART_TIME_BELOW_HOURS = 30

# One plain sentence per kind, for a young person who has never heard the bureaucratic name.
KIND_EXPLANATIONS = {
    OpportunityKind.INTERNSHIP: _l(
        "Un periodo in azienda per imparare un lavoro facendolo, seguito da un tutor e con un'indennità: "
        "non è un contratto di lavoro."
    ),
    OpportunityKind.INCLUSION_INTERNSHIP: _l(
        "Un tirocinio su misura per chi è seguito dai servizi sociali o sanitari, per riavvicinarsi al lavoro "
        "con calma e con un tutor al fianco."
    ),
    OpportunityKind.WORK_GRANT: _l(
        "Un'esperienza pratica in un'organizzazione, sostenuta da un contributo economico, per imparare un mestiere "
        "e farsi conoscere."
    ),
    OpportunityKind.CURRICULAR_STAGE: _l(
        "Uno stage che fa parte del tuo corso di studi e si organizza insieme alla tua scuola o università."
    ),
    OpportunityKind.PCTO: _l(
        "Un'esperienza fuori dalla scuola per studenti delle superiori, organizzata con la scuola, che conta per "
        "il tuo percorso."
    ),
    OpportunityKind.WORKSHOP: _l(
        "Un laboratorio pratico in piccolo gruppo per provare un mestiere con le mani e scoprire cosa ti piace."
    ),
    OpportunityKind.VOLUNTEERING: _l(
        "Un'attività gratuita a favore della comunità, per fare esperienza e conoscere persone nuove."
    ),
    OpportunityKind.COURSE: _l("Un corso per imparare competenze utili al lavoro, spesso con un attestato finale."),
    OpportunityKind.GUIDANCE: _l(
        "Incontri con un orientatore per capire cosa sai fare, cosa ti piace e quale strada prendere."
    ),
    OpportunityKind.APPRENTICESHIP: _l(
        "Un vero contratto di lavoro con stipendio che include la formazione: lavori e intanto impari un mestiere."
    ),
    OpportunityKind.JOB: _l("Un contratto di lavoro con uno stipendio."),
}

# schema.org employmentType values (Google's JobPosting enumeration).
EMPLOYMENT_TYPES = frozenset(
    {"FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER"}
)
_FIXED_EMPLOYMENT_TYPE = {
    OpportunityKind.INTERNSHIP: "INTERN",
    OpportunityKind.INCLUSION_INTERNSHIP: "INTERN",
    OpportunityKind.CURRICULAR_STAGE: "INTERN",
    OpportunityKind.PCTO: "INTERN",
    OpportunityKind.WORK_GRANT: "INTERN",
    OpportunityKind.VOLUNTEERING: "VOLUNTEER",
    OpportunityKind.COURSE: "OTHER",
    OpportunityKind.WORKSHOP: "OTHER",
    OpportunityKind.GUIDANCE: "OTHER",
}


def rome_today() -> date:
    """Deadlines are Italian calendar days, whatever the server's clock zone."""
    return datetime.now(ROME).date()


# -- the facts the page shows ---------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    locality: str | None
    street: str | None = None
    postal_code: str | None = None
    label: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def has_geo(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def map_url(self) -> str | None:
        """An OpenStreetMap link: the exact point when the site has one, else a search for the address."""
        if self.has_geo:
            return "https://www.openstreetmap.org/?" + urlencode(
                {"mlat": f"{self.latitude:.6f}", "mlon": f"{self.longitude:.6f}", "zoom": "17"}
            )
        if self.street and self.locality:
            return "https://www.openstreetmap.org/search?" + urlencode({"query": f"{self.street}, {self.locality}"})
        return None


@dataclass(frozen=True)
class Deadline:
    day: date
    days_left: int

    @property
    def passed(self) -> bool:
        return self.days_left < 0


@dataclass(frozen=True)
class ApplyAction:
    url: str
    needs_login: bool


@dataclass(frozen=True)
class EditionView:
    edition: Edition
    place: str
    locality: str | None
    ics_url: str


@dataclass
class DetailPage:
    opportunity: Opportunity
    kind_label: str
    kind_explanation: str
    status_label: str
    preview: bool  # not (or no longer) public: only its editors get here
    closed: bool
    close_reason: str | None
    closed_on: date | None
    organization_url: str | None
    place: Place | None
    deadline: Deadline | None
    target_groups: list[str]
    education: str | None
    languages: list[tuple[str, str]]
    required_skills: list[str]
    preferred_skills: list[str]
    contact_phone: str | None
    editions: list[EditionView] = field(default_factory=list)
    all_editions_ics_url: str | None = None
    apply: ApplyAction | None = None
    json_ld: Markup | None = None


def place_of(opportunity: Opportunity) -> Place | None:
    """Where it happens: the organisation's site when one is named, else just the comune."""
    site = opportunity.site
    if site is not None:
        return Place(
            locality=site.municipality.name if site.municipality else None,
            street=site.address,
            postal_code=site.postal_code,
            label=site.label or None,
            latitude=site.latitude,
            longitude=site.longitude,
        )
    if opportunity.municipality is not None:
        return Place(locality=opportunity.municipality.name)
    return None


def deadline_of(opportunity: Opportunity, today: date) -> Deadline | None:
    if opportunity.application_deadline is None:
        return None
    return Deadline(opportunity.application_deadline, (opportunity.application_deadline - today).days)


def _skill_labels(codes: list[str]) -> list[str]:
    # A code no longer in the list still says something: show it rather than drop it.
    return [str(SKILLS[code].label) if code in SKILLS else code for code in codes]


def _target_group_labels(values: list[str]) -> list[str]:
    labels = []
    for value in values or ():
        try:
            labels.append(str(TARGET_GROUP_LABELS[TargetGroup(value)]))
        except ValueError:
            continue  # a value from an older list: nothing sensible to show
    return labels


def _organization_url(opportunity: Opportunity) -> str | None:
    # Archived organisations have no public page (it answers 404): do not link to it.
    organization = opportunity.organization
    if organization.archived_at is not None:
        return None
    return url_for("organizations.page", organization_id=organization.id)


def apply_action(opportunity: Opportunity, user: Any, deadline: Deadline | None) -> ApplyAction | None:
    """The call to action, only while applying is possible and for those who may apply."""
    if opportunity.status != OpportunityStatus.PUBLISHED or (deadline is not None and deadline.passed):
        return None
    # The applications blueprint may be absent in a given installation: no button rather than a broken link.
    if "applications.apply" not in current_app.view_functions:
        return None
    url = url_for("applications.apply", opportunity_id=opportunity.id)
    if not user.is_authenticated:
        return ApplyAction(url_for("accounts.login", next=url), needs_login=True)
    # Company staff never apply; candidates apply for themselves, network staff for the people they follow.
    if user.role.value == "candidate" or policy.is_network_staff(user):
        return ApplyAction(url, needs_login=False)
    return None


def _edition_views(opportunity: Opportunity) -> list[EditionView]:
    return [
        EditionView(
            edition=edition,
            place=edition.place,
            locality=edition.municipality.name if edition.municipality else None,
            ics_url=url_for("opportunities.editions_ics", opportunity_id=opportunity.id, edition_id=edition.id),
        )
        for edition in opportunity.editions
    ]


def build(opportunity: Opportunity, user: Any, *, today: date) -> DetailPage:
    deadline = deadline_of(opportunity, today)
    status = opportunity.status
    closed_on = opportunity.closed_at.astimezone(ROME).date() if opportunity.closed_at else None
    editions = _edition_views(opportunity)
    page = DetailPage(
        opportunity=opportunity,
        kind_label=str(OPPORTUNITY_KIND_LABELS[opportunity.kind]),
        kind_explanation=str(KIND_EXPLANATIONS[opportunity.kind]),
        status_label=str(OPPORTUNITY_STATUS_LABELS[status]),
        preview=status.value not in policy.PUBLIC_STATUSES,
        closed=status == OpportunityStatus.CLOSED,
        close_reason=str(CLOSE_REASON_LABELS[opportunity.close_reason]) if opportunity.close_reason else None,
        closed_on=closed_on,
        organization_url=_organization_url(opportunity),
        place=place_of(opportunity),
        deadline=deadline,
        target_groups=_target_group_labels(opportunity.target_groups),
        education=str(EDUCATION_LABELS[opportunity.education_level]) if opportunity.education_level else None,
        languages=[
            (language_name(item["code"]), item.get("level") or "")
            for item in opportunity.languages or ()
            if item.get("code")
        ],
        required_skills=_skill_labels(opportunity.required_skill_codes),
        preferred_skills=_skill_labels(opportunity.preferred_skill_codes),
        contact_phone=phone_for_display(opportunity.contact_phone),
        editions=editions,
        all_editions_ics_url=(
            url_for("opportunities.editions_ics", opportunity_id=opportunity.id) if editions else None
        ),
        apply=apply_action(opportunity, user, deadline),
    )
    if status == OpportunityStatus.PUBLISHED:
        page_url = url_for("opportunities.detail", opportunity_id=opportunity.id, _external=True)
        posting = job_posting(opportunity, page_url=page_url, direct_apply=_can_apply_here())
        page.json_ld = json_ld_script(posting)
    return page


def _can_apply_here() -> bool:
    # directApply: the application is completed on this site, not on some other page.
    return "applications.apply" in current_app.view_functions


# -- schema.org JobPosting ------------------------------------------------------------------


def employment_type(opportunity: Opportunity) -> str:
    fixed = _FIXED_EMPLOYMENT_TYPE.get(opportunity.kind)
    if fixed:
        return fixed
    # Jobs and apprenticeships are contracts: full- or part-time by the weekly hours (unknown → full-time,
    # the common case for both in Italy).
    hours = opportunity.hours_per_week
    return "PART_TIME" if hours is not None and hours < PART_TIME_BELOW_HOURS else "FULL_TIME"


def _end_of_day(day: date) -> str:
    return datetime.combine(day, time(23, 59, 59), tzinfo=ROME).isoformat()


def _posted_on(opportunity: Opportunity) -> date:
    moment = opportunity.published_at or opportunity.created_at
    return moment.astimezone(ROME).date() if moment.tzinfo else moment.date()


def _postal_address(opportunity: Opportunity) -> tuple[dict[str, Any], Place | None]:
    place = place_of(opportunity)
    organization = opportunity.organization
    if place is None and organization.municipality is not None:
        # No site and no comune on the opportunity: the registered office is the best address known.
        place = Place(locality=organization.municipality.name, street=organization.address)
    address: dict[str, Any] = {"@type": "PostalAddress"}
    if place is not None:
        if place.street:
            address["streetAddress"] = place.street
        if place.locality:
            address["addressLocality"] = place.locality
        if place.postal_code:
            address["postalCode"] = place.postal_code
    address["addressRegion"] = REGION_CODE
    address["addressCountry"] = COUNTRY_CODE
    return address, place


def job_posting(opportunity: Opportunity, *, page_url: str, direct_apply: bool) -> dict[str, Any]:
    """The schema.org JobPosting that search engines read (Google's required and recommended properties)."""
    organization = opportunity.organization
    hiring: dict[str, Any] = {"@type": "Organization", "name": organization.name}
    if organization.website and organization.website.lower().startswith(("http://", "https://")):
        hiring["sameAs"] = organization.website
    address, place = _postal_address(opportunity)
    location: dict[str, Any] = {"@type": "Place", "address": address}
    if place is not None and place.has_geo:
        location["geo"] = {"@type": "GeoCoordinates", "latitude": place.latitude, "longitude": place.longitude}
    posted = _posted_on(opportunity)
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": opportunity.title,
        # Google accepts (and shows) simple HTML here: the same sanitised HTML as the page.
        "description": str(render_markdown(opportunity.description)) or opportunity.title,
        "datePosted": posted.isoformat(),
        "employmentType": employment_type(opportunity),
        "hiringOrganization": hiring,
        "jobLocation": location,
        "directApply": direct_apply,
        "identifier": {"@type": "PropertyValue", "name": organization.name, "value": str(opportunity.id)},
        "totalJobOpenings": opportunity.seats,
        "url": page_url,
    }
    if opportunity.application_deadline and opportunity.application_deadline >= posted:
        data["validThrough"] = _end_of_day(opportunity.application_deadline)
    if opportunity.start_date:
        data["jobStartDate"] = opportunity.start_date.isoformat()
    if opportunity.hours_per_week:
        data["workHours"] = _("%(hours)s ore a settimana", hours=opportunity.hours_per_week)
    if opportunity.is_paid:
        data["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": "EUR",
            "value": {"@type": "QuantitativeValue", "value": float(opportunity.allowance_eur), "unitText": "MONTH"},
        }
    if opportunity.education_level is not None:
        data["educationRequirements"] = str(EDUCATION_LABELS[opportunity.education_level])
    return data


# Characters that could end the <script> element or start markup inside it, as JSON escapes.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_ld_script(data: dict[str, Any]) -> Markup:
    """JSON to put inside <script type="application/ld+json">: no author text can close the element."""
    return Markup(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE))  # escaped just above


# -- calendar -------------------------------------------------------------------------------


def _edition_event(opportunity: Opportunity, edition: Edition, *, page_url: str, uid_domain: str) -> icalendar.Event:
    event = icalendar.Event()
    # Stable across downloads, so importing the file again updates the event instead of duplicating it.
    event.add("uid", f"opportunita-{opportunity.id}-edizione-{edition.id}@{uid_domain}")
    event.add("dtstamp", datetime.now(ROME))
    summary = opportunity.title if not edition.label else f"{opportunity.title} – {edition.label}"
    event.add("summary", summary)
    if edition.start_time and edition.end_time and edition.end_time > edition.start_time:
        event.add("dtstart", datetime.combine(edition.starts_on, edition.start_time, tzinfo=ROME))
        event.add("dtend", datetime.combine(edition.starts_on, edition.end_time, tzinfo=ROME))
        if edition.ends_on > edition.starts_on:
            # The same hours on each day of the edition; the exact days are in the description.
            until = datetime.combine(edition.ends_on, edition.end_time, tzinfo=ROME).astimezone(ZoneInfo("UTC"))
            event.add("rrule", {"freq": "daily", "until": until})
    else:
        event.add("dtstart", edition.starts_on)
        event.add("dtend", edition.ends_on + timedelta(days=1))  # all-day events end the day after
    location = ", ".join(part for part in (edition.place, edition.municipality and edition.municipality.name) if part)
    if location:
        event.add("location", location)
    event.add("url", page_url)
    details = [opportunity.organization.name]
    if opportunity.schedule:
        details.append(_("Orari: %(schedule)s", schedule=opportunity.schedule))
    details.append(page_url)
    event.add("description", "\n".join(details))
    return event


def editions_calendar(opportunity: Opportunity, editions: list[Edition], *, page_url: str, uid_domain: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Opportunità//Edizioni//IT")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", opportunity.title)
    for edition in editions:
        calendar.add_component(_edition_event(opportunity, edition, page_url=page_url, uid_domain=uid_domain))
    # Calendars that do not know Europe/Rome get its rules in the file.
    calendar.add_missing_timezones()
    return calendar.to_ical()


def plain_summary(opportunity: Opportunity, limit: int = 160) -> str:
    """A short plain-text description for the page's meta description."""
    text = " ".join(markdown_to_text(opportunity.description).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
