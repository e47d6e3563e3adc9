"""Index definitions: explicit mappings and the Italian analysis built from what the server has.

The integ-test distribution lacks analysis-common, so the chain is standard tokenizer →
lowercase → Italian stop words → hunspell (Debian's it_IT). Elisions and accent folding
happen in Python (search.analysis) before text arrives here.
"""

from __future__ import annotations

from typing import Any

ANALYSIS: dict[str, Any] = {
    "filter": {
        "it_stop": {"type": "stop", "stopwords": "_italian_"},
        "it_hunspell": {"type": "hunspell", "locale": "it_IT", "dedup": True},
    },
    "analyzer": {
        "it_text": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "it_stop", "it_hunspell"],
        },
        "it_folded": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "it_stop"]},
        "it_suggest": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
    },
}

_TEXT = {"type": "text", "analyzer": "it_text"}
_FOLDED = {"type": "text", "analyzer": "it_folded"}
_KEYWORD = {"type": "keyword"}
_STORED = {"type": "keyword", "index": False}  # shown in results, never searched

OPPORTUNITIES: dict[str, Any] = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0, "analysis": ANALYSIS},
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "id": {"type": "long"},
            "title": {**_TEXT, "fields": {"raw": {"type": "keyword", "ignore_above": 256}}},
            "title_folded": _FOLDED,
            "body": _TEXT,
            "body_folded": _FOLDED,
            "organization_id": {"type": "long"},
            "organization_name": _TEXT,
            "organization_name_folded": _FOLDED,
            "kind": _KEYWORD,
            "status": _KEYWORD,
            "sector_code": _KEYWORD,
            "sector_section": _KEYWORD,
            "municipality_code": _KEYWORD,
            "municipality_name": {**_KEYWORD},
            "municipality_folded": _FOLDED,
            "district": _KEYWORD,
            "district_name": _STORED,
            "location": {"type": "geo_point"},
            "start_date": {"type": "date"},
            "end_date": {"type": "date"},
            # The earliest edition still to start, else start_date: what "starting within" filters on.
            "next_start": {"type": "date"},
            "deadline": {"type": "date"},
            "published_at": {"type": "date"},
            "seats": {"type": "integer"},
            "allowance_eur": {"type": "float"},
            "paid": {"type": "boolean"},
            "minors_allowed": {"type": "boolean"},
            "age_min": {"type": "integer"},
            "age_max": {"type": "integer"},
            "hours_per_week": {"type": "integer"},
            "target_groups": _KEYWORD,
            "skill_codes": _KEYWORD,
            "required_skill_codes": _KEYWORD,
            "education_level": _KEYWORD,
            "languages": _KEYWORD,
            "language_levels": _STORED,  # "en:B1": read in results, never searched
            "display_title": _STORED,
            "organization_display": _STORED,
            "suggest": {"type": "completion", "analyzer": "it_suggest"},
        },
    },
}

_PLACE = {
    "municipality_code": _KEYWORD,
    "municipality_name": _KEYWORD,
    "municipality_folded": _FOLDED,
    "district": _KEYWORD,
    "location": {"type": "geo_point"},
}

ORGANIZATIONS: dict[str, Any] = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0, "analysis": ANALYSIS},
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "id": {"type": "long"},
            "name": _TEXT,
            # Sorting by the folded, lowercased name puts "Àncora" and "cooperativa" where a reader expects.
            "name_folded": {**_FOLDED, "fields": {"sort": {"type": "keyword", "ignore_above": 256}}},
            "body": _TEXT,
            "body_folded": _FOLDED,
            "kind": _KEYWORD,
            "status": _KEYWORD,
            "vat_number": _KEYWORD,
            "tax_code": _KEYWORD,
            "ateco_code": _KEYWORD,
            "ateco_section": _KEYWORD,
            "ateco_division": _KEYWORD,
            **_PLACE,
            # The registered office and every site: what place filters and distances use.
            "municipality_codes": _KEYWORD,
            "districts": _KEYWORD,
            "locations": {"type": "geo_point"},
            "employees": {"type": "integer"},
            "size_class": _KEYWORD,
            "obligated_68": {"type": "boolean"},
            "quota_68_covered": {"type": "boolean"},
            "schemes": _KEYWORD,
            # Signed agreements' periods: "valid today" is a query on today's date, so the
            # document never goes stale as days pass.
            "agreement_periods": {"type": "date_range", "format": "yyyy-MM-dd"},
            "last_contact_on": {"type": "date"},
            "archived": {"type": "boolean"},
            "created_at": {"type": "date"},
            "display_name": {"type": "keyword", "index": False},
            "suggest": {"type": "completion", "analyzer": "it_suggest"},
        },
    },
}

PEOPLE: dict[str, Any] = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0, "analysis": ANALYSIS},
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "id": {"type": "long"},
            "full_name": _TEXT,
            "name_folded": _FOLDED,
            "skills": _TEXT,
            "skills_folded": _FOLDED,
            "aspirations": _TEXT,
            "aspirations_folded": _FOLDED,
            "languages": _KEYWORD,
            "education_level": _KEYWORD,
            "driving_licence": {"type": "boolean"},
            "birth_date": {"type": "date"},
            "max_travel_km": {"type": "integer"},
            "registered_by_partner_id": {"type": "long"},
            **_PLACE,
            "created_at": {"type": "date"},
            "display_name": {"type": "keyword", "index": False},
        },
    },
}

INDEXES: dict[str, dict[str, Any]] = {
    "opportunities": OPPORTUNITIES,
    "organizations": ORGANIZATIONS,
    "people": PEOPLE,
}
