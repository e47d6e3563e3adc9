"""Comuni of the Città metropolitana di Milano, the ambiti that group them, ATECO sectors."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db


class District(db.Model):
    """An ambito territoriale (social-services district)."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)

    municipalities: Mapped[list[Municipality]] = relationship(back_populates="district")

    def __repr__(self) -> str:
        return f"<District {self.code}>"


class Municipality(db.Model):
    """A comune, keyed by its six-digit ISTAT code."""

    __tablename__ = "municipalities"

    istat_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    cadastral_code: Mapped[str] = mapped_column(String(4), nullable=False)
    province_code: Mapped[str] = mapped_column(String(3), nullable=False)
    latitude: Mapped[float] = mapped_column(Float, nullable=False)
    longitude: Mapped[float] = mapped_column(Float, nullable=False)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)

    district: Mapped[District | None] = relationship(back_populates="municipalities")

    def __repr__(self) -> str:
        return f"<Municipality {self.istat_code} {self.name}>"


class Sector(db.Model):
    """A node of the ATECO 2025 classification (section, division, group, class…)."""

    __tablename__ = "sectors"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    level: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(400), nullable=False)
    parent_code: Mapped[str | None] = mapped_column(String(12), index=True)
    # The top-level letter (A…V), kept on every node so facets need no tree walk.
    section_code: Mapped[str] = mapped_column(String(1), nullable=False, index=True)

    def __repr__(self) -> str:
        return f"<Sector {self.code}>"
