"""Duplicate candidates are computed once per state of the organisations, then read from the cache (real Redis)."""

from __future__ import annotations

import pytest

from marketplace.common.cache import MemoryCache, RedisCache, build_cache
from marketplace.extensions import db
from marketplace.organizations import candidates, distinct
from tests import factories

GORGONZOLA = "015108"


@pytest.fixture
def computed(monkeypatch) -> list[int]:
    """How many times the comparison really ran."""
    runs: list[int] = []
    real = candidates.find_candidates

    def counting():
        runs.append(1)
        return real()

    monkeypatch.setattr(candidates, "find_candidates", counting)
    return runs


@pytest.fixture
def twins(db_session):
    first = factories.organization("Officine Rossi S.r.l.", municipality_code=GORGONZOLA)
    second = factories.organization("Officine Rossi S.p.A.", municipality_code=GORGONZOLA)
    bystander = factories.organization("Panificio Bianchi", municipality_code=GORGONZOLA)
    db.session.commit()
    return first, second, bystander


def keys() -> set[tuple[int, int]]:
    shown, total = distinct.open_candidates()
    assert total == len(shown)
    return {c.key for c in shown}


def test_the_comparison_runs_once_per_state_of_the_organisations(app, twins, computed):
    first, second, bystander = twins
    assert isinstance(app.extensions["cache"], RedisCache)
    assert keys() == {(first.id, second.id)}
    assert keys() == {(first.id, second.id)} and len(computed) == 1  # the second read came from Redis
    assert [list(row) for row in candidates.current_rows()] == [[first.id, second.id, False, 1.0]]

    # Marking a pair different changes no organisation: the page opens again without comparing.
    distinct.mark(first.id, second.id, None)
    db.session.commit()
    assert keys() == set() and len(computed) == 1

    # Renaming one changes the state: compared again, and the new look-alike is there.
    bystander.name = "Officine Rossi S.n.c."
    db.session.commit()
    assert keys() == {(first.id, bystander.id), (second.id, bystander.id)} and len(computed) == 2


@pytest.mark.parametrize("change", ["new", "archived"])
def test_adding_or_archiving_an_organisation_changes_the_state(twins, change):
    first, _second, _bystander = twins
    before = candidates.state_key()
    if change == "new":
        factories.organization("Officine Rossi S.a.s.", municipality_code=GORGONZOLA)
    else:
        from marketplace.models_base import utcnow

        first.archived_at = utcnow()
    db.session.commit()
    assert candidates.state_key() != before


def test_the_page_shows_the_first_open_pairs_and_counts_them_all(twins):
    first, second, bystander = twins
    bystander.name = "Officine Rossi S.n.c."
    db.session.commit()
    everything, total = distinct.open_candidates()
    assert total == 3
    shown, total = distinct.open_candidates(limit=2)
    assert total == 3 and [c.key for c in shown] == [c.key for c in everything[:2]]
    distinct.mark(first.id, second.id, None)
    db.session.commit()
    shown, total = distinct.open_candidates(limit=2)
    assert total == 2 and (first.id, second.id) not in {c.key for c in shown}


def test_an_unreachable_cache_only_means_comparing_again(app, twins, computed, monkeypatch):
    first, second, _bystander = twins
    monkeypatch.setitem(app.extensions, "cache", RedisCache("redis://127.0.0.1:1/0"))
    assert keys() == {(first.id, second.id)}
    assert keys() == {(first.id, second.id)} and len(computed) == 2


def test_the_memory_cache_keeps_the_newest_entries_until_their_time_is_up(monkeypatch):
    cache = MemoryCache(size=2)
    now = [1000.0]
    monkeypatch.setattr("marketplace.common.cache.time.monotonic", lambda: now[0])
    cache.set("a", b"1", ttl_s=60)
    cache.set("b", b"2", ttl_s=60)
    cache.set("c", b"3", ttl_s=60)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (None, b"2", b"3")  # the oldest made room
    now[0] += 61
    assert cache.get("c") is None
    assert isinstance(build_cache(None), MemoryCache)  # embedded mode: no Redis
