"""Nothing is lost when Elasticsearch, Redis or a worker goes away (real services, stopped for real)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marketplace.config import PROJECT_ROOT
from marketplace.extensions import db
from marketplace.indexing.models import SearchOutboxEntry
from marketplace.indexing.registry import REGISTRY
from tests import factories
from tests.waiting import wait_until

pytestmark = pytest.mark.worker
SERVICES = str(PROJECT_ROOT / "scripts" / "services.sh")


def service(action: str, name: str) -> None:
    subprocess.run([SERVICES, action, name], check=True, timeout=240)


def index_matches_database(app) -> bool:
    backend = app.extensions["search"]
    try:
        for index in ("opportunities", "organizations"):
            backend.refresh(index)
            expected = dict(db.session.execute(REGISTRY[index].expected()).all())
            if backend.versions(index) != expected:
                return False
    except Exception:
        return False
    finally:
        db.session.rollback()
    return True


def outbox_is_empty() -> bool:
    try:
        return db.session.scalar(select(func.count()).select_from(SearchOutboxEntry)) == 0
    finally:
        db.session.rollback()


def make_changes(count: int, label: str) -> list[int]:
    ids = []
    org = factories.organization(f"Organizzazione {label}")
    for n in range(count):
        opportunity = factories.opportunity(org, title=f"Tirocinio {label} {n}")
        db.session.commit()  # each one is a user's request that must succeed
        ids.append(opportunity.id)
    return ids


def test_no_change_is_lost_while_elasticsearch_then_redis_are_down(app, committed, start_worker):
    backend = app.extensions["search"]
    backend.drop_indexes()
    backend.ensure_indexes()
    worker = start_worker()
    try:
        service("stop", "elasticsearch")
        during_es_outage = make_changes(10, "senza-es")
        # An edit and an unpublish while the index cannot hear about them.
        first = db.session.get(REGISTRY["opportunities"].model, during_es_outage[0])
        first.title = "Tirocinio modificato durante il guasto"
        db.session.commit()
    finally:
        service("start", "elasticsearch")

    service("stop", "redis")
    try:
        during_redis_outage = make_changes(10, "senza-redis")
        assert app.test_client().get("/healthz").status_code == 503
    finally:
        service("start", "redis")
    # RQ's worker may exit when its Redis vanishes; a fresh one (alongside, if the first
    # survived) also exercises two drains running at once.
    del worker
    start_worker()

    # A drain writes to Elasticsearch before it commits the removal of its outbox entries, so
    # both conditions are awaited together: the index can match a moment before the outbox empties.
    wait_until(lambda: index_matches_database(app) and outbox_is_empty(), 180,
               "index never caught up with the database, or the outbox never emptied", poll=0.5)  # fmt: skip
    assert set(during_es_outage + during_redis_outage) <= set(backend.versions("opportunities"))


def test_reconciliation_repairs_drift(app, committed):
    from sqlalchemy import update

    from jobs.tasks.search import drain_search_outbox, reconcile_index
    from marketplace.indexing import services
    from marketplace.opportunities.models import Opportunity, OpportunityStatus

    backend = app.extensions["search"]
    backend.drop_indexes()
    backend.ensure_indexes()
    kept = factories.opportunity(title="Tirocinio da aggiornare")
    draft = factories.opportunity(title="Tirocinio pubblicato di nascosto", status=OpportunityStatus.DRAFT)
    db.session.commit()
    services.reindex("opportunities")
    # Changes made behind the application's back (no ORM, so no outbox entry), and a stray document.
    table = Opportunity.__table__
    db.session.execute(update(table).where(table.c.id == kept.id)
                       .values(title="Tirocinio aggiornato", version=table.c.version + 1))  # fmt: skip
    db.session.execute(update(table).where(table.c.id == draft.id)
                       .values(status="published", version=table.c.version + 1))  # fmt: skip
    db.session.commit()
    stray = {**services.opportunity_action(kept.id).document, "id": 999_999}
    backend.client.index(index=backend.alias("opportunities"), id="999999", document=stray,
                         version=1, version_type="external", refresh=True)  # fmt: skip
    report = services.drift("opportunities")
    assert (report.missing, report.stale, report.extra) == ([draft.id], [kept.id], [999_999])

    assert reconcile_index("opportunities") == 3
    drain_search_outbox()
    backend.refresh("opportunities")
    assert services.drift("opportunities").total == 0
    assert backend.client.get(index=backend.alias("opportunities"), id=str(kept.id))["_source"]["display_title"] == (
        "Tirocinio aggiornato"
    )


def test_a_worker_killed_mid_job_is_retried_not_lost(app, settings, start_worker):
    from redis import Redis

    from jobs.dispatch import RQDispatcher
    from tests.jobs_for_tests import ATTEMPTS_KEY, slow_once

    redis = Redis.from_url(settings.redis_url)
    redis.delete(ATTEMPTS_KEY)
    dispatcher = RQDispatcher(settings.redis_url)
    worker = start_worker("default", "--no-scheduler")
    time.sleep(3)  # let the worker start its own helpers (RQ's scheduler is a child process too)
    helpers = set(_children(worker.pid))
    job = dispatcher.send(slow_once, (60,))
    wait_until(lambda: redis.get(ATTEMPTS_KEY) == b"1", 60, "the job never started", poll=0.5)

    horse = set(_children(worker.pid)) - helpers
    assert len(horse) == 1, "the worker should run the job in one forked work horse"
    subprocess.run(["kill", "-9", str(horse.pop())], check=True)

    def finished() -> bool:
        job.refresh()
        return job.get_status() == "finished"

    wait_until(finished, 90, f"job not retried after its worker died (status {job.get_status()})", poll=0.5)
    assert job.return_value() == 2


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []
