"""Search: one interface, two backends (Elasticsearch and the embedded database).

This package knows no Flask. The application builds a backend with `build_backend`
and talks to it only through `SearchBackend`.
"""

from search.backend import IndexAction, SearchBackend, build_backend
from search.queries import (
    Facet,
    OpportunityQuery,
    OrganizationQuery,
    PeopleQuery,
    QueryError,
    SearchHit,
    SearchResult,
    SearchUnavailable,
)

__all__ = [
    "Facet",
    "IndexAction",
    "OpportunityQuery",
    "OrganizationQuery",
    "PeopleQuery",
    "QueryError",
    "SearchBackend",
    "SearchHit",
    "SearchResult",
    "SearchUnavailable",
    "build_backend",
]
