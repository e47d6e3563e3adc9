"""What the public search page shows: facets as checkable options with counts, active filters
that each remove themselves, page links. Every link is built from the query by
`query_string_for`, so the URL is the page's whole state and always canonical.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.opportunities.models import OPPORTUNITY_KIND_LABELS, TARGET_GROUP_LABELS
from marketplace.opportunities.search_params import query_string_for
from marketplace.territory.models import District, Municipality, Sector
from search import OpportunityQuery, SearchResult
from search.queries import STARTING_FACET, STARTING_WITHIN_DAYS

STARTING_LABELS = {30: _l("Entro 30 giorni"), 90: _l("Entro 3 mesi"), 180: _l("Entro 6 mesi")}
KM_CHOICES = (5, 10, 15, 20, 30, 50)
SORT_LABELS = {
    "relevance": _l("Pertinenza"),
    "newest": _l("Più recenti"),
    "deadline": _l("Scadenza più vicina"),
    "closest": _l("Più vicine"),
}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int | None
    checked: bool


@dataclass(frozen=True)
class FacetGroup:
    """One filter: checkboxes (any of several values) or radio buttons (one value, or none)."""

    param: str
    legend: str
    kind: Literal["checkbox", "radio"]
    options: list[Option]
    any_label: str = ""  # the radio meaning "no filter"


@dataclass(frozen=True)
class ActiveFilter:
    label: str
    remove_url: str


@dataclass
class Labels:
    kinds: dict[str, str]
    targets: dict[str, str]
    sections: dict[str, str]
    districts: dict[str, str]
    comuni: dict[str, Municipality]


@dataclass
class SearchPage:
    query: OpportunityQuery
    result: SearchResult | None
    errors: dict[str, str]
    labels: Labels
    groups: list[FacetGroup] = field(default_factory=list)
    active: list[ActiveFilter] = field(default_factory=list)
    comune_counts: dict[str, int] = field(default_factory=dict)
    query_string: str = ""

    @property
    def filter_count(self) -> int:
        """Active filters, the typed words aside."""
        return len(self.active) - (1 if self.query.text else 0)

    @property
    def place(self) -> Municipality | None:
        code = self.query.near.place if self.query.near else self.query.municipality_code
        return self.labels.comuni.get(code) if code else None

    @property
    def km(self) -> int | None:
        return int(self.query.near.radius_km) if self.query.near else None

    @property
    def km_choices(self) -> list[int]:
        return sorted({*KM_CHOICES, *([self.km] if self.km else [])})

    @property
    def pages(self) -> int:
        if not self.result:
            return 0
        return min(-(-self.result.total // self.query.per_page), 10_000 // self.query.per_page)

    def url(self, **changes: Any) -> str:
        """The page for this query with some fields changed (back to page 1 unless `page` is given)."""
        changes.setdefault("page", 1)
        return search_url(replace(self.query, **changes))

    def page_url(self, page: int) -> str:
        return self.url(page=page)

    @property
    def clear_url(self) -> str:
        """Every filter off, the words kept."""
        return search_url(OpportunityQuery(text=self.query.text))

    @property
    def wider_url(self) -> str | None:
        """The same search with twice the distance (at most 100 km), when a distance is set."""
        near = self.query.near
        if near is None or near.radius_km >= 100:
            return None
        return self.url(near=replace(near, radius_km=min(near.radius_km * 2, 100)))

    @property
    def sort_choices(self) -> list[tuple[str, str]]:
        names = ["relevance", "newest", "deadline"] + (["closest"] if self.query.near else [])
        return [(name, str(SORT_LABELS[name])) for name in names]


def search_url(query: OpportunityQuery) -> str:
    text = query_string_for(query)
    return url_for("opportunities.search") + (f"?{text}" if text else "")


def load_labels() -> Labels:
    sections = {
        code: title.capitalize()
        for code, title in db.session.execute(select(Sector.code, Sector.title).where(Sector.level == "section"))
    }
    districts = dict(db.session.execute(select(District.code, District.name).order_by(District.name)).all())
    comuni = {m.istat_code: m for m in db.session.scalars(select(Municipality).order_by(Municipality.name))}
    return Labels(
        kinds={kind.value: str(label) for kind, label in OPPORTUNITY_KIND_LABELS.items()},
        targets={group.value: str(label) for group, label in TARGET_GROUP_LABELS.items()},
        sections=sections,
        districts=districts,
        comuni=comuni,
    )


def build(query: OpportunityQuery, result: SearchResult | None, errors: dict[str, str]) -> SearchPage:
    page = SearchPage(query, result, errors, load_labels(), query_string=query_string_for(replace(query, page=1)))
    counts = {name: {f.value: f.count for f in facets} for name, facets in (result.facets if result else {}).items()}
    page.comune_counts = counts.get("municipality_code", {})
    page.groups = _groups(query, counts, page.labels)
    page.active = _active(page)
    return page


def _options(
    labels: dict[str, str], counts: dict[str, int], checked: Callable[[str], bool], *, all_values: bool = False
) -> list[Option]:
    """Values with matches (or checked ones), in the labels' order; `all_values` keeps empty ones too."""
    return [
        Option(value, label, counts.get(value, 0), checked(value))
        for value, label in labels.items()
        if all_values or counts.get(value) or checked(value)
    ]


