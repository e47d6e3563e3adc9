"""The embedded backend: search served from the SQL database itself.

Used when no Elasticsearch is configured (the `make run` mode). It receives exactly the
documents Elasticsearch would, keeps them in tables of its own (one per index, with the
filterable fields as columns) and answers the same typed queries: SQLite FTS5 for the
text, SQL for filters and facets, Python for distances and ordering.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
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
from sqlalchemy.engine import Connection, Engine

from search.analysis import prepare_folded
from search.backend import ApplyOutcome, IndexAction
from search.queries import (
    Facet,
    GeoFilter,
    OpportunityQuery,
    OrganizationQuery,
    Paging,
    PeopleQuery,
    SearchHit,
    SearchResult,
)

WORD = re.compile(r"\w+", re.UNICODE)
EARTH_RADIUS_KM = 6371.0
metadata = MetaData()


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _timestamp(value: str | None) -> float:
    return datetime.fromisoformat(value).timestamp() if value else 0.0


@dataclass(frozen=True)
class EmbeddedIndex:
    name: str
    text_fields: tuple[str, ...]
    columns: dict[str, Any]  # column name -> SQLAlchemy type; values read from the document
    table: Table = field(init=False)

    def __post_init__(self) -> None:
        table = Table(
            f"embedded_search_{self.name}", metadata,
            Column("id", Integer, primary_key=True, autoincrement=False),
            Column("version", Integer, nullable=False), Column("body", Text, nullable=False),
            Column("search_text", Text, nullable=False), Column("latitude", Float), Column("longitude", Float),
            *[Column(name, type_) for name, type_ in self.columns.items()],
        )  # fmt: skip
        object.__setattr__(self, "table", table)

    @property
    def fts_table(self) -> str:
        return f"{self.table.name}_fts"

    def row(self, action: IndexAction) -> dict[str, Any]:
        doc = action.document or {}
        location = doc.get("location") or {}
        values = {
            name: _date(doc.get(name)) if type_ is Date else doc.get(name) for name, type_ in self.columns.items()
        }
        return {
            "id": action.doc_id, "version": action.version, "body": json.dumps(doc),
            "search_text": " ".join(str(doc.get(name) or "") for name in self.text_fields),
            "latitude": location.get("lat"), "longitude": location.get("lon"), **values,
        }  # fmt: skip


INDEXES = {
    index.name: index
    for index in (
        EmbeddedIndex(
            "opportunities",
            ("title_folded", "organization_name_folded", "body_folded", "municipality_folded"),
            {"kind": String(40), "status": String(20), "sector_section": String(1), "district": String(40),
             "municipality_code": String(6), "paid": Boolean, "minors_allowed": Boolean, "start_date": Date,
             "deadline": Date, "published_at": String(40)},
        ),
        EmbeddedIndex(
            "organizations",
            ("name_folded", "body_folded", "municipality_folded", "vat_number", "tax_code"),
            {"kind": String(40), "status": String(20), "district": String(40), "municipality_code": String(6),
             "ateco_section": String(1), "ateco_division": String(2), "obligated_68": Boolean,
             "display_name": String(250)},
        ),
        EmbeddedIndex(
            "people",
            ("name_folded", "skills_folded", "aspirations_folded", "municipality_folded"),
            {"district": String(40), "municipality_code": String(6), "education_level": String(40),
             "driving_licence": Boolean, "birth_date": Date, "created_at": String(40)},
        ),
    )
}  # fmt: skip


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@dataclass
class Plan:
    """A typed query turned into SQL conditions plus how to order the matches."""

    index: EmbeddedIndex
    paging: Paging
    text: str
    conditions: list[Any]
    facet_conditions: dict[str, Any]
    facets: tuple[str, ...]
    near: GeoFilter | None
    # (document, distance, text rank) -> an ascending sort key ending with a unique tiebreak
    sort_key: Callable[[dict[str, Any], float | None, float], tuple[Any, ...]]


@dataclass
class _Candidate:
    doc: dict[str, Any]
    distance: float | None
    key: tuple[Any, ...]


class EmbeddedBackend:
    name = "embedded"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.fts = engine.dialect.name == "sqlite"

    # -- lifecycle -------------------------------------------------------------
    def ensure_indexes(self) -> None:
        metadata.create_all(self.engine)
        if self.fts:
            with self.engine.begin() as conn:
                for index in INDEXES.values():
                    conn.execute(text(
                        f"CREATE VIRTUAL TABLE IF NOT EXISTS {index.fts_table} "
                        "USING fts5(search_text, tokenize='unicode61 remove_diacritics 2')"
                    ))  # fmt: skip

    def drop_indexes(self) -> None:
        with self.engine.begin() as conn:
            for index in INDEXES.values():
                if self.fts:
                    conn.execute(text(f"DROP TABLE IF EXISTS {index.fts_table}"))
                index.table.drop(conn, checkfirst=True)

    def health(self) -> str:
        return "ok"

    def refresh(self, index: str) -> None:
        """Writes are visible at once; kept for parity with Elasticsearch."""

    # -- writes ------------------------------------------------------------------
    def apply(self, actions: Iterable[IndexAction]) -> ApplyOutcome:
        done = []
        with self.engine.begin() as conn:
            for action in actions:
                index = INDEXES[action.index]
                current = conn.scalar(select(index.table.c.version).where(index.table.c.id == action.doc_id))
                if current is None or current < action.version:
                    self._write(conn, index, action)
                done.append(action)  # an older version than the stored one is stale: done
        return ApplyOutcome(done=done, failed=[])

    def _write(self, conn: Connection, index: EmbeddedIndex, action: IndexAction) -> None:
        conn.execute(delete(index.table).where(index.table.c.id == action.doc_id))
        if self.fts:
            conn.execute(text(f"DELETE FROM {index.fts_table} WHERE rowid = :id"), {"id": action.doc_id})
        if action.op == "delete":
            # Keep a tombstone row so a late, older write cannot bring the document back.
            conn.execute(insert(index.table).values(id=action.doc_id, version=action.version, body="null",
                                                    search_text=""))  # fmt: skip
            return
        row = index.row(action)
        conn.execute(insert(index.table).values(**row))
        if self.fts:
            conn.execute(text(f"INSERT INTO {index.fts_table}(rowid, search_text) VALUES (:id, :t)"),
                         {"id": action.doc_id, "t": row["search_text"]})  # fmt: skip

    def replace_all(
        self, index: str, documents: Iterator[tuple[int, int, dict[str, Any]]],
        progress: Callable[[int], None] | None = None,
    ) -> int:  # fmt: skip
        spec = INDEXES[index]
        with self.engine.begin() as conn:
            conn.execute(delete(spec.table))
            if self.fts:
                conn.execute(text(f"DELETE FROM {spec.fts_table}"))
        count = 0
        batch: list[IndexAction] = []
        for doc_id, version, document in documents:
            batch.append(IndexAction(index, doc_id, version, "index", document))
            if len(batch) >= 1000:
                count += len(self.apply(batch).done)
                batch = []
                if progress:
                    progress(count)
        count += len(self.apply(batch).done)
        return count

    def versions(self, index: str) -> dict[int, int]:
        table = INDEXES[index].table
        with self.engine.connect() as conn:
            rows = conn.execute(select(table.c.id, table.c.version).where(table.c.body != "null")).all()
        return {row.id: row.version for row in rows}

    # -- reads -------------------------------------------------------------------
    def search_opportunities(self, query: OpportunityQuery) -> SearchResult:
        return self._run(_opportunity_plan(query))

    def search_organizations(self, query: OrganizationQuery) -> SearchResult:
        return self._run(_organization_plan(query))

    def search_people(self, query: PeopleQuery) -> SearchResult:
        return self._run(_people_plan(query))

    def suggest(self, index: str, prefix: str, size: int = 8) -> list[str]:
        words = WORD.findall(prepare_folded(prefix))
        if not words:
            return []
        result = self._run(_suggest_plan(index, " ".join(words), size))
        field_name = "display_title" if index == "opportunities" else "display_name"
        return [hit.source.get(field_name, "") for hit in result.hits]

    def _ranks(self, conn: Connection, index: EmbeddedIndex, query_text: str) -> dict[int, float] | None:
        """Matching ids with their text rank (lower is better), or None when there is no text."""
        words = WORD.findall(prepare_folded(query_text))
        if not words:
            return None
        if self.fts:
            # Every word quoted: user input can never become FTS5 syntax.
            match = " AND ".join(f'"{word}"*' for word in words)
            sql = text(f"SELECT rowid, bm25({index.fts_table}) FROM {index.fts_table} WHERE {index.fts_table} MATCH :m")
            return {row[0]: row[1] for row in conn.execute(sql, {"m": match})}
        condition = and_(*[index.table.c.search_text.like(f"%{word}%") for word in words])
        return {row[0]: 0.0 for row in conn.execute(select(index.table.c.id).where(condition))}

    def _run(self, plan: Plan) -> SearchResult:
        t = plan.index.table
        with self.engine.connect() as conn:
            ranks = self._ranks(conn, plan.index, plan.text)
            base = [t.c.body != "null", *plan.conditions]
            if ranks is not None:
                base.append(t.c.id.in_(list(ranks)) if ranks else t.c.id.is_(None))
            distances = self._within_radius(conn, t, base, plan.near)
            if distances is not None:
                # Resolved once: every later query (matches, each facet) is plain SQL.
                base.append(t.c.id.in_(list(distances)) if distances else t.c.id.is_(None))
            rows = conn.execute(select(t.c.id, t.c.body).where(*base, *plan.facet_conditions.values())).all()
            facets = {name: self._facet(conn, plan, name, base) for name in plan.facets}
        matches = [self._candidate(row, plan, ranks or {}, distances or {}) for row in rows]
        matches.sort(key=lambda candidate: candidate.key)
        if plan.paging.after is not None:
            after = tuple(plan.paging.after)
            page = [c for c in matches if c.key > after][: plan.paging.per_page]
        else:
            page = matches[plan.paging.offset : plan.paging.offset + plan.paging.per_page]
        hits = [SearchHit(id=int(c.doc["id"]), source=c.doc, distance_km=c.distance, sort_values=c.key) for c in page]
        return SearchResult(hits=hits, total=len(matches), facets=facets)

    @staticmethod
    def _within_radius(
        conn: Connection, table: Table, base: list[Any], near: GeoFilter | None
    ) -> dict[int, float] | None:
        """Ids inside the circle with their distance: a bounding box in SQL, the exact circle here."""
        if near is None:
            return None
        dlat = near.radius_km / 111.0
        dlon = near.radius_km / (111.0 * max(math.cos(math.radians(near.latitude)), 0.01))
        box = [table.c.latitude.between(near.latitude - dlat, near.latitude + dlat),
               table.c.longitude.between(near.longitude - dlon, near.longitude + dlon)]  # fmt: skip
        found = {}
        for row in conn.execute(select(table.c.id, table.c.latitude, table.c.longitude).where(*base, *box)):
            distance = _distance_km(near.latitude, near.longitude, row.latitude, row.longitude)
            if distance <= near.radius_km:
                found[row.id] = round(distance, 2)
        return found

    @staticmethod
    def _candidate(row: Any, plan: Plan, ranks: dict[int, float], distances: dict[int, float]) -> _Candidate:
        doc = json.loads(row.body)
        distance = distances.get(row.id)
        return _Candidate(doc, distance, plan.sort_key(doc, distance, ranks.get(row.id, 0.0)))

    def _facet(self, conn: Connection, plan: Plan, name: str, base: list[Any]) -> list[Facet]:
        """Counts under every filter but this facet's own, so its other options stay selectable."""
        column = plan.index.table.c[name]
        others = [cond for other, cond in plan.facet_conditions.items() if other != name]
        pairs = conn.execute(select(column, func.count()).where(*base, *others, column.is_not(None))
                             .group_by(column).order_by(func.count().desc(), column)).all()  # fmt: skip
        return [Facet(value=_facet_value(value), count=count) for value, count in pairs]


