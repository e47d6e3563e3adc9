"""Typed search requests and results, shared by the web pages and the JSON API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Sort = Literal["relevance", "newest", "closest", "deadline"]
SORTS: tuple[Sort, ...] = ("relevance", "newest", "closest", "deadline")
MAX_PER_PAGE = 100
# Plain offsets stop here; deeper pages use search_after.
MAX_OFFSET = 10_000


@dataclass(frozen=True)
class GeoFilter:
    latitude: float
    longitude: float
    radius_km: float


@dataclass(frozen=True)
class OpportunityQuery:
    text: str = ""
    kinds: tuple[str, ...] = ()
    sector_section: str | None = None
    district: str | None = None
    municipality_code: str | None = None
    near: GeoFilter | None = None
    paid: bool | None = None
    minors_allowed: bool | None = None
    starts_before: date | None = None
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 20
    today: date | None = None

    def __post_init__(self) -> None:
        if self.page < 1:
            raise ValueError("page must be >= 1")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise ValueError("per_page out of range")
        if self.sort not in SORTS:
            raise ValueError("unknown sort")
        if self.sort == "closest" and self.near is None:
            raise ValueError("closest needs a place")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class SearchHit:
    id: int
    source: dict[str, Any]
    score: float | None = None
    highlights: dict[str, list[str]] = field(default_factory=dict)
    distance_km: float | None = None


@dataclass(frozen=True)
class Facet:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    total: int
    facets: dict[str, list[Facet]]
