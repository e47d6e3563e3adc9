"""Build Elasticsearch request bodies from typed queries. Pure functions: no I/O."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from search.analysis import prepare, prepare_folded
from search.queries import (
    STARTING_FACET,
    STARTING_WITHIN_DAYS,
    GeoFilter,
    OpportunityQuery,
    OrganizationQuery,
    Paging,
    PeopleQuery,
    typed_identifier,
)

OPPORTUNITY_TEXT = ["title^3", "organization_name^2", "body"]
OPPORTUNITY_FOLDED = ["title_folded^2", "organization_name_folded^1.5", "body_folded^0.8", "municipality_folded^2"]
OPPORTUNITY_FACETS = {"kind": 20, "sector_section": 30, "district": 20, "municipality_code": 200, "paid": 2,
                      "minors_allowed": 2, "target_groups": 20}  # fmt: skip

ORGANIZATION_TEXT = ["name^3", "body"]
ORGANIZATION_FOLDED = ["name_folded^2", "body_folded^0.8", "municipality_folded"]
ORGANIZATION_FACETS = {"kind": 20, "districts": 20, "ateco_section": 30, "size_class": 5, "status": 5, "schemes": 10,
                       "obligated_68": 2}  # fmt: skip
PEOPLE_TEXT = ["skills^2", "aspirations", "full_name^3"]
PEOPLE_FOLDED = ["skills_folded^1.5", "aspirations_folded^0.8", "name_folded^2", "municipality_folded"]
PEOPLE_FACETS = {"education_level": 10, "district": 20, "driving_licence": 2}
HIGHLIGHT_TAGS = {"pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html"}


def text_clause(text: str, fields: list[str], folded_fields: list[str]) -> dict[str, Any] | None:
    """Stemmed match, accent-folded match, then typo-tolerant match, best first."""
    prepared, folded = prepare(text), prepare_folded(text)
    if not folded.strip():
        return None
    return {
        "bool": {
            "should": [
                # simple_query_string never raises on user syntax: any string is safe.
                {"simple_query_string": {"query": prepared, "fields": fields, "default_operator": "and",
                                         "flags": "AND|OR|NOT|PHRASE|PREFIX|WHITESPACE"}},
                {"simple_query_string": {"query": folded, "fields": folded_fields, "default_operator": "and"}},
                {"multi_match": {"query": folded, "fields": folded_fields, "fuzziness": "AUTO", "prefix_length": 1,
                                 "operator": "and", "boost": 0.5}},
            ],
            "minimum_should_match": 1,
        }
    }  # fmt: skip


def geo_clause(near: GeoFilter, field: str = "location") -> dict[str, Any]:
    point = {"lat": near.latitude, "lon": near.longitude}
    return {"geo_distance": {"distance": f"{near.radius_km}km", field: point}}


def geo_sort(near: GeoFilter, field: str = "location") -> dict[str, Any]:
    point = {"lat": near.latitude, "lon": near.longitude}
    # With several points (an organisation's sites) the nearest one counts.
    return {"_geo_distance": {field: point, "order": "asc", "unit": "km", "mode": "min"}}


def aggregations(facets: dict[str, int], facet_filters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each facet counts with every filter but its own, so its other options stay selectable."""
    aggs: dict[str, Any] = {}
    for name, size in facets.items():
        others = [clause for other, clause in facet_filters.items() if other != name]
        aggs[name] = {"filter": {"bool": {"filter": others}},
                      "aggs": {"values": {"terms": {"field": name, "size": size}}}}  # fmt: skip
    return aggs


