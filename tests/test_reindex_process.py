"""A full reindex builds its documents in a forked child (both cores), on committed data and real services."""

from __future__ import annotations

import os

import pytest

from marketplace.extensions import db
from marketplace.indexing import builder_process, services
from marketplace.opportunities.models import Opportunity
from search import OpportunityQuery
from tests import factories


@pytest.fixture
def fresh_indexes(app):
    search = app.extensions["search"]
    search.drop_indexes()
    search.ensure_indexes()
    return search


def _concrete(search) -> list[str]:
    return sorted(search.client.indices.get_alias(name=search.alias("opportunities")).keys())


def test_a_full_reindex_builds_documents_in_a_child_process(app, committed, fresh_indexes, tmp_path):
    rows = [factories.opportunity(title=f"Corso di pasticceria {n}") for n in range(3)]
    committed.commit()
    assert builder_process.can_fork_builder()  # a real pool: the child path is the one taken
    builder_pid = tmp_path / "builder.pid"
    original = services.documents

    def recording(index, **windows):
        builder_pid.write_text(str(os.getpid()))  # a file: the child's memory is its own
        yield from original(index, **windows)

    services.documents = recording
    try:
        assert services.reindex("opportunities") == 3
    finally:
        services.documents = original
    assert int(builder_pid.read_text()) != os.getpid()
    result = fresh_indexes.search_opportunities(OpportunityQuery(text="pasticceria"))
    assert sorted(hit.id for hit in result.hits) == sorted(row.id for row in rows)


def test_the_child_opens_its_own_search_connections(app, committed, fresh_indexes, tmp_path):
    # Sharing the parent's pooled sockets, a request from the child could read the parent's
    # response (seen once: the parent's retried index creation found its index existing).
    factories.opportunity(title="Corso di panificazione")
    committed.commit()
    seen = tmp_path / "client"
    parent_client = id(fresh_indexes.client)
    original = services.documents

    def recording(index, **windows):
        client = app.extensions["search"].client
        seen.write_text(f"{id(client)} {client.count(index=fresh_indexes.alias(index))['count']}")
        yield from original(index, **windows)

    services.documents = recording
    try:
        assert services.reindex("opportunities") == 1
    finally:
        services.documents = original
    child_client, counted = seen.read_text().split()
    assert int(child_client) != parent_client
    assert counted == "0"  # its own connection works (on the old, empty index)
    assert id(fresh_indexes.client) == parent_client  # the parent's is untouched


def test_an_error_in_the_child_fails_the_reindex_and_keeps_the_old_index(app, committed, fresh_indexes, monkeypatch):
    factories.opportunity(title="Laboratorio di falegnameria")
    committed.commit()
    services.reindex("opportunities")
    before = _concrete(fresh_indexes)

    def broken(index, **windows):
        yield from ()
        raise ValueError("the database went away")

    monkeypatch.setattr(services, "documents", broken)
    with pytest.raises(RuntimeError, match="ValueError: the database went away"):
        services.reindex("opportunities")
    names = fresh_indexes.client.indices.get(index=f"{fresh_indexes.prefix}-opportunities-*").keys()
    assert sorted(names) == before
    assert fresh_indexes.search_opportunities(OpportunityQuery(text="falegnameria")).total == 1


def test_a_child_that_dies_is_reported_instead_of_waited_for(app, committed, fresh_indexes, monkeypatch):
    def dying(index, **windows):
        os._exit(3)
        yield  # a generator, as documents() is

    monkeypatch.setattr(services, "documents", dying)
    with pytest.raises(RuntimeError, match=r"exited \(code 3\)"):
        services.reindex("opportunities")


def test_documents_are_serialised_as_the_client_would_serialise_them():
    import json
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from elastic_transport import JsonSerializer

    document = {
        "starts": date(2026, 1, 2), "published": datetime(2026, 1, 2, 9, 30, 5, 120, tzinfo=UTC),
        "allowance": Decimal("450.50"), "title": "Caffè «Lungo»", "deadline": None, "paid": True,
    }  # fmt: skip
    ours = builder_process.dumps(document)
    assert json.loads(ours) == json.loads(JsonSerializer().dumps(document))
    assert '"title":"Caffè «Lungo»"'.encode() in ours  # UTF-8 as is, not \u escapes


def _queued(settings, queue: str) -> list[tuple[str, list]]:
    from jobs.dispatch import RQDispatcher

    return [(job.func_name, list(job.args)) for job in RQDispatcher(settings.redis_url).queue(queue).jobs]


def test_a_change_drained_during_a_rebuild_is_repaired_by_the_check_it_queues(app, committed, fresh_indexes,
                                                                              monkeypatch, settings):  # fmt: skip
    from jobs.tasks.search import drain_search_outbox, reconcile_index

    changing = factories.opportunity(title="Tirocinio in serra")
    committed.commit()
    services.reindex("opportunities")
    original = services.documents

    def changed_while_building(index, **windows):
        # The row is read first; then someone edits it and the drain writes the edit through
        # the alias, which still points at the old index.
        yield from original(index, **windows)
        row = db.session.get(Opportunity, changing.id)
        row.title = "Tirocinio in serra e vivaio"
        db.session.commit()
        services.drain_once()
        db.session.commit()

    monkeypatch.setattr(services, "documents", changed_while_building)
    services.reindex("opportunities")
    monkeypatch.setattr(services, "documents", original)
    fresh_indexes.refresh("opportunities")
    assert services.drift("opportunities").stale == [changing.id]  # the new index missed the edit
    assert ("jobs.tasks.search.reconcile_index", ["opportunities"]) in _queued(settings, "default")

    assert reconcile_index("opportunities") == 1  # what the worker runs next
    drain_search_outbox()
    fresh_indexes.refresh("opportunities")
    assert services.drift("opportunities").total == 0
    assert fresh_indexes.search_opportunities(OpportunityQuery(text="vivaio")).total == 1


def test_the_periodic_reconciliation_is_one_job_per_index_behind_the_drains(db_session, settings):
    from jobs.registry import QUEUES, spec_of
    from jobs.tasks.search import drain_search_outbox, reconcile_index, reconcile_search

    assert reconcile_search() == ["opportunities", "organizations", "people"]
    queued = _queued(settings, "default")
    assert [args for name, args in queued if name == "jobs.tasks.search.reconcile_index"] == [
        ["opportunities"], ["organizations"], ["people"],
    ]  # fmt: skip
    # A worker takes queues in this order: pending drains go before the next check.
    assert QUEUES.index(spec_of(drain_search_outbox).queue) < QUEUES.index(spec_of(reconcile_index).queue)


def test_a_work_horse_drops_the_connections_it_inherited(app, monkeypatch):
    # RQ forks a work horse per job from the worker that built the app; the horse must not
    # speak on the worker's pooled sockets.
    from jobs import registry

    search = app.extensions["search"]
    with app.app_context():
        inherited_pool = db.engine.pool
    inherited_client = search.client
    monkeypatch.setattr(registry, "_worker_app", app)
    monkeypatch.setattr(registry, "_worker_app_pid", os.getpid() + 1)  # as if built before a fork

    assert registry._job_app() is app
    assert search.client is not inherited_client
    with app.app_context():
        assert db.engine.pool is not inherited_pool
    assert registry._worker_app_pid == os.getpid()  # the next job in this horse keeps them
    renewed = search.client
    registry._job_app()
    assert search.client is renewed
