"""The interface every search backend implements, and how one is chosen."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from search.queries import OpportunityQuery, OrganizationQuery, PeopleQuery, SearchResult


@dataclass(frozen=True)
class IndexAction:
    """Put a document (op='index') or remove it (op='delete') at a row version."""

    index: str
    doc_id: int
    version: int
    op: Literal["index", "delete"]
    document: dict[str, Any] | None = None


@dataclass(frozen=True)
class ApplyOutcome:
    done: list[IndexAction]
    failed: list[tuple[IndexAction, str]]


class SearchBackend(Protocol):
    name: str

    def ensure_indexes(self) -> None:
        """Create whatever storage the indexes need, if missing."""

    def apply(self, actions: Iterable[IndexAction]) -> ApplyOutcome:
        """Write and delete documents. Stale versions count as done."""

    def drop_indexes(self) -> None:
        """Remove every index (tests and full resets only)."""

    def after_fork(self) -> None:
        """In a forked child: open connections of its own instead of sharing the parent's."""

    def refresh(self, index: str) -> None:
        """Make recent writes visible to searches now."""

    def search_opportunities(self, query: OpportunityQuery) -> SearchResult: ...

    def search_organizations(self, query: OrganizationQuery) -> SearchResult: ...

    def search_organization_ids(self, query: OrganizationQuery, limit: int) -> tuple[list[int], int]:
        """Ids of every match in the list's order (up to `limit`) and the total: for exports."""

    def search_people(self, query: PeopleQuery) -> SearchResult: ...

    def suggest(self, index: str, prefix: str, size: int = 8) -> list[str]:
        """Completions for a typed prefix (titles, organisation names, comuni)."""

    def replace_all(
        self,
        index: str,
        documents: Iterator[tuple[int, int, dict[str, Any]]],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Rebuild an index from (id, version, document) triples; returns the count."""

    def versions(self, index: str) -> dict[int, int]:
        """Every document id in the index with its version (for drift checks)."""

    def health(self) -> str:
        """'ok' or a short description of what is wrong."""


def build_backend(*, elasticsearch_url: str | None, index_prefix: str, engine: Any) -> SearchBackend:
    if elasticsearch_url:
        from search.elastic import ElasticBackend

        return ElasticBackend(elasticsearch_url, index_prefix=index_prefix)
    from search.embedded import EmbeddedBackend

    return EmbeddedBackend(engine)
