"""Typed search requests and results, shared by the web pages and the JSON API.

Every field is validated here, so whatever a user typed reaches a backend only as a
well-formed query: no string can break one.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

MAX_PER_PAGE = 100
# Plain offsets stop here (Elasticsearch's max_result_window); deeper pages use a cursor.
MAX_OFFSET = 10_000
OPERATOR_ROLES = frozenset({"operator", "partner_admin", "admin"})


class QueryError(ValueError):
    """A query that cannot be run as asked (bad paging, unknown sort, no permission)."""


class SearchUnavailable(RuntimeError):
    """The search engine cannot answer now (down, overloaded); pages degrade, never crash."""


@dataclass(frozen=True)
class GeoFilter:
    latitude: float
    longitude: float
    radius_km: float
    # The comune (ISTAT code) the circle is centred on, when it is one: lets a query become a URL again.
    place: str | None = None

    def __post_init__(self) -> None:
        if not (-90 <= self.latitude <= 90 and -180 <= self.longitude <= 180 and 0 < self.radius_km <= 500):
            raise QueryError("invalid place or radius")


@dataclass(frozen=True)
class Paging:
    """Page numbers for shallow pages; `after` (the previous page's cursor) for deep ones."""

    page: int = 1
    per_page: int = 20
    after: tuple[Any, ...] | None = None

    def _check_paging(self, sorts: tuple[str, ...], sort: str, near: GeoFilter | None) -> None:
        if self.page < 1:
            raise QueryError("page must be >= 1")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise QueryError("per_page out of range")
        if self.after is None and self.page * self.per_page > MAX_OFFSET:
            raise QueryError("page too deep: continue with the cursor")
        if sort not in sorts:
            raise QueryError("unknown sort")
        if sort == "closest" and near is None:
            raise QueryError("closest needs a place")

    @property
    def offset(self) -> int:
        return 0 if self.after is not None else (self.page - 1) * self.per_page


OpportunitySort = Literal["relevance", "newest", "closest", "deadline"]
OPPORTUNITY_SORTS: tuple[str, ...] = ("relevance", "newest", "closest", "deadline")
# The "starting within" facet's buckets, in days.
STARTING_WITHIN_DAYS: tuple[int, ...] = (30, 90, 180)
# Its name among the facets; its values are those days as strings.
STARTING_FACET = "starting_within"


@dataclass(frozen=True)
class OpportunityQuery(Paging):
    """Public search: only published opportunities whose deadline has not passed."""

    text: str = ""
    kinds: tuple[str, ...] = ()
    sector_section: str | None = None
    district: str | None = None
    municipality_code: str | None = None
    near: GeoFilter | None = None
    paid: bool | None = None
    minors_allowed: bool | None = None
    starts_before: date | None = None
    # Any of these groups (TargetGroup values).
    target_groups: tuple[str, ...] = ()
    # Starting between today and today + N days: one of STARTING_WITHIN_DAYS.
    starting_within_days: int | None = None
    # Published after this instant (saved-search alerts: "new since the last digest").
    published_after: datetime | None = None
    sort: OpportunitySort = "relevance"
    today: date | None = None

    def __post_init__(self) -> None:
        if self.starting_within_days is not None and self.starting_within_days not in STARTING_WITHIN_DAYS:
            raise QueryError("starting_within_days must be one of 30, 90, 180")
        if self.published_after is not None and self.published_after.tzinfo is None:
            raise QueryError("published_after needs a time zone")
        self._check_paging(OPPORTUNITY_SORTS, self.sort, self.near)

    @property
    def day(self) -> date:
        return self.today or date.today()

    def starting_window(self) -> tuple[date, date] | None:
        """The start dates (inclusive) that "starting within N days" accepts."""
        if self.starting_within_days is None:
            return None
        return self.day, self.day + timedelta(days=self.starting_within_days)


OrganizationSort = Literal["relevance", "name", "closest", "newest", "last_contact"]
ORGANIZATION_SORTS: tuple[str, ...] = ("relevance", "name", "closest", "newest", "last_contact")
MAX_MONTHS_WITHOUT_CONTACT = 120
# A P.IVA (11 digits, maybe written "IT …") or a codice fiscale (16 characters) typed in the query box.
IDENTIFIER = re.compile(r"(?:IT)?([0-9]{11})|([A-Z0-9]{16})")


def typed_identifier(text: str) -> str | None:
    """The P.IVA or codice fiscale that `text` is, if it is one (spaces ignored)."""
    match = IDENTIFIER.fullmatch("".join(text.split()).upper()) if len(text) <= 40 else None
    return (match.group(1) or match.group(2)) if match else None


@dataclass(frozen=True)
class OrganizationQuery(Paging):
    """The company database. Inactive organisations only when asked for, archived ones likewise.

    Multi-valued filters (kinds, statuses, size classes, schemes) match any of their values;
    different filters must all match.
    """

    text: str = ""
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # when given, replaces the include_inactive rule
    district: str | None = None  # the registered office or any site in this ambito
    municipality_code: str | None = None  # likewise for one comune
    near: GeoFilter | None = None  # the office or any site within the circle
    ateco_section: str | None = None
    ateco_division: str | None = None
    size_classes: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()  # schemes it is willing to host
    obligated_68: bool | None = None
    quota_68_uncovered: bool = False  # obligated under L. 68/1999 with its quota known to be uncovered
    agreement_valid: bool = False  # an active agreement whose period includes `today`
    not_contacted_months: int | None = None  # last contact older than this, or never contacted
    include_inactive: bool = False
    include_archived: bool = False
    sort: OrganizationSort = "relevance"
    today: date | None = None

    def __post_init__(self) -> None:
        months = self.not_contacted_months
        if months is not None and not 1 <= months <= MAX_MONTHS_WITHOUT_CONTACT:
            raise QueryError("not_contacted_months out of range")
        self._check_paging(ORGANIZATION_SORTS, self.sort, self.near)

    @property
    def day(self) -> date:
        return self.today or date.today()

    def contact_cutoff(self) -> date | None:
        """Organisations last contacted before this day (or never) are "not contacted for N months"."""
        if self.not_contacted_months is None:
            return None
        return _months_before(self.day, self.not_contacted_months)


PeopleSort = Literal["relevance", "closest", "newest"]
PEOPLE_SORTS: tuple[str, ...] = ("relevance", "closest", "newest")


@dataclass(frozen=True)
class PeopleQuery(Paging):
    """Candidate profiles: operators only, never public. The viewer's role is checked here."""

    viewer_role: str = ""
    text: str = ""
    district: str | None = None
    municipality_code: str | None = None
    near: GeoFilter | None = None
    education_levels: tuple[str, ...] = ()
    driving_licence: bool | None = None
    min_age: int | None = None
    max_age: int | None = None
    sort: PeopleSort = "relevance"
    today: date | None = None

    def __post_init__(self) -> None:
        if self.viewer_role not in OPERATOR_ROLES:
            raise QueryError("people are searchable by operators only")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise QueryError("min_age greater than max_age")
        self._check_paging(PEOPLE_SORTS, self.sort, self.near)

    def birth_date_range(self) -> tuple[date | None, date | None]:
        """Ages turned into birth dates (born on or after, born on or before)."""
        today = self.today or date.today()
        born_before = _years_before(today, self.min_age) if self.min_age is not None else None
        born_after = _years_before(today, self.max_age + 1) if self.max_age is not None else None
        return born_after, born_before


def _months_before(day: date, months: int) -> date:
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    # 31 March minus one month is the last day of February.
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last_day))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class SearchHit:
    id: int
    source: dict[str, Any]
    score: float | None = None
    highlights: dict[str, list[str]] = field(default_factory=dict)
    distance_km: float | None = None
    sort_values: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Facet:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    total: int
    facets: dict[str, list[Facet]]

    @property
    def cursor(self) -> tuple[Any, ...] | None:
        """Pass as `after` to get the page following this one."""
        return self.hits[-1].sort_values if self.hits else None