def _facet_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _equals(table: Table, pairs: dict[str, Any]) -> dict[str, Any]:
    conditions = {}
    for name, value in pairs.items():
        if value is None or value == ():
            continue
        conditions[name] = table.c[name].in_(value) if isinstance(value, tuple) else table.c[name] == value
    return conditions


def _opportunity_plan(query: OpportunityQuery) -> Plan:
    index = INDEXES["opportunities"]
    t = index.table
    today = query.today or date.today()
    conditions = [t.c.status == "published", or_(t.c.deadline.is_(None), t.c.deadline >= today)]
    if query.starts_before is not None:
        conditions.append(t.c.start_date <= query.starts_before)
    facet_conditions = _equals(t, {
        "kind": query.kinds, "sector_section": query.sector_section, "district": query.district,
        "municipality_code": query.municipality_code, "paid": query.paid, "minors_allowed": query.minors_allowed,
    })  # fmt: skip

    def sort_key(doc: dict[str, Any], distance: float | None, rank: float) -> tuple[Any, ...]:
        newest = (-_timestamp(doc.get("published_at")), -int(doc["id"]))
        if query.sort == "closest":
            return (distance if distance is not None else math.inf, int(doc["id"]))
        if query.sort == "newest":
            return newest
        if query.sort == "deadline":
            return (doc.get("deadline") or "9999-12-31", int(doc["id"]))
        return (rank, *newest)

    return Plan(index, query, query.text, conditions, facet_conditions,
                ("kind", "sector_section", "district", "municipality_code", "paid", "minors_allowed"),
                query.near, sort_key)  # fmt: skip


