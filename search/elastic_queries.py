"""Build Elasticsearch request bodies from typed queries. Pure functions: no I/O."""

from __future__ import annotations

from datetime import date
from typing import Any

from search.analysis import prepare, prepare_folded
from search.queries import OpportunityQuery

TEXT_FIELDS = ["title^3", "organization_name^2", "body"]
FOLDED_FIELDS = ["title_folded^2", "organization_name_folded^1.5", "body_folded^0.8", "municipality_folded^2"]
FACET_SIZES = {"kind": 20, "sector_section": 30, "district": 20, "municipality_code": 200}


def _text_clause(text: str) -> dict[str, Any] | None:
    prepared, folded = prepare(text), prepare_folded(text)
    if not folded.strip():
        return None
    return {
        "bool": {
            "should": [
                # simple_query_string never raises on user syntax: any string is safe.
                {
                    "simple_query_string": {
                        "query": prepared,
                        "fields": TEXT_FIELDS,
                        "default_operator": "and",
                        "flags": "AND|OR|NOT|PHRASE|PREFIX|WHITESPACE",
                    }
                },
                {
                    "simple_query_string": {
                        "query": folded,
                        "fields": FOLDED_FIELDS,
                        "default_operator": "and",
                    }
                },
                # Typo tolerance, scored below exact and stemmed matches.
                {
                    "multi_match": {
                        "query": folded,
                        "fields": FOLDED_FIELDS,
                        "fuzziness": "AUTO",
                        "prefix_length": 1,
                        "operator": "and",
                        "boost": 0.5,
                    }
                },
            ],
            "minimum_should_match": 1,
        }
    }


def _filters(query: OpportunityQuery) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Visibility filters (always) and facet filters (by facet name, for post_filter)."""
    today = (query.today or date.today()).isoformat()
    visibility = [
        {"term": {"status": "published"}},
        {"bool": {"should": [
            {"bool": {"must_not": {"exists": {"field": "deadline"}}}},
            {"range": {"deadline": {"gte": today}}},
        ], "minimum_should_match": 1}},
    ]  # fmt: skip
    facet_filters: dict[str, dict[str, Any]] = {}
    if query.kinds:
        facet_filters["kind"] = {"terms": {"kind": list(query.kinds)}}
    if query.sector_section:
        facet_filters["sector_section"] = {"term": {"sector_section": query.sector_section}}
    if query.district:
        facet_filters["district"] = {"term": {"district": query.district}}
    if query.municipality_code:
        facet_filters["municipality_code"] = {"term": {"municipality_code": query.municipality_code}}
    if query.paid is not None:
        facet_filters["paid"] = {"term": {"paid": query.paid}}
    if query.minors_allowed is not None:
        facet_filters["minors_allowed"] = {"term": {"minors_allowed": query.minors_allowed}}
    if query.starts_before is not None:
        visibility.append({"range": {"start_date": {"lte": query.starts_before.isoformat()}}})
    if query.near is not None:
        visibility.append(
            {
                "geo_distance": {
                    "distance": f"{query.near.radius_km}km",
                    "location": {"lat": query.near.latitude, "lon": query.near.longitude},
                }
            }
        )
    return visibility, facet_filters


def _aggregations(facet_filters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each facet counts with every filter but its own, so options stay selectable."""
    aggs: dict[str, Any] = {}
    facets = {**{name: ("terms", size) for name, size in FACET_SIZES.items()}, "paid": ("terms", 2),
              "minors_allowed": ("terms", 2)}  # fmt: skip
    for name, (kind, size) in facets.items():
        others = [clause for other, clause in facet_filters.items() if other != name]
        aggs[name] = {
            "filter": {"bool": {"filter": others}},
            "aggs": {"values": {kind: {"field": name, "size": size}}},
        }
    return aggs


def _sort(query: OpportunityQuery) -> list[Any]:
    if query.sort == "newest":
        return [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
    if query.sort == "deadline":
        return [{"deadline": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]
    if query.sort == "closest" and query.near is not None:
        point = {"lat": query.near.latitude, "lon": query.near.longitude}
        return [{"_geo_distance": {"location": point, "order": "asc", "unit": "km"}}, {"id": "asc"}]
    return ["_score", {"published_at": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]


def opportunity_search_body(query: OpportunityQuery) -> dict[str, Any]:
    visibility, facet_filters = _filters(query)
    must = [clause for clause in [_text_clause(query.text)] if clause]
    body: dict[str, Any] = {
        "query": {"bool": {"must": must or [{"match_all": {}}], "filter": visibility}},
        "post_filter": {"bool": {"filter": list(facet_filters.values())}},
        "aggs": _aggregations(facet_filters),
        "sort": _sort(query),
        "from": query.offset,
        "size": query.per_page,
        "track_total_hits": True,
        "highlight": {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            "fields": {
                "title": {"number_of_fragments": 0},
                "body": {"fragment_size": 160, "number_of_fragments": 1},
            },
        },
    }
    if query.near is not None and query.sort != "closest":
        # A trailing distance sort key puts each hit's distance in its sort values.
        point = {"lat": query.near.latitude, "lon": query.near.longitude}
        body["sort"].append({"_geo_distance": {"location": point, "order": "asc", "unit": "km"}})
    return body


def suggest_body(prefix: str, size: int = 8) -> dict[str, Any]:
    return {
        "_source": False,
        "suggest": {
            "titles": {
                "prefix": prepare(prefix).lower(),
                "completion": {"field": "suggest", "size": size, "skip_duplicates": True},
            }
        },
    }
