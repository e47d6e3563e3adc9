"""What every demo builder shares: the seeded randomness, the clock, the loaded territory."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from faker import Faker
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from marketplace.demo import content
from marketplace.demo.content import Line, Theme
from marketplace.territory.models import District, Municipality, Sector

BATCH_SIZE = 2000
ADDA_MARTESANA_DISTRICTS = ("melzo", "pioltello", "cernusco", "trezzo")


class DemoTerritoryMissing(RuntimeError):
    """Demo data needs the comuni and ATECO sectors loaded first (`flask territory load`)."""


class WeightedPicker:
    """rng.choices without re-summing the weights on every call (it is called 100k+ times)."""

    def __init__(self, values: Sequence[Any], weights: Sequence[float]) -> None:
        self.values = list(values)
        self.cumulative = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass(frozen=True)
class Territory:
    names: dict[str, str]  # ISTAT code -> name
    cadastral: dict[str, str]
    local: WeightedPicker  # comuni of the four Adda Martesana ambiti
    elsewhere: WeightedPicker | None  # the rest of the Città metropolitana

    def pick(self, rng: random.Random) -> str:
        if self.elsewhere is None or rng.random() < content.LOCAL_SHARE:
            return self.local.pick(rng)
        return self.elsewhere.pick(rng)

    def code_named(self, name: str) -> str | None:
        return next((code for code, known in self.names.items() if known == name), None)


def load_territory(session: Session) -> Territory:
    rows = session.execute(
        select(Municipality.istat_code, Municipality.name, Municipality.cadastral_code, District.code)
        .outerjoin(District, Municipality.district_id == District.id)
        .order_by(Municipality.istat_code)
    ).all()
    if not rows:
        raise DemoTerritoryMissing("Nessun comune nel database: eseguire prima `flask territory load`.")
    local = [row for row in rows if row.code in ADDA_MARTESANA_DISTRICTS]
    elsewhere = [row for row in rows if row.code not in ADDA_MARTESANA_DISTRICTS]
    if not local:  # districts not configured: treat every comune as local rather than fail
        local, elsewhere = rows, []

    def picker(group: list[Any]) -> WeightedPicker:
        return WeightedPicker(
            [row.istat_code for row in group], [content.MUNICIPALITY_WEIGHTS.get(row.name, 1) for row in group]
        )

    return Territory(
        names={row.istat_code: row.name for row in rows},
        cadastral={row.istat_code: row.cadastral_code for row in rows},
        local=picker(local),
        elsewhere=picker(elsewhere) if elsewhere else None,
    )


class SectorCodes:
    """Real ATECO codes (a class or one of its subcategories) for each line of business."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(
            select(Sector.code, Sector.level).where(Sector.level.in_(("class", "subcategory"))).order_by(Sector.code)
        ).all()
        if not rows:
            raise DemoTerritoryMissing("Nessun settore ATECO nel database: eseguire prima `flask territory load`.")
        subcategories: dict[str, list[str]] = {}
        for code, level in rows:
            if level == "subcategory":
                subcategories.setdefault(code[:5], []).append(code)
        # A class's only subcategory means the same thing; several are often oddly specific
        # ("ristoranti a bordo di mezzi di trasporto"), so then the class itself is used.
        self.by_class: dict[str, list[str]] = {
            code: [code, *subs] if len(subs := subcategories.get(code, [])) == 1 else [code]
            for code, level in rows
            if level == "class"
        }
        self.any_class = sorted(self.by_class)
        self._cache: dict[tuple[str, ...], list[str]] = {}

    def for_line(self, line: Line) -> list[str]:
        codes = self._cache.get(line.ateco_classes)
        if codes is None:
            codes = [code for cls in line.ateco_classes for code in self.by_class.get(cls, [])]
            # Classes unknown to the loaded edition: any class is better than no code.
            codes = self._cache[line.ateco_classes] = codes or self.any_class
        return codes


@dataclass
class DemoContext:
    rng: random.Random
    fake: Faker
    today: date
    # Midnight UTC of `today`: generated timestamps are never later, so they are never in the future.
    now: datetime
    territory: Territory
    sectors: SectorCodes
    themes: dict[str, Theme]

    @classmethod
    def create(cls, session: Session, seed: int, today: date | None) -> DemoContext:
        fake = Faker("it_IT")
        fake.seed_instance(seed)
        today = today or date.today()
        return cls(
            rng=random.Random(seed),
            fake=fake,
            today=today,
            now=datetime.combine(today, time(0, 0), tzinfo=UTC),
            territory=load_territory(session),
            sectors=SectorCodes(session),
            themes={theme.key: theme for theme in content.THEMES},
        )

    def days_ago(self, low: float, high: float) -> datetime:
        """A moment between `low` and `high` days before now, to the second."""
        return self.now - timedelta(seconds=self.rng.randint(int(low * 86400), int(high * 86400)))

    def between(self, start: datetime, end: datetime) -> datetime:
        span = max(0, int((end - start).total_seconds()))
        return start + timedelta(seconds=self.rng.randint(0, span))


def insert_rows(session: Session, model: type, rows: Iterable[dict[str, Any]], *, returning: bool = False) -> list[int]:
    """Bulk INSERT in batches; with `returning`, the new ids in the order of `rows`.

    Core inserts on the session's connection skip the unit of work, and so the
    search-outbox hook: the caller reindexes after seeding. (The ORM's bulk path with
    RETURNING falls back to one statement per row here, which is far slower.)
    """
    table = model.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    statement = insert(table)
    if returning:
        statement = statement.returning(table.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, BATCH_SIZE)):
        result = connection.execute(statement, batch)
        if returning:
            ids.extend(result.scalars().all())
    return ids
