"""Reading people for operators."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.candidates.models import Person
from marketplace.extensions import db

PAGE_SIZE = 50


def people_page(page: int = 1) -> tuple[list[Person], int]:
    total = db.session.scalar(select(func.count()).select_from(Person)) or 0
    query = (
        select(Person)
        .options(selectinload(Person.municipality), selectinload(Person.profile))
        .order_by(Person.last_name, Person.first_name, Person.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return list(db.session.scalars(query)), total
