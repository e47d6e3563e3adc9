"""Duplicate candidates, computed once per state of the organisations and then read from the cache.

Finding them compares every live name within its comune (seconds at 50k organisations), while
the page is opened again after each decision. Organisations are never deleted and every change
bumps a row's version, so the row count, the sum of the versions and the latest change together
name one state of the table: a key that changes with any edit, import, archive or merge.
"""

from __future__ import annotations

import orjson
from flask import current_app
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.organizations.merge import find_candidates
from marketplace.organizations.models import Organization

# Long enough to outlive a working session on the page; a new state makes a new key anyway.
TTL_S = 24 * 3600


def state_key() -> str:
    count, versions, latest = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Organization.version), 0), func.max(Organization.updated_at))
    ).one()
    return f"duplicate-candidates:{count}:{versions}:{latest.isoformat() if latest else '-'}"


CandidateRow = tuple[int, int, bool, float | None]  # merge.Candidate's fields, in its order


def current_rows() -> list[CandidateRow]:
    """Every candidate pair as plain values, best first: the page turns only those it shows into Candidates."""
    cache = current_app.extensions["cache"]
    key = state_key()
    stored = cache.get(key)
    if stored is not None:
        return orjson.loads(stored)
    rows = [(c.first_id, c.second_id, c.same_identifier, c.similarity) for c in find_candidates()]
    cache.set(key, orjson.dumps(rows), TTL_S)
    return rows
