"""A fixed, seeded mix of realistic public searches, shared by search_latency and page_load.

Each search is a `QuerySpec`: what a visitor types and picks in the public form. It turns into
an `OpportunityQuery` (for the query layer) or into the page's URL parameters (for the site),
the same way `marketplace/opportunities/views.py` reads the form.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

DEFAULT_SIZE = 240
DEFAULT_SEED = 2026

WORDS = [
    "tirocinio",
    "magazziniere",
    "cuoco",
    "informatica",
    "pulizie",
    "giardinaggio",
    "volontariato",
    "barista",
    "cameriere",
    "sala",
    "cucina",
    "saldatore",
    "elettricista",
    "meccanico",
    "logistica",
    "magazzino",
    "falegnameria",
    "sartoria",
    "panetteria",
    "pizzaiolo",
    "pasticceria",
    "vendita",
    "segreteria",
    "contabilità",
    "grafica",
    "educatore",
    "animatore",
    "doposcuola",
    "biblioteca",
    "agricoltura",
    "orto",
    "cascina",
    "assistenza",
    "anziani",
    "manutenzione",
    "verniciatore",
    "autista",
    "consegne",
    "receptionist",
    "inglese",
    "stage",
    "apprendistato",
    "laboratorio",
    "corso",
    "orientamento",
    "PCTO",
    "serigrafia",
    "tipografia",
]
PHRASES = [
    "aiuto cuoco",
    "addetto pulizie",
    "manutenzione del verde",
    "operatore socio sanitario",
    "addetta vendite",
    "tirocinio informatica",
    "corso di cucina",
    "borsa lavoro",
    "tirocinio di inclusione",
    "emporio solidale",
    "lavoro in magazzino",
    "assistenza agli anziani",
    "addetto alla sala",
    "stage in ufficio",
    '"aiuto cuoco"',
    "carrellista patentino",
    "l'informatica",
    "dell'ufficio",
    "volontariato con i bambini",
    "categoria protetta",
]
TYPOS = [
    "magazinere",
    "cuocco",
    "informatca",
    "giardinagio",
    "volontaraito",
    "pulizzie",
    "tirocino",
    "cameirere",
    "elettricsta",
    "panettiera",
    "segretaria",
    "contabilita",
    "pizaiolo",
    "apprendistatto",
    "logistca",
]
KINDS = [
    "internship",
    "inclusion_internship",
    "work_grant",
    "curricular_stage",
    "pcto",
    "workshop",
    "volunteering",
    "course",
    "guidance",
    "apprenticeship",
    "job",
]
RADII_KM = (5, 10, 15, 20)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    latitude: float
    longitude: float
    district: str | None


@dataclass(frozen=True)
class QuerySpec:
    text: str = ""
    kinds: tuple[str, ...] = ()
    district: str | None = None
    comune: str | None = None
    km: int | None = None
    paid: bool | None = None
    minors: bool | None = None
    sort: str = "relevance"
    page: int = 1

    def to_query(self, places: dict[str, Place], per_page: int = 20) -> Any:
        """The `OpportunityQuery` the public page would build from these parameters."""
        from search import OpportunityQuery
        from search.queries import GeoFilter

        place = places.get(self.comune) if self.comune else None
        near = GeoFilter(place.latitude, place.longitude, float(self.km)) if place and self.km else None
        return OpportunityQuery(
            text=self.text,
            kinds=self.kinds,
            district=self.district,
            municipality_code=self.comune if place and not near else None,
            near=near,
            paid=self.paid,
            minors_allowed=self.minors,
            sort=self.sort,
            page=self.page,
            per_page=per_page,
        )

    def to_path(self) -> str:
        """The public search page URL for these parameters."""
        params: list[tuple[str, str]] = [("q", self.text)] if self.text else []
        params += [("kind", kind) for kind in self.kinds]
        tristate = {True: "1", False: "0"}
        optional = {
            "district": self.district,
            "comune": self.comune,
            "km": self.km,
            "paid": tristate.get(self.paid),
            "minors": tristate.get(self.minors),
        }
        params += [(key, str(value)) for key, value in optional.items() if value is not None]
        if self.sort != "relevance":
            params.append(("sort", self.sort))
        if self.page > 1:
            params.append(("page", str(self.page)))
        return "/opportunita/" + (f"?{urlencode(params)}" if params else "")


def _text(rng: random.Random, places: list[Place]) -> str:
    roll = rng.random()
    if roll < 0.15:
        return ""  # browsing with filters only
    if roll < 0.55:
        return rng.choice(WORDS)
    if roll < 0.72:
        return rng.choice(PHRASES)
    if roll < 0.84:
        return rng.choice(TYPOS)
    if roll < 0.93:
        return rng.choice(places).name
    return f"{rng.choice(WORDS)} {rng.choice(places).name}"


def _spec(rng: random.Random, local: list[Place], districts: list[str]) -> QuerySpec:
    kinds = tuple(sorted(rng.sample(KINDS, rng.choice((1, 1, 2))))) if rng.random() < 0.25 else ()
    district = rng.choice(districts) if rng.random() < 0.15 else None
    comune, km = None, None
    place_roll = rng.random()
    if place_roll < 0.25:
        comune, km = rng.choice(local).code, rng.choice(RADII_KM)  # "entro N km da …"
    elif place_roll < 0.35:
        comune = rng.choice(local).code  # exactly this comune
    paid = rng.choice((True, False)) if rng.random() < 0.2 else None
    minors = True if rng.random() < 0.1 else None
    sorts = ["relevance"] * 11 + ["newest"] * 4 + ["deadline"] * 3 + (["closest"] * 4 if km else [])
    page = rng.choice((2, 3)) if rng.random() < 0.1 else 1
    return QuerySpec(_text(rng, local), kinds, district, comune, km, paid, minors, rng.choice(sorts), page)


def build_mix(places: list[Place], size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED) -> list[QuerySpec]:
    """The same list for the same places, size and seed (places sorted by code)."""
    rng = random.Random(seed)
    ordered = sorted(places, key=lambda p: p.code)
    # Searches centre on the network's own comuni (those in an ambito), where the offers are.
    local = [p for p in ordered if p.district] or ordered
    districts = sorted({p.district for p in local if p.district})
    return [_spec(rng, local, districts) for _ in range(size)]


def load_places() -> list[Place]:
    """Every comune with its ambito code (inside an app context)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from marketplace.extensions import db
    from marketplace.territory.models import Municipality

    rows = db.session.scalars(select(Municipality).options(selectinload(Municipality.district)))
    return [Place(m.istat_code, m.name, m.latitude, m.longitude, m.district.code if m.district else None) for m in rows]