def _organization_plan(query: OrganizationQuery) -> Plan:
    index = INDEXES["organizations"]
    t = index.table
    conditions = [] if query.include_inactive else [t.c.status.in_(["active", "prospect"])]
    facet_conditions = _equals(t, {
        "kind": query.kinds, "district": query.district, "municipality_code": query.municipality_code,
        "ateco_section": query.ateco_section, "ateco_division": query.ateco_division,
        "obligated_68": query.obligated_68,
    })  # fmt: skip

    def sort_key(doc: dict[str, Any], distance: float | None, rank: float) -> tuple[Any, ...]:
        by_name = (doc.get("display_name") or "", int(doc["id"]))
        if query.sort == "closest":
            return (distance if distance is not None else math.inf, int(doc["id"]))
        if query.sort == "name":
            return by_name
        return (rank, *by_name)

    return Plan(index, query, query.text, conditions, facet_conditions,
                ("kind", "district", "ateco_section", "obligated_68", "status"), query.near, sort_key)  # fmt: skip


def _people_plan(query: PeopleQuery) -> Plan:
    index = INDEXES["people"]
    t = index.table
    conditions = []
    born_after, born_before = query.birth_date_range()
    if born_after is not None:
        conditions.append(t.c.birth_date > born_after)
    if born_before is not None:
        conditions.append(t.c.birth_date <= born_before)
    facet_conditions = _equals(t, {
        "district": query.district, "municipality_code": query.municipality_code,
        "education_level": query.education_levels, "driving_licence": query.driving_licence,
    })  # fmt: skip

    def sort_key(doc: dict[str, Any], distance: float | None, rank: float) -> tuple[Any, ...]:
        if query.sort == "closest":
            return (distance if distance is not None else math.inf, int(doc["id"]))
        if query.sort == "newest":
            return (-_timestamp(doc.get("created_at")), -int(doc["id"]))
        return (rank, int(doc["id"]))

    return Plan(index, query, query.text, conditions, facet_conditions,
                ("education_level", "district", "driving_licence"), query.near, sort_key)  # fmt: skip


def _suggest_plan(index: str, prefix: str, size: int) -> Plan:
    spec = INDEXES[index]
    conditions = [spec.table.c.status == "published"] if index == "opportunities" else []
    return Plan(spec, Paging(per_page=size), prefix, conditions, {}, (), None,
                lambda doc, distance, rank: (rank, int(doc["id"])))  # fmt: skip
