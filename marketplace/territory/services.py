"""Load the territory tables from the data packages (idempotent)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.territory import data
from marketplace.territory.models import District, Municipality, Sector


def load_districts(path: Path | None = None) -> dict[str, District]:
    by_code = {d.code: d for d in db.session.scalars(select(District))}
    for record in data.districts(path):
        district = by_code.get(record.code) or District(code=record.code)
        district.name = record.name
        db.session.add(district)
        by_code[record.code] = district
    db.session.flush()
    return by_code


def load_municipalities(path: Path | None = None) -> int:
    districts = load_districts(path)
    district_of = {name: districts[r.code] for r in data.districts(path) for name in r.comuni}
    existing = {m.istat_code: m for m in db.session.scalars(select(Municipality))}
    records = data.milan_municipalities()
    for record in records:
        municipality = existing.get(record.istat_code) or Municipality(istat_code=record.istat_code)
        for key, value in asdict(record).items():
            setattr(municipality, key, value)
        district = district_of.get(record.name)
        municipality.district_id = district.id if district else None
        db.session.add(municipality)
    unknown = set(district_of) - {r.name for r in records}
    if unknown:
        raise ValueError(f"districts name comuni not in the Città metropolitana: {sorted(unknown)}")
    db.session.flush()
    return len(records)


def load_sectors() -> int:
    if db.session.scalar(select(func.count()).select_from(Sector)):
        return 0
    rows = [asdict(record) for record in data.ateco_sectors()]
    db.session.execute(Sector.__table__.insert(), rows)
    db.session.flush()
    return len(rows)


def load_all(districts_file: Path | None = None) -> tuple[int, int]:
    return load_municipalities(districts_file), load_sectors()