def _term_filters(pairs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    filters: dict[str, dict[str, Any]] = {}
    for field, value in pairs.items():
        if value is None or value == ():
            continue
        filters[field] = {"terms": {field: list(value)}} if isinstance(value, tuple) else {"term": {field: value}}
    return filters


def _assemble(
    paging: Paging, *, must: list[Any], filters: list[Any], facet_filters: dict[str, Any],
    facets: dict[str, int], sort: list[Any], highlight: dict[str, Any] | None,
) -> dict[str, Any]:  # fmt: skip
    body: dict[str, Any] = {
        "query": {"bool": {"must": must or [{"match_all": {}}], "filter": filters}},
        "post_filter": {"bool": {"filter": list(facet_filters.values())}},
        "aggs": aggregations(facets, facet_filters),
        "sort": sort,
        "size": paging.per_page,
        "track_total_hits": True,
    }
    if paging.after is not None:
        body["search_after"] = list(paging.after)
    else:
        body["from"] = paging.offset
    if highlight:
        body["highlight"] = {**HIGHLIGHT_TAGS, "fields": highlight}
        if must:
            # Highlight with the exact/stemmed clause only: highlighting the fuzzy clause
            # re-expands every fuzzy term per hit and cost ~20x the search itself.
            body["highlight"]["highlight_query"] = must[0]["bool"]["should"][0]
    return body


# -- opportunities -------------------------------------------------------------------


def _opportunity_sort(query: OpportunityQuery) -> list[Any]:
    if query.sort == "newest":
        sort: list[Any] = [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
    elif query.sort == "deadline":
        sort = [{"deadline": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]
    elif query.sort == "closest" and query.near is not None:
        return [geo_sort(query.near), {"id": "asc"}]
    else:
        sort = ["_score", {"published_at": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
    if query.near is not None:
        # A trailing distance key puts each hit's distance in its sort values.
        sort.append(geo_sort(query.near))
    return sort


def starting_window_clause(start: date, end: date) -> dict[str, Any]:
    return {"range": {"next_start": {"gte": start.isoformat(), "lte": end.isoformat()}}}


def _starting_aggregation(query: OpportunityQuery, facet_filters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Counts for each "starting within N days" window, under every filter but its own."""
    others = [clause for name, clause in facet_filters.items() if name != STARTING_FACET]
    windows = {str(days): starting_window_clause(query.day, query.day + timedelta(days=days))
               for days in STARTING_WITHIN_DAYS}  # fmt: skip
    return {"filter": {"bool": {"filter": others}},
            "aggs": {"values": {"filters": {"filters": windows, "keyed": False}}}}  # fmt: skip


def opportunity_search_body(query: OpportunityQuery) -> dict[str, Any]:
    today = query.day.isoformat()
    filters: list[Any] = [
        {"term": {"status": "published"}},
        {"bool": {"should": [{"bool": {"must_not": {"exists": {"field": "deadline"}}}},
                             {"range": {"deadline": {"gte": today}}}], "minimum_should_match": 1}},
    ]  # fmt: skip
    if query.starts_before is not None:
        filters.append({"range": {"start_date": {"lte": query.starts_before.isoformat()}}})
    if query.published_after is not None:
        filters.append({"range": {"published_at": {"gt": query.published_after.isoformat()}}})
    if query.near is not None:
        filters.append(geo_clause(query.near))
    facet_filters = _term_filters({
        "kind": query.kinds, "sector_section": query.sector_section, "district": query.district,
        "municipality_code": query.municipality_code, "paid": query.paid, "minors_allowed": query.minors_allowed,
        "target_groups": query.target_groups,
    })  # fmt: skip
    window = query.starting_window()
    if window is not None:
        facet_filters[STARTING_FACET] = starting_window_clause(*window)
    text = text_clause(query.text, OPPORTUNITY_TEXT, OPPORTUNITY_FOLDED)
    highlight = {"title": {"number_of_fragments": 0}, "body": {"fragment_size": 160, "number_of_fragments": 1}}
    body = _assemble(query, must=[text] if text else [], filters=filters, facet_filters=facet_filters,
                     facets=OPPORTUNITY_FACETS, sort=_opportunity_sort(query), highlight=highlight)  # fmt: skip
    body["aggs"][STARTING_FACET] = _starting_aggregation(query, facet_filters)
    return body


# -- organisations ---------------------------------------------------------------------


def organization_search_body(query: OrganizationQuery) -> dict[str, Any]:
    facet_filters = _organization_facet_filters(query)
    text = organization_text_clause(query.text)
    return _assemble(query, must=[text] if text else [], filters=_organization_filters(query),
                     facet_filters=facet_filters, facets=ORGANIZATION_FACETS, sort=_organization_sort(query),
                     highlight={"name": {"number_of_fragments": 0}})  # fmt: skip


def organization_ids_body(query: OrganizationQuery, size: int) -> dict[str, Any]:
    """The same matches in the same order, ids only: for exports of a whole list."""
    text = organization_text_clause(query.text)
    facet_filters = list(_organization_facet_filters(query).values())
    return {
        "query": {"bool": {"must": [text] if text else [{"match_all": {}}],
                           "filter": _organization_filters(query) + facet_filters}},
        "sort": _organization_sort(query), "size": size, "_source": False, "track_total_hits": True,
    }  # fmt: skip


def organization_text_clause(text: str) -> dict[str, Any] | None:
    """Names (stemmed, folded, typo-tolerant), and an exact P.IVA or codice fiscale."""
    clause = text_clause(text, ORGANIZATION_TEXT, ORGANIZATION_FOLDED)
    identifier = typed_identifier(text)
    if clause is not None and identifier is not None:
        clause["bool"]["should"] += [{"term": {"vat_number": identifier}}, {"term": {"tax_code": identifier}}]
    return clause


def _organization_facet_filters(query: OrganizationQuery) -> dict[str, dict[str, Any]]:
    return _term_filters({
        "kind": query.kinds, "status": query.statuses, "districts": query.district,
        "municipality_codes": query.municipality_code, "ateco_section": query.ateco_section,
        "ateco_division": query.ateco_division, "size_class": query.size_classes, "schemes": query.schemes,
        "obligated_68": query.obligated_68,
    })  # fmt: skip


def _organization_filters(query: OrganizationQuery) -> list[Any]:
    """The filters that are not facets: they narrow every count too."""
    filters: list[Any] = []
    if not query.include_archived:
        filters.append({"bool": {"must_not": {"term": {"archived": True}}}})
    if not query.statuses and not query.include_inactive:
        filters.append({"terms": {"status": ["active", "prospect"]}})
    if query.near is not None:
        filters.append(geo_clause(query.near, "locations"))
    if query.quota_68_uncovered:
        filters += [{"term": {"obligated_68": True}}, {"term": {"quota_68_covered": False}}]
    if query.agreement_valid:
        # A date against a date_range field matches the ranges that contain it.
        filters.append({"term": {"agreement_periods": query.day.isoformat()}})
    cutoff = query.contact_cutoff()
    if cutoff is not None:
        filters.append({"bool": {"should": [{"range": {"last_contact_on": {"lt": cutoff.isoformat()}}},
                                            {"bool": {"must_not": {"exists": {"field": "last_contact_on"}}}}],
                                 "minimum_should_match": 1}})  # fmt: skip
    return filters


def _organization_sort(query: OrganizationQuery) -> list[Any]:
    if query.sort == "closest" and query.near is not None:
        return [geo_sort(query.near, "locations"), {"id": "asc"}]
    if query.sort == "name":
        sort: list[Any] = [{"name_folded.sort": "asc"}, {"id": "asc"}]
    elif query.sort == "newest":
        sort = [{"created_at": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
    elif query.sort == "last_contact":
        # Never contacted first, then the longest without contact: who to call next.
        sort = [{"last_contact_on": {"order": "asc", "missing": "_first"}}, {"id": "asc"}]
    else:
        sort = ["_score", {"name_folded.sort": "asc"}, {"id": "asc"}]
    if query.near is not None:
        sort.append(geo_sort(query.near, "locations"))
    return sort


# -- people (operators only: PeopleQuery refuses other viewers) ------------------------


def people_search_body(query: PeopleQuery) -> dict[str, Any]:
    filters: list[Any] = []
    born_after, born_before = query.birth_date_range()
    if born_after or born_before:
        bounds = {}
        if born_after:
            bounds["gt"] = born_after.isoformat()
        if born_before:
            bounds["lte"] = born_before.isoformat()
        filters.append({"range": {"birth_date": bounds}})
    if query.near is not None:
        filters.append(geo_clause(query.near))
    facet_filters = _term_filters({
        "district": query.district, "municipality_code": query.municipality_code,
        "education_level": query.education_levels, "driving_licence": query.driving_licence,
    })  # fmt: skip
    if query.sort == "closest" and query.near is not None:
        sort: list[Any] = [geo_sort(query.near), {"id": "asc"}]
    elif query.sort == "newest":
        sort = [{"created_at": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
    else:
        sort = ["_score", {"id": "asc"}]
    text = text_clause(query.text, PEOPLE_TEXT, PEOPLE_FOLDED)
    return _assemble(query, must=[text] if text else [], filters=filters, facet_filters=facet_filters,
                     facets=PEOPLE_FACETS, sort=sort, highlight={"skills": {"number_of_fragments": 0}})  # fmt: skip


def suggest_body(prefix: str, size: int = 8) -> dict[str, Any]:
    return {
        "_source": ["title", "display_title"],
        "suggest": {
            "titles": {
                "prefix": prepare(prefix).lower(),
                "completion": {"field": "suggest", "size": size, "skip_duplicates": True},
            }
        },
    }
