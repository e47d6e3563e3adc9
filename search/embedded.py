"""The embedded backend: search served from the SQL database itself.

Used when no Elasticsearch is configured (the `make run` mode). It receives exactly the
documents Elasticsearch would, keeps them in tables of its own (one per index, with the
filterable fields as columns) and answers the same typed queries: SQLite FTS5 for the
text, SQL for filters and facets, Python for distances and ordering.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
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
    inspect,
    or_,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine

from search.analysis import prepare_folded
from search.backend import ApplyOutcome, IndexAction
from search.queries import (
    STARTING_FACET,
    STARTING_WITHIN_DAYS,
    Facet,
    GeoFilter,
    OpportunityQuery,
    OrganizationQuery,
    Paging,
    PeopleQuery,
    SearchHit,
    SearchResult,
    typed_identifier,
)

log = logging.getLogger(__name__)
WORD = re.compile(r"\w+", re.UNICODE)
EARTH_RADIUS_KM = 6371.0
metadata = MetaData()


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _utc_naive(value: str | None) -> datetime | None:
    """An ISO instant as naive UTC: SQLite compares stored timestamps as text, so one zone for all."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _column_value(type_: Any, value: Any) -> Any:
    if type_ is Date:
        return _date(value)
    if isinstance(type_, DateTime):
        return _utc_naive(value)
    return value


def _timestamp(value: str | None) -> float:
    return datetime.fromisoformat(value).timestamp() if value else 0.0


@dataclass(frozen=True)
class EmbeddedIndex:
    """One index: a table with the filterable single values as columns, plus a side table
    (`<table>_values`) with one row per value of each multi-valued field: keywords in
    `value`, date ranges in `low`/`high`, points in `latitude`/`longitude`."""

    name: str
    text_fields: tuple[str, ...]
    columns: dict[str, Any]  # column name -> SQLAlchemy type; values read from the document
    keyword_lists: tuple[str, ...] = ()  # lists of strings
    date_ranges: tuple[str, ...] = ()  # lists of {"gte": day, "lte": day}
    points: str | None = None  # a list of {"lat", "lon"} used for distances instead of "location"
    table: Table = field(init=False)
    values: Table | None = field(init=False)

    def __post_init__(self) -> None:
        table = Table(
            f"embedded_search_{self.name}", metadata,
            Column("id", Integer, primary_key=True, autoincrement=False),
            Column("version", Integer, nullable=False), Column("body", Text, nullable=False),
            Column("search_text", Text, nullable=False), Column("latitude", Float), Column("longitude", Float),
            *[Column(name, type_) for name, type_ in self.columns.items()],
        )  # fmt: skip
        object.__setattr__(self, "table", table)
        values = None
        if self.keyword_lists or self.date_ranges or self.points:
            values = Table(
                f"{table.name}_values", metadata,
                Column("doc_id", Integer, nullable=False, index=True), Column("field", String(40), nullable=False),
                Column("value", String(80)), Column("low", Date), Column("high", Date),
                Column("latitude", Float), Column("longitude", Float),
            )  # fmt: skip
        object.__setattr__(self, "values", values)

    @property
    def fts_table(self) -> str:
        return f"{self.table.name}_fts"

    @property
    def tables(self) -> list[Table]:
        return [self.table] if self.values is None else [self.table, self.values]

    def row(self, action: IndexAction) -> dict[str, Any]:
        doc = action.document or {}
        location = doc.get("location") or {}
        values = {name: _column_value(type_, doc.get(name)) for name, type_ in self.columns.items()}
        return {
            "id": action.doc_id, "version": action.version, "body": json.dumps(doc),
            "search_text": " ".join(str(doc.get(name) or "") for name in self.text_fields),
            "latitude": location.get("lat"), "longitude": location.get("lon"), **values,
        }  # fmt: skip

    def value_rows(self, action: IndexAction) -> list[dict[str, Any]]:
        doc = action.document or {}
        empty = {"value": None, "low": None, "high": None, "latitude": None, "longitude": None}
        rows = []
        for name in self.keyword_lists:
            rows += [{**empty, "field": name, "value": str(value)} for value in doc.get(name) or ()]
        for name in self.date_ranges:
            rows += [{**empty, "field": name, "low": _date(period.get("gte")), "high": _date(period.get("lte"))}
                     for period in doc.get(name) or ()]  # fmt: skip
        if self.points:
            rows += [{**empty, "field": self.points, "latitude": point["lat"], "longitude": point["lon"]}
                     for point in doc.get(self.points) or ()]  # fmt: skip
        return [{"doc_id": action.doc_id, **row} for row in rows]

    def has_value(self, name: str, values: tuple[str, ...] | str) -> Any:
        """Documents whose list `name` holds any of `values`."""
        assert self.values is not None
        wanted = values if isinstance(values, tuple) else (values,)
        v = self.values.c
        return self.table.c.id.in_(select(v.doc_id).where(v.field == name, v.value.in_(wanted)))

    def has_range_containing(self, name: str, day: date) -> Any:
        assert self.values is not None
        v = self.values.c
        return self.table.c.id.in_(select(v.doc_id).where(v.field == name, v.low <= day, v.high >= day))


