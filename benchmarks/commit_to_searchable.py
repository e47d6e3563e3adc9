"""Commit → searchable: how long after a commit a new published opportunity shows up in search.

A real RQ worker (`python -m jobs.worker`, bench environment) runs as a child process. This
process creates and publishes opportunities through the ORM and commits, one every
`--interval` seconds; the commit writes outbox rows and enqueues the drain job, the worker
applies them to Elasticsearch, and the index's default refresh (1 s, never forced here)
makes them searchable. Visibility is checked with a full-text *search* request (not a GET
by id, which is real-time and would ignore the refresh): one request per poll finds every
pending opportunity by a token in its title. The worker is always stopped afterwards.

    .venv/bin/python -m benchmarks.commit_to_searchable --scale 10000 [--count 100] [--interval 0.1]
"""

from __future__ import annotations

import logging
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks import common

TARGET_P95_S = 2.0
POLL_INTERVAL_S = 0.02
ITEM_TIMEOUT_S = 30.0
COMUNE = "015108"  # Gorgonzola


@dataclass
class Sample:
    doc_id: int
    commit_started: float
    commit_seconds: float
    indexed_at: float | None = None
    visible_at: float | None = None

    @property
    def latency(self) -> float | None:
        return None if self.visible_at is None else self.visible_at - self.commit_started

    @property
    def to_indexed(self) -> float | None:
        """Commit → document in Elasticsearch (the worker's part; not yet searchable)."""
        return None if self.indexed_at is None else self.indexed_at - self.commit_started


class CountingHandler(logging.Handler):
    """Counts 'could not enqueue' warnings: a commit whose drain job never reached Redis."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def create_organization(token: str) -> Any:
    from marketplace.extensions import db
    from marketplace.organizations.models import Organization, OrganizationKind

    org = Organization(
        name=f"Cooperativa Banco Prova {token}",
        kind=OrganizationKind.COMPANY,
        vat_number=None,
        municipality_code=COMUNE,
    )
    db.session.add(org)
    db.session.commit()
    return org


def publish_opportunity(org: Any, run_token: str, n: int) -> Sample:
    """Create a published opportunity (as tests/factories.py does) and commit; time the commit."""
    from marketplace.extensions import db
    from marketplace.models_base import utcnow
    from marketplace.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus

    today = date.today()
    item = Opportunity(
        organization=org,
        title=f"Tirocinio come magazziniere {run_token} numero {n}",
        description="Gestione del magazzino, carico e scarico merci.",
        kind=OpportunityKind.INTERNSHIP,
        status=OpportunityStatus.PUBLISHED,
        municipality_code=COMUNE,
        start_date=today + timedelta(days=30),
        application_deadline=today + timedelta(days=20),
        seats=2,
        allowance_eur=500,
        published_at=utcnow(),
    )
    db.session.add(item)
    db.session.flush()
    started = time.perf_counter()
    db.session.commit()
    return Sample(item.id, started, time.perf_counter() - started)


def visible_ids(backend: Any, run_token: str) -> set[int]:
    """One search request: every opportunity of this run that the index can already find."""
    body = {
        "query": {
            "bool": {"must": [{"match": {"title_folded": run_token}}], "filter": [{"term": {"status": "published"}}]}
        },
        "size": 1000,
        "_source": False,
    }
    response = backend.client.search(index=backend.alias("opportunities"), **body)
    return {int(hit["_id"]) for hit in response["hits"]["hits"]}


def mark_indexed(backend: Any, pending: dict[int, Sample]) -> None:
    """Attribution only: a real-time GET tells when the worker wrote a document, before any refresh."""
    waiting = [doc_id for doc_id, sample in pending.items() if sample.indexed_at is None]
    if not waiting:
        return
    response = backend.client.mget(index=backend.alias("opportunities"), ids=waiting, source=False)
    seen_at = time.perf_counter()
    for doc in response["docs"]:
        if doc.get("found"):
            pending[int(doc["_id"])].indexed_at = seen_at


def run_series(
    backend: Any, org: Any, count: int, interval: float, interruptions: list[str], run_token: str
) -> list[Sample]:
    """Commit one opportunity every `interval` s while polling search until all are visible."""
    samples: list[Sample] = []
    pending: dict[int, Sample] = {}
    start = time.perf_counter()
    while len(samples) < count or pending:
        now = time.perf_counter()
        if len(samples) < count and now >= start + len(samples) * interval:
            sample = publish_opportunity(org, run_token, len(samples))
            samples.append(sample)
            pending[sample.doc_id] = sample
        common.retrying(lambda: mark_indexed(backend, pending), backend.client, interruptions)
        found = common.retrying(lambda: visible_ids(backend, run_token), backend.client, interruptions)
        seen_at = time.perf_counter()
        for doc_id in found & pending.keys():
            pending.pop(doc_id).visible_at = seen_at
        for doc_id, sample in list(pending.items()):
            if seen_at - sample.commit_started > ITEM_TIMEOUT_S:
                pending.pop(doc_id)  # counted as never visible
        time.sleep(POLL_INTERVAL_S)
    return samples


def found_through_layer(backend: Any, run_token: str) -> int:
    """How many of the run's opportunities the public query layer finds (its visibility filters included)."""
    from search import OpportunityQuery

    return backend.search_opportunities(OpportunityQuery(text=run_token, per_page=1)).total


