"""The embedded backend: search served from the SQL database itself.

Used when no Elasticsearch is configured (the `make run` mode). It receives exactly the
documents Elasticsearch would, keeps them in its own tables, and answers the same typed
queries: SQLite FTS5 for the text, SQL for filters and facets.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.engine import Engine

from search.analysis import prepare_folded
from search.backend import ApplyOutcome, IndexAction
from search.queries import Facet, OpportunityQuery, SearchHit, SearchResult

metadata = MetaData()
opportunity_docs = Table(
    "embedded_search_opportunities",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("search_text", Text, nullable=False),
    Column("kind", String(40)),
    Column("status", String(20)),
    Column("sector_section", String(1)),
    Column("district", String(40)),
    Column("municipality_code", String(6)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("paid", Boolean),
    Column("minors_allowed", Boolean),
    Column("start_date", Date),
    Column("deadline", Date),
    Column("published_at", String(40)),
)
FTS_TABLE = "embedded_search_opportunities_fts"
FACETS = ("kind", "sector_section", "district", "municipality_code", "paid", "minors_allowed")
WORD = re.compile(r"\w+", re.UNICODE)
EARTH_RADIUS_KM = 6371.0


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.fts = engine.dialect.name == "sqlite"

    def ensure_indexes(self) -> None:
        metadata.create_all(self.engine)
        if self.fts:
            with self.engine.begin() as conn:
                conn.execute(text(
                    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} "
                    "USING fts5(search_text, tokenize='unicode61 remove_diacritics 2')"
                ))  # fmt: skip

    def health(self) -> str:
        return "ok"

    def refresh(self, index: str) -> None:
        """Writes are visible at once; kept for parity with Elasticsearch."""

    # -- writes ------------------------------------------------------------------
    def _row(self, action: IndexAction) -> dict[str, Any]:
        doc = action.document or {}
        location = doc.get("location") or {}
        searchable = " ".join(
            str(doc.get(field) or "")
            for field in ("title_folded", "organization_name_folded", "body_folded", "municipality_folded")
        )
        return {
            "id": action.doc_id, "version": action.version, "body": json.dumps(doc),
            "search_text": searchable, "kind": doc.get("kind"), "status": doc.get("status"),
            "sector_section": doc.get("sector_section"), "district": doc.get("district"),
            "municipality_code": doc.get("municipality_code"), "latitude": location.get("lat"),
            "longitude": location.get("lon"), "paid": doc.get("paid"), "minors_allowed": doc.get("minors_allowed"),
            "start_date": _date(doc.get("start_date")), "deadline": _date(doc.get("deadline")),
            "published_at": doc.get("published_at"),
        }  # fmt: skip

    def apply(self, actions: Iterable[IndexAction]) -> ApplyOutcome:
        done = []
        with self.engine.begin() as conn:
            for action in actions:
                current = conn.scalar(
                    select(opportunity_docs.c.version).where(opportunity_docs.c.id == action.doc_id)
                )
                if current is not None and current >= action.version:
                    done.append(action)  # stale: a newer version is already here
                    continue
                self._remove(conn, action.doc_id)
                if action.op == "index":
                    row = self._row(action)
                    conn.execute(insert(opportunity_docs).values(**row))
                    if self.fts:
                        conn.execute(
                            text(f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (:id, :t)"),
                            {"id": action.doc_id, "t": row["search_text"]},
                        )
                done.append(action)
        return ApplyOutcome(done=done, failed=[])

    def _remove(self, conn: Any, doc_id: int) -> None:
        conn.execute(delete(opportunity_docs).where(opportunity_docs.c.id == doc_id))
        if self.fts:
            conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": doc_id})

    def replace_all(self, index: str, documents: Iterator[tuple[int, int, dict[str, Any]]]) -> int:
        with self.engine.begin() as conn:
            conn.execute(delete(opportunity_docs))
            if self.fts:
                conn.execute(text(f"DELETE FROM {FTS_TABLE}"))
        count = 0
        batch: list[IndexAction] = []
        for doc_id, version, document in documents:
            batch.append(IndexAction("opportunities", doc_id, version, "index", document))
            if len(batch) >= 1000:
                count += len(self.apply(batch).done)
                batch = []
        count += len(self.apply(batch).done)
        return count

    def versions(self, index: str) -> dict[int, int]:
        with self.engine.connect() as conn:
            return dict(conn.execute(select(opportunity_docs.c.id, opportunity_docs.c.version)).all())

    # -- reads -------------------------------------------------------------------
    def _text_condition(self, query_text: str) -> Any:
        words = WORD.findall(prepare_folded(query_text))
        if not words:
            return None
        if self.fts:
            # Every word quoted: user input can never become FTS5 syntax.
            match = " AND ".join(f'"{word}"*' for word in words)
            ids = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match").bindparams(
                match=match
            )
            return opportunity_docs.c.id.in_(ids)
        return and_(*[opportunity_docs.c.search_text.like(f"%{word}%") for word in words])

    def _conditions(self, query: OpportunityQuery) -> tuple[list[Any], dict[str, Any]]:
        today = query.today or date.today()
        t = opportunity_docs.c
        base = [t.status == "published", or_(t.deadline.is_(None), t.deadline >= today)]
        text_condition = self._text_condition(query.text)
        if text_condition is not None:
            base.append(text_condition)
        if query.starts_before is not None:
            base.append(t.start_date <= query.starts_before)
        if query.near is not None:
            # A bounding box in SQL, the exact circle in Python afterwards.
            dlat = query.near.radius_km / 111.0
            dlon = query.near.radius_km / (111.0 * max(math.cos(math.radians(query.near.latitude)), 0.01))
            base += [
                t.latitude.between(query.near.latitude - dlat, query.near.latitude + dlat),
                t.longitude.between(query.near.longitude - dlon, query.near.longitude + dlon),
            ]
        facet_conditions: dict[str, Any] = {}
        if query.kinds:
            facet_conditions["kind"] = t.kind.in_(query.kinds)
        for name, value in (("sector_section", query.sector_section), ("district", query.district),
                            ("municipality_code", query.municipality_code), ("paid", query.paid),
                            ("minors_allowed", query.minors_allowed)):  # fmt: skip
            if value is not None:
                facet_conditions[name] = t[name] == value
        return base, facet_conditions

    def search_opportunities(self, query: OpportunityQuery) -> SearchResult:
        base, facet_conditions = self._conditions(query)
        t = opportunity_docs.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.id, t.body, t.latitude, t.longitude).where(*base, *facet_conditions.values())
            ).all()
            candidates = self._within_radius(rows, query)
            facets = {name: self._facet(conn, name, base, facet_conditions, query) for name in FACETS}
        ordered = self._order(candidates, query)
        page = ordered[query.offset : query.offset + query.per_page]
        hits = [SearchHit(id=row_id, source=json.loads(body), distance_km=distance)
                for row_id, body, distance in page]  # fmt: skip
        return SearchResult(hits=hits, total=len(ordered), facets=facets)

    def _within_radius(self, rows: list[Any], query: OpportunityQuery) -> list[tuple[int, str, float | None]]:
        if query.near is None:
            return [(row.id, row.body, None) for row in rows]
        near = query.near
        found = []
        for row in rows:
            distance = _distance_km(near.latitude, near.longitude, row.latitude, row.longitude)
            if distance <= near.radius_km:
                found.append((row.id, row.body, round(distance, 2)))
        return found

    def _order(self, rows: list[tuple[int, str, float | None]], query: OpportunityQuery) -> list[Any]:
        if query.sort == "closest":
            return sorted(rows, key=lambda r: (r[2] if r[2] is not None else math.inf, r[0]))
        if query.sort == "deadline":
            return sorted(rows, key=lambda r: (json.loads(r[1]).get("deadline") or "9999", r[0]))
        # Relevance in this backend means newest first among the matches.
        return sorted(rows, key=lambda r: (json.loads(r[1]).get("published_at") or "", r[0]), reverse=True)

    def _facet(self, conn: Any, name: str, base: list[Any], facet_conditions: dict[str, Any],
               query: OpportunityQuery) -> list[Facet]:  # fmt: skip
        column = opportunity_docs.c[name]
        others = [cond for other, cond in facet_conditions.items() if other != name]
        if query.near is not None:
            ids = [row[0] for row in self._within_radius(
                conn.execute(select(opportunity_docs.c.id, opportunity_docs.c.body, opportunity_docs.c.latitude,
                                    opportunity_docs.c.longitude).where(*base, *others)).all(), query)]  # fmt: skip
            others = [*others, opportunity_docs.c.id.in_(ids)]
        counts = conn.execute(
            select(column, func.count()).where(*base, *others, column.is_not(None)).group_by(column)
            .order_by(func.count().desc(), column)
        ).all()  # fmt: skip
        return [Facet(value=_facet_value(value), count=count) for value, count in counts]


def _facet_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
