"""The Elasticsearch backend: indexes behind aliases, versioned bulk writes, queries."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.helpers import streaming_bulk

from search.backend import ApplyOutcome, IndexAction
from search.elastic_queries import (
    opportunity_search_body,
    organization_ids_body,
    organization_search_body,
    people_search_body,
    suggest_body,
)
from search.indexes import INDEXES
from search.queries import (
    Facet,
    OpportunityQuery,
    OrganizationQuery,
    PeopleQuery,
    SearchHit,
    SearchResult,
    SearchUnavailable,
)

BULK_CHUNK = 500
# Ids fetched per request when a whole list is exported (search_after pages).
IDS_PAGE = 10_000  # the most one request may return (index.max_result_window)
# After an alias swap, searches that resolved the alias just before it still run on the old
# index; it is deleted once it has been seen idle twice in a row, POLL apart (~20 ms here), and
# at the latest after the limit, for a search that hangs.
OLD_INDEX_POLL_SECONDS = 0.02
OLD_INDEX_WAIT_LIMIT_SECONDS = 5.0
UNOBSERVED_GRACE_SECONDS = 1.0
# A stale write (an older version arriving late) or deleting what is gone is success.
HARMLESS_STATUSES = {409, 404}


class ElasticBackend:
    name = "elasticsearch"
    # replace_all also takes documents already serialised to JSON bytes (built in another process).
    takes_serialised_documents = True

    def __init__(self, url: str, *, index_prefix: str) -> None:
        self.url = url
        self.client = self._connect()
        self.prefix = index_prefix

    def _connect(self) -> Elasticsearch:
        return Elasticsearch(self.url, request_timeout=30, retry_on_timeout=True, max_retries=2)

    def after_fork(self) -> None:
        # The pooled sockets came with the fork: a request from each process on the same socket
        # would read the other's response (and a retried create then finds its index existing).
        self.client = self._connect()

    # -- index names -------------------------------------------------------------
    def alias(self, index: str) -> str:
        return f"{self.prefix}-{index}"

    def new_index_name(self, index: str) -> str:
        return f"{self.alias(index)}-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 1_000_000:06d}"

    # -- lifecycle -------------------------------------------------------------
    def ensure_indexes(self) -> None:
        for index, definition in INDEXES.items():
            alias = self.alias(index)
            if self.client.indices.exists_alias(name=alias):
                continue
            concrete = self.new_index_name(index)
            self.client.indices.create(
                index=concrete,
                settings=definition["settings"],
                mappings=definition["mappings"],
                aliases={alias: {}},
            )

    def drop_indexes(self) -> None:
        """Remove every index of this prefix (tests and full resets only)."""
        self.client.indices.delete(index=f"{self.prefix}-*", ignore_unavailable=True, allow_no_indices=True)

    def refresh(self, index: str) -> None:
        self.client.indices.refresh(index=self.alias(index))

    def health(self) -> str:
        try:
            status = self.client.cluster.health(timeout="2s")["status"]
        except (TransportError, ApiError) as error:
            return f"unreachable: {type(error).__name__}"
        return "ok" if status in {"green", "yellow"} else f"cluster {status}"

    # -- writes ------------------------------------------------------------------
    def _bulk_actions(self, actions: list[IndexAction]) -> Iterator[dict[str, Any]]:
        for action in actions:
            meta = {
                "_op_type": action.op,
                "_index": self.alias(action.index),
                "_id": str(action.doc_id),
                "version": action.version,
                "version_type": "external",
            }
            if action.op == "index":
                meta["_source"] = action.document
            yield meta

    def apply(self, actions: Iterable[IndexAction]) -> ApplyOutcome:
        batch = list(actions)
        done: list[IndexAction] = []
        failed: list[tuple[IndexAction, str]] = []
        results = streaming_bulk(
            self.client,
            self._bulk_actions(batch),
            chunk_size=BULK_CHUNK,
            max_retries=3,
            initial_backoff=1,
            raise_on_error=False,
            raise_on_exception=False,
        )
        # streaming_bulk yields results in the order the actions were sent.
        for action, (ok, item) in zip(batch, results, strict=True):
            outcome = next(iter(item.values()))
            if ok or outcome.get("status") in HARMLESS_STATUSES:
                done.append(action)
            else:
                failed.append((action, str(outcome.get("error") or outcome.get("status"))[:500]))
        return ApplyOutcome(done=done, failed=failed)

    def replace_all(
        self,
        index: str,
        documents: Iterator[tuple[int, int, dict[str, Any]]],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Zero-downtime rebuild: load a new index, then swap the alias atomically.

        The new index is built with no replicas and no refresh (fast bulk load); on any
        failure it is deleted and the alias keeps pointing at the old one.
        """
        definition = INDEXES[index]
        alias, concrete = self.alias(index), self.new_index_name(index)
        settings = {**definition["settings"], "refresh_interval": "-1", "number_of_replicas": 0}
        self.client.indices.create(index=concrete, settings=settings, mappings=definition["mappings"])
        try:
            count = self._bulk_load(concrete, documents, progress)
            self.client.indices.put_settings(
                index=concrete,
                settings={"refresh_interval": None, "number_of_replicas": definition["settings"]["number_of_replicas"]},
            )
            self.client.indices.refresh(index=concrete)
        except BaseException:
            self.client.indices.delete(index=concrete, ignore_unavailable=True)
            raise
        old = list(self._indexes_behind(alias))
        swap = [{"add": {"index": concrete, "alias": alias}}]
        swap += [{"remove": {"index": name, "alias": alias}} for name in old]
        self.client.indices.update_aliases(actions=swap)
        self._retire(old)
        return count

    def _retire(self, names: list[str]) -> None:
        """Delete indexes the alias no longer points at, once no search is running on them.

        Deleting an index under a running search fails that search ("no shard available").
        """
        if not names:
            return
        deadline = time.monotonic() + OLD_INDEX_WAIT_LIMIT_SECONDS
        idle_polls = 0
        while idle_polls < 2 and time.monotonic() < deadline:
            time.sleep(OLD_INDEX_POLL_SECONDS)
            try:
                idle_polls = idle_polls + 1 if self._searches_idle(names) else 0
            except (ApiError, TransportError):
                # Statistics refused (an API key without monitor rights) or unavailable: wait
                # what a search takes at worst here (p99 ~30 ms at 100k), with a wide margin.
                time.sleep(UNOBSERVED_GRACE_SECONDS)
                break
        for name in names:
            self.client.indices.delete(index=name, ignore_unavailable=True)

    def _searches_idle(self, names: list[str]) -> bool:
        """No search phase running on these indexes, and none queued on any node to start one."""
        stats = self.client.indices.stats(index=",".join(names), metric="search")["_all"]["total"]["search"]
        running = stats["query_current"] + stats["fetch_current"] + stats["scroll_current"]
        pools = self.client.nodes.stats(metric="thread_pool")["nodes"].values()
        queued = sum(node["thread_pool"]["search"]["queue"] for node in pools)
        return running == 0 and queued == 0

    def _bulk_load(
        self, concrete: str, documents: Iterator[tuple[int, int, dict[str, Any]]],
        progress: Callable[[int], None] | None,
    ) -> int:  # fmt: skip
        actions = (
            {"_index": concrete, "_id": str(doc_id), "version": version, "version_type": "external",
             "_source": document}
            for doc_id, version, document in documents
        )  # fmt: skip
        count = 0
        for ok, _item in streaming_bulk(self.client, actions, chunk_size=BULK_CHUNK, max_retries=3,
                                        raise_on_error=True):  # fmt: skip
            count += int(ok)
            if progress and count % BULK_CHUNK == 0:
                progress(count)
        return count

    def _indexes_behind(self, alias: str) -> Iterator[str]:
        try:
            yield from self.client.indices.get_alias(name=alias).keys()
        except NotFoundError:
            return

    def versions(self, index: str) -> dict[int, int]:
        found: dict[int, int] = {}
        body = {"query": {"match_all": {}}, "_source": False, "version": True, "size": 5000, "sort": ["_doc"]}
        response = self.client.search(index=self.alias(index), scroll="1m", **body)
        scroll_id = response.get("_scroll_id")
        try:
            while response["hits"]["hits"]:
                for hit in response["hits"]["hits"]:
                    found[int(hit["_id"])] = int(hit["_version"])
                response = self.client.scroll(scroll_id=scroll_id, scroll="1m")
                scroll_id = response.get("_scroll_id")
        finally:
            if scroll_id:
                self.client.clear_scroll(scroll_id=scroll_id)
        return found

    # -- reads -------------------------------------------------------------------
    def _request(self, index: str, body: dict[str, Any]) -> Any:
        try:
            return self.client.search(index=self.alias(index), **body)
        except TransportError as error:
            raise SearchUnavailable(str(error)) from error
        except ApiError as error:
            if error.status_code is not None and error.status_code >= 500:
                raise SearchUnavailable(str(error)) from error
            raise

    def _search(self, index: str, body: dict[str, Any]) -> SearchResult:
        response = self._request(index, body)
        return parse_response(response, distance_at=_distance_position(body["sort"]))

    def search_opportunities(self, query: OpportunityQuery) -> SearchResult:
        return self._search("opportunities", opportunity_search_body(query))

    def search_organizations(self, query: OrganizationQuery) -> SearchResult:
        return self._search("organizations", organization_search_body(query))

    def search_people(self, query: PeopleQuery) -> SearchResult:
        return self._search("people", people_search_body(query))

    def search_organization_ids(self, query: OrganizationQuery, limit: int) -> tuple[list[int], int]:
        """Up to `limit` ids of every match in the list's order, and the total; paging is ignored."""
        found: list[int] = []
        total = 0
        after: list[Any] | None = None
        while len(found) < limit:
            body = organization_ids_body(query, min(IDS_PAGE, limit - len(found)))
            if after is not None:
                body["search_after"] = after
                body["track_total_hits"] = False
            response = self._request("organizations", body)
            hits = response["hits"]["hits"]
            if after is None:
                total = response["hits"]["total"]["value"]
            found += [int(hit["_id"]) for hit in hits]
            if len(hits) < body["size"]:
                break
            after = hits[-1]["sort"]
        return found, total

    def suggest(self, index: str, prefix: str, size: int = 8) -> list[str]:
        response = self._request(index, suggest_body(prefix, size))
        return [_suggestion(option) for option in response["suggest"]["titles"][0]["options"]]