def cleanup(org: Any, ids: list[int]) -> None:
    """Delete what this run created; the worker removes the documents."""
    from sqlalchemy import delete, select

    from marketplace.extensions import db
    from marketplace.opportunities.models import Opportunity

    for opportunity in db.session.scalars(select(Opportunity).where(Opportunity.id.in_(ids))):
        db.session.delete(opportunity)
    db.session.flush()
    db.session.execute(delete(type(org)).where(type(org).id == org.id))
    db.session.commit()


def wait_for_drain(timeout: float = 60.0) -> float | None:
    """Seconds until the outbox is empty (the worker caught up), None on timeout."""
    from marketplace.extensions import db
    from marketplace.indexing.services import pending_count

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if pending_count() == 0:
            return time.perf_counter() - started
        db.session.rollback()  # a fresh snapshot for the next count
        time.sleep(0.2)
    return None


def measure(app: Any, count: int, interval: float, workdir: Path) -> dict[str, Any]:
    backend = app.extensions["search"]
    enqueue_failures = CountingHandler()
    logging.getLogger("jobs.dispatch").addHandler(enqueue_failures)
    interruptions: list[str] = []
    worker_cmd = [str(common.VENV_BIN / "python"), "-m", "jobs.worker"]
    with common.background(worker_cmd, workdir / "worker.log"):
        backlog_s = wait_for_drain(120.0)  # whatever an earlier run or the seed left behind
        org = create_organization(secrets.token_hex(3))
        # Warm-up: the worker's first job, connections, the index's search-idle state.
        warmup = run_series(backend, org, 5, interval, interruptions, f"bench{secrets.token_hex(4)}")
        probe = common.NoiseProbe()
        run_token = f"bench{secrets.token_hex(4)}"
        samples = run_series(backend, org, count, interval, interruptions, run_token)
        noise = probe.finish()
        found_by_layer = found_through_layer(backend, run_token)
        cleanup(org, [s.doc_id for s in warmup + samples])
        cleanup_s = wait_for_drain(120.0)
    latencies = [s.latency for s in samples if s.latency is not None]
    commits = [s.commit_seconds for s in samples]
    stats = common.summary_ms(latencies) if latencies else {}
    to_indexed = [s.to_indexed for s in samples if s.to_indexed is not None]
    return {
        "opportunities": count,
        "interval_s": interval,
        "poll_interval_s": POLL_INTERVAL_S,
        "visible": len(latencies),
        "never_visible_within_s": {"count": count - len(latencies), "timeout_s": ITEM_TIMEOUT_S},
        "commit_to_searchable_ms": stats,
        "commit_ms": common.summary_ms(commits),
        "attribution": {
            "commit_to_indexed_ms": common.summary_ms(to_indexed) if to_indexed else {},
            "note": "indexed = found by a real-time GET (worker done); searchable = found by a search (after refresh)",
        },
        "samples_ms": [None if s.latency is None else round(s.latency * 1000) for s in samples],
        "samples_indexed_ms": [None if s.to_indexed is None else round(s.to_indexed * 1000) for s in samples],
        "found_through_query_layer": found_by_layer,
        "worker_backlog_drain_s": backlog_s,
        "cleanup_drain_s": cleanup_s,
        "enqueue_failures": enqueue_failures.count,
        "target": {
            "p95_below_s": TARGET_P95_S,
            "met": bool(stats) and stats["p95"] < TARGET_P95_S * 1000 and len(latencies) == count,
        },
        "noise": {**noise, "elasticsearch_interruptions": interruptions},
    }


def run(scale: int, count: int, interval: float, keep_log: bool = False) -> dict[str, Any]:
    app = common.make_app()
    workdir = Path(tempfile.mkdtemp(prefix="bench-commit-"))
    with app.app_context():
        common.wait_for_elasticsearch(app.extensions["search"].client)
        machine, counts = common.machine_info(app), common.opportunity_counts(app)
        refresh = app.extensions["search"].client.indices.get_settings(
            index=app.extensions["search"].alias("opportunities"), include_defaults=True
        )
        try:
            result = measure(app, count, interval, workdir)
        except BaseException:
            print(f"worker log kept in {workdir / 'worker.log'}", file=sys.stderr)
            raise
    if keep_log:
        print(f"worker log: {workdir / 'worker.log'}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    settings = next(iter(refresh.values()))
    interval_setting = settings.get("settings", {}).get("index", {}).get("refresh_interval") or settings.get(
        "defaults", {}
    ).get("index", {}).get("refresh_interval")
    return {"machine": machine, "dataset": counts, "index_refresh_interval": interval_setting, **result}


def main() -> None:
    common.exit_on_sigterm()
    parser = common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between commits")
    parser.add_argument("--keep-log", action="store_true", help="keep the worker's log")
    args = parser.parse_args()
    result = run(args.scale, args.count, args.interval, args.keep_log)
    path = common.write_result("commit_to_searchable", args.scale, result)
    stats = result["commit_to_searchable_ms"]
    print(
        f"commit_to_searchable @ {args.scale}: {result['visible']}/{args.count} visible "
        f"(index refresh_interval {result['index_refresh_interval']})"
    )
    if stats:
        print(f"  commit→searchable p50 {stats['p50']} p95 {stats['p95']} p99 {stats['p99']} max {stats['max']} ms")
    indexed = result["attribution"]["commit_to_indexed_ms"]
    if indexed:
        print(f"  commit→indexed (worker part) p50 {indexed['p50']} p95 {indexed['p95']} ms")
    print(f"  commit itself p50 {result['commit_ms']['p50']} ms; enqueue failures {result['enqueue_failures']}")
    print(f"  target p95 < {TARGET_P95_S} s: {common.verdict(result['target']['met'])}")
    print(f"  -> {path.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main()
