"""SQL helpers shared by the domains."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Integer, any_, literal
from sqlalchemy.dialects.postgresql import ARRAY

from marketplace.extensions import db


def among(column: Any, ids: Collection[int]) -> Any:
    """`column IN ids` for integer ids; on PostgreSQL one array parameter instead of one per id.

    With windows of a thousand ids, preparing a thousand placeholders costs the driver more
    than running the query costs the server.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(list(ids), ARRAY(Integer)))
    return column.in_(ids)