INDEXES = {
    index.name: index
    for index in (
        EmbeddedIndex(
            "opportunities",
            ("title_folded", "organization_name_folded", "body_folded", "municipality_folded"),
            {"kind": String(40), "status": String(20), "sector_section": String(1), "district": String(40),
             "municipality_code": String(6), "paid": Boolean, "minors_allowed": Boolean, "start_date": Date,
             "next_start": Date, "deadline": Date, "published_at": DateTime()},
            keyword_lists=("target_groups",),
        ),
        EmbeddedIndex(
            "organizations",
            ("name_folded", "body_folded", "municipality_folded", "vat_number", "tax_code"),
            {"kind": String(40), "status": String(20), "ateco_section": String(1), "ateco_division": String(2),
             "size_class": String(20), "obligated_68": Boolean, "quota_68_covered": Boolean, "archived": Boolean,
             "last_contact_on": Date, "created_at": String(40), "display_name": String(250)},
            keyword_lists=("municipality_codes", "districts", "schemes"),
            date_ranges=("agreement_periods",),
            points="locations",
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
    # Facets made of named buckets, each a condition (counted under every other facet's filter).
    bucket_facets: dict[str, dict[str, Any]] = field(default_factory=dict)


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
    def after_fork(self) -> None:
        """Nothing to do: the engine's pool is the caller's to dispose (SQLite is never forked)."""

    def ensure_indexes(self) -> None:
        self._drop_outdated()
        metadata.create_all(self.engine)
        if self.fts:
            with self.engine.begin() as conn:
                for index in INDEXES.values():
                    conn.execute(text(
                        f"CREATE VIRTUAL TABLE IF NOT EXISTS {index.fts_table} "
                        "USING fts5(search_text, tokenize='unicode61 remove_diacritics 2')"
                    ))  # fmt: skip

    def drop_indexes(self) -> None:
        for index in INDEXES.values():
            self._drop(index)

    def _drop(self, index: EmbeddedIndex) -> None:
        with self.engine.begin() as conn:
            if self.fts:
                conn.execute(text(f"DROP TABLE IF EXISTS {index.fts_table}"))
            for table in index.tables:
                table.drop(conn, checkfirst=True)

    def _drop_outdated(self) -> None:
        """Tables from an older definition are dropped: they hold derived data that a reindex rebuilds."""
        existing = inspect(self.engine)
        for index in INDEXES.values():
            for table in index.tables:
                if not existing.has_table(table.name):
                    continue
                found = {column["name"] for column in existing.get_columns(table.name)}
                if found != set(table.columns.keys()):
                    log.warning("embedded search index %s is outdated: rebuilt empty, reindex it", index.name)
                    self._drop(index)
                    break

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
        if index.values is not None:
            conn.execute(delete(index.values).where(index.values.c.doc_id == action.doc_id))
        if self.fts:
            conn.execute(text(f"DELETE FROM {index.fts_table} WHERE rowid = :id"), {"id": action.doc_id})
        if action.op == "delete":
            # Keep a tombstone row so a late, older write cannot bring the document back.
            conn.execute(insert(index.table).values(id=action.doc_id, version=action.version, body="null",
                                                    search_text=""))  # fmt: skip
            return
        row = index.row(action)
        conn.execute(insert(index.table).values(**row))
        value_rows = index.value_rows(action) if index.values is not None else []
        if value_rows:
            conn.execute(insert(index.values), value_rows)
        if self.fts:
            conn.execute(text(f"INSERT INTO {index.fts_table}(rowid, search_text) VALUES (:id, :t)"),
                         {"id": action.doc_id, "t": row["search_text"]})  # fmt: skip

    def replace_all(
        self, index: str, documents: Iterator[tuple[int, int, dict[str, Any]]],
        progress: Callable[[int], None] | None = None,
    ) -> int:  # fmt: skip
        spec = INDEXES[index]
        with self.engine.begin() as conn:
            for table in spec.tables:
                conn.execute(delete(table))
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

    def search_organization_ids(self, query: OrganizationQuery, limit: int) -> tuple[list[int], int]:
        plan = _organization_plan(query)
        with self.engine.connect() as conn:
            matches, _base = self._matches(conn, plan)
        return [int(candidate.doc["id"]) for candidate in matches[:limit]], len(matches)

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
        with self.engine.connect() as conn:
            matches, base = self._matches(conn, plan)
            facets = {name: self._facet(conn, plan, name, base) for name in plan.facets}
            facets |= {name: self._bucket_facet(conn, plan, name, base) for name in plan.bucket_facets}
        if plan.paging.after is not None:
            after = tuple(plan.paging.after)
            page = [c for c in matches if c.key > after][: plan.paging.per_page]
        else:
            page = matches[plan.paging.offset : plan.paging.offset + plan.paging.per_page]
        hits = [SearchHit(id=int(c.doc["id"]), source=c.doc, distance_km=c.distance, sort_values=c.key) for c in page]
        return SearchResult(hits=hits, total=len(matches), facets=facets)

    def _matches(self, conn: Connection, plan: Plan) -> tuple[list[_Candidate], list[Any]]:
        """Every match in order, and the conditions (all but the facets') that facets count under."""
        t = plan.index.table
        ranks = self._ranks(conn, plan.index, plan.text)
        base = [t.c.body != "null", *plan.conditions]
        if ranks is not None:
            base.append(t.c.id.in_(list(ranks)) if ranks else t.c.id.is_(None))
        distances = self._within_radius(conn, plan.index, base, plan.near)
        if distances is not None:
            # Resolved once: every later query (matches, each facet) is plain SQL.
            base.append(t.c.id.in_(list(distances)) if distances else t.c.id.is_(None))
        rows = conn.execute(select(t.c.id, t.c.body).where(*base, *plan.facet_conditions.values())).all()
        matches = [self._candidate(row, plan, ranks or {}, distances or {}) for row in rows]
        matches.sort(key=lambda candidate: candidate.key)
        return matches, base

    @staticmethod
    def _within_radius(
        conn: Connection, index: EmbeddedIndex, base: list[Any], near: GeoFilter | None
    ) -> dict[int, float] | None:
        """Ids inside the circle with their (nearest point's) distance: a bounding box in SQL, the circle here."""
        if near is None:
            return None
        table = index.table
        if index.points and index.values is not None:
            points = index.values
            source = points.join(table, points.c.doc_id == table.c.id)
            columns = [points.c.doc_id.label("id"), points.c.latitude, points.c.longitude]
            base = [*base, points.c.field == index.points]
        else:
            points, source = table, table
            columns = [table.c.id, table.c.latitude, table.c.longitude]
        dlat = near.radius_km / 111.0
        dlon = near.radius_km / (111.0 * max(math.cos(math.radians(near.latitude)), 0.01))
        box = [points.c.latitude.between(near.latitude - dlat, near.latitude + dlat),
               points.c.longitude.between(near.longitude - dlon, near.longitude + dlon)]  # fmt: skip
        found: dict[int, float] = {}
        for row in conn.execute(select(*columns).select_from(source).where(*base, *box)):
            distance = round(_distance_km(near.latitude, near.longitude, row.latitude, row.longitude), 2)
            if distance <= near.radius_km and distance < found.get(row.id, math.inf):
                found[row.id] = distance
        return found

    @staticmethod
    def _candidate(row: Any, plan: Plan, ranks: dict[int, float], distances: dict[int, float]) -> _Candidate:
        doc = json.loads(row.body)
        distance = distances.get(row.id)
        return _Candidate(doc, distance, plan.sort_key(doc, distance, ranks.get(row.id, 0.0)))

    def _facet(self, conn: Connection, plan: Plan, name: str, base: list[Any]) -> list[Facet]:
        """Counts under every filter but this facet's own, so its other options stay selectable."""
        index = plan.index
        others = [cond for other, cond in plan.facet_conditions.items() if other != name]
        if name in index.keyword_lists and index.values is not None:
            # A document with several values counts once under each of them.
            v = index.values
            column, counted = v.c.value, func.count(v.c.doc_id.distinct())
            query = (select(column, counted).select_from(v.join(index.table, v.c.doc_id == index.table.c.id))
                     .where(v.c.field == name))  # fmt: skip
        else:
            column, counted = index.table.c[name], func.count()
            query = select(column, counted)
        pairs = conn.execute(query.where(*base, *others, column.is_not(None))
                             .group_by(column).order_by(counted.desc(), column)).all()  # fmt: skip
        return [Facet(value=_facet_value(value), count=count) for value, count in pairs]

    @staticmethod
    def _bucket_facet(conn: Connection, plan: Plan, name: str, base: list[Any]) -> list[Facet]:
        others = [cond for other, cond in plan.facet_conditions.items() if other != name]
        table = plan.index.table
        facets = []
        for value, condition in plan.bucket_facets[name].items():
            count = conn.scalar(select(func.count()).select_from(table).where(*base, *others, condition)) or 0
            if count:
                facets.append(Facet(value=value, count=count))
        return facets


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
    today = query.day
    conditions = [t.c.status == "published", or_(t.c.deadline.is_(None), t.c.deadline >= today)]
    if query.starts_before is not None:
        conditions.append(t.c.start_date <= query.starts_before)
    if query.published_after is not None:
        conditions.append(t.c.published_at > query.published_after.astimezone(UTC).replace(tzinfo=None))
    facet_conditions = _equals(t, {
        "kind": query.kinds, "sector_section": query.sector_section, "district": query.district,
        "municipality_code": query.municipality_code, "paid": query.paid, "minors_allowed": query.minors_allowed,
    })  # fmt: skip
    if query.target_groups:
        facet_conditions["target_groups"] = index.has_value("target_groups", query.target_groups)
    window = query.starting_window()
    if window is not None:
        facet_conditions[STARTING_FACET] = t.c.next_start.between(*window)
    windows = {str(days): t.c.next_start.between(today, today + timedelta(days=days))
               for days in STARTING_WITHIN_DAYS}  # fmt: skip

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
                ("kind", "sector_section", "district", "municipality_code", "paid", "minors_allowed",
                 "target_groups"),
                query.near, sort_key, {STARTING_FACET: windows})  # fmt: skip


def _organization_plan(query: OrganizationQuery) -> Plan:
    index = INDEXES["organizations"]
    t = index.table
    facet_conditions = _equals(t, {
        "kind": query.kinds, "status": query.statuses, "ateco_section": query.ateco_section,
        "ateco_division": query.ateco_division, "size_class": query.size_classes,
        "obligated_68": query.obligated_68,
    })  # fmt: skip
    for name, values in (("districts", query.district), ("municipality_codes", query.municipality_code),
                         ("schemes", query.schemes)):  # fmt: skip
        if values:
            facet_conditions[name] = index.has_value(name, values)

    def sort_key(doc: dict[str, Any], distance: float | None, rank: float) -> tuple[Any, ...]:
        by_name = (doc.get("name_folded") or "", int(doc["id"]))
        if query.sort == "closest":
            return (distance if distance is not None else math.inf, int(doc["id"]))
        if query.sort == "name":
            return by_name
        if query.sort == "newest":
            return (-_timestamp(doc.get("created_at")), -int(doc["id"]))
        if query.sort == "last_contact":
            contacted = doc.get("last_contact_on")
            return (contacted is not None, contacted or "", int(doc["id"]))
        return (rank, *by_name)

    # A typed P.IVA or codice fiscale is looked up alone ("IT 0123…" must not also need "it").
    text = typed_identifier(query.text) or query.text
    return Plan(index, query, text, _organization_conditions(query), facet_conditions,
                ("kind", "districts", "ateco_section", "size_class", "status", "schemes", "obligated_68"),
                query.near, sort_key)  # fmt: skip


def _organization_conditions(query: OrganizationQuery) -> list[Any]:
    """The filters that are not facets (the same as Elasticsearch's)."""
    index = INDEXES["organizations"]
    t = index.table
    conditions: list[Any] = []
    if not query.include_archived:
        conditions.append(or_(t.c.archived.is_(None), t.c.archived.is_(False)))
    if not query.statuses and not query.include_inactive:
        conditions.append(t.c.status.in_(["active", "prospect"]))
    if query.quota_68_uncovered:
        conditions += [t.c.obligated_68.is_(True), t.c.quota_68_covered.is_(False)]
    if query.agreement_valid:
        conditions.append(index.has_range_containing("agreement_periods", query.day))
    cutoff = query.contact_cutoff()
    if cutoff is not None:
        conditions.append(or_(t.c.last_contact_on.is_(None), t.c.last_contact_on < cutoff))
    return conditions


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
