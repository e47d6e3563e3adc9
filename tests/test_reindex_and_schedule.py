"""Zero-downtime reindex (alias swap, lock, progress, cleanup on failure) and the periodic scheduler."""

from __future__ import annotations

import threading
import time

import pytest
from redis import Redis

from marketplace.indexing import services
from search import OpportunityQuery
from tests import factories


def concrete_indexes(backend, index: str) -> list[str]:
    return sorted(backend.client.indices.get_alias(name=backend.alias(index)).keys())


def test_reindex_swaps_the_alias_and_drops_the_old_index(backend):
    rows = [factories.opportunity(title=f"Corso di cucina {n}") for n in range(5)]
    before = concrete_indexes(backend, "opportunities")
    seen = []
    assert services.reindex("opportunities", progress=seen.append) == 5
    after = concrete_indexes(backend, "opportunities")
    assert len(after) == 1 and after != before
    assert not backend.client.indices.exists(index=before[0])
    settings = backend.client.indices.get_settings(index=after[0])[after[0]]["settings"]["index"]
    assert settings.get("refresh_interval") in (None, "1s")  # restored after the bulk load
    result = backend.search_opportunities(OpportunityQuery(text="cucina"))
    assert sorted(hit.id for hit in result.hits) == sorted(r.id for r in rows)


def test_searches_keep_working_during_a_reindex(backend):
    rows = [factories.opportunity(title=f"Tirocinio in magazzino {n}") for n in range(30)]
    services.reindex("opportunities")
    failures, totals = [], []
    stop = threading.Event()

    def search_continuously() -> None:
        while not stop.is_set():
            try:
                totals.append(backend.search_opportunities(OpportunityQuery(text="magazzino")).total)
            except Exception as error:
                failures.append(error)

    # Several readers, so that some search is often in flight at the moment of the swap.
    readers = [threading.Thread(target=search_continuously) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        for _ in range(5):
            services.reindex("opportunities")
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert failures == []
    assert totals and set(totals) == {len(rows)}


def test_the_old_index_is_deleted_only_once_no_search_uses_it(backend):
    factories.opportunity(title="Tirocinio in vivaio")
    services.reindex("opportunities")
    (old,) = concrete_indexes(backend, "opportunities")
    # An open scroll is a search still reading the old index, as a slow one would be.
    page = backend.client.search(index=backend.alias("opportunities"), scroll="1m", size=1, query={"match_all": {}})
    seen = {}

    def finish_the_search_later() -> None:
        deadline = time.monotonic() + 20
        while concrete_indexes(backend, "opportunities") == [old] and time.monotonic() < deadline:
            time.sleep(0.02)  # until the swap
        time.sleep(0.5)
        seen["old index kept"] = backend.client.indices.exists(index=old).body
        seen["scroll still reads"] = backend.client.scroll(scroll_id=page["_scroll_id"], scroll="1m")["hits"]["hits"]
        backend.client.clear_scroll(scroll_id=page["_scroll_id"])

    reader = threading.Thread(target=finish_the_search_later)
    reader.start()
    try:
        services.reindex("opportunities")
    finally:
        reader.join(timeout=30)
    assert seen == {"old index kept": True, "scroll still reads": []}
    assert not backend.client.indices.exists(index=old)


def test_a_failed_reindex_deletes_its_new_index_and_keeps_the_old(backend):
    factories.opportunity(title="Volontariato in biblioteca")
    services.reindex("opportunities")
    before = concrete_indexes(backend, "opportunities")

    def broken_documents():
        yield 1, 1, {"id": 1, "no_such_field": "strict mappings refuse this"}

    with pytest.raises(Exception):  # noqa: B017 - the bulk error type is the client's business
        backend.replace_all("opportunities", broken_documents())
    names = backend.client.indices.get(index=f"{backend.prefix}-opportunities-*").keys()
    assert sorted(names) == before
    assert backend.search_opportunities(OpportunityQuery(text="biblioteca")).total == 1


def test_only_one_reindex_at_a_time(app, backend, settings):
    lock = Redis.from_url(settings.redis_url).lock("opportunita:reindex:opportunities", timeout=60)
    assert lock.acquire(blocking=False)
    try:
        with pytest.raises(services.ReindexRunning):
            services.reindex("opportunities")
    finally:
        lock.release()


@pytest.mark.worker
def test_reindex_job_on_a_worker_reports_progress(app, settings, committed, start_worker):
    from jobs.dispatch import RQDispatcher
    from jobs.progress import progress_of
    from jobs.tasks.search import reindex

    for n in range(3):
        factories.opportunity(title=f"Laboratorio di sartoria {n}")
    committed.commit()
    job = RQDispatcher(settings.redis_url).send(reindex, ("opportunities",))
    start_worker("search", "--no-scheduler")
    deadline = time.monotonic() + 60
    while job.get_status(refresh=True) != "finished" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert job.return_value() == 3
    assert progress_of(job) == {"current": 3, "total": None, "done": True}


def test_the_scheduler_enqueues_each_periodic_job_once_per_slot(app, settings):
    from jobs.dispatch import RQDispatcher
    from jobs.schedule import tick

    # 1_260_000 is a multiple of every period, so each job starts a new slot there.
    assert set(tick(app, now=1_260_000.0)) == {
        "drain-search-outbox", "send-unsent-mail", "reconcile-search", "flag-expiring-agreements",
        "close-due-opportunities", "send-alert-digests", "sweep-orphan-uploads", "remove-expired-exports",
    }  # fmt: skip
    assert tick(app, now=1_260_001.0) == []  # same slot: another scheduler already did it
    assert tick(app, now=1_260_030.0) == ["drain-search-outbox"]
    queue = RQDispatcher(settings.redis_url).queue("search")
    assert [job.func_name for job in queue.jobs].count("jobs.tasks.search.drain_search_outbox") == 2


def test_without_search_statistics_the_old_index_still_goes_after_a_grace(backend, monkeypatch):
    from elasticsearch import AuthorizationException

    factories.opportunity(title="Tirocinio in libreria")
    services.reindex("opportunities")
    (old,) = concrete_indexes(backend, "opportunities")

    def refused(names):
        raise AuthorizationException(message="no monitor privilege", meta=None, body={})

    monkeypatch.setattr(backend, "_searches_idle", refused)
    started = time.monotonic()
    services.reindex("opportunities")
    assert time.monotonic() - started >= 1.0  # the fixed grace instead of the observed idleness
    assert not backend.client.indices.exists(index=old)
    assert backend.search_opportunities(OpportunityQuery(text="libreria")).total == 1