def _yes_no(counts: dict[str, int], current: bool | None) -> list[Option]:
    return [
        Option("1", _("Sì"), counts.get("true", 0), current is True),
        Option("0", _("No"), counts.get("false", 0), current is False),
    ]


def _groups(query: OpportunityQuery, counts: dict[str, dict[str, int]], labels: Labels) -> list[FacetGroup]:
    starting = {str(days): str(STARTING_LABELS[days]) for days in STARTING_WITHIN_DAYS}
    current_start = str(query.starting_within_days) if query.starting_within_days else None
    return [
        FacetGroup("kind", _("Tipo di opportunità"), "checkbox",
                   _options(labels.kinds, counts.get("kind", {}), lambda v: v in query.kinds)),
        FacetGroup("starting", _("Inizio"), "radio",
                   _options(starting, counts.get(STARTING_FACET, {}), lambda v: v == current_start, all_values=True),
                   _("In qualsiasi momento")),
        FacetGroup("paid", _("Indennità"), "radio", _yes_no(counts.get("paid", {}), query.paid),
                   _("Indifferente")),
        FacetGroup("minors", _("Aperta a minorenni (14-17 anni)"), "radio",
                   _yes_no(counts.get("minors_allowed", {}), query.minors_allowed), _("Indifferente")),
        FacetGroup("target", _("Per chi è"), "checkbox",
                   _options(labels.targets, counts.get("target_groups", {}), lambda v: v in query.target_groups)),
        FacetGroup("sector", _("Settore"), "radio",
                   _options(labels.sections, counts.get("sector_section", {}), lambda v: v == query.sector_section),
                   _("Tutti i settori")),
        FacetGroup("district", _("Ambito territoriale"), "radio",
                   _options(labels.districts, counts.get("district", {}), lambda v: v == query.district),
                   _("Tutti gli ambiti")),
    ]  # fmt: skip


def _active(page: SearchPage) -> list[ActiveFilter]:
    """The filters in use, each with the link that removes it alone."""
    query, labels = page.query, page.labels
    active: list[ActiveFilter] = []
    if query.text:
        active.append(ActiveFilter(f"“{query.text}”", page.url(text="")))
    for kind in query.kinds:
        rest = tuple(k for k in query.kinds if k != kind)
        active.append(ActiveFilter(labels.kinds.get(kind, kind), page.url(kinds=rest)))
    if query.starting_within_days:
        active.append(ActiveFilter(str(STARTING_LABELS[query.starting_within_days]),
                                   page.url(starting_within_days=None)))  # fmt: skip
    if query.paid is not None:
        active.append(ActiveFilter(_("Con indennità") if query.paid else _("Senza indennità"), page.url(paid=None)))
    if query.minors_allowed is not None:
        label = _("Aperta a minorenni") if query.minors_allowed else _("Solo maggiorenni")
        active.append(ActiveFilter(label, page.url(minors_allowed=None)))
    for group in query.target_groups:
        rest = tuple(g for g in query.target_groups if g != group)
        active.append(ActiveFilter(labels.targets.get(group, group), page.url(target_groups=rest)))
    if query.sector_section:
        label = labels.sections.get(query.sector_section, query.sector_section)
        active.append(ActiveFilter(label, page.url(sector_section=None)))
    if query.district:
        active.append(ActiveFilter(labels.districts.get(query.district, query.district), page.url(district=None)))
    place = page.place
    if place is not None and query.near is not None:
        label = _("entro %(km)d km da %(comune)s", km=page.km or 0, comune=place.name)
        sort = "relevance" if query.sort == "closest" else query.sort
        active.append(ActiveFilter(label, page.url(near=None, sort=sort)))
    elif place is not None:
        active.append(ActiveFilter(place.name, page.url(municipality_code=None)))
    return active
