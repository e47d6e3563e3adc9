"""Pairs of organisations checked and found different: the duplicates list stops offering them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from marketplace.common.errors import Refused
from marketplace.extensions import db
from marketplace.organizations.candidates import current_rows
from marketplace.organizations.merge import Candidate
from marketplace.organizations.models import DistinctPair, Organization


class NotAPair(Refused):
    """The two ids do not name two organisations."""


def ordered(one_id: int, other_id: int) -> tuple[int, int]:
    return min(one_id, other_id), max(one_id, other_id)


def decided_keys() -> set[tuple[int, int]]:
    rows = db.session.execute(select(DistinctPair.first_id, DistinctPair.second_id))
    return {(first, second) for first, second in rows}


def open_candidates(limit: int | None = None) -> tuple[list[Candidate], int]:
    """The first `limit` likely duplicate pairs not already found to be different, and how many there are."""
    decided = decided_keys()
    shown: list[Candidate] = []
    total = 0
    for row in current_rows():
        if (row[0], row[1]) in decided:
            continue
        total += 1
        if limit is None or len(shown) < limit:
            shown.append(Candidate(*row))
    return shown, total


def mark(one_id: int, other_id: int, decided_by_id: int | None) -> bool:
    """Record that the two are different organisations; False if that was already known. Flushes."""
    first_id, second_id = ordered(one_id, other_id)
    if first_id == second_id:
        raise NotAPair(_l("Un'organizzazione non può essere diversa da sé stessa."))
    found = select(func.count()).select_from(Organization).where(Organization.id.in_([first_id, second_id]))
    if db.session.scalar(found) != 2:
        raise NotAPair(_l("Una delle due organizzazioni non esiste."))
    if (first_id, second_id) in decided_keys():
        return False
    try:
        with db.session.begin_nested():  # two partners deciding at once: the second finds it done
            db.session.add(DistinctPair(first_id=first_id, second_id=second_id, decided_by_id=decided_by_id))
    except IntegrityError:
        return False
    return True


def unmark(one_id: int, other_id: int) -> bool:
    """Offer the pair again as possible duplicates; False if it was not marked. Flushes."""
    first_id, second_id = ordered(one_id, other_id)
    removed = db.session.execute(
        delete(DistinctPair).where(DistinctPair.first_id == first_id, DistinctPair.second_id == second_id)
    )
    db.session.flush()
    return bool(removed.rowcount)


def recent(limit: int) -> tuple[list[DistinctPair], int]:
    """The latest decisions first, and how many there are in all."""
    total = db.session.scalar(select(func.count()).select_from(DistinctPair)) or 0
    query = select(DistinctPair).order_by(DistinctPair.decided_at.desc(), DistinctPair.id.desc()).limit(limit)
    return list(db.session.scalars(query)), total