def _suggestion(option: dict[str, Any]) -> str:
    """What a completion offers: the whole title when the match was on a later word of it."""
    text, source = option["text"], option.get("_source") or {}
    title = source.get("title") or ""
    if text != title and title.casefold().endswith(text.casefold()) and source.get("display_title"):
        return source["display_title"]
    return text


def _distance_position(sort: list[Any]) -> int | None:
    for position, key in enumerate(sort):
        if isinstance(key, dict) and "_geo_distance" in key:
            return position
    return None


def parse_response(response: Any, *, distance_at: int | None) -> SearchResult:
    hits = []
    for raw in response["hits"]["hits"]:
        sort_values = tuple(raw.get("sort") or ())
        distance = sort_values[distance_at] if distance_at is not None and sort_values else None
        hits.append(
            SearchHit(
                id=int(raw["_id"]),
                source=raw.get("_source") or {},
                score=raw.get("_score"),
                highlights=raw.get("highlight") or {},
                distance_km=round(float(distance), 2) if distance is not None else None,
                sort_values=sort_values,
            )
        )
    # Empty buckets (named windows that match nothing) are left out, as terms facets do.
    facets = {
        name: [Facet(value=_bucket_key(b), count=b["doc_count"]) for b in agg["values"]["buckets"] if b["doc_count"]]
        for name, agg in (response.get("aggregations") or {}).items()
    }
    return SearchResult(hits=hits, total=response["hits"]["total"]["value"], facets=facets)


def _bucket_key(bucket: dict[str, Any]) -> str:
    # Boolean terms come back as 1/0 with a "true"/"false" key_as_string.
    return str(bucket.get("key_as_string", bucket["key"]))
